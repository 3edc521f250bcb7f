/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Executing one command line: lexing (stage B), table lookup, binding (stages C and D),
 * handlers, the one final result code, asynchronous completion, abort and data prompts
 * (style.md §3.5).
 */
#define LOG_MODULE "at"
#include "log.h"

#include <errno.h>
#include <string.h>

#include "at_lexer.h"
#include "at_priv.h"
#include "at_table.h"
#include "loop.h"

static void run_chain(struct at_engine *e);

static void stop_timer(struct at_engine *e)
{
	if (e->timer != NULL)
		loop_remove(e->cfg.loop, e->timer);
	e->timer = NULL;
}

void at_exec_drop(struct at_engine *e)
{
	stop_timer(e);
	if (e->hold != NULL)
		loop_remove(e->cfg.loop, e->hold);
	e->hold = NULL;
	buf_reset(&e->data);
	e->req = (struct at_req){ .e = e };
	e->busy = false;
	if (e->state == AT_ST_DATA)
		e->state = AT_ST_HUNT_A;
}

static void finish_now(struct at_engine *e, enum at_final f, int cme)
{
	if (e->urc_early)
		at_urc_flush(e); /* worst case: URCs right before the final result */
	at_out_final(e, f, cme);
	at_exec_drop(e);
	if (e->silence_after_line)
		at_engine_set_silent(e, true);
	at_urc_flush(e);
	at_engine_pump(e);
}

static void handle_hold(void *data)
{
	struct at_engine *e = data;

	e->hold = NULL; /* one-shot: the loop reaps it */
	finish_now(e, e->hold_final, e->hold_cme);
}

void at_exec_finish(struct at_engine *e, enum at_final f, int cme)
{
	uint32_t ms =
		e->cfg.on_final != NULL && e->cfg.loop != NULL ? e->cfg.on_final(e->cfg.ctx) : 0;

	if (ms > 0 && e->hold == NULL) {
		e->hold_final = f;
		e->hold_cme = cme;
		e->hold = loop_add_timer(e->cfg.loop, ms, handle_hold, e);
		if (e->hold != NULL)
			return;
	}
	finish_now(e, f, cme);
}

static void finish_rc(struct at_engine *e, enum at_rc rc)
{
	if (rc == AT_RC_CME)
		at_exec_finish(e, AT_FINAL_CME, e->req.cme);
	else
		at_exec_finish(e, rc == AT_RC_OK ? AT_FINAL_OK : AT_FINAL_ERROR, 0);
}

/* A command finished with rc (not PENDING): go on with the line or end it. */
static void resume(struct at_engine *e, enum at_rc rc)
{
	e->req.pending = false;
	if (rc == AT_RC_OK)
		run_chain(e);
	else
		finish_rc(e, rc);
}

/* Hands the collected data to on_data; returns its result. */
static enum at_rc deliver_data(struct at_engine *e)
{
	struct at_req *req = &e->req;
	at_data_fn *fn = req->on_data;
	enum at_rc rc;

	stop_timer(e);
	e->state = AT_ST_HUNT_A;
	req->on_data = NULL;
	req->in_handler = true;
	rc = fn(req, e->data.data != NULL ? e->data.data : (const uint8_t *)"", e->data.len);
	req->in_handler = false;
	buf_reset(&e->data);
	return rc;
}

/* What a handler or on_data returned, with early completion and zero-length data folded in. */
static enum at_rc settle(struct at_engine *e, enum at_rc rc)
{
	struct at_req *req = &e->req;

	while (rc == AT_RC_PENDING) {
		if (req->early) {
			req->early = false;
			rc = req->early_rc == AT_RC_PENDING ? AT_RC_ERROR : req->early_rc;
		} else if (e->state == AT_ST_DATA && e->data.len == req->data_len) {
			rc = deliver_data(e); /* len 0: nothing to wait for */
		} else {
			req->pending = true;
			break;
		}
	}
	return rc;
}

static enum at_rc call_handler(struct at_engine *e)
{
	struct at_req *req = &e->req;
	enum at_rc rc;

	req->in_handler = true;
	rc = req->cmd->handler(req);
	req->in_handler = false;
	return settle(e, rc);
}

static enum at_rc bind_args(struct at_req *req, const struct at_lex_cmd *c)
{
	const struct at_cmd *cmd = req->cmd;
	struct at_toks toks;
	int rc;

	if (!c->basic && c->op != AT_OP_SET) {
		at_args_defaults(cmd->params, cmd->n_params, &req->args);
		return AT_RC_OK;
	}
	if (at_tokenize(c->args, &toks) < 0)
		return AT_RC_ERROR;
	rc = at_args_bind(&toks, cmd->params, cmd->n_params, &req->args);
	if (rc < 0) {
		log_debug("%s: parameters rejected (%d)", cmd->name, rc);
		return at_fail(req, AT_CME_INCORRECT_PARAMETERS);
	}
	return AT_RC_OK;
}

