/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Engine dialogues through the in-memory transport (style.md §3.8): exact bytes out for bytes
 * in, with a small fake command table. Time is injected (loop_set_clock); nothing sleeps.
 */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "at_engine.h"
#include "loop.h"
#include "mem_transport.h"

struct fx {
	struct at_engine *e;
	struct loop *loop;
	struct mem_transport out;
	uint64_t now;
	struct at_req *pending;
	int calls, aborts, resets, last_reset_factory;
	bool go_silent;
	uint32_t hold_ms; /* what the on_final hook answers */
	int finals;
};

static enum at_rc h_tst(struct at_req *req)
{
	struct fx *f = at_req_ctx(req);
	struct at_span s = at_arg_str(req, 1);

	f->calls++;
	switch (at_req_op(req)) {
	case AT_OP_READ:
		return at_reply(req, "+TST: 1") < 0 ? AT_RC_ERROR : AT_RC_OK;
	case AT_OP_TEST:
		return at_reply(req, "+TST: (0-100)") < 0 ? AT_RC_ERROR : AT_RC_OK;
	case AT_OP_SET:
		at_reply(req, "+TST: %ld,\"%.*s\",%d", at_arg_int(req, 0), (int)s.len, s.p,
			 at_arg_present(req, 1));
		return AT_RC_OK;
	default:
		return AT_RC_OK;
	}
}

static enum at_rc h_fail(struct at_req *req)
{
	return at_fail(req, AT_CME_OPERATION_NOT_ALLOWED);
}

static enum at_rc h_err(struct at_req *req)
{
	return AT_RC_ERROR;
}

static enum at_rc h_pend(struct at_req *req)
{
	struct fx *f = at_req_ctx(req);

	f->pending = req;
	return AT_RC_PENDING;
}

static enum at_rc h_now(struct at_req *req)
{
	at_req_complete(req, AT_RC_OK); /* completes before returning */
	return AT_RC_PENDING;
}

static void on_abort(struct at_req *req)
{
	struct fx *f = at_req_ctx(req);

	f->aborts++;
	f->pending = NULL;
}

static enum at_rc h_abrt(struct at_req *req)
{
	at_req_set_abort(req, on_abort);
	return h_pend(req);
}

static enum at_rc on_data(struct at_req *req, const uint8_t *data, size_t len)
{
	at_reply_data(req, "+DATA: \"", data, len, "\"");
	return AT_RC_OK;
}

static enum at_rc h_data(struct at_req *req)
{
	at_req_expect_data(req, '@', (size_t)at_arg_int(req, 0), on_data);
	return AT_RC_PENDING;
}

static enum at_rc h_off(struct at_req *req)
{
	at_engine_set_silent(at_req_engine(req), true);
	return AT_RC_OK;
}

static enum at_rc h_info(struct at_req *req)
{
	return at_reply(req, at_arg_int(req, 0) == 9 ? "02.06,A00.01" : "u-blox") < 0 ? AT_RC_ERROR
										      : AT_RC_OK;
}

static const struct at_param tst_params[] = {
	{ "n", AT_P_INT, 0, 0, 100, 0, NULL },
	{ "s", AT_P_STR, AT_PF_OPTIONAL, 0, 20, 0, NULL },
};
static const struct at_param len_params[] = {
	{ "len", AT_P_INT, 0, 0, 1024, 0, NULL },
};
static const struct at_param digit_param[] = {
	{ "n", AT_P_INT, AT_PF_OPTIONAL, 0, 9, 0, NULL },
};

#define ALL_OPS (AT_OP_EXEC | AT_OP_READ | AT_OP_TEST | AT_OP_SET)

