/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Sockets of the module's internal TCP/IP stack (ublox-at.md §3): +USOCR +USOSEC +USOCO
 * +USOCL +USOER +USOCTL +USOSO +USOGO +USOLI here, the data commands in cmd_socket_data.c,
 * and the socket events turned into +UUSORD +UUSORF +UUSOCL +UUSOCO +UUSOLI.
 *
 * All networking is sim/net's (sock.h); this file only maps AT arguments to calls, -errno to
 * +CME (cmd_fail, the one mapping in cme.c) and events to URCs. A synchronous +USOCO returns
 * AT_RC_PENDING and completes when the TCP connect and the (D)TLS handshake are done.
 */
#define LOG_MODULE "usock"
#include "cmd_socket.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "afile.h"
#include "cmd.h"
#include "fault.h"
#include "log.h"
#include "loop.h"
#include "modem.h"
#include "pcap.h"
#include "persona.h"
#include "sock.h"

#define SO_LEVEL_SOCKET 65535
#define SO_NAME_LINGER  0x80

static struct cmd_sock_state *state(const struct at_req *req)
{
	return ((struct modem *)at_req_ctx(req))->sock_state;
}

/* ---- +USOCR +USOSEC ---- */

/* AT+USOCR=<protocol>[,<local_port>] */
static enum at_rc handle_usocr(struct at_req *req)
{
	struct modem *m = at_req_ctx(req);
	int id = sock_create(m->socks, (int)at_arg_int(req, 0), (uint16_t)at_arg_int(req, 1));

	if (id < 0)
		return cmd_fail(req, id);
	if (id < CMD_SOCK_MAX)
		m->sock_state->early_warned[id] = false;
	cmd_reply(req, "+USOCR", "%d", id);
	return AT_RC_OK;
}

/* AT+USOSEC=<s>,<0|1>[,<profile>] sets; AT+USOSEC=<s> reads. */
static enum at_rc handle_usosec(struct at_req *req)
{
	struct modem *m = at_req_ctx(req);
	int id = (int)at_arg_int(req, 0), profile = 0, rc;
	bool on = false;

	if (at_arg_present(req, 1)) {
		rc = sock_set_security(m->socks, id, at_arg_int(req, 1) == 1,
				       (int)at_arg_int(req, 2));
		if (rc == 0 && id < CMD_SOCK_MAX)
			m->sock_state->usosec_ms[id] =
				at_arg_int(req, 1) == 1 ? loop_now_ms(m->loop) : 0;
		return rc < 0 ? cmd_fail(req, rc) : AT_RC_OK;
	}
	rc = sock_get_security(m->socks, id, &on, &profile);
	if (rc < 0)
		return cmd_fail(req, rc);
	if (on)
		cmd_reply(req, "+USOSEC", "%d,1,%d", id, profile);
	else
		cmd_reply(req, "+USOSEC", "%d,0", id);
	return AT_RC_OK;
}

/* ---- +USOCO ---- */

static void connect_failed_log(const struct modem *m, int id, int err)
{
	const char *why = sock_reason(m->socks, id);

	log_warn("+USOCO socket %d failed: %s (+USOER %d, +CME %d)", id,
		 why[0] != '\0' ? why : strerror(-err), sock_table_last_error(m->socks),
		 cmd_cme_from_errno(err));
}

/* An aborted synchronous connect closes the socket: nothing is left half-open. */
static void abort_connect(struct at_req *req)
{
	struct cmd_sock_state *st = state(req);

	for (int id = 0; id < CMD_SOCK_MAX; id++) {
		if (st->connect[id] != req)
			continue;
		st->connect[id] = NULL;
		log_info("+USOCO socket %d aborted by the host: socket closed", id);
		sock_close(st->m->socks, id);
	}
}

