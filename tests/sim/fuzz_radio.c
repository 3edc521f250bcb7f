/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for the "radio" NVM section of sim/cmd/cmd_radio.c (+CEDRXS, +URAT,
 * +UBANDMASK kept over restarts): any input is either refused or parses; what parses formats
 * to an image that parses again to exactly the same image (nothing lost or invented).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cmd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf a, b;

	buf_init(&a, 1u << 16);
	buf_init(&b, 1u << 16);
	if (cmd_radio_image_roundtrip(data, size, &a) == 0) {
		if (cmd_radio_image_roundtrip(a.data, a.len, &b) != 0 || a.len != b.len ||
		    memcmp(a.data, b.data, a.len) != 0)
			abort();
	}
	buf_finish(&a);
	buf_finish(&b);
	return 0;
}
