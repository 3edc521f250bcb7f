/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The control socket (`ukms-sim --control PATH`, docs/control.md): a Unix stream socket, mode
 * 0600, removed on exit, speaking JSON Lines. Each client gets a ctl session (sim/ctl.h);
 * `subscribe` adds event lines. Everything runs in the modem's loop without blocking: a client
 * that sends a line longer than CTL_LINE_MAX gets an error for it, a client that does not read
 * has its input paused and then its events dropped (counted in the next event's "dropped"),
 * and one whose pending responses pass CONTROL_OUT_CAP is disconnected. None of it stalls the
 * modem or grows memory without bound.
 */
#ifndef SIM_CONTROL_H
#define SIM_CONTROL_H

#include <stddef.h>

struct control;
struct loop;
struct modem;
struct modem_fleet;

#define CONTROL_CLIENTS_MAX 16
#define CONTROL_OUT_CAP     (1024u * 1024u) /* queued output per client, bytes */

/*
 * Listens on path, for modem m, or with a fleet (NULL: none) for each of its modems: a request's
 * "modem": i picks fleet modem i (default 0, m), `subscribe` included (a connection may follow
 * several modems; a fleet's event lines then say "modem": i). Refuses a path that exists,
 * unless it is a stale socket (nobody accepts on it), which is replaced. Returns NULL with a
 * message in err.
 */
struct control *control_create(struct modem *m, struct modem_fleet *fleet, struct loop *loop,
			       const char *path, char *err, size_t errlen);
/* Disconnects every client, closes and removes the socket. NULL-safe. */
void control_destroy(struct control *c);

#endif /* SIM_CONTROL_H */