/* Fault Q10: +USOCO too soon after +USOSEC fails, and the failure closes the socket. */
static bool too_soon_after_usosec(struct modem *m, int id)
{
	uint64_t set = id < CMD_SOCK_MAX ? m->sock_state->usosec_ms[id] : 0;

	if (!faults_is_on(m->faults, FAULT_Q10) || set == 0 ||
	    loop_now_ms(m->loop) - set >= (uint64_t)faults_get(m->faults, FAULT_Q10, "window_ms"))
		return false;
	log_warn("+USOCO socket %d right after +USOSEC: fails and closes the socket (quirk Q10)",
		 id);
	m->sock_state->usosec_ms[id] = 0;
	sock_close(m->socks, id);
	return true;
}

/* AT+USOCO=<s>,"<ip>",<port>[,<async>] */
static enum at_rc handle_usoco(struct at_req *req)
{
	struct modem *m = at_req_ctx(req);
	int id = (int)at_arg_int(req, 0), rc;
	bool async = at_arg_int(req, 3) == 1;
	char ip[SOCK_IP_MAX];

	if (cmd_arg_copy(req, 1, ip, sizeof(ip)) < 0)
		return cmd_fail(req, -EINVAL);
	if (too_soon_after_usosec(m, id))
		return cmd_fail(req, -ECONNABORTED);
	rc = sock_connect(m->socks, id, ip, (uint16_t)at_arg_int(req, 2));
	if (rc == 0 && async)
		modem_urc(m, "+UUSOCO", "%d,0", id); /* plain UDP: nothing to wait for */
	if (rc == 0 || (rc == -EINPROGRESS && async))
		return AT_RC_OK; /* async: SOCK_EV_CONNECTED becomes +UUSOCO */
	if (rc != -EINPROGRESS) {
		connect_failed_log(m, id, rc);
		return cmd_fail(req, rc);
	}
	if (id >= CMD_SOCK_MAX)
		return cmd_fail(req, -EBADF);
	m->sock_state->connect[id] = req;
	at_req_set_abort(req, abort_connect);
	return AT_RC_PENDING;
}

/* ---- +USOCL +USOER +USOLI ---- */

/* Closes id now (async: SOCK_EV_CLOSE_DONE follows); a connect pending on it ends too. */
static int close_now(struct modem *m, int id, bool async)
{
	int rc = async ? sock_close_async(m->socks, id) : sock_close(m->socks, id);

	if (rc == 0 && id < CMD_SOCK_MAX && m->sock_state->connect[id] != NULL) {
		/* A connect pending on the other channel ends with the socket. */
		struct at_req *pending = m->sock_state->connect[id];

		m->sock_state->connect[id] = NULL;
		at_req_complete(pending, at_fail(pending, cmd_cme_from_errno(-EBADF)));
	}
	if (rc == 0 && id < CMD_SOCK_MAX)
		m->sock_state->usosec_ms[id] = 0;
	return rc;
}

static void handle_slow_close(void *data)
{
	struct cmd_sock_slow_close *sc = data;
	struct at_req *req = sc->req;
	int rc = close_now(sc->st->m, sc->id, false);

	sc->req = NULL;
	sc->timer = NULL;
	at_req_complete(req, rc < 0 ? cmd_fail(req, rc) : AT_RC_OK);
}

/* Fault Q26: a synchronous +USOCL answers after delay_ms (the socket closes then). */
static enum at_rc slow_close(struct at_req *req, int id)
{
	struct modem *m = at_req_ctx(req);
	struct cmd_sock_slow_close *sc = &m->sock_state->slow_close[id];
	long ms = faults_get(m->faults, FAULT_Q26, "delay_ms");
	struct sock_info info;

	if (sock_get_info(m->socks, id, &info) < 0 || sc->req != NULL)
		return cmd_fail(req, -EBADF);
	log_info("+USOCL socket %d: closing takes %ld ms (quirk Q26)", id, ms);
	sc->timer = loop_add_timer(m->loop, (uint64_t)ms, handle_slow_close, sc);
	if (sc->timer == NULL)
		return cmd_fail(req, -ENOMEM);
	sc->req = req;
	return AT_RC_PENDING;
}

