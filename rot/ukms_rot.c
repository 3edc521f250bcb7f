/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ukms-rot: the Root-of-Trust tool (docs/ukms-rot.1). Option parsing, help and the subcommand
 * table; the handlers are in ukms_rot_cmds.c.
 */
#define LOG_MODULE "ukms-rot"
#include "ukms_rot.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "rot/platform.h"
#include "ukms_config.h"

enum opt_id {
	OPT_PLATFORM = 'p',
	OPT_JSON = 'j',
	OPT_HELP = 'h',
	OPT_DEVICE = 'd',
	OPT_LENGTH = 'l',
	OPT_STATE = 's',
	OPT_FORCE = 'f',
	OPT_COUNTER = 'c',
	OPT_EPHEMERAL = 'e',
};

/* Options every subcommand takes. */
#define COMMON_OPTS "pjh"

struct cmd {
	const char *name;
	int (*fn)(struct rot_cli *c);
	const char *opts; /* option ids allowed besides COMMON_OPTS */
	int min_args, max_args;
	bool needs_platform;
	const char *usage;
	const char *help;
};

static const struct cmd cmds[] = {
	{ "generate", rot_cli_generate, "dlsce", 0, 0, true,
	  "generate [--device UID|IMEI|FLEET:INDEX] [--length 16|32] [--state-dir DIR | "
	  "--ephemeral | "
	  "--counter N]",
	  "Generate the next PSKIdentity and PSK of a device, as its RoT would (AT+USECPSK).\n"
	  "Prints \"<identity> <psk>\" in upper-case hex. The counter is taken from the state\n"
	  "directory (default $XDG_STATE_HOME/ukms or ~/.local/state/ukms) and persisted before\n"
	  "anything is printed. --device defaults to the platform's first device (or device 0 of\n"
	  "its first fleet); --length to 16.\n"
	  "--counter N uses counter N without touching the store; --ephemeral counts from 1 in "
	  "memory.\n" },
	{ "derive", rot_cli_derive, "l", 1, 1, true, "derive IDENTITY [--length 16|32]",
	  "Re-derive the PSK of an identity from the platform secret, as the platform does\n"
	  "(GetPSK). Prints \"<rot uid> <psk>\". An unknown or forged identity exits 1; a\n"
	  "malformed one exits 2. Provisioning flags are not enforced here (--json shows "
	  "them).\n" },
	{ "inspect", rot_cli_inspect, "", 1, 1, true, "inspect IDENTITY",
	  "Show the fields of an identity (header, reference, counter, tag) and, if it resolves,\n"
	  "the device it belongs to. Exits 1 if it does not resolve.\n" },
	{ "init", rot_cli_init, "f", 0, 1, false, "init FILE [--force]",
	  "Write a fresh random platform file (mode 0600): new platform secret, one account and\n"
	  "four devices. Refuses to overwrite an existing file unless --force. FILE may also be\n"
	  "given with --platform.\n" },
	{ "devices", rot_cli_devices, "", 0, 64, true, "devices [UID|IMEI|FLEET:INDEX...]",
	  "List the devices of the platform: RoT UID, IMEI, model, account and flags, then one\n"
	  "line per fleet. With selectors, only those devices (fleet devices are computed).\n" },
};

static const struct option long_opts[] = {
	{ "platform", required_argument, NULL, OPT_PLATFORM },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "device", required_argument, NULL, OPT_DEVICE },
	{ "length", required_argument, NULL, OPT_LENGTH },
	{ "state-dir", required_argument, NULL, OPT_STATE },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "counter", required_argument, NULL, OPT_COUNTER },
	{ "ephemeral", no_argument, NULL, OPT_EPHEMERAL },
	{ NULL, 0, NULL, 0 },
};

void rot_cli_err(const char *fmt, ...)
{
	va_list ap;

	fputs("ukms-rot: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: ukms-rot COMMAND [OPTIONS]\n\n"
		   "Root of Trust tool of the ukms dev kit (offline u-blox E2E Symmetric KMS).\n\n"
		   "Commands:\n");
	for (size_t i = 0; i < ARRAY_LEN(cmds); i++)
		fprintf(f, "  %s\n", cmds[i].usage);
	fprintf(f, "\nEvery command takes --platform FILE (default: the built-in PUBLIC demo\n"
		   "platform), --json and --help. ukms-rot --version prints the version.\n"
		   "Exit status: 0 ok, 1 refused, 2 usage or malformed input, 3 I/O or platform "
		   "file error.\n");
}

static void cmd_help(const struct cmd *c)
{
	printf("Usage: ukms-rot %s [--platform FILE] [--json]\n\n%s", c->usage, c->help);
}

