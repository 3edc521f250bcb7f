/* SPDX-License-Identifier: Apache-2.0 */
/*
 * PSKIdentity codec and key derivation (docs/rot-derivation.md). OpenSSL 3 EVP only:
 * EVP_KDF "HKDF" and EVP_MAC "HMAC" with SHA256 (a PSK's one-block HKDF-Expand is its defining
 * HMAC, on the context keyed for the tag), and EVP_CIPHER "AES-256-ECB" on independent blocks
 * for fleet devices (the permutation's round function and their K_dev).
 */
#define LOG_MODULE "rot"
#include "rot/rot.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include "hex.h"
#include "rot_priv.h"

const uint8_t rot_identity_header[4] = { 0x11, 0x01, 0x00, 0x08 };

static const char label_salt[] = "ukms-v1";
static const char label_dev[] = "device key";
static const char label_ref[] = "device reference";
static const char label_tag[] = "ukms-v1 tag";
static const char label_psk[] = "ukms-v1 psk";
static const char label_fleet_ref[] = "fleet reference";
static const char label_fleet_dev[] = "fleet device key";
static const char label_fleet_code[] = "ukms-v1 fleet code";

#define LABEL_LEN(l)  (sizeof(l) - 1) /* ASCII bytes, no NUL */
#define ID_SIGNED_LEN (ROT_IDENTITY_LEN - ROT_TAG_LEN)

/* OSSL_PARAM constructors take non-const pointers; the one const-dropping cast lives here. */
static OSSL_PARAM octets(const char *key, const void *data, size_t len)
{
	return OSSL_PARAM_construct_octet_string(key, (void *)(uintptr_t)data, len);
}

static OSSL_PARAM utf8(const char *key, const char *value)
{
	return OSSL_PARAM_construct_utf8_string(key, (char *)(uintptr_t)value, 0);
}

/*
 * The HKDF algorithm, an HMAC-SHA256 context with the digest already set and the AES-256-ECB
 * cipher, made once per process: EVP_*_fetch and setting a digest by name each cost a locked
 * lookup, which dominated a GetPSK request. Written once under pthread_once and only read
 * afterwards — an immutable cache, not mutable state; never freed, like OpenSSL's own method
 * store.
 *
 * Each thread then keeps its own working contexts, re-keyed for every operation instead of
 * allocated and freed: the allocation, copy and free were half of the cost of a tag check. They
 * are per-thread (pthread key, freed with the thread), so no two threads share a context. The
 * HKDF contexts are wiped (their key replaced) after each use. Two AES contexts stay keyed
 * between uses with a platform-wide fleet key (struct keyed_aes), so a fleet lookup costs a few
 * AES blocks instead of a key schedule and an HKDF.
 */
static struct {
	EVP_KDF *hkdf;
	EVP_MAC_CTX *hmac;
	EVP_CIPHER *aes;
	pthread_key_t thread_key;
	bool have_key;
} tmpl;
static pthread_once_t tmpl_once = PTHREAD_ONCE_INIT;

/* An AES-256 context and the key it holds (a copy, compared in constant time before reuse). */
struct keyed_aes {
	EVP_CIPHER_CTX *ctx;
	struct rot_key key;
	bool set;
};

struct thread_ctx {
	EVP_MAC_CTX *hmac;     /* re-keyed by each call */
	EVP_KDF_CTX *hkdf;     /* digest set once */
	struct keyed_aes fdev; /* keyed with the last K_fdev used */
	struct keyed_aes fref; /* keyed with the last K_fref used */
};

static void thread_ctx_free(void *p)
{
	struct thread_ctx *t = p;

	if (t == NULL)
		return;
	EVP_MAC_CTX_free(t->hmac);
	EVP_KDF_CTX_free(t->hkdf);
	EVP_CIPHER_CTX_free(t->fdev.ctx);
	EVP_CIPHER_CTX_free(t->fref.ctx);
	OPENSSL_cleanse(t, sizeof(*t));
	free(t);
}

