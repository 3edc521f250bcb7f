/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Engine object, URC queue and stage A (style.md §3.4): bytes -> command lines, with echo,
 * S3/S5 editing, "A/" repeat, a bounded line buffer and the data-prompt byte counter.
 */
#define LOG_MODULE "at"
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "at_priv.h"
#include "at_table.h"

struct at_engine *at_engine_create(const struct at_engine_config *cfg)
{
	struct at_engine *e = NULL;

	if (cfg == NULL || cfg->output == NULL || (cfg->n_groups > 0 && cfg->groups == NULL)) {
		log_error("at_engine_create: invalid configuration");
		goto fail;
	}
	e = calloc(1, sizeof(*e));
	if (e == NULL)
		goto fail;
	e->cfg = *cfg;
	e->table = at_table_create(cfg->groups, cfg->n_groups, at_builtin_cmds, at_n_builtin_cmds);
	if (e->table == NULL)
		goto fail;
	buf_init_secret(&e->data, 0);
	buf_init_secret(&e->input, AT_INPUT_MAX);
	buf_init_secret(&e->echo, 256);
	buf_init_secret(&e->out, 0);
	e->req.e = e;
	at_settings_default(&e->set);
	return e;
fail:
	at_engine_destroy(e);
	return NULL;
}

static void urc_clear(struct at_engine *e)
{
	while (e->urc_n > 0) {
		free(e->urc[e->urc_head]);
		e->urc[e->urc_head] = NULL;
		e->urc_head = (e->urc_head + 1) % AT_URC_MAX;
		e->urc_n--;
	}
}

void at_engine_destroy(struct at_engine *e)
{
	if (e == NULL)
		return;
	at_exec_drop(e);
	urc_clear(e);
	at_table_destroy(e->table);
	buf_finish(&e->data);
	buf_finish(&e->input);
	buf_finish(&e->echo);
	buf_finish(&e->out);
	explicit_bzero(e, sizeof(*e)); /* the line buffers may hold secrets */
	free(e);
}

static bool is_idle(const struct at_engine *e)
{
	return !e->busy && e->state != AT_ST_DATA;
}

void at_urc_flush(struct at_engine *e)
{
	while (e->urc_n > 0 && (is_idle(e) || (e->urc_early && e->state != AT_ST_DATA))) {
		char *text = e->urc[e->urc_head];
		struct at_span parts[3] = { { text, strlen(text) }, { "", 0 }, { "", 0 } };
		bool verbose = e->set.verbose;

		e->urc[e->urc_head] = NULL;
		e->urc_head = (e->urc_head + 1) % AT_URC_MAX;
		e->urc_n--;
		e->set.verbose = true; /* URCs are always \r\n<text>\r\n */
		at_out_info(e, parts);
		e->set.verbose = verbose;
		free(text);
	}
}

int at_engine_urc(struct at_engine *e, const char *fmt, ...)
{
	va_list ap;
	char *text = NULL;
	int n;

	if (e->urc_n == AT_URC_MAX) {
		log_warn("URC queue full, line dropped");
		return -ENOSPC;
	}
	va_start(ap, fmt);
	n = vasprintf(&text, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -ENOMEM;
	e->urc[(e->urc_head + e->urc_n) % AT_URC_MAX] = text;
	e->urc_n++;
	at_urc_flush(e);
	return 0;
}

void at_engine_reset(struct at_engine *e)
{
	at_settings_default(&e->set);
	urc_clear(e);
}

void at_engine_set_silent(struct at_engine *e, bool silent)
{
	if (silent && e->busy && !e->silence_after_line) {
		e->silence_after_line = true; /* after this line's final result (+CPWROFF: OK) */
		return;
	}
	e->silence_after_line = false;
	e->silent = silent;
	if (silent) {
		buf_reset(&e->input);
		e->in_pos = 0;
		buf_reset(&e->echo);
		urc_clear(e);
		e->state = AT_ST_HUNT_A;
	}
}

void at_engine_set_urc_early(struct at_engine *e, bool early)
{
	e->urc_early = early;
}

bool at_engine_is_idle(const struct at_engine *e)
{
	return is_idle(e);
}

int at_engine_cmee(const struct at_engine *e)
{
	return e->set.cmee;
}

void at_engine_set_cmee(struct at_engine *e, int mode)
{
	if (mode >= 0 && mode <= 2)
		e->set.cmee = mode;
}

bool at_engine_echo(const struct at_engine *e)
{
	return e->set.echo;
}

size_t at_engine_command_count(const struct at_engine *e)
{
	return at_table_count(e->table);
}

const char *at_engine_command_name(const struct at_engine *e, size_t i)
{
	const struct at_cmd *c = at_table_at(e->table, i);

	return c != NULL ? c->name : NULL;
}
