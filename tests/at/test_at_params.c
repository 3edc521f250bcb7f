/* SPDX-License-Identifier: Apache-2.0 */
/* Stages C and D: tokenizer and schema binding, table-driven (style.md §3.4, C15). */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "at_params.h"

static struct at_span sp(const char *s)
{
	return (struct at_span){ s, strlen(s) };
}

/* Tokens rendered as E (empty), B<text> or Q<text>, joined by '|'. */
static void render(const struct at_toks *t, char *out, size_t cap)
{
	size_t o = 0;

	out[0] = '\0';
	for (size_t i = 0; i < t->n; i++) {
		const struct at_tok *k = &t->v[i];
		char kind = k->kind == AT_TOK_EMPTY ? 'E' : k->kind == AT_TOK_BARE ? 'B' : 'Q';

		o += (size_t)snprintf(out + o, cap - o, "%s%c%.*s", i ? "|" : "", kind,
				      (int)k->text.len, k->text.p);
	}
}

static const struct {
	const char *in;
	int rc;
	const char *toks;
} tok_cases[] = {
	{ "", 0, "" },
	{ "1", 0, "B1" },
	{ "1,,3,", 0, "B1|E|B3|E" }, /* omitted fields stay visible */
	{ ",", 0, "E|E" },
	{ "\"abc", -EINVAL, NULL },  /* unterminated string */
	{ "\"a\"x", -EINVAL, NULL }, /* junk after closing quote */
	{ "\"a\" ,1", -EINVAL, NULL },
	{ "0,\"1.2.3.4\",5683,4,\"DEADBEEF\"", 0, "B0|Q1.2.3.4|B5683|B4|QDEADBEEF" },
	{ "\"a,b;c\",\"\"", 0, "Qa,b;c|Q" },
	{ "-5,+7,a.b:c_d", 0, "B-5|B+7|Ba.b:c_d" },
	{ "1,a b", -EINVAL, NULL }, /* space is not a bare character */
	{ "1,a=b", -EINVAL, NULL },
	{ "ab\"c\"", -EINVAL, NULL }, /* quote inside a bare token */
};

static void test_tokenize_table(void **state)
{
	for (size_t i = 0; i < sizeof(tok_cases) / sizeof(tok_cases[0]); i++) {
		struct at_toks t;
		char got[256];
		int rc = at_tokenize(sp(tok_cases[i].in), &t);

		if (rc != tok_cases[i].rc)
			fail_msg("case %zu \"%s\": rc %d, want %d", i, tok_cases[i].in, rc,
				 tok_cases[i].rc);
		if (rc == 0) {
			render(&t, got, sizeof(got));
			if (strcmp(got, tok_cases[i].toks) != 0)
				fail_msg("case %zu \"%s\": got %s want %s", i, tok_cases[i].in, got,
					 tok_cases[i].toks);
		}
	}
}

/* "1,2,...,n" with an optional trailing comma. */
static const char *numbers(char *buf, size_t cap, int n, bool trailing_comma)
{
	size_t o = 0;

	buf[0] = '\0';
	for (int i = 1; i <= n; i++)
		o += (size_t)snprintf(buf + o, cap - o, "%s%d", i > 1 ? "," : "", i);
	if (trailing_comma)
		snprintf(buf + o, cap - o, ",");
	return buf;
}

static void test_tokenize_limits(void **state)
{
	char buf[256];
	struct at_toks t;

	/* The style.md cases "1,2,3," -> 4 fields and "1,2,3,4," -> E2BIG, scaled to AT_MAX_ARGS */
	assert_int_equal(at_tokenize(sp(numbers(buf, sizeof(buf), AT_MAX_ARGS - 1, true)), &t), 0);
	assert_int_equal(t.n, AT_MAX_ARGS);
	assert_int_equal(t.v[AT_MAX_ARGS - 1].kind, AT_TOK_EMPTY);
	assert_int_equal(at_tokenize(sp(numbers(buf, sizeof(buf), AT_MAX_ARGS, false)), &t), 0);
	assert_int_equal(t.n, AT_MAX_ARGS);
	assert_int_equal(at_tokenize(sp(numbers(buf, sizeof(buf), AT_MAX_ARGS, true)), &t), -E2BIG);
	assert_int_equal(at_tokenize(sp(numbers(buf, sizeof(buf), AT_MAX_ARGS + 1, false)), &t),
			 -E2BIG);
}

