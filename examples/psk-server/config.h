/* SPDX-License-Identifier: Apache-2.0 */
/* Command line of ukms-psk-server -> struct psks_config, in one place (see --help). */
#ifndef EXAMPLES_PSK_SERVER_CONFIG_H
#define EXAMPLES_PSK_SERVER_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "log.h"

#define PSKS_DEMO_API_KEY    "11111111-2222-4333-8444-555555555555"
#define PSKS_DEMO_API_SECRET "ukmsDemoSecretNotSecretPublic001"

struct psks_config {
	char host[256];
	char port[8];
	bool dtls;
	const char *api_url; /* borrowed from argv or a literal */
	const char *api_key;
	char *api_secret; /* owned, wiped by psks_config_finish */
	unsigned key_bits;
	int tls_min; /* TLS1_2_VERSION / TLS1_3_VERSION */
	enum log_level log_level;
	bool once;
	unsigned max_clients;
	unsigned max_per_address;
	size_t cache_size;
	unsigned cache_ttl_s;
	size_t neg_cache_size;
	unsigned neg_cache_ttl_s;
	unsigned api_timeout_ms;
	unsigned handshake_timeout_s;
	unsigned idle_timeout_s;
	bool help;
	bool version;
};

/* Defaults, then argv. Returns 0, or -EINVAL after printing the problem to stderr. */
int psks_config_parse(struct psks_config *cfg, int argc, char **argv);
/* Wipes and frees the secret. NULL-safe, safe on a zeroed struct. */
void psks_config_finish(struct psks_config *cfg);
void psks_config_usage(FILE *f);

#endif /* EXAMPLES_PSK_SERVER_CONFIG_H */
