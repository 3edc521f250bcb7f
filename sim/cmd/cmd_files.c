/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Minimal module file system: +UDWNFILE (download through the '>' prompt), +ULSTFILE,
 * +UDELFILE, +URDFILE and +URDBLOCK (the data as raw bytes between quotes, counted by the size
 * before them: +URDFILE: "<name>",<size>,"<data>", what ubxlib's u_cell_file.c reads). Enough for
 * +USECMNG=1 (import a credential from a file). Files live in the NVM
 * ("files" section) and survive a reboot and a restart. Limits: SEC_FILES_MAX files of at most
 * SEC_FILE_SIZE_MAX bytes, SEC_FS_SPACE bytes in all. A missing file is "+CME ERROR: FILE NOT
 * FOUND" (1612), as on the module (seen by u-blox's C027 library and Sodaq's SARA-R4 one).
 */
#define LOG_MODULE "files"
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "buf.h"
#include "cmd.h"
#include "cmd_security.h"
#include "hex.h"
#include "image.h"
#include "log.h"
#include "modem.h"

#define IMAGE_MAGIC "ukms-files 1"

/* The slots are allocated at the first stored file: an idle fleet modem has none (9 KiB). */
static size_t file_slots(const struct cmd_sec_state *st)
{
	return st->files != NULL ? SEC_FILES_MAX : 0;
}

static struct sec_file *file_find(const struct cmd_sec_state *st, const char *name)
{
	for (size_t i = 0; i < file_slots(st); i++)
		if (st->files[i].used && strcmp(st->files[i].name, name) == 0)
			return (struct sec_file *)(uintptr_t)&st->files[i];
	return NULL;
}

static void file_clear(struct sec_file *f)
{
	if (f->data != NULL)
		OPENSSL_cleanse(f->data, f->len);
	free(f->data);
	memset(f, 0, sizeof(*f));
}

void cmd_files_clear(struct cmd_sec_state *st)
{
	for (size_t i = 0; i < file_slots(st); i++)
		file_clear(&st->files[i]);
	free(st->files);
	st->files = NULL;
}

int cmd_files_get(const struct cmd_sec_state *st, const char *name, const uint8_t **data,
		  size_t *len)
{
	const struct sec_file *f = file_find(st, name);

	if (f == NULL)
		return -ENODATA;
	*data = f->data;
	*len = f->len;
	return 0;
}

static size_t used_space(const struct cmd_sec_state *st, const char *except)
{
	size_t n = 0;

	for (size_t i = 0; i < file_slots(st); i++)
		if (st->files[i].used && (except == NULL || strcmp(st->files[i].name, except) != 0))
			n += st->files[i].len;
	return n;
}

static bool no_free_slot(const struct cmd_sec_state *st)
{
	for (size_t i = 0; i < file_slots(st); i++)
		if (!st->files[i].used)
			return false;
	return st->files != NULL;
}

/* Stores (or replaces) a file. Returns 0, -ENOSPC (no slot or no space) or -ENOMEM. */
static int file_put(struct cmd_sec_state *st, const char *name, const void *data, size_t len)
{
	struct sec_file *f = file_find(st, name);
	uint8_t *copy;

	if (used_space(st, name) + len > SEC_FS_SPACE)
		return -ENOSPC;
	if (st->files == NULL && (st->files = calloc(SEC_FILES_MAX, sizeof(*f))) == NULL)
		return -ENOMEM;
	for (size_t i = 0; f == NULL && i < SEC_FILES_MAX; i++)
		if (!st->files[i].used)
			f = &st->files[i];
	if (f == NULL)
		return -ENOSPC;
	copy = malloc(len > 0 ? len : 1);
	if (copy == NULL)
		return -ENOMEM;
	memcpy(copy, data, len);
	file_clear(f);
	f->used = true;
	snprintf(f->name, sizeof(f->name), "%s", name);
	f->data = copy;
	f->len = len;
	return 0;
}

/* ---- NVM image: "ukms-files 1" then "<name hex> <data hex|->" lines ---- */

int cmd_files_format(const struct cmd_sec_state *st, struct buf *out)
{
	int rc = buf_appendf(out, "%s\n", IMAGE_MAGIC);

	for (size_t i = 0; rc == 0 && i < file_slots(st); i++) {
		const struct sec_file *f = &st->files[i];

		if (!f->used)
			continue;
		rc = image_append_hex(out, f->name, strlen(f->name));
		if (rc == 0)
			rc = buf_appendf(out, " ");
		if (rc == 0)
			rc = image_append_hex(out, f->data, f->len);
		if (rc == 0)
			rc = buf_appendf(out, "\n");
	}
	return rc;
}

static int parse_line(void *ctx, char *line)
{
	struct cmd_sec_state *tmp = ctx;
	char name[SEC_FILE_NAME_MAX + 1];
	char *sp = strchr(line, ' ');
	uint8_t *data = NULL;
	size_t dlen;
	int n, rc = -EINVAL;

	if (sp == NULL || strchr(sp + 1, ' ') != NULL)
		return -EINVAL;
	*sp = '\0';
	n = hex_decode(line, strlen(line), (uint8_t *)name, SEC_FILE_NAME_MAX);
	if (n <= 0)
		return -EINVAL;
	name[n] = '\0';
	dlen = strcmp(sp + 1, "-") == 0 ? 0 : strlen(sp + 1) / 2;
	data = malloc(dlen + 1);
	if (data == NULL)
		return -ENOMEM;
	if (strlen(name) == (size_t)n && file_find(tmp, name) == NULL &&
	    (dlen == 0 || hex_decode(sp + 1, strlen(sp + 1), data, dlen) == (int)dlen) &&
	    dlen <= SEC_FILE_SIZE_MAX)
		rc = file_put(tmp, name, data, dlen);
	OPENSSL_cleanse(data, dlen + 1);
	free(data);
	return rc;
}

int cmd_files_parse(struct cmd_sec_state *st, const void *data, size_t len)
{
	struct cmd_sec_state *tmp = calloc(1, sizeof(*tmp));
	int rc = -ENOMEM;

	if (tmp == NULL)
		return rc;
	rc = image_parse(data, len, IMAGE_MAGIC, parse_line, tmp);
	if (rc == 0) {
		cmd_files_clear(st);
		st->files = tmp->files;
		tmp->files = NULL;
	}
	cmd_files_clear(tmp);
	free(tmp);
	return rc;
}

/* ---- AT handlers ---- */

static enum at_rc handle_file_data(struct at_req *req, const uint8_t *data, size_t len)
{
	struct modem *m = at_req_ctx(req);
	struct cmd_sec_txn t;
	int rc = cmd_sec_begin(m, SEC_FILES, &t);

	if (rc == 0)
		rc = cmd_sec_end(m, &t, file_put(m->sec, m->sec->imp.name, data, len));
	if (rc < 0)
		return cmd_fail(req, rc); /* not persisted: the file system is as before */
	log_info("file \"%s\" stored (%zu bytes)", m->sec->imp.name, len);
	return AT_RC_OK;
}

/* AT+UDWNFILE="<name>",<size>[,<tag>] -> '>' -> exactly <size> bytes. */
static enum at_rc handle_udwnfile(struct at_req *req)
{
	struct modem *m = at_req_ctx(req);
	struct cmd_sec_state *st = m->sec;
	size_t size = (size_t)at_arg_int(req, 1);

	if (cmd_arg_copy(req, 0, st->imp.name, sizeof(st->imp.name)) < 0)
		return cmd_fail(req, -EINVAL);
	if (used_space(st, st->imp.name) + size > SEC_FS_SPACE ||
	    (file_find(st, st->imp.name) == NULL && no_free_slot(st)))
		return cmd_fail(req, -ENOSPC);
	at_req_expect_data(req, '>', size, handle_file_data);
	return AT_RC_PENDING;
}

/* AT+ULSTFILE[=<op>[,"<name>"]]: 0 list names, 1 free space, 2 size of a file. */
static enum at_rc handle_ulstfile(struct at_req *req)
{
	struct modem *m = at_req_ctx(req);
	struct cmd_sec_state *st = m->sec;
	long op = at_req_op(req) == AT_OP_SET ? at_arg_int(req, 0) : 0;
	char name[SEC_FILE_NAME_MAX + 1];
	const struct sec_file *f;
	struct buf b;
	int rc = 0;

	st->files_listed = true; /* ends fault Q24's error 1912 of +USECMNG */
	if (op == 1) {
		cmd_reply(req, "+ULSTFILE", "%zu", SEC_FS_SPACE - used_space(st, NULL));
		return AT_RC_OK;
	}
	if (op == 2) {
		if (!at_arg_present(req, 1) || cmd_arg_copy(req, 1, name, sizeof(name)) < 0)
			return cmd_fail(req, -EINVAL);
		f = file_find(st, name);
		if (f == NULL)
			return cmd_fail(req, -ENODATA);
		cmd_reply(req, "+ULSTFILE", "%zu", f->len);
		return AT_RC_OK;
	}
	buf_init(&b, 16 * 1024);
	for (size_t i = 0; rc == 0 && i < file_slots(st); i++)
		if (st->files[i].used)
			rc = buf_appendf(&b, "%s\"%s\"", b.len > 0 ? "," : "", st->files[i].name);
	if (rc == 0)
		cmd_reply(req, "+ULSTFILE", "%s", b.len > 0 ? buf_cstr(&b) : "");
	buf_finish(&b);
	return rc < 0 ? cmd_fail(req, rc) : AT_RC_OK;
}

/* "+URDFILE: "<name>",<n>,"<n raw bytes>"" (or +URDBLOCK) with the persona's colon. */
static enum at_rc reply_file_data(struct at_req *req, const char *name, const uint8_t *data,
				  size_t len)
{
	struct modem *m = at_req_ctx(req);
	const char *prefix = at_req_cmd(req)->name;
	char head[SEC_FILE_NAME_MAX + 48];
	int rc;

	snprintf(head, sizeof(head), "%s%s\"%s\",%zu,\"", prefix, cmd_colon(m), name, len);
	rc = at_reply_data(req, head, data, len, "\"");
	return rc < 0 ? cmd_fail(req, rc) : AT_RC_OK;
}

/* The file named by argument 0 (name: SEC_FILE_NAME_MAX + 1 bytes). 0, -EINVAL or -ENODATA. */
static int arg_file(const struct at_req *req, char *name, const struct sec_file **out)
{
	const struct modem *m = at_req_ctx(req);

	if (cmd_arg_copy(req, 0, name, SEC_FILE_NAME_MAX + 1) < 0)
		return -EINVAL;
	*out = file_find(m->sec, name);
	return *out != NULL ? 0 : -ENODATA;
}

/* AT+URDFILE="<name>"[,<tag>]: the whole file; +CME ERROR 1612 when there is none. */
static enum at_rc handle_urdfile(struct at_req *req)
{
	char name[SEC_FILE_NAME_MAX + 1];
	const struct sec_file *f;
	int rc = arg_file(req, name, &f);

	return rc < 0 ? cmd_fail(req, rc) : reply_file_data(req, name, f->data, f->len);
}

/*
 * AT+URDBLOCK="<name>",<offset>,<size>: up to size bytes from offset; fewer at the end of the
 * file, none from an offset at or past it.
 */
static enum at_rc handle_urdblock(struct at_req *req)
{
	size_t off = (size_t)at_arg_int(req, 1), size = (size_t)at_arg_int(req, 2);
	char name[SEC_FILE_NAME_MAX + 1];
	const struct sec_file *f;
	int rc = arg_file(req, name, &f);

	if (rc < 0)
		return cmd_fail(req, rc);
	if (off >= f->len)
		return reply_file_data(req, name, NULL, 0);
	if (size > f->len - off)
		size = f->len - off;
	return reply_file_data(req, name, f->data + off, size);
}

static enum at_rc handle_udelfile(struct at_req *req)
{
	struct modem *m = at_req_ctx(req);
	char name[SEC_FILE_NAME_MAX + 1];
	struct sec_file *f;
	struct cmd_sec_txn t;
	int rc;

	if (cmd_arg_copy(req, 0, name, sizeof(name)) < 0)
		return cmd_fail(req, -EINVAL);
	f = file_find(m->sec, name);
	if (f == NULL)
		return cmd_fail(req, -ENODATA);
	rc = cmd_sec_begin(m, SEC_FILES, &t);
	if (rc == 0) {
		file_clear(f);
		rc = cmd_sec_end(m, &t, 0);
	}
	return rc < 0 ? cmd_fail(req, rc) : AT_RC_OK;
}

static const struct at_param udwnfile_params[] = {
	{ "filename", AT_P_STR, 0, 1, SEC_FILE_NAME_MAX, 0, NULL },
	{ "size", AT_P_INT, 0, 1, SEC_FILE_SIZE_MAX, 0, NULL },
	{ "tag", AT_P_STR, AT_PF_OPTIONAL, 0, 32, 0, NULL },
};
static const struct at_param ulstfile_params[] = {
	{ "op_code", AT_P_INT, 0, 0, 2, 0, NULL },
	{ "filename", AT_P_STR, AT_PF_OPTIONAL, 1, SEC_FILE_NAME_MAX, 0, NULL },
};
static const struct at_param urdfile_params[] = {
	{ "filename", AT_P_STR, 0, 1, SEC_FILE_NAME_MAX, 0, NULL },
	{ "tag", AT_P_STR, AT_PF_OPTIONAL, 0, 32, 0, NULL },
};
static const struct at_param urdblock_params[] = {
	{ "filename", AT_P_STR, 0, 1, SEC_FILE_NAME_MAX, 0, NULL },
	{ "offset", AT_P_INT, 0, 0, INT32_MAX, 0, NULL },
	{ "size", AT_P_INT, 0, 1, SEC_FILE_SIZE_MAX, 0, NULL },
};
static const struct at_param udelfile_params[] = {
	{ "filename", AT_P_STR, 0, 1, SEC_FILE_NAME_MAX, 0, NULL },
	{ "tag", AT_P_STR, AT_PF_OPTIONAL, 0, 32, 0, NULL },
};

static const struct at_cmd cmds[] = {
	{ "+UDELFILE", AT_OP_SET | AT_OP_TEST, AT_PARAMS(udelfile_params), "", handle_udelfile,
	  "u-blox AT manual +UDELFILE" },
	{ "+UDWNFILE", AT_OP_SET | AT_OP_TEST, AT_PARAMS(udwnfile_params), "", handle_udwnfile,
	  "u-blox AT manual +UDWNFILE" },
	{ "+ULSTFILE", AT_OP_EXEC | AT_OP_SET | AT_OP_TEST, AT_PARAMS(ulstfile_params), "",
	  handle_ulstfile, "u-blox AT manual +ULSTFILE" },
	{ "+URDBLOCK", AT_OP_SET | AT_OP_TEST, AT_PARAMS(urdblock_params), "", handle_urdblock,
	  "u-blox AT manual +URDBLOCK" },
	{ "+URDFILE", AT_OP_SET | AT_OP_TEST, AT_PARAMS(urdfile_params), "", handle_urdfile,
	  "u-blox AT manual +URDFILE" },
};

static const struct at_cmd_group group = { cmds, ARRAY_LEN(cmds) };

const struct cmd_module cmd_files_module = {
	.name = "files",
	.group = &group,
};
