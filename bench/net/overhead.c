/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Bytes on the wire (sim/net's own counters) for one handshake plus a 16-byte echo, per
 * security setup: TLS 1.2 PSK suites, TLS 1.3 PSK, and certificate chains (ECDSA P-256,
 * RSA-2048) with mutual authentication. Certificates are made at run time with the openssl CLI.
 * A forked child runs a blocking OpenSSL echo server for each row.
 *
 * Usage: net_overhead   (prints a Markdown table; exit 0 when every row succeeded)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "afile.h"
#include "buf.h"
#include "credstore.h"
#include "log.h"
#include "loop.h"
#include "secprof.h"
#include "sock.h"

static const uint8_t psk[16] = "0123456789abcdef";
static const char psk_id[] = "bench-device-identity";

struct row {
	const char *name;
	uint16_t suite; /* IANA id for the client profile (0: TLS 1.3 PSK) */
	const char *srv_cipher;
	const char *alg; /* NULL: PSK; "ec" or "rsa": certificate chain */
	uint64_t bytes;  /* measured */
};

static unsigned int srv_psk12(SSL *ssl, const char *id, unsigned char *out, unsigned int max)
{
	(void)ssl;
	if (id == NULL || strcmp(id, psk_id) != 0 || max < sizeof(psk))
		return 0;
	memcpy(out, psk, sizeof(psk));
	return sizeof(psk);
}

static int srv_psk13(SSL *ssl, const unsigned char *id, size_t len, SSL_SESSION **sess)
{
	const unsigned char code[2] = { 0x13, 0x01 };
	SSL_SESSION *s;

	*sess = NULL;
	if (len != strlen(psk_id) || memcmp(id, psk_id, len) != 0)
		return 1;
	s = SSL_SESSION_new();
	if (s == NULL || !SSL_SESSION_set1_master_key(s, psk, sizeof(psk)) ||
	    !SSL_SESSION_set_cipher(s, SSL_CIPHER_find(ssl, code)) ||
	    !SSL_SESSION_set_protocol_version(s, TLS1_3_VERSION)) {
		SSL_SESSION_free(s);
		return 0;
	}
	*sess = s;
	return 1;
}

static SSL_CTX *server_ctx(const struct row *r, const char *dir)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	char cert[512], key[512], ca[512];

	if (ctx == NULL)
		return NULL;
	if (r->alg == NULL && r->suite == 0) {
		SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
		SSL_CTX_set_psk_find_session_callback(ctx, srv_psk13);
		return ctx;
	}
	SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_cipher_list(ctx, r->srv_cipher);
	if (r->alg == NULL) {
		SSL_CTX_set_psk_server_callback(ctx, srv_psk12);
		return ctx;
	}
	snprintf(cert, sizeof(cert), "%s/%s-srv.pem", dir, r->alg);
	snprintf(key, sizeof(key), "%s/%s-srv.key", dir, r->alg);
	snprintf(ca, sizeof(ca), "%s/%s-ca.pem", dir, r->alg);
	if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_load_verify_locations(ctx, ca, NULL) != 1) {
		SSL_CTX_free(ctx);
		return NULL;
	}
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	return ctx;
}

/* Child: accept one connection, echo 16 bytes, wait for the close. */
static void serve(int lfd, const struct row *r, const char *dir)
{
	SSL_CTX *ctx = server_ctx(r, dir);
	int fd = accept(lfd, NULL, NULL);
	SSL *ssl = ctx != NULL ? SSL_new(ctx) : NULL;
	char buf[16];
	size_t got = 0;

	if (ssl == NULL || fd < 0)
		_exit(2);
	SSL_set_fd(ssl, fd);
	if (SSL_accept(ssl) != 1) {
		ERR_print_errors_fp(stderr);
		_exit(3);
	}
	while (got < sizeof(buf)) {
		int n = SSL_read(ssl, buf + got, (int)(sizeof(buf) - got));

		if (n <= 0)
			_exit(4);
		got += (size_t)n;
	}
	SSL_write(ssl, buf, sizeof(buf));
	while (SSL_read(ssl, buf, sizeof(buf)) > 0)
		;
	_exit(0);
}

