/* SPDX-License-Identifier: Apache-2.0 */
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "loop.h"

struct fake_clock {
	uint64_t now;
};

static uint64_t fake_now(void *data)
{
	return ((struct fake_clock *)data)->now;
}

struct record {
	struct loop *loop;
	int order[8];
	int n;
	struct loop_source *victim;
};

static void mark(struct record *r, int what)
{
	if (r->n < 8)
		r->order[r->n++] = what;
}

static void on_timer_a(void *data)
{
	mark(data, 1);
}

static void on_timer_b(void *data)
{
	mark(data, 2);
}

static void test_timers_fire_in_time_with_fake_clock(void **state)
{
	struct fake_clock clk = { 1000 };
	struct loop *l = loop_create();
	struct record r = { .loop = l };

	(void)state;
	loop_set_clock(l, fake_now, &clk);
	loop_add_timer(l, 50, on_timer_b, &r);
	loop_add_timer(l, 10, on_timer_a, &r);
	assert_int_equal(loop_run_once(l, 0), 0); /* nothing due yet */
	clk.now += 10;
	assert_int_equal(loop_run_once(l, 0), 1);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.order[0], 1);
	clk.now += 100;
	assert_int_equal(loop_run_once(l, 0), 1);
	assert_int_equal(r.order[1], 2);
	assert_int_equal(loop_run_once(l, 0), 0); /* one-shot: gone */
	loop_destroy(l);
}

static void test_advance_fires_due_timers(void **state)
{
	struct fake_clock clk = { 5000 };
	struct loop *l = loop_create();
	struct record r = { .loop = l };

	(void)state;
	loop_set_clock(l, fake_now, &clk);
	loop_add_timer(l, 86400000, on_timer_a, &r); /* a day */
	assert_int_equal(loop_run_once(l, 0), 0);
	loop_advance(l, 86399999);
	assert_int_equal(loop_run_once(l, 0), 0);
	assert_int_equal(loop_now_ms(l), 5000 + 86399999ull);
	loop_advance(l, 1);
	assert_int_equal(loop_run_once(l, 0), 1);
	assert_int_equal(r.order[0], 1);
	assert_int_equal(loop_advanced_ms(l), 86400000ull);
	loop_destroy(l);
}

static void on_fd_remove_victim(void *data, int fd, unsigned revents)
{
	struct record *r = data;
	char c;

	(void)revents;
	if (read(fd, &c, 1) == 1)
		mark(r, 3);
	loop_remove(r->loop, r->victim); /* removing another source from a callback is safe */
}

static void test_fd_dispatch_and_deferred_removal(void **state)
{
	struct loop *l = loop_create();
	struct record r = { .loop = l };
	int p[2];

	(void)state;
	assert_int_equal(pipe2(p, O_NONBLOCK), 0);
	r.victim = loop_add_timer(l, 0, on_timer_a, &r);
	loop_remove(l, r.victim); /* removed before it fires */
	r.victim = loop_add_timer(l, 100000, on_timer_b, &r);
	loop_add_fd(l, p[0], POLLIN, on_fd_remove_victim, &r);
	assert_int_equal(write(p[1], "x", 1), 1);
	assert_int_equal(loop_run_once(l, 1000), 1);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.order[0], 3);
	/* The far timer was removed by the fd callback: an empty pass must not block forever. */
	assert_int_equal(loop_run_once(l, 0), 0);
	loop_destroy(l);
	close(p[0]);
	close(p[1]);
}

static void on_quit(void *data)
{
	loop_quit(data);
}

static void test_run_until_quit(void **state)
{
	struct loop *l = loop_create();

	(void)state;
	loop_add_timer(l, 1, on_quit, l);
	assert_int_equal(loop_run(l), 0);
	assert_true(loop_is_quitting(l));
	loop_destroy(l);
}

/* ---- many fds: only the ready ones are dispatched, removal and re-arming by epoll_ctl ---- */

#define NPIPES 300 /* 600 fds: under the usual soft limit of 1024 */

struct many {
	struct loop *loop;
	int hits[NPIPES];
	int last;
};

struct pipe_src {
	struct many *m;
	int idx;
};

