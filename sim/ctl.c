/* SPDX-License-Identifier: Apache-2.0 */
#define LOG_MODULE "ctl"
#include "ctl.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "at_engine.h"
#include "buf.h"
#include "ctl_priv.h"
#include "log.h"
#include "loop.h"
#include "fleet.h"
#include "modem.h"

#define AT_OUT_MAX (256u * 1024u) /* one `at` answer, bytes */

/* What the channel's output function gets: the session, or NULL once it has let go. */
struct chan_sink {
	struct ctl_session *s;
};

struct ctl_session {
	struct ctl_session_config cfg;
	/* The one request in flight (`at`): its id, result and the AT channel's state. */
	bool busy;
	cJSON *id;
	struct ctl_call call;
	struct at_engine *chan; /* created on the first `at`; gets no URCs */
	struct modem *chan_m;   /* the modem chan belongs to (a fleet modem's `at` moves it) */
	struct chan_sink *sink; /* the channel's output data; outlives us if the channel must */
	struct buf at_out;      /* channel output since the request was sent */
	size_t at_scan;         /* bytes of at_out already split into lines */
	cJSON *lines;
	char *at_data;                  /* bytes to send after the prompt, or NULL */
	struct loop_source *at_timer;   /* timeout, then the deferred completion */
	struct loop_source *data_timer; /* sends at_data after the prompt */
	int at_rc;                      /* 0 (final seen) or -ETIMEDOUT when completing */
};

/* ---- errors: the one mapping ---- */

const char *ctl_error_code(int err)
{
	static const struct {
		int err;
		const char *code;
	} map[] = {
		{ -EPROTO, "bad_request" },     { -ENOSYS, "unknown_op" },
		{ -EINVAL, "bad_args" },        { -ENOENT, "not_found" },
		{ -EOPNOTSUPP, "unsupported" }, { -EBUSY, "busy" },
		{ -EALREADY, "already" },       { -EPERM, "not_allowed" },
		{ -EACCES, "not_allowed" },     { -ETIMEDOUT, "timeout" },
		{ -EMSGSIZE, "too_long" },      { -ENOSPC, "no_resources" },
		{ -ENOMEM, "no_resources" },    { -ENETDOWN, "no_network" },
	};

	for (size_t i = 0; i < ARRAY_LEN(map); i++)
		if (map[i].err == err)
			return map[i].code;
	return "internal";
}

int ctl_fail(struct ctl_call *c, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->msg, sizeof(c->msg), fmt, ap);
	va_end(ap);
	return err;
}

int ctl_json_bytes(struct buf *out, const void *bytes, size_t len)
{
	const uint8_t *p = bytes;
	int rc = buf_append(out, "\"", 1);

	for (size_t i = 0; rc == 0 && i < len; i++) {
		if (p[i] == '"' || p[i] == '\\')
			rc = buf_appendf(out, "\\%c", p[i]);
		else if (p[i] >= 0x20 && p[i] < 0x7f)
			rc = buf_append(out, &p[i], 1);
		else
			rc = buf_appendf(out, "\\u%04x", p[i]);
	}
	return rc == 0 ? buf_append(out, "\"", 1) : rc;
}

/* ---- typed arguments ---- */

const cJSON *ctl_arg_json(const struct ctl_call *c, const char *key)
{
	return c->args != NULL ? cJSON_GetObjectItemCaseSensitive(c->args, key) : NULL;
}

bool ctl_arg_has(const struct ctl_call *c, const char *key)
{
	return ctl_arg_json(c, key) != NULL;
}

const char *ctl_arg_str(const struct ctl_call *c, const char *key, const char *def)
{
	const cJSON *v = ctl_arg_json(c, key);

	return cJSON_IsString(v) ? v->valuestring : def;
}

long ctl_arg_int(const struct ctl_call *c, const char *key, long def)
{
	const cJSON *v = ctl_arg_json(c, key);

	return cJSON_IsNumber(v) ? (long)v->valuedouble : def;
}

bool ctl_arg_bool(const struct ctl_call *c, const char *key, bool def)
{
	const cJSON *v = ctl_arg_json(c, key);

	return cJSON_IsBool(v) ? cJSON_IsTrue(v) : def;
}

