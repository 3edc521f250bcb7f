/* SPDX-License-Identifier: Apache-2.0 */
#define LOG_MODULE "record"
#include "record.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "afile.h"
#include "buf.h"
#include "log.h"
#include "modem.h"
#include "persona.h"
#include "rot/platform.h"

#define PENDING_MAX (64u * 1024u) /* a host write or a module line longer is cut into steps */

struct record {
	struct modem *m;
	FILE *f;
	struct buf rx;    /* host bytes not written yet */
	struct buf tx;    /* module bytes of the current line */
	struct buf blank; /* empty lines since the last "~" step (part of a later "<" step) */
};

/* chat.py's TEXT escapes: \r \n \t \\ and \xNN for other non-printables. */
static void put_text(FILE *f, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (p[i] == '\r')
			fputs("\\r", f);
		else if (p[i] == '\n')
			fputs("\\n", f);
		else if (p[i] == '\t')
			fputs("\\t", f);
		else if (p[i] == '\\')
			fputs("\\\\", f);
		else if (p[i] < 0x20 || p[i] >= 0x7f)
			fprintf(f, "\\x%02X", p[i]);
		else
			fputc(p[i], f);
	}
}

/* A Python regular expression matching exactly these bytes. */
static void put_regex(FILE *f, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (p[i] < 0x20 || p[i] >= 0x7f)
			fprintf(f, "\\x%02x", p[i]);
		else if (strchr(".^$*+?{}[]\\|()", p[i]) != NULL)
			fprintf(f, "\\%c", p[i]);
		else
			fputc(p[i], f);
	}
}

static void step(struct record *r, const char *op, const struct buf *b, bool regex)
{
	fprintf(r->f, "%s ", op);
	if (regex)
		put_regex(r->f, b->data, b->len);
	else
		put_text(r->f, b->data, b->len);
	fputc('\n', r->f);
	fflush(r->f);
}

static void flush_rx(struct record *r)
{
	if (r->rx.len == 0)
		return;
	step(r, ">", &r->rx, false);
	buf_reset(&r->rx);
}

/* The module's partial line (a prompt) before the host answers it: an exact step. */
static void flush_prompt(struct record *r)
{
	if (r->tx.len == 0)
		return;
	buf_append(&r->blank, r->tx.data, r->tx.len);
	step(r, "<", &r->blank, false);
	buf_reset(&r->blank);
	buf_reset(&r->tx);
}

static void host_bytes(struct record *r, const uint8_t *p, size_t len)
{
	flush_prompt(r);
	for (size_t i = 0; i < len; i++) {
		if (buf_append(&r->rx, &p[i], 1) < 0) {
			flush_rx(r);
			buf_append(&r->rx, &p[i], 1);
		}
		if (p[i] == '\r')
			flush_rx(r); /* one step per command line */
	}
}

static void module_line(struct record *r)
{
	size_t n = r->tx.len;

	while (n > 0 && r->tx.data[n - 1] == '\r')
		n--;
	if (n == 0) {
		buf_append(&r->blank, r->tx.data, r->tx.len);
		buf_append(&r->blank, "\n", 1);
	} else {
		r->tx.len = n;
		step(r, "~", &r->tx, true);
		buf_reset(&r->blank);
	}
	buf_reset(&r->tx);
}

static void module_bytes(struct record *r, const uint8_t *p, size_t len)
{
	flush_rx(r);
	for (size_t i = 0; i < len; i++) {
		if (p[i] == '\n')
			module_line(r);
		else if (buf_append(&r->tx, &p[i], 1) < 0)
			module_line(r); /* a line past PENDING_MAX: matched in parts */
	}
}

static void handle_event(void *data, enum modem_ev ev, const uint8_t *bytes, size_t len)
{
	struct record *r = data;

	if (ev == MODEM_EV_RX)
		host_bytes(r, bytes, len);
	else if (ev == MODEM_EV_TX)
		module_bytes(r, bytes, len);
}

static void header(struct record *r)
{
	const struct modem *m = r->m;
	time_t now = time(NULL);
	char when[32];

	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	fprintf(r->f,
		"# Recorded by ukms-sim --record on %s: the host's session on the pty.\n"
		"# Replay: tests/sim/chat.py UKMS_SIM THIS_FILE (syntax at the top of chat.py).\n"
		"# Lines whose text changes from run to run (PSKs, counters, time, ports) need a\n"
		"# looser regex; a reboot or a registration URC may need a longer deadline.\n"
		"%%args --model %s --device %s --reg-delay-ms %u%s%s\n"
		"deadline 10000\n",
		when, m->persona->model, m->device->uid_hex, (unsigned)m->cfg.reg_delay_ms,
		m->cfg.platform_path != NULL ? " --platform " : "",
		m->cfg.platform_path != NULL ? m->cfg.platform_path : "");
	fflush(r->f);
}

struct record *record_create(struct modem *m, const char *path, char *err, size_t errlen)
{
	struct record *r = calloc(1, sizeof(*r));
	int fd = -1;

	if (r == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	r->m = m;
	buf_init(&r->rx, PENDING_MAX);
	buf_init(&r->tx, PENDING_MAX);
	buf_init(&r->blank, PENDING_MAX);
	fd = afile_open_secret_output(path, false, err, errlen); /* no symlink, 0600 */
	if (fd < 0)
		goto fail;
	r->f = fdopen(fd, "w");
	if (r->f == NULL) {
		snprintf(err, errlen, "--record %s: %s", path, strerror(errno));
		close(fd);
		goto fail;
	}
	if (modem_observe(m, handle_event, r) < 0) {
		snprintf(err, errlen, "--record: too many observers");
		goto fail;
	}
	header(r);
	log_info("recording the host's session to %s", path);
	return r;
fail:
	record_destroy(r);
	return NULL;
}

void record_destroy(struct record *r)
{
	if (r == NULL)
		return;
	modem_unobserve(r->m, handle_event, r);
	if (r->f != NULL) {
		flush_rx(r);
		if (r->tx.len > 0)
			flush_prompt(r);
		fclose(r->f);
	}
	buf_finish(&r->rx);
	buf_finish(&r->tx);
	buf_finish(&r->blank);
	free(r);
}
