/* SPDX-License-Identifier: Apache-2.0 */
#define LOG_MODULE "netsim"
#include "netsim.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "log.h"
#include "loop.h"

#define HOST_FIRST 2
#define HOST_LAST  254

struct pdp {
	bool active;
	unsigned host; /* last octet of 10.64.0.x */
};

struct netsim {
	struct loop *loop;
	uint32_t reg_delay_ms;
	netsim_event_fn *on_event;
	void *event_data;
	int fun;
	int cops;
	bool ps_wanted;
	bool coverage;
	bool denied;
	bool roaming;
	int rsrp, rsrq;
	bool attached;
	enum netsim_reg reg;
	struct loop_source *timer;
	struct pdp pdp[NETSIM_CID_MAX + 1];
	unsigned next_host;
};

static void emit(struct netsim *n, enum netsim_event ev, int arg, bool by_network)
{
	log_debug("event %d arg %d%s", (int)ev, arg, by_network ? " (network)" : "");
	if (n->on_event != NULL)
		n->on_event(n->event_data, ev, arg, by_network);
}

static void set_reg(struct netsim *n, enum netsim_reg reg, bool by_network)
{
	if (n->reg == reg)
		return;
	n->reg = reg;
	emit(n, NETSIM_EV_REG, (int)reg, by_network);
}

static void cancel_timer(struct netsim *n)
{
	loop_remove(n->loop, n->timer);
	n->timer = NULL;
}

static void pdp_down(struct netsim *n, int cid, bool by_network)
{
	if (!n->pdp[cid].active)
		return;
	n->pdp[cid].active = false;
	emit(n, NETSIM_EV_PDP_DOWN, cid, by_network);
}

static void pdp_up(struct netsim *n, int cid, bool by_network)
{
	if (n->pdp[cid].active)
		return;
	n->pdp[cid].active = true;
	n->pdp[cid].host = n->next_host;
	n->next_host = n->next_host >= HOST_LAST ? HOST_FIRST : n->next_host + 1;
	emit(n, NETSIM_EV_PDP_UP, cid, by_network);
}

/* Drops every context and the attachment; reg becomes the given state. */
static void lose_service(struct netsim *n, enum netsim_reg reg, bool by_network)
{
	cancel_timer(n);
	for (int cid = 1; cid <= NETSIM_CID_MAX; cid++)
		pdp_down(n, cid, by_network);
	if (n->attached) {
		n->attached = false;
		emit(n, NETSIM_EV_DETACH, 0, by_network);
	}
	set_reg(n, reg, by_network);
}

static void handle_registered(void *data)
{
	struct netsim *n = data;

	n->timer = NULL;
	set_reg(n, n->roaming ? NETSIM_REG_ROAMING : NETSIM_REG_HOME, false);
	n->attached = true;
	emit(n, NETSIM_EV_ATTACH, 0, false);
	pdp_up(n, 1, true); /* default EPS bearer, set up by the network */
}

static bool service_wanted(const struct netsim *n)
{
	return n->fun == 1 && n->cops != 2 && n->ps_wanted;
}

static void update(struct netsim *n, bool by_network)
{
	if (!service_wanted(n)) {
		lose_service(n, NETSIM_REG_NONE, by_network);
		return;
	}
	if (!n->coverage || n->denied) {
		lose_service(n, n->denied ? NETSIM_REG_DENIED : NETSIM_REG_SEARCHING, by_network);
		return;
	}
	if (netsim_is_registered(n)) {
		set_reg(n, n->roaming ? NETSIM_REG_ROAMING : NETSIM_REG_HOME, by_network);
		return;
	}
	if (n->timer != NULL)
		return;
	set_reg(n, NETSIM_REG_SEARCHING, by_network);
	n->timer = loop_add_timer(n->loop, n->reg_delay_ms, handle_registered, n);
	if (n->timer == NULL)
		log_error("cannot arm the registration timer");
}

struct netsim *netsim_create(const struct netsim_config *cfg)
{
	struct netsim *n = calloc(1, sizeof(*n));

