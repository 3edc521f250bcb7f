/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Small seeded PRNG (xorshift64*, seed mixed by the splitmix64 finaliser) for fault injection:
 * the same seed gives the same sequence on every run and machine. Not for anything secret.
 */
#ifndef COMMON_RNG_H
#define COMMON_RNG_H

#include <stdbool.h>
#include <stdint.h>

struct rng {
	uint64_t s; /* never 0 once seeded */
};

void rng_seed(struct rng *r, uint64_t seed);
uint32_t rng_next(struct rng *r);
/* true with probability pct/100 (pct 0: never, >= 100: always; no draw in either case). */
bool rng_chance(struct rng *r, unsigned pct);

#endif /* COMMON_RNG_H */
