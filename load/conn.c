/* SPDX-License-Identifier: Apache-2.0 */
#include "conn.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/rand.h>

#include "compiler.h"
#include "loop.h"

#define LOG_MODULE "load"
#include "log.h"

enum phase { PH_CONNECT, PH_HANDSHAKE, PH_WRITE, PH_READ };

struct conn {
	struct loop *loop;
	struct loop_source *io, *deadline, *dtls_timer;
	int fd;
	SSL *ssl;
	bool dtls;
	enum phase ph;
	char identity[ROT_IDENTITY_HEX + 1];
	struct rot_psk psk;
	uint8_t *buf; /* payload, then the echo behind it */
	size_t len, got;
	uint64_t t0_us, hs_us;
	load_conn_done_fn *done;
	void *data;
};

static const char psk_ciphers[] =
	"PSK-AES128-GCM-SHA256:PSK-AES128-CCM8:PSK-AES128-CCM:PSK-AES128-CBC-SHA256:"
	"PSK-AES256-GCM-SHA384:PSK-CHACHA20-POLY1305";

static uint64_t now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000u + (uint64_t)t.tv_nsec / 1000u;
}

static unsigned int handle_psk(SSL *ssl, const char *hint, char *identity,
			       unsigned int max_identity_len, unsigned char *psk,
			       unsigned int max_psk_len)
{
	const struct conn *c = SSL_get_app_data(ssl);

	if (c == NULL || strlen(c->identity) >= max_identity_len || c->psk.len > max_psk_len)
		return 0;
	memcpy(identity, c->identity, strlen(c->identity) + 1);
	memcpy(psk, c->psk.bytes, c->psk.len);
	return (unsigned int)c->psk.len;
}

SSL_CTX *load_conn_ctx_create(bool dtls)
{
	SSL_CTX *ctx = SSL_CTX_new(dtls ? DTLS_client_method() : TLS_client_method());

	if (ctx == NULL)
		return NULL;
	SSL_CTX_set_min_proto_version(ctx, dtls ? DTLS1_2_VERSION : TLS1_2_VERSION);
	SSL_CTX_set_max_proto_version(ctx, dtls ? DTLS1_2_VERSION : TLS1_2_VERSION);
	if (SSL_CTX_set_cipher_list(ctx, psk_ciphers) != 1) {
		SSL_CTX_free(ctx);
		return NULL;
	}
	SSL_CTX_set_psk_client_callback(ctx, handle_psk);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	return ctx;
}

static void conn_free(struct conn *c)
{
	loop_remove(c->loop, c->io);
	loop_remove(c->loop, c->deadline);
	loop_remove(c->loop, c->dtls_timer);
	SSL_free(c->ssl);
	if (c->fd >= 0)
		close(c->fd);
	OPENSSL_cleanse(&c->psk, sizeof(c->psk));
	free(c->buf);
	free(c);
}

static void finish(struct conn *c, enum load_err kind)
{
	if (kind == LOAD_OK)
		SSL_shutdown(c->ssl); /* close_notify; the answer is not awaited */
	ERR_clear_error();
	c->done(c->data, kind, c->hs_us);
	conn_free(c);
}

/* Maps a failed SSL call to an error kind. */
static enum load_err ssl_failure(struct conn *c, int r)
{
	int e = SSL_get_error(c->ssl, r), err = errno;

	if (e == SSL_ERROR_ZERO_RETURN)
		return LOAD_ERR_CLOSED;
	if (e == SSL_ERROR_SYSCALL && (err == ECONNREFUSED || err == EHOSTUNREACH))
		return LOAD_ERR_CONNECT;
	if (e == SSL_ERROR_SYSCALL)
		return c->ph == PH_HANDSHAKE && err == 0 ? LOAD_ERR_HANDSHAKE
		       : c->ph == PH_READ && err == 0    ? LOAD_ERR_CLOSED
							 : LOAD_ERR_IO;
	return c->ph == PH_HANDSHAKE ? LOAD_ERR_HANDSHAKE : LOAD_ERR_IO;
}

static void handle_dtls_timer(void *data);

/* DTLS retransmission: re-arm the loop timer to what OpenSSL asks for. */
static void arm_dtls_timer(struct conn *c)
{
	struct timeval tv;

	loop_remove(c->loop, c->dtls_timer);
	c->dtls_timer = NULL;
	if (c->dtls && DTLSv1_get_timeout(c->ssl, &tv) == 1)
		c->dtls_timer = loop_add_timer(
			c->loop, (uint64_t)tv.tv_sec * 1000u + (uint64_t)tv.tv_usec / 1000u,
			handle_dtls_timer, c);
}