static int load_into(struct credstore *cs, int type, const char *name, const char *file)
{
	struct buf b;
	int rc;

	buf_init(&b, 0);
	rc = afile_read(file, &b);
	if (rc == 0)
		rc = credstore_import(cs, type, name, b.data, b.len, NULL, NULL);
	buf_finish(&b);
	return rc;
}

static int client_profile(struct secprof_store *p, struct credstore *cs, const struct row *r,
			  const char *dir)
{
	char f[512];
	int rc;

	secprof_reset(p, 0);
	if (r->suite != 0)
		secprof_cipher_list_edit(p, 0, r->suite, false);
	else
		secprof_set_int(p, 0, SECPROF_OP_TLS_MIN, 4);
	if (r->alg == NULL) {
		secprof_set_bytes(p, 0, SECPROF_OP_PSK, psk, sizeof(psk));
		return secprof_set_bytes(p, 0, SECPROF_OP_PSK_ID, (const uint8_t *)psk_id,
					 strlen(psk_id));
	}
	snprintf(f, sizeof(f), "%s/%s-ca.pem", dir, r->alg);
	rc = load_into(cs, CREDSTORE_CA, r->alg, f);
	snprintf(f, sizeof(f), "%s/%s-cli.pem", dir, r->alg);
	if (rc == 0)
		rc = load_into(cs, CREDSTORE_CC, r->alg, f);
	snprintf(f, sizeof(f), "%s/%s-cli.key", dir, r->alg);
	if (rc == 0)
		rc = load_into(cs, CREDSTORE_PK, r->alg, f);
	secprof_set_int(p, 0, SECPROF_OP_VERIFY, 1);
	secprof_set_str(p, 0, SECPROF_OP_CA_NAME, r->alg, strlen(r->alg));
	secprof_set_str(p, 0, SECPROF_OP_CC_NAME, r->alg, strlen(r->alg));
	secprof_set_str(p, 0, SECPROF_OP_PK_NAME, r->alg, strlen(r->alg));
	return rc;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Runs the client side with the loop until 16 bytes came back. Returns wire bytes or 0. */
static uint64_t run_client(struct loop *loop, struct sock_table *t, uint16_t port)
{
	struct sock_info info;
	uint64_t end = now_ms() + 10000;
	uint8_t buf[16];
	int id = sock_create(t, SOCK_PROTO_TCP, 0);
	bool sent = false;

	if (id < 0 || sock_set_security(t, id, true, 0) < 0 ||
	    sock_connect(t, id, "127.0.0.1", port) != -EINPROGRESS)
		return 0;
	while (now_ms() < end) {
		struct sock_info st;

		sock_get_info(t, id, &st);
		if (st.state == SOCK_STATE_FAILED)
			break;
		if (st.state == SOCK_STATE_CONNECTED && !sent)
			sent = sock_write(t, id, "0123456789ABCDEF", 16) == 16;
		if (sent && sock_available(t, id) >= 16) {
			sock_read(t, id, buf, sizeof(buf));
			sock_get_info(t, id, &info);
			sock_close(t, id);
			return info.bytes_sent + info.bytes_received;
		}
		loop_run_once(loop, 20);
	}
	fprintf(stderr, "client failed: %s\n", sock_reason(t, id));
	sock_close(t, id);
	return 0;
}

static uint64_t measure(const struct row *r, const char *dir)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	int lfd = socket(AF_INET, SOCK_STREAM, 0);
	struct loop *loop = loop_create();
	struct sock_table *t = sock_table_create(loop, SOCK_MAX_DEFAULT);
	struct secprof_store *p = secprof_store_create();
	struct credstore *cs = credstore_create();
	uint64_t bytes = 0;
	pid_t pid = -1;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (t == NULL || p == NULL || cs == NULL || bind(lfd, (struct sockaddr *)&a, sizeof(a)) ||
	    listen(lfd, 1) || getsockname(lfd, (struct sockaddr *)&a, &len) ||
	    client_profile(p, cs, r, dir) < 0)
		goto out;
	pid = fork();
	if (pid == 0)
		serve(lfd, r, dir);
	sock_table_set_security(t, p, cs);
	bytes = run_client(loop, t, ntohs(a.sin_port));
out:
	if (pid > 0) {
		kill(pid, SIGTERM);
		waitpid(pid, NULL, 0);
	}
	close(lfd);
	sock_table_destroy(t);
	secprof_store_destroy(p);
	credstore_destroy(cs);
	loop_destroy(loop);
	return bytes;
}

