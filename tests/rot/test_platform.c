/* SPDX-License-Identifier: Apache-2.0 */
/* Platform file: the demo platform, strict validation messages, round trip, mutations. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "afile.h"
#include "buf.h"
#include "compiler.h"
#include "platform_priv.h"
#include "rot/platform.h"
#include "rot/rot.h"

#define SECRET                                                                                     \
	"\"platform_secret\":\"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\""
#define ACC(n, k) "{\"name\":\"" n "\",\"api_key\":\"" k "\",\"api_secret\":\"s3cr3t\"}"
#define DEVX(uid, imei, extra)                                                                     \
	"{\"rot_uid\":\"" uid "\",\"imei\":\"" imei "\",\"imsi\":\"001010000000001\","             \
	"\"iccid\":\"8900101000000000019\",\"model\":\"SARA-R510M8S\",\"account\":\"a\"" extra "}"
#define DEV(uid, imei) DEVX(uid, imei, "")
#define DOCV(ver, acc, dev)                                                                        \
	"{\"version\":" ver "," SECRET ",\"accounts\":[" acc "],\"devices\":[" dev "]}"
#define DOC(acc, dev) DOCV("1", acc, dev)
#define A0            ACC("a", "k1")
#define D0            DEV("0A04F00800000001", "352753090000017")
#define D1            DEV("0A04F00800000002", "352753090000025")

struct bad_case {
	const char *json;
	const char *msg; /* expected substring of the error */
};

