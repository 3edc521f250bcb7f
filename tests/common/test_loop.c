/* SPDX-License-Identifier: Apache-2.0 */
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_timers_fire_in_time_with_fake_clock),
		cmocka_unit_test(test_advance_fires_due_timers),
		cmocka_unit_test(test_fd_dispatch_and_deferred_removal),
		cmocka_unit_test(test_run_until_quit),
	};
	return cmocka_run_group_tests_name("loop", tests, NULL, NULL);
}
