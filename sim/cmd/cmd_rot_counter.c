/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The modem's RoT counter: one store per device shared with ukms-rot (rot/counter.h), and a
 * high-water mark in the NVM so that a counter file deleted or rolled back never makes the
 * modem hand out an identity twice (docs/security.md, "One counter per device").
 *
 * NVM section "rot_hwm": records of 16 bytes, <UID (8 bytes)><limit (8 bytes, big-endian)>,
 * one per device that used this state directory; every counter below limit may have been
 * handed out. It is written (nvm_commit) each time the counter store reserves a new block,
 * before any counter of that block is used.
 */
#define LOG_MODULE "rot"
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "cmd_security.h"
#include "log.h"
#include "modem.h"
#include "nvm.h"
#include "rot/counter.h"
#include "rot/platform.h"

#define HWM_SECTION "rot_hwm"
#define HWM_RECORD  (ROT_UID_LEN + 8)
#define HWM_MAX     64 /* devices remembered per state directory */

static uint64_t be64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

/* The high-water mark of uid (0: none). -EINVAL if the section is not whole records. */
static int hwm_get(const struct nvm *n, const uint8_t uid[ROT_UID_LEN], uint64_t *out)
{
	const uint8_t *d;
	size_t len;

	*out = 0;
	if (nvm_get(n, HWM_SECTION, &d, &len) < 0)
		return 0;
	if (len % HWM_RECORD != 0 || len / HWM_RECORD > HWM_MAX)
		return -EINVAL;
	for (size_t i = 0; i < len; i += HWM_RECORD)
		if (memcmp(d + i, uid, ROT_UID_LEN) == 0)
			*out = be64(d + i + ROT_UID_LEN);
	return 0;
}

/* Reserve callback of the counter store: records limit for this device and commits. */
static int hwm_put(void *data, uint64_t limit)
{
	struct cmd_sec_state *st = data;
	uint8_t img[HWM_MAX * HWM_RECORD], *rec = NULL;
	const uint8_t *d = NULL;
	size_t len = 0;
	int rc;

	if (nvm_get(st->nvm, HWM_SECTION, &d, &len) < 0)
		len = 0;
	if (len > sizeof(img) || len % HWM_RECORD != 0)
		return -EINVAL; /* checked at start */
	if (len > 0)
		memcpy(img, d, len);
	for (size_t i = 0; i < len && rec == NULL; i += HWM_RECORD)
		if (memcmp(img + i, st->dev.uid, ROT_UID_LEN) == 0)
			rec = img + i;
	if (rec == NULL && len == sizeof(img)) {
		log_error("NVM: high-water marks of %d devices kept already; counter not reserved",
			  HWM_MAX);
		return -ENOSPC;
	}
	if (rec == NULL) {
		rec = img + len;
		len += HWM_RECORD;
		memcpy(rec, st->dev.uid, ROT_UID_LEN);
	}
	for (int i = 0; i < 8; i++)
		rec[ROT_UID_LEN + i] = (uint8_t)(limit >> (56 - 8 * i));
	rc = nvm_store(st->nvm, HWM_SECTION, img, len);
	if (rc < 0)
		log_error("NVM: cannot record the counter reservation: %s", strerror(-rc));
	return rc;
}

/*
 * Where the counter lives: --state-dir DIR itself (ukms-rot --state-dir DIR shares it), else
 * the default directory every program shares. NULL when ephemeral.
 */
static int counter_dir(const struct modem *m, char *buf, size_t cap, const char **out)
{
	*out = NULL;
	if (nvm_dir(m->sec->nvm) == NULL)
		return 0;
	if (m->cfg.state_dir != NULL) {
		*out = m->cfg.state_dir;
		return 0;
	}
	if (rot_counter_default_dir(buf, cap) < 0)
		return -ENOENT;
	*out = buf;
	return 0;
}

/*
 * The floor below which nothing may be handed out: the NVM's high-water mark, and the counter
 * an older build kept in the modem's own default state directory (taken over once).
 */
static int counter_floor(const struct modem *m, const char *dir, uint64_t *floor, char *err,
			 size_t errlen)
{
	const struct cmd_sec_state *st = m->sec;
	uint64_t old = 0;
	int rc = hwm_get(st->nvm, st->dev.uid, floor);

	if (rc < 0) {
		snprintf(err, errlen, "%s/%s: corrupt \"%s\" section; refusing to start",
			 nvm_dir(st->nvm), NVM_FILE, HWM_SECTION);
		return rc;
	}
	if (dir == NULL || strcmp(dir, nvm_dir(st->nvm)) == 0)
		return 0;
	rc = rot_counter_read(nvm_dir(st->nvm), st->dev.uid, &old, err, errlen);
	if (rc == -ENOENT)
		return 0;
	if (rc < 0)
		return rc;
	if (old > *floor)
		*floor = old;
	return 0;
}

int cmd_rot_counter_open(struct modem *m, char *err, size_t errlen)
{
	struct cmd_sec_state *st = m->sec;
	char buf[PATH_MAX];
	const char *dir = NULL;
	uint64_t floor = 0;
	int rc = counter_dir(m, buf, sizeof(buf), &dir);

	if (rc < 0) {
		snprintf(err, errlen,
			 "no state directory for the RoT counter: set --state-dir, "
			 "XDG_STATE_HOME or HOME, or use --ephemeral");
		return rc;
	}
	rc = counter_floor(m, dir, &floor, err, errlen);
	if (rc < 0)
		return rc;
	st->counter = rot_counter_open(dir, st->dev.uid, SEC_COUNTER_BLOCK, err, errlen);
	if (st->counter == NULL)
		return -EIO;
	if (floor > rot_counter_peek(st->counter)) {
		log_warn("RoT counter of %s in %s would start at %u, below what this modem has "
			 "already reserved (%llu, from its NVM or its former counter file): the "
			 "file was missing or rolled back; resuming at %llu so that no identity "
			 "is issued twice",
			 m->device->uid_hex, dir, rot_counter_peek(st->counter),
			 (unsigned long long)floor, (unsigned long long)floor);
		rot_counter_skip_to(st->counter, floor);
	}
	rot_counter_on_reserve(st->counter, hwm_put, st);
	log_info("RoT counter of %s: %s, next %u", m->device->uid_hex,
		 dir != NULL ? dir : "ephemeral", rot_counter_peek(st->counter));
	return 0;
}
