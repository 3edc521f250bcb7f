/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Radio information and configuration (issue 10): +UCGED, +CSCON, +UGCNTRD, +UGCNTSET,
 * +CEDRXS, +CEDRXRDP, +CPSMS, +URAT, +UBANDMASK, +CSGT (AT&V is in cmd_basic.c).
 *
 * What differs per module is data in the persona table (sim/persona.c); every radio value
 * comes from the simulated network's cell (netsim_cell), so +UCGED agrees with +CSQ, +CESQ,
 * +COPS? and +CEREG. Settings the module keeps in its NVM (+CEDRXS, +CPSMS, +URAT, +UBANDMASK,
 * +CSGT) form the "radio" NVM section; +URAT and +UBANDMASK take effect at the next boot.
 */
#define LOG_MODULE "cmd"
#include "cmd_radio.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "cmd_security.h"
#include "log.h"
#include "nvm.h"
#include "modem.h"
#include "persona.h"
#include "rot/platform.h"

/* ---- +UCGED ---- */

/* A stable 32-bit M-TMSI for the device: FNV-1a of its IMSI. */
static uint32_t tmsi(const struct modem *m)
{
	uint32_t h = 2166136261u;

	for (const char *c = m->device->imsi; *c != '\0'; c++)
		h = (h ^ (uint8_t)*c) * 16777619u;
	return h;
}

/* <Lrrc>: 3 connected, 1 idle (camped). */
static int lrrc(const struct modem *m)
{
	return netsim_rrc_connected(m->net) ? 3 : 1;
}

static void ucged_r5(struct at_req *req, const struct modem *m, const struct netsim_cell *c)
{
	int rsrp = netsim_cell_rsrp_index(c), rsrq = netsim_cell_rsrq_index(c);

	cmd_reply(req, "+UCGED", "2");
	at_reply(req, "6,4,%s,%s", c->mcc, c->mnc);
	at_reply(req,
		 "%u,%u,%u,%u,%x,%" PRIx32 ",%u,%08" PRIx32 ",8001,01,%d,%d,%d.00,%d,1,10,%d,-50,"
		 "-6,0,255,255,0",
		 c->earfcn, c->band, c->bw_mhz * 5, c->bw_mhz * 5, c->tac, c->ci, c->pci, tmsi(m),
		 rsrp, rsrq, c->sinr_db, lrrc(m), rsrp);
}

static void ucged_r422(struct at_req *req, const struct modem *m, const struct netsim_cell *c)
{
	cmd_reply(req, "+UCGED", "2");
	at_reply(req, "6,%s,%s", c->mcc, c->mnc);
	at_reply(req, "%u,%u,%u,%u,%x,%u,%d,%d,%d,-1,3,255,128,\"%08" PRIX32 "\"", c->earfcn,
		 c->band, c->bw_mhz, c->bw_mhz, c->tac, c->pci, c->rsrp_dbm, c->rsrq_db,
		 c->sinr_db * 10, tmsi(m));
}

static void ucged_lara(struct at_req *req, const struct modem *m, const struct netsim_cell *c)
{
	cmd_reply(req, "+UCGED", "2");
	at_reply(req, "4,0,%s,%s", c->mcc, c->mnc);
	at_reply(req,
		 "%u,%u,%u,%u,%x,%" PRIx32 ",%u,%08" PRIx32 ",8001,01,%d,%d,%d.00,%d,255,255,%d,"
		 "11,255,0,255,255,0,0",
		 c->earfcn, c->band, c->bw_mhz * 5, c->bw_mhz * 5, c->tac, c->ci, c->pci, tmsi(m),
		 c->rsrp_dbm, c->rsrq_db, c->sinr_db, lrrc(m), c->rsrp_dbm);
}

static void ucged_r4(struct at_req *req, const struct modem *m, const struct netsim_cell *c)
{
	(void)m;
	cmd_reply(req, "+RSRP", "%u,%u,\"%04d.00\",", c->pci, c->earfcn, c->rsrp_dbm);
	cmd_reply(req, "+RSRQ", "%u,%u,\"%03d.00\",", c->pci, c->earfcn, c->rsrq_db);
}

typedef void ucged_fn(struct at_req *req, const struct modem *m, const struct netsim_cell *c);

