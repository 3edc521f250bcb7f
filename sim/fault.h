/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fault registry of ukms-sim (docs/faults.md): one static table of faults, each off by default,
 * switched on by `--fault NAME[:k=v,...]` or by the control socket's `fault` op, with integer
 * parameters and one seeded PRNG so that a run is reproducible under `--seed N`.
 *
 * One struct faults per modem (m->faults). The registry only stores state; the parts of the
 * modem that implement a fault ask it (faults_is_on / faults_get) at the moment it matters, and
 * the modem registers a change hook to arm timers or push values to sim/net.
 */
#ifndef SIM_FAULT_H
#define SIM_FAULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct faults;

struct fault_param {
	const char *key;
	const char *help;
	long def, min, max;
};

struct fault_desc {
	const char *name; /* "Q15", "chunked", "latency", "hang", ... */
	const char *help; /* one line: what the host sees */
	const struct fault_param *params;
	size_t n_params;
};

/* Row order of the table (faults_table()[id].name is the name). */
enum fault_id {
	FAULT_Q1 = 0,
	FAULT_Q5,
	FAULT_Q6,
	FAULT_Q10,
	FAULT_Q12,
	FAULT_Q15,
	FAULT_Q17,
	FAULT_Q18,
	FAULT_Q21,
	FAULT_Q24,
	FAULT_Q26,
	FAULT_CHUNKED,
	FAULT_LATENCY,
	FAULT_URC_DROP,
	FAULT_HANG,
	FAULT_REBOOT,
	FAULT_DGRAM_LOSS,
	FAULT_DGRAM_REORDER,
	FAULT_RTT,
	FAULT_TCP_RESET,
	FAULT_COUNT
};

#define FAULT_PARAMS_MAX 4
#define FAULT_NAME_MAX   32
#define FAULT_KV_MAX     256 /* longest "k=v,k=v" string faults_foreach_active produces */

/* The static table (n = FAULT_COUNT rows, in enum fault_id order). */
const struct fault_desc *faults_table(size_t *n);
/* The row of a name (case-insensitive), or NULL. */
const struct fault_desc *faults_find(const char *name, enum fault_id *id);

/* All faults off; the PRNG starts from seed (--seed N, default 0). NULL on ENOMEM. */
struct faults *faults_create(uint64_t seed);
void faults_destroy(struct faults *f); /* NULL-safe */

/*
 * Switches a fault by name. On: parameters start from their defaults, then kv ("k=v,k=v", NULL
 * or "" = defaults) is applied; values are decimal integers within the row's [min, max]. Off:
 * kv must be empty. Nothing changes on error. Returns 0, -ENOENT (no such fault) or -EINVAL,
 * with a one-line message in err.
 */
int faults_set(struct faults *f, const char *name, bool on, const char *kv, char *err,
	       size_t errlen);
/* Command-line form "NAME[:k=v,...]" (--fault, repeatable): faults_set(.., true, ..). */
int faults_parse_cli(struct faults *f, const char *spec, char *err, size_t errlen);

/*
 * Whether fault id is on, and a parameter's current value (its default when the fault is off;
 * 0 for an unknown key). NULL f: off / 0. By name: faults_find first.
 */
bool faults_is_on(const struct faults *f, enum fault_id id);
long faults_get(const struct faults *f, enum fault_id id, const char *key);

/* Next value of the seeded PRNG (common/rng.h): the same sequence for the same seed. */
uint32_t faults_rand(struct faults *f);
/* true with probability pct/100 (pct <= 0: never, >= 100: always; no PRNG draw then). */
bool faults_chance(struct faults *f, long pct);

/* Visits the active faults in table order: cb(name, "k=v,k=v", ctx). */
void faults_foreach_active(const struct faults *f,
			   void (*cb)(const char *name, const char *kv, void *ctx), void *ctx);

/*
 * Change hook: called after every successful faults_set with the fault's id and new state (the
 * modem arms timers, pushes network values to sim/net). One hook; fn NULL removes it.
 */
typedef void faults_change_fn(void *data, enum fault_id id, bool on);
void faults_set_hook(struct faults *f, faults_change_fn *fn, void *data);

#endif /* SIM_FAULT_H */
