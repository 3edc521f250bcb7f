/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Security profiles and credentials: +USECPRF (ublox-at.md §2.5) and +USECMNG (§2.6), plus the
 * security state of the modem: the module's init hook creates m->sec, m->profiles and
 * m->creds and loads them from the NVM (sim/nvm.h); every change is written back at once.
 */
#define LOG_MODULE "sec"
#include "cmd_security.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "buf.h"
#include "cmd.h"
#include "credstore.h"
#include "hex.h"
#include "fault.h"
#include "log.h"
#include "loop.h"
#include "modem.h"
#include "nvm.h"
#include "persona.h"
#include "rot/platform.h"
#include "secprof.h"

#define IMAGE_MAX (4u * 1024 * 1024)

/* ---- persistence ---- */

/* The +UDCONF=1 hex mode survives a reboot only on some personas (quirks Q19). */
static bool persisted_hex(const struct modem *m)
{
	return m->persona->hexmode_persists && m->set.hex_mode;
}

static int format_settings(const struct modem *m, struct buf *out)
{
	return buf_appendf(out, "hex_mode %d\nmnoprof %d\n", persisted_hex(m) ? 1 : 0,
			   m->set.mnoprof);
}

static int fmt_profiles(const struct modem *m, struct buf *b)
{
	return secprof_format(m->profiles, b);
}
static int fmt_creds(const struct modem *m, struct buf *b)
{
	return credstore_format(m->creds, b);
}
static int fmt_files(const struct modem *m, struct buf *b)
{
	return cmd_files_format(m->sec, b);
}
static int fmt_seal(const struct modem *m, struct buf *b)
{
	return cmd_rot_format(m->sec, b);
}
static int parse_profiles(struct modem *m, const uint8_t *d, size_t n)
{
	return secprof_parse(m->profiles, d, n);
}
static int parse_creds(struct modem *m, const uint8_t *d, size_t n)
{
	return credstore_parse(m->creds, d, n);
}
static int parse_files(struct modem *m, const uint8_t *d, size_t n)
{
	return cmd_files_parse(m->sec, d, n);
}
static int settings_parse(struct modem *m, const uint8_t *data, size_t len);

/* One NVM section per part: its name, its image and (NULL: loaded elsewhere) its loader. */
static const struct sec_part {
	const char *name;
	int (*format)(const struct modem *m, struct buf *out);
	int (*parse)(struct modem *m, const uint8_t *data, size_t len);
} parts[SEC_PART_COUNT] = {
	[SEC_PART_PROFILES] = { "profiles", fmt_profiles, parse_profiles },
	[SEC_PART_CREDS] = { "credentials", fmt_creds, parse_creds },
	[SEC_PART_FILES] = { "files", fmt_files, parse_files },
	[SEC_PART_SEAL] = { "seal", fmt_seal, NULL },
	[SEC_PART_SETTINGS] = { "settings", format_settings, settings_parse },
};

static int put_section(struct modem *m, const struct sec_part *p)
{
	struct buf b;
	int rc;

	buf_init_secret(&b, IMAGE_MAX);
	rc = p->format(m, &b);
	if (rc == 0)
		rc = nvm_set(m->sec->nvm, p->name, b.data, b.len);
	buf_finish(&b);
	return rc;
}

int cmd_sec_save(struct modem *m, unsigned mask)
{
	struct cmd_sec_state *st = m->sec;
	int rc = st != NULL ? 0 : -EINVAL;

	for (size_t i = 0; rc == 0 && i < SEC_PART_COUNT; i++)
		if (mask & (1u << i))
			rc = put_section(m, &parts[i]);
	if (rc == 0)
		rc = nvm_commit(st->nvm);
	else if (st != NULL)
		nvm_discard(st->nvm);
	if (rc == 0 && (mask & SEC_SETTINGS)) {
		st->saved_hex = persisted_hex(m);
		st->saved_mnoprof = m->set.mnoprof;
	} else if (rc < 0) {
		log_error("NVM not written: %s", strerror(-rc));
	}
	return rc;
}

int cmd_sec_persist(struct modem *m)
{
	return cmd_sec_save(m, SEC_ALL);
}

/*
 * What the part holds now. The NVM section is that image already (every change is saved or
 * undone), and copying it is much cheaper than formatting a full credential store; a part
 * never saved is formatted.
 */
