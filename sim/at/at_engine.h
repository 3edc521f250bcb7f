/* SPDX-License-Identifier: Apache-2.0 */
/*
 * V.250 AT engine: bytes -> lines -> commands -> typed arguments -> table handlers -> framed
 * replies. Knows nothing of u-blox, sockets or keys (docs/architecture.md).
 *
 * Stages (style.md §3.4): A) byte state machine with echo, S3/S5 and a bounded line buffer;
 * B) lexer: basic and extended commands, ';' chaining; C) tokenizer; D) binding tokens to the
 * command's parameter schema before its handler runs, so handlers never parse text.
 *
 * Output: everything the engine sends to the host goes through cfg.output (the pty in
 * ukms-sim, a memory buffer in tests). Only the engine frames text (\r\n, V0/V1, CME forms).
 *
 * Errors: a handler returns AT_RC_OK, AT_RC_ERROR, AT_RC_CME (after at_fail()) or AT_RC_PENDING.
 * The final result code is written by the engine: under +CMEE=0 every failure is "ERROR";
 * under 1 "+CME ERROR: <n>", under 2 "+CME ERROR: <text>" (texts from one table, at_cme.c).
 * Unknown command or a bad parameter (schema) -> CME 4 "operation not supported" / CME 50
 * "incorrect parameters" (so plain ERROR under CMEE=0). A line that cannot be lexed or
 * tokenized (unterminated quote, junk) -> plain ERROR in every mode.
 */
#ifndef SIM_AT_AT_ENGINE_H
#define SIM_AT_AT_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "compiler.h"

struct loop;
struct at_engine;
struct at_req;

#define AT_LINE_MAX 4200 /* fits +USOST in hex mode with a 1024-byte payload plus margin */
#define AT_MAX_ARGS 16

enum at_op {
	AT_OP_EXEC = 1u << 0, /* AT+CMD  (and basic commands: ATE, ATI9) */
	AT_OP_READ = 1u << 1, /* AT+CMD? */
	AT_OP_TEST = 1u << 2, /* AT+CMD=? */
	AT_OP_SET = 1u << 3,  /* AT+CMD=<args> */
};

enum at_rc {
	AT_RC_OK = 0,
	AT_RC_ERROR,   /* plain ERROR in every +CMEE mode */
	AT_RC_CME,     /* +CME ERROR with the code given to at_fail() */
	AT_RC_PENDING, /* completes later with at_req_complete() */
};

/* 3GPP TS 27.007 §9.2 codes used by the engine itself; sim/cmd may use any number. */
enum at_cme {
	AT_CME_PHONE_FAILURE = 0,
	AT_CME_OPERATION_NOT_ALLOWED = 3,
	AT_CME_OPERATION_NOT_SUPPORTED = 4,
	AT_CME_SIM_NOT_INSERTED = 10,
	AT_CME_SIM_FAILURE = 13,
	AT_CME_SIM_BUSY = 14,
	AT_CME_MEMORY_FULL = 20,
	AT_CME_INVALID_INDEX = 21,
	AT_CME_NOT_FOUND = 22,
	AT_CME_MEMORY_FAILURE = 23,
	AT_CME_TEXT_TOO_LONG = 24,
	AT_CME_INVALID_CHARACTERS = 25,
	AT_CME_NO_NETWORK_SERVICE = 30,
	AT_CME_NETWORK_TIMEOUT = 31,
	AT_CME_INCORRECT_PARAMETERS = 50,
	AT_CME_UNKNOWN = 100,
};

/* One row of an extra verbose-text table (u-blox specific codes), see at_engine_config. */
struct at_cme_text {
	int code;
	const char *text;
};

enum at_ptype {
	AT_P_INT,  /* decimal, overflow-checked, within [min, max] */
	AT_P_ENUM, /* AT_P_INT whose value must be in allowed[] (terminated by LONG_MIN) */
	AT_P_STR,  /* quoted string (bare allowed with AT_PF_BARE_OK), length in [min, max] */
	AT_P_HEX,  /* hex string, quoted or bare, even length, decoded bytes in [min, max] */
	AT_P_ANY,  /* raw token, checked by the handler (e.g. data whose form depends on a mode) */
};

