/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Command line -> struct modem_config, in one place, validated. Read-only after parsing.
 * Strings point into argv (borrowed for the life of the process).
 */
#ifndef SIM_CONFIG_H
#define SIM_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "log.h"

#define CONFIG_REG_DELAY_DEFAULT    2000u
#define CONFIG_SEAL_DELAY_DEFAULT   1500u /* seal request -> +USECDEVINFO 1,1,1 (quirks Q2) */
#define CONFIG_SEAL_DELAY_MAX       600000u
#define CONFIG_UNSEALED_CME_DEFAULT 3 /* operation not allowed (quirks Q3) */
#define CONFIG_UNSEALED_CME_MAX     65535
#define CONFIG_SEC_BUSY_MAX         600000u
#define CONFIG_SEC_BUSY_PERSONA     (-1)   /* sec_busy_ms: the persona's window (quirks Q1) */
#define CONFIG_FAULTS_MAX           32     /* --fault given at most this often */
#define CONFIG_RRC_IDLE_DEFAULT     10000u /* RRC inactivity release (+CSCON) */
#define CONFIG_RRC_IDLE_MAX         3600000u
#define CONFIG_FLEET_MAX            10000u

struct modem_config {
	const char *model;         /* --model, NULL when not given */
	const char *platform_path; /* --platform, NULL: built-in demo platform */
	const char *device;        /* --device UID|IMEI, NULL: first device of the model */
	const char *link;          /* --link */
	bool headless;
	enum log_level log_level;
	const char *log_file;
	uint32_t reg_delay_ms;
	const char *state_dir;  /* --state-dir (used by the security work) */
	bool ephemeral;         /* --ephemeral: keep no state on disk */
	const char *pcap_path;  /* --pcap FILE: socket traffic as pcap (cmd_socket) */
	uint32_t seal_delay_ms; /* --seal-delay-ms: seal request -> sealed (cmd_rot) */
	int unsealed_cme;       /* --unsealed-cme: +CME code of +USECPSK/+USECDEVCERT unsealed */
	long sec_busy_ms;       /* --sec-busy-ms: RoT commands busy after boot, or -1 (persona) */
	const char *apns;       /* --apn LIST: APNs the simulated network serves, NULL: default */
	uint32_t rrc_idle_ms;   /* --rrc-idle-ms: RRC released after this long without traffic */
	const char *faults[CONFIG_FAULTS_MAX]; /* --fault NAME[:k=v,...], checked (sim/fault.h) */
	size_t n_faults;
	uint64_t seed;            /* --seed N: the fault PRNG's seed (default 0) */
	unsigned fleet;           /* --fleet N: N modems in one loop (sim/fleet.h); 0: one modem */
	const char *control_path; /* --control PATH: JSON Lines control socket (sim/control.h) */
	const char *keylog_path;  /* --keylog FILE: (D)TLS secrets, NSS key log format */
	const char *record_path;  /* --record FILE: the host's session as a .chat script */
};

enum config_result {
	CONFIG_RUN = 0,  /* start the modem */
	CONFIG_EXIT = 1, /* --help / --version printed: exit 0 */
};

/* The defaults of every option (what config_parse starts from). */
void config_defaults(struct modem_config *cfg);

/*
 * Parses argv into cfg (defaults first). Help and version text go to out. Returns
 * CONFIG_RUN, CONFIG_EXIT, or -EINVAL with a one-line message in err.
 */
int config_parse(struct modem_config *cfg, int argc, char **argv, FILE *out, char *err,
		 size_t errlen);
void config_usage(FILE *out);

#endif /* SIM_CONFIG_H */
