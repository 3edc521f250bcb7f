/* SPDX-License-Identifier: Apache-2.0 */
/*
 * State of the security command groups (cmd_security.c, cmd_rot.c, cmd_files.c), shared by
 * these three files and read by the console (:psk, :rot, :unseal). Lives in m->sec; the
 * profiles and credentials live in m->profiles and m->creds (the socket group reads them).
 * See docs/security.md.
 */
#ifndef SIM_CMD_CMD_SECURITY_H
#define SIM_CMD_CMD_SECURITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "fault.h"
#include "rot/rot.h"

struct loop_source;
struct modem;
struct nvm;
struct rot_counter;

#define SEC_PAIRS_MAX       32                    /* :psk remembers the last 32 pairs of this run */
#define SEC_SEAL_UID_MAX    64                    /* device profile UID of the seal request */
#define SEC_SERIAL_MAX      16                    /* "up to 16 characters for SARA-R4/SARA-R5" */
#define SEC_COUNTER_BLOCK   64                    /* RoT counter reservation block */
#define SEC_CONN_PERIOD_MS  (24ull * 3600 * 1000) /* +USECCONN rate limit */
#define SEC_FILES_MAX       32
#define SEC_FILE_NAME_MAX   248
#define SEC_FILE_SIZE_MAX   16384
#define SEC_FS_SPACE        (256u * 1024)
#define SEC_IMPORT_NAME_MAX 200
#define SEC_IMPORT_PW_MAX   128

/* One AT+USECPSK (or op 11) result remembered for :psk. */
struct sec_pair {
	char id[ROT_IDENTITY_HEX + 1];
	struct rot_psk psk; /* secret */
	uint32_t counter;
};

struct sec_file {
	bool used;
	char name[SEC_FILE_NAME_MAX + 1];
	uint8_t *data; /* wiped when freed */
	size_t len;
};

/* The '>' prompt of +USECMNG / +UDWNFILE: what the handler saw, for the data callback. */
struct sec_import {
	int type;
	char name[SEC_FILE_NAME_MAX + 1];
	char password[SEC_IMPORT_PW_MAX + 1];
	bool has_password;
};

struct cmd_sec_state {
	struct nvm *nvm;
	struct rot_counter *counter; /* NULL for a persona without a RoT */
	struct rot_device dev;       /* uid, ref and K_dev: secret */
	bool bootstrapped, sealed, provisioning;
	char seal_uid[SEC_SEAL_UID_MAX + 1];
	char seal_serial[SEC_SERIAL_MAX + 1];
	char *devcert_pem; /* self-signed device certificate made at sealing */
	struct loop_source *seal_timer;
	struct loop_source *bootstrap_timer; /* control op `bootstrap` with a delay */
	uint32_t seal_delay_ms;              /* --seal-delay-ms (m->cfg) */
	int unsealed_cme;       /* --unsealed-cme: CME code of +USECPSK / +USECDEVCERT unsealed */
	uint64_t busy_until_ms; /* RoT commands "SEC busy" before this time (quirks Q1) */
	uint64_t last_conn_ms;
	bool conn_used;
	struct loop_source *conn_timer; /* fault Q5: +USECCONN answering late */
	struct at_req *conn_req;
	bool files_listed; /* +ULSTFILE sent since boot (fault Q24) */
	struct sec_pair pairs[SEC_PAIRS_MAX];
	size_t n_pairs, pair_next;
	uint64_t pairs_total;
	struct sec_file *files; /* SEC_FILES_MAX slots from the first stored file; NULL: none */
	struct sec_import imp;
	bool saved_hex;
	int saved_mnoprof;
};

/* ---- cmd_security.c ---- */

/* The parts of the security state kept in the NVM, one section each. */
enum cmd_sec_part {
	SEC_PART_PROFILES,
	SEC_PART_CREDS,
	SEC_PART_FILES,
	SEC_PART_SEAL,
	SEC_PART_SETTINGS,
	SEC_PART_COUNT
};
#define SEC_PROFILES (1u << SEC_PART_PROFILES)
#define SEC_CREDS    (1u << SEC_PART_CREDS)
#define SEC_FILES    (1u << SEC_PART_FILES)
#define SEC_SEAL     (1u << SEC_PART_SEAL)
#define SEC_SETTINGS (1u << SEC_PART_SETTINGS)
#define SEC_ALL      ((1u << SEC_PART_COUNT) - 1)

