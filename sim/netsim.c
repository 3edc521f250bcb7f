/* SPDX-License-Identifier: Apache-2.0 */
#define LOG_MODULE "netsim"
#include "netsim.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "loop.h"

#define HOST_FIRST 2
#define HOST_LAST  254

#define RRC_IDLE_DEFAULT_MS 10000u

struct pdp {
	bool active;
	unsigned host;                /* last octet of 10.64.0.x */
	char apn[NETSIM_APN_MAX + 1]; /* requested APN, "" = network default */
	struct netsim_counters cnt;
};

struct netsim {
	struct loop *loop;
	uint32_t reg_delay_ms;
	uint32_t rrc_idle_ms;
	netsim_event_fn *on_event;
	void *event_data;
	bool rrc;
	struct loop_source *rrc_timer;
	int fun;
	int cops;
	bool ps_wanted;
	bool coverage;
	bool denied;             /* network side: registration rejected */
	bool roaming;            /* network side: a visited network */
	bool usable;             /* the UE's RATs/bands include the cell */
	struct netsim_cell cell; /* the serving cell; its signal can be changed */
	bool attached;
	enum netsim_reg reg;
	struct loop_source *timer;
	struct pdp pdp[NETSIM_CID_MAX + 1];
	unsigned next_host;
	char *apns;                           /* served APNs, comma-separated */
	char default_apn[NETSIM_APN_MAX + 1]; /* the first of them */
	int esm_cause;
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

static void handle_rrc_idle(void *data)
{
	struct netsim *n = data;

	n->rrc_timer = NULL;
	n->rrc = false;
	emit(n, NETSIM_EV_RRC, 0, true);
}

static void rrc_release(struct netsim *n, bool by_network)
{
	loop_remove(n->loop, n->rrc_timer);
	n->rrc_timer = NULL;
	if (!n->rrc)
		return;
	n->rrc = false;
	emit(n, NETSIM_EV_RRC, 0, by_network);
}

static void rrc_activity(struct netsim *n)
{
	loop_remove(n->loop, n->rrc_timer);
	n->rrc_timer = loop_add_timer(n->loop, n->rrc_idle_ms, handle_rrc_idle, n);
	if (n->rrc_timer == NULL)
		log_error("cannot arm the RRC inactivity timer");
	if (n->rrc)
		return;
	n->rrc = true;
	emit(n, NETSIM_EV_RRC, 1, true);
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
	n->pdp[cid].cnt.sess_sent = n->pdp[cid].cnt.sess_recv = 0;
	n->pdp[cid].host = n->next_host;
	n->next_host = n->next_host >= HOST_LAST ? HOST_FIRST : n->next_host + 1;
	emit(n, NETSIM_EV_PDP_UP, cid, by_network);
}

/* Drops every context and the attachment; reg becomes the given state. */
static void lose_service(struct netsim *n, enum netsim_reg reg, bool by_network)
{
	cancel_timer(n);
	rrc_release(n, by_network);
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
	rrc_activity(n); /* attach signalling */
	emit(n, NETSIM_EV_ATTACH, 0, false);
	/* default EPS bearer, set up by the network with cid 1's APN */
	if (netsim_apn_is_served(n, n->pdp[1].apn)) {
		pdp_up(n, 1, true);
	} else {
		n->esm_cause = NETSIM_ESM_UNKNOWN_APN;
		log_warn("default bearer refused: APN \"%s\" not served (ESM cause 27)",
			 n->pdp[1].apn);
	}
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
	if (!n->coverage || !n->usable || n->denied) {
		lose_service(n, n->coverage && n->usable ? NETSIM_REG_DENIED : NETSIM_REG_SEARCHING,
			     by_network);
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

/* The cell every netsim starts with (docs/at-commands.md: +UCGED, +CESQ). */
static const struct netsim_cell default_cell = {
	.mcc = "001",
	.mnc = "01",
	.tac = 0x0001,
	.ci = 0x01A2D001,
	.earfcn = 2525,
	.band = 5,
	.bw_mhz = 10,
	.pci = 101,
	.act = 7,
	.rssi_dbm = -69,
	.rsrp_dbm = -96,
	.rsrq_db = -10,
	.sinr_db = 13,
};

struct netsim *netsim_create(const struct netsim_config *cfg)
{
	struct netsim *n = calloc(1, sizeof(*n));

	if (n == NULL)
		return NULL;
	n->loop = cfg->loop;
	n->reg_delay_ms = cfg->reg_delay_ms;
	n->rrc_idle_ms = cfg->rrc_idle_ms != 0 ? cfg->rrc_idle_ms : RRC_IDLE_DEFAULT_MS;
	n->on_event = cfg->on_event;
	n->event_data = cfg->event_data;
	n->fun = 1;
	n->coverage = true;
	n->usable = true;
	n->cell = default_cell;
	n->next_host = HOST_FIRST;
	n->apns = strdup(cfg->apns != NULL ? cfg->apns : NETSIM_APNS_DEFAULT);
	if (n->apns == NULL || netsim_apn_list_check(n->apns) < 0) {
		log_error("bad APN list");
		netsim_destroy(n);
		return NULL;
	}
	memcpy(n->default_apn, n->apns, strcspn(n->apns, ","));
	return n;
}

void netsim_destroy(struct netsim *n)
{
	if (n == NULL)
		return;
	cancel_timer(n);
	free(n->apns);
	loop_remove(n->loop, n->rrc_timer);
	free(n);
}

void netsim_reset(struct netsim *n)
{
	cancel_timer(n);
	loop_remove(n->loop, n->rrc_timer);
	n->rrc_timer = NULL;
	n->rrc = false;
	n->fun = n->fun == 4 ? 4 : 1;
	n->cops = 0;
	n->ps_wanted = true;
	n->coverage = true;
	n->attached = false;
	n->reg = NETSIM_REG_NONE;
	n->esm_cause = 0;
	for (int cid = 0; cid <= NETSIM_CID_MAX; cid++) {
		n->pdp[cid].active = false;
		n->pdp[cid].apn[0] = '\0';
	}
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

void netsim_set_usable(struct netsim *n, bool on)
{
	n->usable = on;
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
	n->cell.rssi_dbm += rsrp_dbm - n->cell.rsrp_dbm; /* RSSI follows RSRP */
	n->cell.rsrp_dbm = rsrp_dbm;
	n->cell.rsrq_db = rsrq_db;
	return 0;
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
	if (!n->pdp[cid].active && !netsim_apn_is_served(n, n->pdp[cid].apn)) {
		n->esm_cause = NETSIM_ESM_UNKNOWN_APN;
		log_info("cid %d: APN \"%s\" not served (ESM cause 27)", cid, n->pdp[cid].apn);
		return -EDESTADDRREQ;
	}
	pdp_up(n, cid, false);
	return 0;
}

int netsim_pdp_define(struct netsim *n, int cid, const char *apn)
{
	size_t len = apn != NULL ? strlen(apn) : 0;

	if (cid < 1 || cid > NETSIM_CID_MAX)
		return -EINVAL;
	if (len > NETSIM_APN_MAX)
		return -ENAMETOOLONG;
	memcpy(n->pdp[cid].apn, len > 0 ? apn : "", len + 1);
	return 0;
}

/* Calls fn for each name of a comma-separated list until it returns true. */
static bool list_any(const char *list, bool (*fn)(const char *name, size_t len, const void *arg),
		     const void *arg)
{
	const char *p = list;

	for (;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma != NULL ? (size_t)(comma - p) : strlen(p);

		if (fn(p, len, arg))
			return true;
		if (comma == NULL)
			return false;
		p = comma + 1;
	}
}

static bool name_bad(const char *name, size_t len, const void *arg)
{
	size_t *count = (size_t *)(uintptr_t)arg;

	if (++*count > NETSIM_APNS_MAX || len == 0 || len > NETSIM_APN_MAX)
		return true;
	for (size_t i = 0; i < len; i++)
		if (name[i] <= ' ' || name[i] > '~' || name[i] == '"')
			return true;
	return false;
}

int netsim_apn_list_check(const char *list)
{
	size_t count = 0;

	if (list == NULL || list_any(list, name_bad, &count))
		return -EINVAL;
	return 0;
}

static bool name_is(const char *name, size_t len, const void *arg)
{
	const char *apn = arg;

	return strlen(apn) == len && strncasecmp(name, apn, len) == 0;
}

bool netsim_apn_is_served(const struct netsim *n, const char *apn)
{
	return apn == NULL || apn[0] == '\0' || list_any(n->apns, name_is, apn);
}

const char *netsim_default_apn(const struct netsim *n)
{
	return n->default_apn;
}

int netsim_esm_cause(const struct netsim *n)
{
	return n->esm_cause;
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

void netsim_traffic(struct netsim *n, size_t sent, size_t received)
{
	int cid = 1;

	while (cid <= NETSIM_CID_MAX && !n->pdp[cid].active)
		cid++;
	if (cid > NETSIM_CID_MAX || (sent == 0 && received == 0))
		return;
	n->pdp[cid].cnt.sess_sent += sent;
	n->pdp[cid].cnt.total_sent += sent;
	n->pdp[cid].cnt.sess_recv += received;
	n->pdp[cid].cnt.total_recv += received;
	rrc_activity(n);
}

bool netsim_rrc_connected(const struct netsim *n)
{
	return n->rrc;
}

int netsim_counters(const struct netsim *n, int cid, struct netsim_counters *out)
{
	if (cid < 1 || cid > NETSIM_CID_MAX)
		return -EINVAL;
	*out = n->pdp[cid].cnt;
	return 0;
}

int netsim_set_totals(struct netsim *n, int cid, uint64_t sent, uint64_t received)
{
	if (cid < 1 || cid > NETSIM_CID_MAX)
		return -EINVAL;
	n->pdp[cid].cnt = (struct netsim_counters){ .total_sent = sent, .total_recv = received };
	return 0;
}

const struct netsim_cell *netsim_cell(const struct netsim *n)
{
	return &n->cell;
}

int netsim_cell_csq(const struct netsim_cell *c)
{
	int v = (c->rssi_dbm + 113) / 2;

	return v < 0 ? 0 : v > 31 ? 31 : v;
}

int netsim_cell_rsrp_index(const struct netsim_cell *c)
{
	int v = c->rsrp_dbm + 141;

	return v < 0 ? 0 : v > 97 ? 97 : v;
}

int netsim_cell_rsrq_index(const struct netsim_cell *c)
{
	int v = 2 * c->rsrq_db + 40;

	return v < 0 ? 0 : v > 34 ? 34 : v;
}
