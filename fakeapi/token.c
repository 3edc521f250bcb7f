/* SPDX-License-Identifier: Apache-2.0 */
#include "token.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "b64.h"
#include "hex.h"

#define LOG_MODULE "token"
#include "log.h"

#define MAC_LEN     32
#define SIG_B64_LEN 43 /* b64url_encoded_len(32) */
#define ISSUER      "ukms-fakeapi"
/* base64url of {"alg":"HS256","typ":"JWT"} */
#define HEADER_B64 "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"

static const char kdf_salt[] = "ukms-fakeapi";
static const char kdf_info[] = "ukms-fakeapi token key";

/*
 * Verified-token cache: a token that verified once is recognised again by one constant-time
 * compare of its full text instead of an HMAC, a base64 decode and a JSON parse. Direct-mapped
 * on the token's MAC (its signature part), so it is bounded (TOKEN_CACHE_SLOTS entries; a new
 * token evicts the one in its slot); expiry is checked on every hit against the cached exp.
 * Each slot has its own lock (libmicrohttpd's thread pool verifies concurrently).
 */
struct cache_slot {
	pthread_mutex_t lock;
	size_t len; /* 0: empty */
	char tok[TOKEN_MAX];
	struct token_claims claims;
};

struct token_signer {
	EVP_MAC_CTX *tmpl;        /* keyed; duplicated per operation */
	struct cache_slot *slots; /* TOKEN_CACHE_SLOTS; mutable behind a const signer */
};

/* OSSL_PARAM takes a non-const pointer; the one const-dropping cast lives here. */
static OSSL_PARAM utf8(const char *name, const char *s)
{
	return OSSL_PARAM_construct_utf8_string(name, (char *)(uintptr_t)s, 0);
}

struct token_signer *token_signer_create(const uint8_t secret[ROT_SECRET_LEN])
{
	struct token_signer *s = NULL;
	uint8_t key[TOKEN_KEY_LEN];
	EVP_MAC *mac = NULL;
	OSSL_PARAM p[2];
	bool ok = false;

	if (rot_platform_subkey(secret, kdf_salt, kdf_info, key, sizeof(key)) < 0)
		goto out;
	s = calloc(1, sizeof(*s));
	mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	if (s == NULL || mac == NULL)
		goto out;
	s->slots = calloc(TOKEN_CACHE_SLOTS, sizeof(*s->slots));
	if (s->slots == NULL)
		goto out;
	for (size_t i = 0; i < TOKEN_CACHE_SLOTS; i++)
		pthread_mutex_init(&s->slots[i].lock, NULL);
	s->tmpl = EVP_MAC_CTX_new(mac);
	if (s->tmpl == NULL)
		goto out;
	p[0] = utf8(OSSL_MAC_PARAM_DIGEST, "SHA256");
	p[1] = OSSL_PARAM_construct_end();
	ok = EVP_MAC_init(s->tmpl, key, sizeof(key), p) == 1;
out:
	OPENSSL_cleanse(key, sizeof(key));
	EVP_MAC_free(mac);
	if (!ok) {
		log_error("cannot set up the token signing key");
		token_signer_destroy(s);
		s = NULL;
	}
	return s;
}

void token_signer_destroy(struct token_signer *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; s->slots != NULL && i < TOKEN_CACHE_SLOTS; i++)
		pthread_mutex_destroy(&s->slots[i].lock);
	free(s->slots);
	EVP_MAC_CTX_free(s->tmpl);
	free(s);
}

static int hmac(const struct token_signer *s, const char *data, size_t len, uint8_t out[MAC_LEN])
{
	EVP_MAC_CTX *ctx = EVP_MAC_CTX_dup(s->tmpl);
	size_t outl = 0;
	int rc = -EIO;

	if (ctx == NULL)
		goto out;
	if (EVP_MAC_update(ctx, (const unsigned char *)data, len) != 1 ||
	    EVP_MAC_final(ctx, out, &outl, MAC_LEN) != 1 || outl != MAC_LEN)
		goto out;
	rc = 0;
out:
	EVP_MAC_CTX_free(ctx);
	return rc;
}

static char *payload_json(const struct token_claims *c)
{
	uint8_t jti[8];
	char jti_hex[2 * sizeof(jti) + 1];
	cJSON *o = cJSON_CreateObject();
	char *text = NULL;

	if (o == NULL || RAND_bytes(jti, sizeof(jti)) != 1)
		goto out;
	hex_encode(jti, sizeof(jti), jti_hex, sizeof(jti_hex));
	if (!cJSON_AddStringToObject(o, "iss", ISSUER) ||
	    !cJSON_AddStringToObject(o, "sub", c->sub) ||
	    !cJSON_AddNumberToObject(o, "iat", (double)c->iat) ||
	    !cJSON_AddNumberToObject(o, "exp", (double)c->exp) ||
	    !cJSON_AddStringToObject(o, "token_use", c->use == TOKEN_USE_ID ? "id" : "refresh") ||
	    !cJSON_AddStringToObject(o, "jti", jti_hex))
		goto out;
	text = cJSON_PrintUnformatted(o);
out:
	cJSON_Delete(o);
	return text;
}

