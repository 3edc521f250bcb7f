/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Failure rate limit per account (GetPSK guessing, docs/api.md "Rate limit"): each account may
 * fail `burst` lookups at once, then one every 60000/per_minute ms (a GCRA bucket: one
 * "theoretical arrival time" per account). Only failures are recorded; a check is a read.
 *
 * Bounded memory: a fixed table of LIMIT_SLOTS entries in LIMIT_STRIPES lock stripes; an entry
 * whose bucket has refilled is free for reuse, and when every probed entry is busy the one
 * closest to refilled is taken over. Thread-safe (the MHD thread pool calls it concurrently).
 * The caller passes the time (monotonic milliseconds), so tests control refills.
 */
#ifndef FAKEAPI_LIMIT_H
#define FAKEAPI_LIMIT_H

#include <stdint.h>

#define LIMIT_SLOTS   1024
#define LIMIT_STRIPES 16

struct limiter;

/* burst and per_minute > 0. Returns NULL on allocation failure. */
struct limiter *limiter_create(unsigned burst, unsigned per_minute);
/* NULL-safe. */
void limiter_destroy(struct limiter *l);

/*
 * 0 if name may make another attempt now; -EBUSY once it has used up its failures, with the
 * whole seconds until the next attempt is allowed (>= 1) in *retry_after_s.
 */
int limiter_check(struct limiter *l, const char *name, uint64_t now_ms, unsigned *retry_after_s);
/* Records one failure for name. */
void limiter_fail(struct limiter *l, const char *name, uint64_t now_ms);

#endif /* FAKEAPI_LIMIT_H */
