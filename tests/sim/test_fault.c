/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fault registry (sim/fault.c): the table, switching by name and by --fault spec, parameter
 * ranges, nothing changed on a bad spec, the seeded PRNG, the active list and the change hook.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "config.h"
#include "fault.h"

/* faults_is_on / faults_get by name, through the registry's own faults_find. */
static bool faults_on(const struct faults *f, const char *name)
{
	enum fault_id id;

	return faults_find(name, &id) != NULL && faults_is_on(f, id);
}

static long faults_param(const struct faults *f, const char *name, const char *key)
{
	enum fault_id id;

	return faults_find(name, &id) != NULL ? faults_get(f, id, key) : 0;
}

static void test_table_complete(void **state)
{
	size_t n = 0;
	const struct fault_desc *t = faults_table(&n);
	enum fault_id id;

	(void)state;
	assert_int_equal(n, FAULT_COUNT);
	for (size_t i = 0; i < n; i++) {
		assert_non_null(t[i].name);
		assert_non_null(t[i].help);
		assert_true(t[i].n_params <= FAULT_PARAMS_MAX);
		assert_ptr_equal(faults_find(t[i].name, &id), &t[i]);
		assert_int_equal(id, (enum fault_id)i);
		for (size_t j = 0; j < t[i].n_params; j++) {
			assert_true(t[i].params[j].min <= t[i].params[j].def);
			assert_true(t[i].params[j].def <= t[i].params[j].max);
		}
		for (size_t j = i + 1; j < n; j++)
			assert_string_not_equal(t[i].name, t[j].name);
	}
	assert_ptr_equal(faults_find("q15", NULL), &t[FAULT_Q15]);
	assert_null(faults_find("Q99", NULL));
}

static void test_all_off_by_default(void **state)
{
	struct faults *f = faults_create(0);

	(void)state;
	for (size_t i = 0; i < FAULT_COUNT; i++)
		assert_false(faults_is_on(f, (enum fault_id)i));
	assert_false(faults_is_on(NULL, FAULT_Q15));
	assert_int_equal(faults_param(f, "chunked", "bytes"), 8);
	faults_destroy(f);
	faults_destroy(NULL);
}

static void test_set_and_params(void **state)
{
	struct faults *f = faults_create(0);
	char err[128] = "";

	(void)state;
	assert_int_equal(faults_set(f, "chunked", true, "delay_ms=5,bytes=3", err, sizeof(err)), 0);
	assert_true(faults_on(f, "chunked"));
	assert_int_equal(faults_param(f, "chunked", "bytes"), 3);
	assert_int_equal(faults_get(f, FAULT_CHUNKED, "delay_ms"), 5);
	/* switching on again starts from the defaults */
	assert_int_equal(faults_set(f, "CHUNKED", true, NULL, err, sizeof(err)), 0);
	assert_int_equal(faults_param(f, "chunked", "bytes"), 8);
	assert_int_equal(faults_param(f, "chunked", "nope"), 0);
	assert_int_equal(faults_set(f, "chunked", false, "", err, sizeof(err)), 0);
	assert_false(faults_on(f, "chunked"));
	faults_destroy(f);
}

static void test_bad_specs_change_nothing(void **state)
{
	static const struct {
		const char *name, *kv;
		bool on;
		int rc;
		const char *msg;
	} cases[] = {
		{ "Q99", NULL, true, -ENOENT, "unknown fault" },
		{ "Q18", "pct=101", true, -EINVAL, "expected 0..100" },
		{ "Q18", "pct=-1", true, -EINVAL, "bad pct" },
		{ "Q18", "pct=", true, -EINVAL, "bad pct" },
		{ "Q18", "pct=5x", true, -EINVAL, "bad pct" },
		{ "Q18", "pct=+5", true, -EINVAL, "bad pct" },
		{ "Q18", "pct=99999999999999999999999", true, -EINVAL, "bad pct" },
		{ "Q18", "size=5", true, -EINVAL, "no parameter 'size'" },
		{ "Q18", "pct", true, -EINVAL, "key=value" },
		{ "Q18", "=5", true, -EINVAL, "key=value" },
		{ "Q18", "pct=5,", true, -EINVAL, "trailing" },
		{ "Q18", "pct=5,,pct=6", true, -EINVAL, "key=value" },
		{ "Q18", "pct=5", false, -EINVAL, "only when switching on" },
		{ "Q6", "x=1", true, -EINVAL, "no parameter" },
	};
	struct faults *f = faults_create(0);
	char err[128];

	(void)state;
	assert_int_equal(faults_set(f, "Q18", true, "pct=40", err, sizeof(err)), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err[0] = '\0';
		assert_int_equal(
			faults_set(f, cases[i].name, cases[i].on, cases[i].kv, err, sizeof(err)),
			cases[i].rc);
		assert_non_null(strstr(err, cases[i].msg));
		assert_true(faults_on(f, "Q18"));
		assert_int_equal(faults_param(f, "Q18", "pct"), 40);
		assert_false(faults_on(f, "Q6"));
	}
	faults_destroy(f);
}

