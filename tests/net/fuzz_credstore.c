/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for credstore_parse (sim/net/credstore.c: the "credentials" NVM section;
 * every item is validated again with OpenSSL). An image that parses must format and read back
 * to the same image, and the +USECMNG=3 listing of the result must format; a refused image
 * must leave the store unchanged.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "log.h"
#include "credstore.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	log_set_level(LOG_LEVEL_ERROR); /* no import/parse chatter per input */
	return 0;
}

static void check(int cond)
{
	if (!cond)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct credstore *cs = credstore_create(), *again = credstore_create();
	struct buf img, img2;

	check(cs != NULL && again != NULL);
	buf_init(&img, 0);
	buf_init(&img2, 0);
	if (credstore_parse(cs, data, size) < 0) {
		check(credstore_format(cs, &img) == 0);
		check(strcmp(buf_cstr(&img), "ukms-credstore 1\n") == 0); /* still empty */
		goto out;
	}
	check(credstore_format(cs, &img) == 0);
	check(credstore_parse(again, img.data, img.len) == 0);
	check(credstore_format(again, &img2) == 0);
	check(img.len == img2.len && memcmp(img.data, img2.data, img.len) == 0);
	buf_reset(&img2);
	check(credstore_list(cs, -1, &img2) == 0);
out:
	buf_finish(&img);
	buf_finish(&img2);
	credstore_destroy(cs);
	credstore_destroy(again);
	return 0;
}
