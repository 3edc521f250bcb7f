/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for secprof_parse (sim/net/secprof.c: the "profiles" NVM section), through
 * the shared image round trip (tests/helpers/fuzz_image.h); every profile's op 2 cipher answer
 * must also format.
 */
#include <stdint.h>

#include "buf.h"
#include "fuzz_image.h"
#include "secprof.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void *create(void)
{
	return secprof_store_create();
}

static void destroy(void *s)
{
	secprof_store_destroy(s);
}

static int parse(void *s, const uint8_t *data, size_t len)
{
	return secprof_parse(s, data, len);
}

static int format(void *s, struct buf *out)
{
	return secprof_format(s, out);
}

static void ciphers_format(void *s)
{
	struct buf b;

	buf_init(&b, 0);
	for (int id = 0; id < SECPROF_COUNT; id++) {
		buf_reset(&b);
		fuzz_check(secprof_cipher_format(s, id, &b) == 0);
	}
	buf_finish(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct fuzz_image_ops ops = { create, destroy,        parse,
						   format, ciphers_format, NULL };

	return fuzz_image_roundtrip(&ops, data, size);
}