static void make_templates(void)
{
	OSSL_PARAM p[2] = { utf8(OSSL_MAC_PARAM_DIGEST, "SHA256"), OSSL_PARAM_construct_end() };
	EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);

	tmpl.hkdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
	tmpl.aes = EVP_CIPHER_fetch(NULL, "AES-256-ECB", NULL);
	tmpl.hmac = mac != NULL ? EVP_MAC_CTX_new(mac) : NULL;
	if (tmpl.hmac != NULL && EVP_MAC_CTX_set_params(tmpl.hmac, p) != 1) {
		EVP_MAC_CTX_free(tmpl.hmac);
		tmpl.hmac = NULL;
	}
	EVP_MAC_free(mac); /* the context holds its own reference */
	tmpl.have_key = pthread_key_create(&tmpl.thread_key, thread_ctx_free) == 0;
}

/* Digest SHA256 (mode: the default, EXTRACT_AND_EXPAND). */
static int hkdf_setup(EVP_KDF_CTX *ctx)
{
	OSSL_PARAM d[2] = { utf8(OSSL_KDF_PARAM_DIGEST, "SHA256"), OSSL_PARAM_construct_end() };

	return EVP_KDF_CTX_set_params(ctx, d) == 1 ? 0 : -EIO;
}

static EVP_KDF_CTX *hkdf_new(void)
{
	EVP_KDF_CTX *ctx = EVP_KDF_CTX_new(tmpl.hkdf);

	if (ctx != NULL && hkdf_setup(ctx) < 0) {
		EVP_KDF_CTX_free(ctx);
		ctx = NULL;
	}
	return ctx;
}

/* This thread's working contexts, created on first use; NULL on allocation failure. */
static struct thread_ctx *thread_ctx(void)
{
	struct thread_ctx *t;

	pthread_once(&tmpl_once, make_templates);
	if (!tmpl.have_key || tmpl.hmac == NULL || tmpl.hkdf == NULL || tmpl.aes == NULL)
		return NULL;
	t = pthread_getspecific(tmpl.thread_key);
	if (t != NULL)
		return t;
	t = calloc(1, sizeof(*t));
	if (t == NULL)
		return NULL;
	t->hmac = EVP_MAC_CTX_dup(tmpl.hmac);
	t->fdev.ctx = EVP_CIPHER_CTX_new();
	t->hkdf = hkdf_new();
	t->fref.ctx = EVP_CIPHER_CTX_new();
	if (t->hmac == NULL || t->fdev.ctx == NULL || t->hkdf == NULL || t->fref.ctx == NULL ||
	    pthread_setspecific(tmpl.thread_key, t) != 0) {
		thread_ctx_free(t);
		return NULL;
	}
	return t;
}

/*
 * Replaces the key an HKDF context copied by one zero byte (OpenSSL wipes the old copy): the
 * context keeps its digest, so the next use does not fetch SHA256 by name again.
 */
static void hkdf_wipe(EVP_KDF_CTX *ctx)
{
	static const uint8_t zero[1];
	OSSL_PARAM w[2] = { octets(OSSL_KDF_PARAM_KEY, zero, sizeof(zero)),
			    OSSL_PARAM_construct_end() };

	if (EVP_KDF_CTX_set_params(ctx, w) != 1) {
		EVP_KDF_CTX_reset(ctx); /* wipes too, and forgets the digest */
		hkdf_setup(ctx);
	}
}

/* HKDF-SHA256 (extract and expand). */
static int hkdf(const uint8_t *ikm, size_t ikm_len, const void *salt, size_t salt_len,
		const uint8_t *info, size_t info_len, uint8_t *out, size_t out_len)
{
	struct thread_ctx *t = thread_ctx();
	OSSL_PARAM p[4] = { octets(OSSL_KDF_PARAM_KEY, ikm, ikm_len),
			    octets(OSSL_KDF_PARAM_INFO, info, info_len),
			    octets(OSSL_KDF_PARAM_SALT, salt, salt_len),
			    OSSL_PARAM_construct_end() };
	int rc = -EIO;

	if (t == NULL)
		return rc;
	if (EVP_KDF_derive(t->hkdf, out, out_len, p) == 1)
		rc = 0;
	hkdf_wipe(t->hkdf);
	return rc;
}

