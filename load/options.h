/* SPDX-License-Identifier: Apache-2.0 */
/* ukms-load command line → struct load_config (one table; --help is printed from it). */
#ifndef LOAD_OPTIONS_H
#define LOAD_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rot/platform.h"

#define LOAD_PAYLOAD_MAX     16384
#define LOAD_CONCURRENCY_MAX 10000

struct load_config {
	char host[256];
	char port[8];
	bool dtls;
	const char *platform;                    /* NULL: the built-in demo platform */
	char fleet[PLATFORM_FLEET_NAME_MAX + 1]; /* "" : the platform's first fleet */
	bool have_range;                         /* --devices gave FROM-TO */
	uint32_t from, to;                       /* inclusive */
	unsigned shard, shards;                  /* --shard I/N: 0/1 by default */
	unsigned concurrency;
	double rate;         /* handshakes per second; 0: as fast as possible */
	double duration;     /* seconds; 0: until --handshakes */
	uint64_t handshakes; /* stop after this many; 0: no limit */
	size_t payload;      /* echo check bytes; 0: none */
	size_t psk_len;      /* 16 or 32 */
	uint32_t counter;    /* first RoT counter of every device */
	bool same_identity;  /* every handshake of a device: same counter */
	double timeout;      /* seconds per handshake + echo */
	bool json;
	bool quiet;   /* no progress lines */
	bool dry_run; /* print this shard's devices, no network */
};

/*
 * Parses argv. Returns 0, 1 for --help/--version (already printed), or -EINVAL with a one-line
 * message in err.
 */
int load_options_parse(struct load_config *c, int argc, char **argv, char *err, size_t errlen);

#endif /* LOAD_OPTIONS_H */
