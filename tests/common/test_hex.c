/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "hex.h"

static void test_decode_table(void **state)
{
	static const struct {
		const char *in;
		int rc;
		const char *bytes;
	} cases[] = {
		{ "", 0, "" },
		{ "00", 1, "\x00" },
		{ "aBcD", 2, "\xab\xcd" },
		{ "0A04F008003C9623", 8, "\x0a\x04\xf0\x08\x00\x3c\x96\x23" },
		{ "0", -EINVAL, NULL },  /* odd length */
		{ "0g", -EINVAL, NULL }, /* not a digit */
		{ "0 ", -EINVAL, NULL }, /* space */
		{ "@0", -EINVAL, NULL }, /* the char before '0'... */
		{ "G0", -EINVAL, NULL }, /* ...and after 'F' */
		{ "`a", -EINVAL, NULL }, /* before 'a' */
		{ "11223344556677889900", -ENOSPC, NULL },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t out[8];
		int rc = hex_decode(cases[i].in, strlen(cases[i].in), out, sizeof(out));

		assert_int_equal(rc, cases[i].rc);
		if (rc > 0)
			assert_memory_equal(out, cases[i].bytes, (size_t)rc);
	}
}

static void test_encode_upper_roundtrip(void **state)
{
	uint8_t all[256], back[256];
	char text[513];

	(void)state;
	for (int i = 0; i < 256; i++)
		all[i] = (uint8_t)i;
	assert_int_equal(hex_encode(all, sizeof(all), text, sizeof(text)), 512);
	for (const char *c = "abcdef"; *c != '\0'; c++)
		assert_null(strchr(text, *c)); /* upper case only */
	assert_int_equal(hex_decode(text, 512, back, sizeof(back)), 256);
	assert_memory_equal(all, back, 256);
	assert_int_equal(hex_encode(all, 4, text, 8), -ENOSPC); /* no room for the NUL */
}

static void test_nibble_bounds(void **state)
{
	(void)state;
	for (int c = 0; c < 256; c++) {
		int v = hex_nibble((char)c);
		int want = (c >= '0' && c <= '9')   ? c - '0'
			   : (c >= 'a' && c <= 'f') ? c - 'a' + 10
			   : (c >= 'A' && c <= 'F') ? c - 'A' + 10
						    : -1;

		assert_int_equal(v, want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_table),
		cmocka_unit_test(test_encode_upper_roundtrip),
		cmocka_unit_test(test_nibble_bounds),
	};
	return cmocka_run_group_tests_name("hex", tests, NULL, NULL);
}