static ucged_fn *const ucged_forms[] = {
	[PERSONA_UCGED_R5] = ucged_r5,
	[PERSONA_UCGED_R422] = ucged_r422,
	[PERSONA_UCGED_LARA_R6] = ucged_lara,
	[PERSONA_UCGED_R4] = ucged_r4,
};

/* "(0,2)" from a bit set of mode numbers. */
static void mode_list(unsigned bits, char *out, size_t cap)
{
	size_t n = 0;

	out[0] = '\0';
	for (unsigned v = 0; v < 32 && n + 4 < cap; v++)
		if (bits & (1u << v))
			n += (size_t)snprintf(out + n, cap - n, "%s%u", n == 0 ? "" : ",", v);
}

static enum at_rc handle_ucged(struct at_req *req)
{
	struct modem *m = at_req_ctx(req);
	const struct persona *p = m->persona;
	unsigned modes = p->ucged_modes;
	char list[64];

	if (modes == 0 && at_req_op(req) != AT_OP_READ)
		return cmd_fail(req, -EOPNOTSUPP); /* SARA-R5: one mode, read only */
	if (at_req_op(req) == AT_OP_TEST) {
		mode_list(modes, list, sizeof(list));
		cmd_reply(req, "+UCGED", "(%s)", list);
		return AT_RC_OK;
	}
	if (at_req_op(req) == AT_OP_SET) {
		long mode = at_arg_int(req, 0);

		if (mode >= 32 || !(modes & (1u << mode)))
			return cmd_fail(req, -EINVAL);
		m->radio->ucged_mode = (int)mode;
		return AT_RC_OK;
	}
	if (modes != 0 && m->radio->ucged_mode == 0) {
		cmd_reply(req, "+UCGED", "0");
		return AT_RC_OK;
	}
	if (!netsim_is_registered(m->net))
		return cmd_fail(req, -EPERM); /* no serving cell to describe */
	ucged_forms[p->ucged](req, m, netsim_cell(m->net));
	return AT_RC_OK;
}

/* ---- +CSCON ---- */

/* 27.007 10.1.30: <mode>[,<state>[,<access>]]; state 7 E-UTRAN connected, access 4 FDD. */
static void cscon_body(const struct modem *m, int n, char *out, size_t cap)
{
	bool up = netsim_rrc_connected(m->net);

	if (n >= 3 && up)
		snprintf(out, cap, "1,7,4");
	else if (n >= 2 && up)
		snprintf(out, cap, "1,7");
	else
		snprintf(out, cap, "%d", up ? 1 : 0);
}

static enum at_rc handle_cscon(struct at_req *req)
{
	struct modem *m = at_req_ctx(req);
	char body[16];

	if (at_req_op(req) == AT_OP_SET) {
		m->radio->cscon_n = (int)at_arg_int(req, 0);
		return AT_RC_OK;
	}
	cscon_body(m, 1, body, sizeof(body));
	cmd_reply(req, "+CSCON", "%d,%s", m->radio->cscon_n, body);
	return AT_RC_OK;
}

/* ---- +UGCNTRD / +UGCNTSET ---- */

static enum at_rc handle_ugcntrd(struct at_req *req)
{
	struct modem *m = at_req_ctx(req);
	struct netsim_counters c;

	for (int cid = 1; cid <= NETSIM_CID_MAX; cid++) {
		if (netsim_counters(m->net, cid, &c) < 0 ||
		    (!netsim_pdp_is_active(m->net, cid) && c.total_sent == 0 && c.total_recv == 0))
			continue;
		cmd_reply(req, "+UGCNTRD", "%d,%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64, cid,
			  c.sess_sent, c.sess_recv, c.total_sent, c.total_recv);
	}
	return AT_RC_OK;
}

static enum at_rc handle_ugcntset(struct at_req *req)
{
	struct modem *m = at_req_ctx(req);
	int rc = netsim_set_totals(m->net, (int)at_arg_int(req, 0), (uint64_t)at_arg_int(req, 1),
				   (uint64_t)at_arg_int(req, 2));

	return rc < 0 ? cmd_fail(req, rc) : AT_RC_OK;
}

