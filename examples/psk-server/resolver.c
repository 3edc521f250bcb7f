/* SPDX-License-Identifier: Apache-2.0 */
#define LOG_MODULE "resolver"
#include "resolver.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api.h"
#include "cache.h"
#include "codec.h"
#include "log.h"

/*
 * One GetPSK in progress. The thread that asks the API (the leader) owns it until it lands;
 * threads that want the same identity meanwhile wait for its answer instead of asking again.
 * Whoever leaves last (the leader when nobody waits, else the last waiter) frees it.
 */
struct flight {
	char id[PSKS_IDENTITY_MAX + 1];
	size_t len;
	bool landed;
	int rc;
	struct psks_key key;
	unsigned waiters;
	struct flight *next;
};

struct psks_resolver {
	struct psks_api *api;
	struct psks_cache *cache;
	struct psks_cache *unknown; /* identities the API answered 404 */
	pthread_mutex_t lock;       /* guards flights and every flight's fields */
	pthread_cond_t landed;      /* a flight landed */
	struct flight *flights;     /* GetPSK calls in progress */
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
	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->landed, NULL);
	return r;
}

void psks_resolver_destroy(struct psks_resolver *r)
{
	if (r == NULL)
		return;
	pthread_cond_destroy(&r->landed);
	pthread_mutex_destroy(&r->lock);
	free(r);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void flight_free(struct flight *f)
{
	OPENSSL_cleanse(f, sizeof(*f));
	free(f);
}

/* Asks the API and fills both caches as the answer says. */
static int ask_api(struct psks_resolver *r, const char *id, size_t len, struct psks_key *out)
{
	int rc = psks_api_get_psk(r->api, id, out);

	if (rc == 0 && r->cache != NULL)
		psks_cache_put(r->cache, id, len, out, now_ms());
	if (rc == -ENOENT && r->unknown != NULL) {
		struct psks_key none = { 0 };

		psks_cache_put(r->unknown, id, len, &none, now_ms());
	}
	return rc;
}

/*
 * Waits for the flight of id if one is in progress (*joined) and returns its answer; else
 * starts one and asks the API itself. Simultaneous handshakes with one identity the caches do
 * not hold (a fleet coming online, a device retrying) cost one GetPSK.
 */
static int ask_once(struct psks_resolver *r, const char *id, size_t len, struct psks_key *out,
		    bool *joined)
{
	struct flight *f, **pp;
	int rc;

	pthread_mutex_lock(&r->lock);
	for (f = r->flights; f != NULL; f = f->next)
		if (f->len == len && memcmp(f->id, id, len) == 0)
			break;
	if (f != NULL) {
		*joined = true;
		f->waiters++;
		while (!f->landed)
			pthread_cond_wait(&r->landed, &r->lock);
		rc = f->rc;
		*out = f->key;
		if (--f->waiters == 0)
			flight_free(f);
		pthread_mutex_unlock(&r->lock);
		return rc;
	}
	f = calloc(1, sizeof(*f));
	if (f != NULL) {
		memcpy(f->id, id, len + 1);
		f->len = len;
		f->next = r->flights;
		r->flights = f;
	}
	pthread_mutex_unlock(&r->lock);
	rc = ask_api(r, id, len, out); /* no flight (out of memory): ask all the same */
	if (f == NULL)
		return rc;
	pthread_mutex_lock(&r->lock);
	for (pp = &r->flights; *pp != f; pp = &(*pp)->next)
		;
	*pp = f->next;
	f->landed = true;
	f->rc = rc;
	f->key = *out;
	if (f->waiters == 0)
		flight_free(f);
	else
		pthread_cond_broadcast(&r->landed);
	pthread_mutex_unlock(&r->lock);
	return rc;
}

int psks_resolver_lookup(struct psks_resolver *r, const char *identity, size_t len,
			 struct psks_key *out, bool *cached)
{
	char id[PSKS_IDENTITY_MAX + 1];
	bool joined = false;
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
	rc = ask_once(r, id, len, out, &joined);
	if (joined) /* still "from API": another handshake's call, not a cache */
		log_debug("identity %s: answered by a GetPSK already in flight", id);
	if (rc < 0)
		psks_key_clear(out);
	return rc;
}