/* ---- request checking ---- */

static const struct ctl_op *find_op(const char *name)
{
	for (size_t i = 0; i < ctl_n_ops; i++)
		if (strcmp(ctl_ops[i].name, name) == 0)
			return &ctl_ops[i];
	return NULL;
}

static const struct ctl_arg *find_arg(const struct ctl_op *op, const char *key)
{
	for (size_t i = 0; i < op->n_args; i++)
		if (strcmp(op->args[i].key, key) == 0)
			return &op->args[i];
	return NULL;
}

static bool is_int(const cJSON *v, long min, long max)
{
	double d = v->valuedouble;

	return cJSON_IsNumber(v) && d >= (double)min && d <= (double)max && d == (double)(long)d;
}

static bool all_items(const cJSON *v, bool strings_only)
{
	const cJSON *e;

	cJSON_ArrayForEach(e, v)
	{
		if (!cJSON_IsString(e) && (strings_only || !cJSON_IsNumber(e)))
			return false;
	}
	return true;
}

static int check_value(struct ctl_call *c, const struct ctl_arg *a, const cJSON *v)
{
	switch (a->type) {
	case CTL_T_STR:
		if (cJSON_IsString(v))
			return 0;
		return ctl_fail(c, -EINVAL, "\"%s\" must be a string", a->key);
	case CTL_T_INT:
		if (is_int(v, a->min, a->max))
			return 0;
		return ctl_fail(c, -EINVAL, "\"%s\" must be an integer in %ld..%ld", a->key, a->min,
				a->max);
	case CTL_T_BOOL:
		if (cJSON_IsBool(v))
			return 0;
		return ctl_fail(c, -EINVAL, "\"%s\" must be true or false", a->key);
	case CTL_T_OBJ:
		if (cJSON_IsObject(v) && all_items(v, false))
			return 0;
		return ctl_fail(c, -EINVAL, "\"%s\" must be an object of numbers and strings",
				a->key);
	case CTL_T_STRS:
		if (cJSON_IsArray(v) && all_items(v, true))
			return 0;
		return ctl_fail(c, -EINVAL, "\"%s\" must be an array of strings", a->key);
	}
	return -EINVAL;
}

/* Every given key is in the schema with the right type; every required key is given. */
static int check_args(struct ctl_call *c, const struct ctl_op *op)
{
	const cJSON *v;
	int rc;

	if (c->args != NULL && !cJSON_IsObject(c->args))
		return ctl_fail(c, -EINVAL, "\"args\" must be an object");
	cJSON_ArrayForEach(v, c->args)
	{
		const struct ctl_arg *a = find_arg(op, v->string);

		if (a == NULL)
			return ctl_fail(c, -EINVAL, "%s takes no argument \"%s\"", op->name,
					v->string);
		rc = check_value(c, a, v);
		if (rc < 0)
			return rc;
	}
	for (size_t i = 0; i < op->n_args; i++)
		if ((op->args[i].flags & CTL_A_REQ) && !ctl_arg_has(c, op->args[i].key))
			return ctl_fail(c, -EINVAL, "%s needs \"%s\"", op->name, op->args[i].key);
	return 0;
}

/* ---- the word form (console, ukms-ctl) -> args ---- */

static cJSON *word_value(const struct ctl_arg *a, const char *text)
{
	static const char *const yes[] = { "on", "true", "1", "yes" };
	static const char *const no[] = { "off", "false", "0", "no" };
	char *end = NULL;
	long v;

	if (a != NULL && a->type == CTL_T_BOOL) {
		for (size_t i = 0; i < ARRAY_LEN(yes); i++) {
			if (strcasecmp(text, yes[i]) == 0)
				return cJSON_CreateTrue();
			if (strcasecmp(text, no[i]) == 0)
				return cJSON_CreateFalse();
		}
		return cJSON_CreateString(text); /* rejected by check_value with a message */
	}
	if (a == NULL || a->type == CTL_T_INT) {
		errno = 0;
		v = strtol(text, &end, 10);
		if (errno == 0 && end != text && *end == '\0')
			return cJSON_CreateNumber((double)v);
	}
	return cJSON_CreateString(text);
}