static void radio_factory(struct modem *m)
{
	const struct persona *p = m->persona;
	struct cmd_radio_state *r = m->radio;

	memcpy(r->rat, p->rat_default, sizeof(r->rat));
	if (p->bands_default != NULL)
		memcpy(r->bands, p->bands_default, sizeof(r->bands));
	memset(r->edrx, 0, sizeof(r->edrx));
	cmd_radio_cpsms_factory(r);
}

/*
 * Keeps a change the module stores in its NVM: written at once. When the NVM cannot be
 * written the change is undone and the host gets the error, so nothing is half kept.
 */
static enum at_rc radio_keep(struct at_req *req, struct modem *m,
			     const struct cmd_radio_state *before)
{
	int rc = cmd_radio_persist(m);

	if (rc == 0)
		return AT_RC_OK;
	*m->radio = *before;
	return cmd_fail(req, rc);
}

/* ---- +CEDRXS / +CEDRXRDP ---- */

/* The requested value of an AcT ("0010", PTW "0011" until set: the factory values). */
static void edrx_requested(const struct edrx *e, const char **value, const char **ptw)
{
	*value = e->value[0] != '\0' ? e->value : "0010";
	*ptw = e->ptw[0] != '\0' ? e->ptw : "0011";
}

/* The simulated network grants eDRX on the cell's own access (WB-S1, 4) as requested. */
static bool edrx_granted(const struct modem *m, int act)
{
	return act == 4 && m->radio->edrx[act].mode != 0 && netsim_is_registered(m->net);
}

/* +CEDRXP for act when the host asked for it (mode 2) and the network grants it. */
static void edrx_urc(struct modem *m, int act)
{
	const struct edrx *e = &m->radio->edrx[act];
	const char *value, *ptw;

	edrx_requested(e, &value, &ptw);
	if (e->mode == 2 && edrx_granted(m, act))
		modem_urc(m, "+CEDRXP", "%d,\"%s\",\"%s\",\"%s\"", act, value, value, ptw);
}

static enum at_rc cedrxs_read(struct at_req *req, struct modem *m)
{
	const struct persona *p = m->persona;
	const char *value, *ptw;
	bool any = false;

	for (int a = 0; a < EDRX_ACTS; a++) {
		const struct edrx *e = &m->radio->edrx[a];

		if (!(p->edrx_acts & (1u << a)) || (e->mode == 0 && !p->edrx_read_all))
			continue;
		edrx_requested(e, &value, &ptw);
		cmd_reply(req, "+CEDRXS", "%d,\"%s\",\"%s\"", a, value, ptw);
		any = true;
	}
	if (!any && p->edrx_off_bare)
		cmd_reply(req, "+CEDRXS", "%s", "");
	return AT_RC_OK;
}

static enum at_rc handle_cedrxs(struct at_req *req)
{
	struct modem *m = at_req_ctx(req);
	long mode = at_arg_int(req, 0), act = at_arg_int(req, 1);
	char value[8] = "0010", ptw[8] = "0011";
	struct cmd_radio_state before = *m->radio;
	struct edrx *e;

	if (at_req_op(req) == AT_OP_READ)
		return cedrxs_read(req, m);
	if (mode == 3) { /* disable and discard every setting */
		memset(m->radio->edrx, 0, sizeof(m->radio->edrx));
		return radio_keep(req, m, &before);
	}
	if (!at_arg_present(req, 1) || !(m->persona->edrx_acts & (1u << act)))
		return cmd_fail(req, -EINVAL);
	e = &m->radio->edrx[act];
	if (e->value[0] != '\0') {
		memcpy(value, e->value, 5);
		memcpy(ptw, e->ptw, 5);
	}
	if ((at_arg_present(req, 2) && cmd_arg_copy(req, 2, value, sizeof(value)) < 0) ||
	    (at_arg_present(req, 3) && cmd_arg_copy(req, 3, ptw, sizeof(ptw)) < 0) ||
	    !cmd_radio_is_bits(value, 4) || !cmd_radio_is_bits(ptw, 4))
		return cmd_fail(req, -EINVAL);
	e->mode = (int)mode;
	memcpy(e->value, value, 5);
	memcpy(e->ptw, ptw, 5);
	if (radio_keep(req, m, &before) != AT_RC_OK)
		return AT_RC_CME;
	edrx_urc(m, (int)act);
	return AT_RC_OK;
}

