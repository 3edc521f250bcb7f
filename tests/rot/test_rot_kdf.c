/* SPDX-License-Identifier: Apache-2.0 */
/* PSKIdentity codec and PSK derivation: round trips, tamper rejection, lengths, 10k counters. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/core_names.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include "hex.h"
#include "rot/platform.h"
#include "rot/rot.h"

static const uint8_t demo_uid[ROT_UID_LEN] = { 0x0A, 0x04, 0xF0, 0x08, 0x00, 0x3C, 0x96, 0x23 };

static int setup(void **state)
{
	struct platform *p = platform_load_default();

	*state = p;
	return p != NULL ? 0 : -1;
}

static int teardown(void **state)
{
	platform_destroy(*state);
	return 0;
}

static void demo_device(const struct platform *p, struct rot_device *dev)
{
	assert_int_equal(rot_device_init(platform_secret(p), demo_uid, dev), 0);
}

static void test_make_format_parse(void **state)
{
	struct rot_device dev;
	struct rot_identity id, back;
	struct rot_psk psk;
	char hex[ROT_IDENTITY_HEX + 1];

	demo_device(*state, &dev);
	assert_int_equal(rot_generate(&dev, 0x01020304, 16, &id, &psk), 0);
	assert_memory_equal(id.bytes, rot_identity_header, 4);
	assert_memory_equal(id.bytes + 4, dev.ref, ROT_REF_LEN);
	assert_int_equal(rot_identity_counter(&id), 0x01020304);
	assert_int_equal(rot_identity_format(&id, hex, sizeof(hex)), 0);
	assert_int_equal(strlen(hex), 28);
	for (size_t i = 0; i < 28; i++)
		assert_true((hex[i] >= '0' && hex[i] <= '9') || (hex[i] >= 'A' && hex[i] <= 'F'));
	assert_memory_equal(hex, "11010008", 8);
	assert_memory_equal(hex + 16, "01020304", 8);
	assert_int_equal(rot_identity_parse(hex, 28, &back), 0);
	assert_memory_equal(back.bytes, id.bytes, ROT_IDENTITY_LEN);
	for (size_t i = 0; i < 28; i++) /* lower case is accepted too */
		if (hex[i] >= 'A' && hex[i] <= 'F')
			hex[i] = (char)(hex[i] - 'A' + 'a');
	assert_int_equal(rot_identity_parse(hex, 28, &back), 0);
	assert_memory_equal(back.bytes, id.bytes, ROT_IDENTITY_LEN);
	assert_int_equal(rot_identity_check(&dev.key, &id, 0, NULL), 0);
	assert_int_equal(rot_identity_format(&id, hex, 28), -ENOSPC);
	rot_psk_clear(&psk);
	rot_device_clear(&dev);
}

static void test_parse_rejects(void **state)
{
	static const char *const bad[] = {
		"",
		"11010008DC20FEAD000000016575A", /* 29 chars */
		"11010008DC20FEAD00000001657",   /* 27 chars */
		"11010008DC20FEAD0000000165G5",  /* non-hex */
		"21010008DC20FEAD000000016575",  /* header byte 0 */
		"11010009DC20FEAD000000016575",  /* header byte 3 */
		"11010008DC20FEAD00000001657 ",  /* space */
	};
	struct rot_identity id;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(rot_identity_parse(bad[i], strlen(bad[i]), &id), -EINVAL);
	assert_int_equal(rot_identity_parse(NULL, 28, &id), -EINVAL);
	assert_int_equal(rot_identity_parse("11010008DC20FEAD000000016575", 28, &id), 0);
}

/* Every one of the 28 hex digits changed: never resolves, and the tag never verifies. */
static void test_flipped_digits(void **state)
{
	const struct platform *p = *state;
	struct rot_device dev;
	struct rot_identity id, bad;
	struct rot_psk psk;
	char hex[ROT_IDENTITY_HEX + 1];
	struct platform_device dd, *d = &dd;

	demo_device(p, &dev);
	assert_int_equal(rot_generate(&dev, 7, 16, &id, &psk), 0);
	rot_psk_clear(&psk);
	assert_int_equal(rot_identity_format(&id, hex, sizeof(hex)), 0);
	assert_int_equal(platform_resolve(p, &id, d), 0);
	assert_memory_equal(d->uid, demo_uid, ROT_UID_LEN);
	for (size_t i = 0; i < ROT_IDENTITY_HEX; i++) {
		char copy[ROT_IDENTITY_HEX + 1];
		int v = hex_nibble(hex[i]);

		memcpy(copy, hex, sizeof(copy));
		copy[i] = "0123456789ABCDEF"[(v + 1) % 16];
		int rc = rot_identity_parse(copy, ROT_IDENTITY_HEX, &bad);

		if (i < 8) {
			assert_int_equal(rc, -EINVAL);
			continue;
		}
		assert_int_equal(rc, 0);
		assert_int_equal(platform_resolve(p, &bad, NULL), -ENOENT);
		assert_int_equal(rot_identity_check(&dev.key, &bad, 0, NULL), -EBADMSG);
	}
	rot_device_clear(&dev);
}

