/* SPDX-License-Identifier: Apache-2.0 */
#define LOG_MODULE "nvm"
#include "nvm.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "afile.h"
#include "buf.h"
#include "compiler.h"
#include "log.h"
#include "rot/counter.h"

#define MAGIC "ukms-nvm "

struct section {
	char name[NVM_NAME_MAX + 1];
	struct buf data; /* secret: wiped on reset and finish */
	bool used;
};

struct nvm {
	char *dir;  /* NULL: ephemeral */
	char *path; /* dir/nvm.dat */
	struct section s[NVM_SECTIONS_MAX];
};

static void sections_finish(struct section *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		buf_finish(&s[i].data);
		s[i].used = false;
	}
}

void nvm_close(struct nvm *n)
{
	if (n == NULL)
		return;
	sections_finish(n->s, NVM_SECTIONS_MAX);
	free(n->dir);
	free(n->path);
	free(n);
}

const char *nvm_dir(const struct nvm *n)
{
	return n != NULL ? n->dir : NULL;
}

static bool name_ok(const char *name)
{
	size_t len = name != NULL ? strlen(name) : 0;

	if (len == 0 || len > NVM_NAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= '0' && name[i] <= '9') ||
		      name[i] == '_'))
			return false;
	return strcmp(name, "end") != 0;
}

static struct section *find(const struct section *s, const char *name)
{
	for (size_t i = 0; i < NVM_SECTIONS_MAX; i++)
		if (s[i].used && strcmp(s[i].name, name) == 0)
			return (struct section *)(uintptr_t)&s[i];
	return NULL;
}

int nvm_get(const struct nvm *n, const char *name, const uint8_t **data, size_t *len)
{
	const struct section *sec = n != NULL && name != NULL ? find(n->s, name) : NULL;

	if (sec == NULL)
		return -ENOENT;
	*data = sec->data.data;
	*len = sec->data.len;
	return 0;
}

static int put(struct section *s, const char *name, const void *data, size_t len)
{
	struct section *sec = find(s, name);

	for (size_t i = 0; sec == NULL && i < NVM_SECTIONS_MAX; i++) {
		if (!s[i].used) {
			sec = &s[i];
			buf_init_secret(&sec->data, NVM_FILE_MAX);
			snprintf(sec->name, sizeof(sec->name), "%s", name);
			sec->used = true;
		}
	}
	if (sec == NULL)
		return -ENOSPC;
	buf_reset(&sec->data);
	return len > 0 ? buf_append(&sec->data, data, len) : 0;
}

int nvm_set(struct nvm *n, const char *name, const void *data, size_t len)
{
	if (n == NULL || !name_ok(name) || (data == NULL && len > 0))
		return -EINVAL;
	return put(n->s, name, data, len);
}

int nvm_format(const struct nvm *n, struct buf *out)
{
	int rc = buf_appendf(out, "%s%d\n", MAGIC, NVM_VERSION);

	for (size_t i = 0; rc == 0 && i < NVM_SECTIONS_MAX; i++) {
		const struct section *sec = &n->s[i];

		if (!sec->used)
			continue;
		rc = buf_appendf(out, "%s %zu\n", sec->name, sec->data.len);
		if (rc == 0 && sec->data.len > 0)
			rc = buf_append(out, sec->data.data, sec->data.len);
		if (rc == 0)
			rc = buf_append(out, "\n", 1);
	}
	return rc == 0 ? buf_appendf(out, "end\n") : rc;
}

int nvm_commit(struct nvm *n)
{
	struct afile_opts opts = { .mode = 0600 };
	struct buf img;
	int rc;

	if (n == NULL || n->path == NULL)
		return 0;
	buf_init_secret(&img, NVM_FILE_MAX);
	rc = nvm_format(n, &img);
	if (rc == 0)
		rc = afile_write(n->path, img.data, img.len, &opts);
	if (rc < 0)
		log_error("cannot write %s: %s", n->path, strerror(-rc));
	buf_finish(&img);
	return rc;
}

/* Reads one "\n"-terminated header line of at most cap-1 chars at *pos. */
static int header_line(const char *p, size_t len, size_t *pos, char *out, size_t cap)
{
	const char *nl = *pos < len ? memchr(p + *pos, '\n', len - *pos) : NULL;
	size_t n = nl != NULL ? (size_t)(nl - (p + *pos)) : 0;

	if (nl == NULL || n == 0 || n >= cap || memchr(p + *pos, '\0', n) != NULL)
		return -EINVAL;
	memcpy(out, p + *pos, n);
	out[n] = '\0';
	*pos += n + 1;
	return 0;
}

