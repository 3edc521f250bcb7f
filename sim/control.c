/* SPDX-License-Identifier: Apache-2.0 */
#define LOG_MODULE "control"
#include "control.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "buf.h"
#include "ctl.h"
#include "log.h"
#include "loop.h"
#include "modem.h"

#define READ_CHUNK 4096

struct client {
	struct control *ctl;
	struct client *next;
	int fd;
	struct loop_source *src;
	struct ctl_session *session;
	struct buf in;            /* bytes of the request lines not handled yet */
	struct buf out;           /* bytes not written yet */
	bool discarding;          /* inside a line longer than CTL_LINE_MAX: drop until '\n' */
	bool closing;             /* a fatal condition: close once the loop is back here */
	unsigned long dropped;    /* events not queued since the last one that was */
	bool in_run;              /* inside run_lines: replies need no kick */
	struct loop_source *kick; /* 0 ms timer: run waiting lines, or close */
};

/*
 * A modem some client follows (`subscribe`): its observer's data and who wants which events.
 * Made at the first subscription to that modem and freed with the last follower, so a modem
 * nobody follows has no observer and costs nothing.
 */
struct watch {
	struct control *ctl;
	struct watch *next;
	struct modem *m;
	size_t index; /* in the fleet; 0 without one */
	size_t n;     /* followers */
	struct follower {
		struct client *cl;
		unsigned events; /* enum ctl_events, never 0 */
	} f[CONTROL_CLIENTS_MAX];
};

struct control {
	struct modem *m;           /* the modem, or modem 0 of the fleet */
	struct modem_fleet *fleet; /* NULL: one modem; else requests pick one by "modem": i */
	struct loop *loop;
	char *path;
	int fd;
	ino_t ino;
	struct loop_source *src;
	struct client *clients;
	size_t n_clients;
	struct watch *watches;
	uint64_t t0;
};

/* ---- output ---- */

static void update_events(struct client *cl)
{
	unsigned ev = 0;

	/* Requests are read only while their answers can be queued (backpressure). */
	if (cl->out.len < CONTROL_OUT_CAP / 2 && !ctl_session_busy(cl->session))
		ev |= POLLIN;
	if (cl->out.len > 0)
		ev |= POLLOUT;
	loop_set_events(cl->src, ev);
}

static void unfollow_all(struct control *c, struct client *cl);

static void client_close(struct client *cl)
{
	struct control *c = cl->ctl;

	for (struct client **pp = &c->clients; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == cl) {
			*pp = cl->next;
			break;
		}
	}
	c->n_clients--;
	unfollow_all(c, cl);
	ctl_session_destroy(cl->session);
	loop_remove(c->loop, cl->src);
	loop_remove(c->loop, cl->kick);
	close(cl->fd);
	buf_finish(&cl->in);
	buf_finish(&cl->out);
	free(cl);
	log_debug("client gone (%zu left)", c->n_clients);
}

static void flush(struct client *cl)
{
	while (cl->out.len > 0) {
		ssize_t n = send(cl->fd, cl->out.data, cl->out.len, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n <= 0) {
			cl->closing = true;
			break;
		}
		buf_consume(&cl->out, (size_t)n);
	}
}

/*
 * Appends one line; a response that cannot be queued ends the connection (its order is lost).
 * Responses are sent at once; events wait for the loop's POLLOUT pass, so the send is not on
 * the path of the host's own answer (the observers run before the pty write).
 */
static void queue_line(struct client *cl, const char *line, size_t len, bool now)
{
	if (buf_append(&cl->out, line, len) < 0 || buf_append(&cl->out, "\n", 1) < 0) {
		log_warn("client does not read its responses: disconnected");
		cl->closing = true;
		return;
	}
	if (now)
		flush(cl);
}

static void handle_kick(void *data);

/*
 * Output queued from outside the client's own fd callback (a pending `at` answered, an event
 * overflowed): the lines waiting behind it, or the close, run from the loop — never inside
 * the session or the modem that is calling us.
 */
static void kick(struct client *cl)
{
	if (cl->kick == NULL && !cl->in_run)
		cl->kick = loop_add_timer(cl->ctl->loop, 0, handle_kick, cl);
}

