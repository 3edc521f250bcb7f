/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/ssl.h>

#include "afile.h"
#include "buf.h"
#include "compiler.h"

#define SECRET_FILE_CAP 4096

typedef int opt_set_fn(struct psks_config *c, const char *v);

struct opt {
	const char *name;
	const char *arg; /* NULL: a flag */
	opt_set_fn *set;
	const char *help;
};

static int parse_uint(const char *v, unsigned long min, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long n;

	errno = 0;
	n = strtoul(v, &end, 10);
	if (errno != 0 || end == v || *end != '\0' || v[0] == '-' || n < min || n > max)
		return -EINVAL;
	*out = n;
	return 0;
}

/* HOST:PORT, [V6]:PORT */
static int set_listen(struct psks_config *c, const char *v)
{
	const char *colon = strrchr(v, ':');
	const char *host = v;
	size_t hlen;
	unsigned long port;

	if (colon == NULL || parse_uint(colon + 1, 0, 65535, &port) < 0)
		return -EINVAL;
	hlen = (size_t)(colon - v);
	if (hlen >= 2 && v[0] == '[' && v[hlen - 1] == ']') {
		host++;
		hlen -= 2;
	}
	if (hlen == 0 || hlen >= sizeof(c->host))
		return -EINVAL;
	snprintf(c->host, sizeof(c->host), "%.*s", (int)hlen, host);
	snprintf(c->port, sizeof(c->port), "%lu", port);
	return 0;
}

static int set_api(struct psks_config *c, const char *v)
{
	if (strncmp(v, "http://", 7) != 0 && strncmp(v, "https://", 8) != 0)
		return -EINVAL;
	c->api_url = v;
	return 0;
}

static int set_api_key(struct psks_config *c, const char *v)
{
	if (v[0] == '\0')
		return -EINVAL;
	c->api_key = v;
	return 0;
}

static int take_secret(struct psks_config *c, const char *v, size_t len)
{
	char *s;

	if (len == 0)
		return -EINVAL;
	s = strndup(v, len);
	if (s == NULL)
		return -ENOMEM;
	psks_config_finish(c);
	c->api_secret = s;
	return 0;
}

static int set_api_secret(struct psks_config *c, const char *v)
{
	return take_secret(c, v, strlen(v));
}

static int set_api_secret_file(struct psks_config *c, const char *v)
{
	struct buf b;
	size_t len;
	int rc;

	buf_init_secret(&b, SECRET_FILE_CAP);
	rc = afile_read(v, &b);
	if (rc < 0) {
		fprintf(stderr, "ukms-psk-server: %s: %s\n", v, strerror(-rc));
		goto out;
	}
	len = b.len;
	while (len > 0 && (b.data[len - 1] == '\n' || b.data[len - 1] == '\r' ||
			   b.data[len - 1] == ' ' || b.data[len - 1] == '\t'))
		len--;
	rc = take_secret(c, (const char *)b.data, len);
out:
	buf_finish(&b);
	return rc;
}

static int set_key_length(struct psks_config *c, const char *v)
{
	if (strcmp(v, "128") != 0 && strcmp(v, "256") != 0)
		return -EINVAL;
	c->key_bits = strcmp(v, "128") == 0 ? 128 : 256;
	return 0;
}

static int set_tls_min(struct psks_config *c, const char *v)
{
	if (strcmp(v, "1.2") != 0 && strcmp(v, "1.3") != 0)
		return -EINVAL;
	c->tls_min = strcmp(v, "1.2") == 0 ? TLS1_2_VERSION : TLS1_3_VERSION;
	return 0;
}

static int set_log_level(struct psks_config *c, const char *v)
{
	return log_level_parse(v, &c->log_level);
}

#define UINT_SETTER(fn, field, min, max)                                                           \
	static int fn(struct psks_config *c, const char *v)                                        \
	{                                                                                          \
		unsigned long n;                                                                   \
		int rc = parse_uint(v, min, max, &n);                                              \
		if (rc == 0)                                                                       \
			c->field = n;                                                              \
		return rc;                                                                         \
	}

#define FLAG_SETTER(fn, field)                                                                     \
	static int fn(struct psks_config *c, const char *v)                                        \
	{                                                                                          \
		c->field = true;                                                                   \
		return 0;                                                                          \
	}

FLAG_SETTER(set_dtls, dtls)
FLAG_SETTER(set_once, once)
FLAG_SETTER(set_help, help)
FLAG_SETTER(set_version, version)

UINT_SETTER(set_max_clients, max_clients, 1, 4096)
UINT_SETTER(set_cache_size, cache_size, 0, 1000000)
UINT_SETTER(set_cache_ttl, cache_ttl_s, 1, 86400)
UINT_SETTER(set_max_per_address, max_per_address, 1, 4096)
UINT_SETTER(set_neg_cache_size, neg_cache_size, 0, 1000000)
UINT_SETTER(set_neg_cache_ttl, neg_cache_ttl_s, 1, 86400)
UINT_SETTER(set_api_timeout, api_timeout_ms, 100, 600000)
UINT_SETTER(set_hs_timeout, handshake_timeout_s, 1, 3600)
UINT_SETTER(set_idle_timeout, idle_timeout_s, 1, 86400)

