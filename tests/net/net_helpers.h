/* SPDX-License-Identifier: Apache-2.0 */
/* Shared by the tests/net programs: waiting with deadlines, free ports, child peers, events. */
#ifndef TESTS_NET_NET_HELPERS_H
#define TESTS_NET_NET_HELPERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "sock.h"

struct loop;

#define EV_LOG_MAX 256

struct ev_log {
	struct sock_event ev[EV_LOG_MAX];
	size_t n;
};

/* sock_event_fn that appends to a struct ev_log. */
void ev_log_record(void *data, const struct sock_event *ev);
/* Number of events of type for id (-1: any id). */
size_t ev_log_count(const struct ev_log *l, enum sock_event_type type, int id);
/* Last event of type for id, or NULL. */
const struct sock_event *ev_log_last(const struct ev_log *l, enum sock_event_type type, int id);

typedef bool net_cond_fn(void *data);
/* Runs the loop until cond is true or ms pass. Returns cond's final value. */
bool net_wait(struct loop *loop, net_cond_fn *cond, void *data, int ms);
/* Runs the loop until l has at least n events of type for id. */
bool net_wait_event(struct loop *loop, struct ev_log *l, enum sock_event_type type, int id,
		    size_t n, int ms);
/* Runs the loop until socket id of t has at least n bytes to read (sock_available). */
bool net_wait_available(struct loop *loop, struct sock_table *t, int id, size_t n, int ms);

/* A port free right now (bind to 0, read it, close). type SOCK_STREAM or SOCK_DGRAM. */
uint16_t net_free_port(int type);

struct net_child {
	pid_t pid;
	int in_fd;  /* write end of the child's stdin, or -1 */
	int out_fd; /* read end of the child's stdout, or -1 */
};

/* Starts argv[0] (PATH search) with piped stdin/stdout, stderr to /dev/null unless
 * UKMS_TEST_VERBOSE is set. Returns 0 or -errno. */
int net_spawn(char *const argv[], struct net_child *c);
/* SIGTERM, reap, close pipes. Safe on a zeroed child. */
void net_child_stop(struct net_child *c);
/* True once a TCP connect to 127.0.0.1:port succeeds (polls up to ms). */
bool net_wait_tcp_listen(uint16_t port, int ms);
/* True once some process has a UDP socket bound to port (polls /proc/net/udp up to ms). */
bool net_wait_udp_bound(uint16_t port, int ms);
/* Reads from fd (non-blocking) until want bytes are collected or ms pass. Returns bytes read. */
size_t net_read_fd(int fd, void *buf, size_t want, int ms);
/* Runs a shell command (argv form) and waits; returns its exit status or -1. */
int net_run(char *const argv[]);
/* mkdtemp under $TMPDIR. Returns a malloc'd path. */
char *net_tmpdir(void);
/* rm -rf path (best-effort). */
void net_rmtree(const char *path);

#endif /* TESTS_NET_NET_HELPERS_H */
