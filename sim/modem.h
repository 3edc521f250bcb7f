/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The emulated module: one context per process, passed to every command handler through
 * at_req_ctx(). Owns the pty, the AT engine(s), the simulated network and the device identity.
 *
 * struct modem is visible to sim/ (main, console, cmd groups) on purpose: it is the context
 * struct of style.md C7. Only sim/ includes this header. Command groups keep their own state
 * behind the opaque pointers below (allocated by their cmd_module init hook, see cmd/cmd.h).
 *
 * Channels: the pty engine (m->at) and, when a console runs, a second engine (m->console_at)
 * with the same groups and the same context. Both see the same modem state; each has its own
 * echo/CMEE settings and line buffer; URCs go to both (modem_urc).
 */
#ifndef SIM_MODEM_H
#define SIM_MODEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compiler.h"
#include "config.h"
#include "netsim.h"

struct at_engine;
struct loop;
struct loop_source;
struct persona;
struct platform;
struct platform_device;
struct pty;
struct dns_job;
struct modem_parked;
struct faults;
struct modem_fault_rt;
/* State of command groups added by other work (sockets, security, RoT). */
struct sock_table;
struct secprof_store;
struct credstore;
struct cmd_sec_state;
struct cmd_sock_state;
struct cmd_radio_state;
struct cmd_sim_state;

#define MODEM_APN_MAX      99
#define MODEM_AUTH_MAX     64
#define MODEM_PSD_PROFILES 7
#define MODEM_PSD_TAGS     12
#define MODEM_PSD_VALUE    128
#define MODEM_UDCONF_MAX   16
#define MODEM_REBOOT_MS    300 /* silent time of a CFUN=15/16 reset */

/* +UMNOPROF until a host sets one (then kept in the NVM, 0 included) */
#define MODEM_MNOPROF_FACTORY 100

enum modem_reg_cmd { MODEM_CREG = 0, MODEM_CGREG, MODEM_CEREG, MODEM_REG_CMDS };

/* Settings reset by ATZ/AT&F (the engine's own E/V/Q/CMEE are reset by the engine). */
struct modem_profile {
	int amp_c, amp_d, amp_k;
};

/* Settings that live until a reboot (some beyond, see modem_reboot). */
struct modem_settings {
	long ipr;
	int upsv_mode, upsv_timeout;
	int upsmr;
	int mnoprof;
	int ugprf_bitmap, ugprf_port;
	char ugprf_server[65];
	int cgerep_mode, cgerep_bfr;
	int reg_n[MODEM_REG_CMDS];
	int cops_format;
	bool hex_mode; /* +UDCONF=1: socket data as hex (read by cmd_socket) */
	struct {
		int op;
		long value;
	} udconf[MODEM_UDCONF_MAX];
	size_t n_udconf;
	long clock_offset_s; /* +CCLK set: offset from the host clock */
	int clock_tz_q;      /* +CCLK set: time zone in quarter hours, shown on read */
};

struct modem_pdp {
	bool defined;
	char type[8];
	char apn[MODEM_APN_MAX + 1];
	int auth;
	char user[MODEM_AUTH_MAX + 1];
	char pwd[MODEM_AUTH_MAX + 1]; /* never logged, never read back */
};

struct modem_psd_tag {
	int tag;
	bool quoted;
	char value[MODEM_PSD_VALUE + 1];
};

struct modem_psd {
	struct modem_psd_tag tags[MODEM_PSD_TAGS];
	size_t n_tags;
	bool active;
};

typedef void modem_text_fn(void *data, const uint8_t *bytes, size_t len);

/*
 * What observers (console trace, control subscribers, --record) see: the host's bytes on the
 * pty (RX from the host, TX to the host), each URC when it is queued, and state changes as a
 * short text ("reg 1", "attach", "detach", "pdp_up 1", "pdp_down 1", "reboot", "ready",
 * "power off", "sealed", "unsealed", "bootstrapped", "clock +86400").
 */
enum modem_ev { MODEM_EV_RX, MODEM_EV_TX, MODEM_EV_URC, MODEM_EV_STATE };
typedef void modem_observer_fn(void *data, enum modem_ev ev, const uint8_t *bytes, size_t len);

#define MODEM_OBSERVERS_MAX 4

struct modem {
	struct modem_config cfg; /* read-only after modem_create */
	const struct persona *persona;
	struct loop *loop;
	struct pty *pty;
	struct at_engine *at;         /* pty channel */
	struct at_engine *console_at; /* console channel, NULL without console */
	modem_text_fn *console_out;   /* where console_at's output goes */
	void *console_data;
	struct netsim *net;
	const struct platform *platform;      /* read-only: platform_own, or the fleet's */
	struct platform *platform_own;        /* owned: loaded by modem_create; NULL in a fleet */
	const struct platform_device *device; /* borrowed from platform, or device_sel */
	struct platform_device *device_sel;   /* owned: the device --device selected */

	struct modem_profile profile;
	struct modem_settings set;
	struct modem_pdp pdp[NETSIM_CID_MAX + 1]; /* index = cid, 0 unused */
	/* MODEM_PSD_PROFILES profiles (10 KiB), allocated at the first +UPSD/+UPSDA: NULL is all
	 * empty, as an idle modem of a fleet keeps it (cmd_pdp.c). */
	struct modem_psd *psd;

