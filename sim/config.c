/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "compiler.h"
#include "netsim.h"
#include "fault.h"
#include "persona.h"
#include "ukms_config.h"

enum opt_id {
	OPT_MODEL = 'm',
	OPT_PLATFORM = 'p',
	OPT_DEVICE = 'd',
	OPT_LINK = 'l',
	OPT_HELP = 'h',
	OPT_VERSION = 'V',
	OPT_HEADLESS = 256,
	OPT_LOG_LEVEL,
	OPT_LOG_FILE,
	OPT_REG_DELAY,
	OPT_STATE_DIR,
	OPT_EPHEMERAL,
	OPT_PCAP,
	OPT_SEAL_DELAY,
	OPT_UNSEALED_CME,
	OPT_SEC_BUSY,
	OPT_APN,
	OPT_RRC_IDLE,
	OPT_FAULT,
	OPT_SEED,
	OPT_CONTROL,
	OPT_KEYLOG,
	OPT_RECORD,
	OPT_FLEET,
};

static const struct option long_opts[] = {
	{ "model", required_argument, NULL, OPT_MODEL },
	{ "platform", required_argument, NULL, OPT_PLATFORM },
	{ "device", required_argument, NULL, OPT_DEVICE },
	{ "link", required_argument, NULL, OPT_LINK },
	{ "headless", no_argument, NULL, OPT_HEADLESS },
	{ "log-level", required_argument, NULL, OPT_LOG_LEVEL },
	{ "log-file", required_argument, NULL, OPT_LOG_FILE },
	{ "reg-delay-ms", required_argument, NULL, OPT_REG_DELAY },
	{ "state-dir", required_argument, NULL, OPT_STATE_DIR },
	{ "ephemeral", no_argument, NULL, OPT_EPHEMERAL },
	{ "pcap", required_argument, NULL, OPT_PCAP },
	{ "seal-delay-ms", required_argument, NULL, OPT_SEAL_DELAY },
	{ "unsealed-cme", required_argument, NULL, OPT_UNSEALED_CME },
	{ "sec-busy-ms", required_argument, NULL, OPT_SEC_BUSY },
	{ "apn", required_argument, NULL, OPT_APN },
	{ "rrc-idle-ms", required_argument, NULL, OPT_RRC_IDLE },
	{ "fault", required_argument, NULL, OPT_FAULT },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "control", required_argument, NULL, OPT_CONTROL },
	{ "keylog", required_argument, NULL, OPT_KEYLOG },
	{ "record", required_argument, NULL, OPT_RECORD },
	{ "fleet", required_argument, NULL, OPT_FLEET },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

void config_usage(FILE *out)
{
	fprintf(out,
		"Usage: ukms-sim [OPTION]...\n"
		"Emulated u-blox cellular module with a Root of Trust, on a pseudo-terminal.\n\n"
		"  -m, --model NAME       module persona (default " PERSONA_DEFAULT ")\n"
		"  -p, --platform FILE    platform file (default: built-in demo platform)\n"
		"  -d, --device UID|IMEI|FLEET:INDEX  device of the platform to emulate\n"
		"  -l, --link PATH        stable symlink to the pseudo-terminal\n"
		"      --fleet N          N modems in one process; --link must hold %%d (the "
		"modem's\n"
		"                         index), --device FLEET:FIRST the first device\n"
		"      --headless         no console even on a terminal\n"
		"      --log-level LEVEL  error, warn, info (default), debug, trace\n"
		"      --log-file FILE    log to FILE instead of stderr\n"
		"      --reg-delay-ms N   simulated registration delay (default 2000)\n"
		"      --state-dir DIR    directory for persistent module state\n"
		"      --ephemeral        keep no state on disk\n"
		"      --pcap FILE        write every socket's traffic to FILE (pcap)\n"
		"      --seal-delay-ms N  seal request to sealed state, 0..600000 (default 1500)\n"
		"      --unsealed-cme N   +CME ERROR code of +USECPSK and +USECDEVCERT on an\n"
		"                         unsealed module, 0..65535 (default 3)\n"
		"      --sec-busy-ms N    after boot/reboot the RoT commands answer \"SEC busy\"\n"
		"                         for N ms, 0..600000 (default 3000 on SARA-R422, else 0)\n"
		"      --apn LIST         APNs the simulated network serves, comma-separated\n"
		"                         (default " NETSIM_APNS_DEFAULT
		"; an empty APN always works)\n"
		"      --rrc-idle-ms N    RRC released after N ms without traffic, 1..3600000\n"
		"                         (default 10000; +CSCON)\n"
		"      --fault NAME[:K=V,...]  switch a fault on (repeatable; docs/faults.md)\n"
		"      --seed N           seed of the faults' random choices (default 0)\n"
		"      --control PATH     JSON Lines control socket (docs/control.md)\n"
		"      --keylog FILE      (D)TLS session secrets for Wireshark (NSS key log)\n"
		"      --record FILE      write the host's session as a replayable .chat script\n"
		"                         (with --fleet FILE holds %%d: one script per modem)\n"
		"  -h, --help             this text\n"
		"  -V, --version          version\n\n"
		"Models:");
	for (size_t i = 0; i < persona_count(); i++)
		fprintf(out, " %s", persona_at(i)->model);
	fprintf(out, "\n");
}

