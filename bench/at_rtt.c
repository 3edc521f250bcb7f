/* SPDX-License-Identifier: Apache-2.0 */
/*
 * AT -> OK round trip through ukms-sim's pseudo-terminal, next to a bare pty echo measured in
 * the same run, plus the start-up time to "device ready" (fork/exec to the first OK).
 *
 * The cost of a control client following the host's dialogue (docs/control.md): the same
 * simulator runs with --control, a drain process reads everything from one control
 * connection, and blocks alternate between that connection subscribed to "at" events (two
 * event lines per round trip) and not subscribed (the observer is removed).
 *
 * Usage: at_rtt UKMS_SIM [ROUND_TRIPS [STARTS]]   (defaults 2000 and 10; 100 warm-up each)
 *
 * The bare echo is the least any responder can do over a pty: a child holding a pty pair that
 * reads from the master and writes "\r\nOK\r\n" back for every CR. Both are measured with the
 * same client code, in alternating blocks so that load from other processes hits both alike.
 * Not a test: it prints numbers and exits 0 unless something failed to start or answer.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define WARMUP    100
#define BLOCK     100
#define ANSWER_MS 5000
#define START_MS  10000
#define SETTLE    5 /* round trips after a (un)subscribe, not counted */

struct peer {
	pid_t pid;
	int out_fd; /* the child's stdout, where it names its device */
	int fd;     /* our side: the pty slave, opened raw */
	char dev[128];
	const char *control; /* --control PATH of the sim, or NULL */
	int ctl_fd;          /* our end of the control connection, -1 without */
	pid_t drain;         /* reads and discards everything on ctl_fd */
};

struct stats {
	double median;
	double p99;
};

static long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

/* Reads fd until the bytes read so far contain @want; 0, -ETIMEDOUT or -EIO. */
static int read_until(int fd, const char *want, char *buf, size_t cap, int timeout_ms)
{
	long long deadline = now_us() + (long long)timeout_ms * 1000;
	size_t len = 0;

	buf[0] = '\0';
	while (strstr(buf, want) == NULL) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		long long left = (deadline - now_us()) / 1000;
		ssize_t n;

		if (left <= 0 || poll(&p, 1, (int)left) <= 0)
			return -ETIMEDOUT;
		if (len + 1 >= cap) /* keep the tail: the answer we wait for is at the end */
			len = 0;
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n <= 0)
			return -EIO;
		len += (size_t)n;
		buf[len] = '\0';
	}
	return 0;
}

static int open_raw(const char *path)
{
	struct termios t;
	int fd = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (tcgetattr(fd, &t) == 0) {
		cfmakeraw(&t);
		tcsetattr(fd, TCSANOW, &t);
	}
	return fd;
}

/* The bare responder: runs in the child, never returns. */
static void echo_child(int out)
{
	char buf[256];
	int master = posix_openpt(O_RDWR | O_NOCTTY);
	int slave;

	if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0)
		_exit(1);
	slave = open_raw(ptsname(master)); /* held open so the client may come and go */
	if (slave < 0)
		_exit(1);
	dprintf(out, "echo: device %s\n", ptsname(master));
	close(out);
	for (;;) {
		ssize_t n = read(master, buf, sizeof(buf));

		if (n <= 0)
			_exit(0);
		for (ssize_t i = 0; i < n; i++)
			if (buf[i] == '\r' && write(master, "\r\nOK\r\n", 6) != 6)
				_exit(1);
	}
}

static void sim_child(const char *exe, const char *control, int out)
{
	int null = open("/dev/null", O_WRONLY);

	dup2(out, STDOUT_FILENO);
	if (null >= 0)
		dup2(null, STDERR_FILENO);
	if (control != NULL)
		execl(exe, "ukms-sim", "--headless", "--ephemeral", "--log-level", "error",
		      "--control", control, (char *)NULL);
	else
		execl(exe, "ukms-sim", "--headless", "--ephemeral", "--log-level", "error",
		      (char *)NULL);
	_exit(127);
}