static const struct at_cmd cmds_a[] = {
	{ "+TST", ALL_OPS, AT_PARAMS(tst_params), NULL, h_tst, "test" },
	{ "+FAIL", AT_OP_EXEC, AT_NO_PARAMS, NULL, h_fail, "test" },
	{ "+ERR", AT_OP_EXEC, AT_NO_PARAMS, NULL, h_err, "test" },
	{ "+PEND", AT_OP_EXEC, AT_NO_PARAMS, NULL, h_pend, "test" },
	{ "+NOW", AT_OP_EXEC, AT_NO_PARAMS, NULL, h_now, "test" },
};
static const struct at_cmd cmds_b[] = {
	{ "+ABRT", AT_OP_EXEC, AT_NO_PARAMS, NULL, h_abrt, "test" },
	{ "+DATA", AT_OP_SET, AT_PARAMS(len_params), "+DATA: (0-1024)", h_data, "test" },
	{ "+RO", AT_OP_READ, AT_NO_PARAMS, NULL, h_tst, "test" },
	{ "+OFF", AT_OP_EXEC, AT_NO_PARAMS, NULL, h_off, "test" },
	{ "I", AT_OP_EXEC, AT_PARAMS(digit_param), NULL, h_info, "test" },
};
static const struct at_cmd_group groups[] = {
	{ cmds_a, ARRAY_LEN(cmds_a) },
	{ cmds_b, ARRAY_LEN(cmds_b) },
};

static uint64_t fake_clock(void *data)
{
	return ((struct fx *)data)->now;
}

static void on_reset(void *data, bool factory)
{
	struct fx *f = data;

	f->resets++;
	f->last_reset_factory = factory;
}

static uint32_t on_final(void *ctx)
{
	struct fx *f = ctx;

	f->finals++;
	return f->hold_ms;
}

static void feed(void *target, const uint8_t *bytes, size_t len)
{
	at_engine_input(target, bytes, len);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct at_engine_config cfg = {
		.output = mem_transport_output,
		.groups = groups,
		.n_groups = ARRAY_LEN(groups),
		.on_reset = on_reset,
		.data_timeout_ms = 500,
		.on_final = on_final,
	};

	assert_non_null(f);
	mem_transport_init(&f->out);
	f->loop = loop_create();
	assert_non_null(f->loop);
	loop_set_clock(f->loop, fake_clock, f);
	cfg.loop = f->loop;
	cfg.output_data = &f->out;
	cfg.ctx = f;
	f->e = at_engine_create(&cfg);
	assert_non_null(f->e);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	at_engine_destroy(f->e);
	loop_destroy(f->loop);
	mem_transport_finish(&f->out);
	free(f);
	return 0;
}

/* Feeds in as one write and checks the exact output. */
#define EXPECT(f, in, want)                                                                        \
	do {                                                                                       \
		mem_feed_str(feed, (f)->e, in);                                                    \
		assert_true(mem_transport_take_str(&(f)->out, want));                              \
	} while (0)

static void echo_off(struct fx *f)
{
	EXPECT(f, "ATE0\r", "ATE0\r\r\nOK\r\n");
}

static void test_bare_at_and_echo(void **state)
{
	struct fx *f = *state;

	assert_true(at_engine_echo(f->e));
	EXPECT(f, "AT\r", "AT\r\r\nOK\r\n");   /* E1 default: the CR is echoed too */
	EXPECT(f, "at\r\n", "at\r\r\nOK\r\n"); /* a stray LF is ignored, not echoed */
	echo_off(f);
	assert_false(at_engine_echo(f->e));
	EXPECT(f, "aT\r", "\r\nOK\r\n");
	EXPECT(f, "ATE1\r", "\r\nOK\r\n");
	EXPECT(f, "AT+TST?\r", "AT+TST?\r\r\n+TST: 1\r\n\r\nOK\r\n");
}

static void test_text_before_at_discarded(void **state)
{
	struct fx *f = *state;

	echo_off(f);
	EXPECT(f, "xyz\rA\rAAT+TST?\r", "\r\n+TST: 1\r\n\r\nOK\r\n");
	EXPECT(f, "\r\r\n", ""); /* empty lines get no answer */
}

