/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Synthetic fleets of the platform file: validation, identifiers unique across fleets and
 * explicit devices, selectors, the O(1) resolution of fleet identities (PSK equal to the
 * device's at both lengths), sparse overrides, a 100,000-device explicit list, and two
 * platforms used in turn by one thread (its fleet contexts stay keyed between uses).
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "compiler.h"
#include "platform_priv.h"
#include "rot/platform.h"
#include "rot/rot.h"

#define HEAD                                                                                       \
	"{\"version\":1,\"platform_secret\":"                                                      \
	"\"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\","                    \
	"\"accounts\":[{\"name\":\"a\",\"api_key\":\"k1\",\"api_secret\":\"s\"}],"
#define DEV0                                                                                       \
	"{\"rot_uid\":\"0A04F00800000001\",\"imei\":\"352753090000017\","                          \
	"\"imsi\":\"001010000000001\",\"iccid\":\"8900101000000000019\","                          \
	"\"model\":\"SARA-R510M8S\",\"account\":\"a\"}"
#define FLEET(name, count, extra)                                                                  \
	"{\"name\":\"" name "\",\"account\":\"a\",\"model\":\"SARA-R422S\",\"count\":" count extra \
	"}"
#define DOCF(devs, fleets) HEAD "\"devices\":[" devs "],\"fleets\":[" fleets "]}"

static const char good[] = DOCF(
	DEV0, FLEET("load", "100000", "") "," FLEET("b2", "50000",
						    ",\"sealed\":false,\"overrides\":["
						    "{\"index\":7,\"psk_provisioning\":false}]"));

static const struct {
	const char *json;
	const char *msg;
} bad[] = {
	{ DOCF(DEV0, FLEET("lo:ad", "10", "")), "fleets[0].name: expected 1-32 characters" },
	{ DOCF(DEV0, FLEET("", "10", "")), "fleets[0].name: expected" },
	{ DOCF(DEV0, FLEET("load", "0", "")), "fleets[0].count: expected 1-10000000" },
	{ DOCF(DEV0, FLEET("load", "10000001", "")), "fleets[0].count: expected 1-10000000" },
	{ DOCF(DEV0, FLEET("load", "1.5", "")), "fleets[0].count: expected an integer" },
	{ DOCF(DEV0, "{\"name\":\"x\",\"account\":\"a\",\"model\":\"M\"}"),
	  "fleets[0].count: missing" },
	{ DOCF(DEV0, FLEET("load", "10", ",\"colour\":1")), "fleets[0].colour: unknown field" },
	{ DOCF(DEV0, "{\"name\":\"x\",\"account\":\"zz\",\"model\":\"M\",\"count\":1}"),
	  "fleets[0].account: unknown account \"zz\"" },
	{ DOCF(DEV0, FLEET("load", "10", "") "," FLEET("load", "5", "")),
	  "fleets[1].name: duplicate of fleets[0].name" },
	{ DOCF(DEV0, FLEET("load", "10",
			   ",\"overrides\":[{\"index\":10,"
			   "\"psk_provisioning\":false}]")),
	  "fleets[0].overrides[0].index: 10 out of range (0-9)" },
	{ DOCF(DEV0, FLEET("load", "10",
			   ",\"overrides\":[{\"index\":1,\"psk_provisioning\":false},"
			   "{\"index\":1,\"psk_provisioning\":true}]")),
	  "fleets[0].overrides: index 1 appears twice" },
	{ DOCF(DEV0, FLEET("load", "10", ",\"overrides\":[{\"index\":1}]")),
	  "fleets[0].overrides[0].psk_provisioning: missing" },
	{ HEAD "\"devices\":[],\"fleets\":{}}", "fleets: expected an array" },
	{ DOCF("{\"rot_uid\":\"f1ee000000000001\",\"imei\":\"352753090000017\","
	       "\"imsi\":\"001010000000001\",\"iccid\":\"8900101000000000019\","
	       "\"model\":\"M\",\"account\":\"a\"}",
	       ""),
	  "devices[0].rot_uid: this prefix is reserved for fleet devices" },
	{ DOCF("{\"rot_uid\":\"0A04F00800000001\",\"imei\":\"992753090000017\","
	       "\"imsi\":\"001010000000001\",\"iccid\":\"8900101000000000019\","
	       "\"model\":\"M\",\"account\":\"a\"}",
	       ""),
	  "devices[0].imei: this prefix is reserved" },
	{ DOCF("{\"rot_uid\":\"0A04F00800000001\",\"imei\":\"352753090000017\","
	       "\"imsi\":\"991010000000001\",\"iccid\":\"8900101000000000019\","
	       "\"model\":\"M\",\"account\":\"a\"}",
	       ""),
	  "devices[0].imsi: this prefix is reserved" },
	{ DOCF("{\"rot_uid\":\"0A04F00800000001\",\"imei\":\"352753090000017\","
	       "\"imsi\":\"001010000000001\",\"iccid\":\"8999101000000000019\","
	       "\"model\":\"M\",\"account\":\"a\"}",
	       ""),
	  "devices[0].iccid: this prefix is reserved" },
};

static int setup(void **state)
{
	char err[256] = "";
	struct platform *p = platform_parse(good, strlen(good), err, sizeof(err));

	if (p == NULL)
		fail_msg("%s", err);
	*state = p;
	return 0;
}

static int teardown(void **state)
{
	platform_destroy(*state);
	return 0;
}

static void test_bad_fleets(void **state)
{
	char err[256];

	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		struct platform *p =
			platform_parse(bad[i].json, strlen(bad[i].json), err, sizeof(err));

		if (p != NULL || strstr(err, bad[i].msg) == NULL)
			fail_msg("case %zu: expected '%s', got %s '%s'", i, bad[i].msg,
				 p ? "success" : "error", err);
	}
}

