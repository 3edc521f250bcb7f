/* SPDX-License-Identifier: Apache-2.0 */
#define LOG_MODULE "conn"
#include "conn.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <time.h>

#include "compiler.h"
#include "log.h"

#define ECHO_CHUNK 4096

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/*
 * Waits for the socket, the quit fd, the kick fd or the timeout. Returns 0, -ECANCELED
 * (stopping), -EBUSY (slot taken back) or -ETIMEDOUT.
 */
static int wait_io(struct psks_conn *c, bool for_write, uint64_t timeout_ms)
{
	struct pollfd p[3] = {
		{ .fd = SSL_get_fd(c->ssl), .events = for_write ? POLLOUT : POLLIN },
		{ .fd = c->quit_fd, .events = POLLIN },
		{ .fd = c->kick_fd, .events = POLLIN },
	};
	int n;

	do {
		n = poll(p, 3, timeout_ms > 60000 ? 60000 : (int)timeout_ms);
	} while (n < 0 && errno == EINTR);
	if (p[1].revents != 0)
		return -ECANCELED;
	if (p[2].revents != 0)
		return -EBUSY;
	return n == 0 ? -ETIMEDOUT : 0;
}

/*
 * After an SSL call returned ret <= 0: waits for what OpenSSL wants, running DTLS
 * retransmission timers. Returns 0 (call again), -EIO (a real failure), -ECANCELED, -EBUSY
 * (see wait_io) or -ETIMEDOUT (deadline passed).
 */
static int ssl_wait(struct psks_conn *c, int ret, uint64_t deadline)
{
	int err = SSL_get_error(c->ssl, ret);
	uint64_t now = now_ms(), timeout;
	struct timeval tv;
	int rc;

	if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE)
		return -EIO;
	if (now >= deadline)
		return -ETIMEDOUT;
	timeout = deadline - now;
	if (c->dtls && DTLSv1_get_timeout(c->ssl, &tv) == 1) {
		uint64_t t = (uint64_t)tv.tv_sec * 1000u + (uint64_t)tv.tv_usec / 1000u;

		timeout = t < timeout ? t : timeout;
	}
	rc = wait_io(c, err == SSL_ERROR_WANT_WRITE, timeout);
	if (rc == -ETIMEDOUT && now_ms() < deadline) {
		if (c->dtls && DTLSv1_handle_timeout(c->ssl) < 0)
			return -EIO;
		return 0;
	}
	return rc;
}

/*
 * Failures that, once the API knew the identity, mean the client holds another PSK (a DTLS
 * server drops bad records silently, so there it shows as a timeout).
 */
static const char *const wrong_psk_reasons[] = {
	"decryption failed or bad record mac",      /* TLS 1.2: client Finished */
	"bad record mac", "binder does not verify", /* TLS 1.3 */
};

static void log_failed(struct psks_conn *c, const char *why, bool timed_out)
{
	const char *id = c->session.identity, *hint = "";

	for (size_t i = 0; i < ARRAY_LEN(wrong_psk_reasons) && id[0] && c->session.lookup_rc == 0;
	     i++) {
		if (strcmp(why, wrong_psk_reasons[i]) == 0 || (timed_out && c->dtls))
			hint = "; the client's PSK differs from the one the API returned";
	}
	log_warn("handshake failed: %s (peer %s%s%s)%s", why, c->peer, id[0] ? ", identity " : "",
		 id, hint);
}

static int handshake(struct psks_conn *c)
{
	uint64_t start = now_ms();
	char why[160];
	int ret, rc;

	for (;;) {
		ret = SSL_accept(c->ssl);
		if (ret == 1)
			return 0;
		rc = ssl_wait(c, ret, start + c->handshake_timeout_ms + c->session.lookup_ms);
		if (rc == 0)
			continue;
		if (rc == -EIO) {
			psks_tls_describe_error(c->ssl, ret, why, sizeof(why));
			log_failed(c, why, false);
		} else if (rc == -ETIMEDOUT) {
			snprintf(why, sizeof(why), "timeout, not done within %u ms",
				 c->handshake_timeout_ms);
			log_failed(c, why, true);
		} else if (rc == -EBUSY) {
			log_info("peer %s: handshake unfinished, slot given to a newer client",
				 c->peer);
		}
		return rc;
	}
}

static int write_all(struct psks_conn *c, const unsigned char *data, int len)
{
	uint64_t deadline = now_ms() + c->idle_timeout_ms;
	int ret, rc;

	for (;;) {
		ret = SSL_write(c->ssl, data, len);
		if (ret > 0) {
			c->bytes_out += (uint64_t)ret;
			return 0;
		}
		rc = ssl_wait(c, ret, deadline);
		if (rc < 0)
			return rc;
	}
}

/* Echoes until the session ends; returns why it ended, as text for the session line. */
static const char *echo(struct psks_conn *c)
{
	unsigned char data[ECHO_CHUNK];
	uint64_t deadline = now_ms() + c->idle_timeout_ms;
	int n, rc;

	for (;;) {
		n = SSL_read(c->ssl, data, sizeof(data));
		if (n > 0) {
			c->bytes_in += (uint64_t)n;
			rc = write_all(c, data, n);
			deadline = now_ms() + c->idle_timeout_ms;
		} else if (SSL_get_error(c->ssl, n) == SSL_ERROR_ZERO_RETURN) {
			SSL_shutdown(c->ssl); /* best effort close_notify back */
			return "closed by peer";
		} else {
			rc = ssl_wait(c, n, deadline);
		}
		if (rc == -ECANCELED)
			return "server stopping";
		if (rc == -EBUSY)
			return "slot taken back";
		if (rc == -ETIMEDOUT)
			return "idle timeout";
		if (rc == -EIO)
			return SSL_get_error(c->ssl, n) == SSL_ERROR_SYSCALL ? "connection lost"
									     : "TLS error";
	}
}

int psks_conn_run(struct psks_conn *c)
{
	const char *end;
	int rc;

	rc = handshake(c);
	if (rc < 0)
		return rc;
	atomic_store(&c->established, true);
	log_debug("peer %s: handshake done (%s)", c->peer,
		  c->session.cached ? "PSK from cache" : "PSK from API");
	end = echo(c);
	log_info("session: identity %s, device %s, %s %s, peer %s, bytes in %llu out %llu, %s",
		 c->session.identity[0] ? c->session.identity : "-",
		 c->session.uid[0] ? c->session.uid : "-", SSL_get_version(c->ssl),
		 SSL_get_cipher_name(c->ssl), c->peer, (unsigned long long)c->bytes_in,
		 (unsigned long long)c->bytes_out, end);
	return 0;
}
