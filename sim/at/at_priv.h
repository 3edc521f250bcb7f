/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internals shared by the sim/at sources (and its unit tests) only: the engine and request structs
 * and the framing functions of at_reply.c, the one place that knows CR/LF, V0/V1 and Q.
 */
#ifndef SIM_AT_AT_PRIV_H
#define SIM_AT_AT_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "at_engine.h"
#include "at_params.h"
#include "buf.h"

struct at_table;
struct loop_source;

#define AT_URC_MAX         64          /* queued unsolicited lines */
#define AT_INPUT_MAX       (64 * 1024) /* bytes buffered while a command is pending */
#define AT_REPLY_MAX       (64 * 1024) /* one information line */
#define AT_DATA_TIMEOUT_MS 10000u      /* data prompt, when cfg.data_timeout_ms is 0 */
#define AT_N_SREGS         13          /* S0..S12 */

enum at_state {
	AT_ST_HUNT_A,  /* discarding until 'A' */
	AT_ST_HUNT_T,  /* got 'A': 'T' starts a line, '/' repeats the last one */
	AT_ST_LINE,    /* collecting the text after "AT" until S3 */
	AT_ST_SWALLOW, /* line too long: discard until S3, then ERROR */
	AT_ST_DATA,    /* data prompt: counting raw bytes */
};

enum at_final {
	AT_FINAL_OK,
	AT_FINAL_ERROR,
	AT_FINAL_CME,
	AT_FINAL_ABORTED,
};

struct at_settings {
	bool echo;    /* E */
	bool verbose; /* V */
	bool quiet;   /* Q */
	int x;        /* X (accepted, no effect) */
	int cmee;     /* +CMEE */
	long s[AT_N_SREGS];
};

struct at_req {
	struct at_engine *e;
	const struct at_cmd *cmd;
	enum at_op op;
	struct at_args args;
	int cme;
	at_abort_fn *abort_fn;
	at_data_fn *on_data;
	size_t data_len;
	bool in_handler; /* the handler (or on_data) is running right now */
	bool pending;    /* returned AT_RC_PENDING, waiting for at_req_complete */
	bool early;      /* at_req_complete was called before the handler returned */
	enum at_rc early_rc;
};

struct at_engine {
	struct at_engine_config cfg;
	struct at_table *table;
	struct at_settings set;
	enum at_state state;
	char line[AT_LINE_MAX + 1];
	size_t line_len;
	bool line_bad; /* binary garbage inside the line */
	char last[AT_LINE_MAX + 1];
	size_t last_len;
	size_t lex_pos; /* next command of the line being executed */
	bool busy;      /* a line is executing (from S3 to its final result) */
	bool silent;
	bool silence_after_line;
	bool pumping;
	bool urc_early; /* at_engine_set_urc_early */
	struct at_req req;
	struct loop_source *timer;
	struct loop_source *hold; /* cfg.on_final: final result held back */
	enum at_final hold_final;
	int hold_cme;
	struct buf data;  /* data-prompt bytes (may be secret) */
	struct buf input; /* received, not yet consumed (may be secret) */
	size_t in_pos;    /* bytes of input already consumed by the running pump */
	struct buf echo;  /* echo not yet sent */
	struct buf out;   /* one frame being built */
	char *urc[AT_URC_MAX];
	size_t urc_head, urc_n;
};

/* at_reply.c: framing. Each writes one frame through cfg.output (nothing when silent). */
void at_out_raw(struct at_engine *e, const void *bytes, size_t len);
void at_out_echo(struct at_engine *e, uint8_t byte);
void at_out_flush_echo(struct at_engine *e);
/* Information line made of three parts (prefix, raw bytes, suffix), framed by V0/V1. */
void at_out_info(struct at_engine *e, const struct at_span parts[3]);
void at_out_final(struct at_engine *e, enum at_final f, int cme);
void at_out_prompt(struct at_engine *e, char prompt);

/* at_engine.c: consumes buffered input as far as the state allows; sends queued URCs. */
void at_engine_pump(struct at_engine *e);
void at_urc_flush(struct at_engine *e);

/* at_exec.c: execution of an assembled line (e->line), pending requests and data prompts. */
void at_exec_line(struct at_engine *e);
/* Ends the line with one final result code, then sends URCs and consumes buffered input. */
void at_exec_finish(struct at_engine *e, enum at_final f, int cme);
/* A host byte arrived while an abortable request is pending. */
void at_exec_abort(struct at_engine *e);
/* Data-prompt bytes; returns how many of bytes[0..len) were taken. */
size_t at_exec_data(struct at_engine *e, const uint8_t *bytes, size_t len);
/* Drops a pending request and its timer without a final result (destroy, reset). */
void at_exec_drop(struct at_engine *e);

/* at_basic.c: the engine's own rows (E V Q X Z &F) and S-registers. */
extern const struct at_cmd at_builtin_cmds[];
extern const size_t at_n_builtin_cmds;
void at_settings_default(struct at_settings *s);
/* Runs S<n>? / S<n>=<v>; returns the result for the chain. */
enum at_rc at_sreg_run(struct at_req *req, struct at_span reg, enum at_op op, struct at_span val);

#endif /* SIM_AT_AT_PRIV_H */
