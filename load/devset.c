/* SPDX-License-Identifier: Apache-2.0 */
#include "devset.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"
#include "rot/platform.h"

struct devset {
	const struct platform *p;
	size_t fleet; /* SIZE_MAX: the explicit devices */
	uint32_t from;
	unsigned shard, shards;
	uint64_t size;
	uint32_t counter;
	int same;
	size_t psk_len;
};

static int pick_range(struct devset *d, const struct load_config *c, uint64_t *len, char *err,
		      size_t errlen)
{
	const struct platform_fleet *f = NULL;
	uint64_t count;

	d->fleet = SIZE_MAX;
	for (size_t i = 0; i < platform_fleet_count(d->p); i++) {
		if (c->fleet[0] == '\0' ||
		    strcmp(platform_fleet_at(d->p, i)->name, c->fleet) == 0) {
			d->fleet = i;
			f = platform_fleet_at(d->p, i);
			break;
		}
	}
	if (c->fleet[0] != '\0' && f == NULL) {
		snprintf(err, errlen, "--devices: no fleet '%s' in the platform", c->fleet);
		return -ENOENT;
	}
	count = f != NULL ? (uint64_t)f->count : platform_device_count(d->p);
	d->from = c->have_range ? c->from : 0;
	if (count == 0 || (c->have_range && c->to >= count)) {
		snprintf(err, errlen, "--devices: %s has %llu devices (0-%lld)",
			 f != NULL ? f->name : "the platform", (unsigned long long)count,
			 (long long)count - 1);
		return -ERANGE;
	}
	*len = (c->have_range ? (uint64_t)c->to : count - 1) - d->from + 1;
	return 0;
}

struct devset *devset_create(const struct platform *p, const struct load_config *c, char *err,
			     size_t errlen)
{
	struct devset *d = calloc(1, sizeof(*d));
	uint64_t len = 0;

	if (d == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	d->p = p;
	d->shard = c->shard;
	d->shards = c->shards;
	d->counter = c->counter;
	d->same = c->same_identity;
	d->psk_len = c->psk_len;
	if (pick_range(d, c, &len, err, errlen) < 0) {
		free(d);
		return NULL;
	}
	d->size = len > d->shard ? (len - d->shard + d->shards - 1) / d->shards : 0;
	if (d->size == 0) {
		snprintf(err, errlen, "--shard %u/%u: no device of the %llu selected", d->shard,
			 d->shards, (unsigned long long)len);
		free(d);
		return NULL;
	}
	return d;
}

void devset_destroy(struct devset *d)
{
	free(d);
}

uint64_t devset_size(const struct devset *d)
{
	return d->size;
}

/* Device of slot s (0 <= s < size). */
static int device_at(const struct devset *d, uint64_t s, struct platform_device *out)
{
	uint64_t index = d->from + d->shard + s * d->shards;

	if (d->fleet != SIZE_MAX)
		return platform_fleet_device(d->p, d->fleet, (uint32_t)index, out);
	*out = *platform_device_at(d->p, (size_t)index);
	return 0;
}

int devset_describe(const struct devset *d, uint64_t s, char *sel, size_t selcap,
		    char uid[2 * ROT_UID_LEN + 1])
{
	struct platform_device dev;
	int rc = device_at(d, s, &dev);

	if (rc < 0)
		return rc;
	if (d->fleet != SIZE_MAX)
		snprintf(sel, selcap, "%s:%u", platform_fleet_at(d->p, d->fleet)->name,
			 (unsigned)dev.index);
	else
		snprintf(sel, selcap, "%s", dev.uid_hex);
	memcpy(uid, dev.uid_hex, 2 * ROT_UID_LEN + 1);
	return 0;
}

int devset_generate(const struct devset *d, uint64_t n, char idhex[ROT_IDENTITY_HEX + 1],
		    struct rot_psk *psk)
{
	uint64_t round = d->same ? 0 : n / d->size, counter = d->counter + round;
	struct platform_device dev;
	struct rot_device rd;
	struct rot_identity id;
	int rc;

	if (counter > ROT_COUNTER_MAX)
		return -ENOSPC;
	rc = device_at(d, n % d->size, &dev);
	if (rc == 0)
		rc = platform_device_rot(d->p, &dev, &rd);
	if (rc == 0)
		rc = rot_generate(&rd, (uint32_t)counter, d->psk_len, &id, psk);
	if (rc == 0)
		rc = rot_identity_format(&id, idhex, ROT_IDENTITY_HEX + 1);
	rot_device_clear(&rd);
	return rc;
}