/* HMAC-SHA256(key, a || b) truncated to out_len (<= 32). */
static int hmac(const struct rot_key *key, const void *a, size_t a_len, const void *b, size_t b_len,
		uint8_t *out, size_t out_len)
{
	uint8_t mac[32];
	struct thread_ctx *t = thread_ctx();
	EVP_MAC_CTX *ctx = t != NULL ? t->hmac : NULL;
	size_t mac_len = 0;
	int rc = -EIO;

	if (ctx != NULL && EVP_MAC_init(ctx, key->bytes, sizeof(key->bytes), NULL) == 1 &&
	    EVP_MAC_update(ctx, a, a_len) == 1 && EVP_MAC_update(ctx, b, b_len) == 1 &&
	    EVP_MAC_final(ctx, mac, &mac_len, sizeof(mac)) == 1 && mac_len >= out_len) {
		memcpy(out, mac, out_len);
		rc = 0;
	}
	OPENSSL_cleanse(mac, sizeof(mac));
	return rc;
}

/*
 * The tag of id under dev_key (HMAC(K_dev, "ukms-v1 tag" || id[0..12)), first 2 bytes) and,
 * with psk != NULL, its PSK of len bytes, on one keying of this thread's HMAC context: the PSK
 * is HKDF-SHA256-Expand(K_dev, info, len), and for len <= 32 that is one block, T(1) =
 * HMAC(K_dev, info || 0x01) (RFC 5869 section 2.3), so it is computed as that HMAC with the key
 * already set. The same bytes as EVP_KDF "HKDF" in EXPAND_ONLY mode (test_rot_kdf compares them
 * at both lengths), without the HMAC context that EVP_KDF allocates, keys and frees per call.
 */
static int tag_and_psk(const struct rot_key *dev_key, const struct rot_identity *id,
		       uint8_t tag[ROT_TAG_LEN], size_t len, struct rot_psk *psk)
{
	static const uint8_t block_one = 0x01;
	uint8_t info[LABEL_LEN(label_psk) + 2 + ROT_IDENTITY_LEN], mac[32];
	struct thread_ctx *t = thread_ctx();
	EVP_MAC_CTX *ctx = t != NULL ? t->hmac : NULL;
	size_t n = LABEL_LEN(label_psk), mac_len = 0;
	int rc = -EIO;

	if (ctx == NULL || EVP_MAC_init(ctx, dev_key->bytes, sizeof(dev_key->bytes), NULL) != 1 ||
	    EVP_MAC_update(ctx, (const uint8_t *)label_tag, LABEL_LEN(label_tag)) != 1 ||
	    EVP_MAC_update(ctx, id->bytes, ID_SIGNED_LEN) != 1 ||
	    EVP_MAC_final(ctx, mac, &mac_len, sizeof(mac)) != 1 || mac_len < ROT_TAG_LEN)
		goto out;
	memcpy(tag, mac, ROT_TAG_LEN);
	if (psk == NULL) {
		rc = 0;
		goto out;
	}
	memcpy(info, label_psk, n);
	info[n++] = 0x00;
	info[n++] = (uint8_t)len;
	memcpy(info + n, id->bytes, ROT_IDENTITY_LEN);
	n += ROT_IDENTITY_LEN;
	if (EVP_MAC_init(ctx, NULL, 0, NULL) == 1 && EVP_MAC_update(ctx, info, n) == 1 &&
	    EVP_MAC_update(ctx, &block_one, 1) == 1 &&
	    EVP_MAC_final(ctx, mac, &mac_len, sizeof(mac)) == 1 && mac_len >= len) {
		memcpy(psk->bytes, mac, len);
		psk->len = len;
		rc = 0;
	}
out:
	OPENSSL_cleanse(mac, sizeof(mac));
	OPENSSL_cleanse(info, sizeof(info));
	return rc;
}

