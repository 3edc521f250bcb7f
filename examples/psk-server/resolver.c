/* SPDX-License-Identifier: Apache-2.0 */
#define LOG_MODULE "resolver"
#include "resolver.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api.h"
#include "cache.h"
#include "codec.h"
#include "log.h"

struct psks_resolver {
	struct psks_api *api;
	struct psks_cache *cache;
	struct psks_cache *unknown; /* identities the API answered 404 */
};

struct psks_resolver *psks_resolver_create(struct psks_api *api, struct psks_cache *cache,
					   struct psks_cache *unknown)
{
	struct psks_resolver *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	r->api = api;
	r->cache = cache;
	r->unknown = unknown;
	return r;
}

void psks_resolver_destroy(struct psks_resolver *r)
{
	free(r);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

int psks_resolver_lookup(struct psks_resolver *r, const char *identity, size_t len,
			 struct psks_key *out, bool *cached)
{
	char id[PSKS_IDENTITY_MAX + 1];
	int rc;

	*cached = false;
	if (!psks_identity_is_valid(identity, len)) {
		/* Untrusted bytes: log only their length. */
		log_warn("identity rejected: %zu bytes, not 2..%d hex digits", len,
			 PSKS_IDENTITY_MAX);
		return -EINVAL;
	}
	memcpy(id, identity, len);
	id[len] = '\0';
	if (r->cache != NULL && psks_cache_get(r->cache, id, len, now_ms(), out) == 0) {
		*cached = true;
		log_debug("identity %s: cache hit", id);
		return 0;
	}
	if (r->unknown != NULL && psks_cache_get(r->unknown, id, len, now_ms(), out) == 0) {
		psks_key_clear(out);
		*cached = true;
		log_debug("identity %s: known to be unknown (negative cache)", id);
		return -ENOENT;
	}
	rc = psks_api_get_psk(r->api, id, out);
	if (rc == 0 && r->cache != NULL)
		psks_cache_put(r->cache, id, len, out, now_ms());
	if (rc == -ENOENT && r->unknown != NULL) {
		struct psks_key none = { 0 };

		psks_cache_put(r->unknown, id, len, &none, now_ms());
	}
	return rc;
}
