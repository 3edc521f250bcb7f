/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for sim/at: the whole engine (line assembly, lexer, tokenizer, binding,
 * dispatch, data prompt, pending and abortable commands, URCs) fed in input-driven chunks,
 * plus the tokenizer and binder on the raw input. Built only with -Dfuzz=true.
 */
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "at_engine.h"
#include "at_params.h"
#include "log.h"
#include "loop.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fz {
	struct at_req *pending;
	uint64_t now;
	size_t out_len;
};

static void output(void *data, const uint8_t *bytes, size_t len)
{
	struct fz *f = data;

	if (len > 0 && bytes[len - 1] == 0xAA) /* touch the bytes so ASan checks them */
		f->out_len++;
	f->out_len += len;
}

static enum at_rc h_set(struct at_req *req)
{
	uint8_t hex[8];
	struct at_span s = at_arg_str(req, 1);

	(void)at_arg_hex(req, 2, hex, sizeof(hex));
	return at_reply(req, "+TST: %ld,\"%.*s\"", at_arg_int(req, 0), (int)s.len, s.p) < 0
		       ? AT_RC_ERROR
		       : AT_RC_OK;
}

static enum at_rc h_fail(struct at_req *req)
{
	return at_fail(req, (int)(at_arg_count(req) + 3));
}

static enum at_rc h_pend(struct at_req *req)
{
	struct fz *f = at_req_ctx(req);

	f->pending = req;
	return AT_RC_PENDING;
}

static void on_abort(struct at_req *req)
{
	struct fz *f = at_req_ctx(req);

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
	return len > 0 && data[0] == 'P' ? h_pend(req) : AT_RC_OK;
}

static enum at_rc h_data(struct at_req *req)
{
	at_req_expect_data(req, '@', (size_t)at_arg_int(req, 0), on_data);
	return AT_RC_PENDING;
}

static const long allowed[] = { 6, 17, LONG_MIN };
static const struct at_param tst_params[] = {
	{ "n", AT_P_ENUM, AT_PF_QUOTED_OK, 0, 0, 0, allowed },
	{ "s", AT_P_STR, AT_PF_OPTIONAL | AT_PF_BARE_OK, 0, 32, 0, NULL },
	{ "h", AT_P_HEX, AT_PF_OPTIONAL, 1, 8, 0, NULL },
	{ "p", AT_P_INT, AT_PF_OPTIONAL, -5, 65535, 1, NULL },
	{ "a", AT_P_ANY, AT_PF_OPTIONAL, 0, 0, 0, NULL },
};
static const struct at_param len_params[] = {
	{ "len", AT_P_INT, 0, 0, 64, 0, NULL },
};
static const struct at_param digit_param[] = {
	{ "n", AT_P_INT, AT_PF_OPTIONAL, 0, 9, 0, NULL },
};

#define OPS (AT_OP_EXEC | AT_OP_READ | AT_OP_TEST | AT_OP_SET)

static const struct at_cmd cmds[] = {
	{ "&C", AT_OP_EXEC, AT_PARAMS(digit_param), NULL, h_fail, "fuzz" },
	{ "+ABRT", AT_OP_EXEC, AT_NO_PARAMS, NULL, h_abrt, "fuzz" },
	{ "+DATA", AT_OP_SET, AT_PARAMS(len_params), "+DATA: (0-64)", h_data, "fuzz" },
	{ "+FAIL", OPS, AT_PARAMS(digit_param), NULL, h_fail, "fuzz" },
	{ "+PEND", AT_OP_EXEC, AT_NO_PARAMS, NULL, h_pend, "fuzz" },
	{ "+TST", OPS, AT_PARAMS(tst_params), "", h_set, "fuzz" },
	{ "I", AT_OP_EXEC, AT_PARAMS(digit_param), NULL, h_set, "fuzz" },
};
static const struct at_cmd_group groups[] = { { cmds, ARRAY_LEN(cmds) } };

static uint64_t fake_clock(void *data)
{
	return ((struct fz *)data)->now;
}

static void fuzz_tokenizer(const uint8_t *data, size_t size)
{
	struct at_toks toks;
	struct at_args args;
	struct at_span in = { (const char *)data, size };

	if (at_tokenize(in, &toks) == 0)
		(void)at_args_bind(&toks, tst_params, ARRAY_LEN(tst_params), &args);
}

/* Feeds the input in chunks whose sizes come from the input; completes pending requests. */
static void fuzz_engine(struct fz *f, struct at_engine *e, struct loop *l, const uint8_t *data,
			size_t size)
{
	size_t step = size > 0 ? (size_t)(data[0] % 17) + 1 : 1;

	for (size_t i = 0; i < size; i += step) {
		size_t n = size - i < step ? size - i : step;

		at_engine_input(e, data + i, n);
		if (data[i] == '~')
			(void)at_engine_urc(e, "+UUSORD: %zu,%zu", i, n);
		if (f->pending != NULL && data[i] != '!') {
			struct at_req *req = f->pending;

			f->pending = NULL;
			at_req_complete(req, data[i] & 1 ? AT_RC_OK : at_fail(req, 50));
		}
		if (data[i] == '#') { /* data-prompt timeout */
			f->now += 100000;
			(void)loop_run_once(l, 0);
		}
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	log_set_level(LOG_LEVEL_ERROR);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = { 0 };
	struct loop *l = loop_create();
	struct at_engine_config cfg = {
		.output = output,
		.output_data = &f,
		.ctx = &f,
		.groups = groups,
		.n_groups = 1,
		.data_timeout_ms = 50,
	};
	struct at_engine *e;

	fuzz_tokenizer(data, size);
	if (l == NULL)
		return 0;
	loop_set_clock(l, fake_clock, &f);
	cfg.loop = l;
	e = at_engine_create(&cfg);
	if (e != NULL) {
		at_engine_set_cmee(e, size > 1 ? data[1] % 3 : 0);
		fuzz_engine(&f, e, l, data, size);
	}
	at_engine_destroy(e);
	loop_destroy(l);
	return 0;
}
