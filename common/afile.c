/* SPDX-License-Identifier: Apache-2.0 */
#define LOG_MODULE "afile"
#include "afile.h"

#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"

static int write_all(int fd, const uint8_t *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int fsync_dir_of(const char *path)
{
	char copy[PATH_MAX];
	int fd, rc = 0;

	if (snprintf(copy, sizeof(copy), "%s", path) >= (int)sizeof(copy))
		return -ENAMETOOLONG;
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0)
		rc = -errno;
	close(fd);
	return rc;
}

int afile_write(const char *path, const void *data, size_t len, const struct afile_opts *opts)
{
	char tmp[PATH_MAX];
	int fd = -1, rc;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%ld.XXXXXX", path, (long)getpid()) >=
	    (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	rc = fchmod(fd, opts->mode) < 0 ? -errno : 0;
	if (rc == 0)
		rc = write_all(fd, data, len);
	if (rc == 0 && fsync(fd) < 0)
		rc = -errno;
	if (close(fd) < 0 && rc == 0)
		rc = -errno;
	if (rc == 0 && opts->before_rename != NULL && opts->before_rename(tmp, opts->hook_data))
		return -EINTR; /* simulated crash: leave the temp file as a killed process would */
	if (rc == 0 && rename(tmp, path) < 0)
		rc = -errno;
	if (rc < 0) {
		unlink(tmp);
		return rc;
	}
	return fsync_dir_of(path);
}

int afile_append(const char *path, off_t at, const void *data, size_t len)
{
	struct stat st;
	int fd, rc = 0;

	fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size < at) {
		rc = -EINVAL;
		goto out;
	}
	if (st.st_size > at && ftruncate(fd, at) < 0)
		rc = -errno;
	if (rc == 0 && lseek(fd, at, SEEK_SET) < 0)
		rc = -errno;
	if (rc == 0)
		rc = write_all(fd, data, len);
	if (rc == 0 && fdatasync(fd) < 0)
		rc = -errno;
	if (rc < 0 && ftruncate(fd, at) < 0)
		log_warn("%s: cannot cut back to %lld bytes: %s", path, (long long)at,
			 strerror(errno));
out:
	close(fd);
	return rc;
}

int afile_read(const char *path, struct buf *out)
{
	uint8_t chunk[4096];
	struct stat st;
	int fd, rc = 0;

	/* O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused below. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		rc = -errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = -EINVAL;
		goto out;
	}
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = -errno;
			break;
		}
		if (n == 0)
			break;
		rc = buf_append(out, chunk, (size_t)n);
		if (rc < 0) {
			rc = rc == -ENOSPC ? -EFBIG : rc;
			break;
		}
	}
out:
	close(fd);
	return rc;
}

int afile_mkdirs(const char *path, mode_t mode)
{
	char copy[PATH_MAX];
	size_t len;

	if (snprintf(copy, sizeof(copy), "%s", path) >= (int)sizeof(copy))
		return -ENAMETOOLONG;
	len = strlen(copy);
	for (size_t i = 1; i <= len; i++) {
		if (copy[i] != '/' && copy[i] != '\0')
			continue;
		copy[i] = '\0';
		if (mkdir(copy, mode) < 0 && errno != EEXIST)
			return -errno;
		copy[i] = i == len ? '\0' : '/';
	}
	return 0;
}

/* The suffix of mkostemp's template ("XXXXXX" replaced): 6 characters of [A-Za-z0-9]. */
static bool is_temp_suffix(const char *s)
{
	size_t n = 0;

	for (; s[n] != '\0'; n++)
		if (!((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'z') ||
		      (s[n] >= 'A' && s[n] <= 'Z')))
			return false;
	return n == 6;
}

/*
 * Whether name (after "<base>.tmp.") is a temp file whose writer is gone: "<pid>.XXXXXX" of a
 * pid that no longer exists, or "XXXXXX" (older builds wrote no pid). A live pid, our own
 * included, keeps its file: it may be writing it right now.
 */
static bool is_stale(const char *rest)
{
	char *end = NULL;
	long pid;

	if (is_temp_suffix(rest))
		return true;
	if (rest[0] < '1' || rest[0] > '9')
		return false;
	errno = 0;
	pid = strtol(rest, &end, 10);
	if (errno != 0 || pid <= 0 || pid > INT_MAX || *end != '.' || !is_temp_suffix(end + 1))
		return false;
	if (pid == (long)getpid())
		return false;
	return kill((pid_t)pid, 0) < 0 && errno == ESRCH;
}

int afile_remove_stale(const char *path)
{
	char dir[PATH_MAX], base[PATH_MAX], prefix[PATH_MAX];
	struct dirent *e;
	size_t plen;
	DIR *d;
	int n = 0;

	if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir) ||
	    snprintf(base, sizeof(base), "%s", path) >= (int)sizeof(base))
		return -ENAMETOOLONG;
	plen = (size_t)snprintf(prefix, sizeof(prefix), "%s.tmp.", basename(base));
	if (plen >= sizeof(prefix))
		return -ENAMETOOLONG;
	d = opendir(dirname(dir));
	if (d == NULL)
		return errno == ENOENT ? 0 : -errno;
	while ((e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, prefix, plen) != 0 || !is_stale(e->d_name + plen))
			continue;
		if (unlinkat(dirfd(d), e->d_name, 0) < 0) {
			log_warn("%s/%s: cannot remove stale temp file: %s", dir, e->d_name,
				 strerror(errno));
			continue;
		}
		log_info("%s/%s: removed a temp file left by a killed writer", dir, e->d_name);
		n++;
	}
	closedir(d);
	return n;
}

