/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Module personas: what differs between the emulated u-blox modules, as data.
 *
 * One static const table (persona.c) holds every supported model. Command handlers read the
 * flags; nothing else in the simulator compares model names.
 */
#ifndef SIM_PERSONA_H
#define SIM_PERSONA_H

#include <stdbool.h>
#include <stddef.h>

#define PERSONA_DEFAULT "SARA-R510M8S"

/* +UCGED? answer form (docs/at-commands.md, Radio): what each module prints and ubxlib parses. */
enum persona_ucged {
	PERSONA_UCGED_R5,   /* "+UCGED: 2", "<rat>,<svc>,<MCC>,<MNC>", LTE line, 36.133 indices */
	PERSONA_UCGED_R422, /* "+UCGED: 2", "<rat>,<MCC>,<MNC>", short LTE line in dBm/dB */
	PERSONA_UCGED_LARA_R6, /* "+UCGED: 2", "4,<svc>,<MCC>,<MNC>", LTE line in dBm/dB */
	PERSONA_UCGED_R4,      /* mode 5: "+RSRP: <pci>,<earfcn>,"<dBm>"," and "+RSRQ: ..." */
};

#define PERSONA_RATS_MAX 3

struct persona {
	const char *model;       /* name used by --model and the platform file */
	const char *family;      /* "SARA-R5", "SARA-R4", "SARA-R422", "LARA-R6" */
	const char *cgmm;        /* AT+CGMM answer */
	const char *cgmr;        /* AT+CGMR answer */
	const char *ati9;        /* ATI9 answer: "<modem fw>,<application fw>" */
	const char *fw_gen;      /* firmware generation named in the seed, e.g. "00B", "01B" */
	bool has_rot;            /* +USECROTUID / +USECPSK (E2E Symmetric KMS) */
	bool has_upsd;           /* +UPSD internal PSD profiles (context mapping) */
	bool has_upsda;          /* +UPSDA activation with +UUPSDA URC (SARA-R5 family, ALEX) */
	bool uauthreq_pwd_first; /* +UAUTHREQ=<cid>,<auth>,<pwd>,<user> (SARA-R4, LARA-R6) */
	bool colon_space;        /* "+CSQ: 20,99" vs "+CSQ:20,99" (quirks Q20) */
	bool cipher_list;        /* +USECPRF op 2 list form (100,...) */
	bool hexmode_persists;   /* +UDCONF=1 survives a reboot (SARA-R5 01B, quirks Q19) */
	int reboot_cfun;         /* the silent reset ubxlib uses: 16 (R5, LARA-R6) or 15 (R4) */
	unsigned upsv_modes;     /* bit n set: AT+UPSV=n accepted */
	unsigned max_sockets;
	unsigned max_secure_sockets; /* quirks Q22: 4 on SARA-R4 */
	unsigned sec_busy_ms;        /* after boot/reboot: RoT commands busy (quirks Q1, R422) */
	int tls_verify_default;      /* +USECPRF op 0 of a reset profile (quirks Q9) */
	int tls_min_default;         /* +USECPRF op 1 of a reset profile (quirks Q9) */
	/* Radio commands (sim/cmd/cmd_radio.c, issue 10). */
	enum persona_ucged ucged;
	unsigned ucged_modes; /* bit n: AT+UCGED=n accepted; 0: no set, read only (SARA-R5) */
	unsigned rats;        /* bit n: +URAT value n (u-blox numbering) accepted */
	unsigned rats_max;    /* RATs in one +URAT list */
	int rat_default[PERSONA_RATS_MAX]; /* factory +URAT list, -1 ends it */
	int rat_lte;          /* the +URAT value of the simulated cell's RAT (Cat-M1 / LTE) */
	bool has_bandmask;    /* +UBANDMASK */
	bool bandmask_two;    /* read shows <mask1>,<mask2> per RAT (bands 65..128), else <mask1> */
	int bandmask_rats[2]; /* its <rat>s: 0 Cat-M1, 1 NB-IoT; LARA-R6 2 (2G/3G), 3 (LTE) */
	int bandmask_cell;    /* index in bandmask_rats of the simulated cell's RAT */
	const unsigned long long (*bands_default)[2]; /* factory masks [rat index][mask 1, 2] */
	unsigned edrx_acts; /* bit n: +CEDRXS <AcT-type> n (4 Cat-M1, 5 NB-IoT) */
	bool ipr_autobaud;  /* AT+IPR=0 accepted */
	/* +CEDRXS? (ubxlib u_cell_pwr.c): a line per AcT even when off (SARA-R5); a bare
	 * "+CEDRXS:" when all are off (SARA-R41x); the +CEDRXP request (mode 2) is lost at a
	 * restart (SARA-R4 and R422: ubxlib sets it again at every power-on). */
	bool edrx_read_all, edrx_off_bare, edrx_urc_volatile;
};

/* Case-insensitive lookup; NULL when unknown. */
const struct persona *persona_find(const char *model);
const struct persona *persona_default(void);
size_t persona_count(void);
const struct persona *persona_at(size_t i);

#endif /* SIM_PERSONA_H */
