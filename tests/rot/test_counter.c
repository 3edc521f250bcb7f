/* SPDX-License-Identifier: Apache-2.0 */
/* Counter store: monotonic across reopen, blocks, crash before rename, refusals, mode. */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "afile.h"
#include "buf.h"
#include "rot/counter.h"
#include "rot_priv.h"

static const uint8_t uid[ROT_UID_LEN] = { 0x0A, 0x04, 0xF0, 0x08, 0x00, 0x3C, 0x96, 0x23 };

struct fixture {
	char dir[64];
	char path[128];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/ukms-test-counter-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/rot-0A04F008003C9623.counter", f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

static struct rot_counter *open_ok(const struct fixture *f, uint32_t block)
{
	char err[512] = "";
	struct rot_counter *c = rot_counter_open(f->dir, uid, block, err, sizeof(err));

	if (c == NULL)
		fail_msg("open: %s", err);
	return c;
}

static uint32_t next_ok(struct rot_counter *c)
{
	uint32_t v = 0;

	assert_int_equal(rot_counter_next(c, &v), 0);
	return v;
}

static void read_file(const char *path, char *out, size_t cap)
{
	struct buf b;

	buf_init(&b, 4096);
	assert_int_equal(afile_read(path, &b), 0);
	snprintf(out, cap, "%s", buf_cstr(&b));
	buf_finish(&b);
}

static void write_file(const char *path, const char *text)
{
	struct afile_opts o = { .mode = 0600 };

	assert_int_equal(afile_write(path, text, strlen(text), &o), 0);
}

static void test_monotonic_across_reopen(void **state)
{
	struct fixture *f = *state;
	struct rot_counter *c = open_ok(f, 1);
	uint32_t last = 0;
	char text[64];

	assert_int_equal(rot_counter_peek(c), 1);
	for (int i = 0; i < 3; i++) {
		uint32_t v = next_ok(c);

		assert_true(v > last);
		last = v;
	}
	assert_int_equal(last, 3);
	rot_counter_close(c);
	read_file(f->path, text, sizeof(text));
	assert_string_equal(text, "ukms-rot-counter 1\n4\n");
	c = open_ok(f, 1);
	assert_int_equal(rot_counter_peek(c), 4);
	assert_int_equal(next_ok(c), 4);
	rot_counter_close(c);
}

static void test_block_reservation(void **state)
{
	struct fixture *f = *state;
	struct rot_counter *c = open_ok(f, 10);
	char text[64];

	assert_int_equal(next_ok(c), 1);
	read_file(f->path, text, sizeof(text));
	assert_string_equal(text, "ukms-rot-counter 1\n11\n"); /* 1..10 reserved in one write */
	for (uint32_t i = 2; i <= 10; i++)
		assert_int_equal(next_ok(c), i);
	read_file(f->path, text, sizeof(text));
	assert_string_equal(text, "ukms-rot-counter 1\n11\n");
	assert_int_equal(next_ok(c), 11);
	read_file(f->path, text, sizeof(text));
	assert_string_equal(text, "ukms-rot-counter 1\n21\n");
	rot_counter_close(c); /* "crash" with 12..20 reserved but unused: they are skipped */
	c = open_ok(f, 10);
	assert_int_equal(next_ok(c), 21);
	rot_counter_close(c);
}

static int crash_hook(const char *tmp, void *data)
{
	struct stat st;

	*(int *)data += 1;
	assert_int_equal(stat(tmp, &st), 0); /* the temp file was written and fsynced */
	return 1;
}

static size_t count_temp_files(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		n += strstr(e->d_name, ".tmp.") != NULL;
	closedir(d);
	return n;
}

/* Crash between the temp-file write and the rename: nothing handed out is ever reused. */
static void test_crash_before_rename(void **state)
{
	struct fixture *f = *state;
	struct rot_counter *c = open_ok(f, 5);
	uint32_t v = 0, seen_max;
	int calls = 0;
	char text[64];

	for (uint32_t i = 1; i <= 5; i++)
		assert_int_equal(next_ok(c), i);
	seen_max = 5;
	rot_counter_set_hook(c, crash_hook, &calls);
	assert_int_equal(rot_counter_next(c, &v), -EINTR); /* needs a new block: "crashes" */
	assert_int_equal(calls, 1);
	assert_int_equal(rot_counter_peek(c), 6); /* nothing was handed out */
	rot_counter_close(c);
	read_file(f->path, text, sizeof(text));
	assert_string_equal(text, "ukms-rot-counter 1\n6\n"); /* old contents intact */
	assert_int_equal(count_temp_files(f->dir), 1);        /* stale temp file left */
	c = open_ok(f, 5);
	v = next_ok(c);
	assert_true(v > seen_max);
	assert_int_equal(v, 6);
	rot_counter_close(c);
	read_file(f->path, text, sizeof(text));
	assert_string_equal(text, "ukms-rot-counter 1\n11\n");
}

static void expect_refused(struct fixture *f, const char *contents, const char *msg)
{
	char err[512] = "", after[256];
	struct rot_counter *c;

	write_file(f->path, contents);
	c = rot_counter_open(f->dir, uid, 1, err, sizeof(err));
	assert_null(c);
	if (strstr(err, msg) == NULL)
		fail_msg("contents '%s': expected '%s' in '%s'", contents, msg, err);
	assert_non_null(strstr(err, "not modified"));
	read_file(f->path, after, sizeof(after));
	assert_string_equal(after, contents); /* left untouched */
}

static void test_corrupt_refused(void **state)
{
	static const char *const bad[] = {
		"",
		"ukms-rot-counter 1\n",
		"ukms-rot-counter 1\n12x\n",
		"ukms-rot-counter 1\n12",
		"ukms-rot-counter 1\n0\n",
		"ukms-rot-counter 1\n4294967297\n",
		"ukms-rot-counter 1\n99999999999999999999\n",
		"ukms-rot-counter 1\n12\n13\n",
		"ukms-rot-counter 0\n12\n",
		"ukms-rot-counter\n12\n",
		"garbage",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_refused(*state, bad[i], "corrupt");
}

static void test_newer_version_refused(void **state)
{
	expect_refused(*state, "ukms-rot-counter 2\n12\n", "newer");
}

static void test_exhaustion(void **state)
{
	struct fixture *f = *state;
	struct rot_counter *c;
	uint32_t v = 0;

	write_file(f->path, "ukms-rot-counter 1\n4294967294\n");
	c = open_ok(f, 100);
	assert_int_equal(next_ok(c), 4294967294u);
	assert_int_equal(next_ok(c), 4294967295u);
	assert_int_equal(rot_counter_next(c, &v), -ENOSPC);
	rot_counter_close(c);
	c = open_ok(f, 1);
	assert_int_equal(rot_counter_next(c, &v), -ENOSPC);
	rot_counter_close(c);
}

static void test_ephemeral(void **state)
{
	struct rot_counter *c = rot_counter_open(NULL, uid, 1, NULL, 0);

	assert_non_null(c);
	assert_int_equal(next_ok(c), 1);
	assert_int_equal(next_ok(c), 2);
	rot_counter_close(c);
	c = rot_counter_open(NULL, uid, 1, NULL, 0);
	assert_int_equal(next_ok(c), 1); /* nothing persisted */
	rot_counter_close(c);
	rot_counter_close(NULL);
	assert_null(rot_counter_open(NULL, uid, 0, NULL, 0)); /* block 0 is invalid */
}

static void test_file_modes(void **state)
{
	struct fixture *f = *state;
	char sub[128];
	struct rot_counter *c;
	struct stat st;
	char err[512];

	snprintf(sub, sizeof(sub), "%s/a/b", f->dir);
	c = rot_counter_open(sub, uid, 1, err, sizeof(err));
	assert_non_null(c);
	next_ok(c);
	rot_counter_close(c);
	assert_int_equal(stat(sub, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	snprintf(sub, sizeof(sub), "%s/a/b/rot-0A04F008003C9623.counter", f->dir);
	assert_int_equal(stat(sub, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
}

struct reserve_log {
	uint64_t last;
	int calls;
	int fail;
};

static int on_reserve(void *data, uint64_t limit)
{
	struct reserve_log *r = data;

	r->calls++;
	if (r->fail > 0) {
		r->fail--;
		return -1;
	}
	r->last = limit;
	return 0;
}

/* The reserve callback sees every reservation before use; a failing one hands nothing out. */
static void test_reserve_callback(void **state)
{
	struct fixture *f = *state;
	struct reserve_log r = { 0, 0, 1 };
	struct rot_counter *c = open_ok(f, 4);
	uint32_t v = 0;

	rot_counter_on_reserve(c, on_reserve, &r);
	assert_int_equal(rot_counter_next(c, &v), -EIO);
	assert_int_equal(rot_counter_peek(c), 1); /* nothing handed out */
	assert_int_equal(next_ok(c), 1);          /* reserved again, recorded this time */
	assert_int_equal(r.calls, 2);
	assert_int_equal(r.last, 5);
	for (uint32_t i = 2; i <= 4; i++)
		assert_int_equal(next_ok(c), i);
	assert_int_equal(r.calls, 2);
	assert_int_equal(next_ok(c), 5);
	assert_int_equal(r.last, 9);
	rot_counter_close(c);
}

/* A file behind the caller's record (deleted, rolled back): resumed above it, never back. */
static void test_skip_to_and_read(void **state)
{
	struct fixture *f = *state;
	struct rot_counter *c;
	uint64_t next = 0;
	char err[512] = "", text[64];

	assert_int_equal(rot_counter_read(f->dir, uid, &next, err, sizeof(err)), -ENOENT);
	c = open_ok(f, 1);
	rot_counter_skip_to(c, 100);
	rot_counter_skip_to(c, 50); /* never back */
	assert_int_equal(rot_counter_peek(c), 100);
	assert_int_equal(next_ok(c), 100);
	rot_counter_close(c);
	read_file(f->path, text, sizeof(text));
	assert_string_equal(text, "ukms-rot-counter 1\n101\n");
	assert_int_equal(rot_counter_read(f->dir, uid, &next, err, sizeof(err)), 0);
	assert_int_equal(next, 101);
	write_file(f->path, "garbage");
	assert_int_equal(rot_counter_read(f->dir, uid, &next, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "corrupt"));
}

static void test_default_dir(void **state)
{
	char out[256];

	(void)state;
	setenv("XDG_STATE_HOME", "/x/state", 1);
	assert_int_equal(rot_counter_default_dir(out, sizeof(out)), 0);
	assert_string_equal(out, "/x/state/ukms");
	setenv("XDG_STATE_HOME", "relative", 1); /* ignored, as the XDG spec says */
	setenv("HOME", "/home/u", 1);
	assert_int_equal(rot_counter_default_dir(out, sizeof(out)), 0);
	assert_string_equal(out, "/home/u/.local/state/ukms");
	unsetenv("XDG_STATE_HOME");
	unsetenv("HOME");
	assert_int_equal(rot_counter_default_dir(out, sizeof(out)), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_monotonic_across_reopen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_block_reservation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_crash_before_rename, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_newer_version_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exhaustion, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ephemeral, setup, teardown),
		cmocka_unit_test_setup_teardown(test_file_modes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reserve_callback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_skip_to_and_read, setup, teardown),
		cmocka_unit_test(test_default_dir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
