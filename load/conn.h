/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One virtual device's connection: non-blocking connect, (D)TLS-PSK handshake with the
 * identity and PSK it is given, optional payload echo check, close_notify. Driven by the
 * common/loop poll loop (fd readiness, DTLS retransmission timer, overall deadline); it reports
 * once through done and frees itself.
 */
#ifndef LOAD_CONN_H
#define LOAD_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <openssl/ssl.h>

#include "rot/rot.h"
#include "stats.h"

struct loop;

/* us: connect to handshake completion (successes only). */
typedef void load_conn_done_fn(void *data, enum load_err kind, uint64_t us);

struct load_conn_params {
	SSL_CTX *ctx; /* from load_conn_ctx_create */
	const struct sockaddr *addr;
	socklen_t addrlen;
	bool dtls;
	size_t payload;      /* bytes to echo after the handshake; 0: none */
	uint64_t timeout_ms; /* whole exchange */
};

/* TLS 1.2 or DTLS 1.2 client context with the PSK suites and the PSK callback. */
SSL_CTX *load_conn_ctx_create(bool dtls);

/*
 * Starts a connection for identity (copied) and psk (copied, wiped when done). done is called
 * exactly once, from a later loop callback (never from inside this call). Returns 0 or -errno
 * (nothing started, done never called).
 */
int load_conn_start(struct loop *l, const struct load_conn_params *p, const char *identity,
		    const struct rot_psk *psk, load_conn_done_fn *done, void *data);

#endif /* LOAD_CONN_H */