int token_issue(const struct token_signer *s, const struct token_claims *c, char *out, size_t cap)
{
	char *payload = NULL;
	uint8_t mac[MAC_LEN];
	size_t n, plen;
	int rc = -EINVAL;

	if (c->sub[0] == '\0' || c->exp <= c->iat)
		return -EINVAL;
	rc = -EIO;
	payload = payload_json(c);
	if (payload == NULL)
		goto out;
	plen = strlen(payload);
	rc = -EINVAL;
	n = strlen(HEADER_B64) + 1 + b64url_encoded_len(plen) + 1 + SIG_B64_LEN;
	if (n > TOKEN_MAX || cap < n + 1)
		goto out;
	memcpy(out, HEADER_B64 ".", strlen(HEADER_B64) + 1);
	n = strlen(HEADER_B64) + 1;
	n += (size_t)b64url_encode((const uint8_t *)payload, plen, out + n, cap - n);
	rc = hmac(s, out, n, mac);
	if (rc < 0)
		goto out;
	out[n++] = '.';
	n += (size_t)b64url_encode(mac, sizeof(mac), out + n, cap - n);
	rc = (int)n;
out:
	free(payload);
	return rc;
}

static bool get_int(const cJSON *o, const char *name, int64_t *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble) ||
	    fabs(v->valuedouble) > 9007199254740992.0)
		return false;
	*out = (int64_t)v->valuedouble;
	return true;
}

static int parse_claims(const char *p64, size_t len, struct token_claims *out)
{
	uint8_t raw[TOKEN_MAX];
	const cJSON *iss, *sub, *use;
	cJSON *o = NULL;
	int n, rc = -EBADMSG;

	n = b64url_decode(p64, len, raw, sizeof(raw));
	if (n < 0)
		return -EBADMSG;
	o = cJSON_ParseWithLength((const char *)raw, (size_t)n);
	iss = cJSON_GetObjectItemCaseSensitive(o, "iss");
	sub = cJSON_GetObjectItemCaseSensitive(o, "sub");
	use = cJSON_GetObjectItemCaseSensitive(o, "token_use");
	if (!cJSON_IsString(iss) || strcmp(iss->valuestring, ISSUER) != 0 || !cJSON_IsString(sub) ||
	    !cJSON_IsString(use) || !get_int(o, "iat", &out->iat) || !get_int(o, "exp", &out->exp))
		goto out;
	if (sub->valuestring[0] == '\0' || strlen(sub->valuestring) >= sizeof(out->sub))
		goto out;
	memcpy(out->sub, sub->valuestring, strlen(sub->valuestring) + 1);
	if (strcmp(use->valuestring, "id") == 0)
		out->use = TOKEN_USE_ID;
	else if (strcmp(use->valuestring, "refresh") == 0)
		out->use = TOKEN_USE_REFRESH;
	else
		goto out;
	rc = 0;
out:
	cJSON_Delete(o);
	return rc;
}

/* The slot of a token: FNV-1a of its signature characters (base64url of the MAC). */
static struct cache_slot *slot_of(const struct token_signer *s, const char *sig)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < SIG_B64_LEN; i++)
		h = (h ^ (uint8_t)sig[i]) * 16777619u;
	return &s->slots[h % TOKEN_CACHE_SLOTS];
}

static bool cache_get(struct cache_slot *e, const char *tok, size_t len, struct token_claims *out)
{
	bool hit;

	pthread_mutex_lock(&e->lock);
	hit = e->len == len && CRYPTO_memcmp(e->tok, tok, len) == 0;
	if (hit)
		*out = e->claims;
	pthread_mutex_unlock(&e->lock);
	return hit;
}

static void cache_put(struct cache_slot *e, const char *tok, size_t len,
		      const struct token_claims *c)
{
	pthread_mutex_lock(&e->lock);
	memcpy(e->tok, tok, len);
	e->len = len;
	e->claims = *c;
	pthread_mutex_unlock(&e->lock);
}

static int verify_full(const struct token_signer *s, const char *tok, size_t len,
		       struct token_claims *out)
{
	const char *dot1, *dot2, *end = tok + len;
	uint8_t mac[MAC_LEN], sig[MAC_LEN];
	int rc;

	if (len > TOKEN_MAX)
		return -EBADMSG;
	dot1 = memchr(tok, '.', len);
	dot2 = dot1 ? memchr(dot1 + 1, '.', (size_t)(end - dot1 - 1)) : NULL;
	if (dot2 == NULL || memchr(dot2 + 1, '.', (size_t)(end - dot2 - 1)) != NULL ||
	    end - dot2 - 1 != SIG_B64_LEN)
		return -EBADMSG;
	if (b64url_decode(dot2 + 1, SIG_B64_LEN, sig, sizeof(sig)) != MAC_LEN)
		return -EBADMSG;
	rc = hmac(s, tok, (size_t)(dot2 - tok), mac);
	if (rc < 0)
		return rc;
	if (CRYPTO_memcmp(mac, sig, MAC_LEN) != 0)
		return -EBADMSG;
	/* Authentic from here on; still insist on the one header this server writes. */
	if ((size_t)(dot1 - tok) != strlen(HEADER_B64) ||
	    memcmp(tok, HEADER_B64, strlen(HEADER_B64)) != 0)
		return -EBADMSG;
	return parse_claims(dot1 + 1, (size_t)(dot2 - dot1 - 1), out);
}

int token_verify(const struct token_signer *s, const char *tok, size_t len, int64_t now,
		 struct token_claims *out)
{
	struct cache_slot *e;
	int rc;

	if (len <= SIG_B64_LEN || len > TOKEN_MAX)
		return -EBADMSG;
	e = slot_of(s, tok + len - SIG_B64_LEN);
	if (!cache_get(e, tok, len, out)) {
		rc = verify_full(s, tok, len, out);
		if (rc < 0)
			return rc;
		cache_put(e, tok, len, out);
	}
	return now >= out->exp ? -EKEYEXPIRED : 0;
}
