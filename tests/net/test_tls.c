/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Secure sockets of sim/net against real `openssl s_server` peers: TLS 1.2 / 1.3 PSK, DTLS PSK,
 * certificate validation levels 0..3 with a CA made at test time, mutual authentication,
 * RoT PSK callback (op 11), and the failure reasons.
 *
 * UKMS_NET_PCAP=<file> records every test's traffic (used by test_pcap.py with tshark).
 */
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "afile.h"
#include "buf.h"
#include "credstore.h"
#include "loop.h"
#include "net_helpers.h"
#include "pcap.h"
#include "secprof.h"
#include "sock.h"
#include "sock_errno.h"

#define PSK_HEX "00112233445566778899AABBCCDDEEFF"
#define PSK_ID  "ukms-psk-identity"
#define WAIT_MS 10000

static const uint8_t psk_bytes[16] = { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
				       0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff };

struct group {
	char *dir;
	struct pcap_writer *pcap;
};

struct fx {
	struct group *g;
	struct loop *loop;
	struct sock_table *t;
	struct secprof_store *prof;
	struct credstore *creds;
	struct ev_log ev;
	struct net_child srv;
	uint16_t port;
	int rot_calls;
	uint8_t rot_ids[8][32];
	size_t rot_id_len[8];
};

static char *path_in(const struct group *g, const char *name)
{
	static char p[8][512];
	static int i;

	i = (i + 1) % 8;
	snprintf(p[i], sizeof(p[i]), "%s/%s", g->dir, name);
	return p[i];
}

static int sh(const char *cmd)
{
	char *const argv[] = { (char *)"sh", (char *)"-c", (char *)cmd, NULL };

	return net_run(argv);
}

/* CA, server certs (valid, expired), an unrelated CA, a client cert: all made now. */
static int make_pki(struct group *g)
{
	char cmd[4096];
	const char *ec = "-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes";

	snprintf(cmd, sizeof(cmd),
		 "cd %s && "
		 "openssl req -x509 %s -keyout ca.key -out ca.pem -subj /CN=ukms-test-ca -days 30 "
		 "&& "
		 "openssl req -x509 %s -keyout other.key -out other.pem -subj /CN=other-ca -days "
		 "30 && "
		 "printf 'subjectAltName=DNS:server.example\\n' > ext && "
		 "openssl req %s -keyout srv.key -out srv.csr -subj /CN=server.example && "
		 "openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 30 "
		 "-extfile ext -out srv.pem && "
		 "openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days -1 "
		 "-extfile ext -out old.pem && "
		 "openssl req %s -keyout cli.key -out cli.csr -subj /CN=ukms-device && "
		 "openssl x509 -req -in cli.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 30 "
		 "-out cli.pem",
		 g->dir, ec, ec, ec, ec);
	return sh(cmd);
}

static int group_setup(void **state)
{
	struct group *g = calloc(1, sizeof(*g));
	const char *pcap = getenv("UKMS_NET_PCAP");

	if (g == NULL || (g->dir = net_tmpdir()) == NULL || make_pki(g) != 0)
		return -1;
	if (pcap != NULL && (g->pcap = pcap_open(pcap)) == NULL)
		return -1;
	*state = g;
	return 0;
}

static int group_teardown(void **state)
{
	struct group *g = *state;

	pcap_close(g->pcap);
	net_rmtree(g->dir);
	free(g->dir);
	free(g);
	return 0;
}

static int rot_gen(void *data, size_t len, uint8_t *id, size_t *id_len, uint8_t *psk)
{
	struct fx *f = data;
	int n = snprintf((char *)id, *id_len, "rot-identity-%d", f->rot_calls);

	assert_int_equal(len, sizeof(psk_bytes));
	memcpy(psk, psk_bytes, len);
	*id_len = (size_t)n;
	if (f->rot_calls < 8) {
		memcpy(f->rot_ids[f->rot_calls], id, (size_t)n);
		f->rot_id_len[f->rot_calls] = (size_t)n;
	}
	f->rot_calls++;
	return 0;
}

