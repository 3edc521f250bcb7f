/* SPDX-License-Identifier: Apache-2.0 */
#include "rng.h"

void rng_seed(struct rng *r, uint64_t seed)
{
	seed += 0x9e3779b97f4a7c15ull;
	seed = (seed ^ (seed >> 30)) * 0xbf58476d1ce4e5b9ull;
	seed = (seed ^ (seed >> 27)) * 0x94d049bb133111ebull;
	r->s = (seed ^ (seed >> 31)) | 1u;
}

uint32_t rng_next(struct rng *r)
{
	uint64_t x = r->s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	r->s = x;
	return (uint32_t)((x * 0x2545f4914f6cdd1dull) >> 32);
}

bool rng_chance(struct rng *r, unsigned pct)
{
	if (pct == 0)
		return false;
	if (pct >= 100)
		return true;
	return rng_next(r) % 100u < pct;
}
