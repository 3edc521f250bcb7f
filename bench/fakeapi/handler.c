/* SPDX-License-Identifier: Apache-2.0 */
/*
 * CPU cost of one GetPSK in ukms-fakeapi without HTTP: api_handle() on a valid request in a
 * loop (token check, JSON, identity resolution, PSK derivation, base64, JSON answer), next to
 * platform_derive_psk() alone, in the same run. Explains the run.sh ratio: what the handler
 * adds per request on top of what a bare libmicrohttpd responder does.
 *
 *	fakeapi-handler-bench [ITERATIONS [PLATFORM_FILE SELECTOR]]
 *
 * With a platform file and a device selector (UID, IMEI or FLEET:INDEX), GetPSK asks for that
 * device's identity instead of the built-in platform's first device (a fleet device's cost).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api.h"
#include "demo_login.h"
#include "rot/platform.h"

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t); /* CPU time: robust on a shared machine */
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static double time_handler(struct api *a, const struct api_request *g, long iters)
{
	double t0 = now_s();

	for (long i = 0; i < iters; i++) {
		struct api_response rs = { 0 };

		api_handle(a, API_SURFACE_PUBLIC, g, &rs);
		if (rs.status != 200) {
			fprintf(stderr, "handler-bench: GetPSK answered %d\n", rs.status);
			exit(1);
		}
		api_response_finish(&rs);
	}
	return (now_s() - t0) / (double)iters * 1e6;
}

static double time_derive(const struct platform *p, const struct rot_identity *id, long iters)
{
	struct platform_device d;
	struct rot_psk psk;
	double t0 = now_s();

	for (long i = 0; i < iters; i++)
		platform_derive_psk(p, id, 16, &d, &psk);
	rot_psk_clear(&psk);
	return (now_s() - t0) / (double)iters * 1e6;
}

int main(int argc, char **argv)
{
	long iters = argc > 1 ? atol(argv[1]) : 200000;
	struct api_config cfg = { .token_ttl = 3600, .refresh_ttl = 86400 };
	char err[256];
	const char *path = argc > 3 ? argv[2] : NULL;
	struct platform *plat = platform_open(path, err, sizeof(err));
	struct platform_device pd;
	struct rot_device dev;
	struct rot_identity id;
	struct rot_psk psk;
	char tok[1024], hex[ROT_IDENTITY_HEX + 1], body[128];
	struct api *a;

	if (plat == NULL) {
		fprintf(stderr, "handler-bench: %s\n", err);
		return 1;
	}
	if (path != NULL && platform_select(plat, argv[3], &pd, err, sizeof(err)) < 0) {
		fprintf(stderr, "handler-bench: %s\n", err);
		return 1;
	}
	if (path == NULL)
		pd = *platform_device_at(plat, 0);
	cfg.platform_path = path;
	a = api_create(&cfg, err, sizeof(err));
	if (a == NULL || demo_login(a, tok, sizeof(tok)) < 0 ||
	    platform_device_rot(plat, &pd, &dev) < 0 || rot_generate(&dev, 1, 16, &id, &psk) < 0 ||
	    rot_identity_format(&id, hex, sizeof(hex)))
		return 1;
	snprintf(body, sizeof(body), "{\"KeyID\":\"%s\",\"KeyLength\":\"128\"}", hex);
	struct api_request g = {
		"POST",       "/v1/GetPSK", tok, "application/json", (const uint8_t *)body,
		strlen(body), false
	};
	printf("fakeapi handler, one thread, %ld iterations each:\n", iters);
	printf("  api_handle(GetPSK)        %6.2f us per request\n", time_handler(a, &g, iters));
	printf("  platform_derive_psk alone %6.2f us\n", time_derive(plat, &id, iters));
	rot_device_clear(&dev);
	rot_psk_clear(&psk);
	platform_destroy(plat);
	api_destroy(a);
	return 0;
}
