/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Simulated cellular network: functionality level, registration, PS attach and PDP contexts.
 * No AT text here: state changes are reported through one event callback, and sim/cmd turns
 * them into +CREG/+CGREG/+CEREG/+CGEV/+UUPSDD URCs.
 *
 * Model: service is wanted when fun == 1, the operator mode is not 2 (deregistered) and PS
 * attach is wanted (CGATT=0 withdraws it). When wanted and the network is in coverage the
 * state goes to SEARCHING at once and to HOME after reg_delay_ms; on registration the UE
 * attaches and the default EPS bearer (cid 1) is activated, as on LTE. Losing service
 * (CFUN=0/4/19, COPS=2, CGATT=0, coverage loss) deactivates every context and detaches.
 * Events raised while a command runs are delivered synchronously, so their URCs follow the
 * command's final result.
 */
#ifndef SIM_NETSIM_H
#define SIM_NETSIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct loop;
struct netsim;

#define NETSIM_CID_MAX 8 /* cids 1..8 */
#define NETSIM_APN_MAX 99
/* APNs the network serves unless configured (--apn): ubxlib's APN for test IMSIs 00101... */
#define NETSIM_APNS_DEFAULT "internet"
#define NETSIM_APNS_MAX     16
/* 3GPP 24.301 ESM cause of a PDN connectivity reject for an APN the network does not serve. */
#define NETSIM_ESM_UNKNOWN_APN 27

/* 3GPP 27.007 <stat> values. */
enum netsim_reg {
	NETSIM_REG_NONE = 0,
	NETSIM_REG_HOME = 1,
	NETSIM_REG_SEARCHING = 2,
	NETSIM_REG_DENIED = 3,
	NETSIM_REG_UNKNOWN = 4,
	NETSIM_REG_ROAMING = 5,
};

enum netsim_event {
	NETSIM_EV_REG,      /* registration state changed; arg = new enum netsim_reg */
	NETSIM_EV_ATTACH,   /* PS attached */
	NETSIM_EV_DETACH,   /* PS detached */
	NETSIM_EV_PDP_UP,   /* context arg activated */
	NETSIM_EV_PDP_DOWN, /* context arg deactivated */
	NETSIM_EV_RRC,      /* RRC connection: arg 1 connected, 0 released to idle */
};

/*
 * by_network: the network caused it (coverage loss, default bearer set up at attach), not a
 * host command.
 */
typedef void netsim_event_fn(void *data, enum netsim_event ev, int arg, bool by_network);

struct netsim_config {
	struct loop *loop;
	uint32_t reg_delay_ms;
	uint32_t rrc_idle_ms; /* inactivity before the network releases RRC; 0: 10000 */
	netsim_event_fn *on_event;
	void *event_data;
	/* APNs the network serves, comma-separated (copied); NULL: NETSIM_APNS_DEFAULT. */
	const char *apns;
};

/*
 * Checks an APN list for netsim_config.apns: 1..NETSIM_APNS_MAX comma-separated names of
 * 1..NETSIM_APN_MAX printable characters without spaces or quotes. Returns 0 or -EINVAL.
 */
int netsim_apn_list_check(const char *list);

struct netsim *netsim_create(const struct netsim_config *cfg);
void netsim_destroy(struct netsim *n); /* NULL-safe */

/*
 * Power-on state: fun 1 (or 4 if it was 4 before: airplane mode persists), automatic operator
 * selection, in coverage, nothing active; then starts searching. No events for the reset
 * itself, only for the search that follows.
 */
void netsim_reset(struct netsim *n);

/* fun: 0, 1, 4 or 19 (reboot values are handled by the modem). Returns 0 or -EINVAL. */
int netsim_set_fun(struct netsim *n, int fun);
int netsim_fun(const struct netsim *n);
/* Operator selection mode 0 (automatic), 1 (manual), 2 (deregister). Returns 0 or -EINVAL. */
int netsim_set_cops(struct netsim *n, int mode);
int netsim_cops(const struct netsim *n);
/* CGATT. Attaching needs fun 1 (-EPERM otherwise); it completes with the registration. */
int netsim_set_attach(struct netsim *n, bool on);
bool netsim_is_attached(const struct netsim *n);
enum netsim_reg netsim_reg(const struct netsim *n);
bool netsim_is_registered(const struct netsim *n);

/* Network side (control op `network`, console :network): coverage loss and recovery. */
void netsim_set_coverage(struct netsim *n, bool on);
bool netsim_has_coverage(const struct netsim *n);
/* Network side: registration rejected (reg DENIED, service lost) until cleared. */
void netsim_set_denied(struct netsim *n, bool on);
bool netsim_is_denied(const struct netsim *n);
/* Network side: registered on a visited network (reg ROAMING instead of HOME). */
void netsim_set_roaming(struct netsim *n, bool on);
bool netsim_is_roaming(const struct netsim *n);
/*
 * Network side: the serving cell's radio conditions (netsim_cell, so +CSQ, +CESQ and +UCGED
 * report them): RSRP -141..-44 dBm, RSRQ -20..-3 dB, RSSI moves with RSRP. 0 or -EINVAL.
 */
