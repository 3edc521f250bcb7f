/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Crash-safe per-device counter store (rot/include/rot/counter.h, docs/rot-derivation.md).
 *
 * File "<state_dir>/rot-<UID>.counter" holds "ukms-rot-counter 1\n<reserved-next>\n": every
 * counter below reserved-next may have been handed out, none at or above it has. Lock file
 * "<state_dir>/rot-<UID>.lock" is flock()ed while the store is open.
 */
#define LOG_MODULE "counter"
#include "rot/counter.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "afile.h"
#include "buf.h"
#include "hex.h"
#include "log.h"
#include "rot_priv.h"

#define COUNTER_MAGIC    "ukms-rot-counter "
#define COUNTER_VERSION  1
#define COUNTER_END      ((uint64_t)ROT_COUNTER_MAX + 1) /* reserved-next when exhausted */
#define COUNTER_FILE_MAX 256
#define LOCK_WAIT_MS     5000

struct rot_counter {
	char path[PATH_MAX];
	int lock_fd;
	uint64_t next;  /* next counter to hand out */
	uint64_t limit; /* persisted reserved-next: counters < limit are reserved */
	uint32_t block;
	bool ephemeral;
	rot_counter_hook_fn *hook;
	void *hook_data;
	rot_counter_reserve_fn *on_reserve;
	void *reserve_data;
};

static int lock_wait(int fd)
{
	const struct timespec step = { 0, 10 * 1000 * 1000 };

	for (int waited = 0; waited < LOCK_WAIT_MS; waited += 10) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			return 0;
		if (errno != EWOULDBLOCK && errno != EINTR)
			return -errno;
		nanosleep(&step, NULL);
	}
	return -EBUSY;
}

/* Parses the whole file text. Returns 0, -EPROTO for a newer version, -EBADMSG if corrupt. */
static int parse_file(const char *s, size_t len, uint64_t *out, unsigned *version)
{
	const size_t mlen = sizeof(COUNTER_MAGIC) - 1;
	uint64_t v = 0;
	size_t i = mlen;
	unsigned ver = 0;

	if (len < mlen || memcmp(s, COUNTER_MAGIC, mlen) != 0)
		return -EBADMSG;
	for (; i < len && s[i] >= '0' && s[i] <= '9' && ver < 100000; i++)
		ver = ver * 10 + (unsigned)(s[i] - '0');
	*version = ver;
	if (i == mlen || i >= len || s[i] != '\n')
		return -EBADMSG;
	if (ver > COUNTER_VERSION)
		return -EPROTO;
	if (ver != COUNTER_VERSION)
		return -EBADMSG;
	size_t start = ++i;
	for (; i < len && s[i] >= '0' && s[i] <= '9' && v <= COUNTER_END; i++)
		v = v * 10 + (uint64_t)(s[i] - '0');
	if (i == start || i - start > 10 || v > COUNTER_END || v == 0 || i + 1 != len ||
	    s[i] != '\n')
		return -EBADMSG;
	*out = v;
	return 0;
}

/* Loads c->path into c->next and c->limit; -ENOENT (counters start at 1) if missing. */
static int load(struct rot_counter *c, char *err, size_t errlen)
{
	struct buf b;
	unsigned version = 0;
	int rc;

	buf_init(&b, COUNTER_FILE_MAX);
	rc = afile_read(c->path, &b);
	if (rc == -ENOENT) {
		c->next = c->limit = 1; /* fresh device: counters start at 1 */
		goto out;
	}
	if (rc == 0)
		rc = parse_file((const char *)b.data, b.len, &c->limit, &version);
	if (rc == -EPROTO)
		snprintf(err, errlen,
			 "%s: written by a newer ukms (format version %u, this build "
			 "reads %d); not modified",
			 c->path, version, COUNTER_VERSION);
	else if (rc == -EBADMSG || rc == -EFBIG)
		snprintf(err, errlen,
			 "%s: corrupt counter file; not modified (restore it, or "
			 "remove it only if no identity of this device was ever used)",
			 c->path);
	else if (rc < 0)
		snprintf(err, errlen, "%s: %s", c->path, strerror(-rc));
	c->next = c->limit;
out:
	buf_finish(&b);
	return rc;
}

/* "<dir>/rot-<UID>.<ext>". */
static int path_of(char *out, size_t cap, const char *dir, const uint8_t *uid, const char *ext)
{
	char hex[2 * ROT_UID_LEN + 1];

	hex_encode(uid, ROT_UID_LEN, hex, sizeof(hex));
	return snprintf(out, cap, "%s/rot-%s.%s", dir, hex, ext) >= (int)cap ? -ENAMETOOLONG : 0;
}

