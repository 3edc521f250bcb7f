/* SPDX-License-Identifier: Apache-2.0 */
/* Base64 (standard and URL-safe) decoding and the JWT "exp" claim, on OpenSSL and cJSON. */
#ifndef EXAMPLES_PSK_SERVER_CODEC_H
#define EXAMPLES_PSK_SERVER_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Decodes len chars of base64 (url: the base64url alphabet, padding optional) into out (cap
 * bytes). Returns the decoded length or -EINVAL (bad input), -ENOSPC (out too small). On
 * error out may hold partial data: callers wipe it if it is secret.
 */
int psks_b64_decode(const char *in, size_t len, bool url, uint8_t *out, size_t cap);

/*
 * Reads the numeric "exp" claim (seconds since the epoch) from a JWT's payload. The signature
 * is not checked: the server only uses it to schedule renewal of its own token.
 * Returns 0, or -EINVAL if token is not a JWT or has no numeric exp.
 */
int psks_jwt_exp(const char *token, int64_t *out);

/* True if s is 2..PSKS_IDENTITY_MAX hex chars, even in number. */
bool psks_identity_is_valid(const char *s, size_t len);

#endif /* EXAMPLES_PSK_SERVER_CODEC_H */