/* AT+USOCL=<s>[,<async_close>] */
static enum at_rc handle_usocl(struct at_req *req)
{
	struct modem *m = at_req_ctx(req);
	int id = (int)at_arg_int(req, 0), rc;
	bool async = at_arg_int(req, 1) == 1;

	if (!async && id < CMD_SOCK_MAX && faults_is_on(m->faults, FAULT_Q26))
		return slow_close(req, id);
	rc = close_now(m, id, async);
	return rc < 0 ? cmd_fail(req, rc) : AT_RC_OK;
}

static enum at_rc handle_usoer(struct at_req *req)
{
	cmd_reply(req, "+USOER", "%d",
		  sock_table_last_error(((struct modem *)at_req_ctx(req))->socks));
	return AT_RC_OK;
}

/* AT+USOLI=<s>,<port> */
static enum at_rc handle_usoli(struct at_req *req)
{
	struct modem *m = at_req_ctx(req);
	int rc = sock_listen(m->socks, (int)at_arg_int(req, 0), (uint16_t)at_arg_int(req, 1));

	return rc < 0 ? cmd_fail(req, rc) : AT_RC_OK;
}

/* ---- +USOCTL ---- */

typedef int ctl_fn(struct at_req *req, int id, int param, const struct sock_info *info);

static int ctl_int(struct at_req *req, int id, int param, const struct sock_info *info)
{
	long v = param == 0    ? (long)info->proto
		 : param == 1  ? info->last_error
		 : param == 10 ? info->tcp_state
			       : info->unacked;

	if (param >= 10 && info->proto != SOCK_PROTO_TCP)
		return -EINVAL; /* TCP only */
	return cmd_reply(req, "+USOCTL", "%d,%d,%ld", id, param, v);
}

static int ctl_bytes(struct at_req *req, int id, int param, const struct sock_info *info)
{
	unsigned long long v = param == 2 ? info->bytes_sent : info->bytes_received;

	return cmd_reply(req, "+USOCTL", "%d,%d,%llu", id, param, v);
}

static int ctl_peer(struct at_req *req, int id, int param, const struct sock_info *info)
{
	if (!info->has_peer)
		return -ENOTCONN;
	return cmd_reply(req, "+USOCTL", "%d,%d,\"%s\",%u", id, param, info->peer_ip,
			 (unsigned)info->peer_port);
}

static const struct {
	int param;
	ctl_fn *fn;
} ctl_table[] = {
	{ 0, ctl_int },  { 1, ctl_int },  { 2, ctl_bytes }, { 3, ctl_bytes },
	{ 4, ctl_peer }, { 10, ctl_int }, { 11, ctl_int },
};

/* AT+USOCTL=<s>,<param_id>: 0 type, 1 last error, 2/3 wire bytes, 4 peer, 10 TCP state,
 * 11 unacknowledged bytes. After the peer closed and all data was read: CME 3 (Q14). */
static enum at_rc handle_usoctl(struct at_req *req)
{
	struct modem *m = at_req_ctx(req);
	int id = (int)at_arg_int(req, 0), param = (int)at_arg_int(req, 1), rc;
	struct sock_info info;

	rc = sock_get_info(m->socks, id, &info);
	if (rc == 0 && info.state == SOCK_STATE_PEER_CLOSED && sock_available(m->socks, id) == 0)
		rc = -ENOTCONN;
	for (size_t i = 0; rc == 0 && i < ARRAY_LEN(ctl_table); i++)
		if (ctl_table[i].param == param)
			return (rc = ctl_table[i].fn(req, id, param, &info)) < 0 ? cmd_fail(req, rc)
										 : AT_RC_OK;
	return cmd_fail(req, rc < 0 ? rc : -EINVAL);
}

/* ---- +USOSO +USOGO ---- */

