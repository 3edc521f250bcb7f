/* SPDX-License-Identifier: Apache-2.0 */
#define LOG_MODULE "tls"
#include "tls.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "log.h"
#include "resolver.h"

#define COOKIE_KEY_LEN 32

struct psks_tls {
	SSL_CTX *ctx;
	struct psks_resolver *resolver;
	uint8_t cookie_key[COOKIE_KEY_LEN];
};

/* TLS_AES_128_GCM_SHA256 */
static const unsigned char tls13_aes128gcmsha256[] = { 0x13, 0x01 };

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* The shared lookup: fills the connection's session record and key. */
static int lookup(SSL *ssl, const char *identity, size_t len, struct psks_key *key)
{
	struct psks_tls *t = SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl));
	struct psks_session *s = SSL_get_app_data(ssl);
	uint64_t t0 = now_ms();
	int rc;

	rc = psks_resolver_lookup(t->resolver, identity, len, key, &s->cached);
	s->lookup_ms += now_ms() - t0;
	s->lookup_rc = rc;
	if (rc == -EINVAL)
		return rc;
	snprintf(s->identity, sizeof(s->identity), "%.*s", (int)len, identity);
	if (rc == 0)
		snprintf(s->uid, sizeof(s->uid), "%s", key->uid);
	return rc;
}

/* TLS 1.2 / DTLS 1.2: returns the PSK length, 0 to fail the handshake. */
static unsigned int handle_psk(SSL *ssl, const char *identity, unsigned char *psk,
			       unsigned int max_psk_len)
{
	struct psks_session *s = SSL_get_app_data(ssl);
	struct psks_key key = { 0 };
	unsigned int n = 0;

	if (identity == NULL)
		goto out;
	if (s->cke_identity_len >= 0 && (size_t)s->cke_identity_len != strlen(identity)) {
		log_warn("identity rejected: %ld bytes with a NUL byte at %zu", s->cke_identity_len,
			 strlen(identity));
		s->lookup_rc = -EINVAL;
		goto out;
	}
	if (lookup(ssl, identity, strlen(identity), &key) < 0 || key.len > max_psk_len)
		goto out;
	memcpy(psk, key.psk, key.len);
	n = (unsigned int)key.len;
out:
	psks_key_clear(&key);
	return n;
}

/*
 * Records the identity length a (D)TLS 1.2 ClientKeyExchange carries (its PSK preamble: a
 * 2-byte length, then the identity), before OpenSSL processes the message.
 */
static void handle_msg(int write_p, int version, int content_type, const void *buf, size_t len,
		       SSL *ssl, void *arg)
{
	const unsigned char *m = buf;
	struct psks_session *s = SSL_get_app_data(ssl);
	size_t hdr = SSL_is_dtls(ssl) ? DTLS1_HM_HEADER_LENGTH : SSL3_HM_HEADER_LENGTH;

	if (write_p || content_type != SSL3_RT_HANDSHAKE || s == NULL || len < hdr + 2 ||
	    m[0] != SSL3_MT_CLIENT_KEY_EXCHANGE)
		return;
	s->cke_identity_len = (long)(m[hdr] << 8 | m[hdr + 1]);
}

static SSL_SESSION *psk_session(SSL *ssl, const struct psks_key *key)
{
	const SSL_CIPHER *cipher = SSL_CIPHER_find(ssl, tls13_aes128gcmsha256);
	SSL_SESSION *sess = SSL_SESSION_new();

	if (cipher == NULL || sess == NULL ||
	    !SSL_SESSION_set1_master_key(sess, key->psk, key->len) ||
	    !SSL_SESSION_set_cipher(sess, cipher) ||
	    !SSL_SESSION_set_protocol_version(sess, TLS1_3_VERSION)) {
		SSL_SESSION_free(sess);
		return NULL;
	}
	return sess;
}

/*
 * TLS 1.3. On a failed lookup this returns 0 (abort): returning 1 with no session would make
 * OpenSSL try handle_psk for the same identity, a second API call for a known answer.
 */
static int handle_find_session(SSL *ssl, const unsigned char *identity, size_t len,
			       SSL_SESSION **sess)
{
	struct psks_key key = { 0 };
	int ok = 0;

	*sess = NULL;
	if (lookup(ssl, (const char *)identity, len, &key) < 0)
		goto out;
	*sess = psk_session(ssl, &key);
	ok = *sess != NULL;
out:
	psks_key_clear(&key);
	return ok;
}

