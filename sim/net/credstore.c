/* SPDX-License-Identifier: Apache-2.0 */
#define LOG_MODULE "credstore"
#include "credstore.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "buf.h"
#include "compiler.h"
#include "hex.h"
#include "image.h"
#include "log.h"

struct item {
	bool used;
	int type;
	char name[CREDSTORE_NAME_MAX + 1];
	char password[CREDSTORE_PASSWORD_MAX + 1];
	uint8_t *data;
	size_t len;
	char md5[CREDSTORE_MD5_HEX_LEN + 1];
};

/* The item table (about 25 KiB) is allocated at the first store: an idle modem of a fleet
 * (ukms-sim --fleet) never imports a credential. */
struct credstore {
	struct item *items; /* NULL or CREDSTORE_ITEMS_MAX items */
};

static const char *const type_names[CREDSTORE_TYPE_COUNT] = { "CA", "CC", "PK", "SC", "VC", "PU" };

const char *credstore_type_name(int type)
{
	return (type >= 0 && type < CREDSTORE_TYPE_COUNT) ? type_names[type] : NULL;
}

struct credstore *credstore_create(void)
{
	return calloc(1, sizeof(struct credstore));
}

static size_t item_count(const struct credstore *cs)
{
	return cs != NULL && cs->items != NULL ? CREDSTORE_ITEMS_MAX : 0;
}

static void item_clear(struct item *it)
{
	if (it->data != NULL) {
		OPENSSL_cleanse(it->data, it->len);
		free(it->data);
	}
	OPENSSL_cleanse(it, sizeof(*it));
}

static void clear_items(struct credstore *cs)
{
	for (size_t i = 0; i < item_count(cs); i++)
		item_clear(&cs->items[i]);
	free(cs->items);
	cs->items = NULL;
}

void credstore_destroy(struct credstore *cs)
{
	if (cs == NULL)
		return;
	clear_items(cs);
	free(cs);
}

static bool is_cert_type(int type)
{
	return type == CREDSTORE_CA || type == CREDSTORE_CC || type == CREDSTORE_SC ||
	       type == CREDSTORE_VC;
}

static bool looks_pem(const void *data, size_t len)
{
	static const char tag[] = "-----BEGIN";

	return len >= sizeof(tag) - 1 && memmem(data, len, tag, sizeof(tag) - 1) != NULL;
}

static X509 *parse_cert(const void *data, size_t len)
{
	BIO *bio = BIO_new_mem_buf(data, (int)len);
	X509 *x = NULL;

	if (bio == NULL)
		return NULL;
	if (looks_pem(data, len))
		x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	else
		x = d2i_X509_bio(bio, NULL);
	BIO_free(bio);
	return x;
}

static int pw_cb(char *buf, int size, int rwflag, void *u)
{
	const char *pw = u;
	size_t n = pw != NULL ? strlen(pw) : 0;

	(void)rwflag;
	if (n > (size_t)size)
		return -1;
	if (n > 0)
		memcpy(buf, pw, n);
	return (int)n;
}

static EVP_PKEY *parse_key(const void *data, size_t len, const char *pw, bool pub)
{
	BIO *bio = BIO_new_mem_buf(data, (int)len);
	EVP_PKEY *k = NULL;
	void *u = (void *)(uintptr_t)(pw != NULL ? pw : "");

	if (bio == NULL)
		return NULL;
	if (looks_pem(data, len))
		k = pub ? PEM_read_bio_PUBKEY(bio, NULL, pw_cb, u)
			: PEM_read_bio_PrivateKey(bio, NULL, pw_cb, u);
	else if (pub)
		k = d2i_PUBKEY_bio(bio, NULL);
	else
		k = d2i_PKCS8PrivateKey_bio(bio, NULL, pw_cb, u);
	if (k == NULL && !pub && !looks_pem(data, len)) {
		(void)BIO_reset(bio);
		k = d2i_PrivateKey_bio(bio, NULL);
	}
	BIO_free(bio);
	return k;
}

/* Validity dates that the +USECMNG=3 listing can print (d2i_X509 does not check them). */
static bool cert_times_ok(const X509 *x)
{
	struct tm tm;

	return ASN1_TIME_to_tm(X509_get0_notBefore(x), &tm) == 1 &&
	       ASN1_TIME_to_tm(X509_get0_notAfter(x), &tm) == 1;
}