/* AT+USOSO=<s>,<level>,<opt_name>,<opt_val>[,<opt_val2>] */
static enum at_rc handle_usoso(struct at_req *req)
{
	struct modem *m = at_req_ctx(req);
	int rc = sock_set_option(m->socks, (int)at_arg_int(req, 0), (int)at_arg_int(req, 1),
				 (int)at_arg_int(req, 2), (int)at_arg_int(req, 3),
				 (int)at_arg_int(req, 4));

	return rc < 0 ? cmd_fail(req, rc) : AT_RC_OK;
}

/* AT+USOGO=<s>,<level>,<opt_name> -> +USOGO: <val>[,<val2>] (val2 for LINGER only) */
static enum at_rc handle_usogo(struct at_req *req)
{
	struct modem *m = at_req_ctx(req);
	int level = (int)at_arg_int(req, 1), name = (int)at_arg_int(req, 2), val = 0, val2 = 0;
	int rc = sock_get_option(m->socks, (int)at_arg_int(req, 0), level, name, &val, &val2);

	if (rc < 0)
		return cmd_fail(req, rc);
	if (level == SO_LEVEL_SOCKET && name == SO_NAME_LINGER)
		cmd_reply(req, "+USOGO", "%d,%d", val, val2);
	else
		cmd_reply(req, "+USOGO", "%d", val);
	return AT_RC_OK;
}

/* ---- events -> URCs ---- */

static void ev_data(struct modem *m, const struct sock_event *ev)
{
	struct sock_info info;

	/* UDP used with +USOST/+USORF (no +USOCO peer) announces with +UUSORF, else +UUSORD. */
	bool unconnected = ev->datagram && sock_get_info(m->socks, ev->id, &info) == 0 &&
			   info.state == SOCK_STATE_CREATED;

	modem_urc(m, unconnected ? "+UUSORF" : "+UUSORD", "%d,%zu", ev->id, ev->avail);
}

static void ev_closed(struct modem *m, const struct sock_event *ev)
{
	modem_urc(m, "+UUSOCL", "%d", ev->id);
}

static void ev_connected(struct modem *m, const struct sock_event *ev)
{
	struct at_req *req = ev->id < CMD_SOCK_MAX ? m->sock_state->connect[ev->id] : NULL;

	if (req == NULL) {
		modem_urc(m, "+UUSOCO", "%d,%d", ev->id, ev->err);
		return;
	}
	m->sock_state->connect[ev->id] = NULL;
	if (ev->err == 0) {
		at_req_complete(req, AT_RC_OK);
		return;
	}
	/* u-blox error numbers are Linux errno values (sock_errno.h). */
	connect_failed_log(m, ev->id, -ev->err);
	at_req_complete(req, cmd_fail(req, -ev->err));
}

static void ev_incoming(struct modem *m, const struct sock_event *ev)
{
	modem_urc(m, "+UUSOLI", "%d,\"%s\",%u,%d,\"%s\",%u", ev->id, ev->peer_ip,
		  (unsigned)ev->peer_port, ev->listen_id, ev->local_ip, (unsigned)ev->local_port);
}

static void (*const ev_table[])(struct modem *m, const struct sock_event *ev) = {
	[SOCK_EV_DATA] = ev_data,           [SOCK_EV_CLOSED] = ev_closed,
	[SOCK_EV_CONNECTED] = ev_connected, [SOCK_EV_INCOMING] = ev_incoming,
	[SOCK_EV_CLOSE_DONE] = ev_closed,
};

static void handle_sock_event(void *data, const struct sock_event *ev)
{
	if ((size_t)ev->type < ARRAY_LEN(ev_table) && ev_table[ev->type] != NULL)
		ev_table[ev->type](data, ev);
}

/* ---- module hooks ---- */

