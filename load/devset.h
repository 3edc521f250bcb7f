/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The virtual devices of one ukms-load run: positions FROM..TO of a fleet (or the platform's
 * explicit devices), of which this shard takes those whose position is I modulo N, so shards
 * are disjoint and together cover the range. Handshake n uses device n mod m (m devices in the
 * shard) with RoT counter start + n / m (or start, with same_identity); the identity and PSK
 * are derived through rot/ exactly as the module's RoT does for AT+USECPSK.
 */
#ifndef LOAD_DEVSET_H
#define LOAD_DEVSET_H

#include <stddef.h>
#include <stdint.h>

#include "rot/rot.h"

struct platform;
struct load_config;
struct devset;

/* NULL with a message in err (no such fleet, range beyond the fleet, empty shard). */
struct devset *devset_create(const struct platform *p, const struct load_config *c, char *err,
			     size_t errlen);
void devset_destroy(struct devset *d);
/* Devices in this shard. */
uint64_t devset_size(const struct devset *d);
/* "FLEET:INDEX" (or the rot_uid of an explicit device) and rot_uid of device slot s. */
int devset_describe(const struct devset *d, uint64_t s, char *sel, size_t selcap,
		    char uid[2 * ROT_UID_LEN + 1]);
/* Identity (28 hex chars + NUL) and PSK of handshake n. -ENOSPC past the last counter. */
int devset_generate(const struct devset *d, uint64_t n, char idhex[ROT_IDENTITY_HEX + 1],
		    struct rot_psk *psk);

#endif /* LOAD_DEVSET_H */
