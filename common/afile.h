/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Crash-safe whole-file persistence.
 *
 * afile_write() replaces a file atomically: write a temp file in the same directory, fsync it,
 * rename it over the target, fsync the directory. After a crash or kill -9 at any point the
 * target holds either the old or the new contents, never a mix; a stale temp file may remain
 * and is ignored (it is never read back).
 */
#ifndef COMMON_AFILE_H
#define COMMON_AFILE_H

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
 * Reads a whole regular file into out (appended; out's cap bounds the size: -EFBIG beyond it).
 * Returns 0 or -errno (-ENOENT if missing, -EINVAL for a FIFO, device or directory: opened
 * non-blocking and refused without reading, so a FIFO never blocks the caller).
 */
int afile_read(const char *path, struct buf *out);

/* mkdir -p with mode for each created level. Returns 0 or -errno. */
int afile_mkdirs(const char *path, mode_t mode);

#endif /* COMMON_AFILE_H */
