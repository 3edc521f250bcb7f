/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The engine's own commands (V.250 §6.2): E, V, Q, X, Z, &F and the S-registers. A group row
 * with the same name replaces a builtin row (at_table.c), so sim/cmd may take one over.
 */
#include <errno.h>
#include <stdio.h>

#include "at_priv.h"

struct sreg {
	unsigned num;
	long min, max, def;
	const char *spec;
};

/* One row per supported register; V.250 §6.2 ranges and defaults. */
static const struct sreg sregs[] = {
	{ 0, 0, 255, 0, "V.250 6.3.8 automatic answer" },
	{ 2, 0, 255, 43, "escape character (V.250 informative)" },
	{ 3, 0, 127, 13, "V.250 6.2.1 command line termination character" },
	{ 4, 0, 127, 10, "V.250 6.2.2 response formatting character" },
	{ 5, 0, 127, 8, "V.250 6.2.3 command line editing character" },
	{ 6, 2, 10, 2, "V.250 6.3.9 pause before blind dialling" },
	{ 7, 1, 255, 60, "V.250 6.3.10 connection completion timeout" },
	{ 8, 0, 255, 2, "V.250 6.3.11 comma dial modifier time" },
	{ 10, 1, 254, 14, "V.250 6.3.12 automatic disconnect delay" },
	{ 12, 0, 255, 50, "escape prompt delay (V.250 informative)" },
};

void at_settings_default(struct at_settings *s)
{
	*s = (struct at_settings){ .echo = true, .verbose = true };
	for (size_t i = 0; i < ARRAY_LEN(sregs); i++)
		s->s[sregs[i].num] = sregs[i].def;
}

int at_engine_format_profile(const struct at_engine *e, char *out, size_t cap)
{
	const struct at_settings *s = &e->set;
	int n = snprintf(out, cap, "E%d, Q%d, V%d, X%d", s->echo, s->quiet, s->verbose, s->x);

	for (size_t i = 0; i < ARRAY_LEN(sregs) && n >= 0 && (size_t)n < cap; i++)
		n += snprintf(out + n, cap - (size_t)n, ", S%02u:%03ld", sregs[i].num,
			      s->s[sregs[i].num]);
	return n < 0 || (size_t)n >= cap ? -ENOSPC : 0;
}

static const struct sreg *find_sreg(struct at_span reg)
{
	long n;

	if (at_parse_long(reg, false, &n) < 0)
		return NULL;
	for (size_t i = 0; i < ARRAY_LEN(sregs); i++)
		if ((long)sregs[i].num == n)
			return &sregs[i];
	return NULL;
}

enum at_rc at_sreg_run(struct at_req *req, struct at_span reg, enum at_op op, struct at_span val)
{
	struct at_engine *e = req->e;
	const struct sreg *r = find_sreg(reg);
	long v = 0;

	if (r == NULL)
		return at_fail(req, AT_CME_OPERATION_NOT_SUPPORTED);
	if (op == AT_OP_READ)
		return at_reply(req, "%03ld", e->set.s[r->num]) < 0 ? AT_RC_ERROR : AT_RC_OK;
	if (at_parse_long(val, false, &v) < 0)
		return at_fail(req, AT_CME_INCORRECT_PARAMETERS);
	if (v < r->min || v > r->max)
		return at_fail(req, AT_CME_INCORRECT_PARAMETERS);
	e->set.s[r->num] = v;
	return AT_RC_OK;
}

static enum at_rc handle_e(struct at_req *req)
{
	req->e->set.echo = at_arg_int(req, 0) != 0;
	return AT_RC_OK;
}

static enum at_rc handle_v(struct at_req *req)
{
	req->e->set.verbose = at_arg_int(req, 0) != 0;
	return AT_RC_OK;
}

static enum at_rc handle_q(struct at_req *req)
{
	req->e->set.quiet = at_arg_int(req, 0) != 0;
	return AT_RC_OK;
}

static enum at_rc handle_x(struct at_req *req)
{
	req->e->set.x = (int)at_arg_int(req, 0);
	return AT_RC_OK;
}

/* Z and &F: no stored profiles, both restore the factory settings (not the URC queue). */
static enum at_rc handle_reset(struct at_req *req)
{
	struct at_engine *e = req->e;
	bool factory = req->cmd->name[0] == '&';

	at_settings_default(&e->set);
	if (e->cfg.on_reset != NULL)
		e->cfg.on_reset(e->cfg.ctx, factory);
	return AT_RC_OK;
}

static const struct at_param bool_param[] = {
	{ "n", AT_P_INT, AT_PF_OPTIONAL, 0, 1, 0, NULL },
};
static const struct at_param x_param[] = {
	{ "n", AT_P_INT, AT_PF_OPTIONAL, 0, 4, 0, NULL },
};
static const struct at_param zero_param[] = {
	{ "n", AT_P_INT, AT_PF_OPTIONAL, 0, 0, 0, NULL },
};

const struct at_cmd at_builtin_cmds[] = {
	{ "&F", AT_OP_EXEC, AT_PARAMS(zero_param), NULL, handle_reset, "V.250 6.1.2" },
	{ "E", AT_OP_EXEC, AT_PARAMS(bool_param), NULL, handle_e, "V.250 6.2.4" },
	{ "Q", AT_OP_EXEC, AT_PARAMS(bool_param), NULL, handle_q, "V.250 6.2.5" },
	{ "V", AT_OP_EXEC, AT_PARAMS(bool_param), NULL, handle_v, "V.250 6.2.6" },
	{ "X", AT_OP_EXEC, AT_PARAMS(x_param), NULL, handle_x, "V.250 6.2.7" },
	{ "Z", AT_OP_EXEC, AT_PARAMS(zero_param), NULL, handle_reset, "V.250 6.1.1" },
};
const size_t at_n_builtin_cmds = ARRAY_LEN(at_builtin_cmds);
