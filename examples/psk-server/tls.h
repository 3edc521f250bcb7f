/* SPDX-License-Identifier: Apache-2.0 */
/*
 * OpenSSL side of the server: one SSL_CTX (TLS or DTLS) with
 *  - SSL_CTX_set_psk_server_callback: TLS 1.2 and DTLS 1.2, identity from ClientKeyExchange;
 *  - SSL_CTX_set_psk_find_session_callback: TLS 1.3, an SSL_SESSION built from the PSK with
 *    TLS_AES_128_GCM_SHA256 (the hash s_client and most stacks use for external PSKs);
 *  - for DTLS, stateless cookies: HMAC-SHA256 over the peer address and port with a random
 *    per-process key, so DTLSv1_listen commits no state to spoofed ClientHellos.
 * Both PSK callbacks go through the same psks_resolver. An identity with a NUL byte is refused
 * before any lookup: OpenSSL hands the 1.2 callback a C string cut at the NUL, so the length
 * sent in ClientKeyExchange is taken from the message itself (message callback) and compared.
 */
#ifndef EXAMPLES_PSK_SERVER_TLS_H
#define EXAMPLES_PSK_SERVER_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/ssl.h>

#include "key.h"

struct psks_resolver;
struct psks_tls;

struct psks_tls_config {
	bool dtls;
	int min_version; /* TLS1_2_VERSION or TLS1_3_VERSION (DTLS: always DTLS 1.2) */
};

/* What the callbacks learnt during one handshake; owned by the connection. */
struct psks_session {
	char identity[PSKS_IDENTITY_MAX + 1]; /* "" until a valid identity arrived */
	char uid[PSKS_UID_MAX + 1];           /* ROTPublicUID from the API */
	int lookup_rc;                        /* 0, or the resolver's error */
	bool cached;
	uint64_t lookup_ms;    /* time spent in PSK lookups (not the peer's: off the deadline) */
	long cke_identity_len; /* TLS/DTLS 1.2: identity length in ClientKeyExchange, or -1 */
};

/* Borrows resolver. Returns NULL (and logs why) on failure. */
struct psks_tls *psks_tls_create(const struct psks_tls_config *cfg, struct psks_resolver *resolver);
/* NULL-safe. */
void psks_tls_destroy(struct psks_tls *t);

/* New SSL in server mode; session is borrowed and must outlive it. NULL on failure. */
SSL *psks_tls_new_ssl(struct psks_tls *t, struct psks_session *session);

/*
 * Describes why an SSL call that returned ret failed, draining OpenSSL's error queue
 * (e.g. "decryption failed or bad record mac", "peer closed the connection").
 */
void psks_tls_describe_error(SSL *ssl, int ret, char *out, size_t cap);

#endif /* EXAMPLES_PSK_SERVER_TLS_H */