/* Runs the current phase as far as it goes; returns 1 to wait, 0 when finished. */
static int step(struct conn *c)
{
	int r = 0;

	switch (c->ph) {
	case PH_CONNECT:
		return 1;
	case PH_HANDSHAKE:
		r = SSL_do_handshake(c->ssl);
		if (r != 1)
			break;
		c->hs_us = now_us() - c->t0_us;
		if (c->len == 0) {
			finish(c, LOAD_OK);
			return 0;
		}
		c->ph = PH_WRITE;
		FALLTHROUGH;
	case PH_WRITE:
		r = SSL_write(c->ssl, c->buf, (int)c->len);
		if (r <= 0)
			break;
		c->ph = PH_READ;
		FALLTHROUGH;
	case PH_READ:
		while (c->got < c->len) {
			r = SSL_read(c->ssl, c->buf + c->len + c->got, (int)(c->len - c->got));
			if (r <= 0)
				break;
			c->got += (size_t)r;
		}
		if (c->got < c->len)
			break;
		finish(c, memcmp(c->buf, c->buf + c->len, c->len) == 0 ? LOAD_OK : LOAD_ERR_ECHO);
		return 0;
	}
	switch (SSL_get_error(c->ssl, r)) {
	case SSL_ERROR_WANT_READ:
		loop_set_events(c->io, POLLIN);
		break;
	case SSL_ERROR_WANT_WRITE:
		loop_set_events(c->io, POLLOUT);
		break;
	default:
		finish(c, ssl_failure(c, r));
		return 0;
	}
	arm_dtls_timer(c);
	return 1;
}

static void handle_dtls_timer(void *data)
{
	struct conn *c = data;

	c->dtls_timer = NULL; /* one-shot: reaped by the loop */
	if (DTLSv1_handle_timeout(c->ssl) < 0) {
		finish(c, LOAD_ERR_HANDSHAKE);
		return;
	}
	step(c);
}

static void handle_deadline(void *data)
{
	struct conn *c = data;

	c->deadline = NULL;
	finish(c, LOAD_ERR_TIMEOUT);
}

static void handle_io(void *data, int fd, unsigned revents)
{
	struct conn *c = data;
	int err = 0;
	socklen_t len = sizeof(err);

	if (c->ph == PH_CONNECT) {
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0 || err != 0) {
			finish(c, err == ECONNREFUSED || err == EHOSTUNREACH || err == ENETUNREACH
					  ? LOAD_ERR_CONNECT
					  : LOAD_ERR_IO);
			return;
		}
		c->ph = PH_HANDSHAKE;
	}
	step(c);
}

static int open_socket(struct conn *c, const struct load_conn_params *p)
{
	c->fd = socket(p->addr->sa_family,
		       (p->dtls ? SOCK_DGRAM : SOCK_STREAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return -errno;
	if (connect(c->fd, p->addr, p->addrlen) == 0)
		c->ph = PH_HANDSHAKE;
	else if (errno == EINPROGRESS)
		c->ph = PH_CONNECT;
	else
		return -errno;
	return 0;
}

static int open_ssl(struct conn *c, const struct load_conn_params *p)
{
	BIO *bio;

	c->ssl = SSL_new(p->ctx);
	if (c->ssl == NULL)
		return -ENOMEM;
	bio = p->dtls ? BIO_new_dgram(c->fd, BIO_NOCLOSE) : BIO_new_socket(c->fd, BIO_NOCLOSE);
	if (bio == NULL)
		return -ENOMEM;
	if (p->dtls)
		BIO_ctrl(bio, BIO_CTRL_DGRAM_SET_CONNECTED, 0, (void *)(uintptr_t)p->addr);
	SSL_set_bio(c->ssl, bio, bio);
	SSL_set_app_data(c->ssl, c);
	SSL_set_connect_state(c->ssl);
	return 0;
}

int load_conn_start(struct loop *l, const struct load_conn_params *p, const char *identity,
		    const struct rot_psk *psk, load_conn_done_fn *done, void *data)
{
	struct conn *c = calloc(1, sizeof(*c));
	int rc = -ENOMEM;

	if (c == NULL)
		return -ENOMEM;
	*c = (struct conn){ .loop = l,
			    .fd = -1,
			    .dtls = p->dtls,
			    .len = p->payload,
			    .done = done,
			    .data = data,
			    .psk = *psk };
	snprintf(c->identity, sizeof(c->identity), "%s", identity);
	if (p->payload > 0) {
		c->buf = malloc(2 * p->payload);
		if (c->buf == NULL || RAND_bytes(c->buf, (int)p->payload) != 1)
			goto fail;
	}
	c->t0_us = now_us();
	rc = open_socket(c, p);
	if (rc == 0)
		rc = open_ssl(c, p);
	if (rc < 0)
		goto fail;
	c->io = loop_add_fd(l, c->fd, POLLOUT, handle_io, c);
	c->deadline = loop_add_timer(l, p->timeout_ms, handle_deadline, c);
	if (c->io == NULL || c->deadline == NULL) {
		rc = -ENOMEM;
		goto fail;
	}
	return 0;
fail:
	conn_free(c);
	return rc;
}
