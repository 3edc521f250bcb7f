/* SPDX-License-Identifier: Apache-2.0 */
#define LOG_MODULE "nvm"
#include "nvm.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "afile.h"
#include "buf.h"
#include "compiler.h"
#include "hex.h"
#include "log.h"
#include "rot/counter.h"

#define MAGIC      "ukms-nvm "
#define JMAGIC     "ukms-nvm-journal "
#define SUM_TAG    "sha256 "
#define SUM_HEX    64 /* SHA-256 in hex */
#define SUM_LINE   (sizeof(SUM_TAG) - 1 + SUM_HEX + 1)
#define HSUM_HEX   8              /* check of a record header */
#define REC_HDR    128            /* longer than any record header line */
#define JOURNAL_LO (1024u * 1024) /* the journal is folded into nvm.dat beyond this ... */
#define JOURNAL_RD (2 * NVM_FILE_MAX + JOURNAL_LO)

struct section {
	char name[NVM_NAME_MAX + 1];
	struct buf data;  /* secret: wiped on reset and finish */
	struct buf saved; /* while dirty: the last persisted contents (secret) */
	bool used, dirty, was_used;
};

struct nvm {
	char *dir;        /* NULL: ephemeral */
	char *path;       /* dir/nvm.dat */
	char *jpath;      /* dir/nvm.journal */
	uint64_t gen;     /* generation of nvm.dat; its journal carries the same number */
	unsigned version; /* of the nvm.dat read (1: legacy, rewritten by the first commit) */
	bool base_ok;     /* nvm.dat exists in the current format */
	bool journal_ok;  /* nvm.journal belongs to this nvm.dat: commits append to it */
	size_t base_len;  /* ... or beyond the size of nvm.dat, whichever is larger */
	size_t jlen;      /* valid bytes of nvm.journal */
	struct section s[NVM_SECTIONS_MAX];
};

static void section_clear(struct section *sec)
{
	buf_finish(&sec->data);
	buf_finish(&sec->saved);
	sec->used = sec->dirty = sec->was_used = false;
}

static void sections_finish(struct section *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		section_clear(&s[i]);
}

void nvm_close(struct nvm *n)
{
	if (n == NULL)
		return;
	sections_finish(n->s, NVM_SECTIONS_MAX);
	free(n->dir);
	free(n->path);
	free(n->jpath);
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

static struct section *slot(struct section *s, const char *name)
{
	struct section *sec = find(s, name);

	for (size_t i = 0; sec == NULL && i < NVM_SECTIONS_MAX; i++) {
		if (!s[i].used && !s[i].dirty) {
			sec = &s[i];
			buf_init_secret(&sec->data, NVM_FILE_MAX);
			buf_init_secret(&sec->saved, NVM_FILE_MAX);
			snprintf(sec->name, sizeof(sec->name), "%s", name);
		}
	}
	return sec;
}

/* Replaces a section's bytes; track: keep what was there for nvm_commit's rollback. */
static int put(struct section *s, const char *name, const void *data, size_t len, bool track)
{
	struct section *sec = slot(s, name);
	struct buf old;

	if (sec == NULL)
		return -ENOSPC;
	if (sec->used && sec->data.len == len &&
	    (len == 0 || memcmp(sec->data.data, data, len) == 0))
		return 0; /* unchanged: nothing to write */
	if (track && !sec->dirty) {
		old = sec->saved;
		sec->saved = sec->data;
		sec->data = old;
		sec->was_used = sec->used;
		sec->dirty = true;
	}
	sec->used = true;
	buf_reset(&sec->data);
	return len > 0 ? buf_append(&sec->data, data, len) : 0;
}

int nvm_set(struct nvm *n, const char *name, const void *data, size_t len)
{
	if (n == NULL || !name_ok(name) || (data == NULL && len > 0))
		return -EINVAL;
	return put(n->s, name, data, len, true);
}

void nvm_discard(struct nvm *n)
{
	if (n == NULL)
		return;
	for (size_t i = 0; i < NVM_SECTIONS_MAX; i++) {
		struct section *sec = &n->s[i];
		struct buf cur = sec->data;

		if (!sec->dirty)
			continue;
		if (!sec->was_used) {
			section_clear(sec);
			continue;
		}
		sec->data = sec->saved;
		sec->saved = cur;
		buf_finish(&sec->saved);
		sec->dirty = false;
	}
}

/* After a successful commit: what is in memory is what is on disk. */
static void settle(struct nvm *n)
{
	for (size_t i = 0; i < NVM_SECTIONS_MAX; i++) {
		struct section *sec = &n->s[i];

		if (!sec->dirty)
			continue;
		buf_finish(&sec->saved);
		sec->dirty = false;
	}
}

static bool any_dirty(const struct nvm *n)
{
	for (size_t i = 0; i < NVM_SECTIONS_MAX; i++)
		if (n->s[i].dirty)
			return true;
	return false;
}

/* SHA-256 of data as lower-case hex (SUM_HEX chars and a NUL). */
static int sum_hex(const void *data, size_t len, char *out)
{
	uint8_t md[32];
	unsigned mdlen = 0;

	if (EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) != 1 || mdlen != sizeof(md))
		return -EIO;
	return hex_encode(md, sizeof(md), out, SUM_HEX + 1) < 0 ? -EIO : 0;
}

