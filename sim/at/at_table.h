/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Merged command table (style.md §3.5): the groups plus the engine's own rows, sorted by name,
 * looked up case-insensitively with bsearch. Private to sim/at.
 */
#ifndef SIM_AT_AT_TABLE_H
#define SIM_AT_AT_TABLE_H

#include <stddef.h>

#include "at_engine.h"

struct at_table;

/*
 * Merges groups and builtins. A name that appears twice among the groups fails (NULL, logged);
 * a group row with the name of a builtin row replaces the builtin. Rows with a NULL name or
 * more than AT_MAX_ARGS params also fail.
 */
struct at_table *at_table_create(const struct at_cmd_group *groups, size_t n_groups,
				 const struct at_cmd *builtins, size_t n_builtins);
void at_table_destroy(struct at_table *t);

/* Row named name[0..len) (any case), or NULL. */
const struct at_cmd *at_table_find(const struct at_table *t, const char *name, size_t len);
size_t at_table_count(const struct at_table *t);
const struct at_cmd *at_table_at(const struct at_table *t, size_t i);

#endif /* SIM_AT_AT_TABLE_H */