static const struct bad_case bad_cases[] = {
	{ "{", "invalid JSON" },
	{ "[]", "expected an object" },
	{ "{\"version\":1}", "platform_secret: missing" },
	{ DOCV("2", A0, D0), "version: unsupported version 2, this build reads 1" },
	{ DOCV("\"1\"", A0, D0), "version: expected an integer" },
	{ DOCV("1.5", A0, D0), "version: expected an integer" },
	{ "{" SECRET ",\"accounts\":[],\"devices\":[]}", "version: missing" },
	{ "{\"version\":1,\"platform_secret\":\"00\",\"accounts\":[],\"devices\":[]}",
	  "platform_secret: expected 64 hex chars" },
	{ "{\"version\":1," SECRET ",\"accounts\":{},\"devices\":[]}",
	  "accounts: expected an array" },
	{ "{\"version\":1," SECRET ",\"accounts\":[],\"devices\":[],\"x\":1}", "x: unknown field" },
	{ "{\"version\":1,\"version\":1," SECRET ",\"accounts\":[],\"devices\":[]}",
	  "version: duplicate field" },
	{ DOC("{\"name\":\"a\",\"api_secret\":\"s\"}", ""), "accounts[0].api_key: missing" },
	{ DOC("{\"name\":\"a\",\"name\":\"b\",\"api_key\":\"k\",\"api_secret\":\"s\"}", ""),
	  "accounts[0].name: duplicate field" },
	{ DOC("{\"name\":\"\",\"api_key\":\"k\",\"api_secret\":\"s\"}", ""),
	  "accounts[0].name: expected" },
	{ DOC("{\"name\":\"a\",\"api_key\":\"k k\",\"api_secret\":\"s\"}", ""),
	  "accounts[0].api_key: expected" },
	{ DOC(A0 "," ACC("a", "k2"), ""), "accounts[1].name: duplicate of accounts[0].name" },
	{ DOC(A0 "," ACC("b", "k1"), ""), "accounts[1].api_key: duplicate of accounts[0].api_key" },
	{ DOC(A0 ",{\"name\":\"b\",\"api_key\":\"k2\",\"api_secret\":\"s\",\"role\":1}", ""),
	  "accounts[1].role: unknown field" },
	{ DOC(A0, "3"), "devices[0]: expected an object" },
	{ DOC(A0, D0 "," DEV("0A04F00800000001", "352753090000025")),
	  "devices[1].rot_uid: duplicate of devices[0].rot_uid" },
	{ DOC(A0, D0 "," DEV("0a04f00800000001", "352753090000025")),
	  "devices[1].rot_uid: duplicate of devices[0].rot_uid" },
	{ DOC(A0, D0 "," DEV("0A04F00800000002", "352753090000017")),
	  "devices[1].imei: duplicate of devices[0].imei" },
	{ DOC(A0, D0 "," D1 "," DEV("0A04F00800000002", "352753090000033")),
	  "devices[2].rot_uid: duplicate of devices[1].rot_uid" },
	{ DOC(A0, DEV("0A04F0080000001", "352753090000017")),
	  "devices[0].rot_uid: expected 16 hex" },
	{ DOC(A0, DEV("0A04F0080000000G", "352753090000017")),
	  "devices[0].rot_uid: expected 16 hex" },
	{ DOC(A0, D0 "," D1 "," DEV("0A04F00800000003", "35275309000003")),
	  "devices[2].imei: expected 15 digits" },
	{ DOC(A0, DEV("0A04F00800000003", "35275309000003A")),
	  "devices[0].imei: expected 15 digits" },
	{ DOC(A0, "{\"rot_uid\":\"0A04F00800000001\",\"imei\":352753090000017}"),
	  "devices[0].imei: expected a string" },
	{ DOC(A0,
	      "{\"rot_uid\":\"0A04F00800000001\",\"imei\":\"352753090000017\",\"imsi\":\"00101\"}"),
	  "devices[0].imsi: expected 15 digits" },
	{ DOC(A0, "{\"rot_uid\":\"0A04F00800000001\",\"imei\":\"352753090000017\","
		  "\"imsi\":\"001010000000001\",\"iccid\":\"890010100000000001\"}"),
	  "devices[0].iccid: expected 19 or 20 digits" },
	{ DOC(A0, "{\"rot_uid\":\"0A04F00800000001\",\"imei\":\"352753090000017\","
		  "\"imsi\":\"001010000000001\",\"iccid\":\"8900101000000000019\",\"model\":\"\"}"),
	  "devices[0].model: expected 1-32" },
	{ DOC(A0, "{\"rot_uid\":\"0A04F00800000001\",\"imei\":\"352753090000017\","
		  "\"imsi\":\"001010000000001\",\"iccid\":\"8900101000000000019\","
		  "\"model\":\"SARA-R510M8S-0123456789012345678901\"}"),
	  "devices[0].model: expected 1-32" },
	{ DOC(A0,
	      "{\"rot_uid\":\"0A04F00800000001\",\"imei\":\"352753090000017\","
	      "\"imsi\":\"001010000000001\",\"iccid\":\"8900101000000000019\",\"model\":\"X\"}"),
	  "devices[0].account: missing" },
	{ DOC(A0, "{\"rot_uid\":\"0A04F00800000001\",\"imei\":\"352753090000017\","
		  "\"imsi\":\"001010000000001\",\"iccid\":\"8900101000000000019\",\"model\":\"X\","
		  "\"account\":\"zz\"}"),
	  "devices[0].account: unknown account \"zz\"" },
	{ DOC(A0, DEVX("0A04F00800000001", "352753090000017", ",\"sealed\":\"yes\"")),
	  "devices[0].sealed: expected true or false" },
	{ DOC(A0, DEVX("0A04F00800000001", "352753090000017", ",\"psk_provisioning\":1")),
	  "devices[0].psk_provisioning: expected true or false" },
	{ DOC(A0, DEVX("0A04F00800000001", "352753090000017", ",\"colour\":\"red\"")),
	  "devices[0].colour: unknown field" },
	{ DOC(A0, DEVX("0A04F00800000001", "352753090000017", ",\"sealed\":true,\"sealed\":true")),
	  "devices[0].sealed: duplicate field" },
};

static void test_bad_inputs(void **state)
{
	char err[256];

	for (size_t i = 0; i < ARRAY_LEN(bad_cases); i++) {
		const struct bad_case *c = &bad_cases[i];
		struct platform *p = platform_parse(c->json, strlen(c->json), err, sizeof(err));

		if (p != NULL || strstr(err, c->msg) == NULL)
			fail_msg("case %zu: expected '%s', got %s '%s'", i, c->msg,
				 p ? "success" : "error", err);
	}
}