static void test_verbose_numeric(void **state)
{
	struct fx *f = *state;

	echo_off(f);
	EXPECT(f, "ATV0\r", "0\r");
	EXPECT(f, "AT+TST?\r", "+TST: 1\r\n0\r");
	EXPECT(f, "AT+ERR\r", "4\r");
	EXPECT(f, "AT+FAIL\r", "4\r"); /* CMEE 0: plain ERROR */
	at_engine_set_cmee(f->e, 1);
	EXPECT(f, "AT+FAIL\r", "+CME ERROR: 3\r\n");
	at_engine_set_cmee(f->e, 2);
	EXPECT(f, "AT+FAIL\r", "+CME ERROR: operation not allowed\r\n");
	EXPECT(f, "ATV1\r", "\r\nOK\r\n");
}

static void test_quiet(void **state)
{
	struct fx *f = *state;

	echo_off(f);
	EXPECT(f, "ATQ1\r", "");
	EXPECT(f, "AT+TST?\r", "\r\n+TST: 1\r\n"); /* info lines stay, result codes go */
	EXPECT(f, "AT+ERR\r", "");
	EXPECT(f, "ATQ0\r", "\r\nOK\r\n");
}

static void test_x_and_range(void **state)
{
	struct fx *f = *state;

	echo_off(f);
	at_engine_set_cmee(f->e, 1);
	EXPECT(f, "ATX4\r", "\r\nOK\r\n");
	EXPECT(f, "ATX5\r", "\r\n+CME ERROR: 50\r\n");
	EXPECT(f, "ATE2\r", "\r\n+CME ERROR: 50\r\n");
	EXPECT(f, "ATE0V1Q0X0\r", "\r\nOK\r\n"); /* several basic commands back to back */
}

static void test_chaining(void **state)
{
	struct fx *f = *state;

	echo_off(f);
	EXPECT(f, "AT+TST=5;+TST?\r", "\r\n+TST: 5,\"\",0\r\n\r\n+TST: 1\r\n\r\nOK\r\n");
	f->calls = 0;
	/* stops at the first failure; earlier info lines are kept; one final result */
	EXPECT(f, "AT+TST?;+ERR;+TST?\r", "\r\n+TST: 1\r\n\r\nERROR\r\n");
	assert_int_equal(f->calls, 1);
	EXPECT(f, "AT+TST=1,\"a;b\";+TST=2\r",
	       "\r\n+TST: 1,\"a;b\",1\r\n\r\n+TST: 2,\"\",0\r\n\r\nOK\r\n");
	EXPECT(f, "AT + TST = 7 , \"A B\"\r", "\r\n+TST: 7,\"A B\",1\r\n\r\nOK\r\n");
}

static void test_errors_in_cmee_modes(void **state)
{
	static const struct {
		int cmee;
		const char *in, *want;
	} cases[] = {
		{ 0, "AT+NOPE\r", "\r\nERROR\r\n" },
		{ 1, "AT+NOPE\r", "\r\n+CME ERROR: 4\r\n" },
		{ 2, "AT+NOPE\r", "\r\n+CME ERROR: operation not supported\r\n" },
		{ 0, "AT+TST=101\r", "\r\nERROR\r\n" },
		{ 1, "AT+TST=101\r", "\r\n+CME ERROR: 50\r\n" },
		{ 2, "AT+TST=101\r", "\r\n+CME ERROR: incorrect parameters\r\n" },
		{ 2, "AT+TST=1,2,3\r", "\r\n+CME ERROR: incorrect parameters\r\n" },
		{ 2, "AT+TST=1,abc\r", "\r\n+CME ERROR: incorrect parameters\r\n" },
		{ 1, "AT+RO=1\r", "\r\n+CME ERROR: 4\r\n" }, /* op not allowed */
		{ 1, "AT+FAIL\r", "\r\n+CME ERROR: 3\r\n" },
		{ 2, "AT+ERR\r", "\r\nERROR\r\n" },        /* AT_RC_ERROR: plain in every mode */
		{ 2, "AT+TST=\"abc\r", "\r\nERROR\r\n" },  /* unterminated quote */
		{ 2, "AT+TST=\"a\"b\r", "\r\nERROR\r\n" }, /* junk after quote */
		{ 1, "AT+TST?x\r", "\r\nERROR\r\n" },      /* lexer error */
		{ 1, "ATS99?\r", "\r\n+CME ERROR: 4\r\n" },
	};
	struct fx *f = *state;

	echo_off(f);
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		at_engine_set_cmee(f->e, cases[i].cmee);
		assert_int_equal(at_engine_cmee(f->e), cases[i].cmee);
		mem_feed_str(feed, f->e, cases[i].in);
		if (!mem_transport_take_str(&f->out, cases[i].want))
			fail_msg("case %zu", i);
	}
}