/* Fault Q15: losing the network kills every socket without a URC. */
static void sock_net_event(struct modem *m, enum netsim_event ev, int arg, bool by_network)
{
	(void)arg;
	(void)by_network;
	if (ev != NETSIM_EV_DETACH || !faults_is_on(m->faults, FAULT_Q15) || m->socks == NULL)
		return;
	for (int id = 0; id < CMD_SOCK_MAX; id++)
		if (sock_kill(m->socks, id) == 0)
			m->sock_state->usosec_ms[id] = 0;
}

/* Profile op 11: a fresh RoT pair per handshake (secprof_psk_gen_fn over modem_rot_psk). */
static int rot_psk(void *data, size_t len, uint8_t *id, size_t *id_len, uint8_t *psk)
{
	return modem_rot_psk(data, len, id, id_len, psk);
}

static bool netem_chance(void *data, unsigned pct)
{
	return faults_chance(data, pct);
}

/* The network faults as sim/net values (sock_netem). */
static void push_netem(struct modem *m)
{
	const struct faults *f = m->faults;
	struct sock_netem ne = { .chance = netem_chance, .chance_data = m->faults };

	if (faults_is_on(f, FAULT_DGRAM_LOSS))
		ne.loss_pct = (unsigned)faults_get(f, FAULT_DGRAM_LOSS, "pct");
	if (faults_is_on(f, FAULT_DGRAM_REORDER))
		ne.reorder_pct = (unsigned)faults_get(f, FAULT_DGRAM_REORDER, "pct");
	if (faults_is_on(f, FAULT_RTT))
		ne.rtt_ms = (unsigned)faults_get(f, FAULT_RTT, "ms");
	ne.reset = faults_is_on(f, FAULT_TCP_RESET);
	ne.reset_after = (uint64_t)faults_get(f, FAULT_TCP_RESET, "after_bytes");
	sock_table_set_netem(m->socks, &ne);
}

static void sock_fault(struct modem *m, enum fault_id id, bool on)
{
	(void)id;
	(void)on;
	if (m->socks != NULL)
		push_netem(m);
}

/* Wire bytes of every socket: the network's data volume and RRC activity (+UGCNTRD, +CSCON). */
static void handle_traffic(void *data, bool out, size_t n)
{
	struct modem *m = data;

	netsim_traffic(m->net, out ? n : 0, out ? 0 : n);
}

static int table_open(struct modem *m)
{
	unsigned max = m->persona->max_sockets;

	m->socks = sock_table_create(m->loop, max < CMD_SOCK_MAX ? max : CMD_SOCK_MAX);
	if (m->socks == NULL)
		return -ENOMEM;
	sock_table_set_event_cb(m->socks, handle_sock_event, m);
	sock_table_set_traffic_cb(m->socks, handle_traffic, m);
	sock_table_set_max_secure(m->socks, m->persona->max_secure_sockets);
	sock_table_set_pcap(m->socks, m->sock_state->pcap);
	sock_table_set_keylog(m->socks, m->sock_state->keylog_fd);
	sock_table_set_security(m->socks, m->profiles, m->creds);
	if (m->persona->has_rot)
		sock_table_set_psk_gen(m->socks, rot_psk, m);
	push_netem(m);
	return 0;
}

/* Drops every socket; a synchronous +USOCO or slow +USOCL still waiting ends with an error. */
static void table_close(struct modem *m)
{
	for (int id = 0; id < CMD_SOCK_MAX; id++) {
		struct at_req *req = m->sock_state->connect[id];
		struct cmd_sock_slow_close *sc = &m->sock_state->slow_close[id];

		m->sock_state->connect[id] = NULL;
		if (req != NULL)
			at_req_complete(req, AT_RC_ERROR);
		loop_remove(m->loop, sc->timer);
		sc->timer = NULL;
		req = sc->req;
		sc->req = NULL;
		if (req != NULL)
			at_req_complete(req, AT_RC_ERROR);
		m->sock_state->usosec_ms[id] = 0;
	}
	memset(m->sock_state->data, 0, sizeof(m->sock_state->data));
	if (m->socks != NULL)
		sock_table_set_traffic_cb(m->socks, NULL,
					  NULL); /* closing sends nothing we count */
	sock_table_destroy(m->socks);
	m->socks = NULL;
}

