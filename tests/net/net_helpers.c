/* SPDX-License-Identifier: Apache-2.0 */
#include "net_helpers.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "loop.h"

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void ev_log_record(void *data, const struct sock_event *ev)
{
	struct ev_log *l = data;

	if (l->n < EV_LOG_MAX)
		l->ev[l->n++] = *ev;
}

size_t ev_log_count(const struct ev_log *l, enum sock_event_type type, int id)
{
	size_t n = 0;

	for (size_t i = 0; i < l->n; i++)
		n += l->ev[i].type == type && (id < 0 || l->ev[i].id == id);
	return n;
}

const struct sock_event *ev_log_last(const struct ev_log *l, enum sock_event_type type, int id)
{
	for (size_t i = l->n; i > 0; i--)
		if (l->ev[i - 1].type == type && (id < 0 || l->ev[i - 1].id == id))
			return &l->ev[i - 1];
	return NULL;
}

bool net_wait(struct loop *loop, net_cond_fn *cond, void *data, int ms)
{
	uint64_t end = now_ms() + (uint64_t)ms;

	while (!cond(data)) {
		uint64_t now = now_ms();

		if (now >= end)
			return cond(data);
		loop_run_once(loop, (int)(end - now < 50 ? end - now : 50));
	}
	return true;
}

struct ev_wait {
	struct ev_log *l;
	enum sock_event_type type;
	int id;
	size_t n;
};

static bool ev_cond(void *data)
{
	struct ev_wait *w = data;

	return ev_log_count(w->l, w->type, w->id) >= w->n;
}

bool net_wait_event(struct loop *loop, struct ev_log *l, enum sock_event_type type, int id,
		    size_t n, int ms)
{
	struct ev_wait w = { l, type, id, n };

	return net_wait(loop, ev_cond, &w, ms);
}

struct avail_wait {
	struct sock_table *t;
	int id;
	size_t n;
};

static bool avail_cond(void *data)
{
	struct avail_wait *w = data;

	return sock_available(w->t, w->id) >= (ssize_t)w->n;
}

bool net_wait_available(struct loop *loop, struct sock_table *t, int id, size_t n, int ms)
{
	struct avail_wait w = { t, id, n };

	return net_wait(loop, avail_cond, &w, ms);
}

uint16_t net_free_port(int type)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, type, 0);
	uint16_t port = 0;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&a, &len) == 0)
		port = ntohs(a.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

int net_spawn(char *const argv[], struct net_child *c)
{
	int in[2] = { -1, -1 }, out[2] = { -1, -1 };

	memset(c, 0, sizeof(*c));
	c->in_fd = c->out_fd = -1;
	if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0)
		return -errno;
	c->pid = fork();
	if (c->pid < 0)
		return -errno;
	if (c->pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		if (getenv("UKMS_TEST_VERBOSE") == NULL) {
			int devnull = open("/dev/null", O_WRONLY);

			dup2(devnull, 2);
		}
		execvp(argv[0], argv);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	c->in_fd = in[1];
	c->out_fd = out[0];
	fcntl(c->out_fd, F_SETFL, O_NONBLOCK);
	return 0;
}

void net_child_stop(struct net_child *c)
{
	if (c->pid > 0) {
		kill(c->pid, SIGTERM);
		waitpid(c->pid, NULL, 0);
	}
	if (c->in_fd >= 0)
		close(c->in_fd);
	if (c->out_fd >= 0)
		close(c->out_fd);
	memset(c, 0, sizeof(*c));
	c->in_fd = c->out_fd = -1;
}

bool net_wait_tcp_listen(uint16_t port, int ms)
{
	uint64_t end = now_ms() + (uint64_t)ms;
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	while (now_ms() < end) {
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		int ok = connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;

		close(fd);
		if (ok)
			return true;
		poll(NULL, 0, 20); /* back-off between probes, bounded by the deadline */
	}
	return false;
}

size_t net_read_fd(int fd, void *buf, size_t want, int ms)
{
	uint64_t end = now_ms() + (uint64_t)ms;
	size_t got = 0;

	while (got < want && now_ms() < end) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, (int)(end - now_ms())) <= 0)
			continue;
		n = read(fd, (char *)buf + got, want - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	return got;
}

int net_run(char *const argv[])
{
	struct net_child c;
	int status = -1;

	if (net_spawn(argv, &c) < 0)
		return -1;
	close(c.in_fd);
	if (waitpid(c.pid, &status, 0) < 0)
		status = -1;
	close(c.out_fd);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

char *net_tmpdir(void)
{
	const char *base = getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp";
	size_t cap = strlen(base) + 32;
	char *path = malloc(cap);

	if (path == NULL)
		return NULL;
	snprintf(path, cap, "%s/ukms-net-XXXXXX", base);
	if (mkdtemp(path) == NULL) {
		free(path);
		return NULL;
	}
	return path;
}

void net_rmtree(const char *path)
{
	char *const argv[] = { (char *)"rm", (char *)"-rf", (char *)path, NULL };

	if (path != NULL)
		net_run(argv);
}

static bool udp_bound(uint16_t port)
{
	static const char *const files[] = { "/proc/net/udp", "/proc/net/udp6" };
	char line[512], want[8];
	bool found = false;

	snprintf(want, sizeof(want), ":%04X ", port);
	for (size_t i = 0; !found && i < 2; i++) {
		FILE *f = fopen(files[i], "r");

		while (f != NULL && !found && fgets(line, sizeof(line), f) != NULL)
			found = strstr(line, want) != NULL;
		if (f != NULL)
			fclose(f);
	}
	return found;
}

bool net_wait_udp_bound(uint16_t port, int ms)
{
	uint64_t end = now_ms() + (uint64_t)ms;

	while (!udp_bound(port)) {
		if (now_ms() >= end)
			return false;
		poll(NULL, 0, 10); /* bounded back-off between checks of the condition */
	}
	return true;
}