int netsim_set_signal(struct netsim *n, int rsrp_dbm, int rsrq_db);
/*
 * Module side: whether the UE's configured RATs and bands (+URAT, +UBANDMASK, applied at boot)
 * include the cell. When not, the UE searches and never registers. Kept over netsim_reset().
 */
void netsim_set_usable(struct netsim *n, bool on);

/*
 * CGACT for one context. Activation needs attachment (-ENETDOWN) and a cid in 1..8 (-EINVAL);
 * the context's APN must be one the network serves, or empty (the network's default APN):
 * otherwise -EDESTADDRREQ and the ESM cause becomes NETSIM_ESM_UNKNOWN_APN. It assigns an
 * address 10.64.0.<h>. Idempotent.
 */
int netsim_pdp_set(struct netsim *n, int cid, bool on);
/*
 * +CGDCONT: the APN a context asks for ("" or NULL: the network's default). Applies to the
 * next activation (also the default bearer at attach, cid 1). Reset by netsim_reset.
 * Returns 0, -EINVAL (cid) or -ENAMETOOLONG.
 */
int netsim_pdp_define(struct netsim *n, int cid, const char *apn);
/* The APN the network gives a context that asked for none: the first served APN. */
const char *netsim_default_apn(const struct netsim *n);
/* Case-insensitive (3GPP 23.003 9.1): is apn one of the served APNs? "" is always served. */
bool netsim_apn_is_served(const struct netsim *n, const char *apn);
/* 3GPP ESM cause of the last failed activation (+CEER), 0 when none failed since power-on. */
int netsim_esm_cause(const struct netsim *n);
bool netsim_pdp_is_active(const struct netsim *n, int cid);
/* Dotted address of an active context into out (>= 16 bytes). Returns 0 or -ENOENT. */
int netsim_pdp_addr(const struct netsim *n, int cid, char *out, size_t cap);

/*
 * RRC and traffic. Registration (attach signalling) and every netsim_traffic() call put the
 * RRC connection up (NETSIM_EV_RRC 1) and re-arm the inactivity timer; rrc_idle_ms after the
 * last traffic the network releases it (NETSIM_EV_RRC 0). Losing service releases it at once.
 * Traffic is counted on the lowest active context (the default bearer, cid 1 after attach);
 * with no active context it is ignored. Session counters restart when a context is
 * activated or netsim_set_totals(); totals run until netsim_set_totals() (they survive
 * netsim_reset()).
 */
struct netsim_counters {
	uint64_t sess_sent, sess_recv, total_sent, total_recv;
};

void netsim_traffic(struct netsim *n, size_t sent, size_t received);
bool netsim_rrc_connected(const struct netsim *n);
/* Counters of cid 1..8 into out. Returns 0 or -EINVAL. */
int netsim_counters(const struct netsim *n, int cid, struct netsim_counters *out);
/*
 * +UGCNTSET: sets the totals of cid and restarts its session counters at 0 (ubxlib resets its
 * "bytes since the connection was made" with AT+UGCNTSET=<cid>,0,0). Returns 0 or -EINVAL.
 */
int netsim_set_totals(struct netsim *n, int cid, uint64_t sent, uint64_t received);

/*
 * The one serving cell (LTE Cat-M1, E-UTRA band 5: in every persona's bands), fixed. Every command
 * that shows radio values derives them from here: +CSQ, +CESQ, +CEREG/+CGREG/+CREG location, +COPS,
 * +UCGED.
 */
struct netsim_cell {
	const char *mcc, *mnc; /* "001", "01": PLMN 00101 */
	unsigned tac;          /* 0x0001 */
	uint32_t ci;           /* 28-bit E-UTRAN cell identity, 0x01A2D001 */
	unsigned earfcn;       /* 2525: band 5 (850 MHz), as in ubxlib's +UCGED example */
	unsigned band;         /* 5 */
	unsigned bw_mhz;       /* 10 MHz carrier (50 resource blocks) */
	unsigned pci;          /* physical cell id 0..503 */
	int act;               /* 27.007 <AcT>: 7 = E-UTRAN (Cat-M1) */
	int rssi_dbm;          /* -69 dBm: +CSQ 22 */
	int rsrp_dbm;          /* -96 dBm: +CESQ <rsrp> 45 (36.133: 0 is < -140 dBm) */
	int rsrq_db;           /* -10 dB: +CESQ <rsrq> 20 (36.133: 0 is < -19.5 dB) */
	int sinr_db;           /* 13 dB */
};

const struct netsim_cell *netsim_cell(const struct netsim *n);
/* 27.007 encodings of the cell's measurements (+CSQ <rssi>, +CESQ <rsrp>/<rsrq>). */
int netsim_cell_csq(const struct netsim_cell *c);
int netsim_cell_rsrp_index(const struct netsim_cell *c);
int netsim_cell_rsrq_index(const struct netsim_cell *c);

#endif /* SIM_NETSIM_H */
