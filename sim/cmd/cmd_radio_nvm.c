/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The "radio" NVM section of cmd_radio.c: +CEDRXS, +CPSMS, +URAT, +UBANDMASK and +CSGT as a
 * versioned text image (sim/net/image.h), parsed strictly into a scratch copy (fuzz_radio).
 */
#define LOG_MODULE "cmd"
#include "cmd_radio.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cmd.h"
#include "cmd_security.h"
#include "hex.h"
#include "image.h"
#include "log.h"
#include "modem.h"
#include "nvm.h"

/* ---- NVM section "radio": +CEDRXS, +URAT, +UBANDMASK ---- */

#define RADIO_MAGIC "ukms-radio 1"

int cmd_radio_format(const struct cmd_radio_state *r, struct buf *b)
{
	int rc = buf_appendf(b, "%s\nrat", RADIO_MAGIC);

	for (int i = 0; rc == 0 && i < PERSONA_RATS_MAX && r->rat[i] >= 0; i++)
		rc = buf_appendf(b, " %d", r->rat[i]);
	for (int i = 0; rc == 0 && i < 2; i++)
		rc = buf_appendf(b, "\nbands %d %llu %llu", i, r->bands[i][0], r->bands[i][1]);
	if (rc == 0)
		rc = buf_appendf(b, "\ncpsms %d %s %s", r->cpsms_mode, r->cpsms_tau,
				 r->cpsms_active);
	if (rc == 0)
		rc = buf_appendf(b, "\ncsgt %d ", r->csgt_mode);
	if (rc == 0)
		rc = image_append_hex(b, r->csgt_text, strlen(r->csgt_text));
	for (int a = 0; rc == 0 && a < EDRX_ACTS; a++)
		if (r->edrx[a].value[0] != '\0')
			rc = buf_appendf(b, "\nedrx %d %d %s %s", a, r->edrx[a].mode,
					 r->edrx[a].value, r->edrx[a].ptw);
	return rc == 0 ? buf_appendf(b, "\n") : rc;
}

/* A word of n binary digits. */
bool cmd_radio_is_bits(const char *s, size_t n)
{
	return strlen(s) == n && strspn(s, "01") == n;
}

static bool is_bits4(const char *s)
{
	return cmd_radio_is_bits(s, 4);
}

int cmd_radio_number(const char *s, unsigned long long max, unsigned long long *out)
{
	char *end = NULL;

	if (s == NULL || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return errno != 0 || *end != '\0' || *out > max ? -EINVAL : 0;
}

/* "csgt <mode> <hex text | ->": printable text only, as +CSGT accepts. */
static int csgt_line(struct cmd_radio_state *r, int mode, const char *hex)
{
	char text[CSGT_TEXT_MAX + 1];
	int len = 0;

	if (strcmp(hex, "-") != 0) {
		len = hex_decode(hex, strlen(hex), (uint8_t *)text, CSGT_TEXT_MAX);
		if (len <= 0)
			return -EINVAL;
	}
	text[len] = '\0';
	for (int i = 0; i < len; i++)
		if (text[i] < 0x20 || text[i] > 0x7e || text[i] == '"')
			return -EINVAL;
	r->csgt_mode = mode;
	memcpy(r->csgt_text, text, (size_t)len + 1);
	return 0;
}

/* One record of the image into r (a scratch copy). */
static int radio_line(void *ctx, char *line)
{
	struct cmd_radio_state *r = ctx;
	char *save = NULL, *w[6] = { NULL };
	unsigned long long v[3];
	size_t n = 0;

	for (char *t = strtok_r(line, " ", &save); t != NULL; t = strtok_r(NULL, " ", &save))
		if (n < ARRAY_LEN(w))
			w[n++] = t;
		else
			return -EINVAL;
	if (n >= 1 && n <= 1 + PERSONA_RATS_MAX && strcmp(w[0], "rat") == 0) {
		for (size_t i = 0; i < PERSONA_RATS_MAX; i++)
			if (i + 1 >= n)
				r->rat[i] = -1;
			else if (cmd_radio_number(w[i + 1], 31, &v[0]) < 0)
				return -EINVAL;
			else
				r->rat[i] = (int)v[0];
		return 0;
	}
	if (n == 4 && strcmp(w[0], "bands") == 0 && cmd_radio_number(w[1], 1, &v[0]) == 0 &&
	    cmd_radio_number(w[2], ULLONG_MAX, &v[1]) == 0 &&
	    cmd_radio_number(w[3], ULLONG_MAX, &v[2]) == 0) {
		r->bands[v[0]][0] = v[1];
		r->bands[v[0]][1] = v[2];
		return 0;
	}
	if (n == 4 && strcmp(w[0], "cpsms") == 0 && cmd_radio_number(w[1], 1, &v[0]) == 0 &&
	    cmd_radio_is_bits(w[2], 8) && cmd_radio_is_bits(w[3], 8)) {
		r->cpsms_mode = (int)v[0];
		memcpy(r->cpsms_tau, w[2], 9);
		memcpy(r->cpsms_active, w[3], 9);
		return 0;
	}
	if (n == 3 && strcmp(w[0], "csgt") == 0 && cmd_radio_number(w[1], 1, &v[0]) == 0)
		return csgt_line(r, (int)v[0], w[2]);
	if (n == 5 && strcmp(w[0], "edrx") == 0 &&
	    cmd_radio_number(w[1], EDRX_ACTS - 1, &v[0]) == 0 &&
	    cmd_radio_number(w[2], 2, &v[1]) == 0 && is_bits4(w[3]) && is_bits4(w[4])) {
		r->edrx[v[0]].mode = (int)v[1];
		memcpy(r->edrx[v[0]].value, w[3], 5);
		memcpy(r->edrx[v[0]].ptw, w[4], 5);
		return 0;
	}
	return -EINVAL;
}

int cmd_radio_parse(struct cmd_radio_state *r, const void *data, size_t len)
{
	struct cmd_radio_state tmp = *r;
	int rc = image_parse(data, len, RADIO_MAGIC, radio_line, &tmp);

	if (rc == 0)
		*r = tmp;
	return rc;
}

/* +CPSMS factory values (host-transcripts.md (b)): off, T3412 "01100000", T3324 "00000000". */
void cmd_radio_cpsms_factory(struct cmd_radio_state *r)
{
	r->cpsms_mode = 0;
	memcpy(r->cpsms_tau, "01100000", 9);
	memcpy(r->cpsms_active, "00000000", 9);
}

int cmd_radio_image_roundtrip(const void *data, size_t len, struct buf *out)
{
	struct cmd_radio_state r = { .rat = { -1, -1, -1 } };
	int rc;

	cmd_radio_cpsms_factory(&r);
	rc = cmd_radio_parse(&r, data, len);

	return rc < 0 ? rc : cmd_radio_format(&r, out);
}

/* Writes the section and commits (the module keeps these in its NVM at once). */
int cmd_radio_persist(struct modem *m)
{
	struct buf b;
	int rc;

	if (m->sec == NULL || m->sec->nvm == NULL)
		return 0;
	buf_init(&b, 4096);
	rc = cmd_radio_format(m->radio, &b);
	if (rc == 0)
		rc = nvm_store(m->sec->nvm, "radio", b.data, b.len); /* undone on failure */
	buf_finish(&b);
	if (rc < 0)
		log_error("NVM not written: %s", strerror(-rc));
	return rc;
}