static int sock_init(struct modem *m)
{
	m->sock_state = calloc(1, sizeof(*m->sock_state));
	if (m->sock_state == NULL)
		return -ENOMEM;
	m->sock_state->m = m;
	m->sock_state->keylog_fd = -1;
	if (m->cfg.keylog_path != NULL) {
		char err[256];
		int fd = afile_open_secret_output(m->cfg.keylog_path, true, err, sizeof(err));

		if (fd < 0) {
			log_error("--keylog %s", err);
			return fd;
		}
		m->sock_state->keylog_fd =
			fd; /* appended: Wireshark reads many runs from one file */
		log_info("writing (D)TLS secrets to %s (NSS key log)", m->cfg.keylog_path);
	}
	for (int id = 0; id < CMD_SOCK_MAX; id++)
		m->sock_state->slow_close[id] =
			(struct cmd_sock_slow_close){ .st = m->sock_state, .id = id };
	if (m->cfg.pcap_path != NULL) {
		m->sock_state->pcap = pcap_open(m->cfg.pcap_path);
		if (m->sock_state->pcap == NULL)
			return -EIO;
		log_info("writing socket traffic to %s", m->cfg.pcap_path);
	}
	return table_open(m);
}

static void sock_finish(struct modem *m)
{
	if (m->sock_state == NULL)
		return;
	table_close(m);
	pcap_close(m->sock_state->pcap);
	if (m->sock_state->keylog_fd >= 0)
		close(m->sock_state->keylog_fd);
	free(m->sock_state);
	m->sock_state = NULL;
}

/* A reboot closes every socket (no URC: the module was reset); ATZ leaves them alone. */
static void sock_reset(struct modem *m, bool reboot)
{
	if (!reboot || m->sock_state == NULL)
		return;
	table_close(m);
	if (table_open(m) < 0)
		log_error("cannot recreate the socket table after the reboot");
}

/* ---- table ---- */

#define SOCK_ID_PARAM                                                                              \
	{                                                                                          \
		"socket", AT_P_INT, 0, 0, CMD_SOCK_MAX - 1, 0, NULL                                \
	}
#define LEN_PARAM(n)                                                                               \
	{                                                                                          \
		n, AT_P_INT, 0, 0, 65535, 0, NULL                                                  \
	} /* limit checked by the handler */
#define PORT_PARAM(n)                                                                              \
	{                                                                                          \
		n, AT_P_INT, 0, 1, 65535, 0, NULL                                                  \
	}
#define FLAG_PARAM(n)                                                                              \
	{                                                                                          \
		n, AT_P_INT, AT_PF_OPTIONAL, 0, 1, 0, NULL                                         \
	}
#define DATA_PARAM                                                                                 \
	{                                                                                          \
		"data", AT_P_ANY, AT_PF_OPTIONAL, 0, 0, 0, NULL                                    \
	}
#define OPT_PARAM(n, f)                                                                            \
	{                                                                                          \
		n, AT_P_INT, f, 0, INT_MAX, 0, NULL                                                \
	}

static const long protocols[] = { 6, 17, LONG_MIN };
static const long ctl_params[] = { 0, 1, 2, 3, 4, 10, 11, LONG_MIN };

