/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for the fault spec parser (sim/fault.c, `--fault NAME[:k=v,...]` and the
 * control op's "k=v,..." string): any input is accepted or refused with a message; a refused
 * spec changes nothing; an accepted one leaves every parameter within its row's range, and
 * the active list formats back to a spec that parses to the same values.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fault.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct check {
	struct faults *again;
	int rc;
};

static void reparse(const char *name, const char *kv, void *ctx)
{
	struct check *c = ctx;
	char err[256];

	if (faults_set(c->again, name, true, kv, err, sizeof(err)) < 0)
		c->rc = -1;
}

static void check_ranges(const struct faults *f)
{
	size_t n;
	const struct fault_desc *t = faults_table(&n);

	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < t[i].n_params; j++) {
			long v = faults_get(f, (enum fault_id)i, t[i].params[j].key);

			if (v < t[i].params[j].min || v > t[i].params[j].max)
				abort();
		}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct faults *f = faults_create(1);
	struct check c = { .again = faults_create(1) };
	char *spec = malloc(size + 1);
	char err[256] = "";
	size_t n;
	const struct fault_desc *t = faults_table(&n);

	if (f == NULL || c.again == NULL || spec == NULL)
		goto out;
	memcpy(spec, data, size);
	spec[size] = '\0';
	if (faults_parse_cli(f, spec, err, sizeof(err)) < 0) {
		if (err[0] == '\0')
			abort();
		for (size_t i = 0; i < n; i++)
			if (faults_is_on(f, (enum fault_id)i))
				abort();
		goto out;
	}
	check_ranges(f);
	faults_foreach_active(f, reparse, &c);
	if (c.rc < 0)
		abort();
	for (size_t i = 0; i < n; i++) {
		if (faults_is_on(f, (enum fault_id)i) != faults_is_on(c.again, (enum fault_id)i))
			abort();
		for (size_t j = 0; j < t[i].n_params; j++)
			if (faults_get(f, (enum fault_id)i, t[i].params[j].key) !=
			    faults_get(c.again, (enum fault_id)i, t[i].params[j].key))
				abort();
	}
out:
	free(spec);
	faults_destroy(f);
	faults_destroy(c.again);
	return 0;
}
