/* SPDX-License-Identifier: Apache-2.0 */
/*
 * u-blox / 3GPP command groups: the only glue between the AT engine, the simulated network,
 * sockets and the RoT.
 *
 * Adding a group: write cmd_<area>.c with a static const struct at_cmd table, export a
 * `const struct cmd_module cmd_<area>_module`, and add it to the list in cmd.c. The hooks let a
 * group keep state in struct modem (m->socks, m->profiles, m->sec), reset it on ATZ / reboot
 * and react to network events (a coverage loss kills sockets, quirks Q15).
 */
#ifndef SIM_CMD_CMD_H
#define SIM_CMD_CMD_H

#include <stdbool.h>
#include <stddef.h>

#include "at_engine.h"
#include "compiler.h"
#include "fault.h"
#include "netsim.h"

struct modem;

struct cmd_module {
	const char *name;
	const struct at_cmd_group *group;
	int (*init)(struct modem *m);                /* optional; 0 or -errno */
	void (*finish)(struct modem *m);             /* optional; must accept a failed init */
	void (*reset)(struct modem *m, bool reboot); /* optional; ATZ/&F (false) or reboot (true) */
	void (*net_event)(struct modem *m, enum netsim_event ev, int arg, bool by_network);
	void (*boot)(struct modem *m); /* optional; the module answers again (power-on, reboot) */
	void (*fault)(struct modem *m, enum fault_id id, bool on); /* optional: switched */
};

/* The module list (cmd.c). */
size_t cmd_module_count(void);
const struct cmd_module *cmd_module_at(size_t i);

/* Every group of every module, in order, into out (cap entries). Returns the count. */
size_t cmd_groups(struct at_cmd_group *out, size_t cap);

/* Extra +CMEE=2 texts for u-blox specific codes (cme.c). */
extern const struct at_cme_text cmd_cme_texts[];
extern const size_t cmd_cme_text_count;

/* The one -errno -> +CME code mapping for all groups (cme.c). */
int cmd_cme_from_errno(int err);
/* `return cmd_fail(req, rc);` for a -errno from a lower layer. */
enum at_rc cmd_fail(struct at_req *req, int err);

/*
 * Appends "<prefix>: <body>" with the persona's colon spacing (quirks Q20): every prefixed
 * information line of every group goes through here. Returns 0 or -ENOSPC.
 */
int cmd_reply(struct at_req *req, const char *prefix, const char *fmt, ...) ATTR_PRINTF(3, 4);
/* The separator after "+XXX:" for this modem: ": " or ":". */
const char *cmd_colon(const struct modem *m);

/* Copies an argument into a NUL-terminated buffer; -ENOSPC if it does not fit. */
int cmd_arg_copy(const struct at_req *req, size_t i, char *out, size_t cap);
/* A decimal integer from an AT_P_ANY argument (quoted or not); -EINVAL if it is not one. */
int cmd_arg_long(const struct at_req *req, size_t i, long *out);

/* Modules of this work (issue 3). */
extern const struct cmd_module cmd_basic_module;
extern const struct cmd_module cmd_general_module;
extern const struct cmd_module cmd_network_module;
extern const struct cmd_module cmd_pdp_module;
extern const struct cmd_module cmd_dns_module;
/* Security (issue 4): profiles, credentials and state; RoT commands; module file system. */
extern const struct cmd_module cmd_security_module;
extern const struct cmd_module cmd_rot_module;
extern const struct cmd_module cmd_files_module;
/* Sockets (issue 5, cmd_socket.c); after the security module in the list. */
extern const struct cmd_module cmd_socket_module;
/* Radio information and configuration (issue 10, cmd_radio.c); after security (NVM). */
extern const struct cmd_module cmd_radio_module;
/* The SIM's elementary files through +CRSM (issue 10, cmd_sim.c); after security (NVM). */
extern const struct cmd_module cmd_sim_module;
/*
 * The "radio" NVM section (+CEDRXS, +URAT, +UBANDMASK): parses data into a fresh state and
 * formats it into out (fuzz target, tests). Returns 0, -EINVAL (refused image) or -errno.
 */
struct buf;
int cmd_radio_image_roundtrip(const void *data, size_t len, struct buf *out);

#endif /* SIM_CMD_CMD_H */
