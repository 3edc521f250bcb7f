/* SPDX-License-Identifier: Apache-2.0 */
#define LOG_MODULE "tls"
#include "sock_tls.h"

#include <errno.h>
#include <stdarg.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "compiler.h"
#include "credstore.h"
#include "log.h"

struct sock_tls {
	struct sock_tls_cfg cfg;
	SSL_CTX *ctx;
	SSL *ssl;
	BIO_METHOD *wire_meth;
	uint8_t psk[SECPROF_PSK_MAX];
	size_t psk_len;
	uint8_t psk_id[SECPROF_PSK_ID_MAX + 1];
	size_t psk_id_len;
	uint16_t tls13_psk_suite;
	bool verify;
	char reason[SOCK_TLS_REASON_MAX];
};

/* TLS 1.3 suites are not found by SSL_CIPHER_find on a TLS 1.2 cipher list: name them. */
static const struct {
	uint16_t iana;
	const char *name;
} tls13_suites[] = {
	{ 0x1301, "TLS_AES_128_GCM_SHA256" },       { 0x1302, "TLS_AES_256_GCM_SHA384" },
	{ 0x1303, "TLS_CHACHA20_POLY1305_SHA256" }, { 0x1304, "TLS_AES_128_CCM_SHA256" },
	{ 0x1305, "TLS_AES_128_CCM_8_SHA256" },
};

static void set_reason(struct sock_tls *s, const char *fmt, ...) ATTR_PRINTF(2, 3);
static void set_reason(struct sock_tls *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->reason, sizeof(s->reason), fmt, ap);
	va_end(ap);
}

static int log_ossl_line(const char *str, size_t len, void *u)
{
	(void)u;
	log_warn("openssl: %.*s", (int)(len > 0 && str[len - 1] == '\n' ? len - 1 : len), str);
	return 1;
}

/* ---- counting filter BIO: every wire byte passes here ---- */

static int wire_write(BIO *b, const char *data, int len)
{
	struct sock_tls *s = BIO_get_data(b);
	bool taken = s->cfg.dtls && s->cfg.dgram_out != NULL && len > 0 &&
		     s->cfg.dgram_out(s->cfg.wire_data, data, (size_t)len);
	int n = taken ? len : BIO_write(BIO_next(b), data, len);

	BIO_clear_retry_flags(b);
	if (!taken)
		BIO_copy_next_retry(b);
	if (n > 0 && s->cfg.wire != NULL)
		s->cfg.wire(s->cfg.wire_data, true, data, (size_t)n);
	return n;
}

static int wire_read(BIO *b, char *buf, int len)
{
	struct sock_tls *s = BIO_get_data(b);
	int n = BIO_read(BIO_next(b), buf, len);

	BIO_clear_retry_flags(b);
	BIO_copy_next_retry(b);
	if (n > 0 && s->cfg.wire != NULL)
		s->cfg.wire(s->cfg.wire_data, false, buf, (size_t)n);
	if (n > 0 && s->cfg.dtls && s->cfg.dgram_in_lost != NULL &&
	    s->cfg.dgram_in_lost(s->cfg.wire_data)) {
		BIO_set_retry_read(b); /* as if nothing had arrived */
		return -1;
	}
	return n;
}

static long wire_ctrl(BIO *b, int cmd, long num, void *ptr)
{
	return BIO_next(b) != NULL ? BIO_ctrl(BIO_next(b), cmd, num, ptr) : 0;
}

static int wire_create(BIO *b)
{
	BIO_set_init(b, 1);
	return 1;
}