static void test_counters_and_lengths(void **state)
{
	struct rot_device dev;
	struct rot_identity a, b;
	struct rot_psk p16, p32, again;

	demo_device(*state, &dev);
	assert_int_equal(rot_generate(&dev, 0, 16, &a, &p16), 0);
	assert_int_equal(rot_identity_counter(&a), 0);
	assert_int_equal(rot_generate(&dev, UINT32_MAX, 32, &b, &p32), 0);
	assert_int_equal(rot_identity_counter(&b), UINT32_MAX);
	assert_int_equal(p16.len, 16);
	assert_int_equal(p32.len, 32);
	/* Same identity, both lengths: the 16-byte PSK is not a prefix of the 32-byte one. */
	assert_int_equal(rot_identity_check(&dev.key, &a, 32, &p32), 0);
	assert_memory_not_equal(p16.bytes, p32.bytes, 16);
	/* Deterministic. */
	assert_int_equal(rot_identity_check(&dev.key, &a, 16, &again), 0);
	assert_memory_equal(again.bytes, p16.bytes, 16);
	/* Different counters give different identities and PSKs. */
	assert_int_equal(rot_generate(&dev, 1, 16, &b, &again), 0);
	assert_memory_not_equal(a.bytes, b.bytes, ROT_IDENTITY_LEN);
	assert_memory_not_equal(again.bytes, p16.bytes, 16);
	assert_int_equal(rot_identity_check(&dev.key, &a, 24, &again), -EINVAL);
	assert_int_equal(rot_generate(&dev, 1, 0, &b, &again), -EINVAL);
	rot_psk_clear(&p16);
	assert_int_equal(p16.len, 0);
	rot_device_clear(&dev);
}

/* HKDF-Expand through OpenSSL's own HKDF (EXPAND_ONLY): the reference for a PSK. */
static void evp_hkdf_expand(const struct rot_key *prk, const uint8_t *info, size_t info_len,
			    uint8_t *out, size_t out_len)
{
	EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
	EVP_KDF_CTX *ctx = kdf != NULL ? EVP_KDF_CTX_new(kdf) : NULL;
	OSSL_PARAM p[5] = {
		OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)"SHA256", 0),
		OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_MODE, (char *)"EXPAND_ONLY", 0),
		OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)prk->bytes,
						  sizeof(prk->bytes)),
		OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)info, info_len),
		OSSL_PARAM_construct_end(),
	};

	assert_non_null(ctx);
	assert_int_equal(EVP_KDF_derive(ctx, out, out_len, p), 1);
	EVP_KDF_CTX_free(ctx);
	EVP_KDF_free(kdf);
}

/*
 * The PSK's one-block HKDF-Expand is computed as HMAC(K_dev, info || 0x01) on the context the
 * tag was keyed on (docs/rot-derivation.md): the bytes equal EVP_KDF HKDF's, at both lengths,
 * for many identities, on both paths that derive it (device side rot_generate, platform side
 * rot_identity_check).
 */
static void test_psk_is_hkdf_expand(void **state)
{
	static const char label[] = "ukms-v1 psk";
	uint8_t info[sizeof(label) - 1 + 2 + ROT_IDENTITY_LEN], want[32];
	struct rot_device dev;
	struct rot_identity id;
	struct rot_psk psk, check;
	size_t n = sizeof(label) - 1;

	demo_device(*state, &dev);
	memcpy(info, label, n);
	for (uint32_t counter = 0; counter < 200; counter++) {
		for (size_t len = 16; len <= 32; len += 16) {
			assert_int_equal(rot_generate(&dev, counter * 7919u, len, &id, &psk), 0);
			info[n] = 0x00;
			info[n + 1] = (uint8_t)len;
			memcpy(info + n + 2, id.bytes, ROT_IDENTITY_LEN);
			evp_hkdf_expand(&dev.key, info, sizeof(info), want, len);
			assert_int_equal(psk.len, len);
			assert_memory_equal(psk.bytes, want, len);
			assert_int_equal(rot_identity_check(&dev.key, &id, len, &check), 0);
			assert_int_equal(check.len, len);
			assert_memory_equal(check.bytes, want, len);
		}
	}
	rot_psk_clear(&psk);
	rot_psk_clear(&check);
	rot_device_clear(&dev);
}

/*
 * rot_identity_check refuses a wrong tag or a wrong key and then hands out no PSK (wiped: all
 * zero, length 0), and refuses lengths other than 16 and 32; without a PSK it is the tag check.
 */
