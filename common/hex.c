/* SPDX-License-Identifier: Apache-2.0 */
#include "hex.h"

#include <errno.h>

int hex_nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool hex_is_valid(const char *s, size_t len)
{
	if (len % 2 != 0)
		return false;
	for (size_t i = 0; i < len; i++)
		if (hex_nibble(s[i]) < 0)
			return false;
	return true;
}

int hex_decode(const char *s, size_t len, uint8_t *out, size_t cap)
{
	if (!hex_is_valid(s, len))
		return -EINVAL;
	if (len / 2 > cap)
		return -ENOSPC;
	for (size_t i = 0; i < len / 2; i++)
		out[i] = (uint8_t)(hex_nibble(s[2 * i]) << 4 | hex_nibble(s[2 * i + 1]));
	return (int)(len / 2);
}

int hex_encode(const uint8_t *data, size_t len, char *out, size_t cap)
{
	static const char digits[] = "0123456789ABCDEF";

	if (cap < 2 * len + 1)
		return -ENOSPC;
	for (size_t i = 0; i < len; i++) {
		out[2 * i] = digits[data[i] >> 4];
		out[2 * i + 1] = digits[data[i] & 15];
	}
	out[2 * len] = '\0';
	return (int)(2 * len);
}
