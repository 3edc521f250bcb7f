/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Socket data commands (ublox-at.md §3.4-3.7): +USOWR +USOST (string, hex and '@' binary
 * forms) and +USORD +USORF (raw bytes between quotes, or hex after AT+UDCONF=1,1; length
 * query with 0). Limits: 1024 bytes per command, 512 in hex mode; above that a bare ERROR
 * (quirks Q16). The table rows are in cmd_socket.c.
 */
#define LOG_MODULE "usock"
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "cmd.h"
#include "cmd_socket.h"
#include "fault.h"
#include "hex.h"
#include "log.h"
#include "loop.h"
#include "modem.h"
#include "sock.h"

#define HEAD_MAX 64 /* "+USORF: 6,\"255.255.255.255\",65535,1024," */

size_t cmd_sock_payload_max(const struct modem *m)
{
	return m->set.hex_mode ? SOCK_PAYLOAD_HEX_MAX : SOCK_PAYLOAD_MAX;
}

static bool over_limit(const struct modem *m, long len, const char *cmd)
{
	if (len >= 0 && (size_t)len <= cmd_sock_payload_max(m))
		return false;
	log_warn("%s: %ld bytes exceed the %zu-byte limit%s", cmd, len, cmd_sock_payload_max(m),
		 m->set.hex_mode ? " of hex mode" : "");
	return true;
}

/* The string or hex form's inline data (argument i) into out; byte count must equal len. */
static int inline_data(const struct at_req *req, size_t i, size_t len, uint8_t *out)
{
	const struct modem *m = at_req_ctx(req);
	struct at_span s;
	int n;

	if (m->set.hex_mode) {
		n = at_arg_hex(req, i, out, SOCK_PAYLOAD_MAX);
		return n < 0 || (size_t)n != len ? -EINVAL : n;
	}
	s = at_arg_str(req, i);
	if (!at_arg_quoted(req, i) || s.len != len)
		return -EINVAL;
	if (len > 0)
		memcpy(out, s.p, len);
	return (int)len;
}

static ssize_t send_bytes(struct modem *m, const struct cmd_sock_pending_data *d,
			  const uint8_t *data, size_t len)
{
	if (d->ip[0] != '\0')
		return sock_sendto(m->socks, d->id, d->ip, d->port, data, len);
	return sock_write(m->socks, d->id, data, len);
}

static enum at_rc sent(struct at_req *req, const struct cmd_sock_pending_data *d, ssize_t n)
{
	struct modem *m = at_req_ctx(req);

	if (n < 0)
		return cmd_fail(req, (int)n);
	if (d->ip[0] == '\0' && faults_is_on(m->faults, FAULT_Q18) &&
	    faults_chance(m->faults, faults_get(m->faults, FAULT_Q18, "pct"))) {
		log_info("+USOWR socket %d: %zd bytes sent, bare OK (quirk Q18)", d->id, n);
		return AT_RC_OK;
	}
	cmd_reply(req, d->ip[0] != '\0' ? "+USOST" : "+USOWR", "%d,%zd", d->id, n);
	return AT_RC_OK;
}

static struct cmd_sock_pending_data *data_slot(struct cmd_sock_state *st, const struct at_req *req)
{
	struct cmd_sock_pending_data *free_slot = NULL;

	for (size_t i = 0; i < CMD_SOCK_CHAN; i++) {
		if (st->data[i].req == req)
			return &st->data[i];
		if (st->data[i].req == NULL && free_slot == NULL)
			free_slot = &st->data[i];
	}
	return free_slot;
}

/*
 * Quirk Q17: a real module may drop data that follows its '@' too closely. By default the
 * simulator takes it but says so, once per socket (a bulk sender would otherwise log a line per
 * write); with the fault Q17 (strict) such data is dropped, every time with a warning: nothing
 * is sent and the command answers ERROR. Measured when the last byte arrived. Returns true to
 * drop.
 */
