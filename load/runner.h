/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The load schedule: starts handshakes at --rate (or as fast as --concurrency allows), stops
 * starting after --duration or --handshakes (or on SIGINT/SIGTERM), waits for those in flight,
 * prints a progress line per second. One poll loop, no threads.
 */
#ifndef LOAD_RUNNER_H
#define LOAD_RUNNER_H

#include <stdio.h>

struct load_config;
struct devset;
struct load_stats;

/* Returns 0 with the results in stats and the run time in *seconds, or -errno (err says why). */
int load_run(const struct load_config *cfg, const struct devset *devs, struct load_stats *stats,
	     FILE *progress, double *seconds, char *err, size_t errlen);

#endif /* LOAD_RUNNER_H */
