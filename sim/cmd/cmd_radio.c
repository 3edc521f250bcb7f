/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Radio information and configuration (issue 10): +UCGED, +CSCON, +UGCNTRD, +UGCNTSET,
 * +CEDRXS, +CEDRXRDP, +URAT, +UBANDMASK, AT&V, +CSGT.
 *
 * What differs per module is data in the persona table (sim/persona.c); every radio value
 * comes from the simulated network's cell (netsim_cell), so +UCGED agrees with +CSQ, +CESQ,
 * +COPS? and +CEREG. Settings the module keeps in its NVM (+CEDRXS, +URAT, +UBANDMASK, +CSGT)
 * form the "radio" NVM section; +URAT and +UBANDMASK take effect at the next boot.
 */
#define LOG_MODULE "cmd"
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "log.h"
#include "modem.h"
#include "persona.h"
#include "rot/platform.h"

struct cmd_radio_state {
	int ucged_mode; /* +UCGED=<mode>; not kept over a reboot */
};

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

/* ---- table and hooks ---- */

static const struct at_param ucged_params[] = {
	{ "mode", AT_P_INT, 0, 0, 31, 0, NULL },
};

static const struct at_cmd cmds[] = {
	{ "+UCGED", AT_OP_SET | AT_OP_READ | AT_OP_TEST, AT_PARAMS(ucged_params), NULL,
	  handle_ucged, "u-blox AT manuals +UCGED (per series); ubxlib u_cell_info.c" },
};

static const struct at_cmd_group group = { cmds, ARRAY_LEN(cmds) };

static int radio_init(struct modem *m)
{
	m->radio = calloc(1, sizeof(*m->radio));
	return m->radio == NULL ? -ENOMEM : 0;
}

static void radio_finish(struct modem *m)
{
	free(m->radio);
	m->radio = NULL;
}

static void radio_reset(struct modem *m, bool reboot)
{
	if (reboot)
		m->radio->ucged_mode = 0;
}

const struct cmd_module cmd_radio_module = {
	.name = "radio",
	.group = &group,
	.init = radio_init,
	.finish = radio_finish,
	.reset = radio_reset,
};