/* A file one byte over the cap is refused with the cap in the message, nothing parsed. */
static void test_file_too_large(void **state)
{
	char dir[] = "/tmp/ukms-test-platform-XXXXXX", path[128], err[256] = "";
	int fd;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/big.json", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)PLATFORM_FILE_MAX + 1), 0);
	close(fd);
	assert_null(platform_load(path, err, sizeof(err)));
	assert_non_null(strstr(err, "big.json: larger than 64 MiB"));
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0);
}

static void test_minimal_ok(void **state)
{
	static const char json[] = DOC(A0, D0 "," DEVX("0a04f00800000002", "352753090000025",
						       ",\"sealed\":false,\"bootstrapped\":false"));
	char err[256] = "";
	struct platform *p = platform_parse(json, strlen(json), err, sizeof(err));
	const struct platform_device *d;

	assert_non_null(p);
	assert_string_equal(err, "");
	assert_int_equal(platform_device_count(p), 2);
	d = platform_device_at(p, 0);
	assert_true(d->psk_provisioning && d->sealed && d->bootstrapped); /* defaults */
	d = platform_device_at(p, 1);
	assert_string_equal(d->uid_hex, "0A04F00800000002"); /* upper-cased */
	assert_true(d->psk_provisioning && !d->sealed && !d->bootstrapped);
	assert_int_equal(platform_secret(p)[31], 0x1f);
	assert_null(platform_device_at(p, 2));
	platform_destroy(p);
	platform_destroy(NULL);
}

static void test_default_platform(void **state)
{
	static const char text[] = "ukms public demo platform - not a secret";
	uint8_t digest[32];
	unsigned dlen = 0;
	struct platform *p = platform_load_default();
	const struct platform_device *d;
	const struct platform_account *a;

	assert_non_null(p);
	assert_int_equal(EVP_Digest(text, strlen(text), digest, &dlen, EVP_sha256(), NULL), 1);
	assert_memory_equal(platform_secret(p), digest, 32);
	assert_int_equal(platform_device_count(p), 13);
	assert_int_equal(platform_account_count(p), 2);
	d = platform_device_at(p, 0);
	assert_string_equal(d->uid_hex, "0A04F008003C9623");
	assert_string_equal(d->model, "SARA-R510M8S");
	assert_string_equal(d->imei, "352753090000017");
	d = platform_find_device(p, "0002000089282245");
	assert_non_null(d);
	assert_string_equal(d->model, "SARA-R500S");
	assert_string_equal(d->iccid, "8900101000000000027");
	assert_ptr_equal(platform_find_device(p, "352753090000025"), d);
	assert_ptr_equal(platform_find_device(p, "0a04f008003c9623"), platform_device_at(p, 0));
	assert_null(platform_find_device(p, "352753090000026"));
	assert_null(platform_find_device(p, "0A04F008003C96"));
	assert_false(platform_find_device(p, "0A04F0080000000B")->sealed);
	assert_false(platform_find_device(p, "0A04F0080000000C")->psk_provisioning);
	assert_string_equal(platform_find_device(p, "0A04F0080000000D")->account, "other");
	assert_string_equal(platform_find_model(p, "lara-r6")->uid_hex, "0A04F0080000000A");
	a = platform_find_api_key(p, "11111111-2222-4333-8444-555555555555");
	assert_non_null(a);
	assert_string_equal(a->name, "demo");
	assert_string_equal(a->api_secret, "ukmsDemoSecretNotSecretPublic001");
	assert_string_equal(platform_find_account(p, "other")->api_secret,
			    "ukmsOtherAccountSecretPublic0002");
	assert_null(platform_find_account(p, "nobody"));
	platform_destroy(p);
}

/* docs/platform-file.md documents the built-in platform byte for byte. */
static void test_default_documented(void **state)
{
	const char *root = getenv("UKMS_SOURCE_ROOT");
	char path[4096];
	struct buf b;

	if (root == NULL)
		skip();
	snprintf(path, sizeof(path), "%s/docs/platform-file.md", root);
	buf_init(&b, 1 << 20);
	assert_int_equal(afile_read(path, &b), 0);
	assert_non_null(strstr(buf_cstr(&b), platform_default_json()));
	buf_finish(&b);
}

