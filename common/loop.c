/* SPDX-License-Identifier: Apache-2.0 */
#define LOG_MODULE "loop"
#include "loop.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

/* revents are handed to callbacks as poll() bits; on Linux the epoll bits are the same values. */
_Static_assert(EPOLLIN == POLLIN && EPOLLOUT == POLLOUT && EPOLLERR == POLLERR &&
		       EPOLLHUP == POLLHUP && EPOLLPRI == POLLPRI,
	       "epoll and poll event bits differ");

#define EVENTS_MAX 256 /* ready fds taken per pass; the rest stay ready for the next one */

enum source_kind { SRC_FD, SRC_TIMER };

struct loop_source {
	struct loop *loop;
	struct loop_source *prev, *next; /* every source, until reaped */
	struct loop_source *dead_next;   /* removed during this pass */
	enum source_kind kind;
	bool removed;
	bool plain; /* fd epoll refuses (regular file): always ready, as poll() reports it */
	int fd;
	uint32_t gen; /* tells this fd source from an earlier one on the same fd number */
	unsigned events;
	uint64_t deadline; /* timers: heap key (deadline, seq) */
	uint64_t seq;
	size_t heap_idx;
	loop_fd_fn *fd_fn;
	loop_timer_fn *timer_fn;
	void *data;
};

struct timer_heap {
	struct loop_source **v;
	size_t len, cap;
};

struct loop {
	int epfd;
	struct loop_source *all;    /* every source not yet reaped (destroy frees them) */
	struct loop_source *dead;   /* removed during this pass; reap() unlinks and frees them */
	struct loop_source **by_fd; /* fd number -> the source owning its epoll registration */
	size_t by_fd_cap;
	size_t plain_count;
	struct timer_heap timers;
	uint64_t timer_seq;
	uint32_t fd_gen;
	loop_clock_fn *clock_fn;
	void *clock_data;
	uint64_t offset_ms; /* loop_advance: added to every clock reading */
	struct epoll_event evs[EVENTS_MAX];
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
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0) {
		log_error("epoll_create1: %d", -errno);
		free(l);
		return NULL;
	}
	l->clock_fn = monotonic_ms;
	return l;
}

