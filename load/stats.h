/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Results of a ukms-load run: successes with their latency, failures by kind, a progress line
 * per second and the summary (text or JSON).
 */
#ifndef LOAD_STATS_H
#define LOAD_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum load_err {
	LOAD_OK = 0,
	LOAD_ERR_CONNECT,   /* the socket did not connect (refused, unreachable) */
	LOAD_ERR_TIMEOUT,   /* no handshake (or echo) within --timeout */
	LOAD_ERR_HANDSHAKE, /* the server refused the handshake (alert, wrong PSK, ...) */
	LOAD_ERR_ECHO,      /* the echo differed from the payload */
	LOAD_ERR_CLOSED,    /* the server closed before the echo was complete */
	LOAD_ERR_IO,        /* any other socket or TLS error */
	LOAD_ERR_IDENTITY,  /* the device's identity could not be derived */
	LOAD_ERR_COUNT,
};

struct load_stats;

struct load_stats *load_stats_create(void);
void load_stats_destroy(struct load_stats *s);
/* One finished handshake: kind and latency (connect to handshake done) in microseconds. */
void load_stats_add(struct load_stats *s, enum load_err kind, uint64_t us);
uint64_t load_stats_ok(const struct load_stats *s);
uint64_t load_stats_errors(const struct load_stats *s);
/* "t=3s ok 1234 (+412/s) in-flight 16 errors 0" on f. */
void load_stats_progress(struct load_stats *s, FILE *f, double t, unsigned in_flight);
/* The summary over seconds of run time. Returns 0 or -EIO. */
int load_stats_report(struct load_stats *s, FILE *f, double seconds, bool json, const char *shard,
		      uint64_t devices);
const char *load_err_name(enum load_err e);

#endif /* LOAD_STATS_H */
