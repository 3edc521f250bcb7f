/* SPDX-License-Identifier: Apache-2.0 */
#include "fuzz_image.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "log.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	log_set_level(LOG_LEVEL_ERROR); /* no import/parse chatter per input */
	return 0;
}

void fuzz_check(int cond)
{
	if (!cond)
		abort();
}

static int same(const struct buf *a, const struct buf *b)
{
	return a->len == b->len && (a->len == 0 || memcmp(a->data, b->data, a->len) == 0);
}

int fuzz_image_roundtrip(const struct fuzz_image_ops *ops, const uint8_t *data, size_t size)
{
	void *s = ops->create(), *again = ops->create();
	struct buf before, img, img2;

	fuzz_check(s != NULL && again != NULL);
	buf_init(&before, 0);
	buf_init(&img, 0);
	buf_init(&img2, 0);
	if (ops->prefill != NULL)
		ops->prefill(s);
	fuzz_check(ops->format(s, &before) == 0);
	if (ops->parse(s, data, size) < 0) {
		fuzz_check(ops->format(s, &img) == 0);
		fuzz_check(same(&img, &before)); /* refused: nothing changed */
		goto out;
	}
	fuzz_check(ops->format(s, &img) == 0);
	fuzz_check(ops->parse(again, img.data, img.len) == 0);
	fuzz_check(ops->format(again, &img2) == 0);
	fuzz_check(same(&img, &img2));
	if (ops->check_parsed != NULL)
		ops->check_parsed(s);
out:
	buf_finish(&before);
	buf_finish(&img);
	buf_finish(&img2);
	ops->destroy(s);
	ops->destroy(again);
	return 0;
}
