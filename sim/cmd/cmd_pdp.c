/* SPDX-License-Identifier: Apache-2.0 */
/*
 * PDP contexts and the u-blox internal PSD profiles: +CGDCONT +UAUTHREQ +CGACT +CGPADDR
 * +CGCONTRDP +UPSD +UPSDA, and +UUPSDD when the network drops a mapped context.
 */
#define LOG_MODULE "cmd"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "log.h"
#include "modem.h"
#include "persona.h"

#define PSD_TAG_CID 100

static enum at_rc cgdcont_read(struct at_req *req, struct modem *m)
{
	for (int cid = 1; cid <= NETSIM_CID_MAX; cid++) {
		char addr[16] = "0.0.0.0";

		if (!m->pdp[cid].defined)
			continue;
		netsim_pdp_addr(m->net, cid, addr, sizeof(addr));
		cmd_reply(req, "+CGDCONT", "%d,\"%s\",\"%s\",\"%s\",0,0,0,0", cid, m->pdp[cid].type,
			  m->pdp[cid].apn, addr);
	}
	return AT_RC_OK;
}

static enum at_rc handle_cgdcont(struct at_req *req)
{
	struct modem *m = at_req_ctx(req);
	struct modem_pdp pdp = { .defined = true, .type = "IP" };
	int cid;

	if (at_req_op(req) == AT_OP_READ)
		return cgdcont_read(req, m);
	cid = (int)at_arg_int(req, 0);
	if (netsim_pdp_is_active(m->net, cid))
		return cmd_fail(req, -EPERM);
	if (at_arg_count(req) == 1) {
		m->pdp[cid] = (struct modem_pdp){ 0 };
		netsim_pdp_define(m->net, cid, NULL);
		return AT_RC_OK;
	}
	if (cmd_arg_copy(req, 1, pdp.type, sizeof(pdp.type)) < 0 ||
	    cmd_arg_copy(req, 2, pdp.apn, sizeof(pdp.apn)) < 0)
		return cmd_fail(req, -EINVAL);
	if (pdp.type[0] == '\0')
		memcpy(pdp.type, "IP", 3);
	pdp.auth = m->pdp[cid].auth;
	memcpy(pdp.user, m->pdp[cid].user, sizeof(pdp.user));
	memcpy(pdp.pwd, m->pdp[cid].pwd, sizeof(pdp.pwd));
	m->pdp[cid] = pdp;
	netsim_pdp_define(m->net, cid, pdp.apn); /* the network checks it at activation */
	return AT_RC_OK;
}

/* +UAUTHREQ=<cid>,<auth>[,<a>,<b>]: a/b are user/password, reversed on SARA-R4 and LARA-R6. */
static enum at_rc handle_uauthreq(struct at_req *req)
{
	struct modem *m = at_req_ctx(req);
	struct modem_pdp *p = &m->pdp[at_arg_int(req, 0)];
	size_t user = m->persona->uauthreq_pwd_first ? 3 : 2;
	size_t pwd = m->persona->uauthreq_pwd_first ? 2 : 3;
	char u[sizeof(p->user)], w[sizeof(p->pwd)];
	enum at_rc rc = AT_RC_OK;

	if (cmd_arg_copy(req, user, u, sizeof(u)) < 0 || cmd_arg_copy(req, pwd, w, sizeof(w)) < 0) {
		rc = cmd_fail(req, -EINVAL);
		goto out;
	}
	p->auth = (int)at_arg_int(req, 1);
	memcpy(p->user, u, sizeof(u));
	memcpy(p->pwd, w, sizeof(w));
out:
	memset(w, 0, sizeof(w));
	return rc;
}

static enum at_rc handle_cgact(struct at_req *req)
{
	struct modem *m = at_req_ctx(req);
	bool on;

