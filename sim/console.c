/* SPDX-License-Identifier: Apache-2.0 */
#define LOG_MODULE "console"
#include "console.h"

#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <readline/history.h>
#include <readline/readline.h>

#include "at_engine.h"
#include "buf.h"
#include "compiler.h"
#include "log.h"
#include "loop.h"
#include "cmd_security.h"
#include "ctl.h"
#include "fleet.h"
#include "modem.h"

#define PROMPT       "ukms> "
#define HISTORY_FILE ".ukms_sim_history"
#define HISTORY_MAX  1000

struct console {
	struct modem *m; /* the modem the console talks to: fleet modem `index` with --fleet */
	struct modem_fleet *fleet; /* NULL without --fleet */
	size_t index;
	char prompt[32];
	struct loop *loop;
	struct loop_source *src;
	struct buf pending;          /* partial output line of the console channel */
	struct ctl_session *session; /* ':' commands that are control ops */
	uint64_t t0;
	bool trace;
	bool in_line; /* inside handle_line: readline's buffer still holds the accepted line */
	char *history;
	size_t complete_next; /* readline generator state */
};

typedef void console_cmd_fn(struct console *c, const char *arg);

struct console_cmd {
	const char *name;
	const char *usage;
	console_cmd_fn *fn;
};

/* readline's callbacks carry no user pointer: the one console of the process. */
static struct console *the_console;

/* Prints a line above the prompt without disturbing what the user is typing. */
static void print_line(const char *fmt, ...) ATTR_PRINTF(1, 2);
static void print_line(const char *fmt, ...)
{
	char *saved = NULL;
	int point = rl_point;
	va_list ap;

	if (the_console->in_line) {
		/* Answer to the line just entered: the cursor is on a fresh line, no prompt shown.
		 */
		va_start(ap, fmt);
		vfprintf(stdout, fmt, ap);
		va_end(ap);
		fputc('\n', stdout);
		fflush(stdout);
		return;
	}
	saved = rl_copy_text(0, rl_end);
	rl_save_prompt();
	rl_replace_line("", 0);
	rl_redisplay();
	va_start(ap, fmt);
	vfprintf(stdout, fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
	rl_restore_prompt();
	rl_replace_line(saved != NULL ? saved : "", 0);
	rl_point = point;
	rl_redisplay();
	free(saved);
}

/* Output of the console AT channel: framing CR/LF stripped, one printed line per text line. */
static void handle_output(void *data, const uint8_t *bytes, size_t len)
{
	struct console *c = data;

	for (size_t i = 0; i < len; i++) {
		if (bytes[i] == '\r')
			continue;
		if (bytes[i] != '\n') {
			buf_append(&c->pending, &bytes[i], 1);
			continue;
		}
		if (c->pending.len > 0)
			print_line("%s", buf_cstr(&c->pending));
		buf_reset(&c->pending);
	}
}

/* Escapes bytes for the trace: printable as is, CR/LF as \r \n, others as \xNN. */
static void escape(const uint8_t *bytes, size_t len, struct buf *out)
{
	for (size_t i = 0; i < len; i++) {
		uint8_t ch = bytes[i];

		if (ch == '\r')
			buf_appendf(out, "\\r");
		else if (ch == '\n')
			buf_appendf(out, "\\n");
		else if (ch == '\\')
			buf_appendf(out, "\\\\");
		else if (isprint(ch))
			buf_append(out, &ch, 1);
		else
			buf_appendf(out, "\\x%02X", ch);
	}
}

static void handle_trace(void *data, enum modem_ev ev, const uint8_t *bytes, size_t len)
{
	struct console *c = data;
	uint64_t t = loop_now_ms(c->loop) - c->t0;
	bool to_host = ev == MODEM_EV_TX;
	struct buf b;

	if (ev != MODEM_EV_RX && ev != MODEM_EV_TX)
		return;
	buf_init(&b, 4 * len + 64);
	escape(bytes, len, &b);
	print_line("[%6llu.%03llu] %s %s", (unsigned long long)(t / 1000),
		   (unsigned long long)(t % 1000), to_host ? "<<" : ">>", buf_cstr(&b));
	buf_finish(&b);
}

static void cmd_help(struct console *c, const char *arg);

static void cmd_trace(struct console *c, const char *arg)
{
	bool on;

	if (strcasecmp(arg, "on") == 0)
		on = true;
	else if (strcasecmp(arg, "off") == 0)
		on = false;
	else {
		print_line("usage: :trace on|off");
		return;
	}
	if (on && !c->trace && modem_observe(c->m, handle_trace, c) < 0) {
		print_line("trace: too many observers");
		return;
	}
	if (!on && c->trace)
		modem_unobserve(c->m, handle_trace, c);
	c->trace = on;
	print_line("trace %s", c->trace ? "on" : "off");
}

/* A control op's response: "ok", its result (indented JSON), or the error. */
static void handle_reply(void *data, const char *line, size_t len)
{
	cJSON *resp = cJSON_ParseWithLength(line, len);
	const cJSON *result = cJSON_GetObjectItemCaseSensitive(resp, "result");
	const cJSON *err = cJSON_GetObjectItemCaseSensitive(resp, "error");
	char *text = NULL, *save = NULL;

	(void)data;
	if (err != NULL) {
		print_line("error %s: %s",
			   cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(err, "code")),
			   cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(err, "message")));
	} else if (result == NULL || cJSON_GetArraySize(result) == 0) {
		print_line("ok");
	} else if ((text = cJSON_Print(result)) != NULL) {
		for (char *l = strtok_r(text, "\n", &save); l != NULL;
		     l = strtok_r(NULL, "\n", &save))
			print_line("%s", l);
	}
	cJSON_free(text);
	cJSON_Delete(resp);
}