static void handle_reply(void *data, const char *line, size_t len)
{
	struct client *cl = data;

	queue_line(cl, line, len, true);
	if (cl->closing)
		kick(cl);
	else
		update_events(cl);
	if (!ctl_session_busy(cl->session) && cl->in.len > 0)
		kick(cl);
}

/* ---- events ---- */

static const char *const dirs[] = { [MODEM_EV_RX] = "rx", [MODEM_EV_TX] = "tx" };

static unsigned ev_kind(enum modem_ev ev)
{
	return ev == MODEM_EV_URC ? CTL_EV_URC : ev == MODEM_EV_STATE ? CTL_EV_STATE : CTL_EV_AT;
}

/* An event line; with a fleet it names its modem ("modem": i), one modem's lines do not. */
static int format_event(const struct watch *w, enum modem_ev ev, const uint8_t *bytes, size_t len,
			unsigned long dropped, struct buf *b)
{
	static const char *const kinds[] = { [MODEM_EV_RX] = "at",
					     [MODEM_EV_TX] = "at",
					     [MODEM_EV_URC] = "urc",
					     [MODEM_EV_STATE] = "state" };
	const struct control *c = w->ctl;
	int rc = buf_appendf(b, "{\"event\":\"%s\",", kinds[ev]);

	if (rc == 0 && c->fleet != NULL)
		rc = buf_appendf(b, "\"modem\":%zu,", w->index);
	if (rc == 0 && (ev == MODEM_EV_RX || ev == MODEM_EV_TX))
		rc = buf_appendf(b, "\"dir\":\"%s\",\"data\":", dirs[ev]);
	else if (rc == 0)
		rc = buf_appendf(b, "\"%s\":", ev == MODEM_EV_URC ? "text" : "state");
	if (rc == 0)
		rc = ctl_json_bytes(b, bytes, len);
	if (rc == 0 && dropped > 0)
		rc = buf_appendf(b, ",\"dropped\":%lu", dropped);
	if (rc == 0)
		rc = buf_appendf(b, ",\"t\":%llu}",
				 (unsigned long long)(loop_now_ms(c->loop) - c->t0));
	return rc;
}

static void deliver(struct client *cl, const struct watch *w, enum modem_ev ev,
		    const uint8_t *bytes, size_t len)
{
	struct buf line;

	buf_init(&line, 0);
	/* An event is dropped (and counted) rather than grow a slow reader's queue to the cap. */
	if (cl->out.len >= CONTROL_OUT_CAP / 2 ||
	    format_event(w, ev, bytes, len, cl->dropped, &line) < 0 ||
	    cl->out.len + line.len + 1 > CONTROL_OUT_CAP / 2) {
		cl->dropped++;
	} else {
		cl->dropped = 0;
		queue_line(cl, (const char *)line.data, line.len, false);
		if (cl->closing)
			kick(cl);
		else
			update_events(cl);
	}
	buf_finish(&line);
}

static void handle_modem_event(void *data, enum modem_ev ev, const uint8_t *bytes, size_t len)
{
	struct watch *w = data;

	for (size_t i = 0; i < w->n; i++)
		if (!w->f[i].cl->closing && (w->f[i].events & ev_kind(ev)))
			deliver(w->f[i].cl, w, ev, bytes, len);
}

/* cl's events from w's modem: added, changed or (0) removed. */
static void set_follower(struct watch *w, struct client *cl, unsigned events)
{
	size_t i = 0;

	while (i < w->n && w->f[i].cl != cl)
		i++;
	if (i < w->n && events == 0)
		w->f[i] = w->f[--w->n];
	else if (i < w->n)
		w->f[i].events = events;
	else if (events != 0 && w->n < CONTROL_CLIENTS_MAX)
		w->f[w->n++] = (struct follower){ .cl = cl, .events = events };
}

/* Frees the watches nobody follows any more, with their observers. */
static void drop_unfollowed(struct control *c)
{
	struct watch **pp = &c->watches;

	while (*pp != NULL) {
		struct watch *w = *pp;

		if (w->n > 0) {
			pp = &w->next;
			continue;
		}
		*pp = w->next;
		modem_unobserve(w->m, handle_modem_event, w);
		free(w);
	}
}

