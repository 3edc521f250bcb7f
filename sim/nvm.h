/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The emulated module's non-volatile memory: named sections of bytes kept in the modem's state
 * directory (docs/security.md, "Persisted state"). Sections hold secrets (PSKs, keys): every
 * buffer is wiped when freed.
 *
 * Two files, both mode 0600:
 *   nvm.dat      every section, rewritten as a whole now and then (afile_write: temp file,
 *                fsync, rename). Format version 2, binary-safe:
 *                    ukms-nvm 2 <generation>\n
 *                    <name> <length>\n<length bytes>\n     (per section, names [a-z0-9_], 1..31)
 *                    end\n
 *                    sha256 <hex of every byte above>\n
 *                Version 1 (the same without generation and checksum line) is still read; the
 *                first commit rewrites it as version 2.
 *   nvm.journal  what changed since: "ukms-nvm-journal 2 <generation> <check>\n", then one
 *                record per nvm_commit():
 *                    rec <length> <sha256 hex of the payload> <check>\n
 *                    <payload: the changed sections in the form above>
 *                where <check> is the first 8 hex digits of the SHA-256 of the line before it.
 *                A commit appends one record and fdatasyncs it (afile_append), so it costs what
 *                changed, and the sections of one commit become durable together or not at all.
 *                Beyond max(1 MiB, size of nvm.dat) the journal is folded into a new nvm.dat
 *                (generation + 1) and started afresh; a journal whose generation is not that
 *                of nvm.dat was left by a rewrite interrupted after the rename and is ignored.
 * On open, a record cut short at the very end (a writer killed mid-append; never acknowledged)
 * is dropped with a warning. Anything else that does not parse or check (one flipped byte), or
 * a newer format version, is refused by nvm_open() with a message; the files are never
 * overwritten then.
 */
#ifndef SIM_NVM_H
#define SIM_NVM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct buf;
struct nvm;

#define NVM_VERSION      2
#define NVM_FILE         "nvm.dat"
#define NVM_JOURNAL      "nvm.journal"
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
/*
 * Replaces (or adds) a section with a copy of data; nothing is written until nvm_commit().
 * Setting the bytes a section already holds changes nothing. Returns 0, -EINVAL, -ENOSPC or
 * -ENOMEM.
 */
int nvm_set(struct nvm *n, const char *name, const void *data, size_t len);
/*
 * Makes every section set since the last commit durable, all of them together (one journal
 * record, or a rewrite of nvm.dat). Returns 0 (also when ephemeral or nothing changed) or
 * -errno (-ENOSPC, -EFBIG, -EDQUOT, -EIO ...): then every section set since the last commit is
 * back to its last persisted contents (a section that was new is gone) and the disk is as it
 * was, so the caller can undo its own change and answer an error.
 */
int nvm_commit(struct nvm *n);
/* Forgets every nvm_set since the last commit (what a failed nvm_commit does). NULL-safe. */
void nvm_discard(struct nvm *n);
/*
 * nvm_set of one section, then nvm_commit: for a caller with nothing else pending. Returns 0,
 * or -errno with memory and disk as they were before the call.
 */
int nvm_store(struct nvm *n, const char *name, const void *data, size_t len);

/* The nvm.dat image of every section (version 2, appended to out). */
int nvm_format(const struct nvm *n, struct buf *out);
/* Replaces every section from an nvm.dat image. On error n is unchanged and err says why. */
int nvm_parse(struct nvm *n, const void *data, size_t len, char *err, size_t errlen);
/*
 * Applies an nvm.journal image on top of n. *valid: bytes up to the end of the last complete
 * record (a cut-short record after it is dropped). Returns 0, -ESTALE (the journal is of another
 * generation: nothing applied) or -EINVAL (damaged: nothing applied, err says why).
 */
int nvm_journal_parse(struct nvm *n, const void *data, size_t len, size_t *valid, char *err,
		      size_t errlen);

/*
 * The default state directory of a device: $XDG_STATE_HOME/ukms/sim-<uid_hex>, or
 * $HOME/.local/state/ukms/sim-<uid_hex>. Returns 0, -ENOENT (neither variable set) or -ENOSPC.
 */
int nvm_default_dir(const char *uid_hex, char *out, size_t cap);

#endif /* SIM_NVM_H */