static bool early_data(struct modem *m, const struct cmd_sock_pending_data *d, const char *cmd)
{
	uint64_t waited = loop_now_ms(m->loop) - d->prompt_ms;
	bool strict = faults_is_on(m->faults, FAULT_Q17);
	long guard = strict ? faults_get(m->faults, FAULT_Q17, "ms") : CMD_SOCK_PROMPT_GUARD_MS;
	bool *warned =
		d->id >= 0 && d->id < CMD_SOCK_MAX ? &m->sock_state->early_warned[d->id] : NULL;

	if (waited >= (uint64_t)guard || (!strict && (warned == NULL || *warned)))
		return false;
	if (!strict)
		*warned = true;
	log_warn("%s: socket %d data came %llu ms after '@' (< %ld ms): %s; wait %ld ms after "
		 "the prompt (quirk Q17%s)",
		 cmd, d->id, (unsigned long long)waited, guard,
		 strict ? "dropped (strict)" : "a real module may lose it", guard,
		 strict ? "" : "; said once per socket");
	return strict;
}

static enum at_rc handle_prompt_data(struct at_req *req, const uint8_t *data, size_t len)
{
	struct modem *m = at_req_ctx(req);
	struct cmd_sock_pending_data *slot = data_slot(m->sock_state, req), d;

	if (slot == NULL || slot->req != req)
		return AT_RC_ERROR;
	d = *slot;
	slot->req = NULL;
	if (early_data(m, &d, at_req_cmd(req)->name))
		return AT_RC_ERROR;
	return sent(req, &d, send_bytes(m, &d, data, len));
}

/* Checks done before the '@' prompt, so a refused command never swallows the host's bytes. */
static int can_send(const struct modem *m, int id, bool sendto)
{
	struct sock_info info;
	int rc = sock_get_info(m->socks, id, &info);

	if (rc < 0)
		return rc;
	if (sendto)
		return info.proto == SOCK_PROTO_UDP ? 0 : -EOPNOTSUPP;
	if (info.state == SOCK_STATE_PEER_CLOSED)
		return -EPIPE;
	return info.state == SOCK_STATE_CONNECTED ? 0 : -ENOTCONN;
}

/* Common body of +USOWR and +USOST once d (socket, destination) is known. */
static enum at_rc send_cmd(struct at_req *req, struct cmd_sock_pending_data *d, size_t len_arg,
			   size_t data_arg)
{
	struct modem *m = at_req_ctx(req);
	long len = at_arg_int(req, len_arg);
	uint8_t buf[SOCK_PAYLOAD_MAX];
	struct cmd_sock_pending_data *slot;
	enum at_rc rc;
	int n;

	if (over_limit(m, len, at_req_cmd(req)->name))
		return AT_RC_ERROR;
	n = can_send(m, d->id, d->ip[0] != '\0');
	if (n < 0)
		return cmd_fail(req, n);
	if (at_arg_present(req, data_arg)) {
		n = inline_data(req, data_arg, (size_t)len, buf);
		rc = n < 0 ? cmd_fail(req, n) : sent(req, d, send_bytes(m, d, buf, (size_t)n));
		OPENSSL_cleanse(buf, sizeof(buf));
		return rc;
	}
	slot = data_slot(m->sock_state, req);
	if (slot == NULL)
		return cmd_fail(req, -EBUSY);
	*slot = *d;
	slot->req = req;
	slot->prompt_ms = loop_now_ms(m->loop);
	at_req_expect_data(req, '@', (size_t)len, handle_prompt_data);
	return AT_RC_PENDING;
}

/* AT+USOWR=<s>,<len>[,"<data>"] */
enum at_rc cmd_sock_handle_usowr(struct at_req *req)
{
	struct cmd_sock_pending_data d = { .id = (int)at_arg_int(req, 0) };

	return send_cmd(req, &d, 1, 2);
}

/* AT+USOST=<s>,"<ip>",<port>,<len>[,"<data>"] */
enum at_rc cmd_sock_handle_usost(struct at_req *req)
{
	struct cmd_sock_pending_data d = { .id = (int)at_arg_int(req, 0),
					   .port = (uint16_t)at_arg_int(req, 2) };

