/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The emulated module's non-volatile memory: named sections of bytes kept in one file,
 * "nvm.dat" in the modem's state directory (docs/security.md, "Persisted state").
 *
 * Format (version 1), binary-safe and versioned:
 *	ukms-nvm 1\n
 *	<name> <length>\n<length bytes>\n     (one per section, names [a-z0-9_], 1..31 chars)
 *	end\n
 * The owner of each section chooses its contents (secprof_format, credstore_format, ...).
 * nvm_commit() writes the whole file with afile_write (temp file, fsync, rename; mode 0600).
 * A file that does not parse, or one written by a newer format version, is refused by
 * nvm_open() with a message and is never overwritten. Sections hold secrets (PSKs, keys):
 * every buffer is wiped when freed.
 */
#ifndef SIM_NVM_H
#define SIM_NVM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct buf;
struct nvm;

#define NVM_VERSION      1
#define NVM_FILE         "nvm.dat"
#define NVM_SECTIONS_MAX 16
#define NVM_NAME_MAX     31
#define NVM_FILE_MAX     (8u * 1024 * 1024)

/*
 * Opens the NVM in dir (created with mode 0700 if missing) and loads nvm.dat if it exists.
 * dir == NULL: an in-memory NVM that never touches the disk (--ephemeral).
 * Returns NULL with a one-line message in err (corrupt file, newer version, I/O error).
 */
struct nvm *nvm_open(const char *dir, char *err, size_t errlen);
/* Wipes and frees. NULL-safe. Does not write. */
void nvm_close(struct nvm *n);

/* The state directory, or NULL for an ephemeral NVM (borrowed). */
const char *nvm_dir(const struct nvm *n);

/* Borrowed view of a section (valid until the next nvm_set of it). Returns 0 or -ENOENT. */
int nvm_get(const struct nvm *n, const char *name, const uint8_t **data, size_t *len);
/* Replaces (or adds) a section with a copy of data. Returns 0, -EINVAL, -ENOSPC or -ENOMEM. */
int nvm_set(struct nvm *n, const char *name, const void *data, size_t len);
/* Writes every section to nvm.dat atomically. No-op (0) when ephemeral. Returns 0 or -errno. */
int nvm_commit(struct nvm *n);

/* The image of every section in the file format above (appended to out). */
int nvm_format(const struct nvm *n, struct buf *out);
/* Replaces every section from an image. On error n is unchanged and err says why. */
int nvm_parse(struct nvm *n, const void *data, size_t len, char *err, size_t errlen);

/*
 * The default state directory of a device: $XDG_STATE_HOME/ukms/sim-<uid_hex>, or
 * $HOME/.local/state/ukms/sim-<uid_hex>. Returns 0, -ENOENT (neither variable set) or -ENOSPC.
 */
int nvm_default_dir(const char *uid_hex, char *out, size_t cap);

#endif /* SIM_NVM_H */
