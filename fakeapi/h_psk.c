/* SPDX-License-Identifier: Apache-2.0 */
/*
 * POST /v1/GetPSK: re-derives a PSK from its PSKIdentity through rot/ (nothing is stored per
 * key). Checks in the order of the E2E Symmetric KMS page, use case 5: the customer (token,
 * already checked by the dispatcher), then the identity, then the device's account, then PSK
 * provisioning. An identity of another account's device answers exactly like an unknown one.
 */
#include "api_priv.h"

#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>

#include "b64.h"
#include "limit.h"
#include "rot/rot.h"

#define LOG_MODULE "psk"
#include "log.h"

static int key_length(struct ctx *c, size_t *out)
{
	const char *s = NULL;
	int rc = json_get_string(c->json, "KeyLength", &s);

	*out = 16;
	if (rc == -ENOENT)
		return 0;
	if (rc == 0 && strcmp(s, "128") == 0)
		return 0;
	if (rc == 0 && strcmp(s, "256") == 0) {
		*out = 32;
		return 0;
	}
	return reply_fail(c, API_ERR_BAD_KEY_LENGTH, NULL);
}

static int key_id(struct ctx *c, struct rot_identity *id)
{
	const char *s = NULL;
	int rc = json_get_string(c->json, "KeyID", &s);

	if (rc < 0)
		return reply_fail(c, API_ERR_BAD_FIELD, "KeyID: %s",
				  rc == -ENOENT ? "required string field is missing"
						: "must be a string");
	if (rot_identity_parse(s, strlen(s), id) < 0)
		return reply_fail(c, API_ERR_BAD_KEY_ID, NULL);
	return 0;
}

static int psk_body(struct ctx *c, const struct rot_psk *psk, const struct platform_device *d)
{
	char b64[64];
	cJSON *o = cJSON_CreateObject();
	int rc = b64_encode(psk->bytes, psk->len, b64, sizeof(b64));

	if (rc < 0 || !cJSON_AddStringToObject(o, "Key", b64) ||
	    !cJSON_AddStringToObject(o, "ROTPublicUID", d->uid_hex)) {
		json_wipe(o);
		cJSON_Delete(o);
		o = NULL;
	}
	OPENSSL_cleanse(b64, sizeof(b64));
	c->reply->secret = true;
	return reply_ok(c, 200, o);
}

int h_getpsk(struct ctx *c)
{
	const struct platform_device *d = NULL;
	struct rot_identity id;
	struct rot_psk psk = { .len = 0 };
	size_t len = 16;
	int rc;

	rc = key_id(c, &id);
	if (rc == 0)
		rc = key_length(c, &len);
	if (rc < 0)
		return rc;
	if (limiter_check(api_get_limiter(c->api), c->account->name, api_monotonic_ms(),
			  &c->reply->retry_after) < 0)
		return reply_fail(c, API_ERR_TOO_MANY_FAILURES, NULL);
	/* The same work on every path: platform_derive_psk derives even for an unknown identity,
	 * and the account is compared whatever came out. */
	rc = platform_derive_psk(c->snap->platform, &id, len, &d, &psk);
	if (rc == -ENOENT || (rc == 0 && strcmp(d->account, c->account->name) != 0)) {
		limiter_fail(api_get_limiter(c->api), c->account->name, api_monotonic_ms());
		rc = reply_fail(c, API_ERR_KEY_NOT_FOUND, NULL);
	} else if (rc == 0 && !d->psk_provisioning)
		rc = reply_fail(c, API_ERR_PROVISIONING_OFF, NULL);
	else if (rc == 0)
		rc = psk_body(c, &psk, d);
	rot_psk_clear(&psk);
	return rc;
}

int h_healthz(struct ctx *c)
{
	cJSON *o = cJSON_CreateObject();

	if (o != NULL && !cJSON_AddStringToObject(o, "status", "ok")) {
		cJSON_Delete(o);
		o = NULL;
	}
	return reply_ok(c, 200, o);
}