	if (at_req_op(req) == AT_OP_READ) {
		for (int cid = 1; cid <= NETSIM_CID_MAX; cid++)
			if (m->pdp[cid].defined)
				cmd_reply(req, "+CGACT", "%d,%d", cid,
					  netsim_pdp_is_active(m->net, cid) ? 1 : 0);
		return AT_RC_OK;
	}
	on = at_arg_int(req, 0) == 1;
	for (int cid = 1; cid <= NETSIM_CID_MAX; cid++) {
		bool listed = at_arg_count(req) < 2;
		int rc;

		for (size_t i = 1; i < at_arg_count(req); i++)
			listed = listed || at_arg_int(req, i) == cid;
		if (!listed || (!m->pdp[cid].defined && at_arg_count(req) < 2))
			continue;
		if (on && !m->pdp[cid].defined)
			return cmd_fail(req, -EPERM);
		rc = netsim_pdp_set(m->net, cid, on);
		if (rc < 0)
			return cmd_fail(req, rc);
	}
	return AT_RC_OK;
}

static bool cid_selected(const struct at_req *req, const struct modem *m, int cid)
{
	if (at_req_op(req) != AT_OP_SET || at_arg_count(req) == 0)
		return m->pdp[cid].defined;
	for (size_t i = 0; i < at_arg_count(req); i++)
		if (at_arg_int(req, i) == cid)
			return true;
	return false;
}

static enum at_rc handle_cgpaddr(struct at_req *req)
{
	struct modem *m = at_req_ctx(req);

	for (int cid = 1; cid <= NETSIM_CID_MAX; cid++) {
		char addr[16];

		if (!cid_selected(req, m, cid))
			continue;
		if (netsim_pdp_addr(m->net, cid, addr, sizeof(addr)) == 0)
			cmd_reply(req, "+CGPADDR", "%d,\"%s\"", cid, addr);
		else
			cmd_reply(req, "+CGPADDR", "%d", cid);
	}
	return AT_RC_OK;
}

static enum at_rc handle_cgcontrdp(struct at_req *req)
{
	struct modem *m = at_req_ctx(req);

	for (int cid = 1; cid <= NETSIM_CID_MAX; cid++) {
		char addr[16];

		if (!cid_selected(req, m, cid) ||
		    netsim_pdp_addr(m->net, cid, addr, sizeof(addr)) < 0)
			continue;
		cmd_reply(
			req, "+CGCONTRDP",
			"%d,%d,\"%s\",\"%s.255.255.255.0\",\"10.64.0.1\",\"10.64.0.1\",\"0.0.0.0\"",
			cid, 4 + cid,
			m->pdp[cid].apn[0] != '\0' ? m->pdp[cid].apn : netsim_default_apn(m->net),
			addr);
	}
	return AT_RC_OK;
}

static struct modem_psd_tag *psd_find(struct modem_psd *p, int tag)
{
	for (size_t i = 0; i < p->n_tags; i++)
		if (p->tags[i].tag == tag)
			return &p->tags[i];
	return NULL;
}

static int psd_cid(struct modem_psd *p)
{
	struct modem_psd_tag *t = psd_find(p, PSD_TAG_CID);

	return t != NULL ? (int)strtol(t->value, NULL, 10) : 1;
}

static void psd_reply(struct at_req *req, int profile, const struct modem_psd_tag *t)
{
	const char *q = t->quoted ? "\"" : "";

	cmd_reply(req, "+UPSD", "%d,%d,%s%s%s", profile, t->tag, q, t->value, q);
}

static int psd_store(struct at_req *req, struct modem_psd *p, int tag)
{
	struct modem_psd_tag *t = psd_find(p, tag);
	long v = 0;

	if ((tag == 0 || tag == 6 || tag == PSD_TAG_CID) && cmd_arg_long(req, 2, &v) < 0)
		return -EINVAL;
	if ((tag == 0 && (v < 0 || v > 3)) || (tag == PSD_TAG_CID && (v < 0 || v > 8)))
		return -EINVAL;
	if (t == NULL) {
		if (p->n_tags == MODEM_PSD_TAGS)
			return -ENOSPC;
		t = &p->tags[p->n_tags++];
		t->tag = tag;
	}
	t->quoted = at_arg_quoted(req, 2);
	return cmd_arg_copy(req, 2, t->value, sizeof(t->value));
}