static int validate(int type, const void *data, size_t len, const char *pw)
{
	X509 *x = NULL;
	EVP_PKEY *k = NULL;
	int rc = -EINVAL;

	if (looks_pem(data, len) && memchr(data, '\n', len) == NULL) {
		log_warn("import of a %s item rejected: PEM without line breaks (quirk Q24)",
			 type_names[type]);
		return -EINVAL;
	}
	if (is_cert_type(type)) {
		x = parse_cert(data, len);
		if (x != NULL && !cert_times_ok(x)) {
			X509_free(x);
			x = NULL;
		}
	} else {
		k = parse_key(data, len, pw, type == CREDSTORE_PU);
	}
	if (x != NULL || k != NULL)
		rc = 0;
	else
		log_warn("import of a %s item rejected: not a valid %s", type_names[type],
			 is_cert_type(type) ? "certificate" : "key");
	ERR_clear_error();
	X509_free(x);
	EVP_PKEY_free(k);
	return rc;
}

static int md5_hex(const void *data, size_t len, char out[CREDSTORE_MD5_HEX_LEN + 1])
{
	uint8_t md[16];
	unsigned int mdlen = 0;

	if (EVP_Digest(data, len, md, &mdlen, EVP_md5(), NULL) != 1 || mdlen != sizeof(md))
		return -EIO;
	for (size_t i = 0; i < sizeof(md); i++) {
		static const char digits[] = "0123456789abcdef";

		out[2 * i] = digits[md[i] >> 4];
		out[2 * i + 1] = digits[md[i] & 0xf];
	}
	out[CREDSTORE_MD5_HEX_LEN] = '\0';
	return 0;
}

/*
 * The module keeps credentials in DER form and reports the MD5 of that: a PEM import is hashed
 * over the DER body of its (first) PEM block, a DER import over its bytes (issue 10: hosts
 * compare it with hashes computed offline from the DER).
 */
static int stored_md5(const void *data, size_t len, char out[CREDSTORE_MD5_HEX_LEN + 1])
{
	BIO *bio = NULL;
	char *name = NULL, *header = NULL;
	unsigned char *der = NULL;
	long der_len = 0;
	int rc;

	if (!looks_pem(data, len))
		return md5_hex(data, len, out);
	rc = -EINVAL;
	bio = BIO_new_mem_buf(data, (int)len);
	if (bio != NULL && PEM_read_bio(bio, &name, &header, &der, &der_len) == 1 && der_len > 0)
		rc = md5_hex(der, (size_t)der_len, out);
	ERR_clear_error();
	if (der != NULL)
		OPENSSL_cleanse(der, (size_t)der_len);
	OPENSSL_free(der);
	OPENSSL_free(name);
	OPENSSL_free(header);
	BIO_free(bio);
	return rc;
}

static struct item *find(const struct credstore *cs, int type, const char *name)
{
	for (size_t i = 0; name != NULL && i < item_count(cs); i++) {
		const struct item *it = &cs->items[i];

		if (it->used && it->type == type && strcmp(it->name, name) == 0)
			return (struct item *)(uintptr_t)it;
	}
	return NULL;
}

static struct item *free_slot(struct credstore *cs)
{
	for (size_t i = 0; i < item_count(cs); i++)
		if (!cs->items[i].used)
			return &cs->items[i];
	return NULL;
}

static int check_args(const struct credstore *cs, int type, const char *name, const char *pw)
{
	size_t n = name != NULL ? strlen(name) : 0;

	if (cs == NULL || credstore_type_name(type) == NULL || n == 0 || n > CREDSTORE_NAME_MAX)
		return -EINVAL;
	if (pw != NULL && strlen(pw) > CREDSTORE_PASSWORD_MAX)
		return -EINVAL;
	return 0;
}

