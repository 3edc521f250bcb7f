/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The only place that frames AT output (style.md C9): echo, information lines, final result
 * codes in V1 (verbose) and V0 (numeric) form, Q1, +CMEE 0/1/2, prompts. Line ends come from
 * S3 (CR) and S4 (LF), as V.250 §6.2 requires.
 */
#define LOG_MODULE "at"
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "at_priv.h"

static void emit(struct at_engine *e, struct buf *b)
{
	if (b->len > 0 && !e->silent)
		e->cfg.output(e->cfg.output_data, b->data, b->len);
	buf_reset(b);
}

void at_out_flush_echo(struct at_engine *e)
{
	emit(e, &e->echo);
}

void at_out_echo(struct at_engine *e, uint8_t byte)
{
	if (!e->set.echo || e->silent)
		return;
	if (buf_append(&e->echo, &byte, 1) < 0) {
		at_out_flush_echo(e);
		(void)buf_append(&e->echo, &byte, 1);
	}
}

void at_out_raw(struct at_engine *e, const void *bytes, size_t len)
{
	at_out_flush_echo(e);
	if (len > 0 && !e->silent)
		e->cfg.output(e->cfg.output_data, bytes, len);
}

/* Appends to the frame; returns non-zero after an allocation failure. */
static int add(struct at_engine *e, const void *p, size_t len)
{
	return buf_append(&e->out, p, len) < 0;
}

static int add_eol(struct at_engine *e)
{
	char eol[2] = { (char)e->set.s[3], (char)e->set.s[4] };

	return add(e, eol, sizeof(eol));
}

static void send_frame(struct at_engine *e, int err)
{
	at_out_flush_echo(e);
	if (err) {
		log_error("reply: out of memory, frame dropped");
		buf_reset(&e->out);
		return;
	}
	emit(e, &e->out);
}

void at_out_info(struct at_engine *e, const struct at_span parts[3])
{
	int err = 0;

	if (e->set.verbose)
		err |= add_eol(e);
	for (size_t i = 0; i < 3; i++)
		err |= add(e, parts[i].p, parts[i].len);
	err |= add_eol(e);
	send_frame(e, err);
}

/* V0 (numeric) form: "0" OK, "4" ERROR, each followed by S3 only (V.250 §5.7.1). */
static int add_final_v0(struct at_engine *e, enum at_final f, int cme)
{
	char cr = (char)e->set.s[3];
	int err;

	if (f == AT_FINAL_OK || f == AT_FINAL_ERROR)
		return add(e, f == AT_FINAL_OK ? "0" : "4", 1) | add(e, &cr, 1);
	/* No numeric code exists for these: text lines without the leading S3 S4. */
	if (f == AT_FINAL_ABORTED)
		err = buf_appendf(&e->out, "ABORTED") < 0;
	else if (e->set.cmee == 2)
		err = buf_appendf(&e->out, "+CME ERROR: %s", at_cme_text(e, cme)) < 0;
	else
		err = buf_appendf(&e->out, "+CME ERROR: %d", cme) < 0;
	return err | add_eol(e);
}

static int add_final_v1(struct at_engine *e, enum at_final f, int cme)
{
	static const char *const words[] = {
		[AT_FINAL_OK] = "OK",
		[AT_FINAL_ERROR] = "ERROR",
		[AT_FINAL_ABORTED] = "ABORTED",
	};
	int err = add_eol(e);

	if (f != AT_FINAL_CME)
		err |= buf_appendf(&e->out, "%s", words[f]) < 0;
	else if (e->set.cmee == 2)
		err |= buf_appendf(&e->out, "+CME ERROR: %s", at_cme_text(e, cme)) < 0;
	else
		err |= buf_appendf(&e->out, "+CME ERROR: %d", cme) < 0;
	return err | add_eol(e);
}

void at_out_final(struct at_engine *e, enum at_final f, int cme)
{
	int err;

	if (f == AT_FINAL_CME && e->set.cmee == 0)
		f = AT_FINAL_ERROR;
	if (e->set.quiet) {
		at_out_flush_echo(e);
		return;
	}
	err = e->set.verbose ? add_final_v1(e, f, cme) : add_final_v0(e, f, cme);
	send_frame(e, err);
}

void at_out_prompt(struct at_engine *e, char prompt)
{
	int err = add_eol(e) | add(e, &prompt, 1);

	send_frame(e, err);
}

int at_reply(struct at_req *req, const char *fmt, ...)
{
	va_list ap;
	char *text = NULL;
	int n, rc = -ENOSPC;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || n > AT_REPLY_MAX)
		goto out;
	rc = -ENOMEM;
	text = malloc((size_t)n + 1);
	if (text == NULL)
		goto out;
	va_start(ap, fmt);
	(void)vsnprintf(text, (size_t)n + 1, fmt, ap);
	va_end(ap);
	rc = at_reply_data(req, text, NULL, 0, "");
out:
	if (text != NULL)
		explicit_bzero(text, (size_t)n + 1); /* replies may carry PSKs */
	free(text);
	return rc;
}

int at_reply_data(struct at_req *req, const char *prefix, const uint8_t *data, size_t len,
		  const char *suffix)
{
	struct at_span parts[3] = {
		{ prefix != NULL ? prefix : "", prefix != NULL ? strlen(prefix) : 0 },
		{ (const char *)data, data != NULL ? len : 0 },
		{ suffix != NULL ? suffix : "", suffix != NULL ? strlen(suffix) : 0 },
	};

	if (req == NULL || req->e == NULL)
		return -EINVAL;
	if (parts[0].len + parts[1].len + parts[2].len > AT_REPLY_MAX)
		return -ENOSPC;
	at_out_info(req->e, parts);
	return 0;
}

enum at_rc at_fail(struct at_req *req, int cme)
{
	if (req != NULL)
		req->cme = cme;
	return AT_RC_CME;
}