static int make_bio(struct sock_tls *s)
{
	BIO *wire = NULL, *io = NULL;
	struct sockaddr_storage peer;
	socklen_t plen = sizeof(peer);
	BIO_ADDR *addr = NULL;

	s->wire_meth = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_FILTER, "ukms-wire");
	if (s->wire_meth == NULL || !BIO_meth_set_write(s->wire_meth, wire_write) ||
	    !BIO_meth_set_read(s->wire_meth, wire_read) ||
	    !BIO_meth_set_ctrl(s->wire_meth, wire_ctrl) ||
	    !BIO_meth_set_create(s->wire_meth, wire_create))
		return -ENOMEM;
	io = s->cfg.dtls ? BIO_new_dgram(s->cfg.fd, BIO_NOCLOSE)
			 : BIO_new_socket(s->cfg.fd, BIO_NOCLOSE);
	wire = BIO_new(s->wire_meth);
	if (io == NULL || wire == NULL) {
		BIO_free(io);
		BIO_free(wire);
		return -ENOMEM;
	}
	if (s->cfg.dtls && getpeername(s->cfg.fd, (struct sockaddr *)&peer, &plen) == 0 &&
	    (addr = BIO_ADDR_new()) != NULL) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)&peer;

		BIO_ADDR_rawmake(addr, AF_INET, &in->sin_addr, sizeof(in->sin_addr), in->sin_port);
		BIO_ctrl_set_connected(io, addr);
		BIO_ADDR_free(addr);
	}
	BIO_set_data(wire, s);
	BIO_push(wire, io);
	SSL_set_bio(s->ssl, wire, wire);
	return 0;
}

/* ---- PSK callbacks ---- */

static unsigned int psk_cb12(SSL *ssl, const char *hint, char *identity,
			     unsigned int max_identity_len, unsigned char *psk,
			     unsigned int max_psk_len)
{
	struct sock_tls *s = SSL_get_app_data(ssl);

	(void)hint;
	if (s->psk_id_len >= max_identity_len || s->psk_len > max_psk_len ||
	    memchr(s->psk_id, '\0', s->psk_id_len) != NULL) {
		set_reason(s, "PSK identity unusable with TLS 1.2 (too long or contains 0x00)");
		return 0;
	}
	memcpy(identity, s->psk_id, s->psk_id_len);
	identity[s->psk_id_len] = '\0';
	memcpy(psk, s->psk, s->psk_len);
	return (unsigned int)s->psk_len;
}

static int psk_cb13(SSL *ssl, const EVP_MD *md, const unsigned char **id, size_t *idlen,
		    SSL_SESSION **sess)
{
	struct sock_tls *s = SSL_get_app_data(ssl);
	const unsigned char code[2] = { (uint8_t)(s->tls13_psk_suite >> 8),
					(uint8_t)s->tls13_psk_suite };
	const SSL_CIPHER *c = SSL_CIPHER_find(ssl, code);
	SSL_SESSION *ss = NULL;

	*sess = NULL;
	if (c == NULL || (md != NULL && md != SSL_CIPHER_get_handshake_digest(c)))
		return 1; /* no usable PSK for this hash: continue without one */
	ss = SSL_SESSION_new();
	if (ss == NULL || !SSL_SESSION_set1_master_key(ss, s->psk, s->psk_len) ||
	    !SSL_SESSION_set_cipher(ss, c) ||
	    !SSL_SESSION_set_protocol_version(ss, TLS1_3_VERSION)) {
		SSL_SESSION_free(ss);
		return 0;
	}
	*sess = ss;
	*id = s->psk_id;
	*idlen = s->psk_id_len;
	return 1;
}

static const char *tls13_name(uint16_t iana);

static bool has_tls13_suite(const struct secprof *p)
{
	for (size_t i = 0; i < p->n_ciphers; i++)
		if (tls13_name(p->ciphers[i]) != NULL)
			return true;
	return false;
}

