/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The modem NVM on disk (sim/nvm.c, issue 13 item 3): a checksum refuses one flipped byte, the
 * legacy version-1 nvm.dat still loads and is migrated by the first write, a commit appends
 * only what changed, the sections of one commit survive a cut anywhere in their record
 * together or not at all, and a write the file system refuses (RLIMIT_FSIZE: EFBIG, with short
 * writes, the way a full disk behaves) answers an error and leaves memory and disk as before.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "afile.h"
#include "buf.h"
#include "log.h"
#include "nvm.h"

struct fx {
	char dir[64];
	char dat[96];
	char jnl[96];
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/ukms-nvm-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->dat, sizeof(f->dat), "%s/%s", f->dir, NVM_FILE);
	snprintf(f->jnl, sizeof(f->jnl), "%s/%s", f->dir, NVM_JOURNAL);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	unlink(f->dat);
	unlink(f->jnl);
	rmdir(f->dir);
	free(f);
	return 0;
}

static struct nvm *open_ok(const struct fx *f)
{
	char err[512] = "";
	struct nvm *n = nvm_open(f->dir, err, sizeof(err));

	if (n == NULL)
		fail_msg("nvm_open: %s", err);
	return n;
}

static void read_file(const char *path, struct buf *out)
{
	buf_init(out, 0);
	assert_int_equal(afile_read(path, out), 0);
}

static void write_file(const char *path, const void *data, size_t len)
{
	struct afile_opts opts = { .mode = 0600 };

	assert_int_equal(afile_write(path, data, len, &opts), 0);
}

static void set_str(struct nvm *n, const char *name, const char *val)
{
	assert_int_equal(nvm_set(n, name, val, strlen(val)), 0);
}

static void assert_section(const struct nvm *n, const char *name, const char *want)
{
	const uint8_t *d = NULL;
	size_t len = 0;

	if (want == NULL) {
		assert_int_equal(nvm_get(n, name, &d, &len), -ENOENT);
		return;
	}
	assert_int_equal(nvm_get(n, name, &d, &len), 0);
	assert_int_equal(len, strlen(want));
	assert_memory_equal(d, want, len);
}

/* Every single flipped bit of a file is refused with a message naming it; the file is kept. */
static void assert_every_flip_refused(const struct fx *f, const char *path)
{
	struct buf img, after;

	read_file(path, &img);
	for (size_t i = 0; i < img.len; i++) {
		char err[512] = "";
		struct nvm *n;

		img.data[i] ^= 0x04;
		write_file(path, img.data, img.len);
		n = nvm_open(f->dir, err, sizeof(err));
		if (n != NULL)
			fail_msg("%s: byte %zu flipped was accepted", path, i);
		assert_non_null(strstr(err, strrchr(path, '/') + 1));
		read_file(path, &after);
		assert_true(after.len == img.len && memcmp(after.data, img.data, img.len) == 0);
		buf_finish(&after);
		img.data[i] ^= 0x04;
	}
	write_file(path, img.data, img.len);
	buf_finish(&img);
}

static void test_checksum(void **state)
{
	struct fx *f = *state;
	struct nvm *n = open_ok(f);
	struct buf img;

	set_str(n, "settings", "hex_mode 1\nmnoprof 90\n");
	assert_int_equal(nvm_commit(n), 0); /* first write: a whole nvm.dat */
	nvm_close(n);
	read_file(f->dat, &img);
	assert_memory_equal(img.data, "ukms-nvm 2 1\n", 13);
	buf_finish(&img);
	assert_every_flip_refused(f, f->dat);

	n = open_ok(f); /* and a record in the journal is protected the same way */
	set_str(n, "profiles", "p1");
	assert_int_equal(nvm_commit(n), 0);
	nvm_close(n);
	assert_every_flip_refused(f, f->jnl);
	n = open_ok(f);
	assert_section(n, "profiles", "p1");
	assert_section(n, "settings", "hex_mode 1\nmnoprof 90\n");
	nvm_close(n);
}

static void test_legacy_migrates(void **state)
{
	static const char v1[] = "ukms-nvm 1\nsettings 22\nhex_mode 1\nmnoprof 90\n\nend\n";
	struct fx *f = *state;
	struct nvm *n;
	struct buf img;

	write_file(f->dat, v1, sizeof(v1) - 1);
	n = open_ok(f);
	assert_section(n, "settings", "hex_mode 1\nmnoprof 90\n");
	set_str(n, "profiles", "p1");
	assert_int_equal(nvm_commit(n), 0);
	nvm_close(n);
	read_file(f->dat, &img);
	assert_memory_equal(img.data, "ukms-nvm 2 ", 11); /* rewritten in the new format */
	buf_finish(&img);
	n = open_ok(f);
	assert_section(n, "settings", "hex_mode 1\nmnoprof 90\n");
	assert_section(n, "profiles", "p1");
	nvm_close(n);
}

