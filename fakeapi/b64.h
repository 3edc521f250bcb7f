/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Base64 (RFC 4648 section 4, padded: the GetPSK "Key") and base64url (section 5, unpadded: JWT
 * parts) over OpenSSL's EVP_EncodeBlock/EVP_DecodeBlock.
 *
 * Decoding is strict: only the alphabet, no whitespace, and the encoding must be canonical
 * (unused trailing bits zero), so every distinct string decodes to distinct bytes. A token
 * whose signature differs in one character therefore never verifies.
 */
#ifndef FAKEAPI_B64_H
#define FAKEAPI_B64_H

#include <stddef.h>
#include <stdint.h>

/* Largest input b64url_decode accepts, in characters. */
#define B64_DECODE_MAX 1024

/* Encoded length without NUL: padded (b64) and unpadded (b64url). */
size_t b64_encoded_len(size_t n);
size_t b64url_encoded_len(size_t n);

/* Padded standard base64 of in[0..len) into out (cap >= b64_encoded_len + 1). Returns length. */
int b64_encode(const uint8_t *in, size_t len, char *out, size_t cap);
/* Unpadded base64url into out (cap >= b64url_encoded_len + 1). Returns length or -ENOSPC. */
int b64url_encode(const uint8_t *in, size_t len, char *out, size_t cap);
/*
 * Decodes unpadded canonical base64url s[0..len) into out (cap bytes). Returns the number of
 * bytes, -EINVAL for anything malformed or non-canonical, -ENOSPC if out is too small.
 */
int b64url_decode(const char *s, size_t len, uint8_t *out, size_t cap);

#endif /* FAKEAPI_B64_H */