static void test_cli_form(void **state)
{
	static const char *const bad[] = {
		"",     ":pct=3",
		"Q18:", "Q18:pct=300",
		"nope", "averyveryveryveryverylongfaultnamethatoverflows"
	};
	struct faults *f = faults_create(0);
	char err[128];

	(void)state;
	assert_int_equal(faults_parse_cli(f, "Q21:nuls=4,stale=1", err, sizeof(err)), 0);
	assert_int_equal(faults_param(f, "Q21", "nuls"), 4);
	assert_int_equal(faults_param(f, "Q21", "stale"), 1);
	assert_int_equal(faults_parse_cli(f, "hang", err, sizeof(err)), 0);
	assert_true(faults_is_on(f, FAULT_HANG));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_true(faults_parse_cli(f, bad[i], err, sizeof(err)) < 0);
		assert_true(err[0] != '\0');
	}
	faults_destroy(f);
}

static void test_rand_deterministic(void **state)
{
	struct faults *a = faults_create(42), *b = faults_create(42), *c = faults_create(43);
	int differ = 0, hits = 0;

	(void)state;
	for (int i = 0; i < 1000; i++) {
		uint32_t x = faults_rand(a);

		assert_int_equal(x, faults_rand(b));
		differ += x != faults_rand(c);
	}
	assert_true(differ > 990);
	for (int i = 0; i < 10000; i++)
		hits += faults_chance(a, 30);
	assert_in_range(hits, 2700, 3300); /* a usable spread, not just determinism */
	assert_false(faults_chance(a, 0));
	assert_true(faults_chance(a, 100));
	faults_destroy(a);
	faults_destroy(b);
	faults_destroy(c);
}

struct seen {
	char text[512];
	int hooks;
	enum fault_id last;
	bool last_on;
};

static void collect(const char *name, const char *kv, void *ctx)
{
	struct seen *s = ctx;
	size_t n = strlen(s->text);

	snprintf(s->text + n, sizeof(s->text) - n, "%s[%s];", name, kv);
}

static void hook(void *data, enum fault_id id, bool on)
{
	struct seen *s = data;

	s->hooks++;
	s->last = id;
	s->last_on = on;
}

static void test_active_list_and_hook(void **state)
{
	struct faults *f = faults_create(0);
	struct seen s = { .text = "" };
	char err[128];

	(void)state;
	faults_set_hook(f, hook, &s);
	assert_int_equal(faults_parse_cli(f, "rtt:ms=30", err, sizeof(err)), 0);
	assert_int_equal(s.hooks, 1);
	assert_int_equal(s.last, FAULT_RTT);
	assert_true(s.last_on);
	assert_int_equal(faults_parse_cli(f, "Q6", err, sizeof(err)), 0);
	assert_true(faults_parse_cli(f, "rtt:ms=-3", err, sizeof(err)) < 0);
	assert_int_equal(s.hooks, 2); /* no hook for a refused spec */
	faults_foreach_active(f, collect, &s);
	assert_string_equal(s.text, "Q6[];rtt[ms=30];");
	faults_destroy(f);
}

static void test_config_options(void **state)
{
	char a0[] = "ukms-sim", a1[] = "--fault", a2[] = "Q18:pct=50", a3[] = "--seed", a4[] = "7",
	     a5[] = "hang", b2[] = "Q18:pct=500", c2[] = "-1";
	char *argv[] = { a0, a1, a2, a3, a4, a1, a5, NULL };
	char *bad1[] = { a0, a1, b2, NULL };
	char *bad2[] = { a0, a3, c2, NULL };
	struct modem_config cfg;
	char err[256] = "";

	(void)state;
	assert_int_equal(config_parse(&cfg, 7, argv, stdout, err, sizeof(err)), CONFIG_RUN);
	assert_int_equal(cfg.n_faults, 2);
	assert_string_equal(cfg.faults[0], "Q18:pct=50");
	assert_int_equal(cfg.seed, 7);
	assert_int_equal(config_parse(&cfg, 3, bad1, stdout, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "pct"));
	assert_int_equal(config_parse(&cfg, 3, bad2, stdout, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "--seed"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_complete),
		cmocka_unit_test(test_all_off_by_default),
		cmocka_unit_test(test_set_and_params),
		cmocka_unit_test(test_bad_specs_change_nothing),
		cmocka_unit_test(test_cli_form),
		cmocka_unit_test(test_rand_deterministic),
		cmocka_unit_test(test_active_list_and_hook),
		cmocka_unit_test(test_config_options),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
