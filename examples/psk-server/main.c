/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ukms-psk-server: the customer-side reference (D)TLS-PSK server of the E2E Symmetric KMS.
 * A device connects with the PSK and PSKIdentity its module's RoT made (AT+USECPSK); the
 * server asks the Security Services API for the PSK of that identity (GetPSK) and completes
 * the handshake, then echoes. See docs/psk-server.md.
 */
#define LOG_MODULE "main"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <curl/curl.h>

#include "api.h"
#include "cache.h"
#include "config.h"
#include "log.h"
#include "resolver.h"
#include "server.h"
#include "tls.h"
#include "ukms_config.h"

struct app {
	struct psks_config cfg;
	struct psks_api *api;
	struct psks_cache *cache;
	struct psks_cache *unknown;
	struct psks_resolver *resolver;
	struct psks_tls *tls;
	struct psks_server *server;
	int sfd;
};

/* SIGINT/SIGTERM arrive on a signalfd; blocked before any thread starts, so in all of them. */
static int open_signals(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	if (pthread_sigmask(SIG_BLOCK, &set, NULL) != 0)
		return -EINVAL;
	signal(SIGPIPE, SIG_IGN); /* a vanished TCP peer must not kill the server */
	return signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

static int app_start(struct app *a)
{
	const struct psks_config *c = &a->cfg;
	struct psks_api_config ac = { .url = c->api_url,
				      .api_key = c->api_key,
				      .api_secret = c->api_secret,
				      .key_bits = c->key_bits,
				      .timeout_ms = c->api_timeout_ms };
	struct psks_tls_config tc = { .dtls = c->dtls, .min_version = c->tls_min };
	struct psks_server_config sc = {
		.host = c->host,
		.port = c->port,
		.dtls = c->dtls,
		.once = c->once,
		.max_clients = c->max_clients,
		.max_per_address = c->max_per_address,
		.handshake_timeout_ms = c->handshake_timeout_s * 1000,
		.idle_timeout_ms = c->idle_timeout_s * 1000,
		.shutdown_timeout_ms = c->api_timeout_ms + 2000,
	};

	a->api = psks_api_create(&ac);
	a->cache =
		c->cache_size ? psks_cache_create(c->cache_size, c->cache_ttl_s * 1000ull) : NULL;
	a->unknown = c->neg_cache_size
			     ? psks_cache_create(c->neg_cache_size, c->neg_cache_ttl_s * 1000ull)
			     : NULL;
	a->resolver = psks_resolver_create(a->api, a->cache, a->unknown);
	if (a->api == NULL || (c->cache_size && a->cache == NULL) ||
	    (c->neg_cache_size && a->unknown == NULL) || a->resolver == NULL)
		return -ENOMEM;
	a->tls = psks_tls_create(&tc, a->resolver);
	if (a->tls == NULL)
		return -EINVAL;
	a->server = psks_server_create(&sc, a->tls);
	return a->server == NULL ? -EADDRNOTAVAIL : 0;
}

static void app_stop(struct app *a)
{
	psks_server_destroy(a->server);
	psks_tls_destroy(a->tls);
	psks_resolver_destroy(a->resolver);
	psks_cache_destroy(a->cache);
	psks_cache_destroy(a->unknown);
	psks_api_destroy(a->api);
	psks_config_finish(&a->cfg);
	if (a->sfd >= 0)
		close(a->sfd);
}

static void announce(struct app *a)
{
	char addr[80];

	psks_server_format_address(a->server, addr, sizeof(addr));
	log_info("API %s, key length %u, cache %zu entries for %u s (unknown: %zu for %u s), "
		 "up to %u clients (%u per address)",
		 a->cfg.api_url, a->cfg.key_bits, a->cfg.cache_size, a->cfg.cache_ttl_s,
		 a->cfg.neg_cache_size, a->cfg.neg_cache_ttl_s, a->cfg.max_clients,
		 a->cfg.max_per_address);
	printf("ukms-psk-server: listening on %s://%s\n", a->cfg.dtls ? "dtls" : "tls", addr);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	struct app a = { .sfd = -1 };
	int rc;

	log_set_program("ukms-psk-server");
	if (psks_config_parse(&a.cfg, argc, argv) < 0) {
		psks_config_finish(&a.cfg);
		return 2;
	}
	if (a.cfg.help || a.cfg.version) {
		if (a.cfg.help)
			psks_config_usage(stdout);
		else
			printf("ukms-psk-server %s\n", UKMS_VERSION);
		psks_config_finish(&a.cfg);
		return 0;
	}
	log_set_level(a.cfg.log_level);
	a.sfd = open_signals();
	curl_global_init(CURL_GLOBAL_DEFAULT);
	rc = a.sfd < 0 ? -EINVAL : app_start(&a);
	if (rc == 0) {
		announce(&a);
		rc = psks_server_run(a.server, a.sfd);
	}
	if (rc == -EBUSY) /* threads still hold the objects: leave them to exit() */
		return 1;
	app_stop(&a);
	curl_global_cleanup();
	if (rc == 0)
		log_info("stopped");
	return rc == 0 ? 0 : 1;
}
