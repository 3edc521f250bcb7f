/* SPDX-License-Identifier: Apache-2.0 */
#include "options.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler.h"
#include "ukms_config.h"

typedef int opt_set_fn(struct load_config *c, const char *v);

struct opt {
	const char *name;
	const char *arg; /* NULL: a flag */
	opt_set_fn *set;
	const char *help;
};

static int parse_u64(const char *v, uint64_t min, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long n;

	errno = 0;
	n = strtoull(v, &end, 10);
	if (errno != 0 || end == v || *end != '\0' || v[0] == '-' || v[0] == '+' || n < min ||
	    n > max)
		return -EINVAL;
	*out = n;
	return 0;
}

static int parse_seconds(const char *v, double min, double max, double *out)
{
	char *end;
	double d;

	errno = 0;
	d = strtod(v, &end);
	if (errno != 0 || end == v || *end != '\0' || !isfinite(d) || d < min || d > max)
		return -EINVAL;
	*out = d;
	return 0;
}

static int set_server(struct load_config *c, const char *v)
{
	const char *colon = strrchr(v, ':');
	const char *host = v;
	size_t hlen;
	uint64_t port;

	if (colon == NULL || parse_u64(colon + 1, 1, 65535, &port) < 0)
		return -EINVAL;
	hlen = (size_t)(colon - v);
	if (hlen >= 2 && v[0] == '[' && v[hlen - 1] == ']') {
		host++;
		hlen -= 2;
	}
	if (hlen == 0 || hlen >= sizeof(c->host))
		return -EINVAL;
	snprintf(c->host, sizeof(c->host), "%.*s", (int)hlen, host);
	snprintf(c->port, sizeof(c->port), "%u", (unsigned)port);
	return 0;
}

static int set_dtls(struct load_config *c, const char *v)
{
	c->dtls = true;
	return 0;
}

static int set_platform(struct load_config *c, const char *v)
{
	c->platform = v;
	return 0;
}

/* FLEET, FLEET:FROM-TO (inclusive) or FLEET:INDEX */
static int set_devices(struct load_config *c, const char *v)
{
	const char *colon = strchr(v, ':'), *dash;
	size_t nlen = colon != NULL ? (size_t)(colon - v) : strlen(v);
	char num[24];
	uint64_t from, to;

	if (nlen == 0 || nlen > PLATFORM_FLEET_NAME_MAX)
		return -EINVAL;
	snprintf(c->fleet, sizeof(c->fleet), "%.*s", (int)nlen, v);
	c->have_range = colon != NULL;
	if (colon == NULL)
		return 0;
	dash = strchr(colon + 1, '-');
	if (dash == NULL)
		dash = colon + 1 + strlen(colon + 1);
	if ((size_t)(dash - colon - 1) >= sizeof(num))
		return -EINVAL;
	snprintf(num, sizeof(num), "%.*s", (int)(dash - colon - 1), colon + 1);
	if (parse_u64(num, 0, UINT32_MAX, &from) < 0)
		return -EINVAL;
	to = from;
	if (*dash == '-' && parse_u64(dash + 1, from, UINT32_MAX, &to) < 0)
		return -EINVAL;
	c->from = (uint32_t)from;
	c->to = (uint32_t)to;
	return 0;
}

static int set_concurrency(struct load_config *c, const char *v)
{
	uint64_t n;
	int rc = parse_u64(v, 1, LOAD_CONCURRENCY_MAX, &n);

	c->concurrency = (unsigned)n;
	return rc;
}

static int set_rate(struct load_config *c, const char *v)
{
	char num[32];
	size_t n = strlen(v);

	if (strcmp(v, "max") == 0) {
		c->rate = 0;
		return 0;
	}
	if (n > 2 && strcmp(v + n - 2, "/s") == 0)
		n -= 2;
	if (n == 0 || n >= sizeof(num))
		return -EINVAL;
	snprintf(num, sizeof(num), "%.*s", (int)n, v);
	return parse_seconds(num, 0.001, 1e7, &c->rate);
}

static int set_duration(struct load_config *c, const char *v)
{
	return parse_seconds(v, 0.001, 1e6, &c->duration);
}

static int set_handshakes(struct load_config *c, const char *v)
{
	return parse_u64(v, 1, UINT64_MAX / 2, &c->handshakes);
}

static int set_payload(struct load_config *c, const char *v)
{
	uint64_t n;
	int rc = parse_u64(v, 0, LOAD_PAYLOAD_MAX, &n);

	c->payload = (size_t)n;
	return rc;
}

/* I/N with 0 <= I < N */
static int set_shard(struct load_config *c, const char *v)
{
	const char *slash = strchr(v, '/');
	char num[24];
	uint64_t i, n;

	if (slash == NULL || (size_t)(slash - v) >= sizeof(num))
		return -EINVAL;
	snprintf(num, sizeof(num), "%.*s", (int)(slash - v), v);
	if (parse_u64(num, 0, 1000000, &i) < 0 || parse_u64(slash + 1, 1, 1000000, &n) < 0 ||
	    i >= n)
		return -EINVAL;
	c->shard = (unsigned)i;
	c->shards = (unsigned)n;
	return 0;
}

static int set_length(struct load_config *c, const char *v)
{
	if (strcmp(v, "16") != 0 && strcmp(v, "32") != 0)
		return -EINVAL;
	c->psk_len = (size_t)atoi(v);
	return 0;
}

static int set_counter(struct load_config *c, const char *v)
{
	uint64_t n;
	int rc = parse_u64(v, 0, UINT32_MAX, &n);

	c->counter = (uint32_t)n;
	return rc;
}

