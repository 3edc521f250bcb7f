/* SPDX-License-Identifier: Apache-2.0 */
#define LOG_MODULE "modem"
#include "modem.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "at_engine.h"
#include "cmd/cmd.h"
#include "modem_fault.h"
#include "log.h"
#include "loop.h"
#include "persona.h"
#include "pty.h"
#include "rot/platform.h"

#define MAX_GROUPS   16
#define DATA_TIMEOUT 10000u
#define URC_LINE_MAX 512

static void notify(struct modem *m, enum modem_ev ev, const void *bytes, size_t len)
{
	for (size_t i = 0; i < MODEM_OBSERVERS_MAX; i++)
		if (m->obs[i].fn != NULL)
			m->obs[i].fn(m->obs[i].data, ev, bytes, len);
}

int modem_observe(struct modem *m, modem_observer_fn *fn, void *data)
{
	for (size_t i = 0; i < MODEM_OBSERVERS_MAX; i++) {
		if (m->obs[i].fn == NULL) {
			m->obs[i].fn = fn;
			m->obs[i].data = data;
			return 0;
		}
	}
	return -ENOSPC;
}

void modem_unobserve(struct modem *m, modem_observer_fn *fn, void *data)
{
	for (size_t i = 0; i < MODEM_OBSERVERS_MAX; i++)
		if (m->obs[i].fn == fn && m->obs[i].data == data)
			m->obs[i].fn = NULL;
}

