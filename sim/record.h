/* SPDX-License-Identifier: Apache-2.0 */
/*
 * --record FILE: the host's session on the pty, written as a dialogue script in the format of
 * tests/sim/chat.py, so a failing session becomes a regression test in one step
 * (docs/testing.md). Host bytes become "> TEXT" steps, each line the module sends a "~ REGEX"
 * step matching it exactly, a prompt without a line end ('@', '>') a "< TEXT" step. A
 * "%args" line names the model, device and platform so the replay emulates the same module.
 *
 * The file is 0600 (a host may type a PSK), never opened through a symlink, and written line
 * by line, so a killed simulator leaves a script that replays up to its last step.
 * With --fleet, main.c makes one recording per modem (PATH's "%d" replaced by the index).
 */
#ifndef SIM_RECORD_H
#define SIM_RECORD_H

#include <stddef.h>

struct modem;
struct record;

/* Starts recording. Returns NULL with a message in err. */
struct record *record_create(struct modem *m, const char *path, char *err, size_t errlen);
/* Writes what is pending and closes the file. NULL-safe. */
void record_destroy(struct record *r);

#endif /* SIM_RECORD_H */