static enum at_rc dispatch(struct at_engine *e, const struct at_lex_cmd *c)
{
	struct at_req *req = &e->req;
	const struct at_cmd *cmd;
	enum at_rc rc;

	*req = (struct at_req){ .e = e, .op = c->op, .cme = AT_CME_UNKNOWN };
	if (c->sreg.len > 0)
		return at_sreg_run(req, c->sreg, c->op, c->args);
	cmd = at_table_find(e->table, c->name.p, c->name.len);
	if (cmd == NULL) {
		log_debug("unknown command %.*s", (int)c->name.len, c->name.p);
		return at_fail(req, AT_CME_OPERATION_NOT_SUPPORTED);
	}
	req->cmd = cmd;
	log_debug("%s op %u", cmd->name, (unsigned)c->op);
	if (c->op == AT_OP_TEST && cmd->test_reply != NULL) {
		if (cmd->test_reply[0] != '\0' && at_reply(req, "%s", cmd->test_reply) < 0)
			return AT_RC_ERROR;
		return AT_RC_OK;
	}
	if (!(cmd->ops & (unsigned)c->op) || cmd->handler == NULL)
		return at_fail(req, AT_CME_OPERATION_NOT_SUPPORTED);
	rc = bind_args(req, c);
	return rc == AT_RC_OK ? call_handler(e) : rc;
}

static void run_chain(struct at_engine *e)
{
	for (;;) {
		struct at_lex_cmd c;
		int n = at_lex_next(e->line, e->line_len, &e->lex_pos, &c);
		enum at_rc rc;

		if (n <= 0) {
			at_exec_finish(e, n == 0 ? AT_FINAL_OK : AT_FINAL_ERROR, 0);
			return;
		}
		rc = dispatch(e, &c);
		if (rc == AT_RC_PENDING)
			return;
		if (rc != AT_RC_OK) {
			finish_rc(e, rc);
			return;
		}
	}
}

void at_exec_line(struct at_engine *e)
{
	e->line_len = at_lex_strip(e->line, e->line_len);
	e->lex_pos = 0;
	e->busy = true;
	run_chain(e);
}

void at_exec_abort(struct at_engine *e)
{
	struct at_req *req = &e->req;

	log_debug("%s aborted by the host", req->cmd != NULL ? req->cmd->name : "command");
	req->pending = false;
	req->abort_fn(req);
	at_exec_finish(e, AT_FINAL_ABORTED, 0);
}

size_t at_exec_data(struct at_engine *e, const uint8_t *bytes, size_t len)
{
	size_t want = e->req.data_len - e->data.len;
	size_t n = len < want ? len : want;

	if (buf_append(&e->data, bytes, n) < 0) {
		log_error("data prompt: out of memory");
		at_exec_drop(e);
		at_exec_finish(e, AT_FINAL_ERROR, 0);
		return n;
	}
	if (e->data.len == e->req.data_len) {
		enum at_rc rc = settle(e, deliver_data(e));

		if (rc != AT_RC_PENDING)
			resume(e, rc);
	}
	return n;
}

void at_req_complete(struct at_req *req, enum at_rc rc)
{
	struct at_engine *e = req->e;

	if (req->in_handler) {
		req->early = true;
		req->early_rc = rc;
		return;
	}
	if (!req->pending || e->state == AT_ST_DATA) {
		log_warn("at_req_complete without a pending request: ignored");
		return;
	}
	resume(e, rc == AT_RC_PENDING ? AT_RC_ERROR : rc);
}

void at_req_set_abort(struct at_req *req, at_abort_fn *fn)
{
	req->abort_fn = fn;
}

static void handle_data_timeout(void *data)
{
	struct at_engine *e = data;

	e->timer = NULL; /* one-shot: the loop reaps it */
	if (e->state != AT_ST_DATA)
		return;
	log_warn("data prompt: %zu of %zu bytes before the timeout", e->data.len, e->req.data_len);
	buf_reset(&e->data);
	e->state = AT_ST_HUNT_A;
	e->req.on_data = NULL;
	resume(e, at_fail(&e->req, AT_CME_INCORRECT_PARAMETERS));
}

void at_req_expect_data(struct at_req *req, char prompt, size_t len, at_data_fn *on_data)
{
	struct at_engine *e = req->e;
	uint32_t ms = e->cfg.data_timeout_ms ? e->cfg.data_timeout_ms : AT_DATA_TIMEOUT_MS;

	req->on_data = on_data;
	req->data_len = len;
	buf_reset(&e->data);
	if (e->urc_early)
		at_urc_flush(e); /* worst case: a URC just before the prompt */
	e->state = AT_ST_DATA;
	at_out_prompt(e, prompt);
	stop_timer(e);
	if (len > 0 && e->cfg.loop != NULL)
		e->timer = loop_add_timer(e->cfg.loop, ms, handle_data_timeout, e);
}
