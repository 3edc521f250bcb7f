/* SPDX-License-Identifier: Apache-2.0 */
#include "stats.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "compiler.h"

struct load_stats {
	uint32_t *lat_us; /* one per success, capped at UINT32_MAX us */
	size_t n, cap;
	uint64_t errors[LOAD_ERR_COUNT];
	uint64_t last_ok; /* at the previous progress line */
	bool oom;         /* latencies dropped (the counts stay exact) */
};

static const char *const err_names[LOAD_ERR_COUNT] = {
	[LOAD_OK] = "ok",
	[LOAD_ERR_CONNECT] = "connect",
	[LOAD_ERR_TIMEOUT] = "timeout",
	[LOAD_ERR_HANDSHAKE] = "handshake",
	[LOAD_ERR_ECHO] = "echo",
	[LOAD_ERR_CLOSED] = "closed",
	[LOAD_ERR_IO] = "io",
	[LOAD_ERR_IDENTITY] = "identity",
};

const char *load_err_name(enum load_err e)
{
	return e < LOAD_ERR_COUNT ? err_names[e] : "?";
}

struct load_stats *load_stats_create(void)
{
	return calloc(1, sizeof(struct load_stats));
}

void load_stats_destroy(struct load_stats *s)
{
	if (s == NULL)
		return;
	free(s->lat_us);
	free(s);
}

void load_stats_add(struct load_stats *s, enum load_err kind, uint64_t us)
{
	if (kind != LOAD_OK) {
		s->errors[kind < LOAD_ERR_COUNT ? kind : LOAD_ERR_IO]++;
		return;
	}
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 4096;
		uint32_t *n = realloc(s->lat_us, cap * sizeof(*n));

		if (n == NULL) {
			s->oom = true;
			s->errors[LOAD_OK]++;
			return;
		}
		s->lat_us = n;
		s->cap = cap;
	}
	s->lat_us[s->n++] = us > UINT32_MAX ? UINT32_MAX : (uint32_t)us;
}

uint64_t load_stats_ok(const struct load_stats *s)
{
	return s->n + s->errors[LOAD_OK]; /* errors[LOAD_OK]: successes without a latency */
}

uint64_t load_stats_errors(const struct load_stats *s)
{
	uint64_t n = 0;

	for (size_t i = 1; i < LOAD_ERR_COUNT; i++)
		n += s->errors[i];
	return n;
}

void load_stats_progress(struct load_stats *s, FILE *f, double t, unsigned in_flight)
{
	uint64_t ok = load_stats_ok(s);

	fprintf(f, "ukms-load: t=%.0fs ok %llu (+%llu/s) in-flight %u errors %llu\n", t,
		(unsigned long long)ok, (unsigned long long)(ok - s->last_ok), in_flight,
		(unsigned long long)load_stats_errors(s));
	fflush(f);
	s->last_ok = ok;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile in ms of the sorted latencies (0 without any). */
static double pct_ms(const struct load_stats *s, double p)
{
	size_t rank;

	if (s->n == 0)
		return 0;
	rank = (size_t)(p / 100.0 * (double)s->n + 0.999999);
	rank = rank == 0 ? 1 : rank > s->n ? s->n : rank;
	return s->lat_us[rank - 1] / 1000.0;
}

static int report_json(const struct load_stats *s, FILE *f, double seconds, const char *shard,
		       uint64_t devices)
{
	cJSON *o = cJSON_CreateObject(), *lat, *errs;
	char *text = NULL;
	int rc = -EIO;

	cJSON_AddNumberToObject(o, "handshakes", (double)load_stats_ok(s));
	cJSON_AddNumberToObject(o, "failed", (double)load_stats_errors(s));
	cJSON_AddNumberToObject(o, "seconds", seconds);
	cJSON_AddNumberToObject(o, "per_second", seconds > 0 ? load_stats_ok(s) / seconds : 0);
	cJSON_AddStringToObject(o, "shard", shard);
	cJSON_AddNumberToObject(o, "devices", (double)devices);
	lat = cJSON_AddObjectToObject(o, "latency_ms");
	errs = cJSON_AddObjectToObject(o, "errors");
	if (lat == NULL || errs == NULL)
		goto out;
	cJSON_AddNumberToObject(lat, "p50", pct_ms(s, 50));
	cJSON_AddNumberToObject(lat, "p90", pct_ms(s, 90));
	cJSON_AddNumberToObject(lat, "p99", pct_ms(s, 99));
	cJSON_AddNumberToObject(lat, "max", pct_ms(s, 100));
	for (size_t i = 1; i < LOAD_ERR_COUNT; i++)
		cJSON_AddNumberToObject(errs, err_names[i], (double)s->errors[i]);
	text = cJSON_PrintUnformatted(o);
	if (text != NULL && fprintf(f, "%s\n", text) > 0)
		rc = 0;
out:
	cJSON_free(text);
	cJSON_Delete(o);
	return rc;
}

int load_stats_report(struct load_stats *s, FILE *f, double seconds, bool json, const char *shard,
		      uint64_t devices)
{
	if (s->n > 0)
		qsort(s->lat_us, s->n, sizeof(*s->lat_us), cmp_u32);
	if (json)
		return report_json(s, f, seconds, shard, devices);
	fprintf(f,
		"ukms-load: %llu handshakes in %.2f s: %.1f/s, %llu failed (shard %s, %llu "
		"devices)\n",
		(unsigned long long)load_stats_ok(s), seconds,
		seconds > 0 ? load_stats_ok(s) / seconds : 0.0,
		(unsigned long long)load_stats_errors(s), shard, (unsigned long long)devices);
	fprintf(f, "latency ms: p50 %.3f p90 %.3f p99 %.3f max %.3f\n", pct_ms(s, 50),
		pct_ms(s, 90), pct_ms(s, 99), pct_ms(s, 100));
	fprintf(f, "errors:");
	for (size_t i = 1; i < LOAD_ERR_COUNT; i++)
		fprintf(f, " %s %llu%s", err_names[i], (unsigned long long)s->errors[i],
			i + 1 < LOAD_ERR_COUNT ? "," : "\n");
	if (s->oom)
		fprintf(f, "(out of memory: some latencies were not kept)\n");
	return fflush(f) == 0 ? 0 : -EIO;
}
