/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Client of the u-blox Security Services REST API (ublox-at.md section 6), on libcurl:
 *	POST /v1/authenticate {"APIKey","APISecret"}        -> {"AuthToken","RefreshToken"}
 *	POST /v1/GetPSK {"KeyID","KeyLength"}, Authorization: <AuthToken>
 *	                                                    -> {"Key": base64, "ROTPublicUID"}
 *
 * One token is shared by all threads under a mutex. It is renewed shortly before the "exp"
 * claim of the JWT (or 3600 s after issue when there is none); on a 401 from GetPSK the client
 * re-authenticates once and retries. HTTP calls to GetPSK run outside any lock, so a slow
 * lookup never delays another thread's lookup.
 *
 * This module logs the outcome of each call in plain words (404 unknown identity, 403
 * provisioning disabled, unreachable, 401); it never logs the API secret, a token or a PSK.
 */
#ifndef EXAMPLES_PSK_SERVER_API_H
#define EXAMPLES_PSK_SERVER_API_H

#include <stddef.h>
#include <stdint.h>

#include "key.h"

struct psks_api;

struct psks_api_config {
	const char *url; /* base, e.g. "http://127.0.0.1:8080" (no trailing /v1) */
	const char *api_key;
	const char *api_secret; /* copied; the copy is wiped on destroy */
	unsigned key_bits;      /* 128 or 256 */
	long timeout_ms;        /* whole request */
};

struct psks_api_stats {
	uint64_t authenticate_calls;
	uint64_t getpsk_calls;
};

/* Copies the configuration. Returns NULL on allocation failure. curl_global_init first. */
struct psks_api *psks_api_create(const struct psks_api_config *cfg);
/* NULL-safe. */
void psks_api_destroy(struct psks_api *a);

/*
 * Resolves identity (validated hex) to its PSK and ROTPublicUID. Returns 0 or
 * -ENOENT (404: unknown to this account), -EACCES (403: provisioning disabled),
 * -EPERM (401 after re-authentication, or credentials refused), -EINVAL (400),
 * -EHOSTUNREACH (connection or timeout), -EBADMSG (malformed answer, wrong key length),
 * -ENOMEM. out is wiped on failure.
 */
int psks_api_get_psk(struct psks_api *a, const char *identity, struct psks_key *out);

void psks_api_get_stats(struct psks_api *a, struct psks_api_stats *out);

#endif /* EXAMPLES_PSK_SERVER_API_H */
