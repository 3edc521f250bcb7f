/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Listening socket and connection threads of ukms-psk-server.
 *
 * The calling thread accepts (TCP) or runs DTLSv1_listen (UDP, cookie exchange); every
 * accepted client gets its own thread (at most max_clients at a time, joined when done) that runs
 * the handshake (PSK lookup included, which may wait for the API) and then echoes what it receives.
 * A slow lookup thus only delays its own client. A DTLS client is moved from the listening socket
 * to its own UDP socket bound to the same address and connected to the peer.
 *
 * Slots: at most max_clients at a time and max_per_address from one IP address. A client whose
 * handshake has not completed holds its slot only until a newer client needs it: when a limit
 * is reached, the oldest such client (of that address for the per-address limit) is told to
 * stop (conn kick_fd) and the newcomer takes its place. Only when every slot in the way is an
 * established session is the newcomer refused. Idle peers, stalled ClientHellos and DTLS peers
 * that stop after the cookie therefore cannot lock anybody out.
 */
#ifndef EXAMPLES_PSK_SERVER_SERVER_H
#define EXAMPLES_PSK_SERVER_SERVER_H

#include <stdbool.h>
#include <stddef.h>

struct psks_server;
struct psks_tls;

struct psks_server_config {
	const char *host; /* numeric or a name getaddrinfo resolves */
	const char *port; /* "0": ephemeral */
	bool dtls;
	bool once; /* serve one client, then return */
	unsigned max_clients;
	unsigned max_per_address; /* clients from one IP address */
	unsigned handshake_timeout_ms;
	unsigned idle_timeout_ms;
	unsigned shutdown_timeout_ms; /* how long run() waits for clients when stopping */
};

/* Binds and listens; borrows tls. Returns NULL (and logs why) on failure. */
struct psks_server *psks_server_create(const struct psks_server_config *cfg, struct psks_tls *tls);
/* NULL-safe. Only after psks_server_run() has returned. */
void psks_server_destroy(struct psks_server *s);

/* The bound address as "127.0.0.1:4433" or "[::1]:4433". Returns 0 or -errno. */
int psks_server_format_address(const struct psks_server *s, char *out, size_t cap);

/*
 * Serves until stop_fd becomes readable (a signalfd), or, with once, until the first client is
 * done; then tells every client thread to stop and waits for them. Returns 0; with once,
 * -EPROTO if that client's handshake failed. -EBUSY if clients outlived shutdown_timeout_ms
 * (then s must not be destroyed).
 */
int psks_server_run(struct psks_server *s, int stop_fd);

#endif /* EXAMPLES_PSK_SERVER_SERVER_H */