/* cl goes: it follows no modem any more. */
static void unfollow_all(struct control *c, struct client *cl)
{
	for (struct watch *w = c->watches; w != NULL; w = w->next)
		set_follower(w, cl, 0);
	drop_unfollowed(c);
}

static struct watch *find_watch(const struct control *c, const struct modem *m)
{
	struct watch *w = c->watches;

	while (w != NULL && w->m != m)
		w = w->next;
	return w;
}

/* A watch of modem m with its observer installed. 0, -ENOMEM or -ENOSPC. */
static int add_watch(struct control *c, struct modem *m, size_t index, struct watch **out)
{
	struct watch *w = calloc(1, sizeof(*w));
	int rc = w != NULL ? 0 : -ENOMEM;

	if (w != NULL) {
		*w = (struct watch){ .ctl = c, .next = c->watches, .m = m, .index = index };
		rc = modem_observe(m, handle_modem_event, w);
	}
	if (rc < 0) {
		free(w);
		return rc;
	}
	c->watches = *out = w;
	return 0;
}

static int handle_subscribe(void *data, struct modem *m, size_t index, unsigned events)
{
	struct client *cl = data;
	struct watch *w = find_watch(cl->ctl, m);
	int rc = w == NULL && events != 0 ? add_watch(cl->ctl, m, index, &w) : 0;

	if (w != NULL)
		set_follower(w, cl, events);
	if (events == 0)
		drop_unfollowed(cl->ctl);
	return rc;
}

/* ---- input ---- */

static void reject_long_line(struct client *cl)
{
	static const char msg[] = "{\"ok\":false,\"error\":{\"code\":\"too_long\",\"message\":"
				  "\"request line longer than 65536 bytes\"}}";

	queue_line(cl, msg, sizeof(msg) - 1, true);
}

/* Runs the complete lines in cl->in, one at a time, stopping while a request is pending. */
static void run_lines(struct client *cl)
{
	cl->in_run = true;
	while (!cl->closing && !ctl_session_busy(cl->session) && cl->in.len > 0) {
		uint8_t *nl = memchr(cl->in.data, '\n', cl->in.len);
		size_t n;

		if (nl == NULL) {
			if (cl->in.len > CTL_LINE_MAX) {
				/* Its newline has not come yet: read_input skips up to it. */
				reject_long_line(cl);
				buf_reset(&cl->in);
				cl->discarding = true;
			}
			break;
		}
		n = (size_t)(nl - cl->in.data);
		if (n > CTL_LINE_MAX)
			reject_long_line(cl); /* only this line: the requests behind it stay */
		else if (n > 0 && !(n == 1 && cl->in.data[0] == '\r'))
			ctl_session_request(cl->session, (const char *)cl->in.data, n);
		buf_consume(&cl->in, n + 1);
	}
	cl->in_run = false;
}

static void read_input(struct client *cl)
{
	uint8_t chunk[READ_CHUNK];
	ssize_t n = recv(cl->fd, chunk, sizeof(chunk), MSG_DONTWAIT);

	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	if (n <= 0) {
		cl->closing = true;
		return;
	}
	if (cl->discarding) {
		uint8_t *nl = memchr(chunk, '\n', (size_t)n);

		if (nl == NULL)
			return;
		cl->discarding = false;
		n -= nl + 1 - chunk;
		memmove(chunk, nl + 1, (size_t)n);
	}
	if (buf_append(&cl->in, chunk, (size_t)n) < 0)
		cl->closing = true;
}

/* Runs what is waiting; closes the client if it must go. */
static void service(struct client *cl)
{
	run_lines(cl);
	if (cl->closing) {
		client_close(cl);
		return;
	}
	update_events(cl);
}

static void handle_kick(void *data)
{
	struct client *cl = data;

	cl->kick = NULL;
	service(cl);
}

static void handle_client(void *data, int fd, unsigned revents)
{
	struct client *cl = data;

	(void)fd;
	if (revents & POLLOUT)
		flush(cl);
	if (revents & (POLLIN | POLLHUP | POLLERR))
		read_input(cl);
	service(cl);
}