/* The first schema argument (in order) not given yet, for a positional word. */
static const struct ctl_arg *next_positional(const struct ctl_op *op, const cJSON *args)
{
	for (size_t i = 0; i < op->n_args; i++) {
		const struct ctl_arg *a = &op->args[i];

		if (a->type == CTL_T_STRS ||
		    (a->type != CTL_T_OBJ &&
		     cJSON_GetObjectItemCaseSensitive(args, a->key) == NULL))
			return a; /* an array takes every remaining word */
	}
	return NULL;
}

static const struct ctl_arg *obj_arg(const struct ctl_op *op)
{
	for (size_t i = 0; i < op->n_args; i++)
		if (op->args[i].type == CTL_T_OBJ)
			return &op->args[i];
	return NULL;
}

/* "key=value" into args (or into the op's object argument if key is not in the schema). */
static int add_named(struct ctl_call *c, const struct ctl_op *op, cJSON *args, char *word)
{
	char *eq = strchr(word, '=');
	const struct ctl_arg *a, *o;
	cJSON *dst = args;

	*eq = '\0';
	a = find_arg(op, word);
	o = obj_arg(op);
	if (a == NULL && o != NULL) {
		dst = cJSON_GetObjectItemCaseSensitive(args, o->key);
		if (dst == NULL)
			dst = cJSON_AddObjectToObject(args, o->key);
	} else if (a == NULL) {
		return ctl_fail(c, -EINVAL, "%s takes no argument \"%s\"", op->name, word);
	}
	if (dst == NULL || cJSON_GetObjectItemCaseSensitive(dst, word) != NULL)
		return ctl_fail(c, -EINVAL, "\"%s\" given twice", word);
	cJSON_AddItemToObject(dst, word, word_value(a, eq + 1));
	return 0;
}

static int add_positional(struct ctl_call *c, const struct ctl_op *op, cJSON *args, char *word,
			  const char *rest)
{
	const struct ctl_arg *a = next_positional(op, args);
	cJSON *arr;

	if (a == NULL)
		return ctl_fail(c, -EINVAL, "%s: unexpected \"%s\"", op->name, word);
	if (a->type == CTL_T_STR && (a->flags & CTL_A_REST)) {
		cJSON_AddItemToObject(args, a->key, cJSON_CreateString(rest));
		return 1; /* consumed the line */
	}
	if (a->type != CTL_T_STRS) {
		cJSON_AddItemToObject(args, a->key, word_value(a, word));
		return 0;
	}
	arr = cJSON_GetObjectItemCaseSensitive(args, a->key);
	if (arr == NULL)
		arr = cJSON_AddArrayToObject(args, a->key);
	if (arr == NULL || !cJSON_IsArray(arr))
		return ctl_fail(c, -EINVAL, "\"%s\" given twice", a->key);
	cJSON_AddItemToArray(arr, cJSON_CreateString(word));
	return 0;
}

/* Turns the words of line into c->args (an object the caller frees). Returns 0 or -EINVAL. */
static int words_to_args(struct ctl_call *c, const struct ctl_op *op, const char *line, cJSON **out)
{
	char *copy = strdup(line), *save = NULL;
	cJSON *args = cJSON_CreateObject();
	int rc = copy != NULL && args != NULL ? 0 : -ENOMEM;

	for (char *w = copy != NULL ? strtok_r(copy, " \t", &save) : NULL; rc == 0 && w != NULL;
	     w = strtok_r(NULL, " \t", &save)) {
		const struct ctl_arg *next = next_positional(op, args);

		if (strchr(w, '=') != NULL && !(next != NULL && (next->flags & CTL_A_REST)))
			rc = add_named(c, op, args, w);
		else
			rc = add_positional(c, op, args, w, line + (w - copy));
		if (rc == 1)
			break; /* the rest of the line went into one argument */
	}
	free(copy);
	if (rc < 0) {
		cJSON_Delete(args);
		return rc;
	}
	*out = args;
	return 0;
}