static int setup_psk(struct sock_tls *s)
{
	const struct secprof *p = s->cfg.prof;
	char fp[9];
	int rc;

	if (p->rot_psk) {
		if (s->cfg.psk_gen == NULL) {
			set_reason(s, "RoT PSK requested (op 11) but no RoT is attached");
			return -ENOTSUP;
		}
		s->psk_id_len = SECPROF_PSK_ID_MAX;
		s->psk_len = 16;
		rc = s->cfg.psk_gen(s->cfg.psk_data, s->psk_len, s->psk_id, &s->psk_id_len, s->psk);
		if (rc < 0) {
			set_reason(s, "RoT PSK generation failed (%d)", rc);
			return rc;
		}
	} else if (p->psk_len > 0) {
		memcpy(s->psk, p->psk, p->psk_len);
		s->psk_len = p->psk_len;
		memcpy(s->psk_id, p->psk_id, p->psk_id_len);
		s->psk_id_len = p->psk_id_len;
	} else {
		return 0;
	}
	log_fingerprint(s->psk, s->psk_len, fp);
	log_info("PSK %s (fingerprint %s), identity %zu bytes",
		 p->rot_psk ? "from RoT" : "from profile", fp, s->psk_id_len);
	SSL_set_psk_client_callback(s->ssl, psk_cb12);
	if (s->cfg.dtls)
		return 0;
	SSL_set_psk_use_session_callback(s->ssl, psk_cb13);
	/* A TLS 1.3 server skips a PSK whose hash differs from the suite it picks: with no
	 * TLS 1.3 suite in the profile, offer only the SHA-256 ones (the PSK's hash). */
	if (!has_tls13_suite(p) &&
	    !SSL_set_ciphersuites(s->ssl, "TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256:"
					  "TLS_AES_128_CCM_SHA256"))
		return -ENOTSUP;
	return 0;
}

/* ---- context from the profile ---- */

static int set_versions(struct sock_tls *s)
{
	static const int tls[] = { 0, TLS1_VERSION, TLS1_1_VERSION, TLS1_2_VERSION,
				   TLS1_3_VERSION };
	static const int dtls[] = { 0, DTLS1_VERSION, DTLS1_VERSION, DTLS1_2_VERSION, 0 };
	int m = s->cfg.prof->tls_min;

	if (m < 0 || m > 4)
		return -EINVAL;
	if (s->cfg.dtls && m == 4) {
		set_reason(s, "DTLS 1.3 is not supported (op 1 = 4)");
		return -ENOTSUP;
	}
	if (m > 0 && !SSL_set_min_proto_version(s->ssl, s->cfg.dtls ? dtls[m] : tls[m]))
		return -EINVAL;
	return 0;
}

static const char *tls13_name(uint16_t iana)
{
	for (size_t i = 0; i < ARRAY_LEN(tls13_suites); i++)
		if (tls13_suites[i].iana == iana)
			return tls13_suites[i].name;
	return NULL;
}

static int append_name(char *list, size_t cap, const char *name)
{
	size_t used = strlen(list);
	int n = snprintf(list + used, cap - used, "%s%s", used > 0 ? ":" : "", name);

	return (n < 0 || (size_t)n >= cap - used) ? -ENOSPC : 0;
}

static int set_ciphers(struct sock_tls *s)
{
	const struct secprof *p = s->cfg.prof;
	char l12[1024] = "", l13[256] = "";
	int rc = 0;

	s->tls13_psk_suite = 0x1301;
	if (p->n_ciphers == 0)
		return 0;
	for (size_t i = 0; rc == 0 && i < p->n_ciphers; i++) {
		const unsigned char code[2] = { (uint8_t)(p->ciphers[i] >> 8),
						(uint8_t)p->ciphers[i] };
		const SSL_CIPHER *c = SSL_CIPHER_find(s->ssl, code);
		const char *n13 = tls13_name(p->ciphers[i]);

		if (n13 != NULL) {
			if (l13[0] == '\0')
				s->tls13_psk_suite = p->ciphers[i];
			rc = append_name(l13, sizeof(l13), n13);
		} else if (c != NULL) {
			rc = append_name(l12, sizeof(l12), SSL_CIPHER_get_name(c));
		} else {
			log_warn("cipher suite %04X is not available in OpenSSL: skipped",
				 (unsigned)p->ciphers[i]);
		}
	}
	if (rc == 0 && l12[0] == '\0' && l13[0] == '\0')
		rc = -ENOTSUP;
	if (rc == 0 && l12[0] == '\0' &&
	    (s->cfg.dtls || !SSL_set_min_proto_version(s->ssl, TLS1_3_VERSION)))
		rc = -ENOTSUP;
	if (rc == 0 && l12[0] != '\0' && !SSL_set_cipher_list(s->ssl, l12))
		rc = -ENOTSUP;
	/* Only TLS 1.2 suites listed: do not offer TLS 1.3 without any suite. */
	if (rc == 0 && l13[0] == '\0' && !s->cfg.dtls &&
	    !SSL_set_max_proto_version(s->ssl, TLS1_2_VERSION))
		rc = -ENOTSUP;
	if (rc == 0 && !s->cfg.dtls && !SSL_set_ciphersuites(s->ssl, l13))
		rc = -ENOTSUP;
	if (rc < 0)
		set_reason(s, "no usable cipher suite in the profile (op 2)");
	else
		log_debug("ciphers: TLS1.2 \"%s\" TLS1.3 \"%s\"", l12, l13);
	return rc;
}