void modem_state_event(struct modem *m, const char *fmt, ...)
{
	char text[128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (n > 0 && (size_t)n < sizeof(text))
		notify(m, MODEM_EV_STATE, text, (size_t)n);
}

/* The pty's traffic tap: host bytes in both directions to the observers. */
static void pty_tap(void *data, bool to_host, const uint8_t *bytes, size_t len)
{
	notify(data, to_host ? MODEM_EV_TX : MODEM_EV_RX, bytes, len);
}

int64_t modem_time(const struct modem *m)
{
	return (int64_t)time(NULL) + (int64_t)(loop_advanced_ms(m->loop) / 1000);
}

void modem_clock_advance(struct modem *m, uint32_t s)
{
	loop_advance(m->loop, (uint64_t)s * 1000);
	log_info("clock advanced by %u s", s);
	modem_state_event(m, "clock +%u", s);
}

static void pty_output(void *data, const uint8_t *bytes, size_t len)
{
	struct modem *m = data;

	modem_fault_output(m, bytes, len);
}

static void pty_input(void *data, const uint8_t *bytes, size_t len)
{
	struct modem *m = data;

	at_engine_input(m->at, bytes, len);
}

/* Backpressure (docs/at-engine.md): no new command while the host is not reading answers. */
static bool pty_busy(void *data)
{
	const struct modem *m = data;

	return pty_is_congested(m->pty) || modem_fault_congested(m);
}

static void pty_resume(void *data)
{
	struct modem *m = data;

	at_engine_resume(m->at);
}

static void console_output(void *data, const uint8_t *bytes, size_t len)
{
	struct modem *m = data;

	if (m->console_out != NULL)
		m->console_out(m->console_data, bytes, len);
}

static void handle_at_reset(void *data, bool factory)
{
	(void)factory;
	modem_profile_reset(data);
}

void modem_profile_reset(struct modem *m)
{
	m->profile = (struct modem_profile){ .amp_c = 1, .amp_d = 1, .amp_k = 3 };
	for (size_t i = 0; i < cmd_module_count(); i++)
		if (cmd_module_at(i)->reset != NULL)
			cmd_module_at(i)->reset(m, false);
}

/* Power-on values of everything the modem itself keeps (not the engine, not the network). */
static void settings_boot(struct modem *m)
{
	bool hex = m->persona->hexmode_persists && m->set.hex_mode;
	int mno = m->set.mnoprof; /* factory value or the NVM's, set before the modules load */
	int ugprf = m->set.ugprf_bitmap;

	m->set = (struct modem_settings){ .ipr = 115200, .cops_format = 0 };
	m->set.hex_mode = hex;
	m->set.mnoprof = mno; /* NVM on the real module */
	m->set.ugprf_bitmap = ugprf;
	memset(m->pdp, 0, sizeof(m->pdp));
	m->pdp[1] = (struct modem_pdp){ .defined = true, .type = "IP" };
	free(m->psd); /* all profiles empty */
	m->psd = NULL;
	m->profile = (struct modem_profile){ .amp_c = 1, .amp_d = 1, .amp_k = 3 };
}

static int engines_urc(struct modem *m, const char *line)
{
	int rc = at_engine_urc(m->at, "%s", line);

	if (m->console_at != NULL)
		at_engine_urc(m->console_at, "%s", line);
	return rc;
}

int modem_urc(struct modem *m, const char *prefix, const char *fmt, ...)
{
	char body[URC_LINE_MAX], line[URC_LINE_MAX + 32];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(body, sizeof(body), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(body))
		return -ENOSPC;
	if (prefix == NULL)
		n = snprintf(line, sizeof(line), "%s", body);
	else
		n = snprintf(line, sizeof(line), "%s%s%s", prefix, cmd_colon(m), body);
	if (n < 0 || (size_t)n >= sizeof(line))
		return -ENOSPC;
	if (m->powered_off || m->rebooting || modem_fault_drop_urc(m, line))
		return 0;
	notify(m, MODEM_EV_URC, line, (size_t)n);
	return engines_urc(m, line);
}

static void handle_net_event(void *data, enum netsim_event ev, int arg, bool by_network)
{
	static const char *const names[] = { "reg", "attach", "detach", "pdp_up", "pdp_down" };
	struct modem *m = data;

	for (size_t i = 0; i < cmd_module_count(); i++)
		if (cmd_module_at(i)->net_event != NULL)
			cmd_module_at(i)->net_event(m, ev, arg, by_network);
	if (ev == NETSIM_EV_ATTACH || ev == NETSIM_EV_DETACH)
		modem_state_event(m, "%s", names[ev]);
	else if ((unsigned)ev < ARRAY_LEN(names))
		modem_state_event(m, "%s %d", names[ev], arg);
}

/* The module answers again: the groups' boot hooks may send their start-up text (+CSGT). */
static void modules_boot(struct modem *m)
{
	for (size_t i = 0; i < cmd_module_count(); i++)
		if (cmd_module_at(i)->boot != NULL)
			cmd_module_at(i)->boot(m);
}

static void handle_boot_done(void *data)
{
	struct modem *m = data;

	m->boot_timer = NULL;
	m->rebooting = false;
	at_engine_set_silent(m->at, false);
	log_info("reboot complete");
	modem_fault_booted(m);
	modules_boot(m);
	modem_state_event(m, "ready");
}

static void do_reboot(void *data)
{
	struct modem *m = data;

	m->boot_timer = NULL;
	m->rebooting = true;
	m->powered_off = false;
	at_engine_reset(m->at); /* silent since modem_reboot() until handle_boot_done() */
	settings_boot(m);
	for (size_t i = 0; i < cmd_module_count(); i++)
		if (cmd_module_at(i)->reset != NULL)
			cmd_module_at(i)->reset(m, true);
	netsim_reset(m->net);
	m->boot_timer = loop_add_timer(m->loop, MODEM_REBOOT_MS, handle_boot_done, m);
	modem_state_event(m, "reboot");
}

void modem_reboot(struct modem *m)
{
	log_info("silent reset");
	/*
	 * Silent from right after the current final result: host bytes that the pty callback
	 * reads before the reset timer runs must not be answered by the old state.
	 */
	at_engine_set_silent(m->at, true);
	loop_remove(m->loop, m->boot_timer);
	m->boot_timer = loop_add_timer(m->loop, 0, do_reboot, m);
}

static void do_power_off(void *data)
{
	struct modem *m = data;

	m->boot_timer = NULL;
	m->powered_off = true; /* silent since modem_power_off() */
	log_info("powered off: silent until :reboot");
	modem_state_event(m, "power off");
}

void modem_power_off(struct modem *m)
{
	at_engine_set_silent(m->at, true); /* after this line's OK, as in modem_reboot */
	loop_remove(m->loop, m->boot_timer);
	m->boot_timer = loop_add_timer(m->loop, 0, do_power_off, m);
}

/* --model / --device rules (docs/ukms-sim.1, DEVICE SELECTION). */
static int pick_identity(struct modem *m, char *err, size_t errlen)
{
	const char *model = m->cfg.model != NULL ? m->cfg.model : PERSONA_DEFAULT;
	int rc;

	if (m->cfg.device == NULL) {
		m->persona = persona_find(model);
		m->device = platform_find_model(m->platform, model);
		if (m->device == NULL) {
			snprintf(err, errlen, "no device of model %s in the platform", model);
			return -ENOENT;
		}
		return 0;
	}
	m->device_sel = calloc(1, sizeof(*m->device_sel));
	if (m->device_sel == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	rc = platform_select(m->platform, m->cfg.device, m->device_sel, err, errlen);
	if (rc < 0)
		return rc;
	m->device = m->device_sel;
	if (m->cfg.model != NULL && strcasecmp(m->device->model, m->cfg.model) != 0) {
		snprintf(err, errlen, "device %s is a %s, not a %s", m->cfg.device,
			 m->device->model, m->cfg.model);
		return -EINVAL;
	}
	m->persona = persona_find(m->device->model);
	if (m->persona == NULL) {
		snprintf(err, errlen, "device %s has an unsupported model %s", m->cfg.device,
			 m->device->model);
		return -EINVAL;
	}
	return 0;
}

static struct at_engine *engine_create(struct modem *m, at_output_fn *out, void *out_data,
				       at_busy_fn *busy, at_final_fn *on_final)
{
	struct at_cmd_group groups[MAX_GROUPS];
	struct at_engine_config ec = {
		.loop = m->loop,
		.output = out,
		.output_data = out_data,
		.output_busy = busy,
		.ctx = m,
		.groups = groups,
		.n_groups = cmd_groups(groups, ARRAY_LEN(groups)),
		.cme_texts = cmd_cme_texts,
		.n_cme_texts = cmd_cme_text_count,
		.on_reset = handle_at_reset,
		.data_timeout_ms = DATA_TIMEOUT,
		.on_final = on_final,
	};

	return at_engine_create(&ec);
}

static int init_modules(struct modem *m, char *err, size_t errlen)
{
	for (size_t i = 0; i < cmd_module_count(); i++) {
		const struct cmd_module *mod = cmd_module_at(i);
		int rc = mod->init != NULL ? mod->init(m) : 0;

		if (rc < 0) {
			snprintf(err, errlen, "command group %s: %s", mod->name, strerror(-rc));
			return rc;
		}
	}
	return 0;
}

static int create_parts(struct modem *m, char *err, size_t errlen)
{
	struct netsim_config nc = { .loop = m->loop,
				    .reg_delay_ms = m->cfg.reg_delay_ms,
				    .rrc_idle_ms = m->cfg.rrc_idle_ms,
				    .on_event = handle_net_event,
				    .event_data = m,
				    .apns = m->cfg.apns };
	struct pty_config pc = {
		.loop = m->loop,
		.link = m->cfg.link,
		.input = pty_input,
		.input_data = m,
		.resume = pty_resume,
	};

	if (modem_fault_create(m, err, errlen) < 0)
		return -EINVAL;
	m->net = netsim_create(&nc);
	if (m->net == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	m->at = engine_create(m, pty_output, m, pty_busy, modem_fault_final);
	if (m->at == NULL) {
		snprintf(err, errlen, "cannot create the AT engine (duplicate command?)");
		return -EINVAL;
	}
	m->pty = pty_open(&pc);
	if (m->pty == NULL) {
		snprintf(err, errlen, "cannot create the pseudo-terminal%s%s",
			 m->cfg.link != NULL ? " or link " : "",
			 m->cfg.link != NULL ? m->cfg.link : "");
		return -EIO;
	}
	pty_set_trace(m->pty, pty_tap, m);
	return init_modules(m, err, errlen);
}

struct modem_parked {
	struct modem_parked *next;
	struct at_engine *e;
	void *data;
};

#define PARKED_CHECK_MS 500

/* Frees the released channels that are idle (all of them when all is set). */
static void reap_parked(struct modem *m, bool all)
{
	struct modem_parked **pp = &m->parked;

	while (*pp != NULL) {
		struct modem_parked *p = *pp;

		if (!all && !at_engine_is_idle(p->e)) {
			pp = &p->next;
			continue;
		}
		*pp = p->next;
		at_engine_destroy(p->e);
		free(p->data);
		free(p);
	}
}

static void handle_parked_timer(void *data)
{
	struct modem *m = data;

	m->parked_timer = NULL;
	reap_parked(m, false);
	if (m->parked != NULL)
		m->parked_timer = loop_add_timer(m->loop, PARKED_CHECK_MS, handle_parked_timer, m);
}

void modem_channel_release(struct modem *m, struct at_engine *e, void *data)
{
	struct modem_parked *p = NULL;

	if (e != NULL && !at_engine_is_idle(e))
		p = calloc(1, sizeof(*p));
	if (p == NULL) { /* idle (or out of memory: nothing better to do) */
		at_engine_destroy(e);
		free(data);
		return;
	}
	*p = (struct modem_parked){ .next = m->parked, .e = e, .data = data };
	m->parked = p;
	if (m->parked_timer == NULL)
		m->parked_timer = loop_add_timer(m->loop, PARKED_CHECK_MS, handle_parked_timer, m);
}

struct modem *modem_create_on(struct loop *loop, const struct modem_config *cfg,
			      const struct platform *p, char *err, size_t errlen)
{
	struct modem *m = calloc(1, sizeof(*m));

	if (m == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	m->cfg = *cfg;
	m->loop = loop;
	m->set.mnoprof = MODEM_MNOPROF_FACTORY; /* the security module's NVM load may replace it */
	if (p == NULL)
		p = m->platform_own = platform_open(cfg->platform_path, err, errlen);
	m->platform = p;
	if (p == NULL || pick_identity(m, err, errlen) < 0 || create_parts(m, err, errlen) < 0) {
		modem_destroy(m);
		return NULL;
	}
	settings_boot(m);
	netsim_reset(m->net);
	log_info("%s (%s %s), device %s, IMEI %s", m->persona->model, m->persona->family,
		 m->persona->fw_gen, m->device->uid_hex, m->device->imei);
	modem_fault_start(m); /* boot noise (Q21) before the groups' start-up text */
	modules_boot(m);
	return m;
}

struct modem *modem_create(struct loop *loop, const struct modem_config *cfg, char *err,
			   size_t errlen)
{
	return modem_create_on(loop, cfg, NULL, err, errlen);
}

void modem_destroy(struct modem *m)
{
	if (m == NULL)
		return;
	for (size_t i = cmd_module_count(); i-- > 0;)
		if (cmd_module_at(i)->finish != NULL)
			cmd_module_at(i)->finish(
				m); /* pending requests of parked channels end here */
	loop_remove(m->loop, m->parked_timer);
	reap_parked(m, true);
	loop_remove(m->loop, m->boot_timer);
	at_engine_destroy(m->console_at);
	at_engine_destroy(m->at);
	pty_close(m->pty);
	netsim_destroy(m->net);
	platform_destroy(m->platform_own);
	modem_fault_destroy(m);
	free(m->psd);
	free(m->device_sel);
	free(m);
}

struct at_engine *modem_channel_create(struct modem *m, modem_text_fn *fn, void *data)
{
	static const uint8_t echo_off[] = "ATE0\r";
	struct at_engine *e = engine_create(m, fn, data, NULL, NULL);

	if (e != NULL)
		at_engine_input(e, echo_off, sizeof(echo_off) - 1);
	return e;
}

int modem_attach_console(struct modem *m, modem_text_fn *fn, void *data)
{
	m->console_out = NULL; /* the channel's ATE0 answers OK: not shown */
	m->console_at = modem_channel_create(m, console_output, m);
	if (m->console_at == NULL)
		return -ENOMEM;
	m->console_out = fn;
	m->console_data = data;
	return 0;
}

void modem_detach_console(struct modem *m)
{
	at_engine_destroy(m->console_at);
	m->console_at = NULL;
	m->console_out = NULL;
	m->console_data = NULL;
}

void modem_console_input(struct modem *m, const char *line)
{
	static const uint8_t cr = '\r';

	if (m->console_at == NULL)
		return;
	at_engine_input(m->console_at, (const uint8_t *)line, strlen(line));
	at_engine_input(m->console_at, &cr, 1);
}
