/* SPDX-License-Identifier: Apache-2.0 */
/*
 * POST /v1/GetPSK: re-derives a PSK from its PSKIdentity through rot/ (nothing is stored per
 * key). Checks in the order of the E2E Symmetric KMS page, use case 5: the customer (token,
 * already checked by the dispatcher), then the identity, then the device's account, then PSK
 * provisioning. An identity of another account's device answers exactly like an unknown one.
 */
#include "api_priv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
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

/*
 * {"Key":"<base64>","ROTPublicUID":"<16 hex>"}, written straight into the response text (both
 * values need no JSON escaping): no cJSON tree on the hot path.
 */
static int psk_body(struct ctx *c, const struct rot_psk *psk, const struct platform_device *d)
{
	char b64[64];
	size_t cap = 64 + sizeof(b64) + sizeof(d->uid_hex);
	char *text = malloc(cap);
	int rc = b64_encode(psk->bytes, psk->len, b64, sizeof(b64));
	int n = rc < 0 || text == NULL
			? -1
			: snprintf(text, cap, "{\"Key\":\"%s\",\"ROTPublicUID\":\"%s\"}", b64,
				   d->uid_hex);

	OPENSSL_cleanse(b64, sizeof(b64));
	if (n < 0 || (size_t)n >= cap) {
		if (text != NULL)
			OPENSSL_cleanse(text, cap);
		free(text);
		text = NULL;
	}
	c->reply->secret = true;
	return reply_text(c, 200, text);
}

int h_getpsk(struct ctx *c)
{
	struct platform_device dev, *d = &dev;
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
	rc = platform_derive_psk(c->snap->platform, &id, len, d, &psk);
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