static int snapshot(struct modem *m, const struct sec_part *p, struct buf *out)
{
	const uint8_t *data;
	size_t len;

	if (nvm_get(m->sec->nvm, p->name, &data, &len) == 0)
		return len > 0 ? buf_append(out, data, len) : 0;
	return p->format(m, out);
}

int cmd_sec_begin(struct modem *m, unsigned mask, struct cmd_sec_txn *t)
{
	int rc = 0;

	t->parts = mask & (SEC_PROFILES | SEC_CREDS | SEC_FILES);
	for (size_t i = 0; i < SEC_PART_COUNT; i++) {
		buf_init_secret(&t->img[i], IMAGE_MAX);
		if (rc == 0 && (t->parts & (1u << i)))
			rc = snapshot(m, &parts[i], &t->img[i]);
	}
	if (rc < 0) {
		for (size_t i = 0; i < SEC_PART_COUNT; i++)
			buf_finish(&t->img[i]);
		t->parts = 0;
	}
	return rc;
}

int cmd_sec_end(struct modem *m, struct cmd_sec_txn *t, int rc)
{
	if (rc == 0)
		rc = cmd_sec_save(m, t->parts);
	for (size_t i = 0; i < SEC_PART_COUNT; i++) {
		if (rc < 0 && (t->parts & (1u << i)) &&
		    parts[i].parse(m, t->img[i].data, t->img[i].len) < 0)
			log_error("cannot restore %s after a failed write", parts[i].name);
		buf_finish(&t->img[i]);
	}
	t->parts = 0;
	return rc;
}

void cmd_sec_settings_changed(struct modem *m)
{
	struct cmd_sec_state *st = m->sec;

	if (st != NULL && st->nvm != NULL &&
	    (st->saved_hex != persisted_hex(m) || st->saved_mnoprof != m->set.mnoprof))
		cmd_sec_save(m, SEC_SETTINGS);
}

static int settings_parse(struct modem *m, const uint8_t *data, size_t len)
{
	char text[128];
	int hex = 0, mno = 0, n = -1;

	if (len >= sizeof(text) || memchr(data, '\0', len) != NULL)
		return -EINVAL;
	memcpy(text, data, len);
	text[len] = '\0';
	if (sscanf(text, "hex_mode %d\nmnoprof %d\n%n", &hex, &mno, &n) != 2 || (size_t)n != len ||
	    hex < 0 || hex > 1 || mno < 0 || mno > 201)
		return -EINVAL;
	if (m->persona->hexmode_persists)
		m->set.hex_mode = hex == 1;
	m->set.mnoprof = mno;
	return 0;
}

/* Loads one section with parse(); a missing section is fine, a bad one is fatal. */
static int load_section(struct modem *m, const char *name,
			int (*parse)(struct modem *, const uint8_t *, size_t))
{
	const uint8_t *data;
	size_t len;
	int rc;

	if (nvm_get(m->sec->nvm, name, &data, &len) < 0)
		return 0;
	rc = parse(m, data, len);
	if (rc < 0)
		log_error(
			"%s/%s: section \"%s\" is corrupt (%s); refusing to start, file left as is",
			nvm_dir(m->sec->nvm), NVM_FILE, name, strerror(-rc));
	return rc;
}

static int open_nvm(struct modem *m)
{
	char dir[4096], err[512] = "";
	const char *path = m->cfg.state_dir;

	if (m->cfg.ephemeral) {
		path = NULL;
	} else if (path == NULL) {
		if (nvm_default_dir(m->device->uid_hex, dir, sizeof(dir)) < 0) {
			log_error("no state directory: set --state-dir, XDG_STATE_HOME or HOME, "
				  "or use --ephemeral");
			return -ENOENT;
		}
		path = dir;
	}
	m->sec->nvm = nvm_open(path, err, sizeof(err));
	if (m->sec->nvm == NULL) {
		log_error("%s", err);
		return -EINVAL;
	}
	log_info("module state: %s", path != NULL ? path : "ephemeral (nothing kept)");
	return 0;
}

