/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libmicrohttpd glue: one daemon per listener (public or admin), request bodies accumulated
 * per connection up to API_BODY_MAX, one api_handle() call per request, and one info log line
 * per request (method, path, status, microseconds). No secret reaches a log. Connections are
 * capped in total and per client address, closed when idle, and closed when a request takes
 * longer than the whole-request deadline however slowly its bytes trickle in.
 */
#ifndef FAKEAPI_SERVER_H
#define FAKEAPI_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api.h"

struct server_config {
	const char *host;     /* numeric address or name; "" or NULL: 127.0.0.1 */
	uint16_t port;        /* 0: ephemeral */
	const char *tls_cert; /* PEM text; both NULL: plain HTTP */
	const char *tls_key;
	unsigned threads; /* MHD thread-pool size (>= 1) */
	/* Denial-of-service limits (all > 0; docs/security.md). */
	unsigned max_connections;   /* open connections in total */
	unsigned max_per_client;    /* open connections per client IP address */
	unsigned idle_timeout_s;    /* no byte for this long: closed (MHD's timeout) */
	unsigned request_timeout_s; /* a request (headers + body) must arrive within this */
	enum api_surface surface;
};

struct server;

/* Starts listening. Returns NULL and a message in err on failure. api is borrowed. */
struct server *server_create(struct api *api, const struct server_config *cfg, char *err,
			     size_t errlen);
/* Stops accepting, finishes in-flight requests, frees. NULL-safe. */
void server_destroy(struct server *s);
/* The bound port (useful with port 0). */
uint16_t server_port(const struct server *s);

/* Parses "HOST:PORT", "[V6]:PORT" or ":PORT" into host (cap bytes) and port. 0 or -EINVAL. */
int server_parse_listen(const char *spec, char *host, size_t cap, uint16_t *port);
/* True if host resolves only to loopback addresses (127.0.0.0/8, ::1). */
bool server_host_is_loopback(const char *host);

#endif /* FAKEAPI_SERVER_H */
