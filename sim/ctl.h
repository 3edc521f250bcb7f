/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Control operations (docs/control.md): ONE table of ops — name, handler, argument schema —
 * used by the control socket (control.c, one session per client) and by the console's ':'
 * commands (console.c, one session). A session takes a request, checks its arguments against
 * the op's schema, runs the handler and hands back exactly one response, in order.
 *
 * Request:  {"id":1,"op":"network","args":{"action":"detach"}}
 *           or the word form of the console and ukms-ctl: {"op":"network","argv":["detach"]}
 *           (words fill the schema's arguments in order; "key=value" names one; a word
 *           "key=value" whose key is not in the schema goes into the op's object argument).
 * Response: {"id":1,"ok":true,"result":{...}}
 *           {"id":1,"ok":false,"error":{"code":"bad_args","message":"..."}}
 *
 * Errors are 0/-errno inside; ctl_error_code() is the one mapping to the wire "code".
 * The `at` op completes later (its own AT channel per session); a session runs one request at
 * a time, so responses stay in order: the owner feeds the next request when it is not busy.
 */
#ifndef SIM_CTL_H
#define SIM_CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct modem;
struct modem_fleet;
struct ctl_session;

#define CTL_LINE_MAX (64u * 1024u) /* one request line, bytes (without the newline) */

/* Event kinds of the `subscribe` op (bit mask). */
enum ctl_events {
	CTL_EV_AT = 1u << 0,    /* the host's pty traffic, rx and tx */
	CTL_EV_URC = 1u << 1,   /* every URC when queued */
	CTL_EV_STATE = 1u << 2, /* registration, attach, contexts, reboot, power, seal, clock */
};

/* One response line (JSON without the newline), NUL-terminated. Borrowed for the call. */
typedef void ctl_reply_fn(void *data, const char *line, size_t len);
/*
 * `subscribe`: the events (enum ctl_events; 0 stops) the session's owner is to get from modem m
 * (index i of the fleet, 0 without one), replacing what it got from m before. Returns 0, or
 * -errno to refuse (nothing changes).
 */
typedef int ctl_subscribe_fn(void *data, struct modem *m, size_t i, unsigned events);

struct ctl_session_config {
	struct modem *m; /* the modem, or modem 0 of the fleet */
	/* NULL: one modem. Else a request's "modem": i (default 0) picks fleet modem i; the
	 * console form (ctl_session_command) always talks to m. */
	struct modem_fleet *fleet;
	ctl_reply_fn *reply;
	ctl_subscribe_fn *subscribe; /* NULL: `subscribe` answers "unsupported" (console) */
	void *data;
};

struct ctl_session *ctl_session_create(const struct ctl_session_config *cfg);
/* Drops a pending request without a response. NULL-safe. */
void ctl_session_destroy(struct ctl_session *s);

/* Handles one request line (no newline). The response comes through cfg.reply, now or later. */
void ctl_session_request(struct ctl_session *s, const char *line, size_t len);
/* Console form: op name and the rest of the line as words ("network", "signal rsrp=-95"). */
void ctl_session_command(struct ctl_session *s, const char *op, const char *words);
/* A request is waiting for its response (`at`): feed no other until it has answered. */
bool ctl_session_busy(const struct ctl_session *s);

/* The one -errno -> wire code mapping ("bad_args", "unknown_op", ...). */
const char *ctl_error_code(int err);

/* Op names and one-line usages, in table order (console help and completion). */
size_t ctl_op_count(void);
const char *ctl_op_name(size_t i);
const char *ctl_op_usage(size_t i);

/*
 * Appends bytes as a JSON string literal (with the quotes), lossless and pure ASCII: bytes
 * 0x20..0x7E as is (with \" and \\ escaped), every other byte as \u00XX (so a client reads
 * the string as Latin-1 to get the bytes back). Returns 0 or -ENOSPC/-ENOMEM.
 */
struct buf;
int ctl_json_bytes(struct buf *out, const void *bytes, size_t len);

#endif /* SIM_CTL_H */
