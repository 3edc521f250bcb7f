/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Shared by ctl.c (sessions, request checking, the `at` channel) and ctl_ops.c (the op table
 * and its handlers) only.
 */
#ifndef SIM_CTL_PRIV_H
#define SIM_CTL_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "compiler.h"
#include "ctl.h"

enum ctl_type {
	CTL_T_STR,
	CTL_T_INT,  /* integer within [min, max] */
	CTL_T_BOOL, /* true/false; in the word form also on/off, 1/0, yes/no */
	CTL_T_OBJ,  /* object of scalars (fault params); in the word form the unknown key=value */
	CTL_T_STRS, /* array of strings; in the word form the remaining words */
};

#define CTL_A_REQ  (1u << 0) /* required */
#define CTL_A_REST (1u << 1) /* CTL_T_STR, word form: the rest of the line, spaces and all */

struct ctl_arg {
	const char *key;
	enum ctl_type type;
	unsigned flags;
	long min, max; /* CTL_T_INT */
};

/* One request being handled. args is checked against the op's schema before fn runs. */
struct ctl_call {
	struct ctl_session *s;
	struct modem *m;
	size_t modem_i;    /* m's index in the fleet (0 without one) */
	const cJSON *args; /* object; borrowed */
	cJSON *result;     /* object the handler fills */
	char msg[256];     /* error message (ctl_fail) */
};

#define CTL_PENDING 1 /* fn: the response comes later (ctl_session_at) */

typedef int ctl_op_fn(struct ctl_call *call);

struct ctl_op {
	const char *name;
	ctl_op_fn *fn;
	const struct ctl_arg *args;
	size_t n_args;
	const char *usage; /* one line for the console's :help */
};

#define CTL_ARGS(a) (a), ARRAY_LEN(a)
#define CTL_NO_ARGS NULL, 0

extern const struct ctl_op ctl_ops[];
extern const size_t ctl_n_ops;

/* Sets the error message and returns err (a -errno): `return ctl_fail(c, -EINVAL, "...");`. */
int ctl_fail(struct ctl_call *c, int err, const char *fmt, ...) ATTR_PRINTF(3, 4);

/* Typed arguments (already checked); def when absent. Strings are borrowed. */
const char *ctl_arg_str(const struct ctl_call *c, const char *key, const char *def);
long ctl_arg_int(const struct ctl_call *c, const char *key, long def);
bool ctl_arg_bool(const struct ctl_call *c, const char *key, bool def);
bool ctl_arg_has(const struct ctl_call *c, const char *key);
const cJSON *ctl_arg_json(const struct ctl_call *c, const char *key);

/*
 * The `at` op: sends line (and data after a '@'/'>' prompt, if given) on the session's own AT
 * channel; the response {"lines":[...],"final":"OK"} follows when the final result arrives,
 * or a "timeout" error after timeout_ms. Returns CTL_PENDING or -errno.
 */
int ctl_session_at(struct ctl_call *c, const char *line, const char *data, uint32_t timeout_ms);
/* The `subscribe` op: replaces the session's event mask for c->m. 0 or -errno. */
int ctl_session_subscribe(struct ctl_call *c, unsigned events);

/* ctl_fault.c: the `fault` and `faults` ops and status's "faults" (sim/fault.h). */
int ctl_op_fault(struct ctl_call *c);
int ctl_op_faults(struct ctl_call *c);
void ctl_status_faults(struct ctl_call *c, cJSON *result);

#endif /* SIM_CTL_PRIV_H */