static void test_test_op(void **state)
{
	struct fx *f = *state;

	echo_off(f);
	EXPECT(f, "AT+DATA=?\r", "\r\n+DATA: (0-1024)\r\n\r\nOK\r\n"); /* fixed test_reply */
	EXPECT(f, "AT+TST=?\r", "\r\n+TST: (0-100)\r\n\r\nOK\r\n");    /* handler */
	at_engine_set_cmee(f->e, 1);
	EXPECT(f, "AT+FAIL=?\r", "\r\n+CME ERROR: 4\r\n");
}

/* The same script must give the same bytes however the host splits its writes. */
static const char script[] = "AT\rATE0\rAT+TST=3,\"x\"\rAT+NOPE\rxxAT+TST?;+TST=4\r"
			     "AT+DATA=4\r\x00\r\xff@AT+TST=?\rATS3?\rATV0\rAT\rATV1\r";

static void run_script(struct fx *f, int mode, uint32_t seed)
{
	if (mode == 0)
		mem_feed_bytes(feed, f->e, script, sizeof(script) - 1);
	else if (mode == 1)
		mem_feed_bytewise(feed, f->e, script, sizeof(script) - 1);
	else
		mem_feed_chunks(feed, f->e, script, sizeof(script) - 1, 9, seed);
}

static void test_split_writes(void **state)
{
	static const char data_reply[] = "\r\n+DATA: \"\x00\r\xff@\"\r\n\r\nOK\r\n";
	struct fx *f = *state;
	size_t len;
	char *whole;

	run_script(f, 0, 0);
	len = f->out.out.len;
	whole = malloc(len);
	assert_non_null(whole);
	memcpy(whole, f->out.out.data, len);
	assert_non_null(memmem(whole, len, data_reply, sizeof(data_reply) - 1));
	assert_null(memmem(whole, len, "+CME", 4)); /* CMEE 0 in the script: plain ERROR */
	mem_transport_clear(&f->out);
	for (int mode = 1; mode <= 6; mode++) {
		at_engine_reset(f->e);
		run_script(f, mode == 1 ? 1 : 2, (uint32_t)mode * 7919u);
		if (!mem_transport_take_equals(&f->out, whole, len))
			fail_msg("split mode %d differs", mode);
	}
	free(whole);
}

static void test_overlong_line(void **state)
{
	struct fx *f = *state;
	size_t n = AT_LINE_MAX + 100;
	char *big = malloc(n + 4);

	assert_non_null(big);
	echo_off(f);
	memcpy(big, "AT+", 3);
	memset(big + 3, 'A', n - 3);
	memcpy(big + n, "\r", 2);
	EXPECT(f, big, "\r\nERROR\r\n");
	EXPECT(f, "AT+TST?\r", "\r\n+TST: 1\r\n\r\nOK\r\n"); /* resynchronised */
	/* exactly AT_LINE_MAX after "AT" still fits (the command is unknown, not too long) */
	big[AT_LINE_MAX + 2] = '\r';
	big[AT_LINE_MAX + 3] = '\0';
	at_engine_set_cmee(f->e, 1);
	EXPECT(f, big, "\r\nERROR\r\n"); /* name longer than any command: lexer error */
	free(big);
}