/* cJSON strings array -> words text joined by spaces (the wire "argv" form). */
static int argv_to_line(const cJSON *argv, struct buf *line)
{
	const cJSON *w;

	if (!cJSON_IsArray(argv))
		return -EINVAL;
	cJSON_ArrayForEach(w, argv)
	{
		if (!cJSON_IsString(w) || w->valuestring[0] == '\0')
			return -EINVAL;
		if (buf_appendf(line, "%s%s", line->len > 0 ? " " : "", w->valuestring) < 0)
			return -EMSGSIZE;
	}
	return 0;
}

/* ---- responses ---- */

static void send_line(struct ctl_session *s, cJSON *resp)
{
	char *text = cJSON_PrintUnformatted(resp);

	if (text == NULL) {
		static const char oom[] = "{\"ok\":false,\"error\":{\"code\":\"no_resources\","
					  "\"message\":\"out of memory\"}}";

		s->cfg.reply(s->cfg.data, oom, sizeof(oom) - 1);
		return;
	}
	s->cfg.reply(s->cfg.data, text, strlen(text));
	cJSON_free(text);
}

/* Sends the response of the current call: takes id and result. */
static void respond(struct ctl_session *s, cJSON *id, int rc, cJSON *result, const char *msg)
{
	cJSON *resp = cJSON_CreateObject();

	if (resp == NULL) {
		cJSON_Delete(id);
		cJSON_Delete(result);
		send_line(s, NULL);
		return;
	}
	if (id != NULL)
		cJSON_AddItemToObject(resp, "id", id);
	cJSON_AddBoolToObject(resp, "ok", rc >= 0);
	if (rc >= 0) {
		cJSON_AddItemToObject(resp, "result",
				      result != NULL ? result : cJSON_CreateObject());
	} else {
		cJSON *err = cJSON_AddObjectToObject(resp, "error");

		cJSON_Delete(result);
		cJSON_AddStringToObject(err, "code", ctl_error_code(rc));
		cJSON_AddStringToObject(err, "message", msg[0] != '\0' ? msg : strerror(-rc));
	}
	send_line(s, resp);
	cJSON_Delete(resp);
}

/* Runs op with the call's args; responds now unless the op is pending. */
static void run_op(struct ctl_session *s, const struct ctl_op *op, cJSON *id)
{
	struct ctl_call *c = &s->call;
	int rc = check_args(c, op);

	c->result = cJSON_CreateObject();
	if (rc == 0 && c->result == NULL)
		rc = -ENOMEM;
	if (rc == 0)
		rc = op->fn(c);
	if (rc == CTL_PENDING) {
		s->busy = true;
		s->id = id;
		return;
	}
	respond(s, id, rc, c->result, c->msg);
	c->result = NULL;
}

static cJSON *request_id(const cJSON *req)
{
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(req, "id");

	if (id == NULL || !(cJSON_IsNumber(id) || cJSON_IsString(id) || cJSON_IsNull(id)))
		return NULL;
	return cJSON_Duplicate(id, false);
}

static bool is_envelope(const char *key)
{
	return strcmp(key, "id") == 0 || strcmp(key, "op") == 0 || strcmp(key, "args") == 0 ||
	       strcmp(key, "argv") == 0 || strcmp(key, "modem") == 0;
}

/* The flat form {"op":"network","action":"detach"}: the other keys, copied into *owned. */
static int flat_args(struct ctl_call *c, const cJSON *req, cJSON **owned)
{
	const cJSON *item;

	cJSON_ArrayForEach(item, req)
	{
		if (is_envelope(item->string))
			continue;
		if (c->args != NULL || cJSON_GetObjectItemCaseSensitive(req, "argv") != NULL)
			return ctl_fail(c, -EPROTO,
					"arguments go in \"args\", in \"argv\" or beside "
					"\"op\", in one of them");
		if (*owned == NULL && (*owned = cJSON_CreateObject()) == NULL)
			return -ENOMEM;
		cJSON_AddItemToObject(*owned, item->string, cJSON_Duplicate(item, true));
	}
	if (*owned != NULL)
		c->args = *owned;
	return 0;
}