static enum at_rc handle_cedrxs_test(struct at_req *req)
{
	struct modem *m = at_req_ctx(req);
	char list[64];

	mode_list(m->persona->edrx_acts, list, sizeof(list));
	cmd_reply(req, "+CEDRXS", "(0-3),(%s),(\"0000\"-\"1111\")", list);
	return AT_RC_OK;
}

/* 27.007 7.41: AcT 0 when the serving cell uses no eDRX for this UE (not requested/granted). */
static enum at_rc handle_cedrxrdp(struct at_req *req)
{
	struct modem *m = at_req_ctx(req);
	const char *value, *ptw;
	bool any = false;

	for (int a = 0; a < EDRX_ACTS; a++) {
		const struct edrx *e = &m->radio->edrx[a];

		if (e->mode == 0)
			continue;
		edrx_requested(e, &value, &ptw);
		if (edrx_granted(m, a))
			cmd_reply(req, "+CEDRXRDP", "%d,\"%s\",\"%s\",\"%s\"", a, value, value,
				  ptw);
		else
			cmd_reply(req, "+CEDRXRDP", "0,\"%s\"", value); /* requested, not granted */
		any = true;
	}
	if (!any)
		cmd_reply(req, "+CEDRXRDP", "0");
	return AT_RC_OK;
}

/* ---- +URAT / +UBANDMASK ---- */

static enum at_rc handle_urat(struct at_req *req)
{
	struct modem *m = at_req_ctx(req);
	const struct persona *p = m->persona;
	int rat[PERSONA_RATS_MAX] = { -1, -1, -1 };
	size_t n = at_arg_count(req);
	char list[64], text[32] = "";
	struct cmd_radio_state before = *m->radio;

	if (at_req_op(req) == AT_OP_TEST) {
		mode_list(p->rats, list, sizeof(list));
		for (unsigned i = 0, k = 0; i < p->rats_max; i++)
			k += (unsigned)snprintf(text + k, sizeof(text) - k, ",(%s)", list);
		cmd_reply(req, "+URAT", "%s", text + 1);
		return AT_RC_OK;
	}
	if (at_req_op(req) == AT_OP_READ) {
		for (size_t i = 0, k = 0; i < PERSONA_RATS_MAX && m->radio->rat[i] >= 0; i++)
			k += (size_t)snprintf(text + k, sizeof(text) - k, "%s%d", i ? "," : "",
					      m->radio->rat[i]);
		cmd_reply(req, "+URAT", "%s", text);
		return AT_RC_OK;
	}
	if (n > p->rats_max)
		return cmd_fail(req, -EINVAL);
	for (size_t i = 0; i < n; i++) {
		long v = at_arg_int(req, i);

		if (!at_arg_present(req, i) || !(p->rats & (1u << v)))
			return cmd_fail(req, -EINVAL);
		for (size_t j = 0; j < i; j++)
			if (rat[j] == v)
				return cmd_fail(req, -EINVAL); /* each RAT once */
		rat[i] = (int)v;
	}
	memcpy(m->radio->rat, rat, sizeof(rat));
	return radio_keep(req, m, &before);
}

/* Index of a +UBANDMASK <rat> in the persona's pair, or -1. */
static int bandmask_index(const struct persona *p, long rat)
{
	for (int i = 0; i < 2; i++)
		if (p->bandmask_rats[i] == rat)
			return i;
	return -1;
}

static enum at_rc ubandmask_read(struct at_req *req, const struct modem *m)
{
	const struct persona *p = m->persona;
	unsigned long long(*b)[2] = m->radio->bands;
	const int *rat = p->bandmask_rats;

	if (p->bandmask_two)
		cmd_reply(req, "+UBANDMASK", "%d,%llu,%llu,%d,%llu,%llu", rat[0], b[0][0], b[0][1],
			  rat[1], b[1][0], b[1][1]);
	else
		cmd_reply(req, "+UBANDMASK", "%d,%llu,%d,%llu", rat[0], b[0][0], rat[1], b[1][0]);
	return AT_RC_OK;
}

/*
 * +UBANDMASK=<rat>,<mask1>[,<mask2>]: ubxlib always sends both masks; a persona without bands
 * above 64 (SARA-R410M) takes a zero <mask2> only.
 */
