/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Faults of the fake API (docs/api.md "Faults"), switched through the admin listener:
 * GET /admin/faults shows them, POST /admin/faults replaces them. On /v1/ requests: added
 * latency, a share of 503 and of 429 answers, a share of tokens treated as revoked, and
 * "revoke_all" (every token issued up to now is refused). Choices come from a PRNG seeded by
 * "seed", so a run is reproducible. All off by default.
 */
#include "api_priv.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rng.h"

#define LOG_MODULE "faults"
#include "log.h"

#define LATENCY_MAX_MS 60000

struct api_fault_values {
	long latency_ms, error_pct, throttle_pct, revoked_pct, seed;
	int64_t revoked_before; /* tokens with iat <= this are refused; -1: none */
};

struct api_faults {
	atomic_bool active; /* any fault set: requests take the lock only then */
	pthread_mutex_t lock;
	struct api_fault_values v;
	struct rng rng;
};

struct api_faults *api_faults_create(void)
{
	struct api_faults *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return NULL;
	pthread_mutex_init(&f->lock, NULL);
	f->v.revoked_before = -1;
	rng_seed(&f->rng, 0);
	return f;
}

void api_faults_destroy(struct api_faults *f)
{
	if (f == NULL)
		return;
	pthread_mutex_destroy(&f->lock);
	free(f);
}

int api_fault_request(struct api_faults *f, const char *path, uint32_t *delay_ms)
{
	int rc = 0;

	*delay_ms = 0;
	if (f == NULL || !atomic_load_explicit(&f->active, memory_order_acquire) || path == NULL ||
	    strncmp(path, "/v1/", 4) != 0)
		return 0;
	pthread_mutex_lock(&f->lock);
	*delay_ms = (uint32_t)f->v.latency_ms;
	if (rng_chance(&f->rng, (unsigned)f->v.error_pct))
		rc = -API_ERR_FAULT_UNAVAILABLE;
	else if (rng_chance(&f->rng, (unsigned)f->v.throttle_pct))
		rc = -API_ERR_FAULT_THROTTLED;
	pthread_mutex_unlock(&f->lock);
	return rc;
}

bool api_fault_token_revoked(struct api_faults *f, int64_t iat)
{
	bool revoked;

	if (f == NULL || !atomic_load_explicit(&f->active, memory_order_acquire))
		return false;
	pthread_mutex_lock(&f->lock);
	revoked = iat <= f->v.revoked_before || rng_chance(&f->rng, (unsigned)f->v.revoked_pct);
	pthread_mutex_unlock(&f->lock);
	return revoked;
}

void api_fault_delay(uint32_t ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };

	while (ms > 0 && nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* ---- admin: GET / POST /admin/faults ---- */

static const struct {
	const char *name;
	size_t offset;
	long max;
} fields[] = {
	{ "latency_ms", offsetof(struct api_fault_values, latency_ms), LATENCY_MAX_MS },
	{ "error_pct", offsetof(struct api_fault_values, error_pct), 100 },
	{ "throttle_pct", offsetof(struct api_fault_values, throttle_pct), 100 },
	{ "revoked_pct", offsetof(struct api_fault_values, revoked_pct), 100 },
	{ "seed", offsetof(struct api_fault_values, seed), 2147483647L },
};

static int reply_faults(struct ctx *c, const struct api_fault_values *v)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *f = cJSON_AddObjectToObject(o, "faults");
	bool ok = f != NULL;

	for (size_t i = 0; ok && i < ARRAY_LEN(fields); i++)
		ok = cJSON_AddNumberToObject(
			     f, fields[i].name,
			     (double)*(const long *)((const char *)v + fields[i].offset)) != NULL;
	if (ok)
		ok = cJSON_AddNumberToObject(f, "revoked_before", (double)v->revoked_before);
	if (!ok) {
		cJSON_Delete(o);
		return -ENOMEM;
	}
	return reply_ok(c, 200, o);
}

int h_admin_get_faults(struct ctx *c)
{
	struct api_faults *f = api_get_faults(c->api);
	struct api_fault_values v;

	pthread_mutex_lock(&f->lock);
	v = f->v;
	pthread_mutex_unlock(&f->lock);
	return reply_faults(c, &v);
}

/* Integer field name in 0..max, absent: 0. */
static int get_int(struct ctx *c, const char *name, long max, long *out)
{
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(c->json, name);

	*out = 0;
	if (n == NULL)
		return 0;
	if (!cJSON_IsNumber(n) || n->valuedouble < 0 || n->valuedouble > (double)max ||
	    (double)(long)n->valuedouble != n->valuedouble)
		return reply_fail(c, API_ERR_BAD_FIELD, "%s: an integer in 0..%ld", name, max);
	*out = (long)n->valuedouble;
	return 0;
}

/* The body replaces every value (absent: 0); "revoke_all": true revokes every token so far. */
int h_admin_set_faults(struct ctx *c)
{
	struct api_faults *f = api_get_faults(c->api);
	struct api_fault_values v = { .revoked_before = -1 };
	bool revoke = false;
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < ARRAY_LEN(fields); i++)
		rc = get_int(c, fields[i].name, fields[i].max,
			     (long *)((char *)&v + fields[i].offset));
	if (rc == 0 && json_get_bool(c->json, "revoke_all", &revoke) == -EINVAL)
		rc = reply_fail(c, API_ERR_BAD_FIELD, "revoke_all: true or false");
	for (cJSON *it = c->json->child; rc == 0 && it != NULL; it = it->next) {
		bool known = strcmp(it->string, "revoke_all") == 0;

		for (size_t i = 0; i < ARRAY_LEN(fields); i++)
			known = known || strcmp(it->string, fields[i].name) == 0;
		if (!known)
			rc = reply_fail(c, API_ERR_BAD_FIELD, "unknown field %s", it->string);
	}
	if (rc < 0)
		return rc;
	pthread_mutex_lock(&f->lock);
	v.revoked_before = revoke ? api_now(c->api) : f->v.revoked_before;
	f->v = v;
	rng_seed(&f->rng, (uint64_t)v.seed);
	atomic_store_explicit(&f->active,
			      v.latency_ms || v.error_pct || v.throttle_pct || v.revoked_pct ||
				      v.revoked_before >= 0,
			      memory_order_release);
	pthread_mutex_unlock(&f->lock);
	log_info("faults: latency %ld ms, 503 %ld%%, 429 %ld%%, revoked %ld%%, seed %ld%s",
		 v.latency_ms, v.error_pct, v.throttle_pct, v.revoked_pct, v.seed,
		 revoke ? ", every token so far revoked" : "");
	return reply_faults(c, &v);
}
