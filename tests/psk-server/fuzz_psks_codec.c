/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for the parsers ukms-psk-server runs on API answers and client input:
 * base64 (GetPSK "Key"), the JWT exp claim (AuthToken) and identity syntax (ClientKeyExchange).
 * Byte 0 picks the parser; the rest is the input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t out[64];
	int64_t exp;
	char *s;

	if (size < 1)
		return 0;
	s = malloc(size);
	if (s == NULL)
		return 0;
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	switch (data[0] % 3) {
	case 0: {
		int n = psks_b64_decode(s, size - 1, data[0] & 0x80, out, sizeof(out));

		if (n > (int)sizeof(out))
			abort();
		break;
	}
	case 1:
		(void)psks_jwt_exp(s, &exp);
		break;
	default:
		(void)psks_identity_is_valid(s, size - 1);
		break;
	}
	free(s);
	return 0;
}