static int setup_verify(struct sock_tls *s)
{
	const struct secprof *p = s->cfg.prof;
	X509_STORE *store = NULL;
	X509_VERIFY_PARAM *vp = SSL_get0_param(s->ssl);
	int rc;

	if (p->verify == 0) {
		SSL_set_verify(s->ssl, SSL_VERIFY_NONE, NULL);
		return 0;
	}
	rc = credstore_build_trust(s->cfg.creds, p->ca_name, &store);
	if (rc == -ENOENT) {
		log_warn("root CA \"%s\" (op 3) is not in the credential store: no server "
			 "certificate "
			 "will be trusted",
			 p->ca_name);
		rc = credstore_build_trust(NULL, NULL, &store);
	}
	if (rc < 0)
		return rc;
	if (!SSL_set0_verify_cert_store(s->ssl, store)) {
		X509_STORE_free(store);
		return -ENOMEM;
	}
	SSL_set_verify(s->ssl, SSL_VERIFY_PEER, NULL);
	s->verify = true;
	if (p->verify < 3)
		X509_VERIFY_PARAM_set_flags(vp, X509_V_FLAG_NO_CHECK_TIME);
	if (p->verify >= 2) {
		if (p->hostname[0] == '\0') {
			set_reason(s, "validation level %d needs the server host name (op 4)",
				   p->verify);
			return -EINVAL;
		}
		if (!X509_VERIFY_PARAM_set1_host(vp, p->hostname, 0))
			return -ENOMEM;
	}
	return 0;
}

static int setup_client_cert(struct sock_tls *s)
{
	const struct secprof *p = s->cfg.prof;
	X509 *x = NULL;
	EVP_PKEY *k = NULL;
	int rc = 0;

	if (p->cc_name[0] == '\0' && p->pk_name[0] == '\0')
		return 0;
	rc = -ENOENT;
	x = credstore_load_cert(s->cfg.creds, CREDSTORE_CC, p->cc_name);
	k = credstore_load_key(s->cfg.creds, p->pk_name, p->pk_password);
	if (x == NULL || k == NULL) {
		set_reason(s, "client %s \"%s\" not found or unreadable",
			   x == NULL ? "certificate" : "key", x == NULL ? p->cc_name : p->pk_name);
		goto out;
	}
	rc = -EINVAL;
	if (SSL_use_certificate(s->ssl, x) != 1 || SSL_use_PrivateKey(s->ssl, k) != 1 ||
	    SSL_check_private_key(s->ssl) != 1) {
		set_reason(s, "client certificate and key do not match");
		goto out;
	}
	rc = 0;
out:
	X509_free(x);
	EVP_PKEY_free(k);
	return rc;
}

/* OpenSSL hands every secret of the session as one NSS key log line (TLS 1.2 and 1.3). */
static void handle_keylog(const SSL *ssl, const char *line)
{
	struct sock_tls *s = SSL_get_app_data(ssl);

	s->cfg.keylog(s->cfg.keylog_data, line);
}