static int sec_init(struct modem *m)
{
	char err[512] = "";
	int rc;

	m->sec = calloc(1, sizeof(*m->sec));
	m->profiles = secprof_store_create();
	m->creds = credstore_create();
	if (m->sec == NULL || m->profiles == NULL || m->creds == NULL)
		return -ENOMEM;
	rc = secprof_store_set_factory(m->profiles, m->persona->tls_verify_default,
				       m->persona->tls_min_default);
	if (rc == 0)
		rc = open_nvm(m);
	for (size_t i = 0; rc == 0 && i < SEC_PART_COUNT; i++)
		if (parts[i].parse != NULL)
			rc = load_section(m, parts[i].name, parts[i].parse);
	if (rc == 0) {
		rc = cmd_rot_setup(m, err, sizeof(err));
		if (rc < 0)
			log_error("%s", err);
	}
	if (rc == 0)
		cmd_rot_boot(m);
	m->sec->saved_hex = persisted_hex(m);
	m->sec->saved_mnoprof = m->set.mnoprof;
	return rc;
}

static void sec_finish(struct modem *m)
{
	if (m->sec != NULL && m->sec->nvm != NULL)
		cmd_sec_settings_changed(m);
	if (m->sec != NULL) {
		loop_remove(m->loop, m->sec->seal_timer);
		loop_remove(m->loop, m->sec->bootstrap_timer);
		loop_remove(m->loop, m->sec->conn_timer);
		cmd_rot_teardown(m->sec);
		cmd_files_clear(m->sec);
		nvm_close(m->sec->nvm);
		OPENSSL_cleanse(m->sec, sizeof(*m->sec));
		free(m->sec);
		m->sec = NULL;
	}
	secprof_store_destroy(m->profiles);
	m->profiles = NULL;
	credstore_destroy(m->creds);
	m->creds = NULL;
}

static void sec_reset(struct modem *m, bool reboot)
{
	if (!reboot)
		return;
	cmd_sec_settings_changed(m);
	cmd_rot_boot(m);
}

/* ---- +USECPRF ---- */

/* Arguments: 0 id, 1 op, 2..5 values whose form depends on the op. */
enum { A_ID = 0, A_OP, A_V1, A_V2, A_V3, A_V4 };

static bool is_r5(const struct modem *m)
{
	return strcmp(m->persona->family, "SARA-R5") == 0;
}

static int arg_long(const struct at_req *req, size_t i, long min, long max, long *out)
{
	if (!at_arg_present(req, i) || cmd_arg_long(req, i, out) < 0 || *out < min || *out > max)
		return -EINVAL;
	return 0;
}

/* Exactly n arguments given (the op's form), else -EINVAL. */
static int want_args(const struct at_req *req, size_t n)
{
	return at_arg_count(req) == n ? 0 : -EINVAL;
}

static int set_int(struct at_req *req, struct modem *m, int id, int op)
{
	long v;
	int rc = want_args(req, 3);

	if (rc == 0 && op == SECPROF_OP_DEVICE_CERT && !is_r5(m))
		rc = -EOPNOTSUPP; /* ZTP device certificate: SARA-R5 only */
	if (rc == 0)
		rc = arg_long(req, A_V1, 0, 255, &v);
	return rc < 0 ? rc : secprof_set_int(m->profiles, id, op, (int)v);
}

static int set_str(struct at_req *req, struct modem *m, int id, int op)
{
	struct at_span s = at_arg_str(req, A_V1);
	int rc = want_args(req, 3);

	return rc < 0 ? rc : secprof_set_str(m->profiles, id, op, s.p, s.len);
}

/* Op 8 / 9: "<text>"[,0] ASCII, or "<hex>",1 (either case). */
static int set_bytes(struct at_req *req, struct modem *m, int id, int op)
{
	uint8_t bytes[SECPROF_PSK_ID_MAX];
	size_t cap = op == SECPROF_OP_PSK ? SECPROF_PSK_MAX : SECPROF_PSK_ID_MAX;
	struct at_span s = at_arg_str(req, A_V1);
	long form = 0;
	int rc = at_arg_count(req) > 4 ? -EINVAL : 0, n;

	if (rc == 0 && at_arg_present(req, A_V2))
		rc = arg_long(req, A_V2, 0, 1, &form);
	if (rc < 0)
		return rc;
	if (form == 0) {
		if (s.len > cap)
			return -ENAMETOOLONG;
		return secprof_set_bytes(m->profiles, id, op, (const uint8_t *)s.p, s.len);
	}
	if (s.len > 2 * cap)
		return -ENAMETOOLONG;
	n = s.len == 0 ? 0 : at_arg_hex(req, A_V1, bytes, sizeof(bytes));
	rc = n < 0 ? -EINVAL : secprof_set_bytes(m->profiles, id, op, bytes, (size_t)n);
	OPENSSL_cleanse(bytes, sizeof(bytes));
	return rc;
}