/*
 * "OK means persisted": a change of profiles, credentials or files is made between
 * cmd_sec_begin(), which keeps their current image, and cmd_sec_end(rc of the change), which
 * writes the changed sections in one commit; if the change or the write fails, the kept images
 * are put back, so memory and disk are as before, and the error is returned for the +CME answer.
 * parts: SEC_PROFILES | SEC_CREDS | SEC_FILES. end() always releases t.
 */
struct cmd_sec_txn {
	unsigned parts;
	struct buf img[SEC_PART_COUNT]; /* secret */
};
int cmd_sec_begin(struct modem *m, unsigned parts, struct cmd_sec_txn *t);
int cmd_sec_end(struct modem *m, struct cmd_sec_txn *t, int rc);

/* Writes the sections of parts whose bytes changed, in one commit. Returns 0 or -errno. */
int cmd_sec_save(struct modem *m, unsigned parts);
/* cmd_sec_save(m, SEC_ALL): every part formatted (the credential store too); prefer a mask. */
int cmd_sec_persist(struct modem *m);
/*
 * Settings of other groups kept in the NVM (+UMNOPROF, +UDCONF=1 hex mode): their handlers
 * call this after a change; the NVM is written at once (atomically) when they differ from
 * what it holds, so a kill -9 loses nothing. Reboot and exit call it too.
 */
void cmd_sec_settings_changed(struct modem *m);

/* ---- cmd_rot.c ---- */

/* Sets up the RoT (device key, counter in the state dir) and loads the "seal" section. */
int cmd_rot_setup(struct modem *m, char *err, size_t errlen);
void cmd_rot_teardown(struct cmd_sec_state *st);
/*
 * Boot or reboot: starts the "SEC busy" window (fault Q1's ms, else --sec-busy-ms, else the
 * persona's; quirks Q1) and ends a +USECCONN still held by fault Q5.
 */
void cmd_rot_boot(struct modem *m);
/* A fault was switched (Q1 on: the busy window starts now). */
void cmd_rot_fault(struct modem *m, enum fault_id id, bool on);
/* The "seal" NVM section. */
int cmd_rot_format(const struct cmd_sec_state *st, struct buf *out);

/* Console: pairs of this run (PSK fingerprints, or the PSK hex with show), RoT status, unseal.
 * Text is appended to out, one line per "\n". Return 0 or -errno. */
int cmd_sec_console_psk(const struct modem *m, bool show, struct buf *out);
int cmd_sec_console_rot(const struct modem *m, struct buf *out);
int cmd_sec_console_unseal(struct modem *m, struct buf *out);
/*
 * Control op `seal`: "reset" (factory, +USECDEVINFO 0,0,0), "unseal" (1,0,1) or "seal" (1,1,1
 * at once, device certificate made). Persisted like a real seal. 0, -EOPNOTSUPP (no RoT) or
 * -EINVAL (action).
 */
int cmd_rot_ctl_seal(struct modem *m, const char *action);
/* Control op `bootstrap`: bootstrapped after delay_ms (0: at once). 0 or -EOPNOTSUPP/-EALREADY. */
int cmd_rot_ctl_bootstrap(struct modem *m, uint32_t delay_ms);

/* ---- cmd_rot_counter.c ---- */

/*
 * Opens st->counter: the device's one counter store (--state-dir, else the default directory
 * shared with ukms-rot), resumed above the NVM's high-water mark, which it keeps up to date.
 */
int cmd_rot_counter_open(struct modem *m, char *err, size_t errlen);

/* ---- cmd_files.c ---- */

/* The "files" NVM section. parse replaces every file only if the image is valid. */
int cmd_files_format(const struct cmd_sec_state *st, struct buf *out);
int cmd_files_parse(struct cmd_sec_state *st, const void *data, size_t len);
void cmd_files_clear(struct cmd_sec_state *st);
/* Borrowed contents of a file, or -ENODATA (FILE NOT FOUND, CME 1612). */
int cmd_files_get(const struct cmd_sec_state *st, const char *name, const uint8_t **data,
		  size_t *len);

#endif /* SIM_CMD_CMD_SECURITY_H */