static int import_file(struct fx *f, int type, const char *name, const char *file)
{
	struct buf b;
	int rc;

	buf_init(&b, 0);
	rc = afile_read(path_in(f->g, file), &b);
	if (rc == 0)
		rc = credstore_import(f->creds, type, name, b.data, b.len, NULL, NULL);
	buf_finish(&b);
	return rc;
}

static int setup(void **state)
{
	struct group *g = *state;
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->g = g;
	f->loop = loop_create();
	f->t = sock_table_create(f->loop, SOCK_MAX_DEFAULT);
	f->prof = secprof_store_create();
	f->creds = credstore_create();
	assert_non_null(f->t);
	sock_table_set_event_cb(f->t, ev_log_record, &f->ev);
	sock_table_set_security(f->t, f->prof, f->creds);
	sock_table_set_psk_gen(f->t, rot_gen, f);
	sock_table_set_pcap(f->t, g->pcap);
	f->srv.in_fd = f->srv.out_fd = -1;
	assert_int_equal(import_file(f, CREDSTORE_CA, "ca", "ca.pem"), 0);
	assert_int_equal(import_file(f, CREDSTORE_CA, "other", "other.pem"), 0);
	assert_int_equal(import_file(f, CREDSTORE_CC, "cli", "cli.pem"), 0);
	assert_int_equal(import_file(f, CREDSTORE_PK, "cli", "cli.key"), 0);
	assert_int_equal(import_file(f, CREDSTORE_SC, "srv", "srv.pem"), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	struct group *g = f->g;

	net_child_stop(&f->srv);
	sock_table_destroy(f->t);
	secprof_store_destroy(f->prof);
	credstore_destroy(f->creds);
	loop_destroy(f->loop);
	free(f);
	*state = g;
	return 0;
}

/* Starts `openssl s_server -quiet -accept <free port> <args...>` (TCP: waits until listening). */
static void start_server(struct fx *f, int udp, ...)
{
	for (int attempt = 0; attempt < 3; attempt++) {
		char port[8], *argv[40] = { (char *)"openssl", (char *)"s_server", (char *)"-quiet",
					    (char *)"-accept", port };
		size_t n = 5;
		const char *a;
		va_list ap;

		f->port = net_free_port(udp ? SOCK_DGRAM : SOCK_STREAM);
		snprintf(port, sizeof(port), "%u", f->port);
		va_start(ap, udp);
		while ((a = va_arg(ap, const char *)) != NULL && n < 39)
			argv[n++] = (char *)a;
		va_end(ap);
		argv[n] = NULL;
		assert_int_equal(net_spawn(argv, &f->srv), 0);
		if (udp ? net_wait_udp_bound(f->port, 5000) : net_wait_tcp_listen(f->port, 5000))
			return;
		net_child_stop(&f->srv);
	}
	fail_msg("s_server did not start");
}

static void psk_profile(struct fx *f, int id, int tls_min)
{
	assert_int_equal(secprof_reset(f->prof, id), 0);
	assert_int_equal(secprof_set_int(f->prof, id, SECPROF_OP_TLS_MIN, tls_min), 0);
	assert_int_equal(secprof_set_bytes(f->prof, id, SECPROF_OP_PSK, psk_bytes, 16), 0);
	assert_int_equal(secprof_set_bytes(f->prof, id, SECPROF_OP_PSK_ID, (const uint8_t *)PSK_ID,
					   strlen(PSK_ID)),
			 0);
}

/* Creates a secure socket with profile 0 and connects; returns the id, *err the result. */
static int connect_secure(struct fx *f, int proto, int *err)
{
	int id = sock_create(f->t, proto, 0), rc;
	size_t before;

	assert_true(id >= 0);
	assert_int_equal(sock_set_security(f->t, id, true, 0), 0);
	before = ev_log_count(&f->ev, SOCK_EV_CONNECTED, id);
	rc = sock_connect(f->t, id, "127.0.0.1", f->port);
	assert_int_equal(rc, -EINPROGRESS);
	assert_true(net_wait_event(f->loop, &f->ev, SOCK_EV_CONNECTED, id, before + 1, WAIT_MS));
	*err = ev_log_last(&f->ev, SOCK_EV_CONNECTED, id)->err;
	return id;
}

/* Client -> server through s_server's stdout, server -> client through its stdin. */
static void exchange(struct fx *f, int id, const uint8_t *data, size_t len)
{
	uint8_t got[2048];
	size_t off = 0;

	assert_int_equal(sock_write(f->t, id, data, len), (ssize_t)len);
	for (int i = 0; i < 200 && off < len; i++) {
		loop_run_once(f->loop, 10);
		off += net_read_fd(f->srv.out_fd, got + off, len - off, 10);
	}
	assert_int_equal(off, len);
	assert_memory_equal(got, data, len);
	assert_int_equal(write(f->srv.in_fd, data, len), (ssize_t)len);
	assert_true(net_wait_available(f->loop, f->t, id, len, WAIT_MS));
	assert_int_equal(sock_read(f->t, id, got, sizeof(got)), (ssize_t)len);
	assert_memory_equal(got, data, len);
}

static void test_tls12_psk_payloads(void **state)
{
	struct fx *f = *state;
	uint8_t all[256], big[SOCK_PAYLOAD_MAX];
	struct sock_info info;
	int err, id;

	for (size_t i = 0; i < sizeof(all); i++)
		all[i] = (uint8_t)i;
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i ^ 0x5a);
	start_server(f, 0, "-tls1_2", "-nocert", "-psk", PSK_HEX, "-psk_identity", PSK_ID, NULL);
	psk_profile(f, 0, 3);
	assert_int_equal(secprof_cipher_list_edit(f->prof, 0, 0x00a8, false), 0);
	id = connect_secure(f, SOCK_PROTO_TCP, &err);
	assert_int_equal(err, 0);
	assert_int_equal(sock_write(f->t, id, all, 0), 0);
	exchange(f, id, (const uint8_t *)"1", 1);
	exchange(f, id, all, sizeof(all));
	exchange(f, id, big, sizeof(big));
	assert_int_equal(sock_get_info(f->t, id, &info), 0);
	/* wire bytes include the handshake and record overhead: more than the payload */
	assert_true(info.bytes_sent > 1 + 256 + 1024 + 100);
	assert_true(info.bytes_received > 1 + 256 + 1024 + 50);
	assert_true(info.bytes_sent < 1 + 256 + 1024 + 2000);
	assert_int_equal(sock_close(f->t, id), 0);
}

