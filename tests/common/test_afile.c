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
#include <sys/wait.h>
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

static void touch(const struct fixture *f, const char *name)
{
	char p[512];
	FILE *fp;

	snprintf(p, sizeof(p), "%s/%s", f->dir, name);
	fp = fopen(p, "w");
	assert_non_null(fp);
	fputs("secret", fp);
	fclose(fp);
}

static bool exists_in(const struct fixture *f, const char *name)
{
	char p[512];

	snprintf(p, sizeof(p), "%s/%s", f->dir, name);
	return access(p, F_OK) == 0;
}

static size_t count_prefix(const struct fixture *f, const char *prefix)
{
	DIR *d = opendir(f->dir);
	struct dirent *e;
	size_t n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		n += strncmp(e->d_name, prefix, strlen(prefix)) == 0;
	closedir(d);
	return n;
}

/* A writer killed between its temp write and the rename: its temp file goes at the next start. */
static void test_remove_stale(void **state)
{
	struct fixture *f = *state;
	struct afile_opts die = { .mode = 0600, .before_rename = crash };
	char mine[64];
	int status = 0;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0)
		_exit(afile_write(f->path, "secret", 6, &die) == -EINTR ? 0 : 1);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(status, 0);
	assert_int_equal(count_prefix(f, "state.tmp."), 1); /* the dead child's, with its pid */
	touch(f, "state.tmp.Ab3dE9");                       /* an older build's: no pid */
	snprintf(mine, sizeof(mine), "state.tmp.%ld.q1w2e3", (long)getpid());
	touch(f, mine);                 /* a live writer's (ours): kept */
	touch(f, "state.tmp.1.abcdef"); /* pid 1 is alive: kept */
	touch(f, "state.tmpAb3dE9");    /* not ours */
	touch(f, "other.tmp.Ab3dE9");   /* another file's */
	touch(f, "state.tmp.Ab3dE9.x"); /* not a temp name */
	assert_int_equal(afile_remove_stale(f->path), 2);
	assert_int_equal(count_prefix(f, "state.tmp."), 3);
	assert_true(exists_in(f, mine));
	assert_true(exists_in(f, "state.tmp.1.abcdef"));
	assert_false(exists_in(f, "state.tmp.Ab3dE9"));
	assert_true(exists_in(f, "state.tmpAb3dE9"));
	assert_true(exists_in(f, "other.tmp.Ab3dE9"));
	assert_true(exists_in(f, "state.tmp.Ab3dE9.x"));
	assert_int_equal(afile_remove_stale(f->path), 0);
	assert_int_equal(afile_remove_stale("/nonexistent/ukms/state"), 0);
}

static void test_private_dir(void **state)
{
	struct fixture *f = *state;
	char p[256], err[256] = "";
	struct stat st;

	snprintf(p, sizeof(p), "%s/new/deep", f->dir);
	assert_int_equal(afile_private_dir(p, err, sizeof(err)), 0);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_int_equal(chmod(p, 0755), 0);
	assert_int_equal(afile_private_dir(p, err, sizeof(err)), 0); /* fixed, with a warning */
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	rmdir(p);
	snprintf(p, sizeof(p), "%s/new", f->dir);
	rmdir(p);
	touch(f, "plain");
	snprintf(p, sizeof(p), "%s/plain", f->dir);
	assert_int_equal(afile_private_dir(p, err, sizeof(err)), -ENOTDIR);
	assert_non_null(strstr(err, "not a directory"));
}

static void test_open_output(void **state)
{
	struct fixture *f = *state;
	char target[256], link_path[256], fifo[256], err[256] = "";
	struct stat st;
	int fd;

	snprintf(target, sizeof(target), "%s/target", f->dir);
	snprintf(link_path, sizeof(link_path), "%s/link", f->dir);
	snprintf(fifo, sizeof(fifo), "%s/fifo", f->dir);
	touch(f, "target");
	assert_int_equal(symlink(target, link_path), 0);
	assert_int_equal(afile_open_output(link_path, false, err, sizeof(err)), -ELOOP);
	assert_non_null(strstr(err, "symbolic link"));
	assert_int_equal(afile_open_output(link_path, true, err, sizeof(err)), -ELOOP);
	read_expect(target, "secret"); /* neither truncated nor appended to */
	unlink(target);
	assert_int_equal(afile_open_output(link_path, false, err, sizeof(err)), -ELOOP);
	assert_int_equal(access(target, F_OK), -1); /* a dangling link creates nothing */
	unlink(link_path);

	assert_int_equal(mkfifo(fifo, 0600), 0);
	fd = afile_open_output(fifo, true, err, sizeof(err)); /* no reader: must not block */
	assert_true(fd < 0);
	assert_non_null(strstr(err, "FIFO"));
	unlink(fifo);
	fd = afile_open_output("/dev/null", false, err, sizeof(err)); /* a device is fine */
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(afile_open_output(f->dir, true, err, sizeof(err)), -EISDIR);

	fd = afile_open_output(f->path, false, err, sizeof(err));
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(write(fd, "abc", 3), 3);
	close(fd);
	fd = afile_open_output(f->path, true, err, sizeof(err));
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "def", 3), 3);
	close(fd);
	read_expect(f->path, "abcdef");
	fd = afile_open_output(f->path, false, err, sizeof(err));
	assert_true(fd >= 0);
	close(fd);
	read_expect(f->path, ""); /* truncated */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_write_read_mode, setup, teardown),
		cmocka_unit_test_setup_teardown(test_crash_before_rename_keeps_old, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_read_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mkdirs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_remove_stale, setup, teardown),
		cmocka_unit_test_setup_teardown(test_private_dir, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_output, setup, teardown),
	};
	return cmocka_run_group_tests_name("afile", tests, NULL, NULL);
}