int credstore_import(struct credstore *cs, int type, const char *name, const void *data, size_t len,
		     const char *password, char md5_out[CREDSTORE_MD5_HEX_LEN + 1])
{
	struct item *it, fresh = { 0 };
	int rc = check_args(cs, type, name, password);

	if (rc < 0 || data == NULL || len == 0)
		return -EINVAL;
	if (len > CREDSTORE_ITEM_MAX)
		return -EFBIG;
	rc = validate(type, data, len, password);
	if (rc < 0)
		return rc;
	if (cs->items == NULL && (cs->items = calloc(CREDSTORE_ITEMS_MAX, sizeof(*it))) == NULL)
		return -ENOMEM;
	it = find(cs, type, name);
	if (it == NULL && (it = free_slot(cs)) == NULL)
		return -ENOSPC;
	fresh.data = malloc(len);
	if (fresh.data == NULL)
		return -ENOMEM;
	memcpy(fresh.data, data, len);
	fresh.len = len;
	fresh.used = true;
	fresh.type = type;
	memcpy(fresh.name, name, strlen(name) + 1);
	if (password != NULL)
		memcpy(fresh.password, password, strlen(password) + 1);
	rc = stored_md5(data, len, fresh.md5);
	if (rc < 0) {
		item_clear(&fresh);
		return rc;
	}
	item_clear(it);
	*it = fresh;
	if (md5_out != NULL)
		memcpy(md5_out, it->md5, sizeof(it->md5));
	log_info("imported %s \"%s\" (%zu bytes, md5 %s)", type_names[type], name, len, it->md5);
	return 0;
}

int credstore_remove(struct credstore *cs, int type, const char *name)
{
	struct item *it = find(cs, type, name);

	if (it == NULL)
		return -ENOENT;
	item_clear(it);
	return 0;
}

int credstore_md5(const struct credstore *cs, int type, const char *name,
		  char md5_out[CREDSTORE_MD5_HEX_LEN + 1])
{
	const struct item *it = find(cs, type, name);

	if (it == NULL)
		return -ENOENT;
	memcpy(md5_out, it->md5, sizeof(it->md5));
	return 0;
}

static int list_cert(const struct item *it, struct buf *out)
{
	X509 *x = parse_cert(it->data, it->len);
	char cn[256] = "";
	struct tm tm = { 0 };
	int rc = -EINVAL;

	if (x == NULL)
		goto out;
	X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName, cn, sizeof(cn));
	if (ASN1_TIME_to_tm(X509_get0_notAfter(x), &tm) != 1)
		goto out;
	/* expiry "YYYY/MM/DD HH:MM:SS": hosts drop an entry whose date is not 19 characters */
	rc = buf_appendf(out, "\"%s\",\"%s\",\"%s\",\"%04d/%02d/%02d %02d:%02d:%02d\"\n",
			 type_names[it->type], it->name, cn, tm.tm_year + 1900, tm.tm_mon + 1,
			 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
out:
	X509_free(x);
	return rc;
}

int credstore_list(const struct credstore *cs, int type, struct buf *out)
{
	int rc = 0;

	if (cs == NULL || out == NULL || (type != -1 && credstore_type_name(type) == NULL))
		return -EINVAL;
	for (int t = 0; t < CREDSTORE_TYPE_COUNT; t++) {
		for (size_t i = 0; rc == 0 && i < item_count(cs); i++) {
			const struct item *it = &cs->items[i];

			if (!it->used || it->type != t || (type != -1 && t != type))
				continue;
			if (is_cert_type(t))
				rc = list_cert(it, out);
			else
				rc = buf_appendf(out, "\"%s\",\"%s\"\n", type_names[t], it->name);
		}
	}
	return rc;
}

X509 *credstore_load_cert(const struct credstore *cs, int type, const char *name)
{
	const struct item *it = find(cs, type, name);

	return (it != NULL && is_cert_type(type)) ? parse_cert(it->data, it->len) : NULL;
}

EVP_PKEY *credstore_load_key(const struct credstore *cs, const char *name, const char *password)
{
	const struct item *it = find(cs, CREDSTORE_PK, name);
	const char *pw = (password != NULL && password[0] != '\0') ? password : NULL;

	if (it == NULL)
		return NULL;
	return parse_key(it->data, it->len, pw != NULL ? pw : it->password, false);
}

