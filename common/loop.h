/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One event loop per process: fd sources, one-shot timers, deferred removal and an injectable
 * clock. Back-end: epoll (level-triggered) and a min-heap of timers, so a pass costs O(ready fds
 * + fired timers x log timers) however many idle sources there are (ukms-sim --fleet N).
 *
 * Each pass: (1) wait in epoll_wait until an fd is ready or the nearest timer (the heap top) is
 * due; (2) dispatch due timers first, earliest first (timers armed by those callbacks wait for
 * the next pass), then ready fds; (3) reap sources removed during the pass. loop_remove() is
 * safe from inside any callback, including the source's own.
 *
 * Remove an fd source before closing its fd. One fd number is watched by at most one source;
 * a regular file (which epoll refuses) is reported always ready, as poll() would.
 */
#ifndef COMMON_LOOP_H
#define COMMON_LOOP_H

#include <stdbool.h>
#include <stdint.h>

struct loop;
struct loop_source;

/* revents are poll() bits (POLLIN, POLLOUT, POLLHUP, POLLERR). */
typedef void loop_fd_fn(void *data, int fd, unsigned revents);
typedef void loop_timer_fn(void *data);
/* Monotonic milliseconds. */
typedef uint64_t loop_clock_fn(void *data);

struct loop *loop_create(void);
/* Frees all sources (does not close their fds). NULL-safe. */
void loop_destroy(struct loop *l);

/* Replaces the clock (tests). fn == NULL restores CLOCK_MONOTONIC. */
void loop_set_clock(struct loop *l, loop_clock_fn *fn, void *data);
uint64_t loop_now_ms(const struct loop *l);
/*
 * Moves the loop's time forward by ms (on top of whatever clock is set): timers whose deadline
 * is now past fire on the next pass. Time never goes back. Used by the control op `clock`.
 */
void loop_advance(struct loop *l, uint64_t ms);
/* Total of every loop_advance() so far. */
uint64_t loop_advanced_ms(const struct loop *l);

/* Watches fd for events (POLLIN/POLLOUT; POLLHUP/POLLERR always). Returns NULL (logged) on
 * allocation failure or when epoll refuses fd (bad fd, fd already watched). */
struct loop_source *loop_add_fd(struct loop *l, int fd, unsigned events, loop_fd_fn *fn,
				void *data);
/* Changes the events an fd source waits for. */
void loop_set_events(struct loop_source *src, unsigned events);

/* One-shot timer firing delay_ms from now. The source is reaped after it fires. */
struct loop_source *loop_add_timer(struct loop *l, uint64_t delay_ms, loop_timer_fn *fn,
				   void *data);

/* Marks the source removed; it is freed after the current pass. NULL-safe. */
void loop_remove(struct loop *l, struct loop_source *src);

/*
 * Runs one pass, waiting at most timeout_ms (-1: until an event or the next timer).
 * Returns the number of callbacks dispatched, or -errno from epoll_wait.
 */
int loop_run_once(struct loop *l, int timeout_ms);

/* Runs until loop_quit(). Returns 0 or -errno. */
int loop_run(struct loop *l);
void loop_quit(struct loop *l);
bool loop_is_quitting(const struct loop *l);

#endif /* COMMON_LOOP_H */
