/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for the modem NVM file parser (sim/nvm.c, the nvm.dat that ukms-sim reads
 * at start). Beyond "no crash": an image that parses must format, the formatted image must
 * parse again to the same image (nothing lost or invented), and a refused image must leave the
 * NVM as it was.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "log.h"
#include "nvm.h"

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
	char err[256];
	struct nvm *n = nvm_open(NULL, err, sizeof(err));
	struct nvm *again = nvm_open(NULL, err, sizeof(err));
	struct buf img, img2;
	const uint8_t *d;
	size_t len;

	check(n != NULL && again != NULL);
	buf_init(&img, 0);
	buf_init(&img2, 0);
	check(nvm_set(n, "sentinel", "x", 1) == 0);
	if (nvm_parse(n, data, size, err, sizeof(err)) < 0) {
		check(err[0] != '\0');
		check(nvm_get(n, "sentinel", &d, &len) == 0 && len == 1 && d[0] == 'x');
		goto out;
	}
	check(nvm_format(n, &img) == 0);
	check(nvm_parse(again, img.data, img.len, err, sizeof(err)) == 0);
	check(nvm_format(again, &img2) == 0);
	check(img.len == img2.len && memcmp(img.data, img2.data, img.len) == 0);
out:
	buf_finish(&img);
	buf_finish(&img2);
	nvm_close(n);
	nvm_close(again);
	return 0;
}
