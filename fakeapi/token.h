/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Stateless signed tokens: JWT-shaped HS256 (RFC 7519 compact form, base64url
 * header.payload.signature). Nothing is stored per token.
 *
 *	header  {"alg":"HS256","typ":"JWT"}     (fixed; any other header is rejected)
 *	payload
 *{"iss":"ukms-fakeapi","sub":<account>,"iat":<s>,"exp":<s>,"token_use":"id"|"refresh", "jti":<16
 *hex>}
 *
 * The signing key is HKDF-SHA256(IKM = platform secret, salt = "ukms-fakeapi",
 * info = "ukms-fakeapi token key"): a platform with a new secret invalidates every token.
 * Verification recomputes the HMAC and compares it with CRYPTO_memcmp before looking at any
 * claim.
 */
#ifndef FAKEAPI_TOKEN_H
#define FAKEAPI_TOKEN_H

#include <stddef.h>
#include <stdint.h>

#include "rot/platform.h"

#define TOKEN_KEY_LEN 32
/* Longest token accepted (issued ones are about 250 characters). */
#define TOKEN_MAX 1024
/* Entries of the verified-token cache of a signer (token.c). */
#define TOKEN_CACHE_SLOTS 256

enum token_use {
	TOKEN_USE_ID = 0,
	TOKEN_USE_REFRESH,
};

struct token_claims {
	char sub[PLATFORM_NAME_MAX + 1];
	int64_t iat;
	int64_t exp;
	enum token_use use;
};

struct token_signer;

/*
 * Derives the HS256 key from the platform secret and keeps a keyed HMAC context that
 * concurrent callers duplicate (so no algorithm fetch happens per request), and a bounded cache
 * of verified tokens. Returns NULL on a crypto or allocation failure. Thread-safe: the key is
 * read-only after creation and each cache slot has its own lock.
 */
struct token_signer *token_signer_create(const uint8_t secret[ROT_SECRET_LEN]);
/* Wipes and frees. NULL-safe. */
void token_signer_destroy(struct token_signer *s);

/*
 * Signs claims into a NUL-terminated token written to out (cap >= TOKEN_MAX + 1).
 * Returns the token length, -EINVAL for a bad claim, or -EIO on a crypto failure.
 */
int token_issue(const struct token_signer *s, const struct token_claims *c, char *out, size_t cap);

/*
 * Verifies tok[0..len) (without any "Bearer " prefix) at time now (seconds since the epoch).
 * Returns 0 with the claims in out, -EBADMSG for a malformed, tampered or foreign token,
 * -EKEYEXPIRED when the signature is valid but now >= exp, or -EIO on a crypto failure.
 * A token already verified by this signer is recognised by a constant-time compare of its
 * full text (no HMAC, no parsing); its expiry is still checked against now.
 */
int token_verify(const struct token_signer *s, const char *tok, size_t len, int64_t now,
		 struct token_claims *out);

#endif /* FAKEAPI_TOKEN_H */