static void handle_accept(void *data, int fd, unsigned revents)
{
	struct control *c = data;
	struct client *cl;
	struct ctl_session_config sc;
	int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	(void)revents;
	if (cfd < 0)
		return;
	if (c->n_clients >= CONTROL_CLIENTS_MAX) {
		static const char full[] = "{\"ok\":false,\"error\":{\"code\":\"busy\",\"message\":"
					   "\"too many control clients\"}}\n";

		(void)!send(cfd, full, sizeof(full) - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
		close(cfd);
		return;
	}
	cl = calloc(1, sizeof(*cl));
	if (cl == NULL) {
		close(cfd);
		return;
	}
	cl->ctl = c;
	cl->fd = cfd;
	buf_init(&cl->in, CTL_LINE_MAX + READ_CHUNK + 2);
	buf_init(&cl->out, CONTROL_OUT_CAP);
	sc = (struct ctl_session_config){
		.m = c->m,
		.fleet = c->fleet,
		.reply = handle_reply,
		.subscribe = handle_subscribe,
		.data = cl,
	};
	cl->session = ctl_session_create(&sc);
	cl->src = loop_add_fd(c->loop, cfd, POLLIN, handle_client, cl);
	cl->next = c->clients;
	c->clients = cl;
	c->n_clients++;
	if (cl->session == NULL || cl->src == NULL)
		client_close(cl);
	else
		log_debug("client connected (%zu)", c->n_clients);
}

/* ---- the listening socket ---- */

/* 0 if path is free now (absent, or a stale socket that was removed), else -errno + err. */
static int clear_path(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int fd, rc;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, errlen, "--control %s exists and is not a socket", path);
		return -EEXIST;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	memcpy(sa.sun_path, path, strlen(path));
	rc = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 ? -EADDRINUSE : -errno;
	close(fd);
	if (rc == -ECONNREFUSED) { /* stale: nobody listens */
		log_info("replacing the stale control socket %s", path);
		return unlink(path) == 0 ? 0 : -errno;
	}
	snprintf(err, errlen, "--control %s is in use by another process", path);
	return -EADDRINUSE;
}

static int listen_on(struct control *c, const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	mode_t old;
	int rc;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "--control %s: path longer than %zu bytes", path,
			 sizeof(sa.sun_path) - 1);
		return -ENAMETOOLONG;
	}
	rc = clear_path(path, err, errlen);
	if (rc < 0)
		return rc;
	memcpy(sa.sun_path, path, strlen(path));
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return -errno;
	old = umask(077); /* the socket is created 0600 (no window with wider rights) */
	rc = bind(c->fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 ? 0 : -errno;
	umask(old);
	if (rc == 0 && (chmod(path, 0600) < 0 || lstat(path, &st) < 0))
		rc = -errno;
	if (rc == 0 && listen(c->fd, CONTROL_CLIENTS_MAX) < 0)
		rc = -errno;
	if (rc < 0)
		return rc;
	c->ino = st.st_ino;
	return 0;
}

struct control *control_create(struct modem *m, struct modem_fleet *fleet, struct loop *loop,
			       const char *path, char *err, size_t errlen)
{
	struct control *c = calloc(1, sizeof(*c));
	int rc;

	if (c == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	c->m = m;
	c->fleet = fleet;
	c->loop = loop;
	c->fd = -1;
	c->t0 = loop_now_ms(loop);
	c->path = strdup(path);
	err[0] = '\0';
	rc = c->path != NULL ? listen_on(c, path, err, errlen) : -ENOMEM;
	if (rc == 0) {
		c->src = loop_add_fd(loop, c->fd, POLLIN, handle_accept, c);
		rc = c->src != NULL ? 0 : -ENOMEM;
	}
	if (rc < 0) {
		if (err[0] == '\0')
			snprintf(err, errlen, "--control %s: %s", path, strerror(-rc));
		if (c->fd >= 0 && c->ino != 0)
			unlink(path);
		free(c->path);
		if (c->fd >= 0)
			close(c->fd);
		free(c);
		return NULL;
	}
	log_info("control socket %s", path);
	return c;
}

void control_destroy(struct control *c)
{
	struct stat st;

	if (c == NULL)
		return;
	while (c->clients != NULL)
		client_close(c->clients); /* the last one frees the last watch */
	loop_remove(c->loop, c->src);
	close(c->fd);
	/* Remove the path only if it is still our socket. */
	if (lstat(c->path, &st) == 0 && st.st_ino == c->ino)
		unlink(c->path);
	free(c->path);
	free(c);
}
