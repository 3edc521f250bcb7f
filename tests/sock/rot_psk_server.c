/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Test peer for profile op 11: a TLS 1.2 PSK echo server that knows no PSK in advance. The
 * identity the client sends (28 hex chars of a RoT identity) is resolved with the platform
 * file, as the customer's server does through GetPSK: rot_identity_parse + platform_derive_psk
 * (the same code as `ukms-rot derive`).
 *
 * Usage: rot_psk_server [PLATFORM_FILE]   (default: the built-in demo platform)
 * Prints "PORT <n>" once listening on 127.0.0.1 (ephemeral), "IDENTITY <hex>" per handshake,
 * echoes one connection's data until EOF, then exits 0 (1 on a failed handshake).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "rot/platform.h"
#include "rot/rot.h"

static unsigned int psk_cb(SSL *ssl, const char *identity, unsigned char *psk, unsigned int max_len)
{
	const struct platform *p = SSL_get_app_data(ssl);
	struct platform_device dev;
	struct rot_identity id;
	struct rot_psk key = { { 0 }, 0 };
	unsigned int n = 0;

	printf("IDENTITY %s\n", identity);
	fflush(stdout);
	if (rot_identity_parse(identity, strlen(identity), &id) < 0 ||
	    platform_derive_psk(p, &id, 16, &dev, &key) < 0 || key.len > max_len)
		goto out;
	memcpy(psk, key.bytes, key.len);
	n = (unsigned int)key.len;
out:
	rot_psk_clear(&key);
	return n;
}

static int listen_any(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 1) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &len) < 0)
		return -1;
	printf("PORT %u\n", ntohs(a.sin_port));
	fflush(stdout);
	return fd;
}

static int serve(SSL_CTX *ctx, int lfd, struct platform *p)
{
	char buf[4096];
	int fd = accept(lfd, NULL, NULL), n, rc = 1;
	SSL *ssl = fd >= 0 ? SSL_new(ctx) : NULL;

	if (ssl == NULL)
		goto out;
	SSL_set_app_data(ssl, p);
	SSL_set_fd(ssl, fd);
	if (SSL_accept(ssl) != 1) {
		ERR_print_errors_fp(stderr);
		goto out;
	}
	printf("CONNECTED\n");
	fflush(stdout);
	while ((n = SSL_read(ssl, buf, sizeof(buf))) > 0)
		if (SSL_write(ssl, buf, n) != n)
			break;
	rc = 0;
out:
	SSL_free(ssl);
	if (fd >= 0)
		close(fd);
	return rc;
}

int main(int argc, char **argv)
{
	char err[256] = "";
	struct platform *p =
		argc > 1 ? platform_load(argv[1], err, sizeof(err)) : platform_load_default();
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	int lfd = -1, rc = 1;

	if (p == NULL || ctx == NULL) {
		fprintf(stderr, "rot_psk_server: %s\n", err[0] ? err : "setup failed");
		goto out;
	}
	SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_cipher_list(ctx, "PSK");
	SSL_CTX_set_psk_server_callback(ctx, psk_cb);
	lfd = listen_any();
	if (lfd >= 0)
		rc = serve(ctx, lfd, p);
out:
	if (lfd >= 0)
		close(lfd);
	SSL_CTX_free(ctx);
	platform_destroy(p);
	return rc;
}