static enum at_rc handle_ubandmask(struct at_req *req)
{
	struct modem *m = at_req_ctx(req);
	const struct persona *p = m->persona;
	unsigned long long v[2] = { 0, 0 };
	char mask[24];
	int i = bandmask_index(p, at_arg_int(req, 0));
	struct cmd_radio_state before = *m->radio;

	if (!p->has_bandmask)
		return cmd_fail(req, -EOPNOTSUPP);
	if (at_req_op(req) == AT_OP_READ)
		return ubandmask_read(req, m);
	if (at_req_op(req) == AT_OP_TEST) {
		cmd_reply(req, "+UBANDMASK", "(%d,%d),(0-%llu),(0-%llu)", p->bandmask_rats[0],
			  p->bandmask_rats[1], ULLONG_MAX, p->bandmask_two ? ULLONG_MAX : 0);
		return AT_RC_OK;
	}
	for (size_t k = 0; k < 2; k++)
		if (at_arg_present(req, k + 1) &&
		    (cmd_arg_copy(req, k + 1, mask, sizeof(mask)) < 0 ||
		     cmd_radio_number(mask, ULLONG_MAX, &v[k]) < 0))
			return cmd_fail(req, -EINVAL);
	if (i < 0 || (v[0] == 0 && v[1] == 0) || (v[1] != 0 && !p->bandmask_two))
		return cmd_fail(req, -EINVAL); /* unknown RAT, no band, bands the module lacks */
	m->radio->bands[i][0] = v[0];
	m->radio->bands[i][1] = v[1];
	return radio_keep(req, m, &before);
}

/* At boot: +URAT and +UBANDMASK as set become the ones in use; is the cell usable with them? */
static void radio_boot(struct modem *m)
{
	struct cmd_radio_state *r = m->radio;
	const struct netsim_cell *c = netsim_cell(m->net);
	int cell = m->persona->bandmask_cell;
	bool lte = false, band;

	for (int a = 0; a < EDRX_ACTS && m->persona->edrx_urc_volatile; a++)
		if (r->edrx[a].mode == 2)
			r->edrx[a].mode = 1; /* +CEDRXP not requested any more */
	memcpy(r->rat_active, r->rat, sizeof(r->rat));
	memcpy(r->bands_active, r->bands, sizeof(r->bands));
	for (int i = 0; i < PERSONA_RATS_MAX && r->rat[i] >= 0; i++)
		lte = lte || r->rat[i] == m->persona->rat_lte;
	band = !m->persona->has_bandmask || c->band > 128 ||
	       (c->band <= 64 ? (r->bands[cell][0] >> (c->band - 1)) & 1
			      : (r->bands[cell][1] >> (c->band - 65)) & 1);
	netsim_set_usable(m->net, lte && band);
	if (!(lte && band))
		log_info("+URAT/+UBANDMASK exclude the simulated cell: no service");
}

/* ---- +CPSMS ---- */

/* 27.007 7.38. Read back as set; mode 2 discards and restores the factory values. */
static enum at_rc handle_cpsms(struct at_req *req)
{
	struct modem *m = at_req_ctx(req);
	struct cmd_radio_state *r = m->radio;
	char tau[sizeof(r->cpsms_tau)], act[sizeof(r->cpsms_active)];
	long mode = at_arg_int(req, 0);
	struct cmd_radio_state before = *r;

	if (at_req_op(req) == AT_OP_READ) {
		cmd_reply(req, "+CPSMS", "%d,,,\"%s\",\"%s\"", r->cpsms_mode, r->cpsms_tau,
			  r->cpsms_active);
		return AT_RC_OK;
	}
	if ((at_arg_present(req, 3) &&
	     (cmd_arg_copy(req, 3, tau, sizeof(tau)) < 0 || !cmd_radio_is_bits(tau, 8))) ||
	    (at_arg_present(req, 4) &&
	     (cmd_arg_copy(req, 4, act, sizeof(act)) < 0 || !cmd_radio_is_bits(act, 8))))
		return cmd_fail(req, -EINVAL);
	if (mode == 2) {
		cmd_radio_cpsms_factory(r);
	} else {
		r->cpsms_mode = (int)mode;
		if (at_arg_present(req, 3))
			memcpy(r->cpsms_tau, tau, sizeof(tau));
		if (at_arg_present(req, 4))
			memcpy(r->cpsms_active, act, sizeof(act));
	}
	return radio_keep(req, m, &before);
}

