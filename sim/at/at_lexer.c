/* SPDX-License-Identifier: Apache-2.0 */
/* Stage B: command-line splitter (style.md §3.4). */
#include "at_lexer.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>

size_t at_lex_strip(char *line, size_t len)
{
	bool quoted = false;
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		if (line[i] == '"')
			quoted = !quoted;
		else if (line[i] == ' ' && !quoted)
			continue;
		line[o++] = line[i];
	}
	return o;
}

static bool is_name_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || strchr("!%-./:_", c) != NULL;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Index of the first ';' outside quotes at or after i, or len. */
static size_t span_to_semicolon(const char *line, size_t len, size_t i)
{
	bool quoted = false;

	for (; i < len; i++) {
		if (line[i] == '"')
			quoted = !quoted;
		else if (line[i] == ';' && !quoted)
			break;
	}
	return i;
}

/* After an extended name or an S-register number: '?', "=?", '=' args, or nothing. */
static int lex_op(char *line, size_t len, size_t *pos, struct at_lex_cmd *out, bool ext)
{
	size_t i = *pos, end;

	out->op = AT_OP_EXEC;
	if (i < len && line[i] == '?') {
		out->op = AT_OP_READ;
		i++;
	} else if (i + 1 < len && line[i] == '=' && line[i + 1] == '?') {
		out->op = AT_OP_TEST;
		i += 2;
	} else if (i < len && line[i] == '=') {
		end = ext ? span_to_semicolon(line, len, i + 1) : i + 1;
		while (!ext && end < len && is_digit(line[end]))
			end++;
		out->op = AT_OP_SET;
		out->args = (struct at_span){ line + i + 1, end - i - 1 };
		i = end;
	}
	*pos = i;
	if (ext && i < len && line[i] != ';')
		return -EINVAL; /* e.g. "+CMEE?x" */
	return 0;
}

static int lex_extended(char *line, size_t len, size_t *pos, struct at_lex_cmd *out)
{
	size_t start = *pos, i = start + 1;

	for (; i < len; i++) {
		line[i] = (char)toupper((unsigned char)line[i]);
		if (!is_name_char(line[i]))
			break;
	}
	if (i == start + 1 || i - start > AT_NAME_MAX)
		return -EINVAL;
	if (i < len && line[i] != '?' && line[i] != '=' && line[i] != ';')
		return -EINVAL;
	out->name = (struct at_span){ line + start, i - start };
	*pos = i;
	return lex_op(line, len, pos, out, true);
}

static int lex_sreg(char *line, size_t len, size_t *pos, struct at_lex_cmd *out)
{
	size_t i = *pos + 1, start = i;
	int rc;

	out->name = (struct at_span){ line + *pos, 1 };
	while (i < len && is_digit(line[i]))
		i++;
	if (i == start)
		return -EINVAL;
	out->sreg = (struct at_span){ line + start, i - start };
	*pos = i;
	rc = lex_op(line, len, pos, out, false);
	if (rc == 0 && out->op != AT_OP_READ && out->op != AT_OP_SET)
		return -EINVAL;
	/* V.250 lets "S3=" mean 0; a typo would then make NUL the line end, so a value is required
	 */
	if (rc == 0 && out->op == AT_OP_SET && out->args.len == 0)
		return -EINVAL;
	return rc;
}

static int lex_basic(char *line, size_t len, size_t *pos, struct at_lex_cmd *out)
{
	size_t start = *pos, i = start;

	out->basic = true;
	line[i] = (char)toupper((unsigned char)line[i]);
	if (line[i] == 'S')
		return lex_sreg(line, len, pos, out);
	if (line[i] == '&') {
		if (++i == len || !isalpha((unsigned char)line[i]))
			return -EINVAL;
		line[i] = (char)toupper((unsigned char)line[i]);
	}
	out->name = (struct at_span){ line + start, i + 1 - start };
	out->op = AT_OP_EXEC;
	start = ++i;
	if (out->name.len == 1 && out->name.p[0] == 'D')
		i = span_to_semicolon(line, len, i); /* dial string: the rest of the command */
	else
		while (i < len && is_digit(line[i]))
			i++;
	out->args = (struct at_span){ line + start, i - start };
	*pos = i;
	return 0;
}

int at_lex_next(char *line, size_t len, size_t *pos, struct at_lex_cmd *out)
{
	int rc;

	*out = (struct at_lex_cmd){ .name = { line, 0 } };
	while (*pos < len && line[*pos] == ';')
		++*pos;
	if (*pos >= len)
		return 0;
	if (line[*pos] == '+')
		rc = lex_extended(line, len, pos, out);
	else if (isalpha((unsigned char)line[*pos]) || line[*pos] == '&')
		rc = lex_basic(line, len, pos, out);
	else
		rc = -EINVAL;
	if (rc < 0)
		return rc;
	if (*pos < len && line[*pos] == ';')
		++*pos;
	return 1;
}
