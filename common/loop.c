/* SPDX-License-Identifier: Apache-2.0 */
#define LOG_MODULE "loop"
#include "loop.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <time.h>

#include "log.h"

enum source_kind { SRC_FD, SRC_TIMER };

struct loop_source {
	struct loop_source *next;
	enum source_kind kind;
	bool removed;
	int fd;
	unsigned events;
	uint64_t deadline;
	loop_fd_fn *fd_fn;
	loop_timer_fn *timer_fn;
	void *data;
};

struct loop {
	struct loop_source *sources;
	loop_clock_fn *clock_fn;
	void *clock_data;
	uint64_t offset_ms; /* loop_advance: added to every clock reading */
	struct pollfd *pfds;
	struct loop_source **pfd_src;
	size_t pfd_alloc;
	bool quit;
};

static uint64_t monotonic_ms(void *data)
{
	struct timespec ts;

	(void)data;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

struct loop *loop_create(void)
{
	struct loop *l = calloc(1, sizeof(*l));

	if (l == NULL)
		return NULL;
	l->clock_fn = monotonic_ms;
	return l;
}

void loop_destroy(struct loop *l)
{
	if (l == NULL)
		return;
	while (l->sources != NULL) {
		struct loop_source *s = l->sources;

		l->sources = s->next;
		free(s);
	}
	free(l->pfds);
	free(l->pfd_src);
	free(l);
}

void loop_set_clock(struct loop *l, loop_clock_fn *fn, void *data)
{
	l->clock_fn = fn != NULL ? fn : monotonic_ms;
	l->clock_data = data;
}

uint64_t loop_now_ms(const struct loop *l)
{
	return l->clock_fn(l->clock_data) + l->offset_ms;
}

void loop_advance(struct loop *l, uint64_t ms)
{
	l->offset_ms += ms;
}

uint64_t loop_advanced_ms(const struct loop *l)
{
	return l->offset_ms;
}

static struct loop_source *add_source(struct loop *l, enum source_kind kind, void *data)
{
	struct loop_source *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	s->kind = kind;
	s->data = data;
	s->fd = -1;
	s->next = l->sources;
	l->sources = s;
	return s;
}

struct loop_source *loop_add_fd(struct loop *l, int fd, unsigned events, loop_fd_fn *fn, void *data)
{
	struct loop_source *s = add_source(l, SRC_FD, data);

	if (s == NULL)
		return NULL;
	s->fd = fd;
	s->events = events;
	s->fd_fn = fn;
	return s;
}

void loop_set_events(struct loop_source *src, unsigned events)
{
	src->events = events;
}

struct loop_source *loop_add_timer(struct loop *l, uint64_t delay_ms, loop_timer_fn *fn, void *data)
{
	struct loop_source *s = add_source(l, SRC_TIMER, data);

	if (s == NULL)
		return NULL;
	s->deadline = loop_now_ms(l) + delay_ms;
	s->timer_fn = fn;
	return s;
}

void loop_remove(struct loop *l, struct loop_source *src)
{
	(void)l;
	if (src != NULL)
		src->removed = true;
}

static void reap(struct loop *l)
{
	struct loop_source **pp = &l->sources;

	while (*pp != NULL) {
		struct loop_source *s = *pp;

		if (s->removed) {
			*pp = s->next;
			free(s);
		} else {
			pp = &s->next;
		}
	}
}

/* Collects the fd sources into the pollfd array and returns the poll timeout. */
static int prepare(struct loop *l, int timeout_ms, size_t *nfds)
{
	uint64_t now = loop_now_ms(l);
	size_t n = 0, count = 0;

	for (struct loop_source *s = l->sources; s != NULL; s = s->next)
		count++;
	if (count > l->pfd_alloc) {
		struct pollfd *p = realloc(l->pfds, count * sizeof(*p));
		struct loop_source **q;

		if (p == NULL)
			return -ENOMEM;
		l->pfds = p;
		q = realloc(l->pfd_src, count * sizeof(*q));
		if (q == NULL)
			return -ENOMEM;
		l->pfd_src = q;
		l->pfd_alloc = count;
	}
	for (struct loop_source *s = l->sources; s != NULL; s = s->next) {
		if (s->removed)
			continue;
		if (s->kind == SRC_TIMER) {
			uint64_t wait = s->deadline > now ? s->deadline - now : 0;

			if (wait > INT32_MAX)
				wait = INT32_MAX;

			if (timeout_ms < 0 || wait < (uint64_t)timeout_ms)
				timeout_ms = (int)wait;
			continue;
		}
		l->pfds[n] = (struct pollfd){ .fd = s->fd, .events = (short)s->events };
		l->pfd_src[n++] = s;
	}
	*nfds = n;
	return timeout_ms;
}

static int dispatch_timers(struct loop *l)
{
	uint64_t now = loop_now_ms(l);
	int fired = 0;

	for (struct loop_source *s = l->sources; s != NULL; s = s->next) {
		if (s->removed || s->kind != SRC_TIMER || s->deadline > now)
			continue;
		s->removed = true; /* one-shot; the callback may re-arm with a new source */
		s->timer_fn(s->data);
		fired++;
	}
	return fired;
}

int loop_run_once(struct loop *l, int timeout_ms)
{
	size_t nfds = 0;
	int timeout, n, fired;

	timeout = prepare(l, timeout_ms, &nfds);
	if (timeout < -1)
		return timeout;
	n = poll(l->pfds, nfds, timeout);
	if (n < 0 && errno != EINTR)
		return -errno;
	fired = dispatch_timers(l);
	for (size_t i = 0; n > 0 && i < nfds; i++) {
		struct loop_source *s = l->pfd_src[i];

		if (l->pfds[i].revents == 0 || s->removed)
			continue;
		s->fd_fn(s->data, s->fd, (unsigned)l->pfds[i].revents);
		fired++;
	}
	reap(l);
	return fired;
}

int loop_run(struct loop *l)
{
	while (!l->quit) {
		int rc = loop_run_once(l, -1);

		if (rc < 0) {
			log_error("poll: %d", rc);
			return rc;
		}
	}
	return 0;
}

void loop_quit(struct loop *l)
{
	l->quit = true;
}

bool loop_is_quitting(const struct loop *l)
{
	return l->quit;
}
