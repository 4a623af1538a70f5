/* SPDX-License-Identifier: GPL-2.0 */
/* A seeded generator per thread: the same seed draws the same operation stream. */
#ifndef PFNMAP_STRESS_RNG_H
#define PFNMAP_STRESS_RNG_H

#include <stdint.h>

struct rng {
	uint64_t s[4];
};

/* Seeds from the run's seed and a stream number (process and thread). */
void rng_seed(struct rng *r, uint64_t seed, uint64_t stream);
uint64_t rng_next(struct rng *r);
/* Uniform in [0, n); 0 when n is 0. */
uint64_t rng_below(struct rng *r, uint64_t n);

#endif
