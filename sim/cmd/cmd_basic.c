/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Basic commands the engine does not own (I, &C, &D, &K, &W) and the V.24 settings +IPR and
 * +CMEE. E, V, Q, X, Z, &F and S-registers are the engine's (sim/at/at_basic.c).
 */
#define LOG_MODULE "cmd"
#include <errno.h>
#include <limits.h>

#include "cmd.h"
#include "log.h"
#include "modem.h"
#include "persona.h"

static enum at_rc handle_i(struct at_req *req)
{
	struct modem *m = at_req_ctx(req);

	if (at_arg_int(req, 0) == 9) {
		at_reply(req, "%s", m->persona->ati9);
		return AT_RC_OK;
	}
	at_reply(req, "Manufacturer: u-blox");
	at_reply(req, "Model: %s", m->persona->cgmm);
	at_reply(req, "Revision: %s", m->persona->cgmr);
	return AT_RC_OK;
}

static enum at_rc handle_amp(struct at_req *req)
{
	struct modem *m = at_req_ctx(req);
	int v = (int)at_arg_int(req, 0);

	switch (at_req_cmd(req)->name[1]) {
	case 'C':
		m->profile.amp_c = v;
		break;
	case 'D':
		m->profile.amp_d = v;
		break;
	case 'K':
		m->profile.amp_k = v;
		break;
	default:
		break; /* &W: no stored profiles, accepted */
	}
	return AT_RC_OK;
}

static enum at_rc handle_ipr(struct at_req *req)
{
	struct modem *m = at_req_ctx(req);

	if (at_req_op(req) == AT_OP_READ) {
		cmd_reply(req, "+IPR", "%ld", m->set.ipr);
		return AT_RC_OK;
	}
	if (at_req_op(req) == AT_OP_TEST) { /* (autodetectable),(fixed only) */
		cmd_reply(req, "+IPR", "(%s9600,19200,38400,57600,115200),(230400,460800,921600)",
			  m->persona->ipr_autobaud ? "0," : "");
		return AT_RC_OK;
	}
	if (at_arg_int(req, 0) == 0 && !m->persona->ipr_autobaud)
		return cmd_fail(req, -EINVAL); /* SARA-R4/R422: no autobauding */
	m->set.ipr = at_arg_int(req, 0);       /* a pty has no baud rate: remembered only */
	return AT_RC_OK;
}

/* AT&V: the active profile, u-blox layout ("ACTIVE PROFILE:" and one line of settings). */
static enum at_rc handle_amp_v(struct at_req *req)
{
	struct modem *m = at_req_ctx(req);
	struct at_engine *e = at_req_engine(req);
	char engine[256];

	if (at_engine_format_profile(e, engine, sizeof(engine)) < 0)
		return cmd_fail(req, -ENOSPC);
	at_reply(req, "ACTIVE PROFILE:");
	at_reply(req, "&C%d, &D%d, &K%d, %s, +CMEE:%d, +IPR:%ld, +COPS:%d,%d", m->profile.amp_c,
		 m->profile.amp_d, m->profile.amp_k, engine, at_engine_cmee(e), m->set.ipr,
		 netsim_cops(m->net), m->set.cops_format);
	return AT_RC_OK;
}

static enum at_rc handle_cmee(struct at_req *req)
{
	struct at_engine *e = at_req_engine(req);

	if (at_req_op(req) == AT_OP_READ) {
		cmd_reply(req, "+CMEE", "%d", at_engine_cmee(e));
		return AT_RC_OK;
	}
	at_engine_set_cmee(e, (int)at_arg_int(req, 0));
	return AT_RC_OK;
}

static const long i_values[] = { 0, 9, LONG_MIN };
static const long c_values[] = { 0, 1, LONG_MIN };
static const long d_values[] = { 0, 1, 2, LONG_MIN };
static const long k_values[] = { 0, 3, 4, 5, 6, LONG_MIN };
static const long w_values[] = { 0, LONG_MIN };
static const long ipr_values[] = { 0,      9600,   19200,  38400,  57600,
				   115200, 230400, 460800, 921600, LONG_MIN };

static const struct at_param i_params[] = {
	{ "value", AT_P_ENUM, AT_PF_OPTIONAL, 0, 0, 0, i_values },
};
static const struct at_param c_params[] = {
	{ "value", AT_P_ENUM, AT_PF_OPTIONAL, 0, 0, 1, c_values },
};
static const struct at_param d_params[] = {
	{ "value", AT_P_ENUM, AT_PF_OPTIONAL, 0, 0, 1, d_values },
};
static const struct at_param k_params[] = {
	{ "value", AT_P_ENUM, AT_PF_OPTIONAL, 0, 0, 3, k_values },
};
static const struct at_param w_params[] = {
	{ "profile", AT_P_ENUM, AT_PF_OPTIONAL, 0, 0, 0, w_values },
};
static const struct at_param ipr_params[] = {
	{ "rate", AT_P_ENUM, 0, 0, 0, 0, ipr_values },
};
static const struct at_param cmee_params[] = {
	{ "n", AT_P_INT, AT_PF_OPTIONAL, 0, 2, 0, NULL },
};

static const struct at_cmd cmds[] = {
	{ "&C", AT_OP_EXEC, AT_PARAMS(c_params), NULL, handle_amp, "V.250 6.2.8" },
	{ "&D", AT_OP_EXEC, AT_PARAMS(d_params), NULL, handle_amp, "V.250 6.2.9" },
	{ "&K", AT_OP_EXEC, AT_PARAMS(k_params), NULL, handle_amp, "u-blox AT manual &K" },
	{ "&V", AT_OP_EXEC, AT_NO_PARAMS, NULL, handle_amp_v, "u-blox AT manual &V" },
	{ "&W", AT_OP_EXEC, AT_PARAMS(w_params), NULL, handle_amp, "u-blox AT manual &W" },
	{ "+CMEE", AT_OP_SET | AT_OP_READ | AT_OP_TEST, AT_PARAMS(cmee_params), "+CMEE: (0-2)",
	  handle_cmee, "3GPP 27.007 9.1" },
	{ "+IPR", AT_OP_SET | AT_OP_READ | AT_OP_TEST, AT_PARAMS(ipr_params), NULL, handle_ipr,
	  "V.250 6.2.10; u-blox AT manuals +IPR (autobauding per series)" },
	{ "I", AT_OP_EXEC, AT_PARAMS(i_params), NULL, handle_i, "V.250 6.1.3; u-blox ATI9" },
};

static const struct at_cmd_group group = { cmds, ARRAY_LEN(cmds) };

const struct cmd_module cmd_basic_module = {
	.name = "basic",
	.group = &group,
};
