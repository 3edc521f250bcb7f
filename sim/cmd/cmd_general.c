/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Identification, SIM, clock, power saving and module configuration: +CGMI +CGMM +CGMR +CGSN
 * +CIMI +CCID +CPIN +CCLK +CPWROFF +UPSV +UPSMR +UMNOPROF +UGPRF +UDCONF (+CPSMS: cmd_radio.c).
 */
#define LOG_MODULE "cmd"
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "cmd_security.h"
#include "log.h"
#include "modem.h"
#include "persona.h"
#include "rot/platform.h"

static enum at_rc handle_ident(struct at_req *req)
{
	struct modem *m = at_req_ctx(req);
	const char *name = at_req_cmd(req)->name;

	if (strcmp(name, "+CGMI") == 0)
		at_reply(req, "u-blox");
	else if (strcmp(name, "+CGMM") == 0)
		at_reply(req, "%s", m->persona->cgmm);
	else if (strcmp(name, "+CGMR") == 0)
		at_reply(req, "%s", m->persona->cgmr);
	else if (strcmp(name, "+CIMI") == 0)
		at_reply(req, "%s", m->device->imsi);
	else
		cmd_reply(req, "+CCID", "%s", m->device->iccid);
	return AT_RC_OK;
}

/* +CGSN[=<snt>]: 0 IMEI (unprefixed, what ubxlib reads), 1 IMEI, 2 IMEISV, 3 SVN. */
static enum at_rc handle_cgsn(struct at_req *req)
{
	struct modem *m = at_req_ctx(req);
	long snt = at_req_op(req) == AT_OP_SET ? at_arg_int(req, 0) : 0;

	if (snt == 0)
		at_reply(req, "%s", m->device->imei);
	else if (snt == 1)
		cmd_reply(req, "+CGSN", "\"%s\"", m->device->imei);
	else if (snt == 2)
		cmd_reply(req, "+CGSN", "\"%.14s01\"", m->device->imei);
	else
		cmd_reply(req, "+CGSN", "\"01\"");
	return AT_RC_OK;
}

static enum at_rc handle_cpin(struct at_req *req)
{
	struct modem *m = at_req_ctx(req);

	if (netsim_fun(m->net) == 19)
		return cmd_fail(req, -ENXIO);
	if (at_req_op(req) == AT_OP_SET)
		return cmd_fail(req, -EPERM); /* the simulated SIM has no PIN */
	cmd_reply(req, "+CPIN", "READY");
	return AT_RC_OK;
}

/* "yy/MM/dd,hh:mm:ss+zz" (zz in quarter hours) -> UTC seconds and the zone. */
static int parse_cclk(const char *s, time_t *out, int *tz_q)
{
	static const char pattern[] = "99/99/99,99:99:99+99";
	int v[7] = { 0 }, k = 0, sign;
	struct tm tm = { 0 };

	if (strlen(s) != sizeof(pattern) - 1)
		return -EINVAL;
	for (size_t i = 0; i < sizeof(pattern) - 1; i++) {
		if (pattern[i] == '9' && (s[i] < '0' || s[i] > '9'))
			return -EINVAL;
		if (pattern[i] == '9') {
			v[k / 2] = v[k / 2] * 10 + (s[i] - '0');
			k++;
		} else if (pattern[i] != '+' && s[i] != pattern[i])
			return -EINVAL;
	}
	sign = s[17] == '-' ? -1 : s[17] == '+' ? 1 : 0;
	if (sign == 0 || v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > 31 || v[3] > 23 || v[4] > 59 ||
	    v[5] > 59 || v[6] > 96)
		return -EINVAL;
	tm = (struct tm){ .tm_year = 100 + v[0],
			  .tm_mon = v[1] - 1,
			  .tm_mday = v[2],
			  .tm_hour = v[3],
			  .tm_min = v[4],
			  .tm_sec = v[5] };
	*tz_q = sign * v[6];
	*out = timegm(&tm) - (time_t)*tz_q * 15 * 60;
	return 0;
}

static enum at_rc handle_cclk(struct at_req *req)
{
	struct modem *m = at_req_ctx(req);
	time_t now = (time_t)modem_time(m), t;
	struct tm tm;
	char text[32];
	int tz_q;

