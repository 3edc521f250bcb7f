/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Stage A (style.md §3.4): a byte-driven state machine HUNT_A -> HUNT_T -> LINE (-> SWALLOW)
 * plus DATA, fed from a bounded input buffer that holds bytes while a command is pending.
 */
#define LOG_MODULE "at"
#include "log.h"

#include <string.h>

#include "at_priv.h"

typedef void feed_fn(struct at_engine *e, uint8_t c);

static bool is_upper_or_lower(uint8_t c, char upper)
{
	return c == (uint8_t)upper || c == (uint8_t)(upper + ('a' - 'A'));
}

/* Outside a line only text is echoed; NUL, LF and other binary noise vanish silently. */
static void echo_hunt(struct at_engine *e, uint8_t c)
{
	if ((c >= 0x20 && c < 0x7f) || c == (uint8_t)e->set.s[3])
		at_out_echo(e, c);
}

static void feed_hunt_a(struct at_engine *e, uint8_t c)
{
	echo_hunt(e, c);
	if (is_upper_or_lower(c, 'A'))
		e->state = AT_ST_HUNT_T;
}

static void repeat_last(struct at_engine *e)
{
	memcpy(e->line, e->last, e->last_len);
	e->line_len = e->last_len;
	e->state = AT_ST_HUNT_A;
	at_exec_line(e);
}

static void feed_hunt_t(struct at_engine *e, uint8_t c)
{
	echo_hunt(e, c);
	if (is_upper_or_lower(c, 'T')) {
		e->state = AT_ST_LINE;
		e->line_len = 0;
		e->line_bad = false;
	} else if (c == '/') {
		repeat_last(e);
	} else if (!is_upper_or_lower(c, 'A')) {
		e->state = AT_ST_HUNT_A;
	}
}

static void end_line(struct at_engine *e)
{
	e->state = AT_ST_HUNT_A;
	if (e->line_bad) {
		log_debug("command line with binary bytes rejected");
		e->busy = true;
		at_exec_finish(e, AT_FINAL_ERROR, 0);
		return;
	}
	memcpy(e->last, e->line, e->line_len);
	e->last_len = e->line_len;
	at_exec_line(e);
}

static bool is_garbage(uint8_t c)
{
	return c < 0x20 || c >= 0x7f;
}

static void feed_line(struct at_engine *e, uint8_t c)
{
	if (c != '\n' || e->set.s[3] == '\n')
		at_out_echo(e, c);
	if (c == (uint8_t)e->set.s[3]) {
		end_line(e);
	} else if (c == (uint8_t)e->set.s[5]) {
		if (e->line_len > 0)
			e->line_len--; /* the "AT" itself is never deleted */
	} else if (c == '\n') {
		/* a stray LF (host sent CR LF) is ignored and not echoed */
	} else if (e->line_len == AT_LINE_MAX) {
		log_warn("command line longer than %d bytes: discarded", AT_LINE_MAX);
		e->state = AT_ST_SWALLOW;
	} else if (is_garbage(c)) {
		e->line_bad = true;
	} else {
		e->line[e->line_len++] = (char)c;
	}
}

static void feed_swallow(struct at_engine *e, uint8_t c)
{
	at_out_echo(e, c);
	if (c != (uint8_t)e->set.s[3])
		return;
	e->state = AT_ST_HUNT_A;
	e->busy = true;
	at_exec_finish(e, AT_FINAL_ERROR, 0);
}

static feed_fn *const feeders[] = {
	[AT_ST_HUNT_A] = feed_hunt_a,
	[AT_ST_HUNT_T] = feed_hunt_t,
	[AT_ST_LINE] = feed_line,
	[AT_ST_SWALLOW] = feed_swallow,
};

/* One step; in_pos is advanced before the callee runs, so a reset inside stays consistent. */
static void step(struct at_engine *e)
{
	const uint8_t *p = e->input.data + e->in_pos;
	size_t avail = e->input.len - e->in_pos;

	if (e->state == AT_ST_DATA) {
		size_t want = e->req.data_len - e->data.len;
		size_t n = avail < want ? avail : want;

		e->in_pos += n;
		at_exec_data(e, p, n);
	} else if (e->req.pending) {
		e->in_pos++; /* the aborting character is consumed, not echoed */
		at_exec_abort(e);
	} else {
		e->in_pos++;
		feeders[e->state](e, *p);
	}
}

static bool can_consume(const struct at_engine *e)
{
	if (e->silent || e->hold != NULL)
		return false; /* a held final result (cfg.on_final) ends the line first */
	if (e->state == AT_ST_DATA)
		return true;
	if (e->cfg.output_busy != NULL && e->cfg.output_busy(e->cfg.output_data))
		return false; /* backpressure: the bytes wait in e->input */
	return !e->req.pending || e->req.abort_fn != NULL;
}

void at_engine_pump(struct at_engine *e)
{
	if (e->pumping)
		return;
	e->pumping = true;
	while (e->in_pos < e->input.len && can_consume(e))
		step(e);
	buf_consume(&e->input, e->in_pos);
	e->in_pos = 0;
	at_out_flush_echo(e);
	e->pumping = false;
}

void at_engine_resume(struct at_engine *e)
{
	if (e != NULL && !e->silent)
		at_engine_pump(e);
}

void at_engine_input(struct at_engine *e, const uint8_t *bytes, size_t len)
{
	if (e == NULL || e->silent || len == 0)
		return;
	if (buf_append(&e->input, bytes, len) < 0)
		log_warn("input buffer full: %zu bytes dropped", len);
	at_engine_pump(e);
}