#define AT_PF_OPTIONAL  (1u << 0) /* may be omitted or empty: gets def, at_arg_present false */
#define AT_PF_QUOTED_OK (1u << 1) /* AT_P_INT/ENUM: "5" accepted as 5 */
#define AT_PF_BARE_OK   (1u << 2) /* AT_P_STR: unquoted text accepted */

struct at_param {
	const char *name; /* for logs and docs */
	enum at_ptype type;
	unsigned flags;
	long min, max, def;  /* INT: value range and default; STR/HEX: length range */
	const long *allowed; /* AT_P_ENUM only, terminated by LONG_MIN */
};

typedef enum at_rc at_handler_fn(struct at_req *req);

/*
 * One command. name is "+USOCR" for extended commands, or the basic command letters for basic
 * ones ("I", "&C", "&D", "&K", "Z", "&F", "&W"); a basic command's optional number is
 * argument 0 (bind it with one optional AT_P_INT param) and its op is AT_OP_EXEC.
 * E, V, Q, X and S-registers are handled by the engine itself.
 */
struct at_cmd {
	const char *name;
	unsigned ops;                  /* allowed enum at_op bits */
	const struct at_param *params; /* schema for AT_OP_SET (and basic commands) */
	size_t n_params;
	const char *test_reply; /* fixed "=?" info line, or NULL to call the handler */
	at_handler_fn *handler;
	const char *spec; /* source: "u-blox AT manual +USOCR", "3GPP 27.007 8.2" */
};

#define AT_PARAMS(p) (p), ARRAY_LEN(p)
#define AT_NO_PARAMS NULL, 0

struct at_cmd_group {
	const struct at_cmd *cmds;
	size_t n;
};

/* Bytes to the host. Must accept everything (the owner queues); returns nothing. */
typedef void at_output_fn(void *data, const uint8_t *bytes, size_t len);
/* Called after ATZ / AT&F reset the engine's settings, so the owner can reset its own. */
typedef void at_reset_fn(void *data, bool factory);
/*
 * Called (with cfg.ctx) once per command line just before its final result code. Returns how
 * many ms to hold the result back (0: now); the line stays busy meanwhile, so later input waits.
 */
typedef uint32_t at_final_fn(void *ctx);
/* True while the host is not taking output (backpressure); gets output_data. */
typedef bool at_busy_fn(void *data);

struct at_engine_config {
	struct loop *loop; /* timers: data-prompt timeout */
	at_output_fn *output;
	void *output_data;
	/*
	 * May be NULL. While it returns true, no further command is taken from the input buffer
	 * (bytes of a data prompt still are): answers are never produced faster than the host
	 * reads them. Call at_engine_resume() when it turns false.
	 */
	at_busy_fn *output_busy;
	void *ctx; /* returned by at_req_ctx() to handlers */
	const struct at_cmd_group *groups;
	size_t n_groups;
	const struct at_cme_text *cme_texts; /* extra verbose texts; may be NULL */
	size_t n_cme_texts;
	at_reset_fn *on_reset;
	uint32_t data_timeout_ms; /* data prompt: fewer bytes than announced -> error */
	at_final_fn *on_final;    /* optional: delays final results (needs loop) */
};

/*
 * Creates an engine. Merges and sorts the groups; returns NULL (and logs the name) if two rows
 * share a name, so a duplicate command fails at start-up, not at run time.
 */
struct at_engine *at_engine_create(const struct at_engine_config *cfg);
/* NULL-safe. A pending request is dropped without a final result. */
void at_engine_destroy(struct at_engine *e);

/* Feeds bytes received from the host. Replies go out through cfg.output, possibly later. */
void at_engine_input(struct at_engine *e, const uint8_t *bytes, size_t len);
/* The output is no longer busy: runs the commands waiting in the input buffer. */
void at_engine_resume(struct at_engine *e);

/*
 * Queues an unsolicited result line (text without CR/LF, e.g. "+UUSORD: 0,5"). Emitted framed
 * as \r\n<text>\r\n only between responses: immediately when idle, otherwise right after the
 * current final result. Never glued inside a response. Returns 0 or -ENOSPC (queue full).
 */
int at_engine_urc(struct at_engine *e, const char *fmt, ...) ATTR_PRINTF(2, 3);

