/* SPDX-License-Identifier: Apache-2.0 */
/*
 * State of the radio command group (cmd_radio.c) and its NVM section "radio"
 * (cmd_radio_nvm.c). Private to sim/cmd.
 */
#ifndef SIM_CMD_CMD_RADIO_H
#define SIM_CMD_CMD_RADIO_H

#include <stdbool.h>
#include <stddef.h>

#include "persona.h"

struct buf;
struct modem;

#define EDRX_ACTS     8  /* 27.007 <AcT-type> 0..7 */
#define CSGT_TEXT_MAX 49 /* +CSGT greeting text (u-blox limit) */

struct edrx {
	int mode;      /* 0 off, 1 on, 2 on with +CEDRXP */
	char value[5]; /* requested eDRX cycle, 4 bits as text */
	char ptw[5];   /* requested paging time window (SARA-R5 form) */
};

struct cmd_radio_state {
	int ucged_mode;                     /* +UCGED=<mode>; not kept over a reboot */
	int cscon_n;                        /* +CSCON=<n>; not kept over a reboot */
	struct edrx edrx[EDRX_ACTS];        /* NVM */
	int rat[PERSONA_RATS_MAX];          /* +URAT as set (NVM), -1 ends */
	unsigned long long bands[2][2];     /* +UBANDMASK [rat 0/1][mask 1/2] as set (NVM) */
	int cpsms_mode;                     /* +CPSMS (NVM): 0 off, 1 on */
	char cpsms_tau[9], cpsms_active[9]; /* requested T3412 / T3324, 8 bits as text */
	int csgt_mode;                      /* +CSGT (NVM) */
	char csgt_text[CSGT_TEXT_MAX + 1];
	int rat_active[PERSONA_RATS_MAX]; /* what the module runs with: taken at boot */
	unsigned long long bands_active[2][2];
};

/* The "radio" section image: text, one record a line (cmd_radio_nvm.c). */
int cmd_radio_format(const struct cmd_radio_state *r, struct buf *b);
/* Parses an image into r; on error r is unchanged. Returns 0 or -EINVAL/-ENOMEM. */
int cmd_radio_parse(struct cmd_radio_state *r, const void *data, size_t len);
/*
 * Writes the section and commits the NVM (the module keeps these at once). Returns 0 or
 * -errno; on failure the NVM holds what it held before and the caller undoes its change.
 */
int cmd_radio_persist(struct modem *m);
/* +CPSMS factory values: off, T3412 "01100000", T3324 "00000000". */
void cmd_radio_cpsms_factory(struct cmd_radio_state *r);
/* s is exactly n binary digits. */
bool cmd_radio_is_bits(const char *s, size_t n);
/* A decimal number in 0..max (no sign, no junk). Returns 0 or -EINVAL. */
int cmd_radio_number(const char *s, unsigned long long max, unsigned long long *out);

#endif /* SIM_CMD_CMD_RADIO_H */