/* ---- +CSGT ---- */

static enum at_rc handle_csgt(struct at_req *req)
{
	struct modem *m = at_req_ctx(req);
	struct cmd_radio_state *r = m->radio;
	char text[CSGT_TEXT_MAX + 1];
	struct cmd_radio_state before = *r;

	if (at_req_op(req) == AT_OP_READ) {
		cmd_reply(req, "+CSGT", "\"%s\",%d", r->csgt_text, r->csgt_mode);
		return AT_RC_OK;
	}
	if (at_arg_present(req, 1)) {
		if (cmd_arg_copy(req, 1, text, sizeof(text)) < 0)
			return cmd_fail(req, -E2BIG);
		for (const char *c = text; *c != '\0'; c++)
			if (*c < 0x20 || *c > 0x7e)
				return cmd_fail(req, -EILSEQ);
		memcpy(r->csgt_text, text, sizeof(text));
	}
	r->csgt_mode = (int)at_arg_int(req, 0);
	return radio_keep(req, m, &before);
}

/* ---- table and hooks ---- */

static const struct at_param ucged_params[] = {
	{ "mode", AT_P_INT, 0, 0, 31, 0, NULL },
};
static const struct at_param cpsms_params[] = {
	{ "mode", AT_P_INT, AT_PF_OPTIONAL, 0, 2, 0, NULL },
	{ "rau", AT_P_STR, AT_PF_OPTIONAL, 0, 8, 0, NULL },
	{ "gprs_ready", AT_P_STR, AT_PF_OPTIONAL, 0, 8, 0, NULL },
	{ "tau", AT_P_STR, AT_PF_OPTIONAL, 8, 8, 0, NULL },
	{ "active_time", AT_P_STR, AT_PF_OPTIONAL, 8, 8, 0, NULL },
};
static const struct at_param csgt_params[] = {
	{ "mode", AT_P_INT, 0, 0, 1, 0, NULL },
	{ "text", AT_P_STR, AT_PF_OPTIONAL, 0, 255, 0, NULL },
};
static const struct at_param cscon_params[] = {
	{ "n", AT_P_INT, AT_PF_OPTIONAL, 0, 3, 0, NULL },
};
static const struct at_param ugcntset_params[] = {
	{ "cid", AT_P_INT, 0, 1, NETSIM_CID_MAX, 0, NULL },
	{ "total_sent", AT_P_INT, 0, 0, UINT32_MAX, 0, NULL },
	{ "total_received", AT_P_INT, 0, 0, UINT32_MAX, 0, NULL },
};
static const struct at_param cedrxs_params[] = {
	{ "mode", AT_P_INT, AT_PF_OPTIONAL, 0, 3, 0, NULL },
	{ "AcT-type", AT_P_INT, AT_PF_OPTIONAL, 0, 7, 0, NULL },
	{ "Requested_eDRX_value", AT_P_STR, AT_PF_OPTIONAL, 4, 4, 0, NULL },
	{ "Requested_paging_time_window", AT_P_STR, AT_PF_OPTIONAL, 4, 4, 0, NULL },
};
static const struct at_param urat_params[] = {
	{ "SelectedAcT", AT_P_INT, 0, 0, 31, 0, NULL },
	{ "PreferredAcT", AT_P_INT, AT_PF_OPTIONAL, 0, 31, 0, NULL },
	{ "ThirdAcT", AT_P_INT, AT_PF_OPTIONAL, 0, 31, 0, NULL },
};
static const struct at_param ubandmask_params[] = {
	{ "rat", AT_P_INT, 0, 0, 3, 0, NULL },
	{ "bandmask1", AT_P_ANY, 0, 0, 0, 0, NULL },
	{ "bandmask2", AT_P_ANY, AT_PF_OPTIONAL, 0, 0, 0, NULL },
};

#define RW (AT_OP_SET | AT_OP_READ | AT_OP_TEST)

static enum at_rc handle_cedrx_any(struct at_req *req)
{
	return at_req_op(req) == AT_OP_TEST ? handle_cedrxs_test(req) : handle_cedrxs(req);
}