/* Factory settings (E1 V1 Q0 CMEE 0, S3=13 S4=10 S5=8) and an empty URC queue. */
void at_engine_reset(struct at_engine *e);
/* Silent: input is discarded and nothing is sent (after +CPWROFF) until un-silenced. */
void at_engine_set_silent(struct at_engine *e, bool silent);
bool at_engine_is_idle(const struct at_engine *e); /* no command pending, no data prompt */
/*
 * Early URCs (worst-case placement): queued URCs go out at the next line boundary even while a
 * command runs — before its final result code and before a data prompt — never inside a line.
 */
void at_engine_set_urc_early(struct at_engine *e, bool early);
int at_engine_cmee(const struct at_engine *e);
void at_engine_set_cmee(struct at_engine *e, int mode); /* 0, 1 or 2 */
bool at_engine_echo(const struct at_engine *e);
/* "E1, Q0, V1, X0, S00:000, S02:043, ..." (the engine's part of AT&V). 0 or -ENOSPC. */
int at_engine_format_profile(const struct at_engine *e, char *out, size_t cap);
/* Names of all commands, sorted (for console tab completion and docs). Borrowed. */
size_t at_engine_command_count(const struct at_engine *e);
const char *at_engine_command_name(const struct at_engine *e, size_t i);

/* ---- for handlers -------------------------------------------------------------------- */

void *at_req_ctx(const struct at_req *req);
struct at_engine *at_req_engine(const struct at_req *req);
enum at_op at_req_op(const struct at_req *req);
const struct at_cmd *at_req_cmd(const struct at_req *req);

struct at_span {
	const char *p;
	size_t len;
};

/* Number of arguments the host gave (after binding, <= n_params). */
size_t at_arg_count(const struct at_req *req);
bool at_arg_present(const struct at_req *req, size_t i);
/* AT_P_INT / AT_P_ENUM value, or the schema default when omitted. */
long at_arg_int(const struct at_req *req, size_t i);
/* AT_P_STR / AT_P_ANY text without quotes; borrowed until the handler returns. */
struct at_span at_arg_str(const struct at_req *req, size_t i);
bool at_arg_quoted(const struct at_req *req, size_t i);
/* AT_P_HEX (or any hex token): decodes into out. Returns the byte count or -EINVAL/-ENOSPC. */
int at_arg_hex(const struct at_req *req, size_t i, uint8_t *out, size_t cap);

/* Appends one information line ("+USOCR: 0") to the response. Returns 0 or -ENOSPC. */
int at_reply(struct at_req *req, const char *fmt, ...) ATTR_PRINTF(2, 3);
/*
 * Appends one line made of prefix text, raw bytes (any value, not interpreted) and suffix text:
 * at_reply_data(req, "+USORD: 0,5,\"", data, 5, "\"").
 */
int at_reply_data(struct at_req *req, const char *prefix, const uint8_t *data, size_t len,
		  const char *suffix);
/* Sets the CME code for the final result; returns AT_RC_CME for `return at_fail(req, 3);`. */
enum at_rc at_fail(struct at_req *req, int cme);

/* Completes a request that returned AT_RC_PENDING (any thread-free context: loop callback). */
void at_req_complete(struct at_req *req, enum at_rc rc);

/* Called when a pending request is aborted by a host character; must cancel the operation. */
typedef void at_abort_fn(struct at_req *req);
/* Makes the pending request abortable (V.250 5.6.1): the engine answers ABORTED. */
void at_req_set_abort(struct at_req *req, at_abort_fn *fn);

/*
 * Data prompt: sends "\r\n" and the prompt char ('@' or '>'), then collects exactly len raw
 * bytes (no echo, no line editing) and calls on_data with them. If fewer bytes arrive within
 * cfg.data_timeout_ms the request fails with CME 50 and the bytes are discarded. The handler
 * returns AT_RC_PENDING after calling this. on_data returns the final result (or PENDING).
 */
typedef enum at_rc at_data_fn(struct at_req *req, const uint8_t *data, size_t len);
void at_req_expect_data(struct at_req *req, char prompt, size_t len, at_data_fn *on_data);

/* Text of a CME code for +CMEE=2 (extra table first, then 27.007). Static, never NULL. */
const char *at_cme_text(const struct at_engine *e, int code);

#endif /* SIM_AT_AT_ENGINE_H */