/* Prints text made by a cmd_sec_console_* call, one line per "\n" (docs/security.md). */
static void print_sec(struct console *c, int (*fn)(struct modem *, bool, struct buf *), bool arg)
{
	struct buf b;
	char *save = NULL;

	buf_init_secret(&b, 16 * 1024);
	if (fn(c->m, arg, &b) < 0 && b.len == 0)
		buf_appendf(&b, "failed");
	for (char *l = strtok_r((char *)(uintptr_t)buf_cstr(&b), "\n", &save); l != NULL;
	     l = strtok_r(NULL, "\n", &save))
		print_line("%s", l);
	buf_finish(&b);
}

static int sec_psk(struct modem *m, bool show, struct buf *out)
{
	return cmd_sec_console_psk(m, show, out);
}

static int sec_rot(struct modem *m, bool unused, struct buf *out)
{
	return cmd_sec_console_rot(m, out);
}

static int sec_unseal(struct modem *m, bool unused, struct buf *out)
{
	return cmd_sec_console_unseal(m, out);
}

static void cmd_psk(struct console *c, const char *arg)
{
	print_sec(c, sec_psk, strcasecmp(arg, "show") == 0);
}

static void cmd_rot(struct console *c, const char *arg)
{
	print_sec(c, sec_rot, false);
}

static void cmd_unseal(struct console *c, const char *arg)
{
	print_sec(c, sec_unseal, false);
}

/* Puts the console's AT channel, its control session and the trace (if on) on modem m. */
static int attach(struct console *c, struct modem *m)
{
	int rc = modem_attach_console(m, handle_output, c);

	if (rc < 0)
		return rc;
	c->session = ctl_session_create(
		&(struct ctl_session_config){ .m = m, .reply = handle_reply, .data = c });
	if (c->session == NULL) {
		modem_detach_console(m);
		return -ENOMEM;
	}
	if (c->trace && modem_observe(m, handle_trace, c) < 0)
		c->trace = false;
	c->m = m;
	return 0;
}

static void detach(struct console *c)
{
	if (c->trace)
		modem_unobserve(c->m, handle_trace, c);
	ctl_session_destroy(c->session);
	c->session = NULL;
	modem_detach_console(c->m);
	c->m = NULL;
	buf_reset(&c->pending);
}

