/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer: platform_select (UID|IMEI|FLEET:INDEX) on a platform with explicit devices and two
 * fleets. A refusal always says why; an accepted selector names a device whose identities
 * resolve back to it, and selecting it again by its rot_uid and IMEI gives the same device.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rot/platform.h"
#include "rot/rot.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char doc[] =
	"{\"version\":1,\"platform_secret\":"
	"\"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\","
	"\"accounts\":[{\"name\":\"a\",\"api_key\":\"k\",\"api_secret\":\"s\"}],"
	"\"devices\":[{\"rot_uid\":\"0A04F00800000001\",\"imei\":\"352753090000017\","
	"\"imsi\":\"001010000000001\",\"iccid\":\"8900101000000000019\","
	"\"model\":\"SARA-R510M8S\",\"account\":\"a\"}],"
	"\"fleets\":[{\"name\":\"load\",\"account\":\"a\",\"model\":\"SARA-R510M8S\","
	"\"count\":1000000},{\"name\":\"b\",\"account\":\"a\",\"model\":\"LARA-R6\",\"count\":3,"
	"\"overrides\":[{\"index\":1,\"psk_provisioning\":false}]}]}";

static void check_device(const struct platform *p, const struct platform_device *d)
{
	struct platform_device again, back;
	struct rot_device rd;
	struct rot_identity id;
	struct rot_psk psk, got;

	if (platform_select(p, d->uid_hex, &again, NULL, 0) != 0 ||
	    memcmp(&again, d, sizeof(again)) != 0)
		abort();
	if (platform_select(p, d->imei, &again, NULL, 0) != 0 ||
	    memcmp(&again, d, sizeof(again)) != 0)
		abort();
	if (platform_device_rot(p, d, &rd) != 0 || rot_generate(&rd, 7, 16, &id, &psk) != 0)
		abort();
	/* a reference collision may make one identity ambiguous (-ENOENT), never another device */
	if (platform_derive_psk(p, &id, 16, &back, &got) == 0 &&
	    (memcmp(&back, d, sizeof(back)) != 0 || memcmp(got.bytes, psk.bytes, 16) != 0))
		abort();
	rot_device_clear(&rd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct platform *p;
	struct platform_device d;
	char err[256] = "", *sel;

	if (p == NULL)
		p = platform_parse(doc, strlen(doc), NULL, 0);
	if (p == NULL)
		abort();
	sel = malloc(size + 1);
	if (sel == NULL)
		return 0;
	memcpy(sel, data, size);
	sel[size] = '\0';
	if (platform_select(p, sel, &d, err, sizeof(err)) == 0)
		check_device(p, &d);
	else if (err[0] == '\0')
		abort(); /* every refusal says why */
	free(sel);
	return 0;
}