static bool luhn_ok(const char *s)
{
	char copy[32];
	size_t n = strlen(s);

	memcpy(copy, s, n - 1);
	copy[n - 1] = '\0';
	platform_luhn_append(copy);
	return copy[n - 1] == s[n - 1];
}

struct ids {
	char uid[17], imei[16], imsi[16], iccid[21];
	uint8_t ref[ROT_REF_LEN];
};

static int cmp_str_at(const void *a, const void *b, size_t off)
{
	return strcmp((const char *)a + off, (const char *)b + off);
}

#define CMP(field)                                                                                 \
	static int cmp_##field(const void *a, const void *b)                                       \
	{                                                                                          \
		return cmp_str_at(a, b, offsetof(struct ids, field));                              \
	}
CMP(uid)
CMP(imei)
CMP(imsi)
CMP(iccid)

static int cmp_ref(const void *a, const void *b)
{
	return memcmp(((const struct ids *)a)->ref, ((const struct ids *)b)->ref, ROT_REF_LEN);
}

static void check_unique(struct ids *v, size_t n, int (*cmp)(const void *, const void *),
			 const char *what)
{
	qsort(v, n, sizeof(*v), cmp);
	for (size_t i = 1; i < n; i++)
		if (cmp(&v[i - 1], &v[i]) == 0)
			fail_msg("two devices share a %s (%s)", what, v[i].uid);
}

/* rot_uid, IMEI, IMSI, ICCID and reference unique over both fleets' samples and the explicit. */
static void test_unique_ids(void **state)
{
	const struct platform *p = *state;
	const size_t per = 6000;
	size_t n = 0;
	struct ids *v = calloc(2 * per + 1, sizeof(*v));

	assert_non_null(v);
	for (size_t f = 0; f < 2; f++) {
		uint32_t count = (uint32_t)platform_fleet_at(p, f)->count;

		for (size_t k = 0; k < per; k++) {
			/* the first and last 1000, the rest spread over the fleet */
			uint32_t i = k < 1000   ? (uint32_t)k
				     : k < 2000 ? count - 1 - (uint32_t)(k - 1000)
						: (uint32_t)(k * 7919u % count);
			struct platform_device d;
			struct rot_device rd;

			assert_int_equal(platform_fleet_device(p, f, i, &d), 0);
			assert_true(luhn_ok(d.imei));
			assert_true(luhn_ok(d.iccid));
			assert_null(platform_check_imsi(d.imsi, strlen(d.imsi)));
			assert_null(platform_check_iccid(d.iccid, strlen(d.iccid)));
			assert_int_equal(platform_device_rot(p, &d, &rd), 0);
			memcpy(v[n].ref, rd.ref, ROT_REF_LEN);
			rot_device_clear(&rd);
			memcpy(v[n].uid, d.uid_hex, sizeof(v[n].uid));
			memcpy(v[n].imei, d.imei, sizeof(v[n].imei));
			memcpy(v[n].imsi, d.imsi, sizeof(v[n].imsi));
			memcpy(v[n++].iccid, d.iccid, sizeof(v[n].iccid));
		}
	}
	/* k * 7919 % count repeats some indexes: dedupe by uid first (same uid = same device) */
	qsort(v, n, sizeof(*v), cmp_uid);
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (m == 0 || strcmp(v[m - 1].uid, v[i].uid) != 0)
			v[m++] = v[i];
	{
		const struct platform_device *e = platform_device_at(p, 0);
		struct rot_device rd;

		assert_int_equal(platform_device_rot(p, e, &rd), 0);
		memcpy(v[m].ref, rd.ref, ROT_REF_LEN);
		memcpy(v[m].uid, e->uid_hex, 17);
		memcpy(v[m].imei, e->imei, 16);
		memcpy(v[m].imsi, e->imsi, 16);
		memcpy(v[m++].iccid, e->iccid, 21);
	}
	assert_true(m > 2 * per - 600); /* about 240 sampled twice */
	check_unique(v, m, cmp_uid, "rot_uid");
	check_unique(v, m, cmp_imei, "IMEI");
	check_unique(v, m, cmp_imsi, "IMSI");
	check_unique(v, m, cmp_iccid, "ICCID");
	check_unique(v, m, cmp_ref, "reference");
	free(v);
}

