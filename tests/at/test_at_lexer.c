/* SPDX-License-Identifier: Apache-2.0 */
/* Stage B: the text after "AT" -> commands, table-driven (style.md §3.4). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "at_lexer.h"

static char op_char(enum at_op op)
{
	return op == AT_OP_EXEC ? 'X' : op == AT_OP_READ ? 'R' : op == AT_OP_TEST ? 'T' : 'S';
}

/*
 * Lexes in and renders each command as NAME<op>[args] (op X exec, R read, T test, S set; an
 * S-register as S<n>), joined by ' '. Returns the lexer's error, or 0.
 */
static int lex_all(const char *in, char *out, size_t cap)
{
	char line[512];
	size_t len, pos = 0, o = 0;
	struct at_lex_cmd c;
	int rc;

	snprintf(line, sizeof(line), "%s", in);
	len = at_lex_strip(line, strlen(line));
	out[0] = '\0';
	while ((rc = at_lex_next(line, len, &pos, &c)) == 1) {
		o += (size_t)snprintf(out + o, cap - o, "%s%.*s%.*s%c[%.*s]", o ? " " : "",
				      (int)c.name.len, c.name.p, (int)c.sreg.len, c.sreg.p,
				      op_char(c.op), (int)c.args.len, c.args.p);
	}
	return rc;
}

static const struct {
	const char *in;
	int rc;
	const char *cmds;
} cases[] = {
	{ "", 0, "" }, /* bare AT */
	{ "E0", 0, "EX[0]" },
	{ "e0v1", 0, "EX[0] VX[1]" },
	{ "ATE0V1Q0X4", 0,
	  "AX[] TX[] EX[0] VX[1] QX[0] XX[4]" }, /* A and T are just letters here */
	{ "I", 0, "IX[]" },
	{ "I9", 0, "IX[9]" },
	{ "&C1&D0&K0", 0, "&CX[1] &DX[0] &KX[0]" },
	{ "&f", 0, "&FX[]" },
	{ "Z", 0, "ZX[]" },
	{ "S3?", 0, "S3R[]" },
	{ "S3=13", 0, "S3S[13]" },
	{ "s5=8E0", 0, "S5S[8] EX[0]" },
	{ "S3", -EINVAL, NULL },
	{ "S3=?", -EINVAL, NULL },
	{ "S3=", -EINVAL, NULL }, /* value required (deviation from V.250, see docs) */
	{ "+CMEE=2", 0, "+CMEES[2]" },
	{ "+cmee?", 0, "+CMEER[]" },
	{ "+CMEE=?", 0, "+CMEET[]" },
	{ "+CGMI", 0, "+CGMIX[]" },
	{ "+CMEE=2;+CGMI;E0", 0, "+CMEES[2] +CGMIX[] EX[0]" },
	{ "E0+CMEE=1", 0, "EX[0] +CMEES[1]" },
	{ "+USOST=0,\"a;b\",1", 0, "+USOSTS[0,\"a;b\",1]" },           /* ';' inside quotes */
	{ "+USECPRF=0,10,\"Ex Am\"", 0, "+USECPRFS[0,10,\"Ex Am\"]" }, /* quoted case/space kept */
	{ " + u s o c r = 6 , 5 ", 0, "+USOCRS[6,5]" }, /* spaces dropped outside quotes */
	{ "+U!%-./:_9?", 0, "+U!%-./:_9R[]" },
	{ "+", -EINVAL, NULL },
	{ "+CMEE?x", -EINVAL, NULL },
	{ "+CM#EE", -EINVAL, NULL },
	{ "+CMEE=\"abc", 0, "+CMEES[\"abc]" }, /* the tokenizer rejects it later */
	{ ";;E0;", 0, "EX[0]" },
	{ "&", -EINVAL, NULL },
	{ "&1", -EINVAL, NULL },
	{ "?", -EINVAL, NULL },
	{ "E?", -EINVAL, NULL },
	{ "D*99#;E0", 0, "DX[*99#] EX[0]" },
	{ "+ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456", -EINVAL, NULL }, /* name > AT_NAME_MAX */
};

static void test_lexer_table(void **state)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char got[512];
		int rc = lex_all(cases[i].in, got, sizeof(got));

		if (rc != cases[i].rc)
			fail_msg("case %zu \"%s\": rc %d want %d (got %s)", i, cases[i].in, rc,
				 cases[i].rc, got);
		if (rc == 0 && strcmp(got, cases[i].cmds) != 0)
			fail_msg("case %zu \"%s\": got \"%s\" want \"%s\"", i, cases[i].in, got,
				 cases[i].cmds);
	}
}

static void test_strip_keeps_quoted_spaces(void **state)
{
	char line[] = " +X = \"a b\" , 1 ";
	size_t n = at_lex_strip(line, strlen(line));

	assert_int_equal(n, strlen("+X=\"a b\",1"));
	assert_memory_equal(line, "+X=\"a b\",1", n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lexer_table),
		cmocka_unit_test(test_strip_keeps_quoted_spaces),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
