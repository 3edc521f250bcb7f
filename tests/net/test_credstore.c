/* SPDX-License-Identifier: Apache-2.0 */
/* Credential store (+USECMNG) with PEM/DER items made by the openssl CLI at test time. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "afile.h"
#include "buf.h"
#include "credstore.h"
#include "net_helpers.h"

struct fx {
	char *dir;
	struct credstore *cs;
};

static const char *path(const struct fx *f, const char *name)
{
	static char p[4][512];
	static int i;

	i = (i + 1) % 4;
	snprintf(p[i], sizeof(p[i]), "%s/%s", f->dir, name);
	return p[i];
}

static int group_setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char cmd[2048];
	char *argv[] = { (char *)"sh", (char *)"-c", cmd, NULL };

	if (f == NULL || (f->dir = net_tmpdir()) == NULL)
		return -1;
	snprintf(cmd, sizeof(cmd),
		 "cd %s && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
		 "-keyout key.pem -out ca.pem -subj /CN=Test\\ Root\\ CA -days 400 && "
		 "openssl x509 -in ca.pem -outform DER -out ca.der && "
		 "openssl pkey -in key.pem -outform DER -out key.der && "
		 "openssl pkcs8 -topk8 -in key.pem -v2 aes-256-cbc -passout pass:s3cret -out "
		 "key.enc && "
		 "openssl pkey -in key.pem -pubout -out pub.pem && "
		 "openssl md5 -r ca.der > der.md5 && "
		 "grep -v -- ----- key.pem | openssl base64 -d -out keybody.der && "
		 "openssl md5 -r keybody.der > keyder.md5",
		 f->dir);
	if (net_run(argv) != 0)
		return -1;
	*state = f;
	return 0;
}

static int group_teardown(void **state)
{
	struct fx *f = *state;

	net_rmtree(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

static int setup(void **state)
{
	struct fx *f = *state;

	f->cs = credstore_create();
	return f->cs != NULL ? 0 : -1;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	credstore_destroy(f->cs);
	f->cs = NULL;
	return 0;
}

static void load(const struct fx *f, const char *name, struct buf *b)
{
	buf_init(b, 0);
	assert_int_equal(afile_read(path(f, name), b), 0);
}

static int import(struct fx *f, int type, const char *name, const char *file, const char *pw,
		  char md5[CREDSTORE_MD5_HEX_LEN + 1])
{
	struct buf b;
	int rc;

	load(f, file, &b);
	rc = credstore_import(f->cs, type, name, b.data, b.len, pw, md5);
	buf_finish(&b);
	return rc;
}

static void test_md5_matches_openssl(void **state)
{
	struct fx *f = *state;
	char md5[CREDSTORE_MD5_HEX_LEN + 1], again[CREDSTORE_MD5_HEX_LEN + 1];
	struct buf want;

	/* PEM imports: the MD5 of the DER the module stores (the certificate's DER from
	 * openssl x509 -outform DER; a key's DER is the base64-decoded PEM body) */
	assert_int_equal(import(f, CREDSTORE_CA, "root", "ca.pem", NULL, md5), 0);
	load(f, "der.md5", &want); /* "<32 lower-case hex> *ca.der" */
	assert_memory_equal(md5, want.data, CREDSTORE_MD5_HEX_LEN);
	buf_finish(&want);
	assert_int_equal(credstore_md5(f->cs, CREDSTORE_CA, "root", again), 0);
	assert_string_equal(again, md5);
	assert_int_equal(import(f, CREDSTORE_CA, "root-der", "ca.der", NULL, md5), 0);
	load(f, "der.md5", &want);
	assert_memory_equal(md5, want.data, CREDSTORE_MD5_HEX_LEN);
	buf_finish(&want);
	assert_int_equal(import(f, CREDSTORE_PK, "key", "key.pem", NULL, md5), 0);
	load(f, "keyder.md5", &want);
	assert_memory_equal(md5, want.data, CREDSTORE_MD5_HEX_LEN);
	assert_int_equal(import(f, CREDSTORE_PK, "key-der", "keybody.der", NULL, md5), 0);
	assert_memory_equal(md5, want.data, CREDSTORE_MD5_HEX_LEN);
	buf_finish(&want);
	assert_int_equal(credstore_md5(f->cs, CREDSTORE_CC, "root", again), -ENOENT);
}

