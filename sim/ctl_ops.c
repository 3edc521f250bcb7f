/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The control ops: one row each (name, handler, argument schema, usage) and one small handler.
 * Handlers change the modem only through the functions the AT handlers use (netsim_*,
 * modem_*, cmd_rot_ctl_*), so a control op and the AT command it imitates cannot disagree.
 */
#define LOG_MODULE "ctl"
#include <errno.h>
#include <string.h>

#include "cmd_security.h"
#include "ctl_priv.h"
#include "log.h"
#include "loop.h"
#include "modem.h"
#include "netsim.h"
#include "persona.h"
#include "pty.h"
#include "rot/platform.h"
#include "sock.h"

#define AT_TIMEOUT_DEFAULT 10000
#define AT_TIMEOUT_MAX     600000
#define ADVANCE_MAX        (10L * 366 * 86400) /* ten years, seconds */
#define SOCK_IDS           16                  /* ids probed for `status` */

/* ---- status ---- */

static void status_device(struct ctl_call *c, cJSON *r)
{
	const struct modem *m = c->m;
	cJSON *dev = cJSON_AddObjectToObject(r, "device");

	cJSON_AddStringToObject(r, "model", m->persona->model);
	cJSON_AddStringToObject(r, "family", m->persona->family);
	cJSON_AddStringToObject(r, "firmware", m->persona->cgmr);
	cJSON_AddStringToObject(dev, "rot_uid", m->device->uid_hex);
	cJSON_AddStringToObject(dev, "imei", m->device->imei);
	cJSON_AddStringToObject(dev, "imsi", m->device->imsi);
	cJSON_AddStringToObject(r, "pty", pty_path(m->pty));
	if (pty_link(m->pty) != NULL)
		cJSON_AddStringToObject(r, "link", pty_link(m->pty));
	cJSON_AddBoolToObject(r, "powered", !m->powered_off);
	cJSON_AddBoolToObject(r, "rebooting", m->rebooting);
	cJSON_AddBoolToObject(r, "bootstrapped", m->sec != NULL && m->sec->bootstrapped);
	cJSON_AddBoolToObject(r, "sealed", m->sec != NULL && m->sec->sealed);
	cJSON_AddNumberToObject(r, "time", (double)modem_time(m));
	cJSON_AddNumberToObject(r, "clock_advance_s", (double)(loop_advanced_ms(m->loop) / 1000));
}

static void status_network(struct ctl_call *c, cJSON *r)
{
	const struct modem *m = c->m;
	cJSON *reg = cJSON_AddObjectToObject(r, "registration");
	cJSON *sig = cJSON_AddObjectToObject(r, "signal");
	cJSON *ctxs = cJSON_AddArrayToObject(r, "contexts");
	int stat = (int)netsim_reg(m->net);

	cJSON_AddNumberToObject(r, "cfun", netsim_fun(m->net));
	/* One simulated LTE cell: +CREG, +CGREG and +CEREG report the same <stat>. */
	cJSON_AddNumberToObject(reg, "creg", stat);
	cJSON_AddNumberToObject(reg, "cgreg", stat);
	cJSON_AddNumberToObject(reg, "cereg", stat);
	cJSON_AddBoolToObject(r, "attached", netsim_is_attached(m->net));
	cJSON_AddBoolToObject(r, "coverage", netsim_has_coverage(m->net));
	cJSON_AddBoolToObject(r, "denied", netsim_is_denied(m->net));
	cJSON_AddBoolToObject(r, "roaming", netsim_is_roaming(m->net));
	cJSON_AddNumberToObject(sig, "rsrp", netsim_cell(m->net)->rsrp_dbm);
	cJSON_AddNumberToObject(sig, "rsrq", netsim_cell(m->net)->rsrq_db);
	cJSON_AddNumberToObject(sig, "rssi", netsim_cell(m->net)->rssi_dbm);
	for (int cid = 1; cid <= NETSIM_CID_MAX; cid++) {
		char addr[16];
		cJSON *o;

		if (netsim_pdp_addr(m->net, cid, addr, sizeof(addr)) < 0)
			continue;
		o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "cid", cid);
		cJSON_AddStringToObject(o, "ip", addr);
		cJSON_AddStringToObject(o, "apn", m->pdp[cid].apn);
		cJSON_AddItemToArray(ctxs, o);
	}
}

static void status_sockets(struct ctl_call *c, cJSON *r)
{
	static const char *const states[] = { "free",      "created", "connecting", "connected",
					      "listening", "closed",  "failed",     "closing" };
	cJSON *arr = cJSON_AddArrayToObject(r, "sockets");

	for (int id = 0; c->m->socks != NULL && id < SOCK_IDS; id++) {
		struct sock_info si;
		cJSON *o;
		char peer[SOCK_IP_MAX + 8];

		if (sock_get_info(c->m->socks, id, &si) < 0)
			continue;
		o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "id", id);
		cJSON_AddStringToObject(o, "type", si.proto == SOCK_PROTO_TCP ? "tcp" : "udp");
		cJSON_AddStringToObject(o, "state",
					(unsigned)si.state < ARRAY_LEN(states) ? states[si.state]
									       : "?");
		snprintf(peer, sizeof(peer), "%s:%u", si.peer_ip, si.peer_port);
		if (si.has_peer)
			cJSON_AddStringToObject(o, "peer", peer);
		cJSON_AddBoolToObject(o, "secure", si.secure);
		if (si.secure)
			cJSON_AddNumberToObject(o, "profile", si.profile);
		cJSON_AddNumberToObject(o, "bytes_in", (double)si.bytes_received);
		cJSON_AddNumberToObject(o, "bytes_out", (double)si.bytes_sent);
		cJSON_AddItemToArray(arr, o);
	}
}