void loop_destroy(struct loop *l)
{
	if (l == NULL)
		return;
	while (l->all != NULL) {
		struct loop_source *s = l->all;

		l->all = s->next;
		free(s);
	}
	free(l->timers.v);
	free(l->by_fd);
	close(l->epfd);
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

/* Deadlines are in loop time, so the heap's order is unchanged: more of it is due. */
void loop_advance(struct loop *l, uint64_t ms)
{
	l->offset_ms += ms;
}

uint64_t loop_advanced_ms(const struct loop *l)
{
	return l->offset_ms;
}

static void list_push(struct loop_source **head, struct loop_source *s)
{
	s->prev = NULL;
	s->next = *head;
	if (*head != NULL)
		(*head)->prev = s;
	*head = s;
}

static void list_unlink(struct loop_source **head, struct loop_source *s)
{
	if (s->prev != NULL)
		s->prev->next = s->next;
	else
		*head = s->next;
	if (s->next != NULL)
		s->next->prev = s->prev;
}

/* ---- timers: a binary min-heap on (deadline, seq), each source knowing its index ---- */

static bool earlier(const struct loop_source *a, const struct loop_source *b)
{
	return a->deadline != b->deadline ? a->deadline < b->deadline : a->seq < b->seq;
}

static void heap_set(struct timer_heap *h, size_t i, struct loop_source *s)
{
	h->v[i] = s;
	s->heap_idx = i;
}

static void sift_up(struct timer_heap *h, size_t i)
{
	struct loop_source *s = h->v[i];

	while (i > 0 && earlier(s, h->v[(i - 1) / 2])) {
		heap_set(h, i, h->v[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	heap_set(h, i, s);
}

static void sift_down(struct timer_heap *h, size_t i)
{
	struct loop_source *s = h->v[i];

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= h->len)
			break;
		if (c + 1 < h->len && earlier(h->v[c + 1], h->v[c]))
			c++;
		if (!earlier(h->v[c], s))
			break;
		heap_set(h, i, h->v[c]);
		i = c;
	}
	heap_set(h, i, s);
}

static int heap_push(struct timer_heap *h, struct loop_source *s)
{
	if (h->len == h->cap) {
		size_t cap = h->cap != 0 ? 2 * h->cap : 16;
		struct loop_source **v = realloc(h->v, cap * sizeof(*v));

		if (v == NULL)
			return -ENOMEM;
		h->v = v;
		h->cap = cap;
	}
	heap_set(h, h->len++, s);
	sift_up(h, h->len - 1);
	return 0;
}

static void heap_delete(struct timer_heap *h, size_t i)
{
	struct loop_source *last = h->v[--h->len];

	if (i == h->len)
		return;
	heap_set(h, i, last);
	if (i > 0 && earlier(last, h->v[(i - 1) / 2]))
		sift_up(h, i);
	else
		sift_down(h, i);
}

/* ---- fd sources: one epoll registration per fd number ---- */

static int own_fd(struct loop *l, int fd, struct loop_source *s)
{
	if ((size_t)fd >= l->by_fd_cap) {
		size_t cap = l->by_fd_cap != 0 ? l->by_fd_cap : 64;
		struct loop_source **v;

		while (cap <= (size_t)fd)
			cap *= 2;
		v = realloc(l->by_fd, cap * sizeof(*v));
		if (v == NULL)
			return -ENOMEM;
		for (size_t i = l->by_fd_cap; i < cap; i++)
			v[i] = NULL;
		l->by_fd = v;
		l->by_fd_cap = cap;
	}
	l->by_fd[fd] = s;
	return 0;
}

static struct epoll_event event_of(const struct loop_source *s)
{
	return (struct epoll_event){
		.events = s->events,
		.data.u64 = (uint64_t)s->gen << 32 | (uint32_t)s->fd,
	};
}

/*
 * Registers s->fd. A regular file cannot be watched by epoll (EPERM): poll() reports it always
 * ready, and so does the loop. An fd closed without loop_remove() leaves its stale source in
 * by_fd; the kernel has already dropped that registration, so the new source takes the slot.
 */
static int watch(struct loop *l, struct loop_source *s)
{
	struct epoll_event ev = event_of(s);

	if (s->fd < 0)
		return -EBADF;
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, s->fd, &ev) < 0) {
		if (errno != EPERM)
			return -errno;
		s->plain = true;
		l->plain_count++;
		return 0;
	}
	if (own_fd(l, s->fd, s) < 0) {
		epoll_ctl(l->epfd, EPOLL_CTL_DEL, s->fd, NULL);
		return -ENOMEM;
	}
	return 0;
}

static void unwatch(struct loop *l, struct loop_source *s)
{
	if (s->plain) {
		l->plain_count--;
		return;
	}
	if ((size_t)s->fd < l->by_fd_cap && l->by_fd[s->fd] == s) {
		l->by_fd[s->fd] = NULL;
		/* Fails harmlessly (EBADF/ENOENT) when the fd was closed before its removal. */
		epoll_ctl(l->epfd, EPOLL_CTL_DEL, s->fd, NULL);
	}
}

static struct loop_source *new_source(struct loop *l, enum source_kind kind, void *data)
{
	struct loop_source *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	s->loop = l;
	s->kind = kind;
	s->data = data;
	s->fd = -1;
	return s;
}

struct loop_source *loop_add_fd(struct loop *l, int fd, unsigned events, loop_fd_fn *fn, void *data)
{
	struct loop_source *s = new_source(l, SRC_FD, data);
	int rc;

	if (s == NULL)
		return NULL;
	s->fd = fd;
	s->events = events;
	s->fd_fn = fn;
	s->gen = ++l->fd_gen;
	rc = watch(l, s);
	if (rc < 0) {
		log_error("cannot watch fd %d: %d", fd, rc);
		free(s);
		return NULL;
	}
	list_push(&l->all, s);
	return s;
}

void loop_set_events(struct loop_source *src, unsigned events)
{
	struct loop *l = src->loop;
	struct epoll_event ev;

	if (src->events == events)
		return;
	src->events = events;
	if (src->removed || src->plain || l->by_fd[src->fd] != src)
		return;
	ev = event_of(src);
	if (epoll_ctl(l->epfd, EPOLL_CTL_MOD, src->fd, &ev) < 0)
		log_error("epoll_ctl MOD fd %d: %d", src->fd, -errno);
}