/* Profile i, allocating the profiles at their first use (modem.h). NULL: out of memory. */
static struct modem_psd *psd_profile(struct modem *m, int i)
{
	if (m->psd == NULL)
		m->psd = calloc(MODEM_PSD_PROFILES, sizeof(*m->psd));
	return m->psd != NULL ? &m->psd[i] : NULL;
}

static enum at_rc handle_upsd(struct at_req *req)
{
	struct modem *m = at_req_ctx(req);
	int profile = (int)at_arg_int(req, 0), tag = (int)at_arg_int(req, 1);
	struct modem_psd *p;
	int rc;

	if (!m->persona->has_upsd)
		return cmd_fail(req, -EOPNOTSUPP);
	p = psd_profile(m, profile);
	if (p == NULL)
		return cmd_fail(req, -ENOMEM);
	if (at_arg_count(req) == 1) {
		for (size_t i = 0; i < p->n_tags; i++)
			psd_reply(req, profile, &p->tags[i]);
		return AT_RC_OK;
	}
	if (at_arg_count(req) == 2) {
		struct modem_psd_tag *t = psd_find(p, tag);

		if (t != NULL)
			psd_reply(req, profile, t);
		else
			cmd_reply(req, "+UPSD", "%d,%d,%s", profile, tag,
				  tag == 0 || tag == 6 || tag == PSD_TAG_CID ? "0" : "\"\"");
		return AT_RC_OK;
	}
	rc = psd_store(req, p, tag);
	return rc < 0 ? cmd_fail(req, rc) : AT_RC_OK;
}

static enum at_rc handle_upsda(struct at_req *req)
{
	struct modem *m = at_req_ctx(req);
	int profile = (int)at_arg_int(req, 0), action = (int)at_arg_int(req, 1);
	struct modem_psd *p;
	char addr[16];
	int rc;

	if (!m->persona->has_upsda)
		return cmd_fail(req, -EOPNOTSUPP);
	p = psd_profile(m, profile);
	if (p == NULL)
		return cmd_fail(req, -ENOMEM);
	if (action == 0)
		*p = (struct modem_psd){ 0 };
	if (action == 4)
		p->active = false;
	if (action != 3)
		return AT_RC_OK;
	rc = netsim_pdp_set(m->net, psd_cid(p), true);
	if (rc < 0)
		return cmd_fail(req, rc == -ENETDOWN ? -EPERM : rc);
	p->active = true;
	netsim_pdp_addr(m->net, psd_cid(p), addr, sizeof(addr));
	modem_urc(m, "+UUPSDA", "0,\"%s\"", addr);
	return AT_RC_OK;
}

static void handle_net_event(struct modem *m, enum netsim_event ev, int arg, bool by_network)
{
	if (ev != NETSIM_EV_PDP_DOWN)
		return;
	for (int i = 0; m->psd != NULL && i < MODEM_PSD_PROFILES; i++) {
		if (!m->psd[i].active || psd_cid(&m->psd[i]) != arg)
			continue;
		m->psd[i].active = false;
		if (by_network)
			modem_urc(m, "+UUPSDD", "%d", i);
	}
}

static const struct at_param cgdcont_params[] = {
	{ "cid", AT_P_INT, 0, 1, NETSIM_CID_MAX, 0, NULL },
	{ "PDP_type", AT_P_STR, AT_PF_OPTIONAL | AT_PF_BARE_OK, 0, 7, 0, NULL },
	{ "APN", AT_P_STR, AT_PF_OPTIONAL, 0, MODEM_APN_MAX, 0, NULL },
	{ "PDP_addr", AT_P_ANY, AT_PF_OPTIONAL, 0, 0, 0, NULL },
	{ "d_comp", AT_P_INT, AT_PF_OPTIONAL, 0, 3, 0, NULL },
	{ "h_comp", AT_P_INT, AT_PF_OPTIONAL, 0, 4, 0, NULL },
	{ "IPv4AddrAlloc", AT_P_INT, AT_PF_OPTIONAL, 0, 1, 0, NULL },
	{ "request_type", AT_P_INT, AT_PF_OPTIONAL, 0, 3, 0, NULL },
};
static const struct at_param uauthreq_params[] = {
	{ "cid", AT_P_INT, 0, 1, NETSIM_CID_MAX, 0, NULL },
	{ "auth_type", AT_P_INT, 0, 0, 3, 0, NULL },
	{ "user_or_pwd", AT_P_STR, AT_PF_OPTIONAL, 0, MODEM_AUTH_MAX, 0, NULL },
	{ "pwd_or_user", AT_P_STR, AT_PF_OPTIONAL, 0, MODEM_AUTH_MAX, 0, NULL },
};
#define CID_PARAM(name)                                                                            \
	{                                                                                          \
		name, AT_P_INT, AT_PF_OPTIONAL, 1, NETSIM_CID_MAX, 0, NULL                         \
	}
