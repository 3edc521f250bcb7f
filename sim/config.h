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

#define CONFIG_REG_DELAY_DEFAULT 2000u

struct modem_config {
	const char *model;         /* --model, NULL when not given */
	const char *platform_path; /* --platform, NULL: built-in demo platform */
	const char *device;        /* --device UID|IMEI, NULL: first device of the model */
	const char *link;          /* --link */
	bool headless;
	enum log_level log_level;
	const char *log_file;
	uint32_t reg_delay_ms;
	const char *state_dir; /* --state-dir (used by the security work) */
	bool ephemeral;        /* --ephemeral: keep no state on disk */
	const char *pcap_path;  /* --pcap FILE: socket traffic as pcap (cmd_socket) */
};

enum config_result {
	CONFIG_RUN = 0,  /* start the modem */
	CONFIG_EXIT = 1, /* --help / --version printed: exit 0 */
};

/*
 * Parses argv into cfg (defaults first). Help and version text go to out. Returns
 * CONFIG_RUN, CONFIG_EXIT, or -EINVAL with a one-line message in err.
 */
int config_parse(struct modem_config *cfg, int argc, char **argv, FILE *out, char *err,
		 size_t errlen);
void config_usage(FILE *out);

#endif /* SIM_CONFIG_H */