static void test_tls13_psk(void **state)
{
	struct fx *f = *state;
	int err, id;

	start_server(f, 0, "-tls1_3", "-nocert", "-psk", PSK_HEX, "-psk_identity", PSK_ID, NULL);
	psk_profile(f, 0, 4);
	id = connect_secure(f, SOCK_PROTO_TCP, &err);
	assert_int_equal(err, 0);
	exchange(f, id, (const uint8_t *)"tls13", 5);
}

static void test_wrong_psk_reason(void **state)
{
	struct fx *f = *state;
	int err, id;

	start_server(f, 0, "-tls1_2", "-nocert", "-psk", "0F0E0D0C0B0A09080706050403020100",
		     "-psk_identity", PSK_ID, NULL);
	psk_profile(f, 0, 3);
	id = connect_secure(f, SOCK_PROTO_TCP, &err);
	assert_int_not_equal(err, 0);
	assert_string_equal(sock_reason(f->t, id), "PSK mismatch: bad record MAC");
	/* TLS 1.3: the binder check fails on the server */
	net_child_stop(&f->srv);
	start_server(f, 0, "-tls1_3", "-nocert", "-psk", "0F0E0D0C0B0A09080706050403020100",
		     "-psk_identity", PSK_ID, NULL);
	psk_profile(f, 0, 4);
	id = connect_secure(f, SOCK_PROTO_TCP, &err);
	assert_int_not_equal(err, 0);
	assert_non_null(strstr(sock_reason(f->t, id), "PSK mismatch"));
}

