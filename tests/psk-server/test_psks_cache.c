/* SPDX-License-Identifier: Apache-2.0 */
/* PSK cache: hits, TTL expiry, LRU eviction order, replacement, disabled cache. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "cache.h"

static struct psks_key key_of(uint8_t fill)
{
	struct psks_key k = { .len = 16 };

	memset(k.psk, fill, k.len);
	snprintf(k.uid, sizeof(k.uid), "0A04F0080000%04X", fill);
	return k;
}

static int get(struct psks_cache *c, const char *id, uint64_t now, struct psks_key *out)
{
	return psks_cache_get(c, id, strlen(id), now, out);
}

static void put(struct psks_cache *c, const char *id, uint8_t fill, uint64_t now)
{
	struct psks_key k = key_of(fill);

	assert_int_equal(psks_cache_put(c, id, strlen(id), &k, now), 0);
}

static void test_hit_returns_stored_key(void **state)
{
	struct psks_cache *c = psks_cache_create(4, 1000);
	struct psks_key out = { 0 }, want = key_of(7);
	struct psks_cache_stats st;

	assert_int_equal(get(c, "AA01", 0, &out), -ENOENT);
	put(c, "AA01", 7, 0);
	assert_int_equal(get(c, "AA01", 10, &out), 0);
	assert_memory_equal(&out, &want, sizeof(out));
	psks_cache_get_stats(c, &st);
	assert_int_equal(st.hits, 1);
	assert_int_equal(st.misses, 1);
	assert_int_equal(st.entries, 1);
	psks_cache_destroy(c);
}

static void test_ttl_expires(void **state)
{
	struct psks_cache *c = psks_cache_create(4, 1000);
	struct psks_key out;
	struct psks_cache_stats st;

	put(c, "AA01", 1, 5000);
	assert_int_equal(get(c, "AA01", 5999, &out), 0);
	assert_int_equal(get(c, "AA01", 6000, &out), -ENOENT);
	psks_cache_get_stats(c, &st);
	assert_int_equal(st.entries, 0); /* the expired entry was dropped */
	psks_cache_destroy(c);
}

static void test_lru_evicts_least_recently_used(void **state)
{
	struct psks_cache *c = psks_cache_create(3, 100000);
	struct psks_key out;
	struct psks_cache_stats st;

	put(c, "AA01", 1, 0);
	put(c, "AA02", 2, 0);
	put(c, "AA03", 3, 0);
	assert_int_equal(get(c, "AA01", 1, &out), 0); /* AA02 is now the oldest */
	put(c, "AA04", 4, 2);
	assert_int_equal(get(c, "AA02", 3, &out), -ENOENT);
	assert_int_equal(get(c, "AA01", 3, &out), 0);
	assert_int_equal(get(c, "AA03", 3, &out), 0);
	assert_int_equal(get(c, "AA04", 3, &out), 0);
	assert_int_equal(out.psk[0], 4);
	psks_cache_get_stats(c, &st);
	assert_int_equal(st.evictions, 1);
	assert_int_equal(st.entries, 3);
	psks_cache_destroy(c);
}

static void test_put_replaces(void **state)
{
	struct psks_cache *c = psks_cache_create(2, 100000);
	struct psks_key out;
	struct psks_cache_stats st;

	put(c, "AA01", 1, 0);
	put(c, "AA01", 9, 1);
	assert_int_equal(get(c, "AA01", 2, &out), 0);
	assert_int_equal(out.psk[0], 9);
	psks_cache_get_stats(c, &st);
	assert_int_equal(st.entries, 1);
	psks_cache_destroy(c);
}

static void test_many_keys_stay_consistent(void **state)
{
	struct psks_cache *c = psks_cache_create(64, 100000);
	struct psks_key out;
	char id[16];

	for (unsigned i = 0; i < 1000; i++) {
		snprintf(id, sizeof(id), "%08X", i);
		put(c, id, (uint8_t)i, i);
	}
	for (unsigned i = 0; i < 1000; i++) {
		snprintf(id, sizeof(id), "%08X", i);
		assert_int_equal(get(c, id, 1000, &out), i >= 1000 - 64 ? 0 : -ENOENT);
		if (i >= 1000 - 64)
			assert_int_equal(out.psk[0], (uint8_t)i);
	}
	psks_cache_destroy(c);
}

static void test_capacity_zero_and_bad_input(void **state)
{
	struct psks_cache *c = psks_cache_create(0, 1000);
	struct psks_key k = key_of(1), out;
	char longid[PSKS_IDENTITY_MAX + 2];

	assert_int_equal(psks_cache_put(c, "AA", 2, &k, 0), -ENOSPC);
	assert_int_equal(get(c, "AA", 0, &out), -ENOENT);
	psks_cache_destroy(c);
	c = psks_cache_create(2, 1000);
	memset(longid, 'A', sizeof(longid) - 1);
	longid[sizeof(longid) - 1] = '\0';
	assert_int_equal(psks_cache_put(c, longid, strlen(longid), &k, 0), -EINVAL);
	psks_cache_destroy(c);
	psks_cache_destroy(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hit_returns_stored_key),
		cmocka_unit_test(test_ttl_expires),
		cmocka_unit_test(test_lru_evicts_least_recently_used),
		cmocka_unit_test(test_put_replaces),
		cmocka_unit_test(test_many_keys_stay_consistent),
		cmocka_unit_test(test_capacity_zero_and_bad_input),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