static void assert_same_platform(const struct platform *a, const struct platform *b)
{
	assert_memory_equal(platform_secret(a), platform_secret(b), ROT_SECRET_LEN);
	assert_int_equal(platform_device_count(a), platform_device_count(b));
	assert_int_equal(platform_account_count(a), platform_account_count(b));
	for (size_t i = 0; i < platform_device_count(a); i++)
		assert_memory_equal(platform_device_at(a, i), platform_device_at(b, i),
				    sizeof(struct platform_device));
	for (size_t i = 0; i < platform_account_count(a); i++)
		assert_memory_equal(platform_account_at(a, i), platform_account_at(b, i),
				    sizeof(struct platform_account));
}

static void test_format_round_trip(void **state)
{
	struct platform *p = platform_load_default(), *q;
	char err[256];
	char *t1, *t2;

	t1 = platform_format(p);
	assert_non_null(t1);
	q = platform_parse(t1, strlen(t1), err, sizeof(err));
	assert_non_null(q);
	assert_same_platform(p, q);
	t2 = platform_format(q);
	assert_string_equal(t1, t2);
	free(t1);
	free(t2);
	platform_destroy(p);
	platform_destroy(q);
}

static bool luhn_ok(const char *s)
{
	size_t len = strlen(s);
	unsigned sum = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned d = (unsigned)(s[len - 1 - i] - '0');

		if (i % 2 == 1)
			d = d * 2 > 9 ? d * 2 - 9 : d * 2;
		sum += d;
	}
	return sum % 10 == 0;
}