/* One IANA byte given as "HH" (ubxlib writes lower case). */
static int iana_byte(const struct at_req *req, size_t i, unsigned *out)
{
	struct at_span s = at_arg_str(req, i);
	uint8_t b;

	if (!at_arg_present(req, i) || s.len != 2 || hex_decode(s.p, 2, &b, 1) != 1)
		return -EINVAL;
	*out = b;
	return 0;
}

/* Op 2: <legacy 0..33> | 99,"hi","lo" | 100,"hi","lo",<0 add|1 remove> (list: SARA-R5). */
static int set_cipher(struct at_req *req, struct modem *m, int id, int op)
{
	unsigned hi = 0, lo = 0;
	long form, rm = 0;
	int rc = arg_long(req, A_V1, 0, 100, &form);

	if (rc < 0)
		return rc;
	if (form <= SECPROF_LEGACY_MAX)
		return want_args(req, 3) < 0
			       ? -EINVAL
			       : secprof_cipher_set_legacy(m->profiles, id, (int)form);
	if (form != SECPROF_CIPHER_IANA && form != SECPROF_CIPHER_LIST)
		return -EINVAL;
	if (form == SECPROF_CIPHER_LIST && !m->persona->cipher_list)
		return -EOPNOTSUPP;
	rc = want_args(req, form == SECPROF_CIPHER_IANA ? 5 : 6);
	if (rc == 0)
		rc = iana_byte(req, A_V2, &hi);
	if (rc == 0)
		rc = iana_byte(req, A_V3, &lo);
	if (rc == 0 && form == SECPROF_CIPHER_LIST)
		rc = arg_long(req, A_V4, 0, 1, &rm);
	if (rc < 0 || (hi == 0 && lo == 0))
		return -EINVAL;
	if (form == SECPROF_CIPHER_IANA)
		return secprof_cipher_set_iana(m->profiles, id, (uint16_t)(hi << 8 | lo));
	return secprof_cipher_list_edit(m->profiles, id, (uint16_t)(hi << 8 | lo), rm == 1);
}

static int set_pinning(struct at_req *req, struct modem *m, int id, int op)
{
	struct at_span s = at_arg_str(req, A_V1);
	long level;
	int rc = want_args(req, 4);

	if (rc == 0)
		rc = arg_long(req, A_V2, 0, 2, &level);
	return rc < 0 ? rc : secprof_set_pinning(m->profiles, id, s.p, s.len, (int)level);
}

/* Op 13: 0,<status> | 1,<type> | 2,"<session id b64>","<master key b64>". */
static int set_resumption(struct at_req *req, struct modem *m, int id, int op)
{
	char sid[64 + 1], key[88 + 1];
	long tag, v = 0;
	int rc = arg_long(req, A_V1, 0, 2, &tag);

	if (rc == 0 && tag < 2) {
		rc = want_args(req, 4);
		if (rc == 0)
			rc = arg_long(req, A_V2, 0, 1, &v);
		return rc < 0 ? rc
			      : secprof_set_resumption(m->profiles, id, (int)tag, (int)v, NULL,
						       NULL);
	}
	if (rc == 0)
		rc = want_args(req, 5);
	if (rc == 0 && (cmd_arg_copy(req, A_V2, sid, sizeof(sid)) < 0 ||
			cmd_arg_copy(req, A_V3, key, sizeof(key)) < 0))
		rc = -ENAMETOOLONG;
	if (rc == 0)
		rc = secprof_set_resumption(m->profiles, id, 2, 0, sid, key);
	OPENSSL_cleanse(key, sizeof(key));
	return rc;
}

static int read_int(struct at_req *req, struct modem *m, int id, int op)
{
	int v = 0;
	int rc = secprof_get_int(m->profiles, id, op, &v);

	if (rc == 0)
		cmd_reply(req, "+USECPRF", "%d,%d,%d", id, op, v);
	return rc;
}

static int read_str(struct at_req *req, struct modem *m, int id, int op)
{
	const char *s = NULL;
	int rc = secprof_get_str(m->profiles, id, op, &s);

	if (rc == 0)
		cmd_reply(req, "+USECPRF", "%d,%d,\"%s\"", id, op, s);
	return rc;
}

