/* SPDX-License-Identifier: Apache-2.0 */
#include "cache.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/*
 * Entries live in one array. A slot is on exactly one of two lists: the LRU list (most recent
 * at head) or the free list. Lookup hashes the identity into buckets chained through
 * next_hash. Indices instead of pointers; NIL marks the end of a list.
 */
#define NIL SIZE_MAX

struct entry {
	char id[PSKS_IDENTITY_MAX + 1];
	size_t id_len;
	uint64_t stored_ms;
	struct psks_key key;
	size_t prev, next; /* LRU list, or free list (next only) */
	size_t next_hash;  /* bucket chain */
};

struct psks_cache {
	pthread_mutex_t lock;
	struct entry *slots;
	size_t capacity;
	size_t *buckets;
	size_t nbuckets; /* power of two */
	size_t head, tail, free_head;
	uint64_t ttl_ms;
	struct psks_cache_stats stats;
};

static size_t hash(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603ULL;

	for (size_t i = 0; i < len; i++) {
		h ^= (uint8_t)s[i];
		h *= 1099511628211ULL;
	}
	return (size_t)h;
}

struct psks_cache *psks_cache_create(size_t capacity, uint64_t ttl_ms)
{
	struct psks_cache *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	pthread_mutex_init(&c->lock, NULL);
	c->capacity = capacity;
	c->ttl_ms = ttl_ms;
	c->head = c->tail = c->free_head = NIL;
	c->nbuckets = 1;
	while (c->nbuckets < 2 * capacity)
		c->nbuckets *= 2;
	c->slots = calloc(capacity ? capacity : 1, sizeof(*c->slots));
	c->buckets = malloc(c->nbuckets * sizeof(*c->buckets));
	if (c->slots == NULL || c->buckets == NULL) {
		psks_cache_destroy(c);
		return NULL;
	}
	for (size_t i = 0; i < c->nbuckets; i++)
		c->buckets[i] = NIL;
	for (size_t i = capacity; i-- > 0;) {
		c->slots[i].next = c->free_head;
		c->free_head = i;
	}
	return c;
}

void psks_cache_destroy(struct psks_cache *c)
{
	if (c == NULL)
		return;
	if (c->slots != NULL)
		OPENSSL_cleanse(c->slots, (c->capacity ? c->capacity : 1) * sizeof(*c->slots));
	free(c->slots);
	free(c->buckets);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

static void lru_unlink(struct psks_cache *c, size_t i)
{
	struct entry *e = &c->slots[i];

	if (e->prev != NIL)
		c->slots[e->prev].next = e->next;
	else
		c->head = e->next;
	if (e->next != NIL)
		c->slots[e->next].prev = e->prev;
	else
		c->tail = e->prev;
}

static void lru_push_front(struct psks_cache *c, size_t i)
{
	struct entry *e = &c->slots[i];

	e->prev = NIL;
	e->next = c->head;
	if (c->head != NIL)
		c->slots[c->head].prev = i;
	c->head = i;
	if (c->tail == NIL)
		c->tail = i;
}

static size_t *bucket_of(struct psks_cache *c, const char *id, size_t len)
{
	return &c->buckets[hash(id, len) & (c->nbuckets - 1)];
}

static size_t find(struct psks_cache *c, const char *id, size_t len)
{
	for (size_t i = *bucket_of(c, id, len); i != NIL; i = c->slots[i].next_hash) {
		const struct entry *e = &c->slots[i];

		if (e->id_len == len && memcmp(e->id, id, len) == 0)
			return i;
	}
	return NIL;
}

/* Unlinks slot i from its bucket and the LRU list, wipes it and returns it to the free list. */
static void drop(struct psks_cache *c, size_t i)
{
	struct entry *e = &c->slots[i];
	size_t *link = bucket_of(c, e->id, e->id_len);

	while (*link != i)
		link = &c->slots[*link].next_hash;
	*link = e->next_hash;
	lru_unlink(c, i);
	OPENSSL_cleanse(e, sizeof(*e));
	e->next = c->free_head;
	c->free_head = i;
	c->stats.entries--;
}

int psks_cache_get(struct psks_cache *c, const char *identity, size_t len, uint64_t now_ms,
		   struct psks_key *out)
{
	size_t i;
	int rc = -ENOENT;

	pthread_mutex_lock(&c->lock);
	i = find(c, identity, len);
	if (i != NIL && now_ms - c->slots[i].stored_ms >= c->ttl_ms) {
		drop(c, i);
		i = NIL;
	}
	if (i == NIL) {
		c->stats.misses++;
		goto out;
	}
	lru_unlink(c, i);
	lru_push_front(c, i);
	*out = c->slots[i].key;
	c->stats.hits++;
	rc = 0;
out:
	pthread_mutex_unlock(&c->lock);
	return rc;
}

/* Returns a free slot, evicting the least recently used entry if there is none. */
static size_t take_slot(struct psks_cache *c)
{
	size_t i;

	if (c->free_head == NIL) {
		drop(c, c->tail);
		c->stats.evictions++;
	}
	i = c->free_head;
	c->free_head = c->slots[i].next;
	return i;
}

int psks_cache_put(struct psks_cache *c, const char *identity, size_t len,
		   const struct psks_key *key, uint64_t now_ms)
{
	struct entry *e;
	size_t i, *bucket;

	if (len > PSKS_IDENTITY_MAX)
		return -EINVAL;
	if (c->capacity == 0)
		return -ENOSPC;
	pthread_mutex_lock(&c->lock);
	i = find(c, identity, len);
	if (i != NIL)
		drop(c, i);
	i = take_slot(c);
	e = &c->slots[i];
	memcpy(e->id, identity, len);
	e->id[len] = '\0';
	e->id_len = len;
	e->key = *key;
	e->stored_ms = now_ms;
	bucket = bucket_of(c, identity, len);
	e->next_hash = *bucket;
	*bucket = i;
	lru_push_front(c, i);
	c->stats.entries++;
	pthread_mutex_unlock(&c->lock);
	return 0;
}

void psks_cache_get_stats(struct psks_cache *c, struct psks_cache_stats *out)
{
	pthread_mutex_lock(&c->lock);
	*out = c->stats;
	pthread_mutex_unlock(&c->lock);
}