static void test_generate_save_load(void **state)
{
	static const char *const models[] = { "SARA-R510M8S", "SARA-R422S", "SARA-R410M-63B",
					      "LARA-R6" };
	char dir[] = "/tmp/ukms-test-platform-XXXXXX", path[128], err[256];
	struct platform *p = platform_generate(), *q;
	const struct platform_account *a;
	struct stat st;

	assert_non_null(p);
	assert_int_equal(platform_device_count(p), 4);
	for (size_t i = 0; i < 4; i++) {
		const struct platform_device *d = platform_device_at(p, i);

		assert_string_equal(d->model, models[i]);
		assert_int_equal(strlen(d->imei), 15);
		assert_true(luhn_ok(d->imei));
		assert_true(luhn_ok(d->iccid));
		assert_string_equal(d->account, platform_account_at(p, 0)->name);
	}
	a = platform_account_at(p, 0);
	assert_int_equal(strlen(a->api_key), 36);
	assert_int_equal(a->api_key[14], '4');
	assert_non_null(strchr("89ab", a->api_key[19]));
	assert_int_equal(strlen(a->api_secret), 32);
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/platform.json", dir);
	assert_int_equal(platform_save(p, path), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	q = platform_load(path, err, sizeof(err));
	assert_non_null(q);
	assert_same_platform(p, q);
	platform_destroy(q);
	unlink(path);
	q = platform_load(path, err, sizeof(err));
	assert_null(q);
	assert_non_null(strstr(err, "platform.json"));
	rmdir(dir);
	platform_destroy(p);
}

static void test_mutations(void **state)
{
	struct platform *p = platform_load_default();
	struct platform_account acc = { "third", "33333333-2222-4333-8444-555555555555", "s" };
	struct platform_device dev = { .imei = "352753090000140",
				       .imsi = "001010000000014",
				       .iccid = "8900101000000000142",
				       .model = "SARA-R510M8S",
				       .account = "third",
				       .psk_provisioning = true };
	const uint8_t uid[ROT_UID_LEN] = { 0x0A, 0x04, 0xF0, 0x08, 0, 0, 0, 0x0E };
	struct platform_device got;
	struct rot_device rd;
	struct rot_identity id;
	struct rot_psk psk;
	char err[256];

	assert_int_equal(platform_set_provisioning(p, uid, true), -ENOENT);
	assert_int_equal(platform_set_provisioning(p, platform_device_at(p, 1)->uid, false), 0);
	assert_false(platform_device_at(p, 1)->psk_provisioning);
	memcpy(dev.uid, uid, sizeof(uid));
	assert_int_equal(platform_add_device(p, &dev, err, sizeof(err)), -EINVAL); /* no account */
	assert_non_null(strstr(err, "devices[13].account: unknown account"));
	assert_int_equal(platform_add_account(p, &acc, err, sizeof(err)), 0);
	assert_int_equal(platform_add_account(p, &acc, err, sizeof(err)), -EEXIST);
	assert_non_null(strstr(err, "accounts[3].name: duplicate of accounts[2].name"));
	strcpy(acc.name, "");
	assert_int_equal(platform_add_account(p, &acc, err, sizeof(err)), -EINVAL);
	assert_int_equal(platform_add_device(p, &dev, err, sizeof(err)), 0);
	assert_int_equal(platform_device_count(p), 14);
	assert_string_equal(platform_device_at(p, 13)->uid_hex, "0A04F0080000000E");
	assert_int_equal(platform_add_device(p, &dev, err, sizeof(err)), -EEXIST);
	assert_non_null(strstr(err, "rot_uid: duplicate"));
	dev.uid[7] = 0x0F;
	memset(dev.uid_hex, 0, sizeof(dev.uid_hex));
	memcpy(dev.imei, "352753090000017", 16);
	assert_int_equal(platform_add_device(p, &dev, err, sizeof(err)), -EEXIST);
	assert_non_null(strstr(err, "devices[14].imei: duplicate of devices[0].imei"));
	/* The added device resolves (the reference index was rebuilt). */
	assert_int_equal(platform_device_rot(p, platform_device_at(p, 13), &rd), 0);
	assert_int_equal(rot_generate(&rd, 5, 16, &id, &psk), 0);
	assert_int_equal(platform_resolve(p, &id, &got), 0);
	assert_string_equal(got.uid_hex, platform_device_at(p, 13)->uid_hex);
	rot_device_clear(&rd);
	rot_psk_clear(&psk);
	platform_destroy(p);
}

/*
 * Two devices sharing a reference (forced through the private index): the tag picks the
 * right one, and an identity whose tag verifies for both is refused as ambiguous.
 */
static void test_ref_collision(void **state)
{
	static const char json[] = DOC(A0, D0 "," D1);
	struct platform *p = platform_parse(json, strlen(json), NULL, 0);
	struct rot_device a, b;
	struct rot_identity id;
	struct rot_psk psk;
	struct platform_device got;
	bool ambiguous_seen = false;

	assert_non_null(p);
	assert_int_equal(platform_device_rot(p, platform_device_at(p, 0), &a), 0);
	assert_int_equal(platform_device_rot(p, platform_device_at(p, 1), &b), 0);
	memcpy(b.ref, a.ref, ROT_REF_LEN);
	memcpy(p->index[0].ref, a.ref, ROT_REF_LEN);
	memcpy(p->index[1].ref, a.ref, ROT_REF_LEN);
	p->index[0].dev = 0;
	p->index[1].dev = 1;
	for (uint32_t c = 0; c < 400000 && !ambiguous_seen; c++) {
		assert_int_equal(rot_generate(&a, c, 16, &id, &psk), 0);
		if (rot_identity_check(&b.key, &id, 0, NULL) ==
		    0) { /* A's identity also verifies for B */
			assert_int_equal(platform_resolve(p, &id, &got), -ENOENT);
			ambiguous_seen = true;
		} else if (c < 64) {
			assert_int_equal(platform_resolve(p, &id, &got), 0);
			assert_string_equal(got.uid_hex, platform_device_at(p, 0)->uid_hex);
			assert_int_equal(rot_generate(&b, c, 16, &id, &psk), 0);
			assert_int_equal(platform_resolve(p, &id, &got), 0);
			assert_string_equal(got.uid_hex, platform_device_at(p, 1)->uid_hex);
		}
	}
	assert_true(ambiguous_seen); /* expected after ~65536 counters */
	rot_psk_clear(&psk);
	rot_device_clear(&a);
	rot_device_clear(&b);
	platform_destroy(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_inputs),         cmocka_unit_test(test_file_too_large),
		cmocka_unit_test(test_minimal_ok),         cmocka_unit_test(test_default_platform),
		cmocka_unit_test(test_default_documented), cmocka_unit_test(test_format_round_trip),
		cmocka_unit_test(test_generate_save_load), cmocka_unit_test(test_mutations),
		cmocka_unit_test(test_ref_collision),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
