/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Functionality and registration: +CFUN +CSQ +CESQ +CREG +CGREG +CEREG +COPS +CGATT +CEER
 * +CGEREP, and the URCs for network events (+CREG/+CGREG/+CEREG per <n>, +CGEV).
 */
#define LOG_MODULE "cmd"
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "cmd.h"
#include "log.h"
#include "modem.h"
#include "persona.h"

/* The simulated cell (LTE Cat-M1): netsim_cell(); the RAC is shown by +CGREG only. */
#define SIM_RAC  "01"
#define SIM_PLMN "00101"

static const char *const reg_names[MODEM_REG_CMDS] = { "+CREG", "+CGREG", "+CEREG" };
static const char *const oper_names[] = { "UKMS Sim", "UKMS", SIM_PLMN };

/*
 * Body of a +CxREG line for mode n: "[<n>,]<stat>[,"<lac|tac>","<ci>",<AcT>[,"<rac>"]]".
 * Location is shown for n >= 2 while registered. n = 3/4 add reject causes / PSM timers only
 * when a registration is rejected / PSM is granted, which the simulator never does.
 */
static int reg_body(const struct modem *m, enum modem_reg_cmd which, bool with_n, char *out,
		    size_t cap)
{
	int n = m->set.reg_n[which];
	enum netsim_reg stat = netsim_reg(m->net);
	const struct netsim_cell *cell = netsim_cell(m->net);
	struct buf b;
	int rc;

	buf_init(&b, cap - 1);
	rc = with_n ? buf_appendf(&b, "%d,%d", n, (int)stat) : buf_appendf(&b, "%d", (int)stat);
	if (rc == 0 && n >= 2 && netsim_is_registered(m->net))
		rc = buf_appendf(&b, ",\"%04X\",\"%08" PRIX32 "\",%d", cell->tac, cell->ci,
				 cell->act);
	if (rc == 0 && n >= 2 && netsim_is_registered(m->net) && which == MODEM_CGREG)
		rc = buf_appendf(&b, ",\"%s\"", SIM_RAC);
	if (rc == 0)
		memcpy(out, buf_cstr(&b), b.len + 1);
	buf_finish(&b);
	return rc;
}

static enum at_rc handle_reg(struct at_req *req)
{
	struct modem *m = at_req_ctx(req);
	const char *name = at_req_cmd(req)->name;
	enum modem_reg_cmd which = name[2] == 'E'   ? MODEM_CEREG
				   : name[2] == 'G' ? MODEM_CGREG
						    : MODEM_CREG;
	char body[96];

	if (at_req_op(req) == AT_OP_SET) {
		m->set.reg_n[which] = (int)at_arg_int(req, 0);
		return AT_RC_OK;
	}
	if (reg_body(m, which, true, body, sizeof(body)) < 0)
		return cmd_fail(req, -ENOSPC);
	cmd_reply(req, name, "%s", body);
	return AT_RC_OK;
}

static void reg_urcs(struct modem *m)
{
	char body[96];

	for (int i = 0; i < MODEM_REG_CMDS; i++)
		if (m->set.reg_n[i] > 0 &&
		    reg_body(m, (enum modem_reg_cmd)i, false, body, sizeof(body)) == 0)
			modem_urc(m, reg_names[i], "%s", body);
}

/* +CGEV only for what the host did not ask for (docs/at-commands.md, Network). */
static void cgev_urc(struct modem *m, enum netsim_event ev, int arg, bool by_network)
{
	if (m->set.cgerep_mode == 0 || !by_network)
		return;
	if (ev == NETSIM_EV_PDP_UP)
		modem_urc(m, "+CGEV", "ME PDN ACT %d", arg);
	else if (ev == NETSIM_EV_PDP_DOWN)
		modem_urc(m, "+CGEV", "NW PDN DEACT %d", arg);
	else if (ev == NETSIM_EV_DETACH)
		modem_urc(m, "+CGEV", "NW DETACH");
}

static void handle_net_event(struct modem *m, enum netsim_event ev, int arg, bool by_network)
{
	if (ev == NETSIM_EV_REG)
		reg_urcs(m);
	else
		cgev_urc(m, ev, arg, by_network);
}

