/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The simulated SIM (cmd_sim.c, +CRSM): its state and the "sim" NVM section, which holds what
 * a host can write on the SIM (EF FPLMN). Image: "fplmn <24 upper-case hex digits>\n".
 */
#ifndef SIM_CMD_CMD_SIM_H
#define SIM_CMD_CMD_SIM_H

#include <stddef.h>

struct buf;
struct cmd_sim_state;

/* A SIM with an empty FPLMN list (all FF). NULL when out of memory. */
struct cmd_sim_state *cmd_sim_state_create(void);
void cmd_sim_state_destroy(struct cmd_sim_state *st); /* NULL-safe */

/* Appends the section image to out. Returns 0 or -ENOSPC/-ENOMEM. */
int cmd_sim_format(const struct cmd_sim_state *st, struct buf *out);
/* Replaces st from an image; on error (-EINVAL) st is unchanged. */
int cmd_sim_parse(struct cmd_sim_state *st, const void *data, size_t len);

#endif /* SIM_CMD_CMD_SIM_H */