	if (at_req_op(req) == AT_OP_SET) {
		if (cmd_arg_copy(req, 0, text, sizeof(text)) < 0 || parse_cclk(text, &t, &tz_q) < 0)
			return cmd_fail(req, -EINVAL);
		m->set.clock_offset_s = (long)(t - now);
		m->set.clock_tz_q = tz_q;
		return AT_RC_OK;
	}
	/* local time of the zone it was set with, and that zone (3GPP 27.007 8.15) */
	t = now + m->set.clock_offset_s + (time_t)m->set.clock_tz_q * 15 * 60;
	gmtime_r(&t, &tm);
	cmd_reply(req, "+CCLK", "\"%02d/%02d/%02d,%02d:%02d:%02d%c%02d\"", tm.tm_year % 100,
		  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		  m->set.clock_tz_q < 0 ? '-' : '+', abs(m->set.clock_tz_q));
	return AT_RC_OK;
}

static enum at_rc handle_cpwroff(struct at_req *req)
{
	modem_power_off(at_req_ctx(req));
	return AT_RC_OK;
}

static enum at_rc handle_upsv(struct at_req *req)
{
	struct modem *m = at_req_ctx(req);
	long mode;

	if (at_req_op(req) == AT_OP_READ) {
		if (m->set.upsv_mode == 1)
			cmd_reply(req, "+UPSV", "1,%d", m->set.upsv_timeout);
		else
			cmd_reply(req, "+UPSV", "%d", m->set.upsv_mode);
		return AT_RC_OK;
	}
	mode = at_arg_int(req, 0);
	if (!(m->persona->upsv_modes & (1u << mode)))
		return cmd_fail(req, -EINVAL);
	m->set.upsv_mode = (int)mode;
	m->set.upsv_timeout = (int)at_arg_int(req, 1);
	return AT_RC_OK;
}

static enum at_rc handle_upsmr(struct at_req *req)
{
	struct modem *m = at_req_ctx(req);

	if (at_req_op(req) == AT_OP_READ)
		cmd_reply(req, "+UPSMR", "%d", m->set.upsmr);
	else
		m->set.upsmr = (int)at_arg_int(req, 0);
	return AT_RC_OK;
}

static enum at_rc handle_umnoprof(struct at_req *req)
{
	struct modem *m = at_req_ctx(req);

	if (at_req_op(req) == AT_OP_READ) {
		cmd_reply(req, "+UMNOPROF", "%d", m->set.mnoprof);
		return AT_RC_OK;
	}
	if (netsim_fun(m->net) == 1)
		return cmd_fail(req, -EPERM); /* needs the radio off */
	m->set.mnoprof = (int)at_arg_int(req, 0);
	cmd_sec_settings_changed(m); /* NVM on the real module */
	return AT_RC_OK;
}

static enum at_rc handle_ugprf(struct at_req *req)
{
	struct modem *m = at_req_ctx(req);
	char server[sizeof(m->set.ugprf_server)];

	if (at_req_op(req) == AT_OP_READ) {
		cmd_reply(req, "+UGPRF", "%d,%d,\"%s\"", m->set.ugprf_bitmap, m->set.ugprf_port,
			  m->set.ugprf_server);
		return AT_RC_OK;
	}
	if (cmd_arg_copy(req, 2, server, sizeof(server)) < 0)
		return cmd_fail(req, -EINVAL);
	m->set.ugprf_bitmap = (int)at_arg_int(req, 0);
	m->set.ugprf_port = (int)at_arg_int(req, 1);
	memcpy(m->set.ugprf_server, server, sizeof(server));
	return AT_RC_OK;
}

/* +UDCONF=<op>[,<value>]: op 1 is the socket hex mode; other ops are remembered only. */
static enum at_rc handle_udconf(struct at_req *req)
{
	struct modem *m = at_req_ctx(req);
	int op = (int)at_arg_int(req, 0);
	size_t i;

	for (i = 0; i < m->set.n_udconf && m->set.udconf[i].op != op; i++)
		;
	if (!at_arg_present(req, 1)) {
		long v = op == 1               ? m->set.hex_mode
			 : i < m->set.n_udconf ? m->set.udconf[i].value
					       : 0;

		cmd_reply(req, "+UDCONF", "%d,%ld", op, v);
		return AT_RC_OK;
	}
	if (op == 1) {
		if (at_arg_int(req, 1) > 1)
			return cmd_fail(req, -EINVAL);
		m->set.hex_mode = at_arg_int(req, 1) == 1;
		cmd_sec_settings_changed(m);
		return AT_RC_OK;
	}
	if (i == m->set.n_udconf) {
		if (i == MODEM_UDCONF_MAX)
			return cmd_fail(req, -ENOSPC);
		m->set.n_udconf++;
	}
	m->set.udconf[i].op = op;
	m->set.udconf[i].value = at_arg_int(req, 1);
	return AT_RC_OK;
}

static const long upsv_values[] = { 0, 1, 2, 3, 4, LONG_MIN };