int afile_private_dir(const char *dir, char *err, size_t errlen)
{
	struct stat st;
	int rc = afile_mkdirs(dir, 0700);

	if (rc == 0 && stat(dir, &st) < 0)
		rc = -errno;
	if (rc < 0) {
		snprintf(err, errlen, "%s: %s", dir, strerror(-rc));
		return rc;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: not a directory", dir);
		return -ENOTDIR;
	}
	if ((st.st_mode & 077) == 0)
		return 0;
	if (st.st_uid != geteuid()) {
		snprintf(err, errlen,
			 "%s: state directory has group/other permissions (%04o) and belongs to "
			 "another user; refused",
			 dir, (unsigned)(st.st_mode & 07777));
		return -EPERM;
	}
	if (chmod(dir, st.st_mode & 07700) < 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: cannot set mode 0700: %s", dir, strerror(-rc));
		return rc;
	}
	log_warn("%s: state directory had group/other permissions (%04o); set to %04o", dir,
		 (unsigned)(st.st_mode & 07777), (unsigned)(st.st_mode & 07700));
	return 0;
}

int afile_open_output(const char *path, bool append, char *err, size_t errlen)
{
	int flags = O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC;
	struct stat st;
	int fd, rc = 0;

	fd = open(path, flags | (append ? O_APPEND : 0), 0600);
	if (fd < 0) {
		rc = -errno;
		if (rc == -ELOOP)
			snprintf(err, errlen,
				 "%s: is a symbolic link; refused (give the real path)", path);
		else if (rc == -ENXIO)
			snprintf(err, errlen, "%s: a FIFO or socket; refused (give a file)", path);
		else
			snprintf(err, errlen, "%s: %s", path, strerror(-rc));
		return rc;
	}
	if (fstat(fd, &st) < 0)
		rc = -errno;
	else if (!S_ISREG(st.st_mode) && !S_ISCHR(st.st_mode))
		rc = -EINVAL; /* a FIFO or socket: a slow reader would stall the writer */
	else if (S_ISREG(st.st_mode) && !append && ftruncate(fd, 0) < 0)
		rc = -errno;
	else if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0)
		rc = -errno;
	if (rc < 0) {
		snprintf(err, errlen, "%s: %s", path,
			 rc == -EINVAL ? "a FIFO or socket; refused (give a file)" : strerror(-rc));
		close(fd);
		return rc;
	}
	return fd;
}

int afile_open_secret_output(const char *path, bool append, char *err, size_t errlen)
{
	int fd = afile_open_output(path, append, err, errlen);
	struct stat st;

	if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && fchmod(fd, 0600) < 0) {
		int rc = -errno;

		snprintf(err, errlen, "%s: cannot make it private: %s", path, strerror(-rc));
		close(fd);
		return rc;
	}
	return fd;
}