static int open_files(struct rot_counter *c, const char *dir, const uint8_t *uid, char *err,
		      size_t errlen)
{
	char lock[PATH_MAX];
	int rc;

	if (path_of(c->path, sizeof(c->path), dir, uid, "counter") < 0 ||
	    path_of(lock, sizeof(lock), dir, uid, "lock") < 0) {
		snprintf(err, errlen, "%s: path too long", dir);
		return -ENAMETOOLONG;
	}
	rc = afile_private_dir(dir, err, errlen);
	if (rc < 0)
		return rc;
	c->lock_fd = open(lock, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	rc = c->lock_fd < 0 ? -errno : lock_wait(c->lock_fd);
	if (rc < 0) {
		snprintf(err, errlen, "%s: %s", lock,
			 rc == -EBUSY ? "counter in use by another process" : strerror(-rc));
		return rc;
	}
	afile_remove_stale(c->path);
	rc = load(c, err, errlen);
	return rc == -ENOENT ? 0 : rc;
}

struct rot_counter *rot_counter_open(const char *state_dir, const uint8_t uid[ROT_UID_LEN],
				     uint32_t block, char *err, size_t errlen)
{
	struct rot_counter *c = NULL;
	int rc = -EINVAL;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (block == 0) {
		snprintf(err, errlen, "counter block must be >= 1");
		goto out;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		snprintf(err, errlen, "out of memory");
		rc = -ENOMEM;
		goto out;
	}
	c->lock_fd = -1;
	c->block = block;
	c->ephemeral = state_dir == NULL;
	c->next = 1;
	c->limit = COUNTER_END;
	rc = c->ephemeral ? 0 : open_files(c, state_dir, uid, err, errlen);
out:
	if (rc < 0) {
		rot_counter_close(c);
		c = NULL;
	}
	return c;
}

void rot_counter_close(struct rot_counter *c)
{
	if (c == NULL)
		return;
	if (c->lock_fd >= 0)
		close(c->lock_fd); /* releases the flock */
	free(c);
}

static int persist(struct rot_counter *c, uint64_t limit)
{
	struct afile_opts opts = { .mode = 0600,
				   .before_rename = c->hook,
				   .hook_data = c->hook_data };
	char text[64];
	int n;

	n = snprintf(text, sizeof(text), "%s%d\n%llu\n", COUNTER_MAGIC, COUNTER_VERSION,
		     (unsigned long long)limit);
	return afile_write(c->path, text, (size_t)n, &opts);
}

int rot_counter_next(struct rot_counter *c, uint32_t *out)
{
	int rc;

	if (c->next > ROT_COUNTER_MAX)
		return -ENOSPC;
	if (c->next >= c->limit) {
		uint64_t limit = c->next + c->block;

		if (limit > COUNTER_END)
			limit = COUNTER_END;
		rc = persist(c, limit);
		if (rc < 0) {
			log_error("%s: cannot persist counter reservation: %s", c->path,
				  strerror(-rc));
			return rc;
		}
		if (c->on_reserve != NULL && c->on_reserve(c->reserve_data, limit) != 0)
			return -EIO;
		c->limit = limit;
	}
	*out = (uint32_t)c->next++;
	return 0;
}

uint32_t rot_counter_peek(const struct rot_counter *c)
{
	return c->next > ROT_COUNTER_MAX ? ROT_COUNTER_MAX : (uint32_t)c->next;
}

void rot_counter_set_hook(struct rot_counter *c, rot_counter_hook_fn *fn, void *data)
{
	c->hook = fn;
	c->hook_data = data;
}

void rot_counter_on_reserve(struct rot_counter *c, rot_counter_reserve_fn *fn, void *data)
{
	c->on_reserve = fn;
	c->reserve_data = data;
}

void rot_counter_skip_to(struct rot_counter *c, uint64_t next)
{
	if (next > COUNTER_END)
		next = COUNTER_END;
	if (next > c->next)
		c->next = next;
}

int rot_counter_read(const char *state_dir, const uint8_t uid[ROT_UID_LEN], uint64_t *next,
		     char *err, size_t errlen)
{
	struct rot_counter c = { .lock_fd = -1 };
	int rc = path_of(c.path, sizeof(c.path), state_dir, uid, "counter");

	if (rc == 0)
		rc = load(&c, err, errlen);
	*next = c.next;
	return rc;
}

int rot_counter_default_dir(char *out, size_t cap)
{
	const char *xdg = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
	int n;

	if (xdg != NULL && xdg[0] == '/')
		n = snprintf(out, cap, "%s/ukms", xdg);
	else if (home != NULL && home[0] != '\0')
		n = snprintf(out, cap, "%s/.local/state/ukms", home);
	else
		return -ENOENT;
	return n < 0 || (size_t)n >= cap ? -ENAMETOOLONG : 0;
}