int credstore_build_trust(const struct credstore *cs, const char *ca_name, X509_STORE **out)
{
	X509_STORE *st = X509_STORE_new();
	bool named = ca_name != NULL && ca_name[0] != '\0';
	int rc = -ENOMEM, found = 0;

	if (st == NULL)
		goto out;
	for (size_t i = 0; cs != NULL && i < item_count(cs); i++) {
		const struct item *it = &cs->items[i];
		X509 *x;

		if (!it->used || it->type != CREDSTORE_CA || (named && strcmp(it->name, ca_name)))
			continue;
		x = parse_cert(it->data, it->len);
		if (x != NULL && X509_STORE_add_cert(st, x) == 1)
			found++;
		X509_free(x);
	}
	rc = (named && found == 0) ? -ENOENT : 0;
out:
	if (rc == 0) {
		*out = st;
	} else {
		X509_STORE_free(st);
	}
	return rc;
}

/* ---- NVM image ---- */

#define IMAGE_MAGIC "ukms-credstore 1"

int credstore_format(const struct credstore *cs, struct buf *out)
{
	int rc;

	if (cs == NULL || out == NULL)
		return -EINVAL;
	rc = buf_appendf(out, "%s\n", IMAGE_MAGIC);
	for (size_t i = 0; rc == 0 && i < item_count(cs); i++) {
		const struct item *it = &cs->items[i];

		if (!it->used)
			continue;
		rc = buf_appendf(out, "%d ", it->type);
		if (rc == 0)
			rc = image_append_hex(out, it->name, strlen(it->name));
		if (rc == 0)
			rc = buf_appendf(out, " ");
		if (rc == 0)
			rc = image_append_hex(out, it->password, strlen(it->password));
		if (rc == 0)
			rc = buf_appendf(out, " ");
		if (rc == 0)
			rc = image_append_hex(out, it->data, it->len);
		if (rc == 0)
			rc = buf_appendf(out, "\n");
	}
	return rc;
}

/* Decodes a hex field ("-" = empty) into a freshly allocated NUL-terminated buffer. */
static int field_decode(const char *hex, uint8_t **out, size_t *len)
{
	size_t n = strcmp(hex, "-") == 0 ? 0 : strlen(hex);
	int rc;

	*out = calloc(1, n / 2 + 1);
	if (*out == NULL)
		return -ENOMEM;
	rc = hex_decode(hex, n, *out, n / 2 + 1);
	if (rc < 0)
		return -EINVAL;
	*len = (size_t)rc;
	return 0;
}

static int parse_line(void *ctx, char *line)
{
	struct credstore *cs = ctx;
	char *save = NULL, *t = strtok_r(line, " ", &save);
	char *nh = strtok_r(NULL, " ", &save), *ph = strtok_r(NULL, " ", &save);
	char *dh = strtok_r(NULL, " ", &save);
	uint8_t *name = NULL, *pw = NULL, *data = NULL;
	size_t nl = 0, pl = 0, dl = 0;
	int rc = -EINVAL;

	if (dh == NULL || strtok_r(NULL, " ", &save) != NULL || strlen(t) != 1 || t[0] < '0' ||
	    t[0] > '5')
		goto out;
	rc = field_decode(nh, &name, &nl);
	if (rc == 0)
		rc = field_decode(ph, &pw, &pl);
	if (rc == 0)
		rc = field_decode(dh, &data, &dl);
	if (rc == 0 && (strlen((char *)name) != nl || strlen((char *)pw) != pl))
		rc = -EINVAL;
	if (rc == 0)
		rc = credstore_import(cs, t[0] - '0', (char *)name, data, dl,
				      pl > 0 ? (char *)pw : NULL, NULL);
out:
	if (pw != NULL)
		OPENSSL_cleanse(pw, pl);
	if (data != NULL)
		OPENSSL_cleanse(data, dl);
	free(name);
	free(pw);
	free(data);
	return rc;
}

int credstore_parse(struct credstore *cs, const void *data, size_t len)
{
	struct credstore *tmp;
	int rc;

	if (cs == NULL)
		return -EINVAL;
	tmp = credstore_create();
	if (tmp == NULL)
		return -ENOMEM;
	rc = image_parse(data, len, IMAGE_MAGIC, parse_line, tmp);
	if (rc == 0) {
		clear_items(cs);
		memcpy(cs, tmp, sizeof(*cs));
		free(tmp);
		tmp = NULL;
	}
	credstore_destroy(tmp);
	return rc;
}
