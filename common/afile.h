/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Crash-safe whole-file persistence.
 *
 * afile_write() replaces a file atomically: write a temp file in the same directory, fsync it,
 * rename it over the target, fsync the directory. After a crash or kill -9 at any point the
 * target holds either the old or the new contents, never a mix. The temp file is
 * "<path>.tmp.<pid>.XXXXXX" (mode 0600 from its creation); one left by a killed writer is never
 * read back, and afile_remove_stale() deletes it when its writer is gone.
 */
#ifndef COMMON_AFILE_H
#define COMMON_AFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "buf.h"

/*
 * Test seam: when set, called after the temp file is fsynced and before rename(). A test
 * returns non-zero to simulate a crash at that point (afile_write then returns -EINTR and
 * leaves the temp file behind, as a killed process would).
 */
typedef int afile_hook_fn(const char *tmp_path, void *data);

struct afile_opts {
	mode_t mode; /* permission bits of the new file, e.g. 0600 */
	afile_hook_fn *before_rename;
	void *hook_data;
};

/* Returns 0 or -errno. */
int afile_write(const char *path, const void *data, size_t len, const struct afile_opts *opts);

/*
 * Appends data to an existing file whose valid contents end at offset at: anything after it
 * (the torn tail of a killed writer) is cut first, then the bytes are written and fdatasync'ed.
 * On failure the file is cut back to at, so a later append never follows half a record.
 * Never follows a symlink. Returns 0 or -errno (a short write counts as a failure).
 */
int afile_append(const char *path, off_t at, const void *data, size_t len);

/*
 * Reads a whole regular file into out (appended; out's cap bounds the size: -EFBIG beyond it).
 * Returns 0 or -errno (-ENOENT if missing, -EINVAL for a FIFO, device or directory: opened
 * non-blocking and refused without reading, so a FIFO never blocks the caller).
 */
int afile_read(const char *path, struct buf *out);

/* mkdir -p with mode for each created level. Returns 0 or -errno. */
int afile_mkdirs(const char *path, mode_t mode);

/*
 * Removes the temp files of afile_write(path, ...) whose writer is no longer running (the pid in
 * the name is gone; names without a pid, from older builds, always), logging each. Call it at
 * start, before the first write of path. Returns the number removed or -errno.
 */
int afile_remove_stale(const char *path);

/*
 * A directory that holds private state: created with mode 0700 (mkdir -p) if missing; an
 * existing one with group or other permission bits is set to 0700 with a warning (refused,
 * -EPERM, when it belongs to another user). Returns 0 or -errno with a one-line reason in err.
 */
int afile_private_dir(const char *dir, char *err, size_t errlen);

/*
 * Opens an output file given on the command line (--log-file, --pcap, ...) for writing:
 * created with mode 0600, a regular file truncated unless append. A symbolic link (-ELOOP) is
 * refused, and so is a FIFO or socket (-ENXIO or -EINVAL; the open never blocks); a character
 * device (/dev/null) is fine. Returns the fd (O_CLOEXEC) or -errno with a reason in err.
 */
int afile_open_output(const char *path, bool append, char *err, size_t errlen);
/* The same for outputs that hold secrets (--keylog, --record): an existing file is set to 0600. */
int afile_open_secret_output(const char *path, bool append, char *err, size_t errlen);

#endif /* COMMON_AFILE_H */
