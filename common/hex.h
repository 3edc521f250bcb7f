/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Strict hex encoding and decoding over length-carrying input.
 *
 * OpenSSL has OPENSSL_hexstr2buf_ex, but it needs a NUL-terminated string and libcrypto,
 * while AT tokens are (pointer, length) views in sim/at, which links nothing but common/.
 */
#ifndef COMMON_HEX_H
#define COMMON_HEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Value of one hex digit (either case), or -1. */
int hex_nibble(char c);

/* True if s[0..len) is an even number of hex digits (either case). */
bool hex_is_valid(const char *s, size_t len);

/*
 * Decodes len hex chars from s into out (cap bytes). Returns the number of bytes written, or
 * -EINVAL for an odd length or a non-hex character, -ENOSPC if out is too small. On error out
 * may hold partial data: callers wipe it if it is secret.
 */
int hex_decode(const char *s, size_t len, uint8_t *out, size_t cap);

/*
 * Encodes len bytes as upper-case hex into out, NUL-terminated. cap must be >= 2*len+1.
 * Returns 2*len or -ENOSPC.
 */
int hex_encode(const uint8_t *data, size_t len, char *out, size_t cap);

#endif /* COMMON_HEX_H */
