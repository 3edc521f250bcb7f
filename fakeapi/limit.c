/* SPDX-License-Identifier: Apache-2.0 */
#include "limit.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define NAME_MAX_LEN 64
#define PROBES       8
#define PER_STRIPE   (LIMIT_SLOTS / LIMIT_STRIPES)

struct slot {
	char name[NAME_MAX_LEN + 1];
	uint64_t tat; /* theoretical arrival time of the next failure; <= now: bucket full */
};

struct stripe {
	pthread_mutex_t lock;
	struct slot slots[PER_STRIPE];
};

struct limiter {
	uint64_t interval_ms;  /* one failure refills after this */
	uint64_t tolerance_ms; /* (burst - 1) * interval */
	/* The largest tat of any slot (it only grows): while max_tat <= now + tolerance no account
	 * is limited, and a check answers from this one load, without a lock. */
	_Atomic uint64_t max_tat;
	struct stripe stripes[LIMIT_STRIPES];
};

struct limiter *limiter_create(unsigned burst, unsigned per_minute)
{
	struct limiter *l;

	if (burst == 0 || per_minute == 0)
		return NULL;
	l = calloc(1, sizeof(*l));
	if (l == NULL)
		return NULL;
	l->interval_ms = (60000u + per_minute - 1) / per_minute;
	l->tolerance_ms = (uint64_t)(burst - 1) * l->interval_ms;
	for (size_t i = 0; i < LIMIT_STRIPES; i++)
		pthread_mutex_init(&l->stripes[i].lock, NULL);
	return l;
}

void limiter_destroy(struct limiter *l)
{
	if (l == NULL)
		return;
	for (size_t i = 0; i < LIMIT_STRIPES; i++)
		pthread_mutex_destroy(&l->stripes[i].lock);
	free(l);
}

/* FNV-1a; names come from the platform (a token's account), not straight from the client. */
static uint32_t hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s != '\0'; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return h;
}

/* The slot holding name in its stripe (locked by the caller), or NULL. */
static struct slot *find(struct stripe *st, uint32_t h, const char *name)
{
	for (unsigned i = 0; i < PROBES; i++) {
		struct slot *s = &st->slots[(h + i) % PER_STRIPE];

		if (strcmp(s->name, name) == 0)
			return s;
	}
	return NULL;
}

static void raise_max_tat(struct limiter *l, uint64_t tat)
{
	uint64_t cur = atomic_load_explicit(&l->max_tat, memory_order_relaxed);

	while (cur < tat &&
	       !atomic_compare_exchange_weak_explicit(&l->max_tat, &cur, tat, memory_order_release,
						      memory_order_relaxed))
		;
}

int limiter_check(struct limiter *l, const char *name, uint64_t now_ms, unsigned *retry_after_s)
{
	uint32_t h;
	struct stripe *st;
	const struct slot *s;
	uint64_t wait = 0;

	if (atomic_load_explicit(&l->max_tat, memory_order_acquire) <= now_ms + l->tolerance_ms)
		return 0;
	h = hash(name);
	st = &l->stripes[(h / PER_STRIPE) % LIMIT_STRIPES];
	pthread_mutex_lock(&st->lock);
	s = find(st, h, name);
	if (s != NULL && s->tat > now_ms + l->tolerance_ms)
		wait = s->tat - now_ms - l->tolerance_ms;
	pthread_mutex_unlock(&st->lock);
	if (wait == 0)
		return 0;
	*retry_after_s = (unsigned)((wait + 999) / 1000);
	return -EBUSY;
}

void limiter_fail(struct limiter *l, const char *name, uint64_t now_ms)
{
	uint32_t h = hash(name);
	struct stripe *st = &l->stripes[(h / PER_STRIPE) % LIMIT_STRIPES];
	struct slot *s, *victim = NULL;

	if (strlen(name) > NAME_MAX_LEN)
		return;
	pthread_mutex_lock(&st->lock);
	s = find(st, h, name);
	for (unsigned i = 0; s == NULL && i < PROBES; i++) {
		struct slot *c = &st->slots[(h + i) % PER_STRIPE];

		if (victim == NULL || c->tat < victim->tat)
			victim = c;
	}
	if (s == NULL) {
		s = victim;
		strcpy(s->name, name);
		s->tat = 0;
	}
	s->tat = (s->tat > now_ms ? s->tat : now_ms) + l->interval_ms;
	raise_max_tat(l, s->tat);
	pthread_mutex_unlock(&st->lock);
}