/* "<name> <len>\n<bytes>\n" for every section (dirty_only: those changed since the commit). */
static int format_sections(const struct section *s, bool dirty_only, struct buf *out)
{
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < NVM_SECTIONS_MAX; i++) {
		const struct section *sec = &s[i];

		if (!sec->used || (dirty_only && !sec->dirty))
			continue;
		rc = buf_appendf(out, "%s %zu\n", sec->name, sec->data.len);
		if (rc == 0 && sec->data.len > 0)
			rc = buf_append(out, sec->data.data, sec->data.len);
		if (rc == 0)
			rc = buf_append(out, "\n", 1);
	}
	return rc;
}

int nvm_format(const struct nvm *n, struct buf *out)
{
	size_t start = out->len;
	char sum[SUM_HEX + 1];
	int rc = buf_appendf(out, "%s%d %llu\n", MAGIC, NVM_VERSION, (unsigned long long)n->gen);

	if (rc == 0)
		rc = format_sections(n->s, false, out);
	if (rc == 0)
		rc = buf_appendf(out, "end\n");
	if (rc == 0)
		rc = sum_hex(out->data + start, out->len - start, sum);
	return rc == 0 ? buf_appendf(out, "%s%s\n", SUM_TAG, sum) : rc;
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

static int parse_u64(const char *s, char stop, unsigned long long *out, const char **end)
{
	char *e = NULL;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	*out = strtoull(s, &e, 10);
	if (errno != 0 || *e != stop)
		return -EINVAL;
	if (end != NULL)
		*end = e;
	return 0;
}

/* "ukms-nvm 1" (legacy) or "ukms-nvm 2 <generation>". */
static int parse_version(struct nvm *n, const char *line, char *err, size_t errlen)
{
	unsigned long long v = 0, gen = 0;
	const char *p = NULL;

	if (strncmp(line, MAGIC, sizeof(MAGIC) - 1) != 0) {
		snprintf(err, errlen, "not a ukms-sim NVM file (bad magic)");
		return -EINVAL;
	}
	line += sizeof(MAGIC) - 1;
	if (parse_u64(line, '\0', &v, NULL) < 0 && parse_u64(line, ' ', &v, &p) < 0)
		v = 0;
	if (v > NVM_VERSION) {
		snprintf(err, errlen, "format version %llu is newer than this ukms-sim (%d)", v,
			 NVM_VERSION);
		return -EPROTO;
	}
	if (v < 1 || (v == 1 && p != NULL) ||
	    (v > 1 && (p == NULL || parse_u64(p + 1, '\0', &gen, NULL) < 0))) {
		snprintf(err, errlen, "bad format version");
		return -EINVAL;
	}
	n->version = (unsigned)v;
	n->gen = gen;
	return 0;
}

/* One "<name> <len>\n<bytes>\n" record into s. */
static int parse_section(struct section *s, const char *p, size_t len, size_t *pos,
			 const char *line)
{
	char name[NVM_NAME_MAX + 1];
	const char *sp = strchr(line, ' ');
	unsigned long long n;

	if (sp == NULL || (size_t)(sp - line) > NVM_NAME_MAX ||
	    parse_u64(sp + 1, '\0', &n, NULL) < 0)
		return -EINVAL;
	memcpy(name, line, (size_t)(sp - line));
	name[sp - line] = '\0';
	if (!name_ok(name) || find(s, name) != NULL || n > len - *pos || len - *pos - n < 1 ||
	    p[*pos + n] != '\n')
		return -EINVAL;
	if (put(s, name, p + *pos, (size_t)n, false) < 0)
		return -EINVAL;
	*pos += (size_t)n + 1;
	return 0;
}

/* Sections from *pos up to an "end" line (with_end) or to len; into tmp. */
static int parse_body(struct section *tmp, const char *p, size_t len, size_t *pos, bool with_end)
{
	char line[NVM_NAME_MAX + 32];
	int rc = 0;

	while (rc == 0 && (with_end || *pos < len)) {
		rc = header_line(p, len, pos, line, sizeof(line));
		if (rc == 0 && with_end && strcmp(line, "end") == 0)
			break;
		if (rc == 0)
			rc = parse_section(tmp, p, len, pos, line);
	}
	return rc;
}

/* Version 2 ends with "sha256 <hex of everything before>\n". */
static int check_sum(const char *p, size_t len, char *err, size_t errlen)
{
	char sum[SUM_HEX + 1];

	if (len < SUM_LINE || memcmp(p + len - SUM_LINE, SUM_TAG, sizeof(SUM_TAG) - 1) != 0 ||
	    p[len - 1] != '\n') {
		snprintf(err, errlen, "no checksum line at the end (truncated?)");
		return -EINVAL;
	}
	if (sum_hex(p, len - SUM_LINE, sum) < 0 ||
	    memcmp(sum, p + len - SUM_LINE + sizeof(SUM_TAG) - 1, SUM_HEX) != 0) {
		snprintf(err, errlen, "checksum mismatch: the file is damaged");
		return -EINVAL;
	}
	return 0;
}

int nvm_parse(struct nvm *n, const void *data, size_t len, char *err, size_t errlen)
{
	struct section tmp[NVM_SECTIONS_MAX] = { 0 };
	struct nvm hdr = { 0 };
	const char *p = data;
	char line[NVM_NAME_MAX + 32];
	size_t pos = 0;
	int rc = -EINVAL;

	if (header_line(p, len, &pos, line, sizeof(line)) < 0) {
		snprintf(err, errlen, "not a ukms-sim NVM file (no header)");
		goto out;
	}
	rc = parse_version(&hdr, line, err, errlen);
	if (rc == 0 && hdr.version > 1) {
		rc = check_sum(p, len, err, errlen);
		len -= rc == 0 ? SUM_LINE : 0;
	}
	if (rc == 0 && parse_body(tmp, p, len, &pos, true) < 0) {
		snprintf(err, errlen, "corrupt section at byte %zu", pos);
		rc = -EINVAL;
	}
	if (rc == 0 && pos != len) {
		snprintf(err, errlen, "trailing data after the end marker");
		rc = -EINVAL;
	}
	if (rc == 0) {
		sections_finish(n->s, NVM_SECTIONS_MAX);
		memcpy(n->s, tmp, sizeof(tmp));
		memset(tmp, 0, sizeof(tmp));
		n->version = hdr.version;
		n->gen = hdr.gen;
	}
out:
	sections_finish(tmp, NVM_SECTIONS_MAX);
	return rc;
}

/* ---- journal ---- */

static int record_check(const char *head, size_t head_len, char *out)
{
	char sum[SUM_HEX + 1];
	int rc = sum_hex(head, head_len, sum);

	memcpy(out, sum, HSUM_HEX);
	out[HSUM_HEX] = '\0';
	return rc;
}

/* "rec <len> <sha256 of payload> <check of the line so far>\n" + payload. */
static int format_record(const struct nvm *n, struct buf *out)
{
	char sum[SUM_HEX + 1], check[HSUM_HEX + 1];
	struct buf payload;
	size_t head;
	int rc;

	buf_init_secret(&payload, JOURNAL_RD);
	rc = format_sections(n->s, true, &payload);
	if (rc == 0)
		rc = sum_hex(payload.data, payload.len, sum);
	head = out->len;
	if (rc == 0)
		rc = buf_appendf(out, "rec %zu %s", payload.len, sum);
	if (rc == 0)
		rc = record_check((const char *)out->data + head, out->len - head, check);
	if (rc == 0)
		rc = buf_appendf(out, " %s\n", check);
	if (rc == 0)
		rc = buf_append(out, payload.data, payload.len);
	buf_finish(&payload);
	return rc;
}

/*
 * One record at *pos: 0 and *pos advanced (applied to n if apply), 1 for a torn tail (a write
 * that was cut short and never acknowledged), or -EINVAL for damage.
 */
static int replay_record(struct nvm *n, const char *p, size_t len, size_t *pos, bool apply)
{
	struct section tmp[NVM_SECTIONS_MAX] = { 0 };
	char line[REC_HDR], check[HSUM_HEX + 1], sum[SUM_HEX + 1];
	const char *nl = memchr(p + *pos, '\n', len - *pos), *q;
	size_t at = *pos, body;
	unsigned long long plen;
	int rc = -EINVAL;

	if (nl == NULL)
		return len - *pos < REC_HDR ? 1 : -EINVAL;
	if (header_line(p, len, &at, line, sizeof(line)) < 0 || strncmp(line, "rec ", 4) != 0 ||
	    parse_u64(line + 4, ' ', &plen, &q) < 0 || strlen(q) != 1 + SUM_HEX + 1 + HSUM_HEX ||
	    q[1 + SUM_HEX] != ' ' ||
	    record_check(line, (size_t)(q + 1 + SUM_HEX - line), check) < 0 ||
	    strcmp(check, q + 2 + SUM_HEX) != 0)
		return -EINVAL;
	if (plen > len - at)
		return 1;
	body = at;
	if (sum_hex(p + body, (size_t)plen, sum) < 0 || memcmp(sum, q + 1, SUM_HEX) != 0)
		return -EINVAL;
	if (parse_body(tmp, p, body + (size_t)plen, &at, false) < 0 || at != body + plen)
		goto out;
	rc = 0;
	for (size_t i = 0; apply && rc == 0 && i < NVM_SECTIONS_MAX; i++)
		if (tmp[i].used)
			rc = put(n->s, tmp[i].name, tmp[i].data.data, tmp[i].data.len, false);
	*pos = at;
out:
	sections_finish(tmp, NVM_SECTIONS_MAX);
	return rc;
}

/* Checks every record first, then applies them: a damaged journal changes nothing. */
static int replay(struct nvm *n, const char *p, size_t len, size_t start, size_t *valid, char *err,
		  size_t errlen)
{
	int rc = 0;

	for (int apply = 0; apply < 2 && rc >= 0; apply++) {
		size_t pos = start;

		rc = 0;
		while (rc == 0 && pos < len)
			rc = replay_record(n, p, len, &pos, apply == 1);
		if (rc < 0)
			snprintf(err, errlen, "damaged record at byte %zu", pos);
		*valid = pos;
	}
	return rc < 0 ? rc : 0;
}

/* "ukms-nvm-journal 2 <generation> <8 hex: check of the line so far>". */
static int format_jhead(uint64_t gen, char *out, size_t cap)
{
	char check[HSUM_HEX + 1];
	int n = snprintf(out, cap, "%s2 %llu", JMAGIC, (unsigned long long)gen);

	if (n < 0 || (size_t)n >= cap || record_check(out, (size_t)n, check) < 0)
		return -ENOSPC;
	n += snprintf(out + n, cap - (size_t)n, " %s\n", check);
	return (size_t)n >= cap ? -ENOSPC : n;
}

int nvm_journal_parse(struct nvm *n, const void *data, size_t len, size_t *valid, char *err,
		      size_t errlen)
{
	const char *p = data;
	char line[64], want[64];
	unsigned long long gen = 0;
	size_t pos = 0;

	*valid = 0;
	if (header_line(p, len, &pos, line, sizeof(line)) < 0 ||
	    strncmp(line, JMAGIC "2 ", sizeof(JMAGIC) + 1) != 0 ||
	    parse_u64(line + sizeof(JMAGIC) + 1, ' ', &gen, NULL) < 0 ||
	    format_jhead(gen, want, sizeof(want)) != (int)pos || memcmp(want, p, pos) != 0) {
		snprintf(err, errlen, "not a ukms-sim NVM journal (bad header)");
		return -EINVAL;
	}
	if (gen != n->gen)
		return -ESTALE;
	return replay(n, p, len, pos, valid, err, errlen);
}

/* ---- writing ---- */

static int journal_start(struct nvm *n)
{
	struct afile_opts opts = { .mode = 0600 };
	char head[64];
	int len = format_jhead(n->gen, head, sizeof(head));
	int rc = len < 0 ? len : afile_write(n->jpath, head, (size_t)len, &opts);

	n->journal_ok = rc == 0;
	n->jlen = rc == 0 ? (size_t)len : 0;
	return rc;
}

/*
 * Rewrites nvm.dat with every section under the next generation, then starts an empty journal
 * for it. A kill between the two leaves a journal of the old generation: it is ignored (its
 * records are in nvm.dat already).
 */
static int compact(struct nvm *n)
{
	struct afile_opts opts = { .mode = 0600 };
	struct buf img;
	int rc;

	buf_init_secret(&img, NVM_FILE_MAX);
	n->gen++;
	rc = nvm_format(n, &img);
	if (rc == 0)
		rc = afile_write(n->path, img.data, img.len, &opts);
	if (rc < 0) {
		n->gen--;
		goto out;
	}
	n->base_ok = true;
	n->version = NVM_VERSION;
	n->base_len = img.len;
	if (journal_start(n) < 0)
		log_warn("%s: cannot start a journal; the next write rewrites %s", n->jpath,
			 NVM_FILE);
out:
	buf_finish(&img);
	return rc;
}

/* The changed sections as one record at the end of the journal: one fdatasync. */
static int append(struct nvm *n)
{
	struct buf rec;
	int rc;

	buf_init_secret(&rec, JOURNAL_RD);
	rc = format_record(n, &rec);
	if (rc == 0)
		rc = afile_append(n->jpath, (off_t)n->jlen, rec.data, rec.len);
	if (rc == 0)
		n->jlen += rec.len;
	else
		n->journal_ok = false; /* not trusted any more: the next commit rewrites nvm.dat */
	buf_finish(&rec);
	return rc;
}

static bool must_compact(const struct nvm *n)
{
	size_t lim = n->base_len > JOURNAL_LO ? n->base_len : JOURNAL_LO;

	return !n->base_ok || n->version < NVM_VERSION || !n->journal_ok || n->jlen > lim;
}

int nvm_commit(struct nvm *n)
{
	int rc;

	if (n == NULL || !any_dirty(n))
		return 0;
	if (n->path == NULL) {
		settle(n);
		return 0;
	}
	rc = must_compact(n) ? compact(n) : append(n);
	if (rc < 0) {
		log_error("cannot write %s: %s; the change is undone", n->dir, strerror(-rc));
		nvm_discard(n);
		return rc;
	}
	settle(n);
	return 0;
}

int nvm_store(struct nvm *n, const char *name, const void *data, size_t len)
{
	int rc = nvm_set(n, name, data, len);

	if (rc < 0) {
		nvm_discard(n);
		return rc;
	}
	return nvm_commit(n);
}

/* ---- opening ---- */

static int load_journal(struct nvm *n, char *err, size_t errlen)
{
	char why[160] = "";
	size_t valid = 0;
	struct buf b;
	int rc;

	buf_init_secret(&b, JOURNAL_RD);
	rc = afile_read(n->jpath, &b);
	if (rc == -ENOENT) {
		rc = 0;
		goto out;
	}
	if (rc < 0) {
		snprintf(err, errlen, "%s: %s", n->jpath, strerror(-rc));
		goto out;
	}
	rc = n->base_ok ? nvm_journal_parse(n, b.data, b.len, &valid, why, sizeof(why)) : -ESTALE;
	if (rc == -ESTALE) {
		log_info("%s: left by an interrupted rewrite of %s; ignored", n->jpath, NVM_FILE);
		rc = 0;
	} else if (rc < 0) {
		snprintf(err, errlen, "%s: %s; refusing to start (the files are left as they are)",
			 n->jpath, why);
	} else {
		if (valid < b.len)
			log_warn("%s: %zu bytes of a write cut short at the end ignored (it was "
				 "never acknowledged)",
				 n->jpath, b.len - valid);
		n->journal_ok = true;
		n->jlen = valid;
	}
out:
	buf_finish(&b);
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
		n->base_ok = rc == 0 && n->version == NVM_VERSION;
		n->base_len = b.len;
	}
	buf_finish(&b);
	return rc < 0 ? rc : load_journal(n, err, errlen);
}

static char *join(const char *dir, const char *file)
{
	size_t len = strlen(dir) + 1 + strlen(file) + 1;
	char *p = malloc(len);

	if (p != NULL)
		snprintf(p, len, "%s/%s", dir, file);
	return p;
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
	n->path = join(dir, NVM_FILE);
	n->jpath = join(dir, NVM_JOURNAL);
	if (n->dir == NULL || n->path == NULL || n->jpath == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	rc = afile_private_dir(dir, err, errlen);
	if (rc < 0)
		goto fail;
	afile_remove_stale(n->path);
	afile_remove_stale(n->jpath);
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
