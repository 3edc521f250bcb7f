/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The module's internal (D)TLS client on OpenSSL, used by sock.c: one session per secure
 * socket over the socket's non-blocking fd. Never blocks: every call reports which poll
 * events it waits for. Wire bytes (records and handshake) are reported through the wire hook
 * so the socket layer can count them and write them to the pcap. See docs/tls.md.
 */
#ifndef SIM_NET_SOCK_TLS_H
#define SIM_NET_SOCK_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "secprof.h"

struct credstore;
struct sock_tls;

typedef void sock_tls_wire_fn(void *data, bool outbound, const void *bytes, size_t len);
/* One NSS key log line (without newline) of the session's secrets (--keylog). */
typedef void sock_tls_keylog_fn(void *data, const char *line);

struct sock_tls_cfg {
	const struct secprof *prof;
	const struct credstore *creds;
	secprof_psk_gen_fn *psk_gen; /* op 11 */
	void *psk_data;
	bool dtls; /* UDP: DTLS over the connected datagram socket */
	int fd;    /* connected, non-blocking; borrowed */
	sock_tls_wire_fn *wire;
	void *wire_data;
	sock_tls_keylog_fn *keylog; /* NULL: no key log */
	void *keylog_data;
	/* DTLS, optional (network impairments), called with wire_data: an outbound record
	 * datagram (true: taken, not to be sent) and an inbound one (true: lost). */
	bool (*dgram_out)(void *data, const void *bytes, size_t len);
	bool (*dgram_in_lost)(void *data);
};

#define SOCK_TLS_REASON_MAX 160

/*
 * Builds the context from the profile. Returns NULL on a configuration error (missing CA,
 * key, PSK ...) with *err = -errno and the reason in reason[SOCK_TLS_REASON_MAX].
 */
struct sock_tls *sock_tls_create(const struct sock_tls_cfg *cfg, int *err, char *reason);
void sock_tls_destroy(struct sock_tls *s);

/*
 * Advances the handshake. Returns 0 when done, -EAGAIN while in progress (*events = POLLIN
 * and/or POLLOUT to wait for), or -errno on failure (sock_tls_reason explains).
 */
int sock_tls_handshake(struct sock_tls *s, unsigned *events);
/* DTLS retransmission timer: ms until sock_tls_handle_timeout is due, or -1. */
long sock_tls_timer_ms(struct sock_tls *s);
/* Returns 0 or -errno (too many retransmissions). */
int sock_tls_handle_timeout(struct sock_tls *s);

/* Plaintext I/O. read: > 0 bytes, 0 = peer sent close_notify, -EAGAIN (*events), -errno. */
ssize_t sock_tls_read(struct sock_tls *s, void *buf, size_t len, unsigned *events);
/* Buffered plaintext inside OpenSSL (decrypted, not yet read). */
bool sock_tls_has_pending(struct sock_tls *s);
/* write: > 0 bytes taken, -EAGAIN (*events), -errno. */
ssize_t sock_tls_write(struct sock_tls *s, const void *data, size_t len, unsigned *events);
/* Sends close_notify, best-effort, non-blocking. */
void sock_tls_shutdown(struct sock_tls *s);

/* Plain-words reason of the last failure ("" if none). Borrowed. */
const char *sock_tls_reason(const struct sock_tls *s);
/*
 * For a handshake that ran out of time: says where it stalled ("no answer from the server",
 * "PSK mismatch likely" after our Finished on a PSK suite — quirk Q11 — or the state). Also
 * becomes sock_tls_reason(). Borrowed.
 */
const char *sock_tls_stall_reason(struct sock_tls *s);
/* Negotiated protocol and cipher names (for logs/tests), "" before the handshake. */
const char *sock_tls_version(const struct sock_tls *s);
const char *sock_tls_cipher(const struct sock_tls *s);

#endif /* SIM_NET_SOCK_TLS_H */