static int parse_u32(const char *s, uint32_t *out)
{
	char *end = NULL;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || s[0] == '-' || v > UINT32_MAX)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

/* Options taking a number in 0..max. Returns 0, or -ENOENT if opt is not one of them. */
static int apply_number(struct modem_config *cfg, int opt, const char *arg, char *err,
			size_t errlen)
{
	static const struct {
		int opt;
		const char *name;
		uint32_t max;
	} numbers[] = {
		{ OPT_REG_DELAY, "--reg-delay-ms", UINT32_MAX },
		{ OPT_SEAL_DELAY, "--seal-delay-ms", CONFIG_SEAL_DELAY_MAX },
		{ OPT_UNSEALED_CME, "--unsealed-cme", CONFIG_UNSEALED_CME_MAX },
		{ OPT_SEC_BUSY, "--sec-busy-ms", CONFIG_SEC_BUSY_MAX },
		{ OPT_RRC_IDLE, "--rrc-idle-ms", CONFIG_RRC_IDLE_MAX },
	};
	uint32_t v;

	for (size_t i = 0; i < ARRAY_LEN(numbers); i++) {
		if (numbers[i].opt != opt)
			continue;
		if (parse_u32(arg, &v) < 0 || v > numbers[i].max ||
		    (opt == OPT_RRC_IDLE && v == 0)) {
			snprintf(err, errlen, "bad %s '%s' (expected 0..%u)", numbers[i].name, arg,
				 (unsigned)numbers[i].max);
			return -EINVAL;
		}
		if (opt == OPT_REG_DELAY)
			cfg->reg_delay_ms = v;
		else if (opt == OPT_SEAL_DELAY)
			cfg->seal_delay_ms = v;
		else if (opt == OPT_SEC_BUSY)
			cfg->sec_busy_ms = (long)v;
		else if (opt == OPT_RRC_IDLE)
			cfg->rrc_idle_ms = v;
		else
			cfg->unsealed_cme = (int)v;
		return 0;
	}
	return -ENOENT;
}

