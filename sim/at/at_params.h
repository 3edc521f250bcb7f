/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Stages C and D (style.md §3.4): argument text -> tokens -> typed values, checked against a
 * command's parameter schema before its handler runs. Private to sim/at (and its tests).
 *
 * Tokens are (pointer, length) views into the caller's line; nothing is allocated or copied.
 */
#ifndef SIM_AT_AT_PARAMS_H
#define SIM_AT_AT_PARAMS_H

#include <stdbool.h>
#include <stddef.h>

#include "at_engine.h"

enum at_tok_kind {
	AT_TOK_EMPTY,  /* omitted field: "1,,3" or a trailing comma */
	AT_TOK_BARE,   /* digits, letters and .-+:_ */
	AT_TOK_QUOTED, /* "text" with the quotes removed */
};

struct at_tok {
	enum at_tok_kind kind;
	struct at_span text;
};

struct at_toks {
	size_t n;
	struct at_tok v[AT_MAX_ARGS];
};

/*
 * Splits in at commas outside quotes. Returns 0, -EINVAL (unterminated quote, junk after a
 * closing quote, illegal bare character) or -E2BIG (more than AT_MAX_ARGS fields).
 * An empty input gives 0 tokens; "a," gives two (the second EMPTY).
 */
int at_tokenize(struct at_span in, struct at_toks *out);

struct at_arg {
	struct at_tok tok; /* kind EMPTY when omitted */
	long ival;         /* INT/ENUM value, or the schema default when omitted */
	bool present;
};

struct at_args {
	size_t n; /* tokens the host gave */
	struct at_arg v[AT_MAX_ARGS];
};

/*
 * Binds toks to the schema params[0..n_params). Omitted optional parameters get their default
 * and present = false. Returns 0, -EINVAL (wrong form, missing required value), -ERANGE
 * (number overflow, outside [min, max], length outside range, not in allowed[]) or -E2BIG
 * (more tokens than parameters). For AT_P_STR/AT_P_HEX a max of 0 means "no upper bound".
 */
int at_args_bind(const struct at_toks *toks, const struct at_param *params, size_t n_params,
		 struct at_args *out);

/* Fills out with the schema defaults and no tokens (EXEC/READ/TEST requests). */
void at_args_defaults(const struct at_param *params, size_t n_params, struct at_args *out);

/*
 * Strict decimal: optional '-' (only if allow_neg), then 1+ digits, nothing else.
 * Returns 0, -EINVAL or -ERANGE (does not fit a long).
 */
int at_parse_long(struct at_span s, bool allow_neg, long *out);

#endif /* SIM_AT_AT_PARAMS_H */
