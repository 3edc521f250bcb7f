/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hs_bench: sequential (D)TLS-PSK handshakes against ukms-psk-server, reported per second.
 *
 *	hs_bench --connect 127.0.0.1:PORT --pairs FILE [--count N] [--dtls] [--tls13]
 *
 * FILE holds "IDENTITY PSKHEX" lines; handshake i uses line i modulo their number, so a file
 * of N distinct identities measures a cold server cache (each handshake costs a GetPSK) and a
 * file of one line a warm cache. Each handshake: connect, full handshake, close_notify, close.
 * Prints one line: "handshakes N failed F seconds S per_second R".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "hex.h"

#define MAX_PAIRS 100000

struct pair {
	char id[65];
	uint8_t psk[32];
	size_t len;
};

struct bench {
	SSL_CTX *ctx;
	struct sockaddr_in addr;
	struct pair *pairs;
	size_t npairs;
	bool dtls;
};

static unsigned int handle_psk(SSL *ssl, const char *hint, char *identity,
			       unsigned int max_identity_len, unsigned char *psk,
			       unsigned int max_psk_len)
{
	const struct pair *p = SSL_get_app_data(ssl);

	if (strlen(p->id) >= max_identity_len || p->len > max_psk_len)
		return 0;
	memcpy(identity, p->id, strlen(p->id) + 1);
	memcpy(psk, p->psk, p->len);
	return (unsigned int)p->len;
}

static int load_pairs(struct bench *b, const char *path)
{
	FILE *f = fopen(path, "r");
	char id[80], hex[80];
	int n, rc = 0;

	if (f == NULL)
		return -errno;
	b->pairs = calloc(MAX_PAIRS, sizeof(*b->pairs));
	while (b->pairs != NULL && b->npairs < MAX_PAIRS && fscanf(f, "%79s %79s", id, hex) == 2) {
		struct pair *p = &b->pairs[b->npairs];

		n = hex_decode(hex, strlen(hex), p->psk, sizeof(p->psk));
		if (n <= 0 || strlen(id) >= sizeof(p->id)) {
			rc = -EINVAL;
			break;
		}
		snprintf(p->id, sizeof(p->id), "%s", id);
		p->len = (size_t)n;
		b->npairs++;
	}
	fclose(f);
	if (b->pairs == NULL)
		return -ENOMEM;
	return rc < 0 ? rc : b->npairs > 0 ? 0 : -EINVAL;
}

/* One full handshake with pair p. Returns 0 or -EIO. */
static int handshake(struct bench *b, struct pair *p)
{
	int fd = socket(AF_INET, b->dtls ? SOCK_DGRAM : SOCK_STREAM, 0);
	SSL *ssl = NULL;
	BIO *bio = NULL;
	int rc = -EIO;

	if (fd < 0 || connect(fd, (struct sockaddr *)&b->addr, sizeof(b->addr)) < 0)
		goto out;
	ssl = SSL_new(b->ctx);
	bio = b->dtls ? BIO_new_dgram(fd, BIO_NOCLOSE) : BIO_new_socket(fd, BIO_NOCLOSE);
	if (ssl == NULL || bio == NULL)
		goto out;
	if (b->dtls)
		BIO_ctrl(bio, BIO_CTRL_DGRAM_SET_CONNECTED, 0, &b->addr);
	SSL_set_bio(ssl, bio, bio);
	bio = NULL;
	SSL_set_app_data(ssl, p);
	if (SSL_connect(ssl) == 1) {
		SSL_shutdown(ssl);
		rc = 0;
	}
out:
	ERR_clear_error();
	BIO_free(bio);
	SSL_free(ssl);
	if (fd >= 0)
		close(fd);
	return rc;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int parse_connect(struct bench *b, const char *v)
{
	const char *colon = strrchr(v, ':');
	char host[64];

	if (colon == NULL || (size_t)(colon - v) >= sizeof(host))
		return -EINVAL;
	snprintf(host, sizeof(host), "%.*s", (int)(colon - v), v);
	b->addr.sin_family = AF_INET;
	b->addr.sin_port = htons((uint16_t)atoi(colon + 1));
	return inet_pton(AF_INET, host, &b->addr.sin_addr) == 1 ? 0 : -EINVAL;
}

static int setup_ctx(struct bench *b, bool tls13)
{
	b->ctx = SSL_CTX_new(b->dtls ? DTLS_client_method() : TLS_client_method());
	if (b->ctx == NULL)
		return -ENOMEM;
	if (!b->dtls) {
		int v = tls13 ? TLS1_3_VERSION : TLS1_2_VERSION;

		SSL_CTX_set_min_proto_version(b->ctx, v);
		SSL_CTX_set_max_proto_version(b->ctx, v);
	}
	SSL_CTX_set_cipher_list(b->ctx, "PSK-AES128-GCM-SHA256");
	SSL_CTX_set_psk_client_callback(b->ctx, handle_psk);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "connect", required_argument, NULL, 'c' },
		{ "pairs", required_argument, NULL, 'p' },
		{ "count", required_argument, NULL, 'n' },
		{ "dtls", no_argument, NULL, 'd' },
		{ "tls13", no_argument, NULL, '3' },
		{ 0 },
	};
	struct bench b = { 0 };
	const char *pairs = NULL;
	long count = 100, failed = 0;
	bool tls13 = false, addr_ok = false;
	double t0, secs;
	int c;

	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		if (c == 'c')
			addr_ok = parse_connect(&b, optarg) == 0;
		else if (c == 'p')
			pairs = optarg;
		else if (c == 'n')
			count = atol(optarg);
		else if (c == 'd')
			b.dtls = true;
		else if (c == '3')
			tls13 = true;
		else
			return 2;
	}
	if (!addr_ok || pairs == NULL || count <= 0 || load_pairs(&b, pairs) < 0 ||
	    setup_ctx(&b, tls13) < 0) {
		fprintf(stderr, "usage: hs_bench --connect IP:PORT --pairs FILE [--count N] "
				"[--dtls] [--tls13]\n");
		return 2;
	}
	t0 = now_s();
	for (long i = 0; i < count; i++)
		failed += handshake(&b, &b.pairs[(size_t)i % b.npairs]) < 0;
	secs = now_s() - t0;
	printf("handshakes %ld failed %ld seconds %.3f per_second %.1f\n", count, failed, secs,
	       (double)count / secs);
	SSL_CTX_free(b.ctx);
	OPENSSL_cleanse(b.pairs, MAX_PAIRS * sizeof(*b.pairs));
	free(b.pairs);
	return failed ? 1 : 0;
}