static bool printable(const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] < 0x20 || p[i] > 0x7e || p[i] == '"')
			return false;
	return true;
}

/* Op 9 reads back as written text, or as hex with ",1" if it is not printable. Op 8: -EACCES. */
static int read_bytes(struct at_req *req, struct modem *m, int id, int op)
{
	char hex[2 * SECPROF_PSK_ID_MAX + 1];
	const uint8_t *p = NULL;
	size_t len = 0;
	int rc = secprof_get_bytes(m->profiles, id, op, &p, &len);

	if (rc < 0)
		return rc;
	if (printable(p, len)) {
		cmd_reply(req, "+USECPRF", "%d,%d,\"%.*s\"", id, op, (int)len, (const char *)p);
		return 0;
	}
	hex_encode(p, len, hex, sizeof(hex));
	cmd_reply(req, "+USECPRF", "%d,%d,\"%s\",1", id, op, hex);
	return 0;
}

static int read_cipher(struct at_req *req, struct modem *m, int id, int op)
{
	struct buf b;
	int rc;

	buf_init(&b, 1024);
	rc = secprof_cipher_format(m->profiles, id, &b);
	if (rc == 0)
		cmd_reply(req, "+USECPRF", "%d,%d,%s", id, op, buf_cstr(&b));
	buf_finish(&b);
	return rc;
}

static int read_pinning(struct at_req *req, struct modem *m, int id, int op)
{
	const struct secprof *p = secprof_store_get(m->profiles, id);

	cmd_reply(req, "+USECPRF", "%d,%d,\"%s\",%d", id, op, p->pin_name, p->pin_level);
	return 0;
}

static int read_resumption(struct at_req *req, struct modem *m, int id, int op)
{
	const struct secprof *p = secprof_store_get(m->profiles, id);

	cmd_reply(req, "+USECPRF", "%d,%d,0,%d", id, op, p->resume_status);
	return 0;
}

typedef int prf_fn(struct at_req *req, struct modem *m, int id, int op);

static const struct {
	prf_fn *set, *read;
} prf_ops[SECPROF_OP_COUNT] = {
	[SECPROF_OP_VERIFY] = { set_int, read_int },
	[SECPROF_OP_TLS_MIN] = { set_int, read_int },
	[SECPROF_OP_CIPHER] = { set_cipher, read_cipher },
	[SECPROF_OP_CA_NAME] = { set_str, read_str },
	[SECPROF_OP_HOSTNAME] = { set_str, read_str },
	[SECPROF_OP_CC_NAME] = { set_str, read_str },
	[SECPROF_OP_PK_NAME] = { set_str, read_str },
	[SECPROF_OP_PK_PASSWORD] = { set_str, read_str },
	[SECPROF_OP_PSK] = { set_bytes, read_bytes },
	[SECPROF_OP_PSK_ID] = { set_bytes, read_bytes },
	[SECPROF_OP_SNI] = { set_str, read_str },
	[SECPROF_OP_ROT_PSK] = { set_int, read_int },
	[SECPROF_OP_PINNING] = { set_pinning, read_pinning },
	[SECPROF_OP_RESUMPTION] = { set_resumption, read_resumption },
	[SECPROF_OP_DEVICE_CERT] = { set_int, read_int },
};

/* A set or a reset (no op code) of one profile, persisted before the answer. */
static int prf_write(struct at_req *req, struct modem *m, int id)
{
	struct cmd_sec_txn t;
	int op, rc = cmd_sec_begin(m, SEC_PROFILES, &t);

	if (rc < 0)
		return rc;
	if (!at_arg_present(req, A_OP)) {
		rc = at_arg_count(req) > 1 ? -EINVAL : secprof_reset(m->profiles, id);
	} else {
		op = (int)at_arg_int(req, A_OP);
		rc = prf_ops[op].set(req, m, id, op);
	}
	return cmd_sec_end(m, &t, rc);
}

static enum at_rc handle_usecprf(struct at_req *req)
{
	struct modem *m = at_req_ctx(req);
	int id = (int)at_arg_int(req, A_ID), op, rc;

