/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Stage B (style.md §3.4): the text after "AT" -> a sequence of commands. Private to sim/at.
 *
 * Basic commands: a letter or '&' + letter, then optional digits (E0, I9, &C1, Z); S<n>? and
 * S<n>=<v>; D takes the rest of the line. Extended commands: '+' and [A-Z0-9!%-./:_], then
 * nothing (EXEC), '?' (READ), "=?" (TEST) or '=' and an argument span up to the next ';'
 * outside quotes (SET). Names are upper-cased in place; argument text keeps its case.
 */
#ifndef SIM_AT_AT_LEXER_H
#define SIM_AT_AT_LEXER_H

#include <stdbool.h>
#include <stddef.h>

#include "at_engine.h"

#define AT_NAME_MAX 32

struct at_lex_cmd {
	struct at_span name; /* "+USOCR", "E", "&C", "S" (views into the line) */
	enum at_op op;
	struct at_span args; /* SET arguments, or a basic command's digits */
	struct at_span sreg; /* S-register number (digits) when name is "S" */
	bool basic;
};

/* Removes spaces outside double quotes, in place. Returns the new length. */
size_t at_lex_strip(char *line, size_t len);

/*
 * Parses the command starting at *pos and advances *pos past it (and past one ';').
 * Returns 1 with out filled, 0 at the end of the line, or -EINVAL for a malformed command.
 */
int at_lex_next(char *line, size_t len, size_t *pos, struct at_lex_cmd *out);

#endif /* SIM_AT_AT_LEXER_H */
