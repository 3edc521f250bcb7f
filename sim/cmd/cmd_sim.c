/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The simulated SIM's elementary files through +CRSM (3GPP 27.007 8.18): READ BINARY and
 * UPDATE BINARY of the transparent EFs a host library touches, with the status words of a
 * UICC (ETSI TS 102 221 10.2.1) in sw1,sw2:
 *	EF FPLMN 6F7B  12 bytes (4 PLMNs), read/update, kept in the NVM ("sim" section);
 *	EF IMSI  6F07  9 bytes from the device's IMSI, read only (update: 69 82);
 *	EF ICCID 2FE2  10 bytes from the device's ICCID, read only.
 * Unknown file: 6A 82; READ/UPDATE RECORD on these transparent files: 69 81; other commands
 * (GET RESPONSE, STATUS, RETRIEVE/SET DATA): 6D 00; offset beyond the file: 6B 00; a length
 * past its end or data not of length P3: 67 00 (what ubxlib's FPLMN size probe expects).
 */
#define LOG_MODULE "sim"
#include "cmd_sim.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cmd.h"
#include "cmd_security.h"
#include "hex.h"
#include "log.h"
#include "modem.h"
#include "nvm.h"
#include "rot/platform.h"

#define EF_FPLMN     0x6F7B
#define EF_IMSI      0x6F07
#define EF_ICCID     0x2FE2
#define FPLMN_SIZE   12
#define EF_SIZE_MAX  16
#define NVM_SECTION  "sim"
#define IMAGE_PREFIX "fplmn "

enum crsm_cmd {
	CRSM_READ_BINARY = 176,
	CRSM_READ_RECORD = 178,
	CRSM_UPDATE_BINARY = 214,
	CRSM_UPDATE_RECORD = 220,
};

/* Status words (ETSI TS 102 221 10.2.1). */
#define SW_OK             0x9000
#define SW_WRONG_LENGTH   0x6700
#define SW_INCOMPATIBLE   0x6981 /* command incompatible with file structure */
#define SW_SECURITY       0x6982 /* security status not satisfied */
#define SW_FILE_NOT_FOUND 0x6A82
#define SW_WRONG_P1P2     0x6B00
#define SW_INS_UNKNOWN    0x6D00

struct cmd_sim_state {
	uint8_t fplmn[FPLMN_SIZE];
};

/* BCD with swapped nibbles, 'F' padded (3GPP 31.102 4.2.2 / ETSI 102 221 13.2). */
static size_t bcd_swapped(const char *digits, uint8_t first_low, bool with_first, uint8_t *out,
			  size_t cap)
{
	uint8_t nibbles[2 * EF_SIZE_MAX];
	size_t n = 0;

	if (with_first)
		nibbles[n++] = first_low;
	for (const char *d = digits; *d != '\0' && n < sizeof(nibbles); d++)
		nibbles[n++] = (uint8_t)(*d >= '0' && *d <= '9' ? *d - '0' : 0xF);
	for (size_t i = 0; i < cap; i++) {
		uint8_t lo = 2 * i < n ? nibbles[2 * i] : 0xF;
		uint8_t hi = 2 * i + 1 < n ? nibbles[2 * i + 1] : 0xF;

		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return cap;
}

/* The current contents of an EF into out; returns its size, or -ENOENT. */
static int ef_read(const struct modem *m, long id, uint8_t *out)
{
	size_t len = strlen(m->device->imsi);

	switch (id) {
	case EF_FPLMN:
		memcpy(out, m->sim->fplmn, FPLMN_SIZE);
		return FPLMN_SIZE;
	case EF_IMSI: /* length byte, then parity nibble (9 odd, 1 even) and the digits */
		out[0] = (uint8_t)((len + 2) / 2);
		return (int)bcd_swapped(m->device->imsi, len % 2 ? 9 : 1, true, out + 1, 8) + 1;
	case EF_ICCID:
		return (int)bcd_swapped(m->device->iccid, 0, false, out, 10);
	default:
		return -ENOENT;
	}
}

struct cmd_sim_state *cmd_sim_state_create(void)
{
	struct cmd_sim_state *st = calloc(1, sizeof(*st));

	if (st != NULL)
		memset(st->fplmn, 0xFF, FPLMN_SIZE);
	return st;
}

void cmd_sim_state_destroy(struct cmd_sim_state *st)
{
	free(st);
}

int cmd_sim_format(const struct cmd_sim_state *st, struct buf *out)
{
	char hex[2 * FPLMN_SIZE + 1];

	hex_encode(st->fplmn, FPLMN_SIZE, hex, sizeof(hex));
	return buf_appendf(out, "%s%s\n", IMAGE_PREFIX, hex);
}

int cmd_sim_parse(struct cmd_sim_state *st, const void *data, size_t len)
{
	const char *text = data;
	size_t pre = strlen(IMAGE_PREFIX);
	uint8_t fplmn[FPLMN_SIZE];

	if (len != pre + 2 * FPLMN_SIZE + 1 || memcmp(text, IMAGE_PREFIX, pre) != 0 ||
	    text[len - 1] != '\n' ||
	    hex_decode(text + pre, 2 * FPLMN_SIZE, fplmn, FPLMN_SIZE) != FPLMN_SIZE)
		return -EINVAL;
	memcpy(st->fplmn, fplmn, FPLMN_SIZE);
	return 0;
}

static int persist(struct modem *m)
{
	struct buf b;
	int rc;

	if (m->sec == NULL || m->sec->nvm == NULL)
		return 0;
	buf_init(&b, 64);
	rc = cmd_sim_format(m->sim, &b);
	if (rc == 0)
		rc = nvm_store(m->sec->nvm, NVM_SECTION, b.data, b.len);
	if (rc < 0)
		log_error("NVM not written: %s", strerror(-rc));
	buf_finish(&b);
	return rc;
}

/* UPDATE BINARY: only EF FPLMN is writable (EF IMSI / ICCID need ADM). Returns the SW. */
static int ef_update(struct modem *m, long id, size_t off, const uint8_t *data, size_t len)
{
	uint8_t old[FPLMN_SIZE];

	if (id != EF_FPLMN)
		return SW_SECURITY;
	if (off + len > FPLMN_SIZE)
		return SW_WRONG_LENGTH;
	memcpy(old, m->sim->fplmn, sizeof(old));
	memcpy(m->sim->fplmn + off, data, len);
	if (persist(m) < 0) {
		memcpy(m->sim->fplmn, old, sizeof(old)); /* 65 81: memory problem */
		return 0x6581;
	}
	return SW_OK;
}

static enum at_rc reply(struct at_req *req, int sw, const uint8_t *data, size_t len)
{
	char hex[2 * EF_SIZE_MAX + 1] = "";

	if (len > 0)
		hex_encode(data, len, hex, sizeof(hex));
	cmd_reply(req, "+CRSM", "%d,%d,\"%s\"", sw >> 8, sw & 0xFF, hex);
	return AT_RC_OK;
}

/* AT+CRSM=<command>[,<fileid>[,<P1>,<P2>,<P3>[,<data>[,<pathid>]]]] */
static enum at_rc handle_crsm(struct at_req *req)
{
	struct modem *m = at_req_ctx(req);
	long cmd = at_arg_int(req, 0), id = at_arg_int(req, 1);
	size_t off = (size_t)(at_arg_int(req, 2) << 8 | at_arg_int(req, 3));
	size_t p3 = (size_t)at_arg_int(req, 4);
	uint8_t ef[EF_SIZE_MAX], data[256];
	int size, n;

	if (netsim_fun(m->net) == 19)
		return cmd_fail(req, -ENXIO); /* SIM off */
	if (cmd != CRSM_READ_BINARY && cmd != CRSM_UPDATE_BINARY && cmd != CRSM_READ_RECORD &&
	    cmd != CRSM_UPDATE_RECORD)
		return reply(req, SW_INS_UNKNOWN, NULL, 0);
	if (!at_arg_present(req, 1))
		return cmd_fail(req, -EINVAL);
	size = ef_read(m, id, ef);
	if (size < 0)
		return reply(req, SW_FILE_NOT_FOUND, NULL, 0);
	if (cmd == CRSM_READ_RECORD || cmd == CRSM_UPDATE_RECORD)
		return reply(req, SW_INCOMPATIBLE, NULL, 0);
	if (off >= (size_t)size)
		return reply(req, SW_WRONG_P1P2, NULL, 0);
	if (cmd == CRSM_READ_BINARY) {
		if (p3 == 0) /* Le 0: up to the end of the file */
			p3 = (size_t)size - off;
		if (off + p3 > (size_t)size)
			return reply(req, SW_WRONG_LENGTH, NULL, 0);
		return reply(req, SW_OK, ef + off, p3);
	}
	n = at_arg_present(req, 5) ? at_arg_hex(req, 5, data, sizeof(data)) : 0;
	if (n < 0 || (size_t)n != p3 || p3 == 0)
		return reply(req, SW_WRONG_LENGTH, NULL, 0);
	return reply(req, ef_update(m, id, off, data, p3), NULL, 0);
}

/* After the security module (it opens the NVM): the SIM's FPLMN, empty (all FF) at first. */
static int sim_init(struct modem *m)
{
	const uint8_t *data;
	size_t len;

	m->sim = cmd_sim_state_create();
	if (m->sim == NULL)
		return -ENOMEM;
	if (m->sec == NULL || m->sec->nvm == NULL ||
	    nvm_get(m->sec->nvm, NVM_SECTION, &data, &len) < 0)
		return 0;
	if (cmd_sim_parse(m->sim, data, len) < 0) {
		log_error("%s/%s: section \"%s\" is corrupt; refusing to start, file left as is",
			  nvm_dir(m->sec->nvm), NVM_FILE, NVM_SECTION);
		return -EINVAL;
	}
	return 0;
}

static void sim_finish(struct modem *m)
{
	cmd_sim_state_destroy(m->sim);
	m->sim = NULL;
}

static const long crsm_commands[] = { 176, 178, 192, 203, 214, 219, 220, 242, LONG_MIN };

static const struct at_param crsm_params[] = {
	{ "command", AT_P_ENUM, 0, 0, 0, 0, crsm_commands },
	{ "fileid", AT_P_INT, AT_PF_OPTIONAL, 0, 65535, 0, NULL },
	{ "P1", AT_P_INT, AT_PF_OPTIONAL, 0, 255, 0, NULL },
	{ "P2", AT_P_INT, AT_PF_OPTIONAL, 0, 255, 0, NULL },
	{ "P3", AT_P_INT, AT_PF_OPTIONAL, 0, 255, 0, NULL },
	{ "data", AT_P_HEX, AT_PF_OPTIONAL, 0, 255, 0, NULL },
	{ "pathid", AT_P_STR, AT_PF_OPTIONAL, 0, 16, 0, NULL },
};

static const struct at_cmd cmds[] = {
	{ "+CRSM", AT_OP_SET | AT_OP_TEST, AT_PARAMS(crsm_params), "", handle_crsm,
	  "3GPP 27.007 8.18; ETSI TS 102 221 10.2.1" },
};

static const struct at_cmd_group group = { cmds, ARRAY_LEN(cmds) };

const struct cmd_module cmd_sim_module = {
	.name = "sim",
	.group = &group,
	.init = sim_init,
	.finish = sim_finish,
};
