/* SPDX-License-Identifier: Apache-2.0 */
/*
 * PSKIdentity -> PSK: the one lookup both handshake callbacks (TLS 1.2/DTLS and TLS 1.3) call.
 * Validates the identity, answers from the cache when it can, otherwise asks the API and
 * caches the answer. Thread-safe (the cache and the API client lock internally).
 *
 * Two caches, both bounded LRUs with a TTL (cache.h): the positive one maps an identity to its
 * PSK; the negative one remembers identities the API answered 404 (unknown to the account), so
 * a client repeating an unknown identity costs one GetPSK per negative TTL, not one per
 * handshake. The positive cache is asked first; only a 404 enters the negative cache (403,
 * timeouts and other errors are asked again). A device registered after a 404 is thus found
 * once the negative entry expires (--neg-cache-ttl).
 *
 * Lookups of one identity that miss both caches at the same time share one GetPSK: the first
 * asks the API, the others wait for its answer (a fleet coming online, a device retrying).
 */
#ifndef EXAMPLES_PSK_SERVER_RESOLVER_H
#define EXAMPLES_PSK_SERVER_RESOLVER_H

#include <stdbool.h>
#include <stddef.h>

#include "key.h"

struct psks_api;
struct psks_cache;
struct psks_resolver;

/*
 * Borrows api, cache and unknown (either cache may be NULL: no caching of that kind).
 * Returns NULL on allocation failure.
 */
struct psks_resolver *psks_resolver_create(struct psks_api *api, struct psks_cache *cache,
					   struct psks_cache *unknown);
/* NULL-safe. */
void psks_resolver_destroy(struct psks_resolver *r);

/*
 * identity: len bytes as received from the client (not NUL-terminated, untrusted).
 * Returns 0 and fills out, -EINVAL (not 2..64 hex chars) or an error of psks_api_get_psk
 * (-ENOENT also from the negative cache). *cached tells whether the answer came from a cache.
 */
int psks_resolver_lookup(struct psks_resolver *r, const char *identity, size_t len,
			 struct psks_key *out, bool *cached);

#endif /* EXAMPLES_PSK_SERVER_RESOLVER_H */