static int parse_number(const char *s, long long max, long long *out)
{
	char *end = NULL;
	long long v;

	if (s[0] < '0' || s[0] > '9')
		return -EINVAL;
	errno = 0;
	v = strtoll(s, &end, 0);
	if (errno != 0 || *end != '\0' || v < 0 || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static int set_opt(struct rot_cli_opts *o, int id, const char *arg)
{
	long long v = 0;

	switch (id) {
	case OPT_PLATFORM:
		o->platform = arg;
		break;
	case OPT_JSON:
		o->json = true;
		break;
	case OPT_DEVICE:
		o->device = arg;
		break;
	case OPT_STATE:
		o->state_dir = arg;
		break;
	case OPT_FORCE:
		o->force = true;
		break;
	case OPT_EPHEMERAL:
		o->ephemeral = true;
		break;
	case OPT_LENGTH:
		if (parse_number(arg, 32, &v) < 0 || (v != 16 && v != 32)) {
			rot_cli_err("--length: expected 16 or 32, got '%s'", arg);
			return -EINVAL;
		}
		o->length = (size_t)v;
		break;
	case OPT_COUNTER:
		if (parse_number(arg, 0xFFFFFFFFLL, &v) < 0) {
			rot_cli_err("--counter: expected 0..4294967295, got '%s'", arg);
			return -EINVAL;
		}
		o->counter = v;
		break;
	default:
		return -EINVAL;
	}
	return 0;
}

/* Parses argv (argv[0] is the command name). Returns 0, 1 for --help, or -EINVAL. */
static int parse_opts(const struct cmd *cmd, int argc, char **argv, struct rot_cli_opts *o)
{
	int id;

	opterr = 0;
	while ((id = getopt_long(argc, argv, ":", long_opts, NULL)) != -1) {
		if (id == OPT_HELP)
			return 1;
		if (id == '?' || id == ':') {
			rot_cli_err("%s: %s option '%s'", cmd->name,
				    id == ':' ? "missing argument for" : "unknown",
				    argv[optind - 1]);
			return -EINVAL;
		}
		if (strchr(COMMON_OPTS, id) == NULL && strchr(cmd->opts, id) == NULL) {
			rot_cli_err("%s: option '%s' does not apply", cmd->name, argv[optind - 1]);
			return -EINVAL;
		}
		if (set_opt(o, id, optarg) < 0)
			return -EINVAL;
	}
	return 0;
}

static const struct cmd *find_cmd(const char *name)
{
	for (size_t i = 0; i < ARRAY_LEN(cmds); i++)
		if (strcmp(cmds[i].name, name) == 0)
			return &cmds[i];
	return NULL;
}

static int load_platform(struct rot_cli *c)
{
	char err[256];

	c->p = platform_open(c->o.platform, err, sizeof(err));
	if (c->p != NULL)
		return 0;
	if (c->o.platform == NULL || strncmp(err, c->o.platform, strlen(c->o.platform)) == 0)
		rot_cli_err("%s", err);
	else
		rot_cli_err("%s: %s", c->o.platform, err);
	return -EIO;
}

static int run(const struct cmd *cmd, int argc, char **argv)
{
	struct rot_cli c = { .o = { .length = 16, .counter = -1 } };
	int rc = parse_opts(cmd, argc, argv, &c.o);

	if (rc != 0) {
		if (rc > 0)
			cmd_help(cmd);
		else
			fprintf(stderr, "Try 'ukms-rot %s --help'.\n", cmd->name);
		return rc > 0 ? ROT_CLI_OK : ROT_CLI_USAGE;
	}
	c.args = argv + optind;
	c.nargs = argc - optind;
	if (c.nargs < cmd->min_args || c.nargs > cmd->max_args) {
		rot_cli_err("%s: expected %s", cmd->name, cmd->usage);
		return ROT_CLI_USAGE;
	}
	if (cmd->needs_platform && load_platform(&c) < 0)
		return ROT_CLI_IO;
	rc = cmd->fn(&c);
	platform_destroy(c.p);
	return rc;
}

int main(int argc, char **argv)
{
	const struct cmd *cmd;

	log_set_program("ukms-rot");
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? ROT_CLI_USAGE : ROT_CLI_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("ukms-rot %s\n", UKMS_VERSION);
		return ROT_CLI_OK;
	}
	if (strcmp(argv[1], "help") == 0 && argc == 3 && find_cmd(argv[2]) != NULL) {
		cmd_help(find_cmd(argv[2]));
		return ROT_CLI_OK;
	}
	cmd = find_cmd(argv[1]);
	if (cmd == NULL) {
		rot_cli_err("unknown command '%s'", argv[1]);
		usage(stderr);
		return ROT_CLI_USAGE;
	}
	return run(cmd, argc - 1, argv + 1);
}
