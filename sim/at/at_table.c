/* SPDX-License-Identifier: Apache-2.0 */
/* Merged, sorted command table with a start-up duplicate check (style.md §3.5). */
#define LOG_MODULE "at"
#include "log.h"

#include "at_lexer.h"
#include "at_table.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct at_table {
	size_t n;
	const struct at_cmd **rows;
};

static int cmp_rows(const void *a, const void *b)
{
	const struct at_cmd *const *x = a, *const *y = b;

	return strcasecmp((*x)->name, (*y)->name);
}

static bool row_is_valid(const struct at_cmd *c)
{
	if (c->name == NULL || c->name[0] == '\0' || strlen(c->name) > AT_NAME_MAX) {
		log_error("command table: row without a valid name");
		return false;
	}
	if (c->n_params > AT_MAX_ARGS || (c->n_params > 0 && c->params == NULL)) {
		log_error("command table: %s: bad parameter schema", c->name);
		return false;
	}
	return true;
}

/* Sorted rows; adjacent equal names are duplicates. Returns false (logged) on one. */
static bool sort_and_check(const struct at_cmd **rows, size_t n)
{
	qsort(rows, n, sizeof(*rows), cmp_rows);
	for (size_t i = 1; i < n; i++) {
		if (strcasecmp(rows[i - 1]->name, rows[i]->name) == 0) {
			log_error("command table: duplicate command %s", rows[i]->name);
			return false;
		}
	}
	return true;
}

static bool has_row(const struct at_cmd **rows, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(rows[i]->name, name) == 0)
			return true;
	return false;
}

struct at_table *at_table_create(const struct at_cmd_group *groups, size_t n_groups,
				 const struct at_cmd *builtins, size_t n_builtins)
{
	struct at_table *t = calloc(1, sizeof(*t));
	size_t total = n_builtins, n_user;

	for (size_t g = 0; g < n_groups; g++)
		total += groups[g].n;
	if (t == NULL || (t->rows = calloc(total + 1, sizeof(*t->rows))) == NULL)
		goto fail;
	for (size_t g = 0; g < n_groups; g++)
		for (size_t i = 0; i < groups[g].n; i++) {
			if (!row_is_valid(&groups[g].cmds[i]))
				goto fail;
			t->rows[t->n++] = &groups[g].cmds[i];
		}
	n_user = t->n;
	if (!sort_and_check(t->rows, n_user))
		goto fail;
	for (size_t i = 0; i < n_builtins; i++)
		if (!has_row(t->rows, n_user, builtins[i].name))
			t->rows[t->n++] = &builtins[i];
	qsort(t->rows, t->n, sizeof(*t->rows), cmp_rows);
	return t;
fail:
	at_table_destroy(t);
	return NULL;
}

void at_table_destroy(struct at_table *t)
{
	if (t == NULL)
		return;
	free(t->rows);
	free(t);
}

static int cmp_key(const void *key, const void *row)
{
	const struct at_cmd *const *r = row;

	return strcasecmp(key, (*r)->name);
}

const struct at_cmd *at_table_find(const struct at_table *t, const char *name, size_t len)
{
	char key[AT_NAME_MAX + 1];
	const struct at_cmd **hit;

	if (len == 0 || len > AT_NAME_MAX)
		return NULL;
	memcpy(key, name, len);
	key[len] = '\0';
	hit = bsearch(key, t->rows, t->n, sizeof(*t->rows), cmp_key);
	return hit != NULL ? *hit : NULL;
}

size_t at_table_count(const struct at_table *t)
{
	return t->n;
}

const struct at_cmd *at_table_at(const struct at_table *t, size_t i)
{
	return i < t->n ? t->rows[i] : NULL;
}
