/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for credstore_parse (sim/net/credstore.c: the "credentials" NVM section,
 * PEM/DER inside), through the shared image round trip (tests/helpers/fuzz_image.h); the
 * +USECMNG list of a store that parsed must also format.
 */
#include <stdint.h>

#include "buf.h"
#include "credstore.h"
#include "fuzz_image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void *create(void)
{
	return credstore_create();
}

static void destroy(void *s)
{
	credstore_destroy(s);
}

static int parse(void *s, const uint8_t *data, size_t len)
{
	return credstore_parse(s, data, len);
}

static int format(void *s, struct buf *out)
{
	return credstore_format(s, out);
}

static void list_formats(void *s)
{
	struct buf b;

	buf_init(&b, 0);
	fuzz_check(credstore_list(s, -1, &b) == 0);
	buf_finish(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct fuzz_image_ops ops = { create, destroy,      parse,
						   format, list_formats, NULL };

	return fuzz_image_roundtrip(&ops, data, size);
}