	if (cmd_arg_copy(req, 1, d.ip, sizeof(d.ip)) < 0 || d.ip[0] == '\0')
		return cmd_fail(req, -EINVAL);
	return send_cmd(req, &d, 3, 4);
}

/* Appends "<head>\"<data>\"" with data raw (binary mode) or hex-encoded. */
static enum at_rc data_reply(struct at_req *req, const char *head, const uint8_t *data, size_t n)
{
	const struct modem *m = at_req_ctx(req);
	char hex[2 * SOCK_PAYLOAD_HEX_MAX + 1];

	if (!m->set.hex_mode)
		return at_reply_data(req, head, data, n, "\"") < 0 ? AT_RC_ERROR : AT_RC_OK;
	if (hex_encode(data, n, hex, sizeof(hex)) < 0)
		return AT_RC_ERROR;
	return at_reply(req, "%s%s\"", head, hex) < 0 ? AT_RC_ERROR : AT_RC_OK;
}

/* +USORD=<s>,0 / +USORF=<s>,0: bytes available; CME 3 once the peer closed and all was read. */
static enum at_rc available(struct at_req *req, const char *prefix, int id)
{
	struct modem *m = at_req_ctx(req);
	struct sock_info info;
	ssize_t avail = sock_available(m->socks, id);

	if (avail < 0 || sock_get_info(m->socks, id, &info) < 0)
		return cmd_fail(req, -EBADF);
	if (avail == 0 && info.state == SOCK_STATE_PEER_CLOSED)
		return cmd_fail(req, -ENOTCONN);
	cmd_reply(req, prefix, "%d,%zd", id, avail);
	return AT_RC_OK;
}

/* AT+USORD=<s>,<len> */
enum at_rc cmd_sock_handle_usord(struct at_req *req)
{
	struct modem *m = at_req_ctx(req);
	int id = (int)at_arg_int(req, 0);
	long len = at_arg_int(req, 1);
	uint8_t buf[SOCK_PAYLOAD_MAX];
	char head[HEAD_MAX];
	enum at_rc rc;
	ssize_t n;

	if (len == 0)
		return available(req, "+USORD", id);
	if (over_limit(m, len, "+USORD"))
		return AT_RC_ERROR;
	n = sock_read(m->socks, id, buf, (size_t)len);
	if (n < 0)
		return cmd_fail(req, (int)n);
	snprintf(head, sizeof(head), "+USORD%s%d,%zd,\"", cmd_colon(m), id, n);
	rc = data_reply(req, head, buf, (size_t)n);
	OPENSSL_cleanse(buf, sizeof(buf));
	return rc;
}

/* AT+USORF=<s>,<len> (UDP only) */
enum at_rc cmd_sock_handle_usorf(struct at_req *req)
{
	struct modem *m = at_req_ctx(req);
	int id = (int)at_arg_int(req, 0);
	long len = at_arg_int(req, 1);
	uint8_t buf[SOCK_PAYLOAD_MAX];
	char head[HEAD_MAX], ip[SOCK_IP_MAX] = "";
	struct sock_info info;
	uint16_t port = 0;
	enum at_rc rc;
	ssize_t n;

	if (sock_get_info(m->socks, id, &info) < 0)
		return cmd_fail(req, -EBADF);
	if (info.proto != SOCK_PROTO_UDP)
		return cmd_fail(req, -EOPNOTSUPP);
	if (len == 0)
		return available(req, "+USORF", id);
	if (over_limit(m, len, "+USORF"))
		return AT_RC_ERROR;
	n = sock_recvfrom(m->socks, id, buf, (size_t)len, ip, &port);
	if (n < 0)
		return cmd_fail(req, (int)n);
	snprintf(head, sizeof(head), "+USORF%s%d,\"%s\",%u,%zd,\"", cmd_colon(m), id, ip,
		 (unsigned)port, n);
	rc = data_reply(req, head, buf, (size_t)n);
	OPENSSL_cleanse(buf, sizeof(buf));
	return rc;
}