static void test_parse_long(void **state)
{
	long v = 0;

	assert_int_equal(at_parse_long(sp("0"), false, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(at_parse_long(sp("9223372036854775807"), false, &v), 0);
	assert_true(v == LONG_MAX);
	assert_int_equal(at_parse_long(sp("9223372036854775808"), false, &v), -ERANGE);
	assert_int_equal(at_parse_long(sp("-9223372036854775808"), true, &v), 0);
	assert_true(v == LONG_MIN);
	assert_int_equal(at_parse_long(sp("-9223372036854775809"), true, &v), -ERANGE);
	assert_int_equal(at_parse_long(sp("99999999999999999999999"), false, &v), -ERANGE);
	assert_int_equal(at_parse_long(sp("-1"), false, &v), -EINVAL);
	assert_int_equal(at_parse_long(sp("-"), true, &v), -EINVAL);
	assert_int_equal(at_parse_long(sp(""), false, &v), -EINVAL);
	assert_int_equal(at_parse_long(sp("+1"), false, &v), -EINVAL);
	assert_int_equal(at_parse_long(sp("12a"), false, &v), -EINVAL);
}

static const long proto_allowed[] = { 6, 17, LONG_MIN };

/* Like +USOCR: protocol (enum), optional local port, then an optional quoted string. */
static const struct at_param schema[] = {
	{ "proto", AT_P_ENUM, 0, 0, 0, 0, proto_allowed },
	{ "port", AT_P_INT, AT_PF_OPTIONAL, 1, 65535, 0, NULL },
	{ "name", AT_P_STR, AT_PF_OPTIONAL, 1, 5, 0, NULL },
	{ "hex", AT_P_HEX, AT_PF_OPTIONAL, 2, 4, 0, NULL },
	{ "any", AT_P_ANY, AT_PF_OPTIONAL, 0, 0, 0, NULL },
};

static const struct at_param schema2[] = {
	{ "n", AT_P_INT, AT_PF_QUOTED_OK, -10, 10, 0, NULL },
	{ "s", AT_P_STR, AT_PF_BARE_OK | AT_PF_OPTIONAL, 0, 0, 0, NULL },
};

static const struct {
	const struct at_param *schema;
	size_t n;
	const char *in;
	int rc;
} bind_cases[] = {
	{ schema, 5, "6", 0 },
	{ schema, 5, "17,5683", 0 },
	{ schema, 5, "7", -ERANGE },                      /* not in allowed[] */
	{ schema, 5, "", -EINVAL },                       /* required missing */
	{ schema, 5, ",5", -EINVAL },                     /* required empty */
	{ schema, 5, "\"6\"", -EINVAL },                  /* quoted number without QUOTED_OK */
	{ schema, 5, "6,0", -ERANGE },                    /* below min */
	{ schema, 5, "6,65536", -ERANGE },                /* above max */
	{ schema, 5, "6,99999999999999999999", -ERANGE }, /* overflow */
	{ schema, 5, "6,-1", -EINVAL },                   /* no sign when min >= 0 */
	{ schema, 5, "6,,\"abc\"", 0 },
	{ schema, 5, "6,,abc", -EINVAL },        /* bare string without BARE_OK */
	{ schema, 5, "6,,\"\"", -ERANGE },       /* shorter than min */
	{ schema, 5, "6,,\"abcdef\"", -ERANGE }, /* longer than max */
	{ schema, 5, "6,,,\"0aFF\"", 0 },
	{ schema, 5, "6,,,0aFF", 0 },           /* hex may be bare */
	{ schema, 5, "6,,,\"0aF\"", -EINVAL },  /* odd length */
	{ schema, 5, "6,,,\"0aFG\"", -EINVAL }, /* not hex */
	{ schema, 5, "6,,,\"00\"", -ERANGE },   /* 1 byte < 2 */
	{ schema, 5, "6,,,\"0011223344\"", -ERANGE },
	{ schema, 5, "6,,,,\"x\"", 0 },
	{ schema, 5, "6,,,,x", 0 },
	{ schema, 5, "6,,,,,", -E2BIG }, /* surplus (empty) field */
	{ schema, 5, "6,1,\"a\",\"0000\",1,2", -E2BIG },
	{ schema2, 2, "\"-3\"", 0 },
	{ schema2, 2, "-10,bare", 0 },
	{ schema2, 2, "-11", -ERANGE },
	{ schema2, 2, "5,\"\"", 0 }, /* max 0: no upper bound, min 0 */
};

static void test_bind_table(void **state)
{
	for (size_t i = 0; i < sizeof(bind_cases) / sizeof(bind_cases[0]); i++) {
		struct at_toks t;
		struct at_args a;
		int rc = at_tokenize(sp(bind_cases[i].in), &t);

		assert_int_equal(rc, 0);
		rc = at_args_bind(&t, bind_cases[i].schema, bind_cases[i].n, &a);
		if (rc != bind_cases[i].rc)
			fail_msg("case %zu \"%s\": rc %d, want %d", i, bind_cases[i].in, rc,
				 bind_cases[i].rc);
	}
}

static void test_bind_values_and_defaults(void **state)
{
	static const struct at_param p[] = {
		{ "a", AT_P_INT, 0, 0, 100, 0, NULL },
		{ "b", AT_P_INT, AT_PF_OPTIONAL, 0, 100, 42, NULL },
		{ "c", AT_P_STR, AT_PF_OPTIONAL, 0, 10, 0, NULL },
		{ "d", AT_P_INT, AT_PF_OPTIONAL, 0, 100, 7, NULL },
	};
	struct at_toks t;
	struct at_args a;

	assert_int_equal(at_tokenize(sp("5,,\"Hi,x\""), &t), 0);
	assert_int_equal(at_args_bind(&t, p, 4, &a), 0);
	assert_int_equal(a.n, 3);
	assert_true(a.v[0].present);
	assert_int_equal(a.v[0].ival, 5);
	assert_false(a.v[1].present);
	assert_int_equal(a.v[1].ival, 42); /* default for an empty field */
	assert_true(a.v[2].present);
	assert_int_equal(a.v[2].tok.text.len, 4);
	assert_memory_equal(a.v[2].tok.text.p, "Hi,x", 4); /* case and commas kept */
	assert_false(a.v[3].present);
	assert_int_equal(a.v[3].ival, 7); /* default for an omitted trailing field */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tokenize_table),
		cmocka_unit_test(test_tokenize_limits),
		cmocka_unit_test(test_parse_long),
		cmocka_unit_test(test_bind_table),
		cmocka_unit_test(test_bind_values_and_defaults),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
