/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for the modem NVM file parser (sim/nvm.c, the nvm.dat that ukms-sim reads
 * at start), through the shared image round trip (tests/helpers/fuzz_image.h): an image that
 * parses must format and parse again to the same image (nothing lost or invented), and a
 * refused image must leave the NVM as it was (a sentinel entry is put in first) and say why.
 */
#include <stdint.h>

#include "buf.h"
#include "fuzz_image.h"
#include "nvm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void *create(void)
{
	char err[256];

	return nvm_open(NULL, err, sizeof(err));
}

static void destroy(void *n)
{
	nvm_close(n);
}

static int parse(void *n, const uint8_t *data, size_t len)
{
	char err[256] = "";
	int rc = nvm_parse(n, data, len, err, sizeof(err));

	fuzz_check(rc == 0 || err[0] != '\0'); /* a refusal always says why */
	return rc;
}

static int format(void *n, struct buf *out)
{
	return nvm_format(n, out);
}

static void sentinel(void *n)
{
	fuzz_check(nvm_set(n, "sentinel", "x", 1) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct fuzz_image_ops ops = { create, destroy, parse, format, NULL, sentinel };

	return fuzz_image_roundtrip(&ops, data, size);
}