static const struct at_cmd cmds[] = {
	{ "+CEDRXRDP", AT_OP_EXEC | AT_OP_TEST, AT_NO_PARAMS, "", handle_cedrxrdp,
	  "3GPP 27.007 7.41" },
	{ "+CEDRXS", RW, AT_PARAMS(cedrxs_params), NULL, handle_cedrx_any,
	  "3GPP 27.007 7.40; u-blox SARA-R5 <Requested_paging_time_window>" },
	{ "+CPSMS", RW, AT_PARAMS(cpsms_params),
	  "+CPSMS: (0-2),,,(\"00000000\"-\"11111111\"),(\"00000000\"-\"11111111\")", handle_cpsms,
	  "3GPP 27.007 7.38" },
	{ "+CSCON", RW, AT_PARAMS(cscon_params), "+CSCON: (0-3)", handle_cscon,
	  "3GPP 27.007 10.1.30" },
	{ "+CSGT", RW, AT_PARAMS(csgt_params), "+CSGT: (0-1),49", handle_csgt,
	  "u-blox AT manuals +CSGT; ubxlib uCellCfgSetGreeting/GetGreeting" },
	{ "+UBANDMASK", RW, AT_PARAMS(ubandmask_params), NULL, handle_ubandmask,
	  "u-blox AT manuals +UBANDMASK" },
	{ "+UCGED", RW, AT_PARAMS(ucged_params), NULL, handle_ucged,
	  "u-blox AT manuals +UCGED (per series); ubxlib u_cell_info.c" },
	{ "+UGCNTRD", AT_OP_EXEC | AT_OP_TEST, AT_NO_PARAMS, "", handle_ugcntrd,
	  "u-blox AT manuals +UGCNTRD" },
	{ "+UGCNTSET", AT_OP_SET | AT_OP_TEST, AT_PARAMS(ugcntset_params),
	  "+UGCNTSET: (1-8),(0-4294967295),(0-4294967295)", handle_ugcntset,
	  "u-blox AT manuals +UGCNTSET" },
	{ "+URAT", RW, AT_PARAMS(urat_params), NULL, handle_urat, "u-blox AT manuals +URAT" },
};

static const struct at_cmd_group group = { cmds, ARRAY_LEN(cmds) };

static int radio_init(struct modem *m)
{
	const uint8_t *data;
	size_t len;
	int rc = 0;

	m->radio = calloc(1, sizeof(*m->radio));
	if (m->radio == NULL)
		return -ENOMEM;
	radio_factory(m);
	if (m->sec != NULL && m->sec->nvm != NULL &&
	    nvm_get(m->sec->nvm, "radio", &data, &len) == 0)
		rc = cmd_radio_parse(m->radio, data, len);
	if (rc < 0)
		log_error("NVM section \"radio\" is corrupt; refusing to start, file left as is");
	else
		radio_boot(m);
	return rc;
}

static void radio_finish(struct modem *m)
{
	free(m->radio);
	m->radio = NULL;
}

static void radio_reset(struct modem *m, bool reboot)
{
	if (!reboot)
		return;
	m->radio->ucged_mode = 0;
	m->radio->cscon_n = 0;
	radio_boot(m);
}

static void radio_net_event(struct modem *m, enum netsim_event ev, int arg, bool by_network)
{
	char body[16];

	(void)by_network;
	if (m->radio == NULL)
		return;
	if (ev == NETSIM_EV_RRC && m->radio->cscon_n > 0) {
		cscon_body(m, m->radio->cscon_n, body, sizeof(body));
		modem_urc(m, "+CSCON", "%s", body);
	}
	if (ev == NETSIM_EV_REG && arg == NETSIM_REG_HOME)
		for (int a = 0; a < EDRX_ACTS; a++)
			edrx_urc(m, a); /* the grant comes with the attach */
}

/* The greeting text, alone on a line, when the module answers after power-on or a reboot. */
static void radio_boot_text(struct modem *m)
{
	if (m->radio != NULL && m->radio->csgt_mode == 1 && m->radio->csgt_text[0] != '\0')
		modem_urc(m, NULL, "%s", m->radio->csgt_text);
}

const struct cmd_module cmd_radio_module = {
	.name = "radio",
	.group = &group,
	.init = radio_init,
	.finish = radio_finish,
	.reset = radio_reset,
	.net_event = radio_net_event,
	.boot = radio_boot_text,
};