static void set_prompt(struct console *c)
{
	if (c->fleet != NULL)
		snprintf(c->prompt, sizeof(c->prompt), "ukms[%zu]> ", c->index);
	else
		snprintf(c->prompt, sizeof(c->prompt), "%s", PROMPT);
}

/* ":modem" shows which fleet modem the console talks to; ":modem I" switches to modem I. */
static void cmd_modem(struct console *c, const char *arg)
{
	size_t n = c->fleet != NULL ? modem_fleet_size(c->fleet) : 0;
	struct modem *old = c->m;
	unsigned long i;
	char *end;

	if (c->fleet == NULL) {
		print_line("one modem: :modem needs ukms-sim --fleet N");
		return;
	}
	if (*arg == '\0') {
		print_line("modem %zu of 0-%zu (%s)", c->index, n - 1,
			   modem_fleet_selector(c->fleet, c->index));
		return;
	}
	errno = 0;
	i = strtoul(arg, &end, 10);
	if (!isdigit((unsigned char)*arg) || *end != '\0' || errno != 0 || i >= n) {
		print_line("no modem %s: the fleet has modems 0-%zu", arg, n - 1);
		return;
	}
	detach(c);
	if (attach(c, modem_fleet_at(c->fleet, i)) < 0) {
		print_line("cannot switch to modem %lu: out of memory", i);
		if (attach(c, old) < 0)
			log_error("console lost its modem");
		return;
	}
	c->index = i;
	set_prompt(c);
	rl_set_prompt(c->prompt);
	print_line("modem %zu (%s)", c->index, modem_fleet_selector(c->fleet, c->index));
}

static void cmd_quit(struct console *c, const char *arg)
{
	loop_quit(c->loop);
}

/* Console-only commands; every other ':' command is a control op (sim/ctl.h). */
static const struct console_cmd console_cmds[] = {
	{ ":help", ":help", cmd_help },
	{ ":trace", ":trace on|off           show pty traffic with timestamps", cmd_trace },
	{ ":psk", ":psk [show]              PSK pairs of this run (fingerprints; show: PSK hex)",
	  cmd_psk },
	{ ":rot", ":rot                    RoT UID, next counter, seal state", cmd_rot },
	{ ":unseal", ":unseal                 factory-reset the seal (+USECDEVINFO: 1,0,1)",
	  cmd_unseal },
	{ ":modem", ":modem [I]              --fleet: show / switch to modem I (0..N-1)",
	  cmd_modem },
	{ ":quit", ":quit                   exit ukms-sim", cmd_quit },
};

/* Short forms kept from before the control ops: ":detach" is ":network detach". */
static const struct {
	const char *name, *op, *words;
} aliases[] = {
	{ ":detach", "network", "detach" },
	{ ":attach", "network", "attach" },
};

static void cmd_help(struct console *c, const char *arg)
{
	print_line("AT commands go to the same modem as the pty (Tab completes names).");
	for (size_t i = 0; i < ARRAY_LEN(console_cmds); i++)
		print_line("  %s", console_cmds[i].usage);
	print_line("Control ops (docs/control.md), as :OP ARGS:");
	for (size_t i = 0; i < ctl_op_count(); i++)
		print_line("  :%s", ctl_op_usage(i));
	print_line("  :detach, :attach         short for :network detach / :network attach");
}

static void run_console_cmd(struct console *c, char *line)
{
	char *arg = line + strcspn(line, " \t");

	if (*arg != '\0')
		*arg++ = '\0';
	arg += strspn(arg, " \t");
	for (size_t i = 0; i < ARRAY_LEN(console_cmds); i++) {
		if (strcasecmp(console_cmds[i].name, line) == 0) {
			console_cmds[i].fn(c, arg);
			return;
		}
	}
	for (size_t i = 0; i < ARRAY_LEN(aliases); i++) {
		if (strcasecmp(aliases[i].name, line) == 0) {
			ctl_session_command(c->session, aliases[i].op, aliases[i].words);
			return;
		}
	}
	for (size_t i = 0; i < ctl_op_count(); i++) {
		if (strcasecmp(ctl_op_name(i), line + 1) == 0) {
			ctl_session_command(c->session, ctl_op_name(i), arg);
			return;
		}
	}
	print_line("unknown console command %s (:help)", line);
}

