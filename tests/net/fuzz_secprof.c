/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for secprof_parse (sim/net/secprof.c: the "profiles" NVM section). An image
 * that parses must format and read back to the same image, every profile's op 2 cipher answer
 * must format, and a refused image must leave the store unchanged.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "log.h"
#include "secprof.h"

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
	struct secprof_store *s = secprof_store_create(), *again = secprof_store_create();
	struct buf before, img, img2;

	check(s != NULL && again != NULL);
	buf_init(&before, 0);
	buf_init(&img, 0);
	buf_init(&img2, 0);
	check(secprof_format(s, &before) == 0);
	if (secprof_parse(s, data, size) < 0) {
		check(secprof_format(s, &img) == 0);
		check(img.len == before.len && memcmp(img.data, before.data, img.len) == 0);
		goto out;
	}
	check(secprof_format(s, &img) == 0);
	check(secprof_parse(again, img.data, img.len) == 0);
	check(secprof_format(again, &img2) == 0);
	check(img.len == img2.len && memcmp(img.data, img2.data, img.len) == 0);
	for (int id = 0; id < SECPROF_COUNT; id++) {
		buf_reset(&img2);
		check(secprof_cipher_format(s, id, &img2) == 0);
	}
out:
	buf_finish(&before);
	buf_finish(&img);
	buf_finish(&img2);
	secprof_store_destroy(s);
	secprof_store_destroy(again);
	return 0;
}