static const struct opt opts[] = {
	{ "listen", "HOST:PORT", set_listen,
	  "address to serve (127.0.0.1:4433; port 0: any free)" },
	{ "dtls", NULL, set_dtls, "DTLS 1.2 over UDP (with cookie exchange) instead of TLS/TCP" },
	{ "api", "URL", set_api, "Security Services API base URL (http://127.0.0.1:8080)" },
	{ "api-key", "KEY", set_api_key, "API key (default: the ukms demo account)" },
	{ "api-secret", "SECRET", set_api_secret, "API secret (visible in ps: prefer the file)" },
	{ "api-secret-file", "FILE", set_api_secret_file, "read the API secret from FILE" },
	{ "key-length", "128|256", set_key_length, "PSK length asked of GetPSK, bits (128)" },
	{ "tls-min", "1.2|1.3", set_tls_min, "lowest TLS version accepted (1.2; TLS only)" },
	{ "log-level", "LEVEL", set_log_level, "error, warn, info (default), debug, trace" },
	{ "once", NULL, set_once, "serve one client, then exit (0 if its handshake succeeded)" },
	{ "max-clients", "N", set_max_clients, "concurrent clients, one thread each (64)" },
	{ "cache-size", "N", set_cache_size, "identities kept in the PSK cache, 0: none (1024)" },
	{ "cache-ttl", "SECONDS", set_cache_ttl, "how long a cached PSK stays valid (300)" },
	{ "max-per-address", "N", set_max_per_address,
	  "concurrent clients from one IP address (16)" },
	{ "neg-cache-size", "N", set_neg_cache_size,
	  "unknown identities remembered (no GetPSK again), 0: none (1024)" },
	{ "neg-cache-ttl", "SECONDS", set_neg_cache_ttl,
	  "how long an identity stays unknown (60)" },
	{ "api-timeout", "MS", set_api_timeout, "limit for one API request (10000)" },
	{ "handshake-timeout", "SECONDS", set_hs_timeout,
	  "limit for one handshake, API time not counted (5)" },
	{ "idle-timeout", "SECONDS", set_idle_timeout, "close a silent session after (300)" },
	{ "help", NULL, set_help, "this text" },
	{ "version", NULL, set_version, "print the version" },
};

void psks_config_usage(FILE *f)
{
	fprintf(f, "Usage: ukms-psk-server [OPTION]...\n"
		   "(D)TLS-PSK echo server that fetches each client's PSK from the u-blox\n"
		   "Security Services API (GetPSK) by its PSKIdentity.\n\n");
	for (size_t i = 0; i < ARRAY_LEN(opts); i++) {
		char left[64];

		snprintf(left, sizeof(left), "--%s%s%s", opts[i].name, opts[i].arg ? " " : "",
			 opts[i].arg ? opts[i].arg : "");
		fprintf(f, "  %-28s %s\n", left, opts[i].help);
	}
}

static void set_defaults(struct psks_config *c)
{
	*c = (struct psks_config){ .host = "127.0.0.1",
				   .port = "4433",
				   .api_url = "http://127.0.0.1:8080",
				   .api_key = PSKS_DEMO_API_KEY,
				   .key_bits = 128,
				   .tls_min = TLS1_2_VERSION,
				   .log_level = LOG_LEVEL_INFO,
				   .max_clients = 64,
				   .max_per_address = 16,
				   .cache_size = 1024,
				   .cache_ttl_s = 300,
				   .neg_cache_size = 1024,
				   .neg_cache_ttl_s = 60,
				   .api_timeout_ms = 10000,
				   .handshake_timeout_s = 5,
				   .idle_timeout_s = 300 };
}

int psks_config_parse(struct psks_config *c, int argc, char **argv)
{
	struct option lo[ARRAY_LEN(opts) + 1];
	int idx, rc = 0;

	set_defaults(c);
	for (size_t i = 0; i < ARRAY_LEN(opts); i++)
		lo[i] = (struct option){ opts[i].name,
					 opts[i].arg ? required_argument : no_argument, NULL,
					 1000 + (int)i };
	lo[ARRAY_LEN(opts)] = (struct option){ 0 };
	optind = 1;
	while (rc == 0 && (idx = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		if (idx == 'h') {
			c->help = true;
		} else if (idx < 1000 || idx >= 1000 + (int)ARRAY_LEN(opts)) {
			rc = -EINVAL; /* getopt printed why */
		} else {
			const struct opt *o = &opts[idx - 1000];

			rc = o->set(c, optarg);
			if (rc < 0)
				fprintf(stderr, "ukms-psk-server: invalid --%s '%s'\n", o->name,
					o->set == set_api_secret ? "..." : optarg);
		}
	}
	if (rc == 0 && optind < argc) {
		fprintf(stderr, "ukms-psk-server: unexpected argument '%s'\n", argv[optind]);
		rc = -EINVAL;
	}
	if (rc == 0 && c->dtls && c->tls_min == TLS1_3_VERSION) {
		fprintf(stderr,
			"ukms-psk-server: --dtls serves DTLS 1.2 only: drop --tls-min 1.3\n");
		rc = -EINVAL;
	}
	if (rc == 0 && c->api_secret == NULL)
		rc = take_secret(c, PSKS_DEMO_API_SECRET, strlen(PSKS_DEMO_API_SECRET));
	return rc;
}

void psks_config_finish(struct psks_config *c)
{
	if (c == NULL || c->api_secret == NULL)
		return;
	OPENSSL_cleanse(c->api_secret, strlen(c->api_secret));
	free(c->api_secret);
	c->api_secret = NULL;
}