static void handle_line(char *line)
{
	struct console *c = the_console;

	if (line == NULL) { /* Ctrl-D */
		loop_quit(c->loop);
		return;
	}
	if (*line != '\0')
		add_history(line);
	c->in_line = true;
	if (line[0] == ':')
		run_console_cmd(c, line);
	else if (line[0] != '\0')
		modem_console_input(c->m, line);
	c->in_line = false;
	free(line);
}

static char *complete_name(const char *text, int state)
{
	struct console *c = the_console;
	struct at_engine *e = c->m->console_at;
	size_t len = strlen(text);

	if (state == 0)
		c->complete_next = 0;
	size_t n_cmds = ARRAY_LEN(console_cmds), n_ops = ctl_op_count();

	while (c->complete_next < at_engine_command_count(e) + n_cmds + n_ops) {
		size_t i = c->complete_next++;
		char cand[64];

		if (i < n_cmds)
			snprintf(cand, sizeof(cand), "%s", console_cmds[i].name);
		else if (i < n_cmds + n_ops)
			snprintf(cand, sizeof(cand), ":%s", ctl_op_name(i - n_cmds));
		else
			snprintf(cand, sizeof(cand), "AT%s",
				 at_engine_command_name(e, i - n_cmds - n_ops));
		if (strncasecmp(cand, text, len) == 0)
			return strdup(cand);
	}
	return NULL;
}

static char **complete(const char *text, int start, int end)
{
	(void)end;
	rl_attempted_completion_over = 1;
	return start == 0 ? rl_completion_matches(text, complete_name) : NULL;
}

static void handle_stdin(void *data, int fd, unsigned revents)
{
	(void)data;
	(void)fd;
	(void)revents;
	rl_callback_read_char();
}

static char *history_path(void)
{
	const char *home = getenv("HOME");
	char *path = NULL;

	if (home == NULL || asprintf(&path, "%s/%s", home, HISTORY_FILE) < 0)
		return NULL;
	return path;
}

struct console *console_create(struct modem *m, struct modem_fleet *fleet, struct loop *loop)
{
	struct console *c;

	if (the_console != NULL)
		return NULL;
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return NULL;
	c->loop = loop;
	c->fleet = fleet;
	c->t0 = loop_now_ms(loop);
	buf_init(&c->pending, 4 * 1024);
	set_prompt(c);
	if (attach(c, fleet != NULL ? modem_fleet_at(fleet, 0) : m) < 0)
		goto fail;
	c->src = loop_add_fd(loop, STDIN_FILENO, POLLIN, handle_stdin, c);
	if (c->src == NULL)
		goto fail;
	the_console = c;
	c->history = history_path();
	using_history();
	stifle_history(HISTORY_MAX);
	if (c->history != NULL)
		read_history(c->history);
	rl_readline_name = "ukms-sim";
	rl_attempted_completion_function = complete;
	rl_callback_handler_install(c->prompt, handle_line);
	return c;
fail:
	log_error("cannot start the console");
	console_destroy(c);
	return NULL;
}

void console_destroy(struct console *c)
{
	if (c == NULL)
		return;
	if (the_console == c) {
		rl_callback_handler_remove();
		fputc('\n', stdout);
		if (c->history != NULL && write_history(c->history) != 0)
			log_debug("cannot write %s", c->history);
		the_console = NULL;
	}
	if (c->m != NULL)
		detach(c);
	loop_remove(c->loop, c->src);
	buf_finish(&c->pending);
	free(c->history);
	free(c);
}