/* Request object -> op and args (parsed from "argv" or the flat form into *owned). */
static int parse_request(struct ctl_call *c, const cJSON *req, const struct ctl_op **op,
			 cJSON **owned)
{
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(req, "op");
	const cJSON *argv = cJSON_GetObjectItemCaseSensitive(req, "argv");
	struct buf line;
	int rc;

	if (!cJSON_IsObject(req))
		return ctl_fail(c, -EPROTO, "a request is one JSON object per line");
	if (!cJSON_IsString(name))
		return ctl_fail(c, -EPROTO, "\"op\" (a string) is missing");
	*op = find_op(name->valuestring);
	if (*op == NULL)
		return ctl_fail(c, -ENOSYS, "unknown op \"%.64s\"", name->valuestring);
	c->args = cJSON_GetObjectItemCaseSensitive(req, "args");
	rc = flat_args(c, req, owned);
	if (rc < 0 || argv == NULL)
		return rc;
	if (c->args != NULL)
		return ctl_fail(c, -EPROTO, "give \"args\" or \"argv\", not both");
	buf_init(&line, CTL_LINE_MAX);
	rc = argv_to_line(argv, &line);
	if (rc < 0)
		rc = ctl_fail(c, -EINVAL, "\"argv\" must be an array of non-empty strings");
	else
		rc = words_to_args(c, *op, line.len > 0 ? buf_cstr(&line) : "", owned);
	c->args = *owned;
	buf_finish(&line);
	return rc;
}

/* "modem": i of the request: fleet modem i (default 0); without a fleet only 0 exists. */
static int pick_modem(struct ctl_session *s, const cJSON *req)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(req, "modem");
	size_t n = s->cfg.fleet != NULL ? modem_fleet_size(s->cfg.fleet) : 1;
	double v = cJSON_IsNumber(j) ? j->valuedouble : -1;

	if (j == NULL)
		return 0;
	if (!cJSON_IsNumber(j))
		return ctl_fail(&s->call, -EINVAL, "\"modem\" is a number: the modem's index");
	if (!is_int(j, 0, (long)n - 1))
		return ctl_fail(&s->call, -EINVAL, "no modem %g: the modems are 0-%zu%s", v, n - 1,
				s->cfg.fleet != NULL ? "" : " (no --fleet)");
	if (s->cfg.fleet != NULL)
		s->call.m = modem_fleet_at(s->cfg.fleet, (size_t)v);
	s->call.modem_i = (size_t)v;
	return 0;
}

/* A new request: false (and a "busy" response) while the previous one has not answered. */
static bool begin(struct ctl_session *s, cJSON *id)
{
	if (s->busy) { /* the owner must wait; answer rather than lose the request */
		respond(s, id, -EBUSY, NULL, "a request is still running");
		return false;
	}
	s->call = (struct ctl_call){ .s = s, .m = s->cfg.m };
	return true;
}

/* Runs op when parsing went well (rc 0), else answers the parse error. */
static void dispatch(struct ctl_session *s, const struct ctl_op *op, cJSON *id, int rc)
{
	if (rc == 0)
		run_op(s, op, id);
	else
		respond(s, id, rc, NULL, s->call.msg);
	s->call.args = NULL;
}

void ctl_session_request(struct ctl_session *s, const char *line, size_t len)
{
	cJSON *req = cJSON_ParseWithLength(line, len), *owned = NULL, *id = request_id(req);
	const struct ctl_op *op = NULL;
	int rc;

	if (begin(s, id)) {
		if (req == NULL)
			rc = ctl_fail(&s->call, -EPROTO, "not JSON");
		else
			rc = parse_request(&s->call, req, &op, &owned);
		if (rc == 0)
			rc = pick_modem(s, req);
		dispatch(s, op, id, rc);
	}
	cJSON_Delete(owned);
	cJSON_Delete(req);
}

void ctl_session_command(struct ctl_session *s, const char *name, const char *words)
{
	const struct ctl_op *op = find_op(name);
	cJSON *args = NULL;
	int rc;

	if (!begin(s, NULL))
		return;
	if (op == NULL)
		rc = ctl_fail(&s->call, -ENOSYS, "unknown op \"%.64s\"", name);
	else
		rc = words_to_args(&s->call, op, words, &args);
	s->call.args = args;
	dispatch(s, op, NULL, rc);
	cJSON_Delete(args);
}

