/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Prints tests/rot/vectors.json from the C implementation. Run once by hand:
 *	ninja -C build tests/rot/rot_gen_vectors && build/tests/rot/rot_gen_vectors >
 *tests/rot/vectors.json kat.py then checks every vector with an independent Python implementation.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "compiler.h"
#include "hex.h"
#include "rot/platform.h"
#include "rot/rot.h"

struct input {
	const char *note;
	const char *secret; /* NULL: the built-in demo platform */
	const char *uid;
	uint32_t counter;
	size_t len;
};

static const struct input inputs[] = {
	{ "demo platform, first device, counter 0", NULL, "0A04F008003C9623", 0, 16 },
	{ "demo platform, first device, counter 1", NULL, "0A04F008003C9623", 1, 16 },
	{ "same identity, 32-byte PSK", NULL, "0A04F008003C9623", 1, 32 },
	{ "demo platform, seed-page UID, last counter", NULL, "0002000089282245", 0xFFFFFFFF, 16 },
	{ "demo platform, seed-page UID, 32-byte PSK", NULL, "0002000089282245", 0xFFFFFFFE, 32 },
	{ "secret 00..1f", "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
	  "0102030405060708", 0, 32 },
	{ "secret 00..1f", "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
	  "0102030405060708", 12345678, 16 },
	{ "all-ones secret and UID",
	  "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", "FFFFFFFFFFFFFFFF",
	  0x80000000, 32 },
	{ "all-ones secret, zero UID",
	  "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", "0000000000000000", 1,
	  16 },
};

static cJSON *vector(const struct input *in, const uint8_t *demo_secret)
{
	uint8_t secret[ROT_SECRET_LEN], uid[ROT_UID_LEN];
	struct rot_device dev;
	struct rot_identity id;
	struct rot_psk psk;
	char idhex[ROT_IDENTITY_HEX + 1], pskhex[2 * ROT_PSK_MAX + 1], sechex[65];
	cJSON *o = cJSON_CreateObject();

	if (in->secret != NULL)
		hex_decode(in->secret, 64, secret, sizeof(secret));
	else
		memcpy(secret, demo_secret, sizeof(secret));
	hex_decode(in->uid, 16, uid, sizeof(uid));
	if (rot_device_init(secret, uid, &dev) < 0 ||
	    rot_generate(&dev, in->counter, in->len, &id, &psk) < 0)
		exit(1);
	rot_identity_format(&id, idhex, sizeof(idhex));
	hex_encode(psk.bytes, psk.len, pskhex, sizeof(pskhex));
	hex_encode(secret, sizeof(secret), sechex, sizeof(sechex));
	cJSON_AddStringToObject(o, "note", in->note);
	cJSON_AddBoolToObject(o, "demo_platform", in->secret == NULL);
	cJSON_AddStringToObject(o, "secret", sechex);
	cJSON_AddStringToObject(o, "uid", in->uid);
	cJSON_AddNumberToObject(o, "counter", in->counter);
	cJSON_AddNumberToObject(o, "length", (double)in->len);
	cJSON_AddStringToObject(o, "identity", idhex);
	cJSON_AddStringToObject(o, "psk", pskhex);
	rot_device_clear(&dev);
	rot_psk_clear(&psk);
	return o;
}

int main(void)
{
	struct platform *demo = platform_load_default();
	cJSON *arr = cJSON_CreateArray();
	char *text;

	if (demo == NULL || arr == NULL)
		return 1;
	for (size_t i = 0; i < ARRAY_LEN(inputs); i++)
		cJSON_AddItemToArray(arr, vector(&inputs[i], platform_secret(demo)));
	text = cJSON_Print(arr);
	if (text == NULL)
		return 1;
	printf("%s\n", text);
	free(text);
	cJSON_Delete(arr);
	platform_destroy(demo);
	return 0;
}