static const struct at_param cgact_params[] = {
	{ "state", AT_P_INT, 0, 0, 1, 0, NULL },
	CID_PARAM("cid"),
	CID_PARAM("cid"),
	CID_PARAM("cid"),
	CID_PARAM("cid"),
	CID_PARAM("cid"),
	CID_PARAM("cid"),
	CID_PARAM("cid"),
	CID_PARAM("cid"),
};
static const struct at_param cid_list_params[] = {
	CID_PARAM("cid"), CID_PARAM("cid"), CID_PARAM("cid"), CID_PARAM("cid"),
	CID_PARAM("cid"), CID_PARAM("cid"), CID_PARAM("cid"), CID_PARAM("cid"),
};
static const struct at_param upsd_params[] = {
	{ "profile_id", AT_P_INT, 0, 0, MODEM_PSD_PROFILES - 1, 0, NULL },
	{ "param_tag", AT_P_INT, AT_PF_OPTIONAL, 0, PSD_TAG_CID, 0, NULL },
	{ "param_val", AT_P_ANY, AT_PF_OPTIONAL, 0, 0, 0, NULL },
};
static const struct at_param upsda_params[] = {
	{ "profile_id", AT_P_INT, 0, 0, MODEM_PSD_PROFILES - 1, 0, NULL },
	{ "action", AT_P_INT, 0, 0, 4, 0, NULL },
};

static const struct at_cmd cmds[] = {
	{ "+CGACT", AT_OP_SET | AT_OP_READ | AT_OP_TEST, AT_PARAMS(cgact_params), "+CGACT: (0-1)",
	  handle_cgact, "3GPP 27.007 10.1.10" },
	{ "+CGCONTRDP", AT_OP_EXEC | AT_OP_SET | AT_OP_TEST, AT_PARAMS(cid_list_params),
	  "+CGCONTRDP: (1-8)", handle_cgcontrdp, "3GPP 27.007 10.1.23" },
	{ "+CGDCONT", AT_OP_SET | AT_OP_READ | AT_OP_TEST, AT_PARAMS(cgdcont_params),
	  "+CGDCONT: (1-8),\"IP\",,,(0),(0)", handle_cgdcont, "3GPP 27.007 10.1.1" },
	{ "+CGPADDR", AT_OP_EXEC | AT_OP_SET | AT_OP_TEST, AT_PARAMS(cid_list_params),
	  "+CGPADDR: (1-8)", handle_cgpaddr, "3GPP 27.007 10.1.14" },
	{ "+UAUTHREQ", AT_OP_SET | AT_OP_TEST, AT_PARAMS(uauthreq_params),
	  "+UAUTHREQ: (1-8),(0-3),,", handle_uauthreq, "u-blox AT manual +UAUTHREQ" },
	{ "+UPSD", AT_OP_SET | AT_OP_TEST, AT_PARAMS(upsd_params), "", handle_upsd,
	  "u-blox AT manual +UPSD" },
	{ "+UPSDA", AT_OP_SET | AT_OP_TEST, AT_PARAMS(upsda_params), "+UPSDA: (0-6),(0-4)",
	  handle_upsda, "u-blox AT manual +UPSDA" },
};

static const struct at_cmd_group group = { cmds, ARRAY_LEN(cmds) };

const struct cmd_module cmd_pdp_module = {
	.name = "pdp",
	.group = &group,
	.net_event = handle_net_event,
};