static int configure(struct sock_tls *s)
{
	const struct secprof *p = s->cfg.prof;
	int rc;

	s->ctx = SSL_CTX_new(s->cfg.dtls ? DTLS_client_method() : TLS_client_method());
	if (s->ctx == NULL)
		return -ENOMEM;
	if (s->cfg.keylog != NULL)
		SSL_CTX_set_keylog_callback(s->ctx, handle_keylog);
	s->ssl = SSL_new(s->ctx);
	if (s->ssl == NULL)
		return -ENOMEM;
	SSL_set_app_data(s->ssl, s);
	SSL_set_mode(s->ssl, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	SSL_set_options(s->ssl, SSL_OP_IGNORE_UNEXPECTED_EOF);
	SSL_set_connect_state(s->ssl);
	rc = set_versions(s);
	if (rc == 0)
		rc = set_ciphers(s);
	if (rc == 0)
		rc = setup_verify(s);
	if (rc == 0)
		rc = setup_client_cert(s);
	if (rc == 0 && p->sni[0] != '\0' && !SSL_set_tlsext_host_name(s->ssl, p->sni))
		rc = -EINVAL;
	if (rc == 0)
		rc = setup_psk(s);
	if (rc == 0)
		rc = make_bio(s);
	if (rc == 0 && p->device_cert != 0)
		log_warn("op 14 (device certificate) is stored but not used by the simulator");
	return rc;
}

struct sock_tls *sock_tls_create(const struct sock_tls_cfg *cfg, int *err, char *reason)
{
	struct sock_tls *s = calloc(1, sizeof(*s));
	int rc = -ENOMEM;

	reason[0] = '\0';
	if (s == NULL)
		goto fail;
	s->cfg = *cfg;
	ERR_clear_error();
	rc = configure(s);
	if (rc == 0)
		return s;
fail:
	if (s != NULL && s->reason[0] == '\0')
		set_reason(s, "TLS configuration failed (%s)", strerror(-rc));
	if (s != NULL)
		snprintf(reason, SOCK_TLS_REASON_MAX, "%s", s->reason);
	ERR_print_errors_cb(log_ossl_line, NULL);
	*err = rc;
	sock_tls_destroy(s);
	return NULL;
}

void sock_tls_destroy(struct sock_tls *s)
{
	if (s == NULL)
		return;
	SSL_free(s->ssl);
	SSL_CTX_free(s->ctx);
	BIO_meth_free(s->wire_meth);
	OPENSSL_cleanse(s, sizeof(*s));
	free(s);
}

/* ---- handshake ---- */

static int check_pinning(struct sock_tls *s)
{
	const struct secprof *p = s->cfg.prof;
	static const int types[] = { CREDSTORE_SC, CREDSTORE_CA, CREDSTORE_CC };
	X509 *peer = SSL_get1_peer_certificate(s->ssl), *pin = NULL;
	unsigned char *a = NULL, *b = NULL;
	int la, lb, rc = -EACCES;

	if (p->pin_name[0] == '\0') {
		X509_free(peer);
		return 0;
	}
	for (size_t i = 0; pin == NULL && i < ARRAY_LEN(types); i++)
		pin = credstore_load_cert(s->cfg.creds, types[i], p->pin_name);
	if (peer == NULL || pin == NULL)
		goto out;
	if (p->pin_level == 2) {
		la = i2d_X509(peer, &a);
		lb = i2d_X509(pin, &b);
	} else {
		la = i2d_PUBKEY(X509_get0_pubkey(peer), &a);
		lb = i2d_PUBKEY(X509_get0_pubkey(pin), &b);
	}
	if (la > 0 && la == lb && memcmp(a, b, (size_t)la) == 0)
		rc = 0;
out:
	if (rc < 0)
		set_reason(s, "certificate pinning mismatch (op 12 \"%s\")", p->pin_name);
	OPENSSL_free(a);
	OPENSSL_free(b);
	X509_free(peer);
	X509_free(pin);
	return rc;
}

static int verify_failure(struct sock_tls *s)
{
	long v = SSL_get_verify_result(s->ssl);

	switch (v) {
	case X509_V_ERR_HOSTNAME_MISMATCH:
		set_reason(s, "host name mismatch (expected \"%s\")", s->cfg.prof->hostname);
		break;
	case X509_V_ERR_CERT_HAS_EXPIRED:
		set_reason(s, "certificate expired");
		break;
	case X509_V_ERR_CERT_NOT_YET_VALID:
		set_reason(s, "certificate not yet valid");
		break;
	default:
		set_reason(s, "certificate not trusted (%s)", X509_verify_cert_error_string(v));
		break;
	}
	return -EACCES;
}

static int ssl_failure(struct sock_tls *s, unsigned long e)
{
	int r = ERR_GET_REASON(e);
	bool psk = s->psk_len > 0;

	switch (r) {
	case SSL_R_CERTIFICATE_VERIFY_FAILED:
		return verify_failure(s);
	case SSL_R_TLSV1_ALERT_UNKNOWN_PSK_IDENTITY:
	case SSL_R_PSK_IDENTITY_NOT_FOUND:
		set_reason(s, "server rejected PSK identity");
		return -EACCES;
	case SSL_R_SSLV3_ALERT_BAD_RECORD_MAC:
	case SSL_R_TLSV1_ALERT_DECRYPT_ERROR:
	case SSL_R_DECRYPTION_FAILED_OR_BAD_RECORD_MAC:
		set_reason(s, "%s",
			   psk ? "PSK mismatch: bad record MAC" : "decrypt error: bad record MAC");
		return -EACCES;
	case SSL_R_SSLV3_ALERT_ILLEGAL_PARAMETER:
		if (!psk)
			break;
		set_reason(s, "PSK mismatch: PSK binder rejected (illegal_parameter alert)");
		return -EACCES;
	case SSL_R_SSLV3_ALERT_HANDSHAKE_FAILURE:
		set_reason(s, "server rejected the handshake (handshake_failure alert%s)",
			   psk ? "; unknown PSK identity or no common cipher" : "");
		return -ECONNABORTED;
	case SSL_R_TLSV1_ALERT_PROTOCOL_VERSION:
	case SSL_R_UNSUPPORTED_PROTOCOL:
	case SSL_R_NO_PROTOCOLS_AVAILABLE:
		set_reason(s, "no common TLS version");
		return -ECONNABORTED;
	default:
		break;
	}
	set_reason(s, "TLS handshake failed: %s",
		   ERR_reason_error_string(e) != NULL ? ERR_reason_error_string(e) : "?");
	return -ECONNABORTED;
}

static int handshake_failure(struct sock_tls *s, int ssl_err)
{
	unsigned long e = ERR_peek_last_error();
	int sys = errno, rc;

	if (s->reason[0] != '\0') {
		rc = -EACCES; /* set by a callback */
	} else if (ssl_err == SSL_ERROR_SSL && e != 0) {
		rc = ssl_failure(s, e);
	} else if (sys == ECONNREFUSED) {
		set_reason(s, "connection refused");
		rc = -ECONNREFUSED;
	} else if (sys == ECONNRESET || sys == EPIPE) {
		set_reason(s, "connection reset by peer during the handshake");
		rc = -ECONNRESET;
	} else {
		set_reason(s, "connection closed by peer during the handshake");
		rc = -ECONNRESET;
	}
	log_warn("handshake failed: %s", s->reason);
	ERR_print_errors_cb(log_ossl_line, NULL);
	return rc;
}

int sock_tls_handshake(struct sock_tls *s, unsigned *events)
{
	int r, e, rc;

	ERR_clear_error();
	errno = 0;
	r = SSL_do_handshake(s->ssl);
	if (r == 1) {
		rc = check_pinning(s);
		if (rc < 0) {
			log_warn("handshake failed: %s", s->reason);
			return rc;
		}
		log_info("handshake done: %s %s", SSL_get_version(s->ssl),
			 SSL_get_cipher_name(s->ssl));
		return 0;
	}
	e = SSL_get_error(s->ssl, r);
	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
		*events = e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT;
		return -EAGAIN;
	}
	return handshake_failure(s, e);
}