static void on_pipe(void *data, int fd, unsigned revents)
{
	struct pipe_src *p = data;
	char c;

	if ((revents & POLLIN) && read(fd, &c, 1) == 1)
		p->m->hits[p->idx]++;
	p->m->last = p->idx;
}

static void test_many_fds_only_ready_ones_dispatched(void **state)
{
	static int fds[NPIPES][2];
	static struct pipe_src ps[NPIPES];
	static struct loop_source *src[NPIPES];
	struct many m = { .loop = loop_create() };

	(void)state;
	for (int i = 0; i < NPIPES; i++) {
		assert_int_equal(pipe2(fds[i], O_NONBLOCK), 0);
		ps[i] = (struct pipe_src){ &m, i };
		src[i] = loop_add_fd(m.loop, fds[i][0], POLLIN, on_pipe, &ps[i]);
		assert_non_null(src[i]);
	}
	assert_int_equal(loop_run_once(m.loop, 0), 0);
	for (int i = 0; i < NPIPES; i += 37) {
		assert_int_equal(write(fds[i][1], "x", 1), 1);
		assert_int_equal(loop_run_once(m.loop, 1000), 1);
		assert_int_equal(m.last, i);
		assert_int_equal(m.hits[i], 1);
	}
	/* Several ready at once: each dispatched once in the same pass. */
	for (int i = 0; i < NPIPES; i += 50)
		assert_int_equal(write(fds[i][1], "y", 1), 1);
	assert_int_equal(loop_run_once(m.loop, 1000), (NPIPES + 49) / 50);
	assert_int_equal(m.hits[50], 1);
	/* Events 0: a readable fd is not dispatched until it waits for POLLIN again. */
	loop_set_events(src[7], 0);
	assert_int_equal(write(fds[7][1], "z", 1), 1);
	assert_int_equal(loop_run_once(m.loop, 0), 0);
	loop_set_events(src[7], POLLIN);
	assert_int_equal(loop_run_once(m.loop, 1000), 1);
	assert_int_equal(m.hits[7], 1);
	/* A removed source is never dispatched again, even with data pending. */
	loop_remove(m.loop, src[9]);
	assert_int_equal(write(fds[9][1], "w", 1), 1);
	assert_int_equal(loop_run_once(m.loop, 0), 0);
	assert_int_equal(m.hits[9], 0);
	loop_destroy(m.loop);
	for (int i = 0; i < NPIPES; i++) {
		close(fds[i][0]);
		close(fds[i][1]);
	}
}

/* An fd closed before its source is removed, its number reused by a new source: removing the
 * stale source must not silence the new one. */
static void test_fd_number_reused_before_removal(void **state)
{
	struct many m = { .loop = loop_create() };
	struct pipe_src a = { &m, 1 }, b = { &m, 2 };
	struct loop_source *old;
	int p[2], q[2];

	(void)state;
	assert_int_equal(pipe2(p, O_NONBLOCK), 0);
	old = loop_add_fd(m.loop, p[0], POLLIN, on_pipe, &a);
	close(p[0]);
	assert_int_equal(pipe2(q, O_NONBLOCK), 0);
	assert_int_equal(q[0], p[0]); /* lowest free number */
	assert_non_null(loop_add_fd(m.loop, q[0], POLLIN, on_pipe, &b));
	loop_remove(m.loop, old);
	assert_int_equal(write(q[1], "x", 1), 1);
	assert_int_equal(loop_run_once(m.loop, 1000), 1);
	assert_int_equal(m.hits[2], 1);
	assert_int_equal(m.hits[1], 0);
	loop_destroy(m.loop);
	close(p[1]);
	close(q[0]);
	close(q[1]);
}

/* A regular file cannot go into epoll; like poll() the loop reports it readable. */
static void test_regular_file_is_always_ready(void **state)
{
	struct many m = { .loop = loop_create() };
	struct pipe_src a = { &m, 4 };
	char path[] = "/tmp/ukms-test-loop-XXXXXX";
	int fd = mkstemp(path);
	struct loop_source *s;

	(void)state;
	assert_true(fd >= 0);
	unlink(path);
	assert_int_equal(write(fd, "ab", 2), 2);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	s = loop_add_fd(m.loop, fd, POLLIN, on_pipe, &a);
	assert_non_null(s);
	assert_int_equal(loop_run_once(m.loop, -1), 1); /* must not block */
	assert_int_equal(m.hits[4], 1);
	loop_remove(m.loop, s);
	assert_int_equal(loop_run_once(m.loop, 0), 0);
	loop_destroy(m.loop);
	close(fd);
}