/* Device side (rot_generate) and platform side (GetPSK's platform_derive_psk) agree. */
static void check_round_trip(const struct platform *p, const struct platform_device *d)
{
	static const size_t lens[] = { 16, 32 };
	struct rot_device rd;
	struct rot_identity id;
	struct rot_psk psk, got;
	struct platform_device back;

	assert_int_equal(platform_device_rot(p, d, &rd), 0);
	for (size_t l = 0; l < ARRAY_LEN(lens); l++) {
		for (uint32_t c = 0; c < 3; c++) {
			assert_int_equal(rot_generate(&rd, c * 1000003u, lens[l], &id, &psk), 0);
			memset(&back, 0, sizeof(back));
			assert_int_equal(platform_derive_psk(p, &id, lens[l], &back, &got), 0);
			assert_int_equal(got.len, lens[l]);
			assert_memory_equal(got.bytes, psk.bytes, lens[l]);
			assert_memory_equal(&back, d, sizeof(back));
			id.bytes[13] ^= 1; /* a bad tag never resolves */
			assert_int_equal(platform_derive_psk(p, &id, lens[l], NULL, &got), -ENOENT);
		}
	}
	rot_device_clear(&rd);
	rot_psk_clear(&psk);
	rot_psk_clear(&got);
}

static void test_resolve(void **state)
{
	const struct platform *p = *state;
	static const char *const sels[] = { "load:0", "load:1", "load:65535", "load:99999",
					    "b2:0",   "b2:7",   "b2:49999",   "0A04F00800000001" };

	for (size_t i = 0; i < ARRAY_LEN(sels); i++) {
		struct platform_device d;

		assert_int_equal(platform_select(p, sels[i], &d, NULL, 0), 0);
		check_round_trip(p, &d);
	}
}

/* A second platform: the same fleets under another secret. */
static struct platform *other_platform(void)
{
	char err[256] = "", *doc = strdup(good);
	struct platform *p;

	assert_non_null(doc);
	memcpy(strstr(doc, "000102030405"), "ff", 2);
	p = platform_parse(doc, strlen(doc), err, sizeof(err));
	if (p == NULL)
		fail_msg("%s", err);
	free(doc);
	return p;
}

struct fresh {
	const struct platform *p;
	const struct platform_device *d;
	struct rot_device rd;
	int rc;
};

static void *fresh_thread(void *arg)
{
	struct fresh *f = arg;

	f->rc = platform_device_rot(f->p, f->d, &f->rd);
	return NULL;
}

/* What a thread that never used any platform derives for d (its contexts are new). */
static void rot_in_fresh_thread(const struct platform *p, const struct platform_device *d,
				struct rot_device *out)
{
	struct fresh f = { .p = p, .d = d };
	pthread_t t;