static const struct at_param cgsn_params[] = {
	{ "snt", AT_P_INT, AT_PF_OPTIONAL, 0, 3, 0, NULL },
};
static const struct at_param cpin_params[] = {
	{ "pin", AT_P_STR, AT_PF_BARE_OK, 4, 8, 0, NULL },
};
static const struct at_param cclk_params[] = {
	{ "time", AT_P_STR, 0, 20, 20, 0, NULL },
};
static const struct at_param upsv_params[] = {
	{ "mode", AT_P_ENUM, 0, 0, 0, 0, upsv_values },
	{ "timeout", AT_P_INT, AT_PF_OPTIONAL, 40, 65000, 2000, NULL },
};
static const struct at_param upsmr_params[] = {
	{ "mode", AT_P_INT, 0, 0, 1, 0, NULL },
};
static const struct at_param umnoprof_params[] = {
	{ "mno", AT_P_INT, 0, 0, 201, 0, NULL },
	{ "opt", AT_P_INT, AT_PF_OPTIONAL, 0, 1, 0, NULL },
};
static const struct at_param ugprf_params[] = {
	{ "bitmap", AT_P_INT, 0, 0, 255, 0, NULL },
	{ "port", AT_P_INT, AT_PF_OPTIONAL, 0, 65535, 0, NULL },
	{ "server", AT_P_STR, AT_PF_OPTIONAL, 0, 64, 0, NULL },
};
static const struct at_param udconf_params[] = {
	{ "op", AT_P_INT, 0, 0, 1000, 0, NULL },
	{ "value", AT_P_INT, AT_PF_OPTIONAL | AT_PF_QUOTED_OK, 0, INT32_MAX, 0, NULL },
};

#define IDENT(name, spec)                                                                          \
	{                                                                                          \
		name, AT_OP_EXEC | AT_OP_TEST, AT_NO_PARAMS, "", handle_ident, spec                \
	}

static const struct at_cmd cmds[] = {
	{ "+CCLK", AT_OP_SET | AT_OP_READ | AT_OP_TEST, AT_PARAMS(cclk_params), "", handle_cclk,
	  "3GPP 27.007 8.15" },
	IDENT("+CCID", "u-blox AT manual +CCID"),
	IDENT("+CGMI", "3GPP 27.007 5.1"),
	IDENT("+CGMM", "3GPP 27.007 5.2"),
	IDENT("+CGMR", "3GPP 27.007 5.3"),
	{ "+CGSN", AT_OP_EXEC | AT_OP_SET | AT_OP_TEST, AT_PARAMS(cgsn_params), "+CGSN: (0-3)",
	  handle_cgsn, "3GPP 27.007 5.4" },
	IDENT("+CIMI", "3GPP 27.007 5.6"),
	{ "+CPIN", AT_OP_SET | AT_OP_READ | AT_OP_TEST, AT_PARAMS(cpin_params), "", handle_cpin,
	  "3GPP 27.007 8.3" },
	{ "+CPWROFF", AT_OP_EXEC | AT_OP_TEST, AT_NO_PARAMS, "", handle_cpwroff,
	  "u-blox AT manual +CPWROFF" },
	{ "+UDCONF", AT_OP_SET | AT_OP_TEST, AT_PARAMS(udconf_params), "", handle_udconf,
	  "u-blox AT manual +UDCONF" },
	{ "+UGPRF", AT_OP_SET | AT_OP_READ | AT_OP_TEST, AT_PARAMS(ugprf_params),
	  "+UGPRF: (0-255),(0-65535),\"\"", handle_ugprf, "u-blox AT manual +UGPRF" },
	{ "+UMNOPROF", AT_OP_SET | AT_OP_READ | AT_OP_TEST, AT_PARAMS(umnoprof_params),
	  "+UMNOPROF: (0-201),(0-1)", handle_umnoprof, "u-blox AT manual +UMNOPROF" },
	{ "+UPSMR", AT_OP_SET | AT_OP_READ | AT_OP_TEST, AT_PARAMS(upsmr_params), "+UPSMR: (0,1)",
	  handle_upsmr, "u-blox AT manual +UPSMR" },
	{ "+UPSV", AT_OP_SET | AT_OP_READ | AT_OP_TEST, AT_PARAMS(upsv_params),
	  "+UPSV: (0-4),(40-65000)", handle_upsv, "u-blox AT manual +UPSV" },
};

static const struct at_cmd_group group = { cmds, ARRAY_LEN(cmds) };

const struct cmd_module cmd_general_module = {
	.name = "general",
	.group = &group,
};
