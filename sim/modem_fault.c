/* SPDX-License-Identifier: Apache-2.0 */
#define LOG_MODULE "fault"
#include "modem_fault.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "at_engine.h"
#include "buf.h"
#include "cmd/cmd.h"
#include "fault.h"
#include "log.h"
#include "loop.h"
#include "modem.h"
#include "pty.h"

#define TXQ_MAX (256 * 1024) /* chunked output waiting for the pty */

struct modem_fault_rt {
	struct buf txq; /* "chunked": bytes not yet sent */
	struct loop_source *tx_timer, *reboot_timer, *drop_timer;
	bool congested;      /* txq above half its cap: the pty engine takes no new command */
	unsigned long lines; /* "hang": final results since boot */
	bool hung;           /* "hang" silenced the pty engine */
};

static void tx_next(void *data)
{
	struct modem *m = data;
	struct modem_fault_rt *rt = m->fault_rt;
	size_t n = (size_t)faults_get(m->faults, FAULT_CHUNKED, "bytes");

	rt->tx_timer = NULL;
	if (!faults_is_on(m->faults, FAULT_CHUNKED) || n > rt->txq.len)
		n = rt->txq.len; /* switched off meanwhile: the rest at once */
	if (n > 0) {
		pty_write(m->pty, rt->txq.data, n);
		buf_consume(&rt->txq, n);
	}
	if (rt->txq.len > 0)
		rt->tx_timer = loop_add_timer(
			m->loop, (uint64_t)faults_get(m->faults, FAULT_CHUNKED, "delay_ms"),
			tx_next, m);
	if (rt->congested && rt->txq.len <= TXQ_MAX / 4) {
		rt->congested = false;
		at_engine_resume(m->at); /* after the timer is armed: output only queues */
	}
}

void modem_fault_output(struct modem *m, const uint8_t *bytes, size_t len)
{
	struct modem_fault_rt *rt = m->fault_rt;

	if (rt == NULL || (!faults_is_on(m->faults, FAULT_CHUNKED) && rt->txq.len == 0)) {
		pty_write(m->pty, bytes, len);
		return;
	}
	if (rt->txq.len + len > TXQ_MAX || buf_append(&rt->txq, bytes, len) < 0) {
		log_warn("chunked output queue full: dropping %zu bytes", len);
		return;
	}
	if (rt->txq.len > TXQ_MAX / 2)
		rt->congested = true;
	if (rt->tx_timer == NULL)
		tx_next(m);
}

bool modem_fault_congested(const struct modem *m)
{
	return m->fault_rt != NULL && m->fault_rt->congested;
}

bool modem_fault_drop_urc(struct modem *m, const char *line)
{
	if (!faults_is_on(m->faults, FAULT_URC_DROP) ||
	    !faults_chance(m->faults, faults_get(m->faults, FAULT_URC_DROP, "pct")))
		return false;
	log_info("URC \"%s\" dropped (fault urc_drop)", line);
	return true;
}

static void hang_now(struct modem *m)
{
	log_info("the module stops answering until a reboot (fault hang)");
	m->fault_rt->hung = true;
	at_engine_set_silent(m->at, true); /* after the current line's final result */
}

/* Switching "hang" off ends a hang it caused (a reboot or power-off keeps its own silence). */
static void unhang(struct modem *m)
{
	if (!m->fault_rt->hung)
		return;
	m->fault_rt->hung = false;
	if (m->powered_off || m->rebooting)
		return;
	log_info("the module answers again (fault hang off)");
	at_engine_set_silent(m->at, false);
}

uint32_t modem_fault_final(void *ctx)
{
	struct modem *m = ctx;
	struct modem_fault_rt *rt = m->fault_rt;

	if (rt == NULL)
		return 0;
	rt->lines++;
	if (faults_is_on(m->faults, FAULT_HANG) &&
	    rt->lines >= (unsigned long)faults_get(m->faults, FAULT_HANG, "after"))
		hang_now(m);
	if (!faults_is_on(m->faults, FAULT_LATENCY))
		return 0;
	return (uint32_t)faults_get(m->faults, FAULT_LATENCY, "ms");
}