static int make_certs(const char *dir)
{
	char cmd[4096];
	static const char *const algs[2][2] = {
		{ "ec", "-newkey ec -pkeyopt ec_paramgen_curve:P-256" },
		{ "rsa", "-newkey rsa:2048" },
	};

	for (int i = 0; i < 2; i++) {
		const char *n = algs[i][0], *k = algs[i][1];

		snprintf(cmd, sizeof(cmd),
			 "cd %s && openssl req -x509 %s -nodes -keyout %s-ca.key -out %s-ca.pem "
			 "-subj /CN=bench-%s-ca -days 2 && "
			 "for e in srv cli; do openssl req %s -nodes -keyout %s-$e.key -out "
			 "%s-$e.csr "
			 "-subj /CN=bench-$e && openssl x509 -req -in %s-$e.csr -CA %s-ca.pem "
			 "-CAkey %s-ca.key -CAcreateserial -days 2 -out %s-$e.pem; done "
			 ">/dev/null 2>&1",
			 dir, k, n, n, n, k, n, n, n, n, n, n);
		if (system(cmd) != 0)
			return -1;
	}
	return 0;
}

int main(void)
{
	struct row rows[] = {
		{ "TLS 1.2 PSK-AES128-CCM8", 0xc0a8, "PSK-AES128-CCM8", NULL, 0 },
		{ "TLS 1.2 PSK-AES128-GCM-SHA256", 0x00a8, "PSK-AES128-GCM-SHA256", NULL, 0 },
		{ "TLS 1.3 PSK (TLS_AES_128_GCM_SHA256)", 0, NULL, NULL, 0 },
		{ "TLS 1.2 ECDHE-ECDSA P-256, mutual", 0xc02b, "ECDHE-ECDSA-AES128-GCM-SHA256",
		  "ec", 0 },
		{ "TLS 1.2 ECDHE-RSA 2048, mutual", 0xc02f, "ECDHE-RSA-AES128-GCM-SHA256", "rsa",
		  0 },
	};
	char dir[] = "/tmp/ukms-bench-XXXXXX", rm[64];
	int rc = 0;

	log_set_level(LOG_LEVEL_ERROR);
	if (mkdtemp(dir) == NULL || make_certs(dir) != 0) {
		fprintf(stderr, "cannot make certificates in %s\n", dir);
		return 1;
	}
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		rows[i].bytes = measure(&rows[i], dir);
		rc |= rows[i].bytes == 0;
	}
	printf("| setup (handshake + 16-byte echo) | bytes on the wire | vs TLS 1.2 PSK-CCM8 |\n");
	printf("|---|---:|---:|\n");
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		printf("| %s | %llu | %.2f |\n", rows[i].name, (unsigned long long)rows[i].bytes,
		       rows[0].bytes ? (double)rows[i].bytes / (double)rows[0].bytes : 0.0);
	snprintf(rm, sizeof(rm), "rm -rf %s", dir);
	if (system(rm) != 0)
		rc = 1;
	return rc;
}
