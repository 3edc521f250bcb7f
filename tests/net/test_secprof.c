/* SPDX-License-Identifier: Apache-2.0 */
/* Security profile data model (+USECPRF) and its NVM image. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "secprof.h"

static void test_factory_values(void **state)
{
	struct secprof_store *s = secprof_store_create();
	const struct secprof *p = secprof_store_get(s, 4);
	struct buf b;
	int v = -1;

	(void)state;
	assert_non_null(p);
	assert_null(secprof_store_get(s, 5));
	assert_int_equal(secprof_get_int(s, 0, SECPROF_OP_VERIFY, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(secprof_set_int(s, 4, SECPROF_OP_VERIFY, 3), 0);
	assert_int_equal(secprof_set_str(s, 4, SECPROF_OP_SNI, "example.com", 11), 0);
	assert_int_equal(secprof_cipher_set_legacy(s, 4, 12), 0);
	assert_int_equal(secprof_reset(s, 4), 0);
	assert_int_equal(p->verify, 0);
	assert_string_equal(p->sni, "");
	buf_init(&b, 0);
	assert_int_equal(secprof_cipher_format(s, 4, &b), 0);
	assert_string_equal(buf_cstr(&b), "0");
	buf_finish(&b);
	assert_int_equal(secprof_reset(s, 5), -EINVAL);
	assert_int_equal(secprof_reset(s, -1), -EINVAL);
	secprof_store_destroy(s);
	secprof_store_destroy(NULL);
}

static void test_legacy_cipher_map(void **state)
{
	(void)state;
	/* ubxlib's table: 1 = 0x002F ... 12 = 0x00AE ... 33 = 0xC030 */
	assert_int_equal(secprof_legacy_to_iana(1), 0x002f);
	assert_int_equal(secprof_legacy_to_iana(5), 0x000a);
	assert_int_equal(secprof_legacy_to_iana(12), 0x00ae);
	assert_int_equal(secprof_legacy_to_iana(16), 0x00a8);
	assert_int_equal(secprof_legacy_to_iana(30), 0xc02b);
	assert_int_equal(secprof_legacy_to_iana(33), 0xc030);
	assert_int_equal(secprof_legacy_to_iana(0), 0);
	assert_int_equal(secprof_legacy_to_iana(34), 0);
	for (int i = 1; i <= SECPROF_LEGACY_MAX; i++)
		assert_int_equal(secprof_iana_to_legacy(secprof_legacy_to_iana(i)), i);
	assert_int_equal(secprof_iana_to_legacy(0x1301), -1);
}

static void expect_cipher_read(struct secprof_store *s, int id, const char *want)
{
	struct buf b;

	buf_init(&b, 0);
	assert_int_equal(secprof_cipher_format(s, id, &b), 0);
	assert_string_equal(buf_cstr(&b), want);
	buf_finish(&b);
}

static void test_cipher_forms(void **state)
{
	struct secprof_store *s = secprof_store_create();
	const struct secprof *p = secprof_store_get(s, 0);

	(void)state;
	assert_int_equal(secprof_cipher_set_legacy(s, 0, 12), 0);
	expect_cipher_read(s, 0, "12");
	assert_int_equal(p->ciphers[0], 0x00ae);
	assert_int_equal(secprof_cipher_set_legacy(s, 0, 34), -EINVAL);
	assert_int_equal(secprof_cipher_set_iana(s, 0, 0xc02a), 0);
	expect_cipher_read(s, 0, "99,\"C02A\"");
	/* form 100 as ubxlib sends it: AT+USECPRF=0,2,100,"00","ae",0 */
	assert_int_equal(secprof_cipher_set_legacy(s, 0, 0), 0);
	assert_int_equal(secprof_cipher_list_edit(s, 0, 0x00ae, false), 0);
	assert_int_equal(secprof_cipher_list_edit(s, 0, 0xc02b, false), 0);
	assert_int_equal(secprof_cipher_list_edit(s, 0, 0xc02b, false), 0); /* no duplicate */
	expect_cipher_read(s, 0, "100,\"00AE;C02B\"");
	assert_int_equal(secprof_cipher_list_edit(s, 0, 0x00ae, true), 0);
	expect_cipher_read(s, 0, "100,\"C02B\"");
	assert_int_equal(secprof_cipher_list_edit(s, 0, 0x1234, true), -ENOENT);
	assert_int_equal(secprof_cipher_list_edit(s, 0, 0xc02b, true), 0);
	expect_cipher_read(s, 0, "0");
	for (unsigned i = 1; i <= SECPROF_CIPHERS_MAX; i++)
		assert_int_equal(secprof_cipher_list_edit(s, 0, (uint16_t)i, false), 0);
	assert_int_equal(secprof_cipher_list_edit(s, 0, 0xffff, false), -ENOSPC);
	secprof_store_destroy(s);
}