	if (at_req_op(req) == AT_OP_TEST) {
		cmd_reply(req, "+USECPRF", "(0-%d),(0-%d)", SECPROF_COUNT - 1,
			  SECPROF_OP_COUNT - 1);
		return AT_RC_OK;
	}
	if (at_arg_present(req, A_OP) && at_arg_count(req) == 2) {
		op = (int)at_arg_int(req, A_OP);
		rc = prf_ops[op].read(req, m, id, op);
	} else {
		rc = prf_write(req, m, id);
	}
	return rc < 0 ? cmd_fail(req, rc) : AT_RC_OK;
}

/* ---- +USECMNG ---- */

enum { M_OP = 0, M_TYPE, M_NAME, M_ARG, M_PW };

static int import_reply(struct at_req *req, int op, const struct sec_import *imp, const char *md5)
{
	return cmd_reply(req, "+USECMNG", "%d,%d,\"%s\",\"%s\"", op, imp->type, imp->name, md5);
}

static enum at_rc finish_import(struct at_req *req, int op, const void *data, size_t len)
{
	struct modem *m = at_req_ctx(req);
	struct sec_import *imp = &m->sec->imp;
	char md5[CREDSTORE_MD5_HEX_LEN + 1];
	struct cmd_sec_txn t;
	int rc = cmd_sec_begin(m, SEC_CREDS, &t);

	if (rc == 0)
		rc = cmd_sec_end(m, &t,
				 credstore_import(m->creds, imp->type, imp->name, data, len,
						  imp->has_password ? imp->password : NULL, md5));
	OPENSSL_cleanse(imp->password, sizeof(imp->password));
	if (rc < 0)
		return cmd_fail(req, rc); /* not persisted: no MD5, the store is as before */
	import_reply(req, op, imp, md5);
	return AT_RC_OK;
}

static enum at_rc handle_cred_data(struct at_req *req, const uint8_t *data, size_t len)
{
	return finish_import(req, 0, data, len);
}

/* Type and name (required by every op but 3) and the optional password into m->sec->imp. */
static int take_item(struct at_req *req, struct sec_import *imp)
{
	if (!at_arg_present(req, M_TYPE) || !at_arg_present(req, M_NAME))
		return -EINVAL;
	imp->type = (int)at_arg_int(req, M_TYPE);
	imp->has_password = at_arg_present(req, M_PW);
	if (cmd_arg_copy(req, M_NAME, imp->name, SEC_IMPORT_NAME_MAX + 1) < 0 ||
	    cmd_arg_copy(req, M_PW, imp->password, sizeof(imp->password)) < 0)
		return -ENAMETOOLONG;
	return 0;
}

static enum at_rc mng_import(struct at_req *req, struct modem *m)
{
	long size;
	int rc = take_item(req, &m->sec->imp);

	if (rc == 0)
		rc = arg_long(req, M_ARG, 1, CREDSTORE_ITEM_MAX, &size);
	if (rc < 0)
		return cmd_fail(req, rc);
	at_req_expect_data(req, '>', (size_t)size, handle_cred_data);
	return AT_RC_PENDING;
}

static enum at_rc mng_import_file(struct at_req *req, struct modem *m)
{
	char file[SEC_FILE_NAME_MAX + 1];
	const uint8_t *data;
	size_t len;
	int rc = take_item(req, &m->sec->imp);

	if (rc == 0 && (!at_arg_present(req, M_ARG) || !at_arg_quoted(req, M_ARG) ||
			cmd_arg_copy(req, M_ARG, file, sizeof(file)) < 0))
		rc = -EINVAL;
	if (rc == 0)
		rc = cmd_files_get(m->sec, file, &data, &len);
	if (rc < 0)
		return cmd_fail(req, rc);
	return finish_import(req, 1, data, len);
}

static enum at_rc mng_remove(struct at_req *req, struct modem *m)
{
	struct cmd_sec_txn t;
	int rc = at_arg_count(req) != 3 ? -EINVAL : take_item(req, &m->sec->imp);

	if (rc == 0)
		rc = cmd_sec_begin(m, SEC_CREDS, &t);
	if (rc == 0)
		rc = cmd_sec_end(m, &t,
				 credstore_remove(m->creds, m->sec->imp.type, m->sec->imp.name));
	return rc < 0 ? cmd_fail(req, rc) : AT_RC_OK; /* a missing name is an error (Q24) */
}

/* One unprefixed line per item (ublox-at.md §2.6). */
static enum at_rc mng_list(struct at_req *req, struct modem *m)
{
	int type = at_arg_present(req, M_TYPE) ? (int)at_arg_int(req, M_TYPE) : -1;
	struct buf b;
	int rc = at_arg_count(req) > 2 ? -EINVAL : 0;

