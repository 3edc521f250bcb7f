/* SPDX-License-Identifier: Apache-2.0 */
/* Typed argument getters for handlers: values were checked by at_args_bind before the call. */
#include <errno.h>

#include "at_priv.h"
#include "hex.h"

void *at_req_ctx(const struct at_req *req)
{
	return req->e->cfg.ctx;
}

struct at_engine *at_req_engine(const struct at_req *req)
{
	return req->e;
}

enum at_op at_req_op(const struct at_req *req)
{
	return req->op;
}

const struct at_cmd *at_req_cmd(const struct at_req *req)
{
	return req->cmd;
}

size_t at_arg_count(const struct at_req *req)
{
	return req->args.n;
}

bool at_arg_present(const struct at_req *req, size_t i)
{
	return i < AT_MAX_ARGS && req->args.v[i].present;
}

long at_arg_int(const struct at_req *req, size_t i)
{
	return i < AT_MAX_ARGS ? req->args.v[i].ival : 0;
}

struct at_span at_arg_str(const struct at_req *req, size_t i)
{
	if (i >= AT_MAX_ARGS || !req->args.v[i].present)
		return (struct at_span){ "", 0 };
	return req->args.v[i].tok.text;
}

bool at_arg_quoted(const struct at_req *req, size_t i)
{
	return i < AT_MAX_ARGS && req->args.v[i].tok.kind == AT_TOK_QUOTED;
}

int at_arg_hex(const struct at_req *req, size_t i, uint8_t *out, size_t cap)
{
	struct at_span s = at_arg_str(req, i);

	return hex_decode(s.p, s.len, out, cap);
}