void rot_key_clear(struct rot_key *k)
{
	if (k != NULL)
		OPENSSL_cleanse(k, sizeof(*k));
}

void rot_psk_clear(struct rot_psk *p)
{
	if (p != NULL)
		OPENSSL_cleanse(p, sizeof(*p));
}

void rot_device_clear(struct rot_device *d)
{
	if (d != NULL)
		OPENSSL_cleanse(d, sizeof(*d));
}

int rot_device_key(const uint8_t secret[ROT_SECRET_LEN], const uint8_t uid[ROT_UID_LEN],
		   struct rot_key *out)
{
	uint8_t info[LABEL_LEN(label_dev) + ROT_UID_LEN];
	int rc;

	memcpy(info, label_dev, LABEL_LEN(label_dev));
	memcpy(info + LABEL_LEN(label_dev), uid, ROT_UID_LEN);
	rc = hkdf(secret, ROT_SECRET_LEN, label_salt, LABEL_LEN(label_salt), info, sizeof(info),
		  out->bytes, sizeof(out->bytes));
	if (rc < 0)
		rot_key_clear(out);
	return rc;
}

int rot_platform_subkey(const uint8_t secret[ROT_SECRET_LEN], const char *salt, const char *label,
			uint8_t *out, size_t len)
{
	int rc = hkdf(secret, ROT_SECRET_LEN, salt, strlen(salt), (const uint8_t *)label,
		      strlen(label), out, len);

	if (rc < 0)
		OPENSSL_cleanse(out, len);
	return rc;
}

int rot_ref_key(const uint8_t secret[ROT_SECRET_LEN], struct rot_key *out)
{
	return rot_platform_subkey(secret, label_salt, label_ref, out->bytes, sizeof(out->bytes));
}

int rot_ref_from_key(const struct rot_key *ref_key, const uint8_t uid[ROT_UID_LEN],
		     uint8_t out[ROT_REF_LEN])
{
	return hmac(ref_key, uid, ROT_UID_LEN, NULL, 0, out, ROT_REF_LEN);
}

int rot_device_ref(const uint8_t secret[ROT_SECRET_LEN], const uint8_t uid[ROT_UID_LEN],
		   uint8_t out[ROT_REF_LEN])
{
	struct rot_key k_ref;
	int rc;

	rc = rot_ref_key(secret, &k_ref);
	if (rc == 0)
		rc = rot_ref_from_key(&k_ref, uid, out);
	rot_key_clear(&k_ref);
	return rc;
}

int rot_fleet_ref_key(const uint8_t secret[ROT_SECRET_LEN], struct rot_key *out)
{
	return rot_platform_subkey(secret, label_salt, label_fleet_ref, out->bytes,
				   sizeof(out->bytes));
}

int rot_fleet_code(const struct rot_key *ref_key, const char *name, uint16_t *out)
{
	uint8_t b[2];
	int rc = hmac(ref_key, label_fleet_code, LABEL_LEN(label_fleet_code), name, strlen(name), b,
		      sizeof(b));

	*out = rc == 0 ? (uint16_t)(b[0] << 8 | b[1]) : 0;
	return rc;
}

int rot_fleet_dev_key(const uint8_t secret[ROT_SECRET_LEN], struct rot_key *out)
{
	return rot_platform_subkey(secret, label_salt, label_fleet_dev, out->bytes,
				   sizeof(out->bytes));
}

/* AES-256 (ECB, no padding) of in[0..len), len a multiple of 16: independent blocks. */
static int aes_blocks(EVP_CIPHER_CTX *aes, const uint8_t *in, size_t len, uint8_t *out)
{
	int n = 0;

	return EVP_EncryptUpdate(aes, out, &n, in, (int)len) == 1 && n == (int)len ? 0 : -EIO;
}

