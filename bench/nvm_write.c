/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Cost of one profile write with a full credential store in the NVM (issue 13 item 3).
 *
 *   nvm_write [DIR [WRITES]]      DIR: where the state goes (default: a temp dir in ".")
 *
 * In the same run, on the same file system, alternating in blocks of 10:
 *   before  the old design: every section formatted into one version-1 image and nvm.dat
 *           rewritten whole with afile_write (temp file, fsync, rename, fsync of the dir).
 *   now     nvm_set of the profiles section + nvm_commit: one journal record, one fdatasync.
 *   floor   the same number of bytes appended with afile_append: what the disk's flush costs.
 * The credential section is 526 KB (the full store the issue measured), the profiles section
 * ~1 KB, settings 22 bytes. Prints the median and p90 of each in ms.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "afile.h"
#include "buf.h"
#include "log.h"
#include "nvm.h"

#define CRED_LEN  (526u * 1024)
#define PROF_LEN  1024u
#define BLOCK     10
#define MAX_WRITE 2000

struct bench {
	struct nvm *n;
	char dir[4096];
	char old_path[4200];
	char floor_path[4200];
	uint8_t *cred;
	uint8_t prof[PROF_LEN];
	unsigned seq;
};

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void next_profile(struct bench *b)
{
	b->seq++;
	snprintf((char *)b->prof, sizeof(b->prof), "profile image %u", b->seq);
}

/* The version-1 image the old nvm_commit built: every section, every time. */
static int old_image(const struct bench *b, struct buf *out)
{
	int rc = buf_appendf(out, "ukms-nvm 1\ncredentials %u\n", CRED_LEN);

	if (rc == 0)
		rc = buf_append(out, b->cred, CRED_LEN);
	if (rc == 0)
		rc = buf_appendf(out, "\nprofiles %u\n", PROF_LEN);
	if (rc == 0)
		rc = buf_append(out, b->prof, PROF_LEN);
	return rc == 0 ? buf_appendf(out, "\nsettings 22\nhex_mode 0\nmnoprof 90\n\nend\n") : rc;
}

static int write_before(struct bench *b)
{
	struct afile_opts opts = { .mode = 0600 };
	struct buf img;
	int rc;

	next_profile(b);
	buf_init_secret(&img, 0);
	rc = old_image(b, &img);
	if (rc == 0)
		rc = afile_write(b->old_path, img.data, img.len, &opts);
	buf_finish(&img);
	return rc;
}

static int write_now(struct bench *b)
{
	int rc;

	next_profile(b);
	rc = nvm_set(b->n, "profiles", b->prof, PROF_LEN);
	return rc == 0 ? nvm_commit(b->n) : rc;
}

static int write_floor(struct bench *b)
{
	static off_t at;
	uint8_t rec[PROF_LEN + 128];

	memset(rec, 'f', sizeof(rec));
	at += (off_t)sizeof(rec);
	return afile_append(b->floor_path, at - (off_t)sizeof(rec), rec, sizeof(rec));
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void report(const char *name, double *t, int n)
{
	qsort(t, (size_t)n, sizeof(*t), cmp);
	printf("  %-50s %8.3f %8.3f\n", name, t[n / 2], t[n * 9 / 10]);
}

static int setup(struct bench *b)
{
	char err[512] = "";
	int fd;

	b->cred = malloc(CRED_LEN);
	if (b->cred == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < CRED_LEN; i++)
		b->cred[i] = (uint8_t) "0123456789ABCDEF"[i % 16];
	snprintf(b->old_path, sizeof(b->old_path), "%s/old-nvm.dat", b->dir);
	snprintf(b->floor_path, sizeof(b->floor_path), "%s/floor.log", b->dir);
	fd = open(b->floor_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	close(fd);
	b->n = nvm_open(b->dir, err, sizeof(err));
	if (b->n == NULL) {
		fprintf(stderr, "nvm_write: %s\n", err);
		return -EIO;
	}
	next_profile(b);
	if (nvm_set(b->n, "credentials", b->cred, CRED_LEN) < 0 ||
	    nvm_set(b->n, "profiles", b->prof, PROF_LEN) < 0 ||
	    nvm_set(b->n, "settings", "hex_mode 0\nmnoprof 90\n", 22) < 0)
		return -ENOMEM;
	return nvm_commit(b->n);
}

static void cleanup(struct bench *b, bool made_dir)
{
	char path[4200];

	nvm_close(b->n);
	free(b->cred);
	unlink(b->old_path);
	unlink(b->floor_path);
	snprintf(path, sizeof(path), "%s/%s", b->dir, NVM_FILE);
	unlink(path);
	snprintf(path, sizeof(path), "%s/%s", b->dir, NVM_JOURNAL);
	unlink(path);
	if (made_dir)
		rmdir(b->dir);
}

int main(int argc, char **argv)
{
	static double t[3][MAX_WRITE];
	static int (*const fn[3])(struct bench *) = { write_before, write_now, write_floor };
	struct bench b = { 0 };
	int writes = argc > 2 ? atoi(argv[2]) : 200, rc = 0;
	bool made_dir = argc < 2;

	log_set_level(LOG_LEVEL_ERROR);
	if (writes < BLOCK || writes > MAX_WRITE)
		writes = 200;
	writes -= writes % BLOCK;
	snprintf(b.dir, sizeof(b.dir), "%s", made_dir ? "./nvm-bench-XXXXXX" : argv[1]);
	if (made_dir && mkdtemp(b.dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	rc = setup(&b);
	for (int i = 0; rc == 0 && i < writes; i += BLOCK)
		for (int k = 0; rc == 0 && k < 3; k++)
			for (int j = i; rc == 0 && j < i + BLOCK; j++) {
				double t0 = now_ms();

				rc = fn[k](&b);
				t[k][j] = now_ms() - t0;
			}
	if (rc == 0) {
		printf("nvm_write: %d profile writes each, credential section %u KB, in %s\n",
		       writes, CRED_LEN / 1024, b.dir);
		printf("  %-50s %8s %8s\n", "", "median", "p90 ms");
		report("before: whole nvm.dat rewritten (afile_write)", t[0], writes);
		report("now: changed section appended (nvm_commit)", t[1], writes);
		report("floor: same bytes appended + fdatasync", t[2], writes);
	} else {
		fprintf(stderr, "nvm_write: %s\n", strerror(-rc));
	}
	cleanup(&b, made_dir);
	return rc == 0 ? 0 : 1;
}