static void test_binary_garbage(void **state)
{
	struct fx *f = *state;
	static const uint8_t noise[] = { 0, 0, 0xff, 0x01, 0x80, 'A', 'T', '\r' };
	static const uint8_t inside[] = { 'A', 'T', '+', 'T', 0x00, 'S', 'T', '?', '\r' };

	echo_off(f);
	mem_feed_bytes(feed, f->e, noise, sizeof(noise));
	assert_true(mem_transport_take_str(&f->out, "\r\nOK\r\n"));
	mem_feed_bytes(feed, f->e, inside, sizeof(inside));
	assert_true(mem_transport_take_str(&f->out, "\r\nERROR\r\n"));
	EXPECT(f, "AT\r", "\r\nOK\r\n");
}

static void test_echo_exact(void **state)
{
	struct fx *f = *state;
	static const uint8_t in[] = { 0, 'A', 'T', 0x01, '\r', 'A', 'T', '\r' };
	static const char want[] = "AT\x01\r\r\nERROR\r\nAT\r\r\nOK\r\n";

	mem_feed_bytes(feed, f->e, in, sizeof(in));
	assert_true(mem_transport_take_equals(&f->out, want, sizeof(want) - 1));
}

static void test_repeat_last(void **state)
{
	struct fx *f = *state;

	echo_off(f);
	EXPECT(f, "A/", "\r\nOK\r\n"); /* nothing yet: an empty line */
	EXPECT(f, "AT+TST=7\r", "\r\n+TST: 7,\"\",0\r\n\r\nOK\r\n");
	EXPECT(f, "A/", "\r\n+TST: 7,\"\",0\r\n\r\nOK\r\n");
	EXPECT(f, "a/", "\r\n+TST: 7,\"\",0\r\n\r\nOK\r\n");
	EXPECT(f, "ATE1\r", "\r\nOK\r\n");
	EXPECT(f, "A/", "A/\r\nOK\r\n"); /* echoed as typed, no CR needed */
}

static void test_sregs(void **state)
{
	struct fx *f = *state;

	echo_off(f);
	at_engine_set_cmee(f->e, 1);
	EXPECT(f, "ATS3?\r", "\r\n013\r\n\r\nOK\r\n");
	EXPECT(f, "ATS4?;S5?\r", "\r\n010\r\n\r\n008\r\n\r\nOK\r\n");
	EXPECT(f, "ATS0=2S0?\r", "\r\n002\r\n\r\nOK\r\n");
	EXPECT(f, "ATS3=128\r", "\r\n+CME ERROR: 50\r\n");
	EXPECT(f, "ATS3=\"1\"\r", "\r\nERROR\r\n");
	EXPECT(f, "ATS0=\r",
	       "\r\nERROR\r\n"); /* a value is required (so S3= cannot make NUL the end) */
	EXPECT(f, "ATS0=0;S0?\r", "\r\n000\r\n\r\nOK\r\n");
	EXPECT(f, "ATS3?\r", "\r\n013\r\n\r\nOK\r\n");
}

static void test_s3_changed(void **state)
{
	struct fx *f = *state;

	echo_off(f);
	/* V.250 6.2.1: the result of the line that changes S3 already uses the new value */
	EXPECT(f, "ATS3=64\r", "@\nOK@\n");
	EXPECT(f, "AT+TST?\r", "");    /* CR no longer ends a line ... */
	EXPECT(f, "@", "@\nERROR@\n"); /* ... '@' does, and the CR inside made it bad */
	EXPECT(f, "AT+TST?@", "@\n+TST: 1@\n@\nOK@\n");
	EXPECT(f, "ATS3=13@", "\r\nOK\r\n");
	EXPECT(f, "AT\r", "\r\nOK\r\n");
}