struct loop_source *loop_add_timer(struct loop *l, uint64_t delay_ms, loop_timer_fn *fn, void *data)
{
	struct loop_source *s = new_source(l, SRC_TIMER, data);

	if (s == NULL)
		return NULL;
	s->deadline = loop_now_ms(l) + delay_ms;
	s->seq = l->timer_seq++;
	s->timer_fn = fn;
	if (heap_push(&l->timers, s) < 0) {
		free(s);
		return NULL;
	}
	list_push(&l->all, s);
	return s;
}

void loop_remove(struct loop *l, struct loop_source *src)
{
	if (src == NULL || src->removed)
		return;
	src->removed = true;
	if (src->kind == SRC_TIMER)
		heap_delete(&l->timers, src->heap_idx);
	else
		unwatch(l, src);
	src->dead_next = l->dead; /* stays linked in l->all so a walk over it stays valid */
	l->dead = src;
}

static void reap(struct loop *l)
{
	while (l->dead != NULL) {
		struct loop_source *s = l->dead;

		l->dead = s->dead_next;
		list_unlink(&l->all, s);
		free(s);
	}
}

/* The epoll_wait timeout: the caller's, shortened to the nearest timer (O(1): the heap top). */
static int wait_timeout(const struct loop *l, int timeout_ms)
{
	if (l->plain_count > 0)
		return 0;
	if (l->timers.len > 0) {
		uint64_t now = loop_now_ms(l), deadline = l->timers.v[0]->deadline;
		uint64_t wait = deadline > now ? deadline - now : 0;

		if (wait > INT32_MAX)
			wait = INT32_MAX;
		if (timeout_ms < 0 || wait < (uint64_t)timeout_ms)
			timeout_ms = (int)wait;
	}
	return timeout_ms;
}

/*
 * Fires the timers due now, earliest first. Timers armed by these callbacks (seq >= limit) wait
 * for the next pass, so a callback re-arming itself with delay 0 cannot starve the fds.
 */
static int dispatch_timers(struct loop *l)
{
	uint64_t now = loop_now_ms(l), limit = l->timer_seq;
	int fired = 0;

	while (l->timers.len > 0) {
		struct loop_source *s = l->timers.v[0];

		if (s->deadline > now || s->seq >= limit)
			break;
		loop_remove(l, s); /* one-shot; the callback may re-arm with a new source */
		s->timer_fn(s->data);
		fired++;
	}
	return fired;
}

static struct loop_source *ready_source(const struct loop *l, const struct epoll_event *ev)
{
	int fd = (int)(uint32_t)ev->data.u64;
	struct loop_source *s = (size_t)fd < l->by_fd_cap ? l->by_fd[fd] : NULL;

	return s != NULL && s->gen == (uint32_t)(ev->data.u64 >> 32) ? s : NULL;
}

/* Regular files (rare: a console reading a file) are ready for whatever they wait for. */
static int dispatch_plain(struct loop *l)
{
	int fired = 0;

	for (struct loop_source *s = l->all; s != NULL && l->plain_count > 0; s = s->next) {
		unsigned rev = s->events & (POLLIN | POLLOUT);

		if (!s->plain || s->removed || rev == 0)
			continue;
		s->fd_fn(s->data, s->fd, rev);
		fired++;
	}
	return fired;
}

int loop_run_once(struct loop *l, int timeout_ms)
{
	int n, fired;

	n = epoll_wait(l->epfd, l->evs, EVENTS_MAX, wait_timeout(l, timeout_ms));
	if (n < 0 && errno != EINTR)
		return -errno;
	fired = dispatch_timers(l);
	for (int i = 0; i < n; i++) {
		struct loop_source *s = ready_source(l, &l->evs[i]);

		/* A source removed earlier in this pass has left by_fd already. */
		if (s == NULL || s->removed)
			continue;
		s->fd_fn(s->data, s->fd, l->evs[i].events);
		fired++;
	}
	if (l->plain_count > 0)
		fired += dispatch_plain(l);
	reap(l);
	return fired;
}

int loop_run(struct loop *l)
{
	while (!l->quit) {
		int rc = loop_run_once(l, -1);

		if (rc < 0) {
			log_error("epoll_wait: %d", rc);
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