static enum at_rc handle_cfun(struct at_req *req)
{
	struct modem *m = at_req_ctx(req);
	long fun;
	int rc;

	if (at_req_op(req) == AT_OP_READ) {
		cmd_reply(req, "+CFUN", "%d,0", netsim_fun(m->net));
		return AT_RC_OK;
	}
	fun = at_arg_int(req, 0);
	if (fun == 15 || fun == 16) {
		modem_reboot(m);
		return AT_RC_OK;
	}
	rc = netsim_set_fun(m->net, (int)fun);
	if (rc < 0)
		return cmd_fail(req, rc);
	if (at_arg_int(req, 1) == 1)
		modem_reboot(m);
	return AT_RC_OK;
}

static enum at_rc handle_csq(struct at_req *req)
{
	struct modem *m = at_req_ctx(req);
	const struct netsim_cell *c = netsim_cell(m->net);
	bool reg = netsim_is_registered(m->net);

	if (strcmp(at_req_cmd(req)->name, "+CSQ") == 0)
		cmd_reply(req, "+CSQ", "%d,99", reg ? netsim_cell_csq(c) : 99);
	else
		cmd_reply(req, "+CESQ", "99,99,255,255,%d,%d",
			  reg ? netsim_cell_rsrq_index(c) : 255,
			  reg ? netsim_cell_rsrp_index(c) : 255);
	return AT_RC_OK;
}

static enum at_rc cops_read(struct at_req *req, struct modem *m)
{
	int mode = netsim_cops(m->net);

	if (!netsim_is_registered(m->net)) {
		cmd_reply(req, "+COPS", "%d", mode);
		return AT_RC_OK;
	}
	cmd_reply(req, "+COPS", "%d,%d,\"%s\",%d", mode, m->set.cops_format,
		  oper_names[m->set.cops_format], netsim_cell(m->net)->act);
	return AT_RC_OK;
}

static enum at_rc handle_cops(struct at_req *req)
{
	struct modem *m = at_req_ctx(req);
	long mode;
	int rc;

	if (at_req_op(req) == AT_OP_READ)
		return cops_read(req, m);
	mode = at_arg_int(req, 0);
	if (at_arg_present(req, 1))
		m->set.cops_format = (int)at_arg_int(req, 1);
	if (mode == 3)
		return AT_RC_OK;
	if (mode == 1 && !at_arg_present(req, 2))
		return cmd_fail(req, -EINVAL);
	rc = netsim_set_cops(m->net, mode == 4 ? 0 : (int)mode);
	return rc < 0 ? cmd_fail(req, rc) : AT_RC_OK;
}

static enum at_rc handle_cgatt(struct at_req *req)
{
	struct modem *m = at_req_ctx(req);
	int rc;

	if (at_req_op(req) == AT_OP_READ) {
		cmd_reply(req, "+CGATT", "%d", netsim_is_attached(m->net) ? 1 : 0);
		return AT_RC_OK;
	}
	rc = netsim_set_attach(m->net, at_arg_int(req, 0) == 1);
	return rc < 0 ? cmd_fail(req, rc) : AT_RC_OK;
}

/* The last failed PDN connection's ESM cause (3GPP 24.301 9.9.4.4), else no EMM cause. */
static enum at_rc handle_ceer(struct at_req *req)
{
	struct modem *m = at_req_ctx(req);

	if (netsim_esm_cause(m->net) == NETSIM_ESM_UNKNOWN_APN)
		cmd_reply(req, "+CEER", "\"ESM cause\",%d,\"Missing or unknown APN\"",
			  NETSIM_ESM_UNKNOWN_APN);
	else
		cmd_reply(req, "+CEER", "\"EMM cause\",0,\"No cause information available\"");
	return AT_RC_OK;
}

static enum at_rc handle_cgerep(struct at_req *req)
{
	struct modem *m = at_req_ctx(req);

	if (at_req_op(req) == AT_OP_READ) {
		cmd_reply(req, "+CGEREP", "%d,%d", m->set.cgerep_mode, m->set.cgerep_bfr);
		return AT_RC_OK;
	}
	m->set.cgerep_mode = (int)at_arg_int(req, 0);
	m->set.cgerep_bfr = (int)at_arg_int(req, 1);
	return AT_RC_OK;
}