/* HMAC-SHA256(cookie_key, family || port || address) of the DTLS peer. */
static int cookie_compute(SSL *ssl, unsigned char *out, size_t *out_len)
{
	struct psks_tls *t = SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl));
	BIO_ADDR *peer = BIO_ADDR_new();
	unsigned char data[2 + 2 + 16];
	size_t alen = 16;
	int rc = -EIO, family;
	unsigned short port;

	if (peer == NULL || BIO_dgram_get_peer(SSL_get_rbio(ssl), peer) <= 0)
		goto out;
	family = BIO_ADDR_family(peer);
	port = BIO_ADDR_rawport(peer);
	memset(data, 0, sizeof(data));
	data[0] = (unsigned char)family;
	memcpy(data + 2, &port, sizeof(port));
	if (!BIO_ADDR_rawaddress(peer, data + 4, &alen))
		goto out;
	if (EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, t->cookie_key, sizeof(t->cookie_key),
		      data, sizeof(data), out, DTLS1_COOKIE_LENGTH, out_len) == NULL)
		goto out;
	rc = 0;
out:
	BIO_ADDR_free(peer);
	return rc;
}

static int handle_cookie_generate(SSL *ssl, unsigned char *cookie, unsigned int *len)
{
	size_t n = 0;

	if (cookie_compute(ssl, cookie, &n) < 0)
		return 0;
	*len = (unsigned int)n;
	return 1;
}

static int handle_cookie_verify(SSL *ssl, const unsigned char *cookie, unsigned int len)
{
	unsigned char expect[DTLS1_COOKIE_LENGTH];
	size_t n = 0;

	if (cookie_compute(ssl, expect, &n) < 0 || n != len)
		return 0;
	return CRYPTO_memcmp(expect, cookie, n) == 0;
}

static int configure(struct psks_tls *t, const struct psks_tls_config *cfg)
{
	SSL_CTX *ctx = t->ctx;
	int min = cfg->dtls ? DTLS1_2_VERSION : cfg->min_version;

	if (!SSL_CTX_set_min_proto_version(ctx, min))
		return -EINVAL;
	/* Every PSK suite (plain, ECDHE, DHE), no NULL encryption or 3DES. */
	if (!SSL_CTX_set_cipher_list(ctx, "PSK:!eNULL:!3DES:!RSAPSK"))
		return -EINVAL;
	SSL_CTX_set_dh_auto(ctx, 1);
	/* Identities are session-unique: no resumption tickets, no session cache. */
	SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET | SSL_OP_NO_RENEGOTIATION);
	SSL_CTX_set_num_tickets(ctx, 0);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_psk_server_callback(ctx, handle_psk);
	SSL_CTX_set_psk_find_session_callback(ctx, handle_find_session);
	SSL_CTX_set_msg_callback(ctx, handle_msg);
	SSL_CTX_set_app_data(ctx, t);
	if (cfg->dtls) {
		SSL_CTX_set_cookie_generate_cb(ctx, handle_cookie_generate);
		SSL_CTX_set_cookie_verify_cb(ctx, handle_cookie_verify);
	}
	return 0;
}

struct psks_tls *psks_tls_create(const struct psks_tls_config *cfg, struct psks_resolver *resolver)
{
	struct psks_tls *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	t->resolver = resolver;
	t->ctx = SSL_CTX_new(cfg->dtls ? DTLS_server_method() : TLS_server_method());
	if (t->ctx == NULL || RAND_bytes(t->cookie_key, sizeof(t->cookie_key)) != 1 ||
	    configure(t, cfg) < 0) {
		log_error("cannot set up the %s context: %s", cfg->dtls ? "DTLS" : "TLS",
			  ERR_reason_error_string(ERR_get_error()));
		psks_tls_destroy(t);
		return NULL;
	}
	return t;
}

void psks_tls_destroy(struct psks_tls *t)
{
	if (t == NULL)
		return;
	SSL_CTX_free(t->ctx);
	OPENSSL_cleanse(t->cookie_key, sizeof(t->cookie_key));
	free(t);
}

SSL *psks_tls_new_ssl(struct psks_tls *t, struct psks_session *session)
{
	SSL *ssl = SSL_new(t->ctx);

	if (ssl == NULL)
		return NULL;
	SSL_set_app_data(ssl, session);
	return ssl;
}

void psks_tls_describe_error(SSL *ssl, int ret, char *out, size_t cap)
{
	int err = SSL_get_error(ssl, ret);
	unsigned long e, last = 0;
	const char *why;

	while ((e = ERR_get_error()) != 0)
		last = e;
	why = last != 0 ? ERR_reason_error_string(last) : NULL;
	if (why != NULL)
		snprintf(out, cap, "%s", why);
	else if (err == SSL_ERROR_SYSCALL && errno != 0)
		snprintf(out, cap, "%s", strerror(errno));
	else if (err == SSL_ERROR_SYSCALL || err == SSL_ERROR_ZERO_RETURN)
		snprintf(out, cap, "peer closed the connection");
	else
		snprintf(out, cap, "SSL error %d", err);
}