/* ---- many timers: deadline order, removal anywhere in the heap, no same-pass re-arming ---- */

#define NTIMERS 5000

struct tmany {
	struct loop *loop;
	struct fake_clock *clk;
	uint64_t last_deadline;
	int fired;
	bool out_of_order;
};

struct tsrc {
	struct tmany *t;
	uint64_t deadline;
	bool removed;
	bool fired;
};

static void on_tmany(void *data)
{
	struct tsrc *s = data;

	if (s->deadline < s->t->last_deadline || s->removed || s->fired ||
	    s->deadline > s->t->clk->now)
		s->t->out_of_order = true;
	s->t->last_deadline = s->deadline;
	s->fired = true;
	s->t->fired++;
}

static void test_many_timers_fire_in_deadline_order(void **state)
{
	static struct tsrc ts[NTIMERS];
	static struct loop_source *src[NTIMERS];
	struct fake_clock clk = { 5000 };
	struct tmany t = { .loop = loop_create(), .clk = &clk };
	uint32_t x = 12345;
	int removed = 0;

	(void)state;
	loop_set_clock(t.loop, fake_now, &clk);
	for (int i = 0; i < NTIMERS; i++) {
		x = x * 1103515245u + 12345u;
		ts[i] = (struct tsrc){ &t, clk.now + 1 + (x >> 8) % 10000, false, false };
		src[i] = loop_add_timer(t.loop, ts[i].deadline - clk.now, on_tmany, &ts[i]);
		assert_non_null(src[i]);
	}
	for (int i = 0; i < NTIMERS; i += 3) {
		loop_remove(t.loop, src[i]);
		ts[i].removed = true;
		removed++;
	}
	assert_int_equal(loop_run_once(t.loop, 0), 0);
	while (t.fired < NTIMERS - removed && clk.now < 5000 + 20000) {
		clk.now += 97;
		assert_true(loop_run_once(t.loop, 0) >= 0);
	}
	assert_int_equal(t.fired, NTIMERS - removed);
	assert_false(t.out_of_order);
	assert_int_equal(loop_run_once(t.loop, 0), 0);
	loop_destroy(t.loop);
}

struct rearm {
	struct loop *loop;
	int runs;
};

static void on_rearm(void *data)
{
	struct rearm *r = data;

	r->runs++;
	loop_add_timer(r->loop, 0, on_rearm, r);
}

/* A timer re-arming itself with delay 0 fires once per pass, so fds still get their turn. */
static void test_zero_delay_rearm_fires_once_per_pass(void **state)
{
	struct fake_clock clk = { 1 };
	struct rearm r = { .loop = loop_create() };

	(void)state;
	loop_set_clock(r.loop, fake_now, &clk);
	loop_add_timer(r.loop, 0, on_rearm, &r);
	assert_int_equal(loop_run_once(r.loop, 0), 1);
	assert_int_equal(loop_run_once(r.loop, 0), 1);
	assert_int_equal(r.runs, 2);
	loop_destroy(r.loop);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_timers_fire_in_time_with_fake_clock),
		cmocka_unit_test(test_advance_fires_due_timers),
		cmocka_unit_test(test_fd_dispatch_and_deferred_removal),
		cmocka_unit_test(test_run_until_quit),
		cmocka_unit_test(test_many_fds_only_ready_ones_dispatched),
		cmocka_unit_test(test_fd_number_reused_before_removal),
		cmocka_unit_test(test_regular_file_is_always_ready),
		cmocka_unit_test(test_many_timers_fire_in_deadline_order),
		cmocka_unit_test(test_zero_delay_rearm_fires_once_per_pass),
	};
	return cmocka_run_group_tests_name("loop", tests, NULL, NULL);
}