static void test_wrong_identity_tls13(void **state)
{
	struct fx *f = *state;
	int err, id;

	start_server(f, 0, "-tls1_3", "-nocert", "-psk", PSK_HEX, "-psk_identity", "someone-else",
		     NULL);
	psk_profile(f, 0, 4);
	id = connect_secure(f, SOCK_PROTO_TCP, &err);
	assert_int_not_equal(err, 0);
	assert_non_null(strstr(sock_reason(f->t, id), "unknown PSK identity"));
}

static void test_rot_psk_once_per_handshake(void **state)
{
	struct fx *f = *state;
	int err, a, b;

	start_server(f, 0, "-tls1_2", "-nocert", "-psk", PSK_HEX, "-psk_identity", "x", NULL);
	assert_int_equal(secprof_reset(f->prof, 0), 0);
	assert_int_equal(secprof_set_int(f->prof, 0, SECPROF_OP_ROT_PSK, 1), 0);
	assert_int_equal(secprof_cipher_list_edit(f->prof, 0, 0x00ae, false), 0);
	a = connect_secure(f, SOCK_PROTO_TCP, &err);
	assert_int_equal(err, 0);
	assert_int_equal(f->rot_calls, 1);
	assert_int_equal(sock_close(f->t, a), 0);
	b = connect_secure(f, SOCK_PROTO_TCP, &err);
	assert_int_equal(err, 0);
	assert_int_equal(f->rot_calls, 2);
	assert_false(f->rot_id_len[0] == f->rot_id_len[1] &&
		     memcmp(f->rot_ids[0], f->rot_ids[1], f->rot_id_len[0]) == 0);
	exchange(f, b, (const uint8_t *)"rot", 3);
}

static void cert_case(struct fx *f, int level, const char *ca, const char *host, int want_err,
		      const char *reason)
{
	int err, id;

	assert_int_equal(secprof_reset(f->prof, 0), 0);
	assert_int_equal(secprof_set_int(f->prof, 0, SECPROF_OP_VERIFY, level), 0);
	assert_int_equal(secprof_set_str(f->prof, 0, SECPROF_OP_CA_NAME, ca, strlen(ca)), 0);
	assert_int_equal(secprof_set_str(f->prof, 0, SECPROF_OP_HOSTNAME, host, strlen(host)), 0);
	id = connect_secure(f, SOCK_PROTO_TCP, &err);
	if (want_err == 0) {
		assert_int_equal(err, 0);
		assert_int_equal(sock_close(f->t, id), 0);
		return;
	}
	assert_int_equal(err, want_err);
	if (strncmp(sock_reason(f->t, id), reason, strlen(reason)) != 0)
		fail_msg("reason \"%s\", expected \"%s\"", sock_reason(f->t, id), reason);
	assert_int_equal(sock_close(f->t, id), 0);
}

static void test_cert_levels(void **state)
{
	struct fx *f = *state;

	start_server(f, 0, "-cert", path_in(f->g, "srv.pem"), "-key", path_in(f->g, "srv.key"),
		     NULL);
	cert_case(f, 0, "other", "", 0, NULL);
	cert_case(f, 1, "ca", "", 0, NULL);
	cert_case(f, 1, "", "", 0, NULL); /* every CA of the store */
	cert_case(f, 1, "other", "", SOCK_UERR_EACCES, "certificate not trusted");
	cert_case(f, 2, "ca", "server.example", 0, NULL);
	cert_case(f, 2, "ca", "wrong.example", SOCK_UERR_EACCES, "host name mismatch");
	cert_case(f, 3, "ca", "server.example", 0, NULL);
}

