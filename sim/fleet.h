/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ukms-sim --fleet N: N modems in one process and one event loop, each on its own pty. Modem i
 * emulates device FIRST+i of the fleet --device FLEET:FIRST names (default: the platform's first
 * fleet from 0, or its explicit devices in order); its --link is the --link pattern with "%d"
 * replaced by i (config_parse checks the pattern: one "%d", no other '%'); with --state-dir DIR
 * its NVM lives in DIR/<rot_uid>/. The platform file is loaded once: the fleet owns it, every
 * modem borrows it read-only (modem_create_on), so a large explicit device list is in memory once.
 */
#ifndef SIM_FLEET_H
#define SIM_FLEET_H

#include <stddef.h>

struct loop;
struct modem;
struct modem_config;
struct modem_fleet;

/* NULL with a message naming the modem that failed in err. cfg is copied per modem. */
struct modem_fleet *modem_fleet_create(struct loop *l, const struct modem_config *cfg, char *err,
				       size_t errlen);
/* NULL-safe. */
void modem_fleet_destroy(struct modem_fleet *f);
size_t modem_fleet_size(const struct modem_fleet *f);
struct modem *modem_fleet_at(const struct modem_fleet *f, size_t i);
/* The selector modem i emulates ("load:7" or a rot_uid). */
const char *modem_fleet_selector(const struct modem_fleet *f, size_t i);
/*
 * A per-modem path (--link, --record): pattern, checked by config_parse to hold one "%d" and
 * no other '%', with the "%d" replaced by i. 0 or -ENAMETOOLONG (out holds cap bytes).
 */
int modem_fleet_path(const char *pattern, size_t i, char *out, size_t cap);

#endif /* SIM_FLEET_H */