/* Q21: NUL bytes on the line, then URCs about sockets this boot never opened. */
static void boot_noise(struct modem *m)
{
	static const uint8_t nul[64];
	long n = faults_get(m->faults, FAULT_Q21, "nuls");
	long stale = faults_get(m->faults, FAULT_Q21, "stale");

	log_info("boot noise: %ld NUL bytes, %ld stale URCs (quirk Q21)", n, stale);
	for (long left = n; left > 0; left -= (long)sizeof(nul))
		modem_fault_output(m, nul, left < (long)sizeof(nul) ? (size_t)left : sizeof(nul));
	for (long k = 0; k < stale; k++) {
		if (k % 2 == 0)
			modem_urc(m, "+UUSORD", "%ld,16", k);
		else
			modem_urc(m, "+UUSOCL", "%ld", k);
	}
}

void modem_fault_booted(struct modem *m)
{
	if (m->fault_rt == NULL)
		return;
	m->fault_rt->lines = 0;
	m->fault_rt->hung = false; /* the boot ended any hang */
	if (faults_is_on(m->faults, FAULT_HANG) && faults_get(m->faults, FAULT_HANG, "after") == 0)
		hang_now(m);
	if (faults_is_on(m->faults, FAULT_Q21))
		boot_noise(m);
}

static void do_fault_reboot(void *data)
{
	struct modem *m = data;
	char err[64];

	m->fault_rt->reboot_timer = NULL;
	log_info("unsolicited reboot (fault reboot)");
	faults_set(m->faults, "reboot", false, NULL, err, sizeof(err)); /* one-shot */
	modem_reboot(m);
}

static void do_fault_drop(void *data)
{
	struct modem *m = data;

	m->fault_rt->drop_timer = NULL;
	log_info("network drop (quirk Q15 drop_ms)");
	netsim_set_coverage(m->net, false);
}

/* (Re)arms or cancels a timer owned by the fault's runtime state. */
static void arm(struct modem *m, struct loop_source **t, bool on, long ms, loop_timer_fn *fn)
{
	loop_remove(m->loop, *t);
	*t = NULL;
	if (on)
		*t = loop_add_timer(m->loop, (uint64_t)ms, fn, m);
}

static void handle_change(void *data, enum fault_id id, bool on)
{
	struct modem *m = data;
	struct modem_fault_rt *rt = m->fault_rt;

	log_info("fault %s %s", faults_table(NULL)[id].name, on ? "on" : "off");
	switch (id) {
	case FAULT_REBOOT:
		arm(m, &rt->reboot_timer, on, faults_get(m->faults, id, "after_ms"),
		    do_fault_reboot);
		break;
	case FAULT_Q15: {
		long ms = faults_get(m->faults, id, "drop_ms");

		arm(m, &rt->drop_timer, on && ms > 0, ms, do_fault_drop);
		break;
	}
	case FAULT_Q12:
		at_engine_set_urc_early(m->at, on);
		if (m->console_at != NULL)
			at_engine_set_urc_early(m->console_at, on);
		break;
	case FAULT_HANG:
		rt->lines = 0;
		if (!on)
			unhang(m);
		else if (faults_get(m->faults, id, "after") == 0)
			hang_now(m);
		break;
	case FAULT_CHUNKED:
		if (!on && rt->txq.len > 0 && rt->tx_timer == NULL)
			tx_next(m);
		break;
	default:
		break;
	}
	for (size_t i = 0; i < cmd_module_count(); i++)
		if (cmd_module_at(i)->fault != NULL)
			cmd_module_at(i)->fault(m, id, on);
}

int modem_fault_create(struct modem *m, char *err, size_t errlen)
{
	m->faults = faults_create(m->cfg.seed);
	m->fault_rt = calloc(1, sizeof(*m->fault_rt));
	if (m->faults == NULL || m->fault_rt == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	buf_init(&m->fault_rt->txq, 0);
	for (size_t i = 0; i < m->cfg.n_faults; i++) {
		int rc = faults_parse_cli(m->faults, m->cfg.faults[i], err, errlen);

		if (rc < 0)
			return rc;
	}
	return 0;
}

void modem_fault_start(struct modem *m)
{
	for (size_t i = 0; i < FAULT_COUNT; i++)
		if (faults_is_on(m->faults, (enum fault_id)i))
			handle_change(m, (enum fault_id)i, true);
	faults_set_hook(m->faults, handle_change, m);
	modem_fault_booted(m);
}

void modem_fault_destroy(struct modem *m)
{
	struct modem_fault_rt *rt = m->fault_rt;

	if (rt != NULL) {
		loop_remove(m->loop, rt->tx_timer);
		loop_remove(m->loop, rt->reboot_timer);
		loop_remove(m->loop, rt->drop_timer);
		buf_finish(&rt->txq);
		free(rt);
	}
	m->fault_rt = NULL;
	faults_destroy(m->faults);
	m->faults = NULL;
}