static void test_limits_and_readability(void **state)
{
	struct secprof_store *s = secprof_store_create();
	char name[SECPROF_NAME_MAX + 2];
	const char *str = NULL;
	const uint8_t *bytes = NULL;
	uint8_t psk[SECPROF_PSK_MAX + 1] = { 0 };
	size_t len = 0;

	(void)state;
	memset(name, 'n', sizeof(name));
	assert_int_equal(secprof_set_str(s, 1, SECPROF_OP_CA_NAME, name, SECPROF_NAME_MAX), 0);
	assert_int_equal(secprof_set_str(s, 1, SECPROF_OP_CA_NAME, name, SECPROF_NAME_MAX + 1),
			 -ENAMETOOLONG);
	assert_int_equal(secprof_get_str(s, 1, SECPROF_OP_CA_NAME, &str), 0);
	assert_int_equal(strlen(str), SECPROF_NAME_MAX);
	assert_int_equal(secprof_set_str(s, 1, SECPROF_OP_CA_NAME, "a\0b", 3), -EINVAL);
	assert_int_equal(secprof_set_int(s, 1, SECPROF_OP_VERIFY, 4), -EINVAL);
	assert_int_equal(secprof_set_int(s, 1, SECPROF_OP_TLS_MIN, 4), 0);
	assert_int_equal(secprof_set_int(s, 1, SECPROF_OP_TLS_MIN, 5), -EINVAL);
	assert_int_equal(secprof_set_int(s, 1, SECPROF_OP_CA_NAME, 1), -EINVAL);
	assert_int_equal(secprof_set_bytes(s, 1, SECPROF_OP_PSK, psk, SECPROF_PSK_MAX + 1),
			 -ENAMETOOLONG);
	assert_int_equal(secprof_set_bytes(s, 1, SECPROF_OP_PSK, psk, 16), 0);
	/* secrets are write-only; the identity reads back, binary-safe */
	assert_int_equal(secprof_get_bytes(s, 1, SECPROF_OP_PSK, &bytes, &len), -EACCES);
	assert_int_equal(secprof_set_str(s, 1, SECPROF_OP_PK_PASSWORD, "pw", 2), 0);
	assert_int_equal(secprof_get_str(s, 1, SECPROF_OP_PK_PASSWORD, &str), -EACCES);
	assert_int_equal(secprof_set_bytes(s, 1, SECPROF_OP_PSK_ID, (const uint8_t *)"i\0d", 3), 0);
	assert_int_equal(secprof_get_bytes(s, 1, SECPROF_OP_PSK_ID, &bytes, &len), 0);
	assert_int_equal(len, 3);
	assert_memory_equal(bytes, "i\0d", 3);
	assert_false(secprof_op_is_readable(7));
	assert_false(secprof_op_is_readable(8));
	assert_true(secprof_op_is_readable(9));
	assert_true(secprof_op_is_readable(14));
	assert_false(secprof_op_is_readable(15));
	assert_int_equal(secprof_set_pinning(s, 1, "pin", 3, 3), -EINVAL);
	assert_int_equal(secprof_set_resumption(s, 1, 3, 0, NULL, NULL), -EINVAL);
	secprof_store_destroy(s);
}