	buf_init(&b, 64 * 1024);
	if (rc == 0)
		rc = credstore_list(m->creds, type, &b);
	for (const char *p = buf_cstr(&b), *nl; rc == 0 && p != NULL && *p != '\0'; p = nl + 1) {
		nl = strchr(p, '\n');
		if (nl == NULL)
			break;
		at_reply(req, "%.*s", (int)(nl - p), p);
	}
	buf_finish(&b);
	return rc < 0 ? cmd_fail(req, rc) : AT_RC_OK;
}

static enum at_rc mng_md5(struct at_req *req, struct modem *m)
{
	char md5[CREDSTORE_MD5_HEX_LEN + 1];
	int rc = at_arg_count(req) != 3 ? -EINVAL : take_item(req, &m->sec->imp);

	if (rc == 0)
		rc = credstore_md5(m->creds, m->sec->imp.type, m->sec->imp.name, md5);
	if (rc < 0)
		return cmd_fail(req, rc);
	import_reply(req, 4, &m->sec->imp, md5);
	return AT_RC_OK;
}

typedef enum at_rc mng_fn(struct at_req *req, struct modem *m);

static mng_fn *const mng_ops[] = { mng_import, mng_import_file, mng_remove, mng_list, mng_md5 };

static enum at_rc handle_usecmng(struct at_req *req)
{
	struct modem *m = at_req_ctx(req);

	if (at_req_op(req) == AT_OP_TEST) {
		cmd_reply(req, "+USECMNG", "(0-4),(0-5)");
		return AT_RC_OK;
	}
	if (faults_is_on(m->faults, FAULT_Q24) && !m->sec->files_listed) {
		log_info("+USECMNG before any +ULSTFILE: error 1912 (quirk Q24, fresh SARA-R422)");
		return cmd_fail(req, -ENOMEDIUM);
	}
	return mng_ops[at_arg_int(req, M_OP)](req, m);
}

static const struct at_param usecprf_params[] = {
	{ "profile_id", AT_P_INT, 0, 0, SECPROF_COUNT - 1, 0, NULL },
	{ "op_code", AT_P_INT, AT_PF_OPTIONAL, 0, SECPROF_OP_COUNT - 1, 0, NULL },
	{ "param_val1", AT_P_ANY, AT_PF_OPTIONAL, 0, 0, 0, NULL },
	{ "param_val2", AT_P_ANY, AT_PF_OPTIONAL, 0, 0, 0, NULL },
	{ "param_val3", AT_P_ANY, AT_PF_OPTIONAL, 0, 0, 0, NULL },
	{ "param_val4", AT_P_ANY, AT_PF_OPTIONAL, 0, 0, 0, NULL },
};
static const struct at_param usecmng_params[] = {
	{ "op_code", AT_P_INT, 0, 0, 4, 0, NULL },
	{ "type", AT_P_INT, AT_PF_OPTIONAL, 0, CREDSTORE_TYPE_COUNT - 1, 0, NULL },
	{ "internal_name", AT_P_STR, AT_PF_OPTIONAL, 1, SEC_IMPORT_NAME_MAX, 0, NULL },
	{ "data_size_or_filename", AT_P_ANY, AT_PF_OPTIONAL, 0, 0, 0, NULL },
	{ "password", AT_P_STR, AT_PF_OPTIONAL, 0, SEC_IMPORT_PW_MAX, 0, NULL },
};

static const struct at_cmd cmds[] = {
	{ "+USECMNG", AT_OP_SET | AT_OP_TEST, AT_PARAMS(usecmng_params), NULL, handle_usecmng,
	  "ublox-at.md 2.6; ubxlib u_security_credential.c" },
	{ "+USECPRF", AT_OP_SET | AT_OP_TEST, AT_PARAMS(usecprf_params), NULL, handle_usecprf,
	  "ublox-at.md 2.5; ubxlib u_cell_sec_tls.c" },
};

static const struct at_cmd_group group = { cmds, ARRAY_LEN(cmds) };

const struct cmd_module cmd_security_module = {
	.name = "security",
	.group = &group,
	.init = sec_init,
	.finish = sec_finish,
	.reset = sec_reset,
	.fault = cmd_rot_fault,
};