static int op_status(struct ctl_call *c)
{
	status_device(c, c->result);
	status_network(c, c->result);
	status_sockets(c, c->result);
	ctl_status_faults(c, c->result);
	return 0;
}

/* ---- the modem's world ---- */

static int op_at(struct ctl_call *c)
{
	if (c->m->powered_off)
		return ctl_fail(c, -EPERM, "the module is powered off (power on or reboot)");
	if (c->m->rebooting)
		return ctl_fail(c, -EBUSY,
				"the module is rebooting (wait for the state \"ready\")");
	return ctl_session_at(c, ctl_arg_str(c, "line", ""), ctl_arg_str(c, "data", NULL),
			      (uint32_t)ctl_arg_int(c, "timeout_ms", AT_TIMEOUT_DEFAULT));
}

static int op_network(struct ctl_call *c)
{
	const char *action = ctl_arg_str(c, "action", "");
	struct netsim *n = c->m->net;
	bool on = ctl_arg_bool(c, "on", true);

	if (strcmp(action, "detach") == 0) {
		netsim_set_coverage(n, false);
	} else if (strcmp(action, "attach") == 0) {
		netsim_set_denied(n, false);
		netsim_set_coverage(n, true);
	} else if (strcmp(action, "deny") == 0) {
		netsim_set_denied(n, on);
	} else if (strcmp(action, "roam") == 0) {
		netsim_set_roaming(n, on);
	} else if (strcmp(action, "home") == 0) {
		netsim_set_roaming(n, false);
	} else if (strcmp(action, "signal") == 0) {
		if (!ctl_arg_has(c, "rsrp") && !ctl_arg_has(c, "rsrq"))
			return ctl_fail(c, -EINVAL, "signal needs \"rsrp\" and/or \"rsrq\"");
		netsim_set_signal(n, (int)ctl_arg_int(c, "rsrp", netsim_cell(n)->rsrp_dbm),
				  (int)ctl_arg_int(c, "rsrq", netsim_cell(n)->rsrq_db));
	} else {
		return ctl_fail(c, -EINVAL,
				"\"action\" is detach, attach, deny, roam, home or signal");
	}
	log_info("network: %s", action);
	status_network(c, c->result);
	return 0;
}

static int op_urc(struct ctl_call *c)
{
	const char *text = ctl_arg_str(c, "text", "");
	int rc;

	if (text[0] == '\0' || strpbrk(text, "\r\n") != NULL)
		return ctl_fail(c, -EINVAL, "\"text\" is one non-empty line without CR/LF");
	rc = modem_urc(c->m, NULL, "%s", text);
	if (rc < 0)
		return ctl_fail(c, rc, "URC queue full or text too long");
	cJSON_AddBoolToObject(c->result, "queued", !c->m->powered_off && !c->m->rebooting);
	return 0;
}

static int op_reboot(struct ctl_call *c)
{
	modem_reboot(c->m);
	return 0;
}

static int op_power(struct ctl_call *c)
{
	const char *state = ctl_arg_str(c, "state", "");

	if (strcmp(state, "off") == 0)
		modem_power_off(c->m);
	else if (strcmp(state, "on") == 0 && c->m->powered_off)
		modem_reboot(c->m); /* power on = a boot */
	else if (strcmp(state, "on") != 0)
		return ctl_fail(c, -EINVAL, "\"state\" is on or off");
	return 0;
}

static int op_seal(struct ctl_call *c)
{
	int rc = cmd_rot_ctl_seal(c->m, ctl_arg_str(c, "action", ""));

	if (rc == -EINVAL)
		return ctl_fail(c, rc, "\"action\" is reset, unseal or seal");
	if (rc == -EOPNOTSUPP)
		return ctl_fail(c, rc, "%s has no Root of Trust", c->m->persona->model);
	status_device(c, c->result);
	return rc;
}

static int op_bootstrap(struct ctl_call *c)
{
	int rc = cmd_rot_ctl_bootstrap(c->m, (uint32_t)ctl_arg_int(c, "delay_ms", 0));

	if (rc == -EOPNOTSUPP)
		return ctl_fail(c, rc, "%s has no Root of Trust", c->m->persona->model);
	if (rc == -EALREADY)
		return ctl_fail(c, rc, "already bootstrapped");
	return rc;
}

static int op_clock(struct ctl_call *c)
{
	modem_clock_advance(c->m, (uint32_t)ctl_arg_int(c, "advance_s", 0));
	cJSON_AddNumberToObject(c->result, "time", (double)modem_time(c->m));
	cJSON_AddNumberToObject(c->result, "clock_advance_s",
				(double)(loop_advanced_ms(c->m->loop) / 1000));
	return 0;
}

