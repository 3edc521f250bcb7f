/* SPDX-License-Identifier: Apache-2.0 */
/* POST /v1/authenticate (alias /v1/Authorize) and POST /v1/refresh. */
#include "api_priv.h"

#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#define LOG_MODULE "auth"
#include "log.h"

static int sha256(const char *s, uint8_t out[32])
{
	unsigned int n = 0;

	if (EVP_Digest(s, strlen(s), out, &n, EVP_sha256(), NULL) != 1 || n != 32)
		return -EIO;
	return 0;
}

/*
 * Compares the presented secret with the account's in constant time: both are hashed first so
 * the comparison runs over equal-length buffers whatever the lengths were. An unknown key still
 * pays for the hashing, against a fixed dummy.
 */
static int secret_matches(const struct platform_account *acct, const char *given, bool *ok)
{
	uint8_t h_given[32], h_want[32];
	int rc;

	rc = sha256(given, h_given);
	if (rc == 0)
		rc = sha256(acct ? acct->api_secret : "ukms-fakeapi no such key", h_want);
	*ok = rc == 0 && acct != NULL && CRYPTO_memcmp(h_given, h_want, sizeof(h_want)) == 0;
	OPENSSL_cleanse(h_given, sizeof(h_given));
	OPENSSL_cleanse(h_want, sizeof(h_want));
	return rc;
}

static int field_error(struct ctx *c, const char *name, int rc)
{
	return reply_fail(c, API_ERR_BAD_FIELD, "%s: %s", name,
			  rc == -ENOENT ? "required string field is missing" : "must be a string");
}

int h_authenticate(struct ctx *c)
{
	const struct platform_account *acct;
	const char *key = NULL, *secret = NULL;
	bool ok = false;
	int rc;

	rc = json_get_string(c->json, "APIKey", &key);
	if (rc < 0)
		return field_error(c, "APIKey", rc);
	rc = json_get_string(c->json, "APISecret", &secret);
	if (rc < 0)
		return field_error(c, "APISecret", rc);
	acct = platform_find_api_key(c->snap->platform, key);
	rc = secret_matches(acct, secret, &ok);
	if (rc < 0)
		return rc;
	if (!ok) {
		log_info("authenticate: rejected credentials");
		return reply_fail(c, API_ERR_BAD_CREDENTIALS, NULL);
	}
	return api_issue_tokens(c, acct);
}

int h_refresh(struct ctx *c)
{
	const struct platform_account *acct;
	struct token_claims cl;
	const char *tok = NULL;
	int rc;

	rc = json_get_string(c->json, "RefreshToken", &tok);
	if (rc < 0)
		return field_error(c, "RefreshToken", rc);
	rc = token_verify(c->snap->signer, tok, strlen(tok), api_now(c->api), &cl);
	if (rc == -EKEYEXPIRED)
		return reply_fail(c, API_ERR_EXPIRED_TOKEN, "the refresh token has expired");
	if (rc == -EIO)
		return rc;
	if (rc < 0 || cl.use != TOKEN_USE_REFRESH)
		return reply_fail(c, API_ERR_BAD_TOKEN,
				  "RefreshToken is not a valid refresh token");
	acct = platform_find_account(c->snap->platform, cl.sub);
	if (acct == NULL)
		return reply_fail(c, API_ERR_BAD_TOKEN, "the token's account no longer exists");
	return api_issue_tokens(c, acct);
}