static void test_types_validated(void **state)
{
	struct fx *f = *state;
	char name[CREDSTORE_NAME_MAX + 2];

	/* the right object for each type, PEM and DER */
	assert_int_equal(import(f, CREDSTORE_CC, "cc", "ca.der", NULL, NULL), 0);
	assert_int_equal(import(f, CREDSTORE_PK, "k", "key.pem", NULL, NULL), 0);
	assert_int_equal(import(f, CREDSTORE_PK, "kd", "key.der", NULL, NULL), 0);
	assert_int_equal(import(f, CREDSTORE_PU, "pub", "pub.pem", NULL, NULL), 0);
	assert_int_equal(import(f, CREDSTORE_VC, "vc", "ca.pem", NULL, NULL), 0);
	/* encrypted key: needs its password */
	assert_int_equal(import(f, CREDSTORE_PK, "enc", "key.enc", NULL, NULL), -EINVAL);
	assert_int_equal(import(f, CREDSTORE_PK, "enc", "key.enc", "wrong", NULL), -EINVAL);
	assert_int_equal(import(f, CREDSTORE_PK, "enc", "key.enc", "s3cret", NULL), 0);
	/* wrong object for the type, garbage, bad names */
	assert_int_equal(import(f, CREDSTORE_CA, "x", "key.pem", NULL, NULL), -EINVAL);
	assert_int_equal(import(f, CREDSTORE_PK, "x", "ca.pem", NULL, NULL), -EINVAL);
	assert_int_equal(import(f, CREDSTORE_PU, "x", "ca.pem", NULL, NULL), -EINVAL);
	assert_int_equal(credstore_import(f->cs, CREDSTORE_CA, "g", "garbage", 7, NULL, NULL),
			 -EINVAL);
	assert_int_equal(credstore_import(f->cs, CREDSTORE_CA, "g",
					  "-----BEGIN CERTIFICATE-----\nAAAA\n", 33, NULL, NULL),
			 -EINVAL);
	assert_int_equal(import(f, 6, "x", "ca.pem", NULL, NULL), -EINVAL);
	assert_int_equal(import(f, CREDSTORE_CA, "", "ca.pem", NULL, NULL), -EINVAL);
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	assert_int_equal(import(f, CREDSTORE_CA, name, "ca.pem", NULL, NULL), -EINVAL);
	name[CREDSTORE_NAME_MAX] = '\0';
	assert_int_equal(import(f, CREDSTORE_CA, name, "ca.pem", NULL, NULL), 0);
}

static void test_list_and_remove(void **state)
{
	struct fx *f = *state;
	struct buf out;
	char want[256], date[40];
	X509 *x;
	struct tm tm;

	assert_int_equal(import(f, CREDSTORE_CA, "AddTrustCA", "ca.pem", NULL, NULL), 0);
	assert_int_equal(import(f, CREDSTORE_PK, "mykey", "key.pem", NULL, NULL), 0);
	x = credstore_load_cert(f->cs, CREDSTORE_CA, "AddTrustCA");
	assert_non_null(x);
	assert_int_equal(ASN1_TIME_to_tm(X509_get0_notAfter(x), &tm), 1);
	X509_free(x);
	snprintf(date, sizeof(date), "%04d/%02d/%02d %02d:%02d:%02d", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	assert_int_equal(strlen(date), 19); /* hosts drop an entry with any other length */
	snprintf(want, sizeof(want),
		 "\"CA\",\"AddTrustCA\",\"Test Root CA\",\"%s\"\n\"PK\",\"mykey\"\n", date);
	buf_init(&out, 0);
	assert_int_equal(credstore_list(f->cs, -1, &out), 0);
	assert_string_equal(buf_cstr(&out), want);
	buf_reset(&out);
	assert_int_equal(credstore_list(f->cs, CREDSTORE_PK, &out), 0);
	assert_string_equal(buf_cstr(&out), "\"PK\",\"mykey\"\n");
	buf_finish(&out);
	assert_int_equal(credstore_remove(f->cs, CREDSTORE_PK, "mykey"), 0);
	assert_int_equal(credstore_remove(f->cs, CREDSTORE_PK, "mykey"), -ENOENT);
	assert_int_equal(credstore_remove(f->cs, CREDSTORE_CC, "AddTrustCA"), -ENOENT);
}

static void test_nvm_round_trip(void **state)
{
	struct fx *f = *state;
	struct credstore *b = credstore_create();
	struct buf img, l1, l2;
	char m1[CREDSTORE_MD5_HEX_LEN + 1], m2[CREDSTORE_MD5_HEX_LEN + 1];
	EVP_PKEY *k;

	assert_int_equal(import(f, CREDSTORE_CA, "root", "ca.pem", NULL, m1), 0);
	assert_int_equal(import(f, CREDSTORE_PK, "enc", "key.enc", "s3cret", NULL), 0);
	buf_init_secret(&img, 0);
	assert_int_equal(credstore_format(f->cs, &img), 0);
	assert_int_equal(credstore_parse(b, img.data, img.len), 0);
	assert_int_equal(credstore_md5(b, CREDSTORE_CA, "root", m2), 0);
	assert_string_equal(m1, m2);
	/* the import password travelled with the key */
	k = credstore_load_key(b, "enc", NULL);
	assert_non_null(k);
	EVP_PKEY_free(k);
	buf_init(&l1, 0);
	buf_init(&l2, 0);
	assert_int_equal(credstore_list(f->cs, -1, &l1), 0);
	assert_int_equal(credstore_list(b, -1, &l2), 0);
	assert_string_equal(buf_cstr(&l1), buf_cstr(&l2));
	/* garbage images leave the store unchanged */
	assert_int_equal(credstore_parse(b, "ukms-credstore 2\n", 17), -EINVAL);
	assert_int_equal(credstore_parse(b, "ukms-credstore 1\n0 41 - 00\n", 27), -EINVAL);
	assert_int_equal(credstore_md5(b, CREDSTORE_CA, "root", m2), 0);
	buf_finish(&l1);
	buf_finish(&l2);
	buf_finish(&img);
	credstore_destroy(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_md5_matches_openssl, setup, teardown),
		cmocka_unit_test_setup_teardown(test_types_validated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_and_remove, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nvm_round_trip, setup, teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