static void test_backspace(void **state)
{
	struct fx *f = *state;

	EXPECT(f, "AT+TSX\bT?\r", "AT+TSX\bT?\r\r\n+TST: 1\r\n\r\nOK\r\n");
	echo_off(f);
	EXPECT(f, "AT\b\b\bE0\r", "\r\nOK\r\n"); /* "AT" itself is not deleted */
	EXPECT(f, "ATS5=127\r", "\r\nOK\r\n");   /* DEL as the editing character */
	EXPECT(f, "AT+TSTX\x7f?\r", "\r\n+TST: 1\r\n\r\nOK\r\n");
}

static void test_urc_placement(void **state)
{
	struct fx *f = *state;

	echo_off(f);
	assert_int_equal(at_engine_urc(f->e, "+UUSORD: %d,%d", 0, 5), 0);
	assert_true(mem_transport_take_str(&f->out, "\r\n+UUSORD: 0,5\r\n")); /* idle: at once */
	EXPECT(f, "AT+PEND\r", "");
	assert_non_null(f->pending);
	assert_false(at_engine_is_idle(f->e));
	assert_int_equal(at_engine_urc(f->e, "+UUSOCL: 1"), 0);
	assert_true(mem_transport_take_str(&f->out, ""));
	at_req_complete(f->pending, AT_RC_OK);
	assert_true(at_engine_is_idle(f->e));
	assert_true(mem_transport_take_str(&f->out, "\r\nOK\r\n\r\n+UUSOCL: 1\r\n"));
}

/* cfg.on_final holds a final result back; the next line waits for it (faults "latency"). */
static void test_final_hold(void **state)
{
	struct fx *f = *state;

	echo_off(f);
	f->hold_ms = 100;
	EXPECT(f, "AT+TST?\r", "\r\n+TST: 1\r\n");
	EXPECT(f, "AT\r", ""); /* typed while the result is held: waits */
	f->now += 99;
	loop_run_once(f->loop, 0);
	assert_true(mem_transport_take_str(&f->out, ""));
	f->hold_ms = 0;
	f->now += 1;
	loop_run_once(f->loop, 0);
	assert_true(mem_transport_take_str(&f->out, "\r\nOK\r\n\r\nOK\r\n"));
	assert_int_equal(f->finals, 3); /* ATE0, AT+TST?, AT */
}

/* Early URCs (fault Q12): between a command's answer and its final result, never in a line. */
static void test_urc_early(void **state)
{
	struct fx *f = *state;

	echo_off(f);
	at_engine_set_urc_early(f->e, true);
	EXPECT(f, "AT+PEND\r", "");
	assert_int_equal(at_engine_urc(f->e, "+UUSOCL: 1"), 0);
	assert_true(mem_transport_take_str(&f->out, "\r\n+UUSOCL: 1\r\n"));
	at_req_complete(f->pending, AT_RC_OK);
	assert_true(mem_transport_take_str(&f->out, "\r\nOK\r\n"));
	EXPECT(f, "AT+DATA=3\r", "\r\n@");
	assert_int_equal(at_engine_urc(f->e, "+U: 2"), 0);
	assert_true(mem_transport_take_str(&f->out, "")); /* not inside the data */
	EXPECT(f, "abc", "\r\n+DATA: \"abc\"\r\n\r\n+U: 2\r\n\r\nOK\r\n");
	at_engine_set_urc_early(f->e, false);
	EXPECT(f, "AT+DATA=1\r", "\r\n@");
	assert_int_equal(at_engine_urc(f->e, "+U: 3"), 0);
	EXPECT(f, "x", "\r\n+DATA: \"x\"\r\n\r\nOK\r\n\r\n+U: 3\r\n");
}

static void test_urc_queue_bound(void **state)
{
	struct fx *f = *state;
	int rc = 0, n = 0;

	echo_off(f);
	EXPECT(f, "AT+PEND\r", "");
	while ((rc = at_engine_urc(f->e, "+U: %d", n)) == 0)
		n++;
	assert_int_equal(rc, -ENOSPC);
	assert_int_equal(n, 64);
	at_req_complete(f->pending, AT_RC_OK);
	assert_int_equal(strncmp(mem_transport_text(&f->out), "\r\nOK\r\n\r\n+U: 0\r\n", 15), 0);
}