long sock_tls_timer_ms(struct sock_tls *s)
{
	struct timeval tv;

	if (!s->cfg.dtls || DTLSv1_get_timeout(s->ssl, &tv) != 1)
		return -1;
	return (long)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

int sock_tls_handle_timeout(struct sock_tls *s)
{
	if (DTLSv1_handle_timeout(s->ssl) < 0) {
		set_reason(s, "handshake timeout (DTLS retransmissions exhausted)");
		return -ETIMEDOUT;
	}
	return 0;
}

static ssize_t io_error(struct sock_tls *s, int r, unsigned *events)
{
	int e = SSL_get_error(s->ssl, r);

	switch (e) {
	case SSL_ERROR_WANT_READ:
		*events = POLLIN;
		return -EAGAIN;
	case SSL_ERROR_WANT_WRITE:
		*events = POLLOUT;
		return -EAGAIN;
	case SSL_ERROR_ZERO_RETURN:
		return 0;
	case SSL_ERROR_SYSCALL:
		return errno != 0 ? -errno : -ECONNRESET;
	default:
		ERR_print_errors_cb(log_ossl_line, NULL);
		return -EPROTO;
	}
}

ssize_t sock_tls_read(struct sock_tls *s, void *buf, size_t len, unsigned *events)
{
	size_t n = 0;
	int r;

	ERR_clear_error();
	errno = 0;
	r = SSL_read_ex(s->ssl, buf, len, &n);
	return r == 1 ? (ssize_t)n : io_error(s, r, events);
}

bool sock_tls_has_pending(struct sock_tls *s)
{
	return SSL_pending(s->ssl) > 0;
}

ssize_t sock_tls_write(struct sock_tls *s, const void *data, size_t len, unsigned *events)
{
	size_t n = 0;
	int r;

	ERR_clear_error();
	errno = 0;
	r = SSL_write_ex(s->ssl, data, len, &n);
	if (r == 1)
		return (ssize_t)n;
	r = (int)io_error(s, r, events);
	return r == 0 ? -EPIPE : r;
}

void sock_tls_shutdown(struct sock_tls *s)
{
	if (s == NULL || !SSL_is_init_finished(s->ssl))
		return;
	ERR_clear_error();
	(void)SSL_shutdown(s->ssl);
	ERR_clear_error();
}

static bool sent_finished(OSSL_HANDSHAKE_STATE st)
{
	return st == TLS_ST_CW_FINISHED || st == TLS_ST_CR_SESSION_TICKET ||
	       st == TLS_ST_CR_CHANGE || st == TLS_ST_CR_FINISHED;
}

static bool psk_suite(const SSL *ssl)
{
	const SSL_CIPHER *c = SSL_get_current_cipher(ssl);
	int kx = c != NULL ? SSL_CIPHER_get_kx_nid(c) : NID_undef;

	return kx == NID_kx_psk || kx == NID_kx_ecdhe_psk || kx == NID_kx_dhe_psk ||
	       kx == NID_kx_rsa_psk;
}

const char *sock_tls_stall_reason(struct sock_tls *s)
{
	OSSL_HANDSHAKE_STATE st = SSL_get_state(s->ssl);

	if (st == TLS_ST_BEFORE || st == TLS_ST_CW_CLNT_HELLO)
		set_reason(s, "handshake timeout: no answer from the server");
	else if (sent_finished(st) && psk_suite(s->ssl))
		/* quirk Q11: a (D)TLS peer drops records it cannot decrypt and says nothing */
		set_reason(s, "handshake timeout after our Finished: PSK mismatch likely "
			      "(the server drops records it cannot decrypt)");
	else
		set_reason(s, "handshake timeout in state \"%s\"", SSL_state_string_long(s->ssl));
	return s->reason;
}

const char *sock_tls_reason(const struct sock_tls *s)
{
	return s != NULL ? s->reason : "";
}

const char *sock_tls_version(const struct sock_tls *s)
{
	return (s != NULL && SSL_is_init_finished(s->ssl)) ? SSL_get_version(s->ssl) : "";
}

const char *sock_tls_cipher(const struct sock_tls *s)
{
	const char *c = s != NULL ? SSL_get_cipher_name(s->ssl) : NULL;

	return c != NULL && SSL_is_init_finished(s->ssl) ? c : "";
}