/* ---- the `at` op's channel ---- */

static bool is_final(const char *line)
{
	static const char *const finals[] = { "OK", "ERROR", "ABORTED", "NO CARRIER" };

	for (size_t i = 0; i < ARRAY_LEN(finals); i++)
		if (strcmp(line, finals[i]) == 0)
			return true;
	return strncmp(line, "+CME ERROR:", 11) == 0 || strncmp(line, "+CMS ERROR:", 11) == 0;
}

/* Lets the channel go; a command still running on it finishes without us. */
static void drop_chan(struct ctl_session *s)
{
	if (s->sink != NULL)
		s->sink->s = NULL;
	if (s->chan != NULL)
		modem_channel_release(s->chan_m, s->chan, s->sink);
	s->chan = NULL;
	s->chan_m = NULL;
	s->sink = NULL;
}

static void at_complete(void *data)
{
	struct ctl_session *s = data;
	struct ctl_call *c = &s->call;
	int rc = s->at_rc;

	s->at_timer = NULL;
	s->busy = false;
	if (rc == 0) {
		cJSON_AddItemToObject(c->result, "lines", s->lines);
		s->lines = NULL;
	} else {
		/* The answer may still come: start the next request on a fresh channel. */
		drop_chan(s);
		ctl_fail(c, rc, "no final result within the timeout");
	}
	cJSON_Delete(s->lines);
	s->lines = NULL;
	free(s->at_data);
	s->at_data = NULL;
	loop_remove(s->cfg.m->loop, s->data_timer);
	s->data_timer = NULL;
	respond(s, s->id, rc, c->result, c->msg);
	s->id = NULL;
	c->result = NULL;
}

static void at_timeout(void *data)
{
	struct ctl_session *s = data;

	s->at_rc = -ETIMEDOUT;
	at_complete(s);
}

/* Completion runs from the loop, never inside the engine's output callback. */
static void at_finish_later(struct ctl_session *s)
{
	struct modem *m = s->cfg.m;

	loop_remove(m->loop, s->at_timer);
	s->at_rc = 0;
	s->at_timer = loop_add_timer(m->loop, 0, at_complete, s);
}

static void send_data(void *data)
{
	struct ctl_session *s = data;
	char *d = s->at_data;

	s->data_timer = NULL;
	s->at_data = NULL;
	s->at_scan = s->at_out.len; /* the prompt is not an answer line */
	if (d != NULL && s->chan != NULL)
		at_engine_input(s->chan, (const uint8_t *)d, strlen(d));
	free(d);
}

/* One answer line as a JSON string of its bytes (binary +USORD data included). */
static cJSON *line_json(const uint8_t *p, size_t n)
{
	struct buf b;
	cJSON *item;

	buf_init(&b, 0);
	item = ctl_json_bytes(&b, p, n) == 0 ? cJSON_CreateRaw(buf_cstr(&b)) : NULL;
	buf_finish(&b);
	return item;
}

static bool is_prompt(const struct buf *b, size_t from)
{
	return b->len == from + 1 && (b->data[from] == '@' || b->data[from] == '>');
}

/* Splits new output into lines; the final result line ends the answer. */
static void handle_chan_output(void *data, const uint8_t *bytes, size_t len)
{
	struct ctl_session *s = ((struct chan_sink *)data)->s;
	struct buf *b;
	uint8_t *nl;

	if (s == NULL)
		return; /* a released channel finishing its command */
	b = &s->at_out;
	if (!s->busy || s->lines == NULL || len == 0 || buf_append(b, bytes, len) < 0)
		return; /* ATE0 at creation; or an answer past AT_OUT_MAX (ends by timeout) */
	while ((nl = memchr(b->data + s->at_scan, '\n', b->len - s->at_scan)) != NULL) {
		const uint8_t *line = b->data + s->at_scan;
		size_t n = (size_t)(nl - line);
		char text[256]; /* a final result line is short; longer ones are info lines */

		s->at_scan += n + 1;
		while (n > 0 && line[n - 1] == '\r')
			n--;
		if (n == 0)
			continue;
		snprintf(text, sizeof(text), "%.*s", (int)(n < sizeof(text) ? n : 0), line);
		if (memchr(line, '\0', n) == NULL && is_final(text)) {
			cJSON_AddStringToObject(s->call.result, "final", text);
			at_finish_later(s);
			return;
		}
		cJSON_AddItemToArray(s->lines, line_json(line, n));
	}
	if (s->at_data != NULL && s->data_timer == NULL && is_prompt(b, s->at_scan))
		s->data_timer = loop_add_timer(s->cfg.m->loop, 0, send_data, s);
}

