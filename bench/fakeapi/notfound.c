/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Timing of GetPSK's three 404 causes (issue 13 item 6), through api_handle() without HTTP:
 * another account's device, a forged tag on a real reference, an unknown reference; next to a
 * 200 for the same account as the baseline, in the same run. The cases are interleaved in
 * short rounds so that load on the machine hits all of them alike; the best round of each is
 * printed (least disturbed), and the spread between the three 404s.
 *
 *	fakeapi-notfound-bench [ROUNDS [PER_ROUND]]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api.h"
#include "demo_login.h"
#include "rot/platform.h"

enum { CASE_OK, CASE_OTHER_ACCOUNT, CASE_WRONG_TAG, CASE_UNKNOWN_REF, CASES };

static const char *const case_names[CASES] = {
	"200 own device (baseline)",
	"404 another account's device",
	"404 wrong tag",
	"404 unknown reference",
};

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* The identity (hex) of the first device of account (or not of it, with mine == false). */
static int identity_of(const struct platform *p, const char *account, bool mine, char *hex)
{
	struct rot_device dev;
	struct rot_identity id;
	struct rot_psk psk;
	int rc = -1;

	for (size_t i = 0; i < platform_device_count(p) && rc < 0; i++) {
		const struct platform_device *d = platform_device_at(p, i);

		if ((strcmp(d->account, account) == 0) != mine || !d->psk_provisioning)
			continue;
		if (platform_device_rot(p, d, &dev) == 0 &&
		    rot_generate(&dev, 7, 16, &id, &psk) == 0)
			rc = rot_identity_format(&id, hex, ROT_IDENTITY_HEX + 1);
		rot_device_clear(&dev);
		rot_psk_clear(&psk);
	}
	return rc;
}

static double time_case(struct api *a, const struct api_request *rq, int want, long n)
{
	double t0 = now_s();

	for (long i = 0; i < n; i++) {
		struct api_response rs = { 0 };

		api_handle(a, API_SURFACE_PUBLIC, rq, &rs);
		if (rs.status != want) {
			fprintf(stderr, "notfound-bench: got %d, want %d\n", rs.status, want);
			exit(1);
		}
		api_response_finish(&rs);
	}
	return (now_s() - t0) / (double)n * 1e6;
}

int main(int argc, char **argv)
{
	long rounds = argc > 1 ? atol(argv[1]) : 50, per = argc > 2 ? atol(argv[2]) : 2000;
	struct api_config cfg = { .token_ttl = 3600, .refresh_ttl = 86400, .fail_burst = 1u << 30 };
	struct platform *plat = platform_load_default();
	char err[256], tok[1024], hex[CASES][ROT_IDENTITY_HEX + 1], body[CASES][96];
	struct api *a = api_create(&cfg, err, sizeof(err));
	struct api_request rq[CASES];
	double best[CASES], lo, hi;

	if (a == NULL || plat == NULL || demo_login(a, tok, sizeof(tok)) < 0 ||
	    identity_of(plat, "demo", true, hex[CASE_OK]) < 0 ||
	    identity_of(plat, "demo", false, hex[CASE_OTHER_ACCOUNT]) < 0)
		return 1;
	/* Forged: the last tag digit changed. Unknown: a reference no device has. */
	memcpy(hex[CASE_WRONG_TAG], hex[CASE_OK], sizeof(hex[0]));
	hex[CASE_WRONG_TAG][ROT_IDENTITY_HEX - 1] ^= 1;
	snprintf(hex[CASE_UNKNOWN_REF], sizeof(hex[0]), "%s", "11010008FFFFFFFF000000070000");
	for (int c = 0; c < CASES; c++) {
		snprintf(body[c], sizeof(body[c]), "{\"KeyID\":\"%s\"}", hex[c]);
		rq[c] = (struct api_request){ .method = "POST",
					      .path = "/v1/GetPSK",
					      .authorization = tok,
					      .content_type = "application/json",
					      .body = (const uint8_t *)body[c],
					      .body_len = strlen(body[c]) };
		best[c] = 1e9;
	}
	for (long r = 0; r < rounds; r++) {
		for (int c = 0; c < CASES; c++) {
			double us = time_case(a, &rq[c], c == CASE_OK ? 200 : 404, per);

			best[c] = us < best[c] ? us : best[c];
		}
	}
	printf("fakeapi GetPSK by outcome, one thread, best of %ld rounds x %ld requests:\n",
	       rounds, per);
	lo = hi = best[CASE_OTHER_ACCOUNT];
	for (int c = 0; c < CASES; c++) {
		printf("  %-30s %6.2f us\n", case_names[c], best[c]);
		if (c != CASE_OK) {
			lo = best[c] < lo ? best[c] : lo;
			hi = best[c] > hi ? best[c] : hi;
		}
	}
	printf("  spread of the three 404s     %6.2f us (%.1f%%)\n", hi - lo,
	       100.0 * (hi - lo) / lo);
	platform_destroy(plat);
	api_destroy(a);
	return 0;
}