/* --fault: checked here on a scratch registry, applied to the modem's own in modem_create. */
static int apply_fault(struct modem_config *cfg, const char *arg, char *err, size_t errlen)
{
	struct faults *f;
	int rc;

	if (cfg->n_faults >= CONFIG_FAULTS_MAX) {
		snprintf(err, errlen, "more than %d --fault options", CONFIG_FAULTS_MAX);
		return -EINVAL;
	}
	f = faults_create(0);
	if (f == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	rc = faults_parse_cli(f, arg, err, errlen);
	faults_destroy(f);
	if (rc < 0)
		return -EINVAL;
	cfg->faults[cfg->n_faults++] = arg;
	return 0;
}

static int apply_seed(struct modem_config *cfg, const char *arg, char *err, size_t errlen)
{
	char *end = NULL;
	unsigned long long v;

	errno = 0;
	v = strtoull(arg, &end, 10);
	if (errno != 0 || end == arg || *end != '\0' || arg[0] == '-') {
		snprintf(err, errlen, "bad --seed '%s' (expected 0..%llu)", arg,
			 (unsigned long long)UINT64_MAX);
		return -EINVAL;
	}
	cfg->seed = (uint64_t)v;
	return 0;
}

static int apply(struct modem_config *cfg, int opt, const char *arg, char *err, size_t errlen)
{
	int rc = apply_number(cfg, opt, arg, err, errlen);

	if (rc != -ENOENT)
		return rc;
	switch (opt) {
	case OPT_MODEL:
		if (persona_find(arg) == NULL) {
			snprintf(err, errlen, "unknown model '%s' (see --help)", arg);
			return -EINVAL;
		}
		cfg->model = persona_find(arg)->model;
		return 0;
	case OPT_PLATFORM:
		cfg->platform_path = arg;
		return 0;
	case OPT_DEVICE:
		cfg->device = arg;
		return 0;
	case OPT_LINK:
		cfg->link = arg;
		return 0;
	case OPT_HEADLESS:
		cfg->headless = true;
		return 0;
	case OPT_LOG_FILE:
		cfg->log_file = arg;
		return 0;
	case OPT_STATE_DIR:
		cfg->state_dir = arg;
		return 0;
	case OPT_EPHEMERAL:
		cfg->ephemeral = true;
		return 0;
	case OPT_PCAP:
		cfg->pcap_path = arg;
		return 0;
	case OPT_CONTROL:
		cfg->control_path = arg;
		return 0;
	case OPT_KEYLOG:
		cfg->keylog_path = arg;
		return 0;
	case OPT_RECORD:
		cfg->record_path = arg;
		return 0;
	case OPT_APN:
		if (netsim_apn_list_check(arg) < 0) {
			snprintf(err, errlen, "bad --apn '%s' (1..%d names of 1..%d characters)",
				 arg, NETSIM_APNS_MAX, NETSIM_APN_MAX);
			return -EINVAL;
		}
		cfg->apns = arg;
		return 0;
	case OPT_FAULT:
		return apply_fault(cfg, arg, err, errlen);
	case OPT_SEED:
		return apply_seed(cfg, arg, err, errlen);
	case OPT_FLEET: {
		char *end;
		unsigned long n;

		errno = 0;
		n = strtoul(arg, &end, 10);
		if (errno != 0 || end == arg || *end != '\0' || arg[0] == '-' || n < 1 ||
		    n > CONFIG_FLEET_MAX) {
			snprintf(err, errlen, "bad --fleet '%s' (1-%u)", arg, CONFIG_FLEET_MAX);
			return -EINVAL;
		}
		cfg->fleet = (unsigned)n;
		return 0;
	}
	case OPT_LOG_LEVEL:
		if (log_level_parse(arg, &cfg->log_level) == 0)
			return 0;
		snprintf(err, errlen, "bad --log-level '%s'", arg);
		return -EINVAL;
	default:
		snprintf(err, errlen, "bad option (see --help)");
		return -EINVAL;
	}
}

void config_defaults(struct modem_config *cfg)
{
	*cfg = (struct modem_config){ .log_level = LOG_LEVEL_INFO,
				      .reg_delay_ms = CONFIG_REG_DELAY_DEFAULT,
				      .seal_delay_ms = CONFIG_SEAL_DELAY_DEFAULT,
				      .unsealed_cme = CONFIG_UNSEALED_CME_DEFAULT,
				      .sec_busy_ms = CONFIG_SEC_BUSY_PERSONA,
				      .rrc_idle_ms = CONFIG_RRC_IDLE_DEFAULT };
}

/* A --fleet path pattern: one "%d" (the modem's index) and no other '%'. */
static bool one_index(const char *pattern)
{
	const char *d = pattern != NULL ? strstr(pattern, "%d") : NULL;

	return d != NULL && strchr(pattern, '%') == d && strchr(d + 2, '%') == NULL;
}

int config_parse(struct modem_config *cfg, int argc, char **argv, FILE *out, char *err,
		 size_t errlen)
{
	int opt;

	config_defaults(cfg);
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "m:p:d:l:hV", long_opts, NULL)) != -1) {
		int rc;

		if (opt == OPT_HELP) {
			config_usage(out);
			return CONFIG_EXIT;
		}
		if (opt == OPT_VERSION) {
			fprintf(out, "ukms-sim %s\n", UKMS_VERSION);
			return CONFIG_EXIT;
		}
		rc = apply(cfg, opt, optarg, err, errlen);
		if (rc < 0)
			return rc;
	}
	if (optind < argc) {
		snprintf(err, errlen, "unexpected argument '%s'", argv[optind]);
		return -EINVAL;
	}
	if (cfg->fleet > 0 && !one_index(cfg->link)) {
		snprintf(err, errlen, "--fleet needs --link PATH with one %%d (the modem's index)");
		return -EINVAL;
	}
	if (cfg->fleet > 0 && cfg->record_path != NULL && !one_index(cfg->record_path)) {
		/* One recording per modem: each follows its own host's session. */
		snprintf(err, errlen,
			 "--fleet needs --record PATH with one %%d (the modem's index)");
		return -EINVAL;
	}
	if (cfg->state_dir != NULL && cfg->ephemeral) {
		snprintf(err, errlen, "--state-dir and --ephemeral exclude each other");
		return -EINVAL;
	}
	return CONFIG_RUN;
}
