/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Bounded LRU cache PSKIdentity -> (PSK, ROTPublicUID) with a time to live.
 *
 * Identities are session-unique, but a device may reconnect with the same identity (a retry
 * after a lost handshake, TLS resumption), and each miss costs a GetPSK round trip. Thread-safe:
 * every call takes the cache's mutex. Entries are wiped when evicted, expired or destroyed.
 * The caller passes the time (monotonic milliseconds), so tests control expiry.
 */
#ifndef EXAMPLES_PSK_SERVER_CACHE_H
#define EXAMPLES_PSK_SERVER_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "key.h"

struct psks_cache;

struct psks_cache_stats {
	uint64_t hits;
	uint64_t misses;
	uint64_t evictions;
	size_t entries;
};

/* capacity 0 gives a cache that stores nothing. Returns NULL on allocation failure. */
struct psks_cache *psks_cache_create(size_t capacity, uint64_t ttl_ms);
/* Wipes and frees every entry. NULL-safe. */
void psks_cache_destroy(struct psks_cache *c);

/*
 * Copies the entry for identity (len chars) into out and marks it most recently used.
 * Returns 0, or -ENOENT if absent or older than the TTL (an expired entry is dropped).
 */
int psks_cache_get(struct psks_cache *c, const char *identity, size_t len, uint64_t now_ms,
		   struct psks_key *out);
/*
 * Stores a copy of key for identity, replacing an older entry and evicting the least
 * recently used one when full. Returns 0, -EINVAL (identity too long) or -ENOSPC (capacity 0).
 */
int psks_cache_put(struct psks_cache *c, const char *identity, size_t len,
		   const struct psks_key *key, uint64_t now_ms);

void psks_cache_get_stats(struct psks_cache *c, struct psks_cache_stats *out);

#endif /* EXAMPLES_PSK_SERVER_CACHE_H */