static int op_subscribe(struct ctl_call *c)
{
	static const struct {
		const char *name;
		unsigned bit;
	} kinds[] = { { "at", CTL_EV_AT }, { "urc", CTL_EV_URC }, { "state", CTL_EV_STATE } };
	const cJSON *list = ctl_arg_json(c, "events"), *e;
	unsigned mask = 0;

	cJSON_ArrayForEach(e, list)
	{
		size_t i = 0;

		while (i < ARRAY_LEN(kinds) && strcmp(kinds[i].name, e->valuestring) != 0)
			i++;
		if (i == ARRAY_LEN(kinds))
			return ctl_fail(c, -EINVAL, "events are at, urc and state");
		mask |= kinds[i].bit;
	}
	cJSON_AddItemReferenceToObject(c->result, "events", (cJSON *)(uintptr_t)list);
	return ctl_session_subscribe(c, mask);
}

static int op_ops(struct ctl_call *c)
{
	cJSON *arr = cJSON_AddArrayToObject(c->result, "ops");

	for (size_t i = 0; i < ctl_n_ops; i++)
		cJSON_AddItemToArray(arr, cJSON_CreateString(ctl_ops[i].usage));
	return 0;
}

/* ---- the table ---- */

static const struct ctl_arg at_args[] = {
	{ "line", CTL_T_STR, CTL_A_REQ | CTL_A_REST, 0, 0 },
	{ "data", CTL_T_STR, 0, 0, 0 },
	{ "timeout_ms", CTL_T_INT, 0, 1, AT_TIMEOUT_MAX },
};
static const struct ctl_arg network_args[] = {
	{ "action", CTL_T_STR, CTL_A_REQ, 0, 0 },
	{ "on", CTL_T_BOOL, 0, 0, 0 },
	{ "rsrp", CTL_T_INT, 0, -141, -44 },
	{ "rsrq", CTL_T_INT, 0, -20, -3 },
};
static const struct ctl_arg urc_args[] = { { "text", CTL_T_STR, CTL_A_REQ | CTL_A_REST, 0, 0 } };
static const struct ctl_arg power_args[] = { { "state", CTL_T_STR, CTL_A_REQ, 0, 0 } };
static const struct ctl_arg seal_args[] = { { "action", CTL_T_STR, CTL_A_REQ, 0, 0 } };
static const struct ctl_arg bootstrap_args[] = { { "delay_ms", CTL_T_INT, 0, 0, 600000 } };
static const struct ctl_arg clock_args[] = {
	{ "advance_s", CTL_T_INT, CTL_A_REQ, 0, ADVANCE_MAX },
};
static const struct ctl_arg fault_args[] = {
	{ "name", CTL_T_STR, CTL_A_REQ, 0, 0 },
	{ "on", CTL_T_BOOL, 0, 0, 0 },
	{ "params", CTL_T_OBJ, 0, 0, 0 },
};
static const struct ctl_arg subscribe_args[] = { { "events", CTL_T_STRS, CTL_A_REQ, 0, 0 } };

const struct ctl_op ctl_ops[] = {
	{ "status", op_status, CTL_NO_ARGS,
	  "status                      model, device, seal, network, contexts, sockets, faults" },
	{ "at", op_at, CTL_ARGS(at_args),
	  "at LINE                     an AT command line on a channel of its own" },
	{ "network", op_network, CTL_ARGS(network_args),
	  "network detach|attach|deny|roam|home|signal [on=..] [rsrp=dBm] [rsrq=dB]" },
	{ "urc", op_urc, CTL_ARGS(urc_args),
	  "urc TEXT                    queue TEXT as an unsolicited line" },
	{ "reboot", op_reboot, CTL_NO_ARGS,
	  "reboot                      silent reset (also powers on after +CPWROFF)" },
	{ "power", op_power, CTL_ARGS(power_args),
	  "power on|off                power off (silent) or on (boot)" },
	{ "seal", op_seal, CTL_ARGS(seal_args),
	  "seal reset|unseal|seal      seal state 0,0,0 / 1,0,1 / 1,1,1 at once" },
	{ "bootstrap", op_bootstrap, CTL_ARGS(bootstrap_args),
	  "bootstrap [delay_ms=N]      bootstrapped now or after N ms" },
	{ "clock", op_clock, CTL_ARGS(clock_args),
	  "clock ADVANCE_S             move module time and timers forward" },
	{ "fault", ctl_op_fault, CTL_ARGS(fault_args),
	  "fault NAME on|off [k=v ...] switch a fault (docs/faults.md)" },
	{ "faults", ctl_op_faults, CTL_NO_ARGS,
	  "faults                      every fault, its state and parameters" },
	{ "subscribe", op_subscribe, CTL_ARGS(subscribe_args),
	  "subscribe at|urc|state ...  event lines on this connection (socket only)" },
	{ "ops", op_ops, CTL_NO_ARGS, "ops                         this list" },
};
const size_t ctl_n_ops = ARRAY_LEN(ctl_ops);
