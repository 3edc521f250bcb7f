/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fakeapi-rotgen: the device side of GetPSK for tests and the benchmark, through rot/ only.
 *
 *	fakeapi-rotgen [--platform FILE] SELECTOR COUNTER LENGTH -> "<identity hex> <psk hex>"
 *		(SELECTOR: UID, IMEI or FLEET:INDEX)
 *	fakeapi-rotgen [--platform FILE] --devices            -> "<uid> <account> <0|1>" per device
 *	fakeapi-rotgen --dump-platform                        -> the built-in platform file
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hex.h"
#include "rot/platform.h"
#include "rot/rot.h"

static int generate(const struct platform *p, const char *sel, const char *ctr, const char *len)
{
	struct platform_device d;
	struct rot_device dev;
	struct rot_identity id;
	struct rot_psk psk;
	char idhex[ROT_IDENTITY_HEX + 1], pskhex[2 * ROT_PSK_MAX + 1], err[256];
	int rc;

	if (platform_select(p, sel, &d, err, sizeof(err)) < 0) {
		fprintf(stderr, "fakeapi-rotgen: %s\n", err);
		return 1;
	}
	rc = platform_device_rot(p, &d, &dev);
	if (rc == 0)
		rc = rot_generate(&dev, (uint32_t)strtoul(ctr, NULL, 0), (size_t)atoi(len), &id,
				  &psk);
	rot_device_clear(&dev);
	if (rc < 0) {
		fprintf(stderr, "fakeapi-rotgen: %s\n", strerror(-rc));
		return 1;
	}
	rot_identity_format(&id, idhex, sizeof(idhex));
	hex_encode(psk.bytes, psk.len, pskhex, sizeof(pskhex));
	rot_psk_clear(&psk);
	printf("%s %s\n", idhex, pskhex);
	return 0;
}

static void list_devices(const struct platform *p)
{
	for (size_t i = 0; i < platform_device_count(p); i++) {
		const struct platform_device *d = platform_device_at(p, i);

		printf("%s %s %d\n", d->uid_hex, d->account, d->psk_provisioning ? 1 : 0);
	}
}

int main(int argc, char **argv)
{
	struct platform *p = NULL;
	char err[256];
	int i = 1, rc = 2;

	if (argc == 2 && strcmp(argv[1], "--dump-platform") == 0) {
		fputs(platform_default_json(), stdout);
		return 0;
	}
	if (argc > 2 && strcmp(argv[1], "--platform") == 0) {
		p = platform_load(argv[2], err, sizeof(err));
		if (p == NULL) {
			fprintf(stderr, "fakeapi-rotgen: %s\n", err);
			return 1;
		}
		i = 3;
	} else {
		p = platform_load_default();
	}
	if (p != NULL && argc - i == 1 && strcmp(argv[i], "--devices") == 0) {
		list_devices(p);
		rc = 0;
	} else if (p != NULL && argc - i == 3) {
		rc = generate(p, argv[i], argv[i + 1], argv[i + 2]);
	} else {
		fprintf(stderr, "usage: fakeapi-rotgen [--platform FILE] UID COUNTER LENGTH | "
				"--devices | --dump-platform\n");
	}
	platform_destroy(p);
	return rc;
}