static void fill(struct secprof_store *s)
{
	static const uint8_t psk[4] = { 0, 1, 0xfe, 0xff };

	assert_int_equal(secprof_set_int(s, 0, SECPROF_OP_VERIFY, 2), 0);
	assert_int_equal(secprof_set_int(s, 0, SECPROF_OP_TLS_MIN, 3), 0);
	assert_int_equal(secprof_cipher_list_edit(s, 0, 0x00ae, false), 0);
	assert_int_equal(secprof_cipher_list_edit(s, 0, 0x1301, false), 0);
	assert_int_equal(secprof_set_str(s, 0, SECPROF_OP_CA_NAME, "root ca", 7), 0);
	assert_int_equal(secprof_set_str(s, 0, SECPROF_OP_HOSTNAME, "h.example", 9), 0);
	assert_int_equal(secprof_set_str(s, 0, SECPROF_OP_CC_NAME, "cc", 2), 0);
	assert_int_equal(secprof_set_str(s, 0, SECPROF_OP_PK_NAME, "pk", 2), 0);
	assert_int_equal(secprof_set_str(s, 0, SECPROF_OP_PK_PASSWORD, "sec ret", 7), 0);
	assert_int_equal(secprof_set_bytes(s, 0, SECPROF_OP_PSK, psk, sizeof(psk)), 0);
	assert_int_equal(secprof_set_bytes(s, 0, SECPROF_OP_PSK_ID, psk, 3), 0);
	assert_int_equal(secprof_set_str(s, 0, SECPROF_OP_SNI, "sni", 3), 0);
	assert_int_equal(secprof_set_int(s, 3, SECPROF_OP_ROT_PSK, 1), 0);
	assert_int_equal(secprof_set_pinning(s, 3, "pin", 3, 2), 0);
	assert_int_equal(secprof_set_resumption(s, 3, 0, 1, NULL, NULL), 0);
	assert_int_equal(secprof_set_resumption(s, 3, 2, 0, "c2lk", "a2V5"), 0);
	assert_int_equal(secprof_set_int(s, 4, SECPROF_OP_DEVICE_CERT, 2), 0);
	assert_int_equal(secprof_cipher_set_legacy(s, 4, 33), 0);
}

static void test_nvm_round_trip(void **state)
{
	struct secprof_store *a = secprof_store_create(), *b = secprof_store_create();
	struct buf img;

	(void)state;
	fill(a);
	buf_init_secret(&img, 0);
	assert_int_equal(secprof_format(a, &img), 0);
	assert_int_equal(strncmp((const char *)img.data, "ukms-secprof 1\n", 15), 0);
	assert_int_equal(secprof_parse(b, img.data, img.len), 0);
	for (int id = 0; id < SECPROF_COUNT; id++)
		assert_memory_equal(secprof_store_get(a, id), secprof_store_get(b, id),
				    sizeof(struct secprof));
	expect_cipher_read(b, 0, "100,\"00AE;1301\"");
	expect_cipher_read(b, 4, "33");
	buf_finish(&img);
	secprof_store_destroy(a);
	secprof_store_destroy(b);
}

static void test_nvm_garbage_rejected(void **state)
{
	struct secprof_store *s = secprof_store_create();
	static const char *const bad[] = {
		"",
		"ukms-secprof 2\n",
		"ukms-secprof 1\n0 verify 9\n",
		"ukms-secprof 1\n5 verify 1\n",
		"ukms-secprof 1\n0 nosuchkey 1\n",
		"ukms-secprof 1\n0 ca 6\n",
		"ukms-secprof 1\n0 ca 610062\n",
		"ukms-secprof 1\n0 verify\n",
		"ukms-secprof 1\n0 cipher ZZ\n",
	};

	(void)state;
	fill(s);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(secprof_parse(s, bad[i], strlen(bad[i])), -EINVAL);
	/* unchanged by the failed loads */
	assert_int_equal(secprof_store_get(s, 0)->verify, 2);
	assert_string_equal(secprof_store_get(s, 0)->ca_name, "root ca");
	secprof_store_destroy(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_factory_values),
		cmocka_unit_test(test_legacy_cipher_map),
		cmocka_unit_test(test_cipher_forms),
		cmocka_unit_test(test_limits_and_readability),
		cmocka_unit_test(test_nvm_round_trip),
		cmocka_unit_test(test_nvm_garbage_rejected),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
