/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for the modem NVM file parser (sim/nvm.c, the nvm.dat that ukms-sim reads
 * at start), through the shared image round trip (tests/helpers/fuzz_image.h): an image that
 * parses must format and parse again to the same image (nothing lost or invented), and a
 * refused image must leave the NVM as it was (a sentinel entry is put in first) and say why.
 * The same bytes then go to the nvm.journal parser (records replayed over a base): a refused
 * or stale journal changes nothing, an accepted one ends within the input and its result
 * formats and parses again.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

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

static bool same(const struct buf *a, const struct buf *b)
{
	return a->len == b->len && (a->len == 0 || memcmp(a->data, b->data, a->len) == 0);
}

static void journal(const uint8_t *data, size_t size)
{
	struct nvm *n = create(), *again = create();
	struct buf before, after;
	char err[256] = "";
	size_t valid = 0;
	int rc;

	fuzz_check(n != NULL && again != NULL);
	buf_init(&before, 0);
	buf_init(&after, 0);
	sentinel(n);
	fuzz_check(nvm_commit(n) == 0 && nvm_format(n, &before) == 0);
	rc = nvm_journal_parse(n, data, size, &valid, err, sizeof(err));
	fuzz_check(nvm_format(n, &after) == 0);
	if (rc < 0) {
		fuzz_check(rc == -ESTALE || err[0] != '\0');
		fuzz_check(same(&before, &after));
	} else {
		fuzz_check(valid <= size);
		fuzz_check(nvm_parse(again, after.data, after.len, err, sizeof(err)) == 0);
	}
	buf_finish(&before);
	buf_finish(&after);
	destroy(n);
	destroy(again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct fuzz_image_ops ops = { create, destroy, parse, format, NULL, sentinel };

	journal(data, size);
	return fuzz_image_roundtrip(&ops, data, size);
}