/* a's context keyed with key, re-keyed only if it held another key; NULL on failure. */
static EVP_CIPHER_CTX *aes_keyed(struct keyed_aes *a, const struct rot_key *key)
{
	if (a->set && CRYPTO_memcmp(a->key.bytes, key->bytes, sizeof(key->bytes)) == 0)
		return a->ctx;
	a->set = EVP_EncryptInit_ex2(a->ctx, tmpl.aes, key->bytes, NULL, NULL) == 1 &&
		 EVP_CIPHER_CTX_set_padding(a->ctx, 0) == 1;
	a->key = *key;
	if (!a->set)
		OPENSSL_cleanse(&a->key, sizeof(a->key));
	return a->set ? a->ctx : NULL;
}

/*
 * K_dev = E(0 || N)[0..8) || E(1 || N)[0..8) || E(2 || N)[0..8) || E(3 || N)[0..8), E AES-256
 * under K_fdev, the counter a 4-byte little-endian word, N = uid || 0^4: the per-nonce key
 * derivation of AES-GCM-SIV (RFC 8452, section 4), with the device's UID as the nonce.
 */
int rot_fleet_device_key(const struct rot_key *k_fdev, const uint8_t uid[ROT_UID_LEN],
			 struct rot_key *out)
{
	struct thread_ctx *t = thread_ctx();
	EVP_CIPHER_CTX *aes = t != NULL ? aes_keyed(&t->fdev, k_fdev) : NULL;
	uint8_t in[4][16] = { { 0 } }, blk[4][16];
	int rc = -EIO;

	for (unsigned i = 0; i < 4; i++) {
		in[i][0] = (uint8_t)i;
		memcpy(&in[i][4], uid, ROT_UID_LEN);
	}
	if (aes != NULL && aes_blocks(aes, &in[0][0], sizeof(in), &blk[0][0]) == 0) {
		for (unsigned i = 0; i < 4; i++)
			memcpy(out->bytes + 8 * i, blk[i], 8);
		rc = 0;
	}
	OPENSSL_cleanse(blk, sizeof(blk));
	if (rc < 0)
		rot_key_clear(out);
	return rc;
}

/* This thread's AES-256 context keyed with K_fref, or NULL. */
static EVP_CIPHER_CTX *fref_cipher(const struct rot_key *k)
{
	struct thread_ctx *t = thread_ctx();

	return t != NULL ? aes_keyed(&t->fref, k) : NULL;
}

/* Feistel round function: AES-256(K_fref, round || x (2 bytes BE) || 0^13)[0..2). */
static int fleet_round(EVP_CIPHER_CTX *aes, unsigned round, uint16_t x, uint16_t *out)
{
	uint8_t in[16] = { (uint8_t)round, (uint8_t)(x >> 8), (uint8_t)x };
	uint8_t b[16];
	int rc = aes_blocks(aes, in, sizeof(in), b);

	*out = (uint16_t)(b[0] << 8 | b[1]);
	OPENSSL_cleanse(b, sizeof(b));
	return rc;
}

int rot_fleet_ref(const struct rot_key *k, uint32_t plain, uint8_t out[ROT_REF_LEN])
{
	EVP_CIPHER_CTX *aes = fref_cipher(k);
	uint16_t l = (uint16_t)(plain >> 16), r = (uint16_t)plain, f = 0;
	int rc = aes != NULL ? 0 : -EIO;

	for (unsigned i = 0; rc == 0 && i < ROT_FLEET_ROUNDS; i++) {
		uint16_t t = r;

		rc = fleet_round(aes, i, r, &f);
		r = (uint16_t)(l ^ f);
		l = t;
	}
	out[0] = (uint8_t)(l >> 8);
	out[1] = (uint8_t)l;
	out[2] = (uint8_t)(r >> 8);
	out[3] = (uint8_t)r;
	return rc;
}

