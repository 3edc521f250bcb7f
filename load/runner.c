/* SPDX-License-Identifier: Apache-2.0 */
#include "runner.h"

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "conn.h"
#include "devset.h"
#include "loop.h"
#include "options.h"
#include "stats.h"

#define TICK_MS 2

struct run {
	const struct load_config *cfg;
	const struct devset *devs;
	struct load_stats *stats;
	FILE *progress;
	struct loop *loop;
	struct load_conn_params params;
	struct sockaddr_storage addr;
	uint64_t next; /* handshake number to start next */
	unsigned in_flight;
	double t0, last_tick;
	double tokens; /* --rate budget */
	bool stopping;
	int sigfd;
};

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void fill(struct run *r);

static void maybe_quit(struct run *r)
{
	if (r->stopping && r->in_flight == 0)
		loop_quit(r->loop);
}

static void handle_done(void *data, enum load_err kind, uint64_t us)
{
	struct run *r = data;

	r->in_flight--;
	load_stats_add(r->stats, kind, us);
	if (r->cfg->rate == 0)
		fill(r);
	maybe_quit(r);
}

static void stop_if_due(struct run *r)
{
	if (r->cfg->duration > 0 && now_s() - r->t0 >= r->cfg->duration)
		r->stopping = true;
	if (r->cfg->handshakes > 0 && r->next >= r->cfg->handshakes)
		r->stopping = true;
}

/* Starts one handshake (number r->next); false when nothing more may start now. */
static bool start_one(struct run *r)
{
	char id[ROT_IDENTITY_HEX + 1];
	struct rot_psk psk;
	int rc;

	stop_if_due(r);
	if (r->stopping || r->in_flight >= r->cfg->concurrency)
		return false;
	rc = devset_generate(r->devs, r->next++, id, &psk);
	if (rc == 0)
		rc = load_conn_start(r->loop, &r->params, id, &psk, handle_done, r);
	OPENSSL_cleanse(&psk, sizeof(psk));
	if (rc == 0)
		r->in_flight++;
	else
		load_stats_add(r->stats,
			       rc == -ENOSPC || rc == -EIO ? LOAD_ERR_IDENTITY : LOAD_ERR_IO, 0);
	return true;
}

static void fill(struct run *r)
{
	if (r->cfg->rate == 0) {
		while (start_one(r))
			;
		return;
	}
	while (r->tokens >= 1.0 && start_one(r))
		r->tokens -= 1.0;
}

static void handle_tick(void *data)
{
	struct run *r = data;
	double t = now_s();

	if (r->cfg->rate > 0) {
		r->tokens += (t - r->last_tick) * r->cfg->rate;
		if (r->tokens > r->cfg->concurrency + 1.0)
			r->tokens = r->cfg->concurrency + 1.0; /* no burst after a stall */
	}
	r->last_tick = t;
	fill(r);
	stop_if_due(r);
	maybe_quit(r);
	if (!r->stopping)
		loop_add_timer(r->loop, TICK_MS, handle_tick, r);
}

static void handle_progress(void *data)
{
	struct run *r = data;

	if (!r->cfg->quiet)
		load_stats_progress(r->stats, r->progress, now_s() - r->t0, r->in_flight);
	if (!loop_is_quitting(r->loop))
		loop_add_timer(r->loop, 1000, handle_progress, r);
}

static void handle_signal(void *data, int fd, unsigned revents)
{
	struct run *r = data;
	struct signalfd_siginfo si;

	while (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si))
		;
	r->stopping = true; /* finish what is in flight */
	maybe_quit(r);
}

static int resolve(struct run *r, char *err, size_t errlen)
{
	struct addrinfo hints = { .ai_socktype = r->cfg->dtls ? SOCK_DGRAM : SOCK_STREAM };
	struct addrinfo *ai = NULL;
	int rc = getaddrinfo(r->cfg->host, r->cfg->port, &hints, &ai);

	if (rc != 0 || ai == NULL || ai->ai_addrlen > sizeof(r->addr)) {
		snprintf(err, errlen, "--server %s:%s: %s", r->cfg->host, r->cfg->port,
			 rc != 0 ? gai_strerror(rc) : "no address");
		if (ai != NULL)
			freeaddrinfo(ai);
		return -ENOENT;
	}
	memcpy(&r->addr, ai->ai_addr, ai->ai_addrlen);
	r->params.addr = (const struct sockaddr *)&r->addr;
	r->params.addrlen = ai->ai_addrlen;
	freeaddrinfo(ai);
	return 0;
}

static int open_signals(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &set, NULL) != 0)
		return -errno;
	signal(SIGPIPE, SIG_IGN); /* a server closing a TCP connection must not kill us */
	return signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

int load_run(const struct load_config *cfg, const struct devset *devs, struct load_stats *stats,
	     FILE *progress, double *seconds, char *err, size_t errlen)
{
	struct run r = {
		.cfg = cfg, .devs = devs, .stats = stats, .progress = progress, .sigfd = -1
	};
	int rc = resolve(&r, err, errlen);

	if (rc < 0)
		return rc;
	r.params.dtls = cfg->dtls;
	r.params.payload = cfg->payload;
	r.params.timeout_ms = (uint64_t)(cfg->timeout * 1000);
	r.params.ctx = load_conn_ctx_create(cfg->dtls);
	r.loop = loop_create();
	r.sigfd = open_signals();
	rc = -ENOMEM;
	if (r.params.ctx == NULL || r.loop == NULL || r.sigfd < 0) {
		snprintf(err, errlen, "cannot set up OpenSSL, the loop or the signal fd");
		goto out;
	}
	if (loop_add_fd(r.loop, r.sigfd, POLLIN, handle_signal, &r) == NULL)
		goto out;
	r.t0 = r.last_tick = now_s();
	r.tokens = cfg->rate > 0 ? 1.0 : 0;
	handle_tick(&r);
	loop_add_timer(r.loop, 1000, handle_progress, &r);
	rc = r.stopping && r.in_flight == 0 ? 0 : loop_run(r.loop);
	*seconds = now_s() - r.t0;
	if (rc < 0)
		snprintf(err, errlen, "poll: %s", strerror(-rc));
out:
	loop_destroy(r.loop); /* in-flight connections only exist while the loop runs */
	SSL_CTX_free(r.params.ctx);
	if (r.sigfd >= 0)
		close(r.sigfd);
	return rc;
}
