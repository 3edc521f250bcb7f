/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Crash-safe RoT counter store: one monotonically increasing 32-bit counter per device UID,
 * persisted under a state directory (file "rot-<UID hex>.counter", mode 0600).
 *
 * Counters are reserved ahead in blocks: before a counter beyond the persisted reservation is
 * handed out, the new reservation (next + block) is written with afile_write (temp file,
 * fsync, rename, fsync of the directory). After a crash the store restarts at the persisted
 * reservation, so a counter is never handed out twice and never goes backwards; at most one
 * block is skipped. An flock on "rot-<UID hex>.lock" in the same directory, held while the
 * store is open, serialises processes sharing a state directory (a second opener waits up to
 * 5 s, then fails). A corrupt file or one of a newer format version is refused, not rewritten.
 */
#ifndef ROT_COUNTER_H
#define ROT_COUNTER_H

#include <stdint.h>

#include "rot/rot.h"

struct rot_counter;

/*
 * Opens (creating the directory with 0700 and the file with 0600 if needed) the counter of uid.
 * block >= 1. state_dir == NULL gives an in-memory counter starting at 1 (--ephemeral).
 * Returns NULL and writes a message to err on failure (corrupt file, newer version, I/O).
 */
struct rot_counter *rot_counter_open(const char *state_dir, const uint8_t uid[ROT_UID_LEN],
				     uint32_t block, char *err, size_t errlen);
void rot_counter_close(struct rot_counter *c);
/* Hands out the next counter. Returns 0, -ENOSPC when exhausted, or -errno from persisting. */
int rot_counter_next(struct rot_counter *c, uint32_t *out);
/* The next counter that would be handed out (for :rot / inspect). */
uint32_t rot_counter_peek(const struct rot_counter *c);

#endif /* ROT_COUNTER_H */