/* A small change with a 526 KB section present leaves nvm.dat alone and appends < 1 KB. */
static void test_write_costs_what_changes(void **state)
{
	struct fx *f = *state;
	size_t big_len = 526 * 1024;
	char *big = malloc(big_len);
	struct stat before, after, jb, ja;
	struct nvm *n = open_ok(f);

	assert_non_null(big);
	memset(big, 'c', big_len);
	assert_int_equal(nvm_set(n, "credentials", big, big_len), 0);
	set_str(n, "profiles", "p0");
	assert_int_equal(nvm_commit(n), 0);
	assert_int_equal(stat(f->dat, &before), 0);
	assert_int_equal(stat(f->jnl, &jb), 0);
	for (int i = 1; i <= 20; i++) {
		char v[16];

		snprintf(v, sizeof(v), "p%d", i);
		assert_int_equal(nvm_set(n, "credentials", big, big_len), 0); /* unchanged */
		set_str(n, "profiles", v);
		assert_int_equal(nvm_commit(n), 0);
	}
	assert_int_equal(stat(f->dat, &after), 0);
	assert_int_equal(stat(f->jnl, &ja), 0);
	assert_true(before.st_ino == after.st_ino && before.st_size == after.st_size);
	assert_true(ja.st_size - jb.st_size < 20 * 1024 / 8); /* < 128 bytes a commit */
	nvm_close(n);
	n = open_ok(f);
	assert_section(n, "profiles", "p20");
	nvm_close(n);
	free(big);
}

/* Two sections changed by one commit: a cut anywhere in its record keeps both old or both new. */
static void test_commit_is_atomic(void **state)
{
	struct fx *f = *state;
	struct nvm *n = open_ok(f);
	struct buf j;
	struct stat st;
	size_t old_len;

	set_str(n, "credentials", "cred-old");
	set_str(n, "index", "index-old");
	assert_int_equal(nvm_commit(n), 0);
	assert_int_equal(stat(f->jnl, &st), 0);
	old_len = (size_t)st.st_size;
	set_str(n, "credentials", "cred-new");
	set_str(n, "index", "index-new");
	assert_int_equal(nvm_commit(n), 0);
	nvm_close(n);
	read_file(f->jnl, &j);
	assert_true(j.len > old_len);
	for (size_t cut = old_len; cut <= j.len; cut++) {
		bool whole = cut == j.len;

		write_file(f->jnl, j.data, cut);
		n = open_ok(f);
		assert_section(n, "credentials", whole ? "cred-new" : "cred-old");
		assert_section(n, "index", whole ? "index-new" : "index-old");
		nvm_close(n);
	}
	/* after a cut, the next write goes after the last whole record and is read back */
	write_file(f->jnl, j.data, old_len + 7);
	n = open_ok(f);
	set_str(n, "index", "index-3");
	assert_int_equal(nvm_commit(n), 0);
	nvm_close(n);
	n = open_ok(f);
	assert_section(n, "credentials", "cred-old");
	assert_section(n, "index", "index-3");
	nvm_close(n);
	buf_finish(&j);
}

static void limit_fsize(rlim_t cur)
{
	struct rlimit rl;

	assert_int_equal(getrlimit(RLIMIT_FSIZE, &rl), 0);
	rl.rlim_cur = cur;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &rl), 0);
}

/* The file system refuses the write (short write, then EFBIG): error, memory and disk kept. */
static void test_write_failure_undone(void **state)
{
	struct fx *f = *state;
	struct nvm *n = open_ok(f), *again;
	struct stat st, st2;

	set_str(n, "profiles", "p1");
	assert_int_equal(nvm_commit(n), 0);
	set_str(n, "profiles", "p2"); /* a journal record now */
	assert_int_equal(nvm_commit(n), 0);
	assert_int_equal(stat(f->jnl, &st), 0);

	limit_fsize((rlim_t)st.st_size + 10); /* room for 10 bytes of the next record */
	set_str(n, "profiles", "p3");
	set_str(n, "newsection", "x");
	assert_int_equal(nvm_commit(n), -EFBIG);
	limit_fsize(RLIM_INFINITY);
	assert_section(n, "profiles", "p2"); /* memory as before */
	assert_section(n, "newsection", NULL);
	assert_int_equal(stat(f->jnl, &st2), 0);
	assert_int_equal(st2.st_size, st.st_size); /* the short write was cut back */
	again = open_ok(f);
	assert_section(again, "profiles", "p2");
	nvm_close(again);

	limit_fsize(1); /* nothing fits: the rewrite of nvm.dat fails as well */
	set_str(n, "profiles", "p4");
	assert_int_equal(nvm_commit(n), -EFBIG);
	limit_fsize(RLIM_INFINITY);
	assert_section(n, "profiles", "p2");

	set_str(n, "profiles", "p5"); /* and once there is room again, writes work */
	assert_int_equal(nvm_commit(n), 0);
	nvm_close(n);
	n = open_ok(f);
	assert_section(n, "profiles", "p5");
	nvm_close(n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_checksum, setup, teardown),
		cmocka_unit_test_setup_teardown(test_legacy_migrates, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_costs_what_changes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_commit_is_atomic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_failure_undone, setup, teardown),
	};

	signal(SIGXFSZ, SIG_IGN); /* over RLIMIT_FSIZE: EFBIG instead of a kill */
	log_set_level(LOG_LEVEL_ERROR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