static void test_pending_buffers_input(void **state)
{
	struct fx *f = *state;

	echo_off(f);
	EXPECT(f, "AT+PEND;+TST?\rAT+TST=9\r", "");
	at_req_complete(f->pending, AT_RC_OK);
	assert_true(mem_transport_take_str(&f->out, "\r\n+TST: 1\r\n\r\nOK\r\n"
						    "\r\n+TST: 9,\"\",0\r\n\r\nOK\r\n"));
	EXPECT(f, "AT+PEND;+TST?\r", "");
	at_engine_set_cmee(f->e, 1);
	at_req_complete(f->pending, at_fail(f->pending, 31));
	assert_true(mem_transport_take_str(&f->out, "\r\n+CME ERROR: 31\r\n"));
	EXPECT(f, "AT+NOW;+TST?\r", "\r\n+TST: 1\r\n\r\nOK\r\n");
}

static void test_abort(void **state)
{
	struct fx *f = *state;

	echo_off(f);
	EXPECT(f, "AT+ABRT\r", "");
	EXPECT(f, " ", "\r\nABORTED\r\n");
	assert_int_equal(f->aborts, 1);
	EXPECT(f, "AT\r", "\r\nOK\r\n"); /* the space was consumed by the abort */
	EXPECT(f, "ATV0\r", "0\r");
	EXPECT(f, "AT+ABRT;+TST?\r", "");
	EXPECT(f, "AT\r", "ABORTED\r\n"); /* 'A' aborts; "T\r" is noise; +TST? never runs */
	EXPECT(f, "AT\r", "0\r");
	assert_int_equal(f->aborts, 2);
}

static void test_data_prompt(void **state)
{
	struct fx *f = *state;

	echo_off(f);
	EXPECT(f, "AT+DATA=5\r", "\r\n@");
	assert_false(at_engine_is_idle(f->e));
	EXPECT(f, "he", "");
	EXPECT(f, "llo", "\r\n+DATA: \"hello\"\r\n\r\nOK\r\n");
	/* bytes beyond the count are the next command line */
	EXPECT(f, "AT+DATA=2\rATAT+TST?\r",
	       "\r\n@\r\n+DATA: \"AT\"\r\n\r\nOK\r\n"
	       "\r\n+TST: 1\r\n\r\nOK\r\n");
	EXPECT(f, "AT+DATA=0\r", "\r\n@\r\n+DATA: \"\"\r\n\r\nOK\r\n");
	/* data is never echoed, even with E1 */
	EXPECT(f, "ATE1\r", "\r\nOK\r\n");
	EXPECT(f, "AT+DATA=3\rA\rT", "AT+DATA=3\r\r\n@\r\n+DATA: \"A\rT\"\r\n\r\nOK\r\n");
}

static void test_data_timeout(void **state)
{
	struct fx *f = *state;

	echo_off(f);
	at_engine_set_cmee(f->e, 1);
	EXPECT(f, "AT+DATA=5\rhel", "\r\n@");
	f->now += 499;
	loop_run_once(f->loop, 0);
	assert_true(mem_transport_take_str(&f->out, ""));
	f->now += 1;
	assert_int_equal(loop_run_once(f->loop, 0), 1);
	assert_true(mem_transport_take_str(&f->out, "\r\n+CME ERROR: 50\r\n"));
	assert_true(at_engine_is_idle(f->e));
	EXPECT(f, "lo\rAT\r", "\r\nOK\r\n"); /* late bytes are noise before the next AT */
}