int rot_fleet_unref(const struct rot_key *k, const uint8_t ref[ROT_REF_LEN], uint32_t *plain)
{
	EVP_CIPHER_CTX *aes = fref_cipher(k);
	uint16_t l = (uint16_t)(ref[0] << 8 | ref[1]), r = (uint16_t)(ref[2] << 8 | ref[3]);
	uint16_t f = 0;
	int rc = aes != NULL ? 0 : -EIO;

	for (unsigned i = ROT_FLEET_ROUNDS; rc == 0 && i-- > 0;) {
		uint16_t t = l;

		rc = fleet_round(aes, i, l, &f);
		l = (uint16_t)(r ^ f);
		r = t;
	}
	*plain = (uint32_t)l << 16 | r;
	return rc;
}

int rot_device_init(const uint8_t secret[ROT_SECRET_LEN], const uint8_t uid[ROT_UID_LEN],
		    struct rot_device *out)
{
	int rc;

	memcpy(out->uid, uid, ROT_UID_LEN);
	rc = rot_device_ref(secret, uid, out->ref);
	if (rc == 0)
		rc = rot_device_key(secret, uid, &out->key);
	if (rc < 0)
		rot_device_clear(out);
	return rc;
}

/* Header, ref and counter: the signed part of an identity. */
static void identity_signed(const struct rot_device *dev, uint32_t counter,
			    struct rot_identity *out)
{
	uint8_t *b = out->bytes;

	memcpy(b, rot_identity_header, sizeof(rot_identity_header));
	memcpy(b + 4, dev->ref, ROT_REF_LEN);
	b[8] = (uint8_t)(counter >> 24);
	b[9] = (uint8_t)(counter >> 16);
	b[10] = (uint8_t)(counter >> 8);
	b[11] = (uint8_t)counter;
}

int rot_identity_check(const struct rot_key *dev_key, const struct rot_identity *id, size_t len,
		       struct rot_psk *psk)
{
	uint8_t tag[ROT_TAG_LEN];
	int rc;

	if (psk != NULL) {
		rot_psk_clear(psk);
		if (len != 16 && len != 32)
			return -EINVAL;
	}
	rc = tag_and_psk(dev_key, id, tag, len, psk);
	if (rc == 0 && CRYPTO_memcmp(tag, id->bytes + ID_SIGNED_LEN, ROT_TAG_LEN) != 0)
		rc = -EBADMSG;
	if (rc < 0 && psk != NULL)
		rot_psk_clear(psk);
	OPENSSL_cleanse(tag, sizeof(tag));
	return rc;
}

int rot_generate(const struct rot_device *dev, uint32_t counter, size_t psk_len,
		 struct rot_identity *id, struct rot_psk *psk)
{
	int rc;

	rot_psk_clear(psk);
	if (psk_len != 16 && psk_len != 32)
		return -EINVAL;
	identity_signed(dev, counter, id);
	rc = tag_and_psk(&dev->key, id, id->bytes + ID_SIGNED_LEN, psk_len, psk);
	if (rc < 0)
		rot_psk_clear(psk);
	return rc;
}

int rot_identity_parse(const char *s, size_t len, struct rot_identity *out)
{
	if (s == NULL || len != ROT_IDENTITY_HEX)
		return -EINVAL;
	if (hex_decode(s, len, out->bytes, sizeof(out->bytes)) != ROT_IDENTITY_LEN)
		return -EINVAL;
	if (memcmp(out->bytes, rot_identity_header, sizeof(rot_identity_header)) != 0)
		return -EINVAL;
	return 0;
}

int rot_identity_format(const struct rot_identity *id, char *out, size_t cap)
{
	int n = hex_encode(id->bytes, ROT_IDENTITY_LEN, out, cap);

	return n < 0 ? n : 0;
}

uint32_t rot_identity_counter(const struct rot_identity *id)
{
	const uint8_t *b = id->bytes + 8;

	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

void rot_identity_ref(const struct rot_identity *id, uint8_t out[ROT_REF_LEN])
{
	memcpy(out, id->bytes + 4, ROT_REF_LEN);
}
