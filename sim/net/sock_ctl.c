/* SPDX-License-Identifier: Apache-2.0 */
/* +USOSO / +USOGO options and the +USOCTL view of a socket. */
#define LOG_MODULE "sock"
#include "sock.h"

#include <errno.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "compiler.h"
#include "log.h"
#include "sock_priv.h"

enum opt_kind { OPT_BOOL, OPT_INT, OPT_MS_TO_S, OPT_LINGER };

struct opt_def {
	int level, name; /* u-blox numbering */
	int os_level, os_name;
	enum opt_kind kind;
	int min, max;
	bool tcp_only;
};

static const struct opt_def opts[SOCK_OPT_COUNT] = {
	{ 0, 1, IPPROTO_IP, IP_TOS, OPT_INT, 0, 255, false },
	{ 0, 2, IPPROTO_IP, IP_TTL, OPT_INT, 1, 255, false },
	{ 6, 1, IPPROTO_TCP, TCP_NODELAY, OPT_BOOL, 0, 1, true },
	{ 6, 2, IPPROTO_TCP, TCP_KEEPIDLE, OPT_MS_TO_S, 1000, 2147483647, true },
	{ 65535, 4, SOL_SOCKET, SO_REUSEADDR, OPT_BOOL, 0, 1, false },
	{ 65535, 8, SOL_SOCKET, SO_KEEPALIVE, OPT_BOOL, 0, 1, true },
	{ 65535, 0x20, SOL_SOCKET, SO_BROADCAST, OPT_BOOL, 0, 1, false },
	{ 65535, 0x80, SOL_SOCKET, SO_LINGER, OPT_LINGER, 0, 1, true },
	{ 65535, 0x200, SOL_SOCKET, SO_REUSEPORT, OPT_BOOL, 0, 1, false },
};

static int find_opt(int level, int name)
{
	for (size_t i = 0; i < ARRAY_LEN(opts); i++)
		if (opts[i].level == level && opts[i].name == name)
			return (int)i;
	return -ENOPROTOOPT;
}

static int apply_one(int fd, const struct opt_def *o, const int v[2])
{
	struct linger lg = { .l_onoff = v[0], .l_linger = v[1] };
	int iv = o->kind == OPT_MS_TO_S ? v[0] / 1000 : v[0];
	const void *p = o->kind == OPT_LINGER ? (const void *)&lg : (const void *)&iv;
	socklen_t len = o->kind == OPT_LINGER ? sizeof(lg) : sizeof(iv);

	if (fd < 0)
		return 0;
	return setsockopt(fd, o->os_level, o->os_name, p, len) < 0 ? -errno : 0;
}

int sock_opts_apply(struct slot *s)
{
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < ARRAY_LEN(opts); i++)
		if (s->opt_set[i])
			rc = apply_one(s->fd, &opts[i], s->opt_val[i]);
	return rc;
}

int sock_set_option(struct sock_table *t, int id, int level, int name, int val, int val2)
{
	struct slot *s = sock_slot(t, id);
	int i = find_opt(level, name), v[2] = { val, val2 }, rc;

	if (s == NULL)
		return sock_fail(t, NULL, -EBADF);
	if (i < 0 || (opts[i].tcp_only && s->proto != SOCK_PROTO_TCP))
		return sock_fail(t, s, -ENOPROTOOPT);
	if (val < opts[i].min || val > opts[i].max ||
	    (opts[i].kind == OPT_LINGER && (val2 < 0 || val2 > 32767)))
		return sock_fail(t, s, -EINVAL);
	rc = apply_one(s->fd, &opts[i], v);
	if (rc < 0)
		return sock_fail(t, s, rc);
	s->opt_set[i] = true;
	s->opt_val[i][0] = val;
	s->opt_val[i][1] = opts[i].kind == OPT_LINGER ? val2 : 0;
	return 0;
}

static int read_os(int fd, const struct opt_def *o, int *val, int *val2)
{
	struct linger lg = { 0 };
	int iv = 0;
	socklen_t len = o->kind == OPT_LINGER ? sizeof(lg) : sizeof(iv);
	void *p = o->kind == OPT_LINGER ? (void *)&lg : (void *)&iv;

	if (fd < 0 || getsockopt(fd, o->os_level, o->os_name, p, &len) < 0)
		return -ENOTCONN;
	*val = o->kind == OPT_LINGER ? lg.l_onoff : iv;
	*val2 = o->kind == OPT_LINGER ? lg.l_linger : 0;
	if (o->kind == OPT_MS_TO_S)
		*val *= 1000;
	if (o->kind == OPT_BOOL)
		*val = *val != 0;
	return 0;
}

int sock_get_option(const struct sock_table *t, int id, int level, int name, int *val, int *val2)
{
	const struct slot *s = sock_slot(t, id);
	int i = find_opt(level, name);

	if (s == NULL)
		return -EBADF;
	if (i < 0 || (opts[i].tcp_only && s->proto != SOCK_PROTO_TCP))
		return -ENOPROTOOPT;
	if (s->opt_set[i]) {
		*val = s->opt_val[i][0];
		*val2 = s->opt_val[i][1];
		return 0;
	}
	return read_os(s->fd, &opts[i], val, val2);
}

/* Linux TCP_INFO states -> u-blox +USOCTL=<s>,10 numbering. */
static int tcp_state(const struct slot *s)
{
	static const int map[] = {
		[TCP_ESTABLISHED] = 4, [TCP_SYN_SENT] = 2,   [TCP_SYN_RECV] = 3,
		[TCP_FIN_WAIT1] = 5,   [TCP_FIN_WAIT2] = 6,  [TCP_TIME_WAIT] = 10,
		[TCP_CLOSE] = 0,       [TCP_CLOSE_WAIT] = 7, [TCP_LAST_ACK] = 9,
		[TCP_LISTEN] = 1,      [TCP_CLOSING] = 8,
	};
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	if (s->proto != SOCK_PROTO_TCP || s->fd < 0)
		return 0;
	if (getsockopt(s->fd, IPPROTO_TCP, TCP_INFO, &ti, &len) < 0 ||
	    ti.tcpi_state >= ARRAY_LEN(map))
		return 0;
	return map[ti.tcpi_state];
}

int sock_get_info(const struct sock_table *t, int id, struct sock_info *out)
{
	const struct slot *s = sock_slot(t, id);
	int q = 0;

	if (s == NULL)
		return -EBADF;
	memset(out, 0, sizeof(*out));
	out->proto = s->proto;
	out->last_error = s->last_err;
	out->bytes_sent = s->bytes_sent;
	out->bytes_received = s->bytes_recv;
	out->has_peer = s->has_peer;
	if (s->has_peer)
		sock_addr_str(&s->peer, out->peer_ip, &out->peer_port);
	out->tcp_state = tcp_state(s);
	if (s->proto == SOCK_PROTO_TCP && s->fd >= 0 && ioctl(s->fd, SIOCOUTQ, &q) == 0)
		out->unacked = q;
	out->state = s->state;
	out->secure = s->secure;
	out->profile = s->profile;
	return 0;
}
