/* SPDX-License-Identifier: Apache-2.0 */
#include "codec.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "hex.h"
#include "key.h"

#define B64_MAX_IN 4096

static int normalise(const char *in, size_t len, bool url, char *out, size_t *out_len)
{
	size_t n = 0;

	while (len > 0 && in[len - 1] == '=')
		len--;
	if (len % 4 == 1 || len + 3 >= B64_MAX_IN)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		char c = in[i];

		if (url && (c == '+' || c == '/'))
			return -EINVAL;
		if (url && c == '-')
			c = '+';
		else if (url && c == '_')
			c = '/';
		out[n++] = c;
	}
	while (n % 4 != 0)
		out[n++] = '=';
	out[n] = '\0';
	*out_len = n;
	return 0;
}

int psks_b64_decode(const char *in, size_t len, bool url, uint8_t *out, size_t cap)
{
	char norm[B64_MAX_IN];
	uint8_t raw[B64_MAX_IN];
	size_t nlen = 0, pad = 0;
	int rc, n;

	rc = normalise(in, len, url, norm, &nlen);
	if (rc < 0)
		goto out;
	rc = -EINVAL;
	/* EVP_DecodeBlock ignores padding: it decodes every quad to 3 bytes. */
	n = EVP_DecodeBlock(raw, (const unsigned char *)norm, (int)nlen);
	if (n < 0)
		goto out;
	while (pad < nlen && pad < 2 && norm[nlen - 1 - pad] == '=')
		pad++;
	n -= (int)pad;
	rc = -ENOSPC;
	if ((size_t)n > cap)
		goto out;
	memcpy(out, raw, (size_t)n);
	rc = n;
out:
	OPENSSL_cleanse(norm, sizeof(norm));
	OPENSSL_cleanse(raw, sizeof(raw));
	return rc;
}

int psks_jwt_exp(const char *token, int64_t *out)
{
	char payload[2048];
	const char *dot1, *dot2;
	cJSON *json = NULL;
	const cJSON *exp;
	int rc = -EINVAL, n;

	dot1 = strchr(token, '.');
	if (dot1 == NULL)
		goto out;
	dot2 = strchr(dot1 + 1, '.');
	if (dot2 == NULL)
		goto out;
	n = psks_b64_decode(dot1 + 1, (size_t)(dot2 - dot1 - 1), true, (uint8_t *)payload,
			    sizeof(payload));
	if (n < 0)
		goto out;
	json = cJSON_ParseWithLength(payload, (size_t)n);
	exp = cJSON_GetObjectItemCaseSensitive(json, "exp");
	if (!cJSON_IsNumber(exp) || exp->valuedouble < 0 || exp->valuedouble > 1e15)
		goto out;
	*out = (int64_t)exp->valuedouble;
	rc = 0;
out:
	cJSON_Delete(json);
	return rc;
}

bool psks_identity_is_valid(const char *s, size_t len)
{
	return len >= 2 && len <= PSKS_IDENTITY_MAX && hex_is_valid(s, len);
}
