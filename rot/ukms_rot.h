/* SPDX-License-Identifier: Apache-2.0 */
/* ukms-rot internals: options, context and subcommand handlers (the ukms_rot sources only). */
#ifndef ROT_UKMS_ROT_H
#define ROT_UKMS_ROT_H

#include <stdbool.h>
#include <stddef.h>

#include "compiler.h"

struct cJSON;
struct platform;

/* Exit codes: the only mapping from errors to the process status. */
enum rot_cli_exit {
	ROT_CLI_OK = 0,
	ROT_CLI_REFUSED = 1, /* unknown or forged identity, unknown device, existing file */
	ROT_CLI_USAGE = 2,   /* usage error or malformed input */
	ROT_CLI_IO = 3,      /* I/O, counter store or platform file error */
};

struct rot_cli_opts {
	const char *platform; /* NULL: built-in public demo platform */
	const char *device;
	const char *state_dir;
	size_t length;
	long long counter; /* -1: from the counter store */
	bool json;
	bool force;
	bool ephemeral;
};

struct rot_cli {
	struct rot_cli_opts o;
	char **args;
	int nargs;
	struct platform *p; /* loaded before the handler runs, except for init */
};

/* Prints "ukms-rot: <message>" to stderr. */
void rot_cli_err(const char *fmt, ...) ATTR_PRINTF(1, 2);
/*
 * Prints doc unformatted plus a newline to stdout and frees it (NULL-safe), wiping the text:
 * it may hold a PSK. ROT_CLI_OK, or ROT_CLI_IO if doc is NULL or printing failed.
 */
int rot_cli_print_json(struct cJSON *doc);
/* Flushes stdout: rc, or ROT_CLI_IO (with a message) on a write error. */
int rot_cli_flush(int rc);

int rot_cli_generate(struct rot_cli *c);
int rot_cli_derive(struct rot_cli *c);
int rot_cli_inspect(struct rot_cli *c);
int rot_cli_init(struct rot_cli *c);
int rot_cli_devices(struct rot_cli *c);

#endif /* ROT_UKMS_ROT_H */