static const struct at_param usocr_params[] = {
	{ "protocol", AT_P_ENUM, 0, 0, 0, 0, protocols },
	{ "local_port", AT_P_INT, AT_PF_OPTIONAL, 0, 65535, 0, NULL },
};
static const struct at_param usosec_params[] = {
	SOCK_ID_PARAM,
	FLAG_PARAM("ssl_tls_status"),
	{ "profile_id", AT_P_INT, AT_PF_OPTIONAL, 0, SECPROF_COUNT - 1, 0, NULL },
};
static const struct at_param usoco_params[] = {
	SOCK_ID_PARAM,
	{ "remote_addr", AT_P_STR, AT_PF_BARE_OK, 1, SOCK_IP_MAX - 1, 0, NULL },
	PORT_PARAM("remote_port"),
	FLAG_PARAM("async_connect"),
};
static const struct at_param usowr_params[] = { SOCK_ID_PARAM, LEN_PARAM("length"), DATA_PARAM };
static const struct at_param usost_params[] = {
	SOCK_ID_PARAM,
	{ "remote_addr", AT_P_STR, AT_PF_BARE_OK, 1, SOCK_IP_MAX - 1, 0, NULL },
	PORT_PARAM("remote_port"),
	LEN_PARAM("length"),
	DATA_PARAM,
};
static const struct at_param usord_params[] = { SOCK_ID_PARAM, LEN_PARAM("length") };
static const struct at_param usocl_params[] = { SOCK_ID_PARAM, FLAG_PARAM("async_close") };
static const struct at_param usoctl_params[] = {
	SOCK_ID_PARAM,
	{ "param_id", AT_P_ENUM, 0, 0, 0, 0, ctl_params },
};
static const struct at_param usoso_params[] = {
	SOCK_ID_PARAM,
	OPT_PARAM("level", 0),
	OPT_PARAM("opt_name", 0),
	OPT_PARAM("opt_val", 0),
	OPT_PARAM("opt_val2", AT_PF_OPTIONAL),
};
static const struct at_param usoli_params[] = { SOCK_ID_PARAM, PORT_PARAM("port") };

#define SPEC "u-blox AT manual (ublox-at.md §3)"
static const struct at_cmd cmds[] = {
	{ "+USOCL", AT_OP_SET, AT_PARAMS(usocl_params), NULL, handle_usocl, SPEC },
	{ "+USOCO", AT_OP_SET, AT_PARAMS(usoco_params), NULL, handle_usoco, SPEC },
	{ "+USOCR", AT_OP_SET | AT_OP_TEST, AT_PARAMS(usocr_params), "+USOCR: (6,17),(0-65535)",
	  handle_usocr, SPEC },
	{ "+USOCTL", AT_OP_SET, AT_PARAMS(usoctl_params), NULL, handle_usoctl, SPEC },
	{ "+USOER", AT_OP_EXEC, AT_NO_PARAMS, NULL, handle_usoer, SPEC },
	{ "+USOGO", AT_OP_SET, usoso_params, 3, NULL, handle_usogo, SPEC },
	{ "+USOLI", AT_OP_SET, AT_PARAMS(usoli_params), NULL, handle_usoli, SPEC },
	{ "+USORD", AT_OP_SET, AT_PARAMS(usord_params), NULL, cmd_sock_handle_usord, SPEC },
	{ "+USORF", AT_OP_SET, AT_PARAMS(usord_params), NULL, cmd_sock_handle_usorf, SPEC },
	{ "+USOSEC", AT_OP_SET, AT_PARAMS(usosec_params), NULL, handle_usosec, SPEC },
	{ "+USOSO", AT_OP_SET, AT_PARAMS(usoso_params), NULL, handle_usoso, SPEC },
	{ "+USOST", AT_OP_SET, AT_PARAMS(usost_params), NULL, cmd_sock_handle_usost, SPEC },
	{ "+USOWR", AT_OP_SET, AT_PARAMS(usowr_params), NULL, cmd_sock_handle_usowr, SPEC },
};

static const struct at_cmd_group group = { cmds, ARRAY_LEN(cmds) };

const struct cmd_module cmd_socket_module = {
	.name = "socket",
	.group = &group,
	.init = sock_init,
	.finish = sock_finish,
	.reset = sock_reset,
	.net_event = sock_net_event,
	.fault = sock_fault,
};