static void test_identity_check(void **state)
{
	static const struct rot_psk zero;
	struct rot_device dev, other;
	struct rot_identity id, bad;
	struct rot_psk psk;

	demo_device(*state, &dev);
	other = dev;
	other.key.bytes[0] ^= 0x01;
	assert_int_equal(rot_generate(&dev, 42, 32, &id, &psk), 0);
	assert_int_equal(rot_identity_check(&dev.key, &id, 0, NULL), 0);
	for (size_t i = 0; i < ROT_IDENTITY_LEN; i++) {
		bad = id;
		bad.bytes[i] ^= 0x80;
		memset(&psk, 0xA5, sizeof(psk));
		assert_int_equal(rot_identity_check(&dev.key, &bad, 16, &psk), -EBADMSG);
		assert_memory_equal(&psk, &zero, sizeof(psk));
	}
	memset(&psk, 0xA5, sizeof(psk));
	assert_int_equal(rot_identity_check(&other.key, &id, 32, &psk), -EBADMSG);
	assert_memory_equal(&psk, &zero, sizeof(psk));
	assert_int_equal(rot_identity_check(&other.key, &id, 0, NULL), -EBADMSG);
	memset(&psk, 0xA5, sizeof(psk));
	assert_int_equal(rot_identity_check(&dev.key, &id, 24, &psk), -EINVAL);
	assert_memory_equal(&psk, &zero, sizeof(psk));
	rot_device_clear(&dev);
	rot_device_clear(&other);
}

/* The device ref and key match the separately exported helpers, and differ per device. */
static void test_device_material(void **state)
{
	const struct platform *p = *state;
	const uint8_t other[ROT_UID_LEN] = { 0x00, 0x02, 0x00, 0x00, 0x89, 0x28, 0x22, 0x45 };
	struct rot_device a, b;
	struct rot_key k;
	uint8_t ref[ROT_REF_LEN];

	demo_device(p, &a);
	assert_int_equal(rot_device_init(platform_secret(p), other, &b), 0);
	assert_int_equal(rot_device_key(platform_secret(p), demo_uid, &k), 0);
	assert_memory_equal(k.bytes, a.key.bytes, ROT_KEY_LEN);
	assert_int_equal(rot_device_ref(platform_secret(p), demo_uid, ref), 0);
	assert_memory_equal(ref, a.ref, ROT_REF_LEN);
	assert_memory_not_equal(a.key.bytes, b.key.bytes, ROT_KEY_LEN);
	assert_memory_not_equal(a.ref, b.ref, ROT_REF_LEN);
	rot_key_clear(&k);
	rot_device_clear(&a);
	rot_device_clear(&b);
}

/*
 * rot_platform_subkey is RFC 5869 HKDF-SHA256 over the platform secret: the expected bytes were
 * computed with Python's hmac module. The inputs are those of fakeapi's token signing key, whose
 * bytes must not change (tokens issued before an upgrade keep verifying).
 */
static void test_platform_subkey(void **state)
{
	uint8_t secret[ROT_SECRET_LEN], key[32], expect[32];

	(void)state;
	for (size_t i = 0; i < sizeof(secret); i++)
		secret[i] = (uint8_t)i;
	assert_int_equal(
		hex_decode("4cdb32f8060f312dade5b1a42b9756561cbed1df4dd30dd21c9b64d5c20f5a4c", 64,
			   expect, sizeof(expect)),
		32);
	assert_int_equal(rot_platform_subkey(secret, "ukms-fakeapi", "ukms-fakeapi token key", key,
					     sizeof(key)),
			 0);
	assert_memory_equal(key, expect, sizeof(key));
	assert_int_equal(
		rot_platform_subkey(secret, "ukms-fakeapi", "another label", key, sizeof(key)), 0);
	assert_memory_not_equal(key, expect, sizeof(key));
}

static void round_trip(const struct platform *p, const struct platform_device *d, size_t len)
{
	struct rot_device dev;
	struct rot_identity id;
	struct rot_psk psk, derived;
	struct platform_device got;

	assert_int_equal(platform_device_rot(p, d, &dev), 0);
	for (uint32_t c = 0; c < 10000; c++) {
		uint32_t counter = c * 429497u + (c & 1); /* spread over the 32-bit range */

		assert_int_equal(rot_generate(&dev, counter, len, &id, &psk), 0);
		memset(&got, 0, sizeof(got));
		assert_int_equal(platform_derive_psk(p, &id, len, &got, &derived), 0);
		assert_memory_equal(&got, d, sizeof(got));
		assert_int_equal(derived.len, len);
		assert_memory_equal(derived.bytes, psk.bytes, len);
	}
	rot_device_clear(&dev);
}

static void test_round_trip_16(void **state)
{
	const struct platform *p = *state;

	round_trip(p, platform_device_at(p, 0), 16);
}

static void test_round_trip_32(void **state)
{
	const struct platform *p = *state;

	round_trip(p, platform_device_at(p, platform_device_count(p) - 1), 32);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_make_format_parse),
		cmocka_unit_test(test_parse_rejects),
		cmocka_unit_test(test_flipped_digits),
		cmocka_unit_test(test_counters_and_lengths),
		cmocka_unit_test(test_psk_is_hkdf_expand),
		cmocka_unit_test(test_identity_check),
		cmocka_unit_test(test_device_material),
		cmocka_unit_test(test_platform_subkey),
		cmocka_unit_test(test_round_trip_16),
		cmocka_unit_test(test_round_trip_32),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
