/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for the simulated SIM's NVM section parser (sim/cmd/cmd_sim.c, the "sim"
 * section of nvm.dat: EF FPLMN), through the shared image round trip
 * (tests/helpers/fuzz_image.h): an image that parses formats back to the same bytes, and a
 * refused image leaves the SIM as it was.
 */
#include <stdint.h>

#include "buf.h"
#include "cmd_sim.h"
#include "fuzz_image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void *create(void)
{
	return cmd_sim_state_create();
}

static void destroy(void *st)
{
	cmd_sim_state_destroy(st);
}

static int parse(void *st, const uint8_t *data, size_t len)
{
	return cmd_sim_parse(st, data, len);
}

static int format(void *st, struct buf *out)
{
	return cmd_sim_format(st, out);
}

static void prefill(void *st)
{
	static const char image[] = "fplmn 00F110130062FFFFFFFFFFFF\n";

	fuzz_check(cmd_sim_parse(st, image, sizeof(image) - 1) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct fuzz_image_ops ops = { create, destroy, parse, format, NULL, prefill };

	return fuzz_image_roundtrip(&ops, data, size);
}