static int set_same(struct load_config *c, const char *v)
{
	c->same_identity = true;
	return 0;
}

static int set_timeout(struct load_config *c, const char *v)
{
	return parse_seconds(v, 0.01, 3600, &c->timeout);
}

static int set_json(struct load_config *c, const char *v)
{
	c->json = true;
	return 0;
}

static int set_quiet(struct load_config *c, const char *v)
{
	c->quiet = true;
	return 0;
}

static int set_dry_run(struct load_config *c, const char *v)
{
	c->dry_run = true;
	return 0;
}

static const struct opt opts[] = {
	{ "server", "HOST:PORT", set_server, "the (D)TLS-PSK server to load (required)" },
	{ "dtls", NULL, set_dtls, "DTLS 1.2 over UDP instead of TLS 1.2 over TCP" },
	{ "platform", "FILE", set_platform,
	  "platform file the devices come from (default: the built-in demo platform)" },
	{ "devices", "FLEET[:FROM[-TO]]", set_devices,
	  "devices FROM..TO (inclusive) of a fleet (default: the platform's first fleet, or its "
	  "explicit devices)" },
	{ "concurrency", "C", set_concurrency, "handshakes in flight at once (default 16)" },
	{ "rate", "R/s|max", set_rate, "new handshakes per second (default max)" },
	{ "duration", "S", set_duration, "seconds to start new handshakes (default 10)" },
	{ "handshakes", "N", set_handshakes, "stop after N handshakes (instead of --duration)" },
	{ "payload", "BYTES", set_payload,
	  "after each handshake send BYTES random bytes and check the echo (default 0)" },
	{ "shard", "I/N", set_shard,
	  "take only devices whose position in the range is I modulo N (split a fleet over "
	  "machines)" },
	{ "length", "16|32", set_length, "PSK length (default 16)" },
	{ "counter", "N", set_counter, "first RoT counter of every device (default 1)" },
	{ "same-identity", NULL, set_same,
	  "every handshake of a device uses the same identity (warm server cache)" },
	{ "timeout", "S", set_timeout, "seconds allowed per handshake and echo (default 10)" },
	{ "json", NULL, set_json, "print the summary as one JSON object on stdout" },
	{ "quiet", NULL, set_quiet, "no progress line each second" },
	{ "dry-run", NULL, set_dry_run,
	  "print this shard's devices (selector and rot_uid), connect to nothing" },
};

static void usage(void)
{
	printf("Usage: ukms-load --server HOST:PORT [OPTIONS]\n\n"
	       "Load generator for a (D)TLS-PSK server: virtual devices of a platform file derive\n"
	       "their identities and PSKs exactly as a module's RoT does (AT+USECPSK) and "
	       "handshake\n"
	       "with the server.\n\n");
	for (size_t i = 0; i < ARRAY_LEN(opts); i++) {
		char left[48];

		snprintf(left, sizeof(left), "--%s%s%s", opts[i].name, opts[i].arg ? " " : "",
			 opts[i].arg ? opts[i].arg : "");
		printf("  %-26s %s\n", left, opts[i].help);
	}
	printf("  %-26s %s\n  %-26s %s\n", "--help", "this text", "--version", "the version");
	printf("\nExit status: 0 every handshake succeeded, 1 some failed, 2 usage error, 3 setup "
	       "error.\n");
}

static void defaults(struct load_config *c)
{
	memset(c, 0, sizeof(*c));
	c->shards = 1;
	c->concurrency = 16;
	c->duration = 10;
	c->psk_len = 16;
	c->counter = 1;
	c->timeout = 10;
}

int load_options_parse(struct load_config *c, int argc, char **argv, char *err, size_t errlen)
{
	struct option lo[ARRAY_LEN(opts) + 3];
	bool duration_set = false;
	int ch, idx;

	defaults(c);
	for (size_t i = 0; i < ARRAY_LEN(opts); i++)
		lo[i] = (struct option){ opts[i].name,
					 opts[i].arg ? required_argument : no_argument, NULL,
					 (int)i };
	lo[ARRAY_LEN(opts)] = (struct option){ "help", no_argument, NULL, 'h' };
	lo[ARRAY_LEN(opts) + 1] = (struct option){ "version", no_argument, NULL, 'V' };
	lo[ARRAY_LEN(opts) + 2] = (struct option){ 0 };
	opterr = 0;
	optind = 1;
	while ((ch = getopt_long(argc, argv, ":", lo, &idx)) != -1) {
		if (ch == 'h' || ch == 'V') {
			if (ch == 'h')
				usage();
			else
				printf("ukms-load %s\n", UKMS_VERSION);
			return 1;
		}
		if (ch == '?' || ch == ':') {
			snprintf(err, errlen, "%s option '%s'",
				 ch == '?' ? "unknown" : "missing the value of",
				 argv[optind - 1] != NULL ? argv[optind - 1] : "");
			return -EINVAL;
		}
		if (opts[ch].set(c, optarg) < 0) {
			snprintf(err, errlen, "--%s: bad value '%.64s' (expected %s)",
				 opts[ch].name, optarg, opts[ch].arg);
			return -EINVAL;
		}
		duration_set |= opts[ch].set == set_duration;
	}
	if (optind < argc) {
		snprintf(err, errlen, "unexpected argument '%.64s'", argv[optind]);
		return -EINVAL;
	}
	if (c->host[0] == '\0' && !c->dry_run) {
		snprintf(err, errlen, "--server HOST:PORT is required");
		return -EINVAL;
	}
	if (c->handshakes > 0 && !duration_set)
		c->duration = 0;
	return 0;
}
