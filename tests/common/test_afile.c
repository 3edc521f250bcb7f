/* SPDX-License-Identifier: Apache-2.0 */
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

struct fixture {
	char dir[64];
	char path[128];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	snprintf(f->dir, sizeof(f->dir), "/tmp/ukms-afile-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/state", f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	DIR *d = opendir(f->dir);
	struct dirent *e;
	char p[512];

	while (d != NULL && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", f->dir, e->d_name);
		unlink(p);
	}
	if (d != NULL)
		closedir(d);
	rmdir(f->dir);
	free(f);
	return 0;
}

static void read_expect(const char *path, const char *want)
{
	struct buf b;

	buf_init(&b, 1024);
	assert_int_equal(afile_read(path, &b), 0);
	assert_string_equal(buf_cstr(&b), want);
	buf_finish(&b);
}

static void test_write_read_mode(void **state)
{
	struct fixture *f = *state;
	struct afile_opts o = { .mode = 0600 };
	struct stat st;

	assert_int_equal(afile_write(f->path, "one", 3, &o), 0);
	read_expect(f->path, "one");
	assert_int_equal(stat(f->path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(afile_write(f->path, "two!", 4, &o), 0);
	read_expect(f->path, "two!");
}

static int crash(const char *tmp, void *data)
{
	(void)data;
	return access(tmp, F_OK) == 0 ? 1 : 1; /* the temp file exists; "die" before rename */
}

static void test_crash_before_rename_keeps_old(void **state)
{
	struct fixture *f = *state;
	struct afile_opts ok = { .mode = 0600 };
	struct afile_opts die = { .mode = 0600, .before_rename = crash };

	assert_int_equal(afile_write(f->path, "old", 3, &ok), 0);
	assert_int_equal(afile_write(f->path, "new", 3, &die), -EINTR);
	read_expect(f->path, "old"); /* never a mix, never the new one */
	assert_int_equal(afile_write(f->path, "new", 3, &ok), 0); /* a stale temp does not block */
	read_expect(f->path, "new");
}

static void test_read_errors(void **state)
{
	struct fixture *f = *state;
	struct afile_opts o = { .mode = 0600 };
	struct buf b;

	buf_init(&b, 4);
	assert_int_equal(afile_read("/nonexistent/ukms", &b), -ENOENT);
	assert_int_equal(afile_read(f->dir, &b), -EINVAL); /* a directory */
	assert_int_equal(afile_write(f->path, "12345", 5, &o), 0);
	assert_int_equal(afile_read(f->path, &b), -EFBIG); /* over the cap */
	buf_finish(&b);
}

static void test_mkdirs(void **state)
{
	struct fixture *f = *state;
	char p[256];
	struct stat st;

	snprintf(p, sizeof(p), "%s/a", f->dir);
	assert_int_equal(afile_mkdirs(p, 0700), 0);
	assert_int_equal(afile_mkdirs(p, 0700), 0); /* exists: fine */
	assert_int_equal(stat(p, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	rmdir(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_write_read_mode, setup, teardown),
		cmocka_unit_test_setup_teardown(test_crash_before_rename_keeps_old, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_read_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mkdirs, setup, teardown),
	};
	return cmocka_run_group_tests_name("afile", tests, NULL, NULL);
}
