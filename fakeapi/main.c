/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ukms-fakeapi: a local copy of u-blox's Security Services REST API (authenticate, GetPSK)
 * serving a platform file through libmicrohttpd. Signals are handled by sigwait() in the main
 * thread (blocked everywhere else): SIGHUP reloads the platform, SIGINT/SIGTERM stop.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pthread.h>

#include "afile.h"
#include "api.h"
#include "buf.h"
#include "compiler.h"
#include "server.h"
#include "ukms_config.h"

#define LOG_MODULE "main"
#include "log.h"

#define PROG    "ukms-fakeapi"
#define PEM_MAX (64 * 1024)

struct options {
	char host[256];
	uint16_t port;
	char admin_host[256];
	uint16_t admin_port;
	bool admin;
	const char *tls_cert;
	const char *tls_key;
	const char *platform;
	uint32_t token_ttl;
	uint32_t refresh_ttl;
	unsigned threads;
	uint32_t max_connections;
	uint32_t max_per_client;
	uint32_t idle_timeout;
	uint32_t request_timeout;
	uint32_t fail_burst;
	uint32_t fail_rate;
	bool help;
	bool version;
};

typedef int opt_fn(struct options *o, const char *arg);

static int parse_u32(const char *s, unsigned long max, uint32_t *out)
{
	char *end = NULL;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (*s == '\0' || *s == '-' || *end != '\0' || errno != 0 || v == 0 || v > max)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

static int opt_listen(struct options *o, const char *a)
{
	return server_parse_listen(a, o->host, sizeof(o->host), &o->port);
}

static int opt_admin(struct options *o, const char *a)
{
	o->admin = true;
	return server_parse_listen(a, o->admin_host, sizeof(o->admin_host), &o->admin_port);
}

static int opt_cert(struct options *o, const char *a)
{
	o->tls_cert = a;
	return 0;
}

static int opt_key(struct options *o, const char *a)
{
	o->tls_key = a;
	return 0;
}

static int opt_platform(struct options *o, const char *a)
{
	o->platform = a;
	return 0;
}

static int opt_ttl(struct options *o, const char *a)
{
	return parse_u32(a, 10UL * 365 * 86400, &o->token_ttl);
}

static int opt_refresh_ttl(struct options *o, const char *a)
{
	return parse_u32(a, 10UL * 365 * 86400, &o->refresh_ttl);
}

static int opt_threads(struct options *o, const char *a)
{
	uint32_t v = 0;
	int rc = parse_u32(a, 64, &v);

	o->threads = v;
	return rc;
}

/* The denial-of-service limits (docs/security.md): numbers stored as given. */
#define OPT_U32(name, field, max)                                                                  \
	static int name(struct options *o, const char *a)                                          \
	{                                                                                          \
		return parse_u32(a, max, &o->field);                                               \
	}
OPT_U32(opt_max_connections, max_connections, 100000)
OPT_U32(opt_max_per_client, max_per_client, 100000)
OPT_U32(opt_idle_timeout, idle_timeout, 3600)
OPT_U32(opt_request_timeout, request_timeout, 3600)
OPT_U32(opt_fail_burst, fail_burst, 1000000)
OPT_U32(opt_fail_rate, fail_rate, 1000000)

static int opt_log_level(struct options *o, const char *a)
{
	enum log_level l;
	int rc = log_level_parse(a, &l);

	if (rc == 0)
		log_set_level(l);
	return rc;
}

static int opt_help(struct options *o, const char *a)
{
	o->help = true;
	return 0;
}

static int opt_version(struct options *o, const char *a)
{
	o->version = true;
	return 0;
}

static const struct opt_def {
	const char *name;
	const char *arg; /* NULL: no argument */
	opt_fn *fn;
	const char *help;
} opt_table[] = {
	{ "listen", "HOST:PORT", opt_listen,
	  "serve the API here (default 127.0.0.1:8080; port 0 picks a free port)" },
	{ "admin-listen", "HOST:PORT", opt_admin,
	  "serve /admin/* here (loopback only; off by default)" },
	{ "tls-cert", "FILE", opt_cert, "PEM certificate: serve HTTPS (needs --tls-key)" },
	{ "tls-key", "FILE", opt_key, "PEM private key for --tls-cert" },
	{ "platform", "FILE", opt_platform,
	  "platform file (default: the built-in demo, read-only)" },
	{ "token-ttl", "SECONDS", opt_ttl, "AuthToken lifetime (default 3600)" },
	{ "refresh-ttl", "SECONDS", opt_refresh_ttl, "RefreshToken lifetime (default 86400)" },
	{ "threads", "N", opt_threads, "HTTP worker threads (default: online CPUs, at most 8)" },
	{ "max-connections", "N", opt_max_connections,
	  "open connections per listener (default 1000)" },
	{ "max-per-client", "N", opt_max_per_client,
	  "open connections per client IP address (default 256)" },
	{ "idle-timeout", "SECONDS", opt_idle_timeout,
	  "close a connection silent this long (default 10)" },
	{ "request-timeout", "SECONDS", opt_request_timeout,
	  "a whole request must arrive within this (default 10)" },
	{ "getpsk-fail-burst", "N", opt_fail_burst,
	  "failed GetPSK lookups an account may make at once (default 100)" },
	{ "getpsk-fail-rate", "N", opt_fail_rate,
	  "then this many per minute; beyond: 429 (default 60)" },
	{ "log-level", "LEVEL", opt_log_level, "error, warn, info (default), debug or trace" },
	{ "help", NULL, opt_help, "show this help" },
	{ "version", NULL, opt_version, "show the version" },
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s [OPTION]...\nLocal copy of the u-blox Security Services REST API "
		"(POST /v1/authenticate, POST /v1/GetPSK).\n\n",
		PROG);
	for (size_t i = 0; i < ARRAY_LEN(opt_table); i++) {
		char lhs[48];

		snprintf(lhs, sizeof(lhs), "--%s%s%s", opt_table[i].name,
			 opt_table[i].arg ? " " : "", opt_table[i].arg ? opt_table[i].arg : "");
		fprintf(f, "  %-26s %s\n", lhs, opt_table[i].help);
	}
	fprintf(f, "\nSIGHUP reloads the platform file. See ukms-fakeapi(1) and docs/api.md.\n");
}