	assert_int_equal(pthread_create(&t, NULL, fresh_thread, &f), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(f.rc, 0);
	*out = f.rd;
	rot_device_clear(&f.rd);
}

/*
 * The per-thread AES contexts stay keyed with the last platform's fleet keys: alternating two
 * platforms must re-key them every time, never derive with the other platform's keys.
 */
static void test_two_platforms(void **state)
{
	const struct platform *p[2] = { *state, other_platform() };
	struct platform_device d[2];
	struct rot_device want[2], got;
	struct rot_identity id;
	struct rot_psk psk, back;

	for (size_t k = 0; k < 2; k++) {
		assert_int_equal(platform_select(p[k], "load:5", &d[k], NULL, 0), 0);
		rot_in_fresh_thread(p[k], &d[k], &want[k]);
	}
	assert_memory_not_equal(want[0].key.bytes, want[1].key.bytes, ROT_KEY_LEN);
	assert_memory_not_equal(want[0].ref, want[1].ref, ROT_REF_LEN);
	for (unsigned round = 0; round < 6; round++) {
		size_t k = round % 2;

		assert_int_equal(platform_device_rot(p[k], &d[k], &got), 0);
		assert_memory_equal(&got, &want[k], sizeof(got));
		assert_int_equal(rot_generate(&got, round, 16, &id, &psk), 0);
		assert_int_equal(platform_derive_psk(p[k], &id, 16, NULL, &back), 0);
		assert_memory_equal(back.bytes, psk.bytes, 16);
		assert_int_equal(platform_derive_psk(p[1 - k], &id, 16, NULL, &back), -ENOENT);
	}
	rot_device_clear(&got);
	rot_device_clear(&want[0]);
	rot_device_clear(&want[1]);
	rot_psk_clear(&psk);
	rot_psk_clear(&back);
	platform_destroy((struct platform *)p[1]);
}

static void test_selectors(void **state)
{
	const struct platform *p = *state;
	struct platform_device d, e;
	char err[256];

	assert_int_equal(platform_select(p, "load:42", &d, err, sizeof(err)), 0);
	assert_int_equal(d.fleet, 1);
	assert_int_equal(d.index, 42);
	assert_string_equal(d.model, "SARA-R422S");
	assert_true(d.sealed && d.psk_provisioning);
	assert_int_equal(strncmp(d.uid_hex, "F1EE", 4), 0);
	/* the same device by its rot_uid (either case) and by its IMEI */
	assert_int_equal(platform_select(p, d.uid_hex, &e, err, sizeof(err)), 0);
	assert_memory_equal(&d, &e, sizeof(d));
	for (char *c = d.uid_hex; *c; c++)
		*c = (char)(*c >= 'A' && *c <= 'F' ? *c + 32 : *c);
	assert_int_equal(platform_select(p, d.uid_hex, &e, err, sizeof(err)), 0);
	assert_int_equal(e.index, 42);
	assert_int_equal(platform_select(p, d.imei, &e, err, sizeof(err)), 0);
	assert_int_equal(e.index, 42);
	assert_int_equal(e.fleet, 1);
	/* the second fleet's flags and override */
	assert_int_equal(platform_select(p, "b2:7", &d, err, sizeof(err)), 0);
	assert_false(d.sealed);
	assert_false(d.psk_provisioning);
	assert_int_equal(platform_select(p, "b2:8", &d, err, sizeof(err)), 0);
	assert_true(d.psk_provisioning);
	/* refused, each with a clear message */
	assert_int_equal(platform_select(p, "load:100000", &d, err, sizeof(err)), -ERANGE);
	assert_non_null(strstr(err, "index out of range (fleet load has 100000 devices, 0-99999)"));
	assert_int_equal(platform_select(p, "load:4294967296", &d, err, sizeof(err)), -EINVAL);
	assert_int_equal(platform_select(p, "nope:1", &d, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "no fleet 'nope'"));
	assert_int_equal(platform_select(p, "load:", &d, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "must be a decimal number"));
	assert_int_equal(platform_select(p, "load:-1", &d, err, sizeof(err)), -EINVAL);
	assert_int_equal(platform_select(p, "load:1x", &d, err, sizeof(err)), -EINVAL);
	assert_int_equal(platform_select(p, ":3", &d, err, sizeof(err)), -ENOENT);
	assert_int_equal(platform_select(p, "0A04F0080000", &d, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "expected a rot_uid (16 hex chars), an IMEI (15 digits) or "
				    "FLEET:INDEX"));
	assert_int_equal(platform_select(p, "0A04F00800000009", &d, err, sizeof(err)), -ENOENT);
	/* a reserved uid whose index is beyond the fleet, and one of no fleet */
	assert_int_equal(platform_select(p, "load:99999", &e, err, sizeof(err)), 0);
	memcpy(e.uid_hex + 8, "000186A0", 8); /* index 100000 */
	assert_int_equal(platform_select(p, e.uid_hex, &d, err, sizeof(err)), -ENOENT);
	/* an IMEI with a wrong check digit is not a fleet device */
	assert_int_equal(platform_select(p, "load:3", &e, err, sizeof(err)), 0);
	e.imei[14] = e.imei[14] == '9' ? '0' : (char)(e.imei[14] + 1);
	assert_int_equal(platform_select(p, e.imei, &d, err, sizeof(err)), -ENOENT);
}

/* Provisioning off for one fleet device: sparse, survives format/parse, others unchanged. */
static void test_overrides(void **state)
{
	struct platform *p = platform_parse(good, strlen(good), NULL, 0), *q = NULL;
	struct platform_device d;
	char *text = NULL, err[256];

	assert_non_null(p);
	assert_int_equal(platform_select(p, "load:500", &d, NULL, 0), 0);
	assert_int_equal(platform_set_provisioning(p, d.uid, false), 0);
	assert_int_equal(platform_select(p, "load:500", &d, NULL, 0), 0);
	assert_false(d.psk_provisioning);
	assert_int_equal(platform_select(p, "load:501", &d, NULL, 0), 0);
	assert_true(d.psk_provisioning);
	assert_int_equal(platform_select(p, "b2:7", &d, NULL, 0), 0);
	assert_int_equal(platform_set_provisioning(p, d.uid, true), 0);
	text = platform_format(p);
	assert_non_null(text);
	assert_non_null(strstr(text, "\"overrides\""));
	q = platform_parse(text, strlen(text), err, sizeof(err));
	if (q == NULL)
		fail_msg("%s", err);
	assert_int_equal(platform_select(q, "load:500", &d, NULL, 0), 0);
	assert_false(d.psk_provisioning);
	assert_int_equal(platform_select(q, "b2:7", &d, NULL, 0), 0);
	assert_true(d.psk_provisioning);
	assert_int_equal(platform_fleet_count(q), 2);
	assert_int_equal(platform_fleet_at(q, 1)->count, 50000);
	assert_false(platform_fleet_at(q, 1)->sealed);
	/* not a device: refused */
	memcpy(d.uid, "\xF1\xEE\x00\x00\x00\x00\x00\x01", ROT_UID_LEN);
	assert_int_equal(platform_set_provisioning(q, d.uid, false), -ENOENT);
	free(text);
	platform_destroy(q);
	platform_destroy(p);
}

/* 100,000 explicit devices (about 25 MB of JSON) load, and the last one resolves. */
static void test_large_explicit(void **state)
{
	const size_t n = 100000;
	struct buf b;
	struct platform *p;
	struct platform_device d;
	char err[256] = "";

	buf_init(&b, PLATFORM_FILE_MAX);
	assert_int_equal(buf_appendf(&b, "%s", HEAD "\"devices\":["), 0);
	for (size_t i = 0; i < n; i++) {
		char imei[16];

		snprintf(imei, sizeof(imei) - 1, "35%012zu", i);
		platform_luhn_append(imei);
		assert_int_equal(
			buf_appendf(&b,
				    "%s{\"rot_uid\":\"0B%014zX\",\"imei\":\"%s\","
				    "\"imsi\":\"00101%010zu\",\"iccid\":\"8900101%011zu1\","
				    "\"model\":\"SARA-R510M8S\",\"account\":\"a\"}",
				    i ? "," : "", i, imei, i, i),
			0);
	}
	assert_int_equal(buf_appendf(&b, "]}"), 0);
	assert_true(b.len > 1024 * 1024);
	p = platform_parse((const char *)b.data, b.len, err, sizeof(err));
	if (p == NULL)
		fail_msg("%s", err);
	assert_int_equal(platform_device_count(p), n);
	assert_int_equal(platform_select(p, "0B0000000001869F", &d, err, sizeof(err)), 0);
	check_round_trip(p, &d);
	platform_destroy(p);
	buf_finish(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_fleets),
		cmocka_unit_test_setup_teardown(test_unique_ids, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resolve, setup, teardown),
		cmocka_unit_test_setup_teardown(test_selectors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_two_platforms, setup, teardown),
		cmocka_unit_test(test_overrides),
		cmocka_unit_test(test_large_explicit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