static void test_duplicates_refused(void **state)
{
	static const struct at_cmd dup_a[] = {
		{ "+X", AT_OP_EXEC, AT_NO_PARAMS, NULL, h_err, "test" },
	};
	static const struct at_cmd dup_b[] = {
		{ "+x", AT_OP_EXEC, AT_NO_PARAMS, NULL, h_err, "test" },
	};
	static const struct at_cmd own_e[] = {
		{ "E", AT_OP_EXEC, AT_PARAMS(digit_param), NULL, h_err, "test" },
	};
	struct at_cmd_group g[] = { { dup_a, 1 }, { dup_b, 1 } };
	struct at_cmd_group g_own[] = { { own_e, 1 } };
	struct mem_transport t;
	struct at_engine_config cfg = { .output = mem_transport_output, .output_data = &t };
	struct at_engine *e;

	mem_transport_init(&t);
	cfg.groups = g;
	cfg.n_groups = 2;
	assert_null(at_engine_create(&cfg));
	cfg.groups = g_own; /* a group row may replace the engine's own E */
	cfg.n_groups = 1;
	e = at_engine_create(&cfg);
	assert_non_null(e);
	mem_feed_str(feed, e, "ATE0\r");
	assert_true(mem_transport_take_str(&t, "ATE0\r\r\nERROR\r\n"));
	at_engine_destroy(e);
	at_engine_destroy(NULL);
	mem_transport_finish(&t);
}

static void test_command_names(void **state)
{
	struct fx *f = *state;
	size_t n = at_engine_command_count(f->e);

	/* 10 rows from the groups plus the engine's E Q V X Z &F */
	assert_int_equal(n, 16);
	for (size_t i = 1; i < n; i++)
		assert_true(strcasecmp(at_engine_command_name(f->e, i - 1),
				       at_engine_command_name(f->e, i)) < 0);
	assert_null(at_engine_command_name(f->e, n));
}

static void test_reset_and_basic_rows(void **state)
{
	struct fx *f = *state;

	EXPECT(f, "ATE0V0\r", "ATE0V0\r0\r");
	EXPECT(f, "ATI9\r", "02.06,A00.01\r\n0\r");
	EXPECT(f, "ATZ\r", "\r\nOK\r\n"); /* V1 again at once */
	assert_int_equal(f->resets, 1);
	assert_int_equal(f->last_reset_factory, 0);
	assert_true(at_engine_echo(f->e));
	EXPECT(f, "AT&F\r", "AT&F\r\r\nOK\r\n");
	assert_int_equal(f->last_reset_factory, 1);
	EXPECT(f, "ATI\r", "ATI\r\r\nu-blox\r\n\r\nOK\r\n");
}

static void test_silent(void **state)
{
	struct fx *f = *state;

	echo_off(f);
	EXPECT(f, "AT+OFF;+TST?\rAT\r", "\r\n+TST: 1\r\n\r\nOK\r\n"); /* the line still answers */
	EXPECT(f, "AT\r", "");
	assert_int_equal(at_engine_urc(f->e, "+X: 1"), 0);
	assert_true(mem_transport_take_str(&f->out, ""));
	at_engine_set_silent(f->e, false);
	EXPECT(f, "AT\r", "\r\nOK\r\n");
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_bare_at_and_echo),
		T(test_text_before_at_discarded),
		T(test_verbose_numeric),
		T(test_quiet),
		T(test_x_and_range),
		T(test_chaining),
		T(test_errors_in_cmee_modes),
		T(test_test_op),
		T(test_split_writes),
		T(test_overlong_line),
		T(test_binary_garbage),
		T(test_echo_exact),
		T(test_repeat_last),
		T(test_sregs),
		T(test_s3_changed),
		T(test_backspace),
		T(test_urc_placement),
		T(test_final_hold),
		T(test_urc_early),
		T(test_urc_queue_bound),
		T(test_pending_buffers_input),
		T(test_abort),
		T(test_data_prompt),
		T(test_data_timeout),
		T(test_duplicates_refused),
		T(test_command_names),
		T(test_reset_and_basic_rows),
		T(test_silent),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