static int parse_options(int argc, char **argv, struct options *o)
{
	struct option longs[ARRAY_LEN(opt_table) + 1];
	int idx, c;

	for (size_t i = 0; i < ARRAY_LEN(opt_table); i++)
		longs[i] = (struct option){ opt_table[i].name,
					    opt_table[i].arg ? required_argument : no_argument,
					    NULL, (int)i };
	longs[ARRAY_LEN(opt_table)] = (struct option){ NULL, 0, NULL, 0 };
	while ((c = getopt_long(argc, argv, "", longs, &idx)) != -1) {
		if (c < 0 || (size_t)c >= ARRAY_LEN(opt_table))
			return -EINVAL;
		if (opt_table[c].fn(o, optarg) < 0) {
			fprintf(stderr, "%s: invalid value for --%s: '%s'\n", PROG,
				opt_table[c].name, optarg);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument '%s'\n", PROG, argv[optind]);
		return -EINVAL;
	}
	if ((o->tls_cert == NULL) != (o->tls_key == NULL)) {
		fprintf(stderr, "%s: --tls-cert and --tls-key go together\n", PROG);
		return -EINVAL;
	}
	return 0;
}

struct app {
	struct options opt;
	struct buf cert;
	struct buf key;
	struct api *api;
	struct server *pub;
	struct server *admin;
};

static int read_pem(const char *path, struct buf *b)
{
	int rc = afile_read(path, b);

	if (rc < 0 || buf_cstr(b) == NULL) {
		fprintf(stderr, "%s: cannot read %s: %s\n", PROG, path,
			strerror(rc < 0 ? -rc : ENOMEM));
		return rc < 0 ? rc : -ENOMEM;
	}
	return 0;
}

static int start_listener(struct app *a, bool admin)
{
	struct server_config sc = {
		.host = admin ? a->opt.admin_host : a->opt.host,
		.port = admin ? a->opt.admin_port : a->opt.port,
		.tls_cert = admin || !a->opt.tls_cert ? NULL : buf_cstr(&a->cert),
		.tls_key = admin || !a->opt.tls_key ? NULL : buf_cstr(&a->key),
		.threads = admin ? 1 : a->opt.threads,
		.max_connections = a->opt.max_connections,
		.max_per_client = a->opt.max_per_client,
		.idle_timeout_s = a->opt.idle_timeout,
		.request_timeout_s = a->opt.request_timeout,
		.surface = admin ? API_SURFACE_ADMIN : API_SURFACE_PUBLIC,
	};
	const char *shown = sc.host[0] ? sc.host : "127.0.0.1";
	bool v6 = strchr(shown, ':') != NULL;
	char err[256];
	struct server *s = server_create(a->api, &sc, err, sizeof(err));

	if (s == NULL) {
		fprintf(stderr, "%s: %s\n", PROG, err);
		return -EADDRNOTAVAIL;
	}
	*(admin ? &a->admin : &a->pub) = s;
	printf("%s: %slistening on %s://%s%s%s:%u\n", PROG, admin ? "admin " : "",
	       sc.tls_cert ? "https" : "http", v6 ? "[" : "", shown, v6 ? "]" : "",
	       (unsigned)server_port(s));
	fflush(stdout);
	return 0;
}

static int setup(struct app *a)
{
	struct api_config ac = {
		.platform_path = a->opt.platform,
		.token_ttl = a->opt.token_ttl,
		.refresh_ttl = a->opt.refresh_ttl,
		.fail_burst = a->opt.fail_burst,
		.fail_per_minute = a->opt.fail_rate,
	};
	char err[256];
	int rc;

	if (a->opt.admin && !server_host_is_loopback(a->opt.admin_host)) {
		fprintf(stderr, "%s: --admin-listen must be a loopback address\n", PROG);
		return -EINVAL;
	}
	if (a->opt.tls_cert &&
	    (read_pem(a->opt.tls_cert, &a->cert) < 0 || read_pem(a->opt.tls_key, &a->key) < 0))
		return -EINVAL;
	if (a->opt.platform != NULL)
		afile_remove_stale(a->opt.platform); /* an admin write killed before its rename */
	a->api = api_create(&ac, err, sizeof(err));
	if (a->api == NULL) {
		fprintf(stderr, "%s: %s\n", PROG, err);
		return -EINVAL;
	}
	rc = start_listener(a, false);
	if (rc == 0 && a->opt.admin)
		rc = start_listener(a, true);
	return rc;
}

/* Runs until SIGINT/SIGTERM; SIGHUP reloads. The signals are blocked in every thread. */
static void wait_signals(struct app *a, const sigset_t *set)
{
	char err[256];
	int sig = 0;

	for (;;) {
		if (sigwait(set, &sig) != 0)
			continue;
		if (sig != SIGHUP)
			break;
		if (api_reload(a->api, err, sizeof(err)) == 0)
			log_info("SIGHUP: platform reloaded from %s", a->opt.platform);
		else
			log_warn("SIGHUP: keeping the current platform: %s", err);
	}
	log_info("signal %d: shutting down", sig);
}

static long default_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > 8 ? 8 : n;
}

int main(int argc, char **argv)
{
	struct app a = { .opt = { .host = "127.0.0.1",
				  .port = 8080,
				  .token_ttl = 3600,
				  .refresh_ttl = 86400,
				  .max_connections = 1000,
				  .max_per_client = 256,
				  .idle_timeout = 10,
				  .request_timeout = 10,
				  .fail_burst = 100,
				  .fail_rate = 60 } };
	sigset_t set;
	int rc = 1;

	log_set_program(PROG);
	a.opt.threads = (unsigned)default_threads();
	buf_init(&a.cert, PEM_MAX);
	buf_init_secret(&a.key, PEM_MAX);
	if (parse_options(argc, argv, &a.opt) < 0) {
		fprintf(stderr, "Try '%s --help'.\n", PROG);
		return 2;
	}
	if (a.opt.help || a.opt.version) {
		if (a.opt.help)
			usage(stdout);
		else
			printf("%s %s\n", PROG, UKMS_VERSION);
		return 0;
	}
	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	if (setup(&a) == 0) {
		wait_signals(&a, &set);
		rc = 0;
	}
	server_destroy(a.admin);
	server_destroy(a.pub);
	api_destroy(a.api);
	buf_finish(&a.cert);
	buf_finish(&a.key);
	return rc;
}