	struct {
		modem_observer_fn *fn;
		void *data;
	} obs[MODEM_OBSERVERS_MAX];

	struct modem_parked *parked; /* released channels still finishing a command */
	struct loop_source *parked_timer;

	bool powered_off; /* after +CPWROFF: silent */
	bool rebooting;
	struct loop_source *boot_timer;
	struct dns_job *dns_jobs;
	struct faults *faults;           /* sim/fault.h: --fault, --seed, control op "fault" */
	struct modem_fault_rt *fault_rt; /* modem_fault.c: timers and queues of the faults */

	/* Extension points for later command groups; NULL until their module sets them. */
	struct sock_table *socks;
	struct secprof_store *profiles;
	struct credstore *creds; /* +USECMNG credentials (cmd_security.c) */
	struct cmd_sec_state *sec;
	struct cmd_sock_state *sock_state; /* cmd_socket.c */
	struct cmd_radio_state *radio;     /* cmd_radio.c */
	struct cmd_sim_state *sim;         /* cmd_sim.c: the SIM's EFs (+CRSM) */
};

/*
 * Builds the modem: persona and device from cfg (see docs/ukms-sim.1 for the rules), the pty,
 * the pty engine and the simulated network. Returns NULL with a message in err.
 */
struct modem *modem_create(struct loop *loop, const struct modem_config *cfg, char *err,
			   size_t errlen);
/*
 * The same on a platform loaded once for many modems (a fleet's): p is borrowed and must outlive
 * the modem; cfg->platform_path is then not read. p NULL: as modem_create.
 */
struct modem *modem_create_on(struct loop *loop, const struct modem_config *cfg,
			      const struct platform *p, char *err, size_t errlen);
void modem_destroy(struct modem *m); /* NULL-safe */

/* Adds the console channel; output of that engine goes to fn. Returns 0 or -errno. */
int modem_attach_console(struct modem *m, modem_text_fn *fn, void *data);
/* Removes the console channel. */
void modem_detach_console(struct modem *m);
/* Feeds one console line (without CR) into the console engine. */
void modem_console_input(struct modem *m, const char *line);

/*
 * Another AT channel into the same modem (control clients): an engine with the same groups and
 * context, echo off, whose output goes to fn. It gets no URCs. Free with at_engine_destroy().
 */
struct at_engine *modem_channel_create(struct modem *m, modem_text_fn *fn, void *data);
/*
 * Gives up a channel whose owner is going (or gave up waiting): freed now when idle, else
 * kept until its pending command has finished (a handler may still hold the request: a
 * +USOCO waiting for its handshake), then freed with free(data). The owner must make its
 * output function ignore what still comes for data.
 */
void modem_channel_release(struct modem *m, struct at_engine *e, void *data);

/* Adds / removes an observer (see enum modem_ev). Returns 0 or -ENOSPC. */
int modem_observe(struct modem *m, modem_observer_fn *fn, void *data);
void modem_unobserve(struct modem *m, modem_observer_fn *fn, void *data);
/* Tells the observers about a state change (text as listed at enum modem_ev). */
void modem_state_event(struct modem *m, const char *fmt, ...) ATTR_PRINTF(2, 3);

/* Module time in seconds since the epoch: host time, plus the control op `clock`'s advance. */
int64_t modem_time(const struct modem *m);
/* Control op `clock`: module time and every timer move forward by s seconds. */
void modem_clock_advance(struct modem *m, uint32_t s);

/*
 * Queues a URC "<prefix>: <body>" (colon spacing per persona) on every channel. prefix may be
 * NULL for an unprefixed line. Returns 0 or -ENOSPC.
 */
int modem_urc(struct modem *m, const char *prefix, const char *fmt, ...) ATTR_PRINTF(3, 4);

/* Silent reset (CFUN=15/16, console :reboot): after the current OK, state back to power-on. */
void modem_reboot(struct modem *m);
/* +CPWROFF: after the current OK the module goes silent until a console :reboot. */
void modem_power_off(struct modem *m);
/* ATZ / AT&F: profile settings back to defaults. */
void modem_profile_reset(struct modem *m);

/*
 * RoT-generated PSK for profile op 11 (cmd_rot.c), with the signature of secprof_psk_gen_fn but
 * a typed context. A fresh counter on every call; the pair is remembered for :psk as for
 * AT+USECPSK. id receives the identity as its 28 upper-case hex ASCII characters (what goes
 * into the ClientKeyExchange and GetPSK's KeyID); *id_len is the capacity on input (>= 28) and
 * 28 on output; psk receives len (16 or 32) bytes. Returns 0, -EOPNOTSUPP (no RoT), -EACCES
 * (not bootstrapped or provisioning off), -EPERM (not sealed), -EINVAL or -errno.
 */
int modem_rot_psk(struct modem *m, size_t len, uint8_t *id, size_t *id_len, uint8_t *psk);

#endif /* SIM_MODEM_H */