static void test_cert_expired(void **state)
{
	struct fx *f = *state;

	start_server(f, 0, "-cert", path_in(f->g, "old.pem"), "-key", path_in(f->g, "srv.key"),
		     NULL);
	cert_case(f, 2, "ca", "server.example", 0, NULL); /* levels 0-2 ignore dates */
	cert_case(f, 3, "ca", "server.example", SOCK_UERR_EACCES, "certificate expired");
}

static void test_mutual_auth_and_pinning(void **state)
{
	struct fx *f = *state;
	int err, id;

	start_server(f, 0, "-cert", path_in(f->g, "srv.pem"), "-key", path_in(f->g, "srv.key"),
		     "-Verify", "1", "-CAfile", path_in(f->g, "ca.pem"), NULL);
	assert_int_equal(secprof_reset(f->prof, 0), 0);
	assert_int_equal(secprof_set_int(f->prof, 0, SECPROF_OP_VERIFY, 1), 0);
	assert_int_equal(secprof_set_str(f->prof, 0, SECPROF_OP_CC_NAME, "cli", 3), 0);
	assert_int_equal(secprof_set_str(f->prof, 0, SECPROF_OP_PK_NAME, "cli", 3), 0);
	assert_int_equal(secprof_set_pinning(f->prof, 0, "srv", 3, 2), 0);
	id = connect_secure(f, SOCK_PROTO_TCP, &err);
	assert_int_equal(err, 0);
	exchange(f, id, (const uint8_t *)"mutual", 6);
	assert_int_equal(sock_close(f->t, id), 0);
	/* pinned to a different certificate: refused after the handshake */
	assert_int_equal(import_file(f, CREDSTORE_SC, "pin-other", "other.pem"), 0);
	assert_int_equal(secprof_set_pinning(f->prof, 0, "pin-other", 9, 0), 0);
	id = connect_secure(f, SOCK_PROTO_TCP, &err);
	assert_int_not_equal(err, 0);
	assert_non_null(strstr(sock_reason(f->t, id), "pinning mismatch"));
	/* without the client certificate the server refuses */
	assert_int_equal(secprof_set_pinning(f->prof, 0, "", 0, 0), 0);
	assert_int_equal(secprof_set_str(f->prof, 0, SECPROF_OP_CC_NAME, "", 0), 0);
	assert_int_equal(secprof_set_str(f->prof, 0, SECPROF_OP_PK_NAME, "", 0), 0);
	assert_int_equal(secprof_set_int(f->prof, 0, SECPROF_OP_TLS_MIN, 3), 0);
	assert_int_equal(sock_close(f->t, id), 0);
	id = connect_secure(f, SOCK_PROTO_TCP, &err);
	if (err == 0) { /* TLS 1.3: the refusal comes with the first read */
		uint8_t b[4];

		assert_true(net_wait_event(f->loop, &f->ev, SOCK_EV_CLOSED, id, 1, WAIT_MS));
		assert_int_equal(sock_read(f->t, id, b, sizeof(b)), -ENOTCONN);
	}
}

static void test_dtls_psk(void **state)
{
	struct fx *f = *state;
	int err, id;

	start_server(f, 1, "-dtls1_2", "-nocert", "-psk", PSK_HEX, "-psk_identity", PSK_ID, NULL);
	psk_profile(f, 0, 3);
	assert_int_equal(secprof_cipher_list_edit(f->prof, 0, 0x00a8, false),
			 0); /* PSK-AES128-GCM */
	id = connect_secure(f, SOCK_PROTO_UDP, &err);
	assert_int_equal(err, 0);
	exchange(f, id, (const uint8_t *)"dtls-datagram", 13);
}

static void test_dtls_unreachable(void **state)
{
	struct fx *f = *state;
	int err, id;

	f->port = net_free_port(SOCK_DGRAM);
	psk_profile(f, 0, 3);
	id = connect_secure(f, SOCK_PROTO_UDP, &err);
	assert_int_equal(err, SOCK_UERR_ECONNREFUSED);
	assert_string_equal(sock_reason(f->t, id), "connection refused");
}

