/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Backpressure of the pty (pty.h, issue 13 item 8): a client that does not read makes the
 * output queue reach its high-water mark; from then on the pty reads none of the client's
 * input, drops no output, and when the client has read the queue down to the low-water mark
 * reading resumes, the owner is told (resume), and the waiting input arrives.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <cmocka.h>

#include "log.h"
#include "loop.h"
#include "pty.h"

#define CAP (64u * 1024)

struct seen {
	size_t in;
	int resumed;
};

static void on_input(void *data, const uint8_t *bytes, size_t len)
{
	struct seen *s = data;

	(void)bytes;
	s->in += len;
}

static void on_resume(void *data)
{
	struct seen *s = data;

	s->resumed++;
}

static int open_client(const char *path)
{
	struct termios tio;
	int fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(tcgetattr(fd, &tio), 0);
	cfmakeraw(&tio);
	assert_int_equal(tcsetattr(fd, TCSANOW, &tio), 0);
	return fd;
}

/* Reads what the client can, returns the byte count. */
static size_t client_read(int fd)
{
	uint8_t chunk[4096];
	size_t total = 0;
	ssize_t n;

	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		total += (size_t)n;
	return total;
}

static void test_congestion_pauses_input(void **state)
{
	struct loop *l = loop_create();
	struct seen s = { 0 };
	struct pty_config cfg = {
		.loop = l, .out_cap = CAP, .input = on_input, .input_data = &s, .resume = on_resume
	};
	struct pty *p;
	uint8_t block[1024];
	size_t written = 0, got = 0;
	int fd;

	(void)state;
	assert_non_null(l);
	p = pty_open(&cfg);
	assert_non_null(p);
	fd = open_client(pty_path(p));
	memset(block, 'x', sizeof(block));
	while (!pty_is_congested(p) && written < 16 * CAP) { /* the kernel takes some first */
		assert_int_equal(pty_write(p, block, sizeof(block)), 0);
		written += sizeof(block);
	}
	assert_true(pty_is_congested(p));
	assert_true(pty_queued(p) >= CAP / 2 && pty_queued(p) < CAP);

	assert_int_equal(write(fd, "AT\r", 3), 3); /* the client writes while not reading */
	for (int i = 0; i < 5; i++)
		assert_true(loop_run_once(l, 10) >= 0);
	assert_int_equal(s.in, 0); /* not read: input paused */
	assert_int_equal(s.resumed, 0);

	for (uint64_t until = loop_now_ms(l) + 10000; s.in < 3 && loop_now_ms(l) < until;) {
		got += client_read(fd);
		assert_true(loop_run_once(l, 10) >= 0);
	}
	assert_int_equal(s.resumed, 1);
	assert_int_equal(s.in, 3);
	assert_false(pty_is_congested(p));
	for (uint64_t until = loop_now_ms(l) + 10000; got < written && loop_now_ms(l) < until;) {
		got += client_read(fd);
		assert_true(loop_run_once(l, 10) >= 0);
	}
	assert_int_equal(got, written); /* nothing dropped */
	close(fd);
	pty_close(p);
	loop_destroy(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_congestion_pauses_input),
	};

	log_set_level(LOG_LEVEL_ERROR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
