/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One client connection, run on its own thread: non-blocking handshake (DTLS timers
 * included) within handshake_timeout_ms of the peer's time (time spent in PSK lookups does not
 * count), then echo until the peer closes, the idle timeout or the server stops; then one
 * log line for the session. Until the handshake completes the server may take the slot back
 * (kick_fd) for a newer client. Embedded in the server's per-client record.
 */
#ifndef EXAMPLES_PSK_SERVER_CONN_H
#define EXAMPLES_PSK_SERVER_CONN_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <openssl/ssl.h>

#include "tls.h"

struct psks_conn {
	SSL *ssl;    /* set by the caller, attached to a non-blocking fd it owns */
	int quit_fd; /* becomes readable when the server stops (borrowed) */
	int kick_fd; /* becomes readable when the server takes the slot back (borrowed) */
	atomic_bool established; /* the handshake completed: the slot can no longer be taken */
	bool dtls;
	unsigned handshake_timeout_ms;
	unsigned idle_timeout_ms;
	char peer[64];
	struct psks_session session; /* app data of ssl */
	uint64_t bytes_in;
	uint64_t bytes_out;
};

/* Returns 0 if the handshake completed (whatever ended the session), or -errno. */
int psks_conn_run(struct psks_conn *c);

#endif /* EXAMPLES_PSK_SERVER_CONN_H */