/* Starts the sim (@exe) or the echo (@exe NULL) and opens its device raw. */
static int peer_start(struct peer *p, const char *exe, const char *control)
{
	char line[512];
	const char *dev;
	int pfd[2];

	*p = (struct peer){ .pid = -1, .out_fd = -1, .fd = -1, .control = control, .ctl_fd = -1 };
	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -errno;
	p->pid = fork();
	if (p->pid == 0) {
		close(pfd[0]);
		if (exe != NULL)
			sim_child(exe, control, pfd[1]);
		echo_child(pfd[1]);
	}
	close(pfd[1]);
	p->out_fd = pfd[0];
	if (p->pid < 0 || read_until(p->out_fd, "\n", line, sizeof(line), START_MS) < 0)
		return -EIO;
	dev = strstr(line, "device ");
	if (dev == NULL || sscanf(dev, "device %127s", p->dev) != 1)
		return -EIO;
	p->fd = open_raw(p->dev);
	return p->fd < 0 ? p->fd : 0;
}

static int run_block(int fd, double *out, size_t n);

/* Connects to the sim's control socket and forks the process that drains it. */
static int control_open(struct peer *p)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char buf[4096];

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", p->control);
	p->ctl_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (p->ctl_fd < 0 || connect(p->ctl_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -errno;
	p->drain = fork();
	if (p->drain == 0) {
		while (read(p->ctl_fd, buf, sizeof(buf)) > 0)
			;
		_exit(0);
	}
	return p->drain > 0 ? 0 : -errno;
}

static int control_subscribe(struct peer *p, bool on)
{
	static const char sub[] = "{\"op\":\"subscribe\",\"args\":{\"events\":[\"at\"]}}\n";
	static const char unsub[] = "{\"op\":\"subscribe\",\"args\":{\"events\":[]}}\n";
	const char *req = on ? sub : unsub;
	size_t len = on ? sizeof(sub) - 1 : sizeof(unsub) - 1;

	if (write(p->ctl_fd, req, len) != (ssize_t)len)
		return -EIO;
	return run_block(p->fd, NULL, SETTLE); /* the request is handled by now */
}

static void peer_stop(struct peer *p)
{
	if (p->ctl_fd >= 0)
		close(p->ctl_fd);
	if (p->drain > 0) {
		kill(p->drain, SIGTERM);
		waitpid(p->drain, NULL, 0);
	}
	if (p->control != NULL)
		unlink(p->control);
	if (p->fd >= 0)
		close(p->fd);
	if (p->pid > 0) {
		kill(p->pid, SIGTERM);
		waitpid(p->pid, NULL, 0);
	}
	if (p->out_fd >= 0)
		close(p->out_fd);
	p->pid = -1;
	p->fd = p->out_fd = -1;
}

/* One AT\r -> \r\nOK\r\n exchange; returns microseconds or -errno. */
static long long round_trip(int fd)
{
	char buf[64];
	long long t0 = now_us();
	int rc;

	if (write(fd, "AT\r", 3) != 3)
		return -EIO;
	rc = read_until(fd, "\r\nOK\r\n", buf, sizeof(buf), ANSWER_MS);
	return rc < 0 ? rc : now_us() - t0;
}

static int run_block(int fd, double *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		long long us = round_trip(fd);

		if (us < 0)
			return (int)us;
		if (out != NULL)
			out[i] = (double)us;
	}
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static struct stats summarise(double *v, size_t n)
{
	size_t p99 = (n * 99 + 99) / 100; /* nearest rank */

	qsort(v, n, sizeof(*v), cmp_double);
	return (struct stats){
		.median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2,
		.p99 = v[p99 > 0 ? p99 - 1 : 0],
	};
}

/* Alternating blocks of round trips against the sim and the echo. */
static int measure(struct peer *sim, struct peer *echo, size_t n, struct stats *s, struct stats *e,
		   struct stats *sub)
{
	double *vs = calloc(n, sizeof(double)), *ve = calloc(n, sizeof(double));
	double *vsub = calloc(n, sizeof(double));
	char buf[64];
	int rc = -ENOMEM;

	if (vs == NULL || ve == NULL || vsub == NULL)
		goto out;
	if (write(sim->fd, "ATE0\r", 5) != 5 ||
	    (rc = read_until(sim->fd, "OK\r\n", buf, sizeof(buf), ANSWER_MS)) < 0)
		goto out;
	if ((rc = run_block(sim->fd, NULL, WARMUP)) < 0 ||
	    (rc = run_block(echo->fd, NULL, WARMUP)) < 0)
		goto out;
	for (size_t i = 0; i < n; i += BLOCK) {
		size_t k = n - i < BLOCK ? n - i : BLOCK;

		if ((rc = control_subscribe(sim, false)) < 0 ||
		    (rc = run_block(sim->fd, vs + i, k)) < 0 ||
		    (rc = run_block(echo->fd, ve + i, k)) < 0 ||
		    (rc = control_subscribe(sim, true)) < 0 ||
		    (rc = run_block(sim->fd, vsub + i, k)) < 0)
			goto out;
	}
	*s = summarise(vs, n);
	*e = summarise(ve, n);
	*sub = summarise(vsub, n);
	rc = 0;
out:
	free(vs);
	free(ve);
	free(vsub);
	return rc;
}

/* Fork/exec to the first OK (echo is on after start, so "AT\r\r\nOK\r\n"). */
static long long start_once(const char *exe)
{
	struct peer p;
	char buf[128];
	long long t0 = now_us(), us = -EIO;

	if (peer_start(&p, exe, NULL) == 0 && write(p.fd, "AT\r", 3) == 3 &&
	    read_until(p.fd, "OK\r\n", buf, sizeof(buf), START_MS) == 0)
		us = now_us() - t0;
	peer_stop(&p);
	return us;
}

static int measure_start(const char *exe, size_t starts, double *med, double *min, double *max)
{
	double *v = calloc(starts, sizeof(double));

	if (v == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < starts; i++) {
		long long us = start_once(exe);

		if (us < 0) {
			free(v);
			return (int)us;
		}
		v[i] = (double)us;
	}
	*med = summarise(v, starts).median;
	*min = v[0];
	*max = v[starts - 1];
	free(v);
	return 0;
}

static size_t arg_count(const char *s, size_t def)
{
	long v = s != NULL ? strtol(s, NULL, 10) : 0;

	return v > 0 ? (size_t)v : def;
}

static void print_rtt(size_t n, const struct stats *s, const struct stats *e,
		      const struct stats *sub)
{
	double ratio = s->median / e->median;

	printf("at_rtt: %zu round trips each after %d warm-up, alternating blocks of %d\n", n,
	       WARMUP, BLOCK);
	printf("%-28s %10s %10s\n", "", "median us", "p99 us");
	printf("%-28s %10.1f %10.1f\n", "ukms-sim  AT -> OK", s->median, s->p99);
	printf("%-28s %10.1f %10.1f\n", "bare pty echo", e->median, e->p99);
	printf("%-28s %10.2f %10.2f\n", "ratio sim/echo", ratio, s->p99 / e->p99);
	printf("%-28s %10.1f %10.1f\n", "ukms-sim, `at` subscriber", sub->median, sub->p99);
	printf("%-28s %10.2f %10.2f\n", "ratio subscribed/not", sub->median / s->median,
	       sub->p99 / s->p99);
	printf("goal: median ratio <= 1.5: %s\n", ratio <= 1.5 ? "met" : "NOT met");
}

int main(int argc, char **argv)
{
	struct peer sim = { .pid = -1, .out_fd = -1, .fd = -1, .ctl_fd = -1 }, echo = sim;
	struct stats s = { 0 }, e = { 0 }, sub = { 0 };
	char dir[] = "/tmp/ukms-at-rtt-XXXXXX", control[sizeof(dir) + 16];
	size_t n = arg_count(argc > 2 ? argv[2] : NULL, 2000);
	size_t starts = arg_count(argc > 3 ? argv[3] : NULL, 10);
	double med = 0, min = 0, max = 0;
	int rc;

	if (argc < 2) {
		fprintf(stderr, "usage: at_rtt UKMS_SIM [ROUND_TRIPS [STARTS]]\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(control, sizeof(control), "%s/ctl.sock", dir);
	rc = peer_start(&sim, argv[1], control);
	if (rc == 0)
		rc = control_open(&sim);
	if (rc == 0)
		rc = peer_start(&echo, NULL, NULL);
	if (rc == 0)
		rc = measure(&sim, &echo, n, &s, &e, &sub);
	peer_stop(&sim);
	peer_stop(&echo);
	rmdir(dir);
	if (rc < 0) {
		fprintf(stderr, "at_rtt: round trips failed: %s\n", strerror(-rc));
		return 1;
	}
	print_rtt(n, &s, &e, &sub);
	rc = measure_start(argv[1], starts, &med, &min, &max);
	if (rc < 0) {
		fprintf(stderr, "at_rtt: start-up failed: %s\n", strerror(-rc));
		return 1;
	}
	printf("start-up to first OK: median %.1f ms over %zu starts (min %.1f, max %.1f)\n",
	       med / 1000, starts, min / 1000, max / 1000);
	return 0;
}
