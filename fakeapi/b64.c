/* SPDX-License-Identifier: Apache-2.0 */
#include "b64.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

size_t b64_encoded_len(size_t n)
{
	return (n + 2) / 3 * 4;
}

size_t b64url_encoded_len(size_t n)
{
	return n / 3 * 4 + (n % 3 == 0 ? 0 : n % 3 + 1);
}

int b64_encode(const uint8_t *in, size_t len, char *out, size_t cap)
{
	if (len > B64_DECODE_MAX || cap < b64_encoded_len(len) + 1)
		return -ENOSPC;
	return EVP_EncodeBlock((unsigned char *)out, in, (int)len);
}

int b64url_encode(const uint8_t *in, size_t len, char *out, size_t cap)
{
	size_t n = b64url_encoded_len(len);
	char tmp[B64_DECODE_MAX * 4 / 3 + 8];

	if (len > B64_DECODE_MAX || cap < n + 1)
		return -ENOSPC;
	EVP_EncodeBlock((unsigned char *)tmp, in, (int)len);
	for (size_t i = 0; i < n; i++)
		out[i] = tmp[i] == '+' ? '-' : tmp[i] == '/' ? '_' : tmp[i];
	out[n] = '\0';
	return (int)n;
}

static bool is_url_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_';
}

int b64url_decode(const char *s, size_t len, uint8_t *out, size_t cap)
{
	char std[B64_DECODE_MAX + 4];
	uint8_t raw[B64_DECODE_MAX];
	char check[B64_DECODE_MAX + 4];
	size_t pad = (4 - len % 4) % 4, n;
	int rc = -EINVAL;

	if (len > B64_DECODE_MAX || len % 4 == 1)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		if (!is_url_char(s[i]))
			return -EINVAL;
		std[i] = s[i] == '-' ? '+' : s[i] == '_' ? '/' : s[i];
	}
	memset(std + len, '=', pad);
	if (len + pad == 0)
		return 0;
	if (EVP_DecodeBlock(raw, (const unsigned char *)std, (int)(len + pad)) < 0)
		goto out;
	n = (len + pad) / 4 * 3 - pad;
	/* Canonical form only: re-encoding must give back the same text. */
	rc = b64url_encode(raw, n, check, sizeof(check));
	if (rc < 0 || (size_t)rc != len || memcmp(check, s, len) != 0) {
		rc = -EINVAL;
		goto out;
	}
	rc = -ENOSPC;
	if (n > cap)
		goto out;
	memcpy(out, raw, n);
	rc = (int)n;
out:
	OPENSSL_cleanse(raw, sizeof(raw));
	return rc;
}
