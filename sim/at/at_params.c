/* SPDX-License-Identifier: Apache-2.0 */
/* Stages C and D: tokenizer and schema binding (style.md §3.4). */
#include "at_params.h"

#include <errno.h>
#include <limits.h>

#include "hex.h"

static bool is_bare_char(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       c == '.' || c == '-' || c == '+' || c == ':' || c == '_';
}

/* Reads one field at *i (which is < in.len). Returns 0 or -EINVAL. */
static int read_field(struct at_span in, size_t *i, struct at_tok *tok)
{
	size_t start;

	if (in.p[*i] == '"') {
		start = ++*i;
		while (*i < in.len && in.p[*i] != '"')
			++*i;
		if (*i == in.len)
			return -EINVAL; /* unterminated string */
		*tok = (struct at_tok){ AT_TOK_QUOTED, { in.p + start, *i - start } };
		++*i;
		return 0;
	}
	start = *i;
	for (; *i < in.len && in.p[*i] != ','; ++*i)
		if (!is_bare_char(in.p[*i]))
			return -EINVAL;
	if (*i > start)
		*tok = (struct at_tok){ AT_TOK_BARE, { in.p + start, *i - start } };
	return 0;
}

int at_tokenize(struct at_span in, struct at_toks *out)
{
	size_t i = 0;
	int rc;

	out->n = 0;
	if (in.len == 0)
		return 0;
	for (;;) {
		struct at_tok tok = { .kind = AT_TOK_EMPTY, .text = { in.p + i, 0 } };

		if (out->n == AT_MAX_ARGS)
			return -E2BIG;
		if (i < in.len) {
			rc = read_field(in, &i, &tok);
			if (rc < 0)
				return rc;
		}
		out->v[out->n++] = tok;
		if (i == in.len)
			return 0;
		if (in.p[i++] != ',')
			return -EINVAL; /* junk after a closing quote */
		if (i == in.len && out->n < AT_MAX_ARGS) {
			/* "a," is two fields; with the array full the loop reports -E2BIG */
			out->v[out->n++] = (struct at_tok){ AT_TOK_EMPTY, { in.p + i, 0 } };
			return 0;
		}
	}
}

int at_parse_long(struct at_span s, bool allow_neg, long *out)
{
	size_t i = 0;
	bool neg = false;
	unsigned long acc = 0, limit;

	if (s.len > 0 && s.p[0] == '-') {
		if (!allow_neg)
			return -EINVAL;
		neg = true;
		i = 1;
	}
	if (i == s.len)
		return -EINVAL;
	limit = neg ? (unsigned long)LONG_MAX + 1 : (unsigned long)LONG_MAX;
	for (; i < s.len; i++) {
		unsigned d;

		if (s.p[i] < '0' || s.p[i] > '9')
			return -EINVAL;
		d = (unsigned)(s.p[i] - '0');
		if (acc > (limit - d) / 10)
			return -ERANGE;
		acc = acc * 10 + d;
	}
	*out = neg ? (acc == (unsigned long)LONG_MAX + 1 ? LONG_MIN : -(long)acc) : (long)acc;
	return 0;
}

static bool enum_allows(const struct at_param *p, long v)
{
	if (p->allowed == NULL)
		return false;
	for (const long *a = p->allowed; *a != LONG_MIN; a++)
		if (*a == v)
			return true;
	return false;
}

static int bind_int(const struct at_param *p, struct at_arg *a)
{
	bool neg_ok = p->type == AT_P_ENUM || p->min < 0;
	int rc;

	if (a->tok.kind == AT_TOK_QUOTED && !(p->flags & AT_PF_QUOTED_OK))
		return -EINVAL;
	rc = at_parse_long(a->tok.text, neg_ok, &a->ival);
	if (rc < 0)
		return rc;
	if (p->type == AT_P_ENUM)
		return enum_allows(p, a->ival) ? 0 : -ERANGE;
	return a->ival < p->min || a->ival > p->max ? -ERANGE : 0;
}

static int check_len(const struct at_param *p, size_t len)
{
	if ((long)len < p->min || (p->max > 0 && (long)len > p->max))
		return -ERANGE;
	return 0;
}

static int bind_one(const struct at_param *p, struct at_arg *a)
{
	const struct at_span t = a->tok.text;

	switch (p->type) {
	case AT_P_INT:
	case AT_P_ENUM:
		return bind_int(p, a);
	case AT_P_STR:
		if (a->tok.kind != AT_TOK_QUOTED && !(p->flags & AT_PF_BARE_OK))
			return -EINVAL;
		return check_len(p, t.len);
	case AT_P_HEX:
		if (!hex_is_valid(t.p, t.len))
			return -EINVAL;
		return check_len(p, t.len / 2);
	case AT_P_ANY:
		return 0;
	}
	return -EINVAL;
}

void at_args_defaults(const struct at_param *params, size_t n_params, struct at_args *out)
{
	*out = (struct at_args){ 0 };
	for (size_t i = 0; i < n_params && i < AT_MAX_ARGS; i++)
		out->v[i].ival = params[i].def;
}

int at_args_bind(const struct at_toks *toks, const struct at_param *params, size_t n_params,
		 struct at_args *out)
{
	int rc;

	at_args_defaults(params, n_params, out);
	if (n_params > AT_MAX_ARGS || toks->n > n_params)
		return -E2BIG;
	out->n = toks->n;
	for (size_t i = 0; i < n_params; i++) {
		struct at_arg *a = &out->v[i];

		if (i < toks->n)
			a->tok = toks->v[i];
		if (a->tok.kind == AT_TOK_EMPTY) {
			if (!(params[i].flags & AT_PF_OPTIONAL))
				return -EINVAL;
			continue;
		}
		rc = bind_one(&params[i], a);
		if (rc < 0)
			return rc;
		a->present = true;
	}
	return 0;
}
