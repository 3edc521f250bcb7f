/* SPDX-License-Identifier: Apache-2.0 */
/*
 * PSKIdentity -> PSK: the one lookup both handshake callbacks (TLS 1.2/DTLS and TLS 1.3) call.
 * Validates the identity, answers from the cache when it can, otherwise asks the API and
 * caches the answer. Thread-safe (the cache and the API client lock internally).
 */
#ifndef EXAMPLES_PSK_SERVER_RESOLVER_H
#define EXAMPLES_PSK_SERVER_RESOLVER_H

#include <stdbool.h>
#include <stddef.h>

#include "key.h"

struct psks_api;
struct psks_cache;
struct psks_resolver;

/* Borrows api and cache (cache may be NULL: no caching). Returns NULL on allocation failure. */
struct psks_resolver *psks_resolver_create(struct psks_api *api, struct psks_cache *cache);
/* NULL-safe. */
void psks_resolver_destroy(struct psks_resolver *r);

/*
 * identity: len bytes as received from the client (not NUL-terminated, untrusted).
 * Returns 0 and fills out, -EINVAL (not 2..64 hex chars) or an error of psks_api_get_psk.
 * *cached tells whether the answer came from the cache.
 */
int psks_resolver_lookup(struct psks_resolver *r, const char *identity, size_t len,
			 struct psks_key *out, bool *cached);

#endif /* EXAMPLES_PSK_SERVER_RESOLVER_H */