	if (n == NULL)
		return NULL;
	n->loop = cfg->loop;
	n->reg_delay_ms = cfg->reg_delay_ms;
	n->on_event = cfg->on_event;
	n->event_data = cfg->event_data;
	n->fun = 1;
	n->coverage = true;
	n->rsrp = NETSIM_RSRP_DEFAULT;
	n->rsrq = NETSIM_RSRQ_DEFAULT;
	n->next_host = HOST_FIRST;
	return n;
}

void netsim_destroy(struct netsim *n)
{
	if (n == NULL)
		return;
	cancel_timer(n);
	free(n);
}

void netsim_reset(struct netsim *n)
{
	cancel_timer(n);
	n->fun = n->fun == 4 ? 4 : 1;
	n->cops = 0;
	n->ps_wanted = true;
	n->coverage = true;
	n->attached = false;
	n->reg = NETSIM_REG_NONE;
	for (int cid = 0; cid <= NETSIM_CID_MAX; cid++)
		n->pdp[cid].active = false;
	update(n, false);
}

int netsim_set_fun(struct netsim *n, int fun)
{
	if (fun != 0 && fun != 1 && fun != 4 && fun != 19)
		return -EINVAL;
	n->fun = fun;
	if (fun == 1)
		n->ps_wanted = true;
	update(n, false);
	return 0;
}

int netsim_fun(const struct netsim *n)
{
	return n->fun;
}

int netsim_set_cops(struct netsim *n, int mode)
{
	if (mode < 0 || mode > 2)
		return -EINVAL;
	n->cops = mode;
	if (mode != 2)
		n->ps_wanted = true;
	update(n, false);
	return 0;
}

int netsim_cops(const struct netsim *n)
{
	return n->cops;
}

int netsim_set_attach(struct netsim *n, bool on)
{
	if (on && n->fun != 1)
		return -EPERM;
	n->ps_wanted = on;
	update(n, false);
	return 0;
}

bool netsim_is_attached(const struct netsim *n)
{
	return n->attached;
}

enum netsim_reg netsim_reg(const struct netsim *n)
{
	return n->reg;
}

bool netsim_is_registered(const struct netsim *n)
{
	return n->reg == NETSIM_REG_HOME || n->reg == NETSIM_REG_ROAMING;
}

void netsim_set_coverage(struct netsim *n, bool on)
{
	n->coverage = on;
	update(n, true);
}

bool netsim_has_coverage(const struct netsim *n)
{
	return n->coverage;
}

void netsim_set_denied(struct netsim *n, bool on)
{
	n->denied = on;
	update(n, true);
}

bool netsim_is_denied(const struct netsim *n)
{
	return n->denied;
}

void netsim_set_roaming(struct netsim *n, bool on)
{
	n->roaming = on;
	update(n, true);
}

bool netsim_is_roaming(const struct netsim *n)
{
	return n->roaming;
}

int netsim_set_signal(struct netsim *n, int rsrp_dbm, int rsrq_db)
{
	if (rsrp_dbm < -141 || rsrp_dbm > -44 || rsrq_db < -20 || rsrq_db > -3)
		return -EINVAL;
	n->rsrp = rsrp_dbm;
	n->rsrq = rsrq_db;
	return 0;
}

int netsim_rsrp(const struct netsim *n)
{
	return n->rsrp;
}

int netsim_rsrq(const struct netsim *n)
{
	return n->rsrq;
}

int netsim_pdp_set(struct netsim *n, int cid, bool on)
{
	if (cid < 1 || cid > NETSIM_CID_MAX)
		return -EINVAL;
	if (!on) {
		pdp_down(n, cid, false);
		return 0;
	}
	if (!n->attached)
		return -ENETDOWN;
	pdp_up(n, cid, false);
	return 0;
}

bool netsim_pdp_is_active(const struct netsim *n, int cid)
{
	return cid >= 1 && cid <= NETSIM_CID_MAX && n->pdp[cid].active;
}

int netsim_pdp_addr(const struct netsim *n, int cid, char *out, size_t cap)
{
	int len;

	if (!netsim_pdp_is_active(n, cid))
		return -ENOENT;
	len = snprintf(out, cap, "10.64.0.%u", n->pdp[cid].host);
	return len < 0 || (size_t)len >= cap ? -ENOSPC : 0;
}
