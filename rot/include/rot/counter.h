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
 *
 * One counter per device: every program (ukms-rot generate, ukms-sim) on its default state
 * directories uses the same store, rot_counter_default_dir(), so the same device never gets the
 * same counter twice from two programs. A caller that keeps its own record of what was
 * reserved (the modem's NVM) registers a reserve callback and resumes above that record with
 * rot_counter_skip_to() if the file is missing or was rolled back (docs/security.md).
 */
#ifndef ROT_COUNTER_H
#define ROT_COUNTER_H

#include <stddef.h>
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

/*
 * Called when a new reservation has been persisted and before any counter of it is handed out:
 * every counter below limit may be handed out from now on (limit <= 2^32). A non-zero return
 * fails rot_counter_next (nothing handed out; the next call persists and calls again).
 */
typedef int rot_counter_reserve_fn(void *data, uint64_t limit);
void rot_counter_on_reserve(struct rot_counter *c, rot_counter_reserve_fn *fn, void *data);
/*
 * Resumes at next if it is beyond the next counter (never goes back); next up to 2^32
 * (exhausted). The new position is persisted with the next reservation, before it is used.
 */
void rot_counter_skip_to(struct rot_counter *c, uint64_t next);

/*
 * Reads the store of uid in state_dir without opening it (no lock, nothing created): *next is
 * the first counter never handed out from it. Returns 0, -ENOENT if there is none, or -errno
 * with a message in err (corrupt, newer version). For taking over an older location.
 */
int rot_counter_read(const char *state_dir, const uint8_t uid[ROT_UID_LEN], uint64_t *next,
		     char *err, size_t errlen);

/*
 * The default state directory shared by every program: $XDG_STATE_HOME/ukms, else
 * $HOME/.local/state/ukms. Returns 0, -ENOENT (neither variable set) or -ENAMETOOLONG.
 */
int rot_counter_default_dir(char *out, size_t cap);

#endif /* ROT_COUNTER_H */