static int parse_version(const char *line, char *err, size_t errlen)
{
	char *end = NULL;
	long v;

	if (strncmp(line, MAGIC, sizeof(MAGIC) - 1) != 0) {
		snprintf(err, errlen, "not a ukms-sim NVM file (bad magic)");
		return -EINVAL;
	}
	errno = 0;
	v = strtol(line + sizeof(MAGIC) - 1, &end, 10);
	if (errno != 0 || *end != '\0' || v < 1) {
		snprintf(err, errlen, "bad format version");
		return -EINVAL;
	}
	if (v > NVM_VERSION) {
		snprintf(err, errlen, "format version %ld is newer than this ukms-sim (%d)", v,
			 NVM_VERSION);
		return -EPROTO;
	}
	return 0;
}

/* One "<name> <len>\n<bytes>\n" record into s. */
static int parse_section(struct section *s, const char *p, size_t len, size_t *pos,
			 const char *line)
{
	char name[NVM_NAME_MAX + 1];
	const char *sp = strchr(line, ' ');
	char *end = NULL;
	unsigned long n;

	if (sp == NULL || (size_t)(sp - line) > NVM_NAME_MAX || sp[1] < '0' || sp[1] > '9')
		return -EINVAL;
	memcpy(name, line, (size_t)(sp - line));
	name[sp - line] = '\0';
	errno = 0;
	n = strtoul(sp + 1, &end, 10);
	if (errno != 0 || *end != '\0' || !name_ok(name) || find(s, name) != NULL ||
	    n > len - *pos || len - *pos - n < 1 || p[*pos + n] != '\n')
		return -EINVAL;
	if (put(s, name, p + *pos, n) < 0)
		return -EINVAL;
	*pos += n + 1;
	return 0;
}

int nvm_parse(struct nvm *n, const void *data, size_t len, char *err, size_t errlen)
{
	struct section tmp[NVM_SECTIONS_MAX] = { 0 };
	const char *p = data;
	char line[NVM_NAME_MAX + 32];
	size_t pos = 0;
	int rc = -EINVAL;

	if (header_line(p, len, &pos, line, sizeof(line)) < 0) {
		snprintf(err, errlen, "not a ukms-sim NVM file (no header)");
		goto out;
	}
	rc = parse_version(line, err, errlen);
	while (rc == 0) {
		rc = header_line(p, len, &pos, line, sizeof(line));
		if (rc == 0 && strcmp(line, "end") == 0)
			break;
		if (rc == 0)
			rc = parse_section(tmp, p, len, &pos, line);
		if (rc < 0)
			snprintf(err, errlen, "corrupt section at byte %zu", pos);
	}
	if (rc == 0 && pos != len) {
		snprintf(err, errlen, "trailing data after the end marker");
		rc = -EINVAL;
	}
	if (rc == 0) {
		sections_finish(n->s, NVM_SECTIONS_MAX);
		memcpy(n->s, tmp, sizeof(tmp));
		memset(tmp, 0, sizeof(tmp));
	}
out:
	sections_finish(tmp, NVM_SECTIONS_MAX);
	return rc;
}

static int load(struct nvm *n, char *err, size_t errlen)
{
	char why[160] = "";
	struct buf b;
	int rc;

	buf_init_secret(&b, NVM_FILE_MAX);
	rc = afile_read(n->path, &b);
	if (rc == -ENOENT) {
		rc = 0;
	} else if (rc < 0) {
		snprintf(err, errlen, "%s: %s", n->path, strerror(-rc));
	} else {
		rc = nvm_parse(n, b.data, b.len, why, sizeof(why));
		if (rc < 0)
			snprintf(err, errlen,
				 "%s: %s; refusing to start (the file is left as it is)", n->path,
				 why);
	}
	buf_finish(&b);
	return rc;
}

struct nvm *nvm_open(const char *dir, char *err, size_t errlen)
{
	struct nvm *n = calloc(1, sizeof(*n));
	int rc;

	if (n == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (dir == NULL)
		return n;
	n->dir = strdup(dir);
	if (n->dir == NULL || asprintf(&n->path, "%s/%s", dir, NVM_FILE) < 0) {
		n->path = NULL;
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	rc = afile_private_dir(dir, err, errlen);
	if (rc < 0)
		goto fail;
	afile_remove_stale(n->path);
	if (load(n, err, errlen) < 0)
		goto fail;
	return n;
fail:
	nvm_close(n);
	return NULL;
}

int nvm_default_dir(const char *uid_hex, char *out, size_t cap)
{
	char base[PATH_MAX];
	int rc = rot_counter_default_dir(base, sizeof(base)), n;

	if (rc < 0)
		return rc == -ENOENT ? rc : -ENOSPC;
	n = snprintf(out, cap, "%s/sim-%s", base, uid_hex);
	return n < 0 || (size_t)n >= cap ? -ENOSPC : 0;
}
