/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The modem's side of the fault registry (sim/fault.h): transport faults on the pty channel
 * (chunked output, latency, dropped URCs, hang, unsolicited reboot), boot noise (Q21), URC
 * placement (Q12), the timed network drop (Q15) and the network values handed to sim/net.
 * Private to sim/ (modem.c calls these; command groups ask m->faults directly).
 */
#ifndef SIM_MODEM_FAULT_H
#define SIM_MODEM_FAULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct modem;

/* Creates m->faults from --seed and every --fault, and the runtime state. 0 or -errno. */
int modem_fault_create(struct modem *m, char *err, size_t errlen);
/* After the modem is built: applies the faults already on (timers, engine flags). */
void modem_fault_start(struct modem *m);
void modem_fault_destroy(struct modem *m); /* NULL-safe parts */

/* Bytes for the pty: straight through, or queued and sent in chunks (fault "chunked"). */
void modem_fault_output(struct modem *m, const uint8_t *bytes, size_t len);
/* The chunked output queue is above half its cap (backpressure, as pty_is_congested). */
bool modem_fault_congested(const struct modem *m);
/* A URC about to be queued: true when the fault "urc_drop" loses it. */
bool modem_fault_drop_urc(struct modem *m, const char *line);
/* The pty engine's at_final_fn: latency and the "hang" command counter. */
uint32_t modem_fault_final(void *ctx);
/* The module has (re)booted and speaks again: boot noise (Q21), hang cleared. */
void modem_fault_booted(struct modem *m);

#endif /* SIM_MODEM_FAULT_H */
