/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ukms-load: load generator for a customer's (D)TLS-PSK server (docs/ukms-load.1). Virtual
 * devices of a platform file derive identities and PSKs through rot/, as a module's RoT does.
 * The one place mapping results to the exit status: 0 all succeeded, 1 some failed, 2 usage,
 * 3 setup (platform file, server address, OpenSSL).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "devset.h"
#include "log.h"
#include "options.h"
#include "rot/platform.h"
#include "runner.h"
#include "stats.h"

enum { EXIT_ALL_OK = 0, EXIT_SOME_FAILED = 1, EXIT_USAGE = 2, EXIT_SETUP = 3 };

static int dry_run(const struct devset *d)
{
	char sel[PLATFORM_FLEET_NAME_MAX + 16], uid[2 * ROT_UID_LEN + 1];

	for (uint64_t s = 0; s < devset_size(d); s++) {
		if (devset_describe(d, s, sel, sizeof(sel), uid) < 0)
			return EXIT_SETUP;
		printf("%s %s\n", sel, uid);
	}
	return fflush(stdout) == 0 ? EXIT_ALL_OK : EXIT_SETUP;
}

static int run(const struct load_config *c, const struct devset *d)
{
	struct load_stats *st = load_stats_create();
	char err[512] = "", shard[32];
	double secs = 0;
	int rc;

	if (st == NULL)
		return EXIT_SETUP;
	rc = load_run(c, d, st, stderr, &secs, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "ukms-load: %s\n", err);
		load_stats_destroy(st);
		return EXIT_SETUP;
	}
	snprintf(shard, sizeof(shard), "%u/%u", c->shard, c->shards);
	rc = load_stats_report(st, stdout, secs, c->json, shard, devset_size(d)) < 0 ? EXIT_SETUP
	     : load_stats_errors(st) > 0 ? EXIT_SOME_FAILED
					 : EXIT_ALL_OK;
	load_stats_destroy(st);
	return rc;
}

int main(int argc, char **argv)
{
	struct load_config cfg;
	struct platform *p = NULL;
	struct devset *d = NULL;
	char err[512] = "";
	int rc;

	log_set_level(LOG_LEVEL_WARN);
	rc = load_options_parse(&cfg, argc, argv, err, sizeof(err));
	if (rc != 0) {
		if (rc < 0)
			fprintf(stderr, "ukms-load: %s (see --help)\n", err);
		return rc < 0 ? EXIT_USAGE : EXIT_ALL_OK;
	}
	p = platform_open(cfg.platform, err, sizeof(err));
	if (p == NULL) {
		fprintf(stderr, "ukms-load: %s\n", err);
		return EXIT_SETUP;
	}
	d = devset_create(p, &cfg, err, sizeof(err));
	if (d == NULL) {
		fprintf(stderr, "ukms-load: %s\n", err);
		rc = EXIT_USAGE;
	} else {
		rc = cfg.dry_run ? dry_run(d) : run(&cfg, d);
	}
	devset_destroy(d);
	platform_destroy(p);
	return rc;
}
