/* SPDX-License-Identifier: Apache-2.0 */
/* Base64 of GetPSK keys, JWT exp of API tokens, identity validation. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "codec.h"

static void test_b64_seed_key(void **state)
{
	/* The product page's GetPSK answer decodes to the PSK AT+USECPSK printed. */
	static const uint8_t want[16] = { 0xe5, 0xde, 0x45, 0xb3, 0x67, 0xdb, 0x69, 0x0f,
					  0x2e, 0x17, 0xcf, 0x9d, 0x80, 0xa1, 0x8e, 0x87 };
	const char *b64 = "5d5Fs2fbaQ8uF8+dgKGOhw==";
	uint8_t out[32];

	assert_int_equal(psks_b64_decode(b64, strlen(b64), false, out, sizeof(out)), 16);
	assert_memory_equal(out, want, 16);
}

static void test_b64_padding_lengths(void **state)
{
	uint8_t out[8];

	assert_int_equal(psks_b64_decode("YQ==", 4, false, out, sizeof(out)), 1);
	assert_int_equal(out[0], 'a');
	assert_int_equal(psks_b64_decode("YWI=", 4, false, out, sizeof(out)), 2);
	assert_int_equal(psks_b64_decode("YWJj", 4, false, out, sizeof(out)), 3);
	assert_int_equal(psks_b64_decode("YWI", 3, true, out, sizeof(out)), 2); /* url: no pad */
	assert_memory_equal(out, "ab", 2);
}

static void test_b64_rejects(void **state)
{
	uint8_t out[4];

	assert_int_equal(psks_b64_decode("Y", 1, false, out, sizeof(out)), -EINVAL);
	assert_int_equal(psks_b64_decode("Y!==", 4, false, out, sizeof(out)), -EINVAL);
	assert_int_equal(psks_b64_decode("a+/a", 4, true, out, sizeof(out)), -EINVAL);
	assert_int_equal(psks_b64_decode("YWJjZGVm", 8, false, out, sizeof(out)), -ENOSPC);
}

static void test_jwt_exp(void **state)
{
	/* {"alg":"none"} . {"iat":1700000000,"exp":1700003600} . sig */
	const char *tok =
		"eyJhbGciOiJub25lIn0.eyJpYXQiOjE3MDAwMDAwMDAsImV4cCI6MTcwMDAwMzYwMH0.c2ln";
	int64_t exp = 0;

	assert_int_equal(psks_jwt_exp(tok, &exp), 0);
	assert_int_equal(exp, 1700003600);
}

static void test_jwt_without_exp(void **state)
{
	int64_t exp = 0;

	/* {"sub":"x"} has no exp; opaque tokens are not JWTs at all. */
	assert_int_equal(psks_jwt_exp("eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.c2ln", &exp), -EINVAL);
	assert_int_equal(psks_jwt_exp("opaque-token", &exp), -EINVAL);
	assert_int_equal(psks_jwt_exp("a.b", &exp), -EINVAL);
	assert_int_equal(psks_jwt_exp("a.%%%.c", &exp), -EINVAL);
}

static void test_identity_validation(void **state)
{
	char max[65], over[67];

	memset(max, 'A', 64);
	max[64] = '\0';
	memset(over, 'A', 66);
	over[66] = '\0';
	assert_true(psks_identity_is_valid("11010008002F33244B115B0AEEB9", 28));
	assert_true(psks_identity_is_valid("ab", 2));
	assert_true(psks_identity_is_valid(max, 64));
	assert_false(psks_identity_is_valid(over, 66));
	assert_false(psks_identity_is_valid("", 0));
	assert_false(psks_identity_is_valid("ABC", 3));
	assert_false(psks_identity_is_valid("AB\"}", 4));
	assert_false(psks_identity_is_valid("AB\0D", 4));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_b64_seed_key),    cmocka_unit_test(test_b64_padding_lengths),
		cmocka_unit_test(test_b64_rejects),     cmocka_unit_test(test_jwt_exp),
		cmocka_unit_test(test_jwt_without_exp), cmocka_unit_test(test_identity_validation),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