static const long cfun_values[] = { 0, 1, 4, 15, 16, 19, LONG_MIN };

static const struct at_param cfun_params[] = {
	{ "fun", AT_P_ENUM, 0, 0, 0, 0, cfun_values },
	{ "rst", AT_P_INT, AT_PF_OPTIONAL, 0, 1, 0, NULL },
};
static const struct at_param creg_params[] = {
	{ "n", AT_P_INT, AT_PF_OPTIONAL, 0, 3, 0, NULL },
};
static const struct at_param cgreg_params[] = {
	{ "n", AT_P_INT, AT_PF_OPTIONAL, 0, 2, 0, NULL },
};
static const struct at_param cereg_params[] = {
	{ "n", AT_P_INT, AT_PF_OPTIONAL, 0, 4, 0, NULL },
};
static const struct at_param cops_params[] = {
	{ "mode", AT_P_INT, 0, 0, 4, 0, NULL },
	{ "format", AT_P_INT, AT_PF_OPTIONAL, 0, 2, 0, NULL },
	{ "oper", AT_P_STR, AT_PF_OPTIONAL | AT_PF_BARE_OK, 0, 24, 0, NULL },
	{ "AcT", AT_P_INT, AT_PF_OPTIONAL, 0, 9, 7, NULL },
};
static const struct at_param cgatt_params[] = {
	{ "state", AT_P_INT, 0, 0, 1, 0, NULL },
};
static const struct at_param cgerep_params[] = {
	{ "mode", AT_P_INT, AT_PF_OPTIONAL, 0, 1, 0, NULL },
	{ "bfr", AT_P_INT, AT_PF_OPTIONAL, 0, 0, 0, NULL },
};

#define RW (AT_OP_SET | AT_OP_READ | AT_OP_TEST)

static const struct at_cmd cmds[] = {
	{ "+CEER", AT_OP_EXEC | AT_OP_TEST, AT_NO_PARAMS, "", handle_ceer, "3GPP 27.007 6.10" },
	{ "+CEREG", RW, AT_PARAMS(cereg_params), "+CEREG: (0-4)", handle_reg,
	  "3GPP 27.007 10.1.22" },
	{ "+CESQ", AT_OP_EXEC | AT_OP_TEST, AT_NO_PARAMS,
	  "+CESQ: (0-63,99),(0-7,99),(0-96,255),(0-49,255),(0-34,255),(0-97,255)", handle_csq,
	  "3GPP 27.007 8.69" },
	{ "+CFUN", RW, AT_PARAMS(cfun_params), "+CFUN: (0,1,4,15,16,19),(0-1)", handle_cfun,
	  "3GPP 27.007 8.2; u-blox AT manual +CFUN" },
	{ "+CGATT", RW, AT_PARAMS(cgatt_params), "+CGATT: (0-1)", handle_cgatt,
	  "3GPP 27.007 10.1.9" },
	{ "+CGEREP", RW, AT_PARAMS(cgerep_params), "+CGEREP: (0-1),(0)", handle_cgerep,
	  "3GPP 27.007 10.1.18" },
	{ "+CGREG", RW, AT_PARAMS(cgreg_params), "+CGREG: (0-2)", handle_reg,
	  "3GPP 27.007 10.1.20" },
	{ "+COPS", RW, AT_PARAMS(cops_params),
	  "+COPS: (2,\"UKMS Sim\",\"UKMS\",\"00101\",7),,(0-4),(0-2)", handle_cops,
	  "3GPP 27.007 7.3" },
	{ "+CREG", RW, AT_PARAMS(creg_params), "+CREG: (0-3)", handle_reg, "3GPP 27.007 7.2" },
	{ "+CSQ", AT_OP_EXEC | AT_OP_TEST, AT_NO_PARAMS, "+CSQ: (0-31,99),(0-7,99)", handle_csq,
	  "3GPP 27.007 8.5" },
};

static const struct at_cmd_group group = { cmds, ARRAY_LEN(cmds) };

const struct cmd_module cmd_network_module = {
	.name = "network",
	.group = &group,
	.net_event = handle_net_event,
};