int ctl_session_at(struct ctl_call *c, const char *line, const char *data, uint32_t timeout_ms)
{
	struct ctl_session *s = c->s;
	struct modem *m = c->m;
	static const uint8_t cr = '\r';

	if (strpbrk(line, "\r\n") != NULL)
		return ctl_fail(c, -EINVAL, "\"line\" is one command line, without CR/LF");
	if (s->chan != NULL && s->chan_m != m)
		drop_chan(s); /* another modem of the fleet: a channel into that one */
	if (s->chan == NULL && (s->sink = calloc(1, sizeof(*s->sink))) != NULL) {
		s->sink->s = s;
		s->chan = modem_channel_create(m, handle_chan_output, s->sink);
		s->chan_m = m;
		if (s->chan == NULL) {
			free(s->sink);
			s->sink = NULL;
		}
	}
	s->lines = cJSON_CreateArray();
	s->at_data = data != NULL ? strdup(data) : NULL;
	s->at_timer = loop_add_timer(m->loop, timeout_ms, at_timeout, s);
	if (s->chan == NULL || s->lines == NULL || s->at_timer == NULL ||
	    (data != NULL && s->at_data == NULL)) {
		loop_remove(m->loop, s->at_timer);
		s->at_timer = NULL;
		cJSON_Delete(s->lines);
		s->lines = NULL;
		free(s->at_data);
		s->at_data = NULL;
		return -ENOMEM;
	}
	buf_reset(&s->at_out);
	s->at_scan = 0;
	s->busy = true; /* output collected from here on */
	at_engine_input(s->chan, (const uint8_t *)line, strlen(line));
	at_engine_input(s->chan, &cr, 1);
	return CTL_PENDING;
}

int ctl_session_subscribe(struct ctl_call *c, unsigned events)
{
	struct ctl_session *s = c->s;
	int rc;

	if (s->cfg.subscribe == NULL)
		return ctl_fail(c, -EOPNOTSUPP, "events are for control socket clients");
	rc = s->cfg.subscribe(s->cfg.data, c->m, c->modem_i, events);
	if (rc < 0)
		return ctl_fail(c, rc, "cannot follow modem %zu: %s", c->modem_i,
				rc == -ENOSPC ? "it has too many observers" : strerror(-rc));
	return 0;
}

/* ---- sessions ---- */

struct ctl_session *ctl_session_create(const struct ctl_session_config *cfg)
{
	struct ctl_session *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	s->cfg = *cfg;
	buf_init(&s->at_out, AT_OUT_MAX);
	return s;
}

void ctl_session_destroy(struct ctl_session *s)
{
	if (s == NULL)
		return;
	loop_remove(s->cfg.m->loop, s->at_timer);
	loop_remove(s->cfg.m->loop, s->data_timer);
	drop_chan(s);
	cJSON_Delete(s->lines);
	cJSON_Delete(s->id);
	cJSON_Delete(s->call.result);
	free(s->at_data);
	buf_finish(&s->at_out);
	free(s);
}

bool ctl_session_busy(const struct ctl_session *s)
{
	return s->busy;
}

size_t ctl_op_count(void)
{
	return ctl_n_ops;
}

const char *ctl_op_name(size_t i)
{
	return i < ctl_n_ops ? ctl_ops[i].name : NULL;
}

const char *ctl_op_usage(size_t i)
{
	return i < ctl_n_ops ? ctl_ops[i].usage : NULL;
}