static void test_handshake_timeout(void **state)
{
	struct fx *f = *state;
	int lfd = socket(AF_INET, SOCK_STREAM, 0), err, id;
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(lfd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(lfd, 4), 0); /* accepts (kernel) but never answers */
	getsockname(lfd, (struct sockaddr *)&a, &len);
	f->port = ntohs(a.sin_port);
	sock_table_set_timeout(f->t, 300);
	psk_profile(f, 0, 3);
	id = connect_secure(f, SOCK_PROTO_TCP, &err);
	assert_int_equal(err, SOCK_UERR_ETIMEDOUT);
	assert_string_equal(sock_reason(f->t, id), "handshake timeout: no answer from the server");
	close(lfd);
}

/* Quirk Q11: a DTLS server drops the Finished it cannot decrypt; the reason still says why. */
static void test_dtls_wrong_psk_reason(void **state)
{
	struct fx *f = *state;
	int err, id;

	start_server(f, 1, "-dtls1_2", "-nocert", "-psk", "0F0E0D0C0B0A09080706050403020100",
		     "-psk_identity", PSK_ID, NULL);
	psk_profile(f, 0, 3);
	assert_int_equal(secprof_cipher_list_edit(f->prof, 0, 0x00a8, false), 0);
	sock_table_set_timeout(f->t, 1500);
	id = connect_secure(f, SOCK_PROTO_UDP, &err);
	assert_int_equal(err, SOCK_UERR_ETIMEDOUT);
	assert_non_null(strstr(sock_reason(f->t, id), "PSK mismatch likely"));
}

static void test_peer_close_mid_transfer(void **state)
{
	struct fx *f = *state;
	uint8_t got[64];
	int err, id;

	start_server(f, 0, "-tls1_2", "-nocert", "-psk", PSK_HEX, "-psk_identity", PSK_ID, NULL);
	psk_profile(f, 0, 3);
	id = connect_secure(f, SOCK_PROTO_TCP, &err);
	assert_int_equal(err, 0);
	assert_int_equal(write(f->srv.in_fd, "last words", 10), 10);
	assert_true(net_wait_available(f->loop, f->t, id, 10, WAIT_MS));
	net_child_stop(&f->srv); /* peer goes away with data still unread */
	assert_true(net_wait_event(f->loop, &f->ev, SOCK_EV_CLOSED, id, 1, WAIT_MS));
	assert_int_equal(sock_read(f->t, id, got, sizeof(got)), 10);
	assert_memory_equal(got, "last words", 10);
	assert_int_equal(sock_read(f->t, id, got, sizeof(got)), -ENOTCONN);
}

static void test_config_errors(void **state)
{
	struct fx *f = *state;
	int err, id;

	f->port = 9; /* never reached: the profile is refused first */
	assert_int_equal(secprof_reset(f->prof, 0), 0);
	assert_int_equal(secprof_set_int(f->prof, 0, SECPROF_OP_VERIFY, 2), 0);
	id = connect_secure(f, SOCK_PROTO_TCP, &err);
	assert_int_not_equal(err, 0);
	sock_close(f->t, id);
	sock_table_set_psk_gen(f->t, NULL, NULL);
	assert_int_equal(secprof_reset(f->prof, 0), 0);
	assert_int_equal(secprof_set_int(f->prof, 0, SECPROF_OP_ROT_PSK, 1), 0);
	start_server(f, 0, "-tls1_2", "-nocert", "-psk", PSK_HEX, NULL);
	id = connect_secure(f, SOCK_PROTO_TCP, &err);
	assert_int_not_equal(err, 0);
	assert_non_null(strstr(sock_reason(f->t, id), "no RoT"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_tls12_psk_payloads, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tls13_psk, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_psk_reason, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_identity_tls13, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rot_psk_once_per_handshake, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cert_levels, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cert_expired, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mutual_auth_and_pinning, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dtls_psk, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dtls_unreachable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dtls_wrong_psk_reason, setup, teardown),
		cmocka_unit_test_setup_teardown(test_handshake_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_peer_close_mid_transfer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_config_errors, setup, teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
