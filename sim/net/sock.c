/* SPDX-License-Identifier: Apache-2.0 */
#define LOG_MODULE "sock"
#include "sock.h"

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "compiler.h"
#include "log.h"
#include "loop.h"
#include "sock_errno.h"
#include "sock_priv.h"
#include "sock_tls.h"

#define READ_CHUNK 16384

static void on_fd(void *data, int fd, unsigned revents);
static void do_read(struct slot *s);

/* ---- helpers ---- */

struct slot *sock_slot(const struct sock_table *t, int id)
{
	if (t == NULL || id < 0 || (unsigned)id >= t->max)
		return NULL;
	return t->slots[id].state == SOCK_STATE_FREE ? NULL : &t->slots[id];
}

void sock_addr_str(const struct sockaddr_in *a, char ip[SOCK_IP_MAX], uint16_t *port)
{
	if (inet_ntop(AF_INET, &a->sin_addr, ip, SOCK_IP_MAX) == NULL)
		ip[0] = '\0';
	if (port != NULL)
		*port = ntohs(a->sin_port);
}

static int parse_addr(const char *ip, uint16_t port, struct sockaddr_in *out)
{
	memset(out, 0, sizeof(*out));
	out->sin_family = AF_INET;
	out->sin_port = htons(port);
	if (ip == NULL || inet_pton(AF_INET, ip, &out->sin_addr) != 1 || port == 0)
		return -EINVAL;
	return 0;
}

/* Records err (a -errno) as the socket's and the table's last error; returns err. */
int sock_fail(struct sock_table *t, struct slot *s, int err)
{
	int u = sock_errno_to_ublox(err);

	if (t != NULL)
		t->last_err = u;
	if (s != NULL)
		s->last_err = u;
	return err;
}

/* ---- wire accounting (plain sockets here, TLS through the BIO hook) ---- */

static void wire(void *data, bool out, const void *bytes, size_t n)
{
	struct slot *s = data;

	if (out)
		s->bytes_sent += n;
	else
		s->bytes_recv += n;
	if (s->t->traffic_fn != NULL && n > 0)
		s->t->traffic_fn(s->t->traffic_data, out, n);
	if (s->t->pcap != NULL && pcap_flow_data(s->t->pcap, &s->flow, out, bytes, n) < 0)
		log_warn("pcap write failed");
}

static void flow_setup(struct slot *s, const struct sockaddr_in *peer)
{
	struct sockaddr_in local = { 0 };
	socklen_t len = sizeof(local);

	if (getsockname(s->fd, (struct sockaddr *)&local, &len) < 0 ||
	    local.sin_addr.s_addr == htonl(INADDR_ANY))
		local.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	pcap_flow_init(&s->flow, (uint8_t)s->proto, ntohl(local.sin_addr.s_addr),
		       ntohs(local.sin_port), ntohl(peer->sin_addr.s_addr), ntohs(peer->sin_port));
}

/* ---- host socket lifecycle ---- */

static void update_events(struct slot *s)
{
	unsigned ev = s->want;

	if (s->src == NULL)
		return;
	switch (s->state) {
	case SOCK_STATE_CONNECTING:
		if (!s->handshaking)
			ev |= POLLOUT;
		break;
	case SOCK_STATE_LISTENING:
		ev |= POLLIN;
		break;
	case SOCK_STATE_CREATED:
	case SOCK_STATE_CONNECTED:
		if ((s->proto == SOCK_PROTO_UDP ? s->dq_bytes : s->rx.len) + s->dl_bytes <
		    SOCK_RX_MAX)
			ev |= POLLIN;
		if (s->tx.len > 0)
			ev |= POLLOUT;
		if (s->proto == SOCK_PROTO_TCP && s->state == SOCK_STATE_CREATED)
			ev = 0;
		break;
	default:
		ev = 0;
		break;
	}
	loop_set_events(s->src, ev);
}

static void close_host(struct slot *s)
{
	loop_remove(s->t->loop, s->src);
	loop_remove(s->t->loop, s->timer);
	loop_remove(s->t->loop, s->dtls_timer);
	s->src = s->timer = s->dtls_timer = NULL;
	sock_tls_destroy(s->tls);
	s->tls = NULL;
	s->handshaking = false;
	s->want = 0;
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

static int open_host(struct slot *s)
{
	int type = s->proto == SOCK_PROTO_TCP ? SOCK_STREAM : SOCK_DGRAM;
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(s->local_port) };
	int rc;

	close_host(s);
	s->fd = socket(AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd < 0)
		return -errno;
	rc = sock_opts_apply(s);
	if (rc == 0 && s->local_port != 0 && bind(s->fd, (struct sockaddr *)&a, sizeof(a)) < 0)
		rc = -errno;
	if (rc == 0) {
		s->src = loop_add_fd(s->t->loop, s->fd, 0, on_fd, s);
		if (s->src == NULL)
			rc = -ENOMEM;
	}
	if (rc < 0)
		close_host(s);
	return rc;
}

static void dq_clear(struct slot *s)
{
	sock_dgram_clear(&s->dq_head, &s->dq_tail);
	s->dq_bytes = 0;
}

void sock_slot_release(struct slot *s)
{
	struct sock_table *t = s->t;
	int id = s->id;

	close_host(s);
	sock_netem_clear(s);
	dq_clear(s);
	buf_finish(&s->rx);
	buf_finish(&s->tx);
	memset(s, 0, sizeof(*s));
	s->t = t;
	s->id = id;
	s->fd = -1;
	s->state = SOCK_STATE_FREE;
}

static struct slot *claim(struct sock_table *t, enum sock_proto proto)
{
	for (unsigned i = 0; i < t->max; i++) {
		struct slot *s = &t->slots[i];

		if (s->state != SOCK_STATE_FREE)
			continue;
		s->state = SOCK_STATE_CREATED;
		s->proto = proto;
		buf_init_secret(&s->rx, SOCK_RX_MAX);
		buf_init_secret(&s->tx, SOCK_TX_MAX);
		return s;
	}
	return NULL;
}

/* ---- create / security ---- */

int sock_create(struct sock_table *t, int proto, uint16_t local_port)
{
	struct slot *s;
	int rc;

	if (t == NULL || (proto != SOCK_PROTO_TCP && proto != SOCK_PROTO_UDP))
		return sock_fail(t, NULL, -EINVAL);
	s = claim(t, (enum sock_proto)proto);
	if (s == NULL)
		return sock_fail(t, NULL, -EMFILE);
	s->local_port = local_port;
	rc = open_host(s);
	if (rc < 0) {
		sock_slot_release(s);
		return sock_fail(t, NULL, rc);
	}
	update_events(s);
	log_debug("socket %d created (%s, local port %u)", s->id, proto == 6 ? "TCP" : "UDP",
		  local_port);
	return s->id;
}

int sock_set_security(struct sock_table *t, int id, bool on, int profile)
{
	struct slot *s = sock_slot(t, id);
	unsigned n = 0;

	if (s == NULL)
		return sock_fail(t, NULL, -EBADF);
	if (on && (profile < 0 || profile >= SECPROF_COUNT))
		return sock_fail(t, s, -EINVAL);
	if (s->state != SOCK_STATE_CREATED && s->state != SOCK_STATE_FAILED)
		return sock_fail(t, s, -EISCONN);
	for (unsigned i = 0; i < t->max; i++)
		n += (t->slots[i].state != SOCK_STATE_FREE && t->slots[i].secure && (int)i != id);
	if (on && n >= t->max_secure)
		return sock_fail(t, s, -EMFILE);
	s->secure = on;
	s->profile = on ? profile : 0;
	return 0;
}

int sock_get_security(const struct sock_table *t, int id, bool *on, int *profile)
{
	const struct slot *s = sock_slot(t, id);

	if (s == NULL)
		return -EBADF;
	*on = s->secure;
	*profile = s->profile;
	return 0;
}

/* ---- connect and handshake ---- */

static void connect_failed(struct slot *s, int err, const char *reason)
{
	if (s->reason[0] == '\0' || reason != NULL)
		snprintf(s->reason, sizeof(s->reason), "%s",
			 reason != NULL ? reason : strerror(-err));
	log_warn("socket %d: connect failed: %s", s->id, s->reason);
	if (s->t->pcap != NULL)
		pcap_flow_fin(s->t->pcap, &s->flow, true);
	close_host(s);
	s->state = SOCK_STATE_FAILED;
	sock_post_simple(s, SOCK_EV_CONNECTED, sock_errno_to_ublox(sock_fail(s->t, s, err)));
}

static void connected(struct slot *s)
{
	loop_remove(s->t->loop, s->timer);
	s->timer = NULL;
	s->state = SOCK_STATE_CONNECTED;
	s->reason[0] = '\0';
	log_info("socket %d connected%s", s->id, s->tls != NULL ? " (secure)" : "");
	sock_post_simple(s, SOCK_EV_CONNECTED, 0);
	update_events(s);
	if (s->tls != NULL && sock_tls_has_pending(s->tls))
		do_read(s);
}

static void on_dtls_timer(void *data);

static void step_handshake(struct slot *s)
{
	unsigned ev = 0;
	long ms;
	int rc = sock_tls_handshake(s->tls, &ev);

	loop_remove(s->t->loop, s->dtls_timer);
	s->dtls_timer = NULL;
	if (rc == -EAGAIN) {
		s->want = ev;
		ms = sock_tls_timer_ms(s->tls);
		if (ms >= 0)
			s->dtls_timer = loop_add_timer(s->t->loop, (uint64_t)ms, on_dtls_timer, s);
		update_events(s);
		return;
	}
	if (rc < 0) {
		connect_failed(s, rc, sock_tls_reason(s->tls));
		return;
	}
	s->handshaking = false;
	s->want = 0;
	connected(s);
}

static void on_dtls_timer(void *data)
{
	struct slot *s = data;
	int rc;

	s->dtls_timer = NULL;
	if (s->tls == NULL || !s->handshaking)
		return;
	rc = sock_tls_handle_timeout(s->tls);
	if (rc < 0)
		connect_failed(s, rc, sock_tls_reason(s->tls));
	else
		step_handshake(s);
}

static void on_deadline(void *data)
{
	struct slot *s = data;

	s->timer = NULL;
	if (s->state != SOCK_STATE_CONNECTING)
		return;
	if (s->handshaking && s->tls != NULL)
		connect_failed(s, -ETIMEDOUT, sock_tls_stall_reason(s->tls));
	else
		connect_failed(s, -ETIMEDOUT,
			       s->handshaking ? "handshake timeout" : "connect timeout");
}

/* One line per write(): O_APPEND keeps lines whole even with several writers. */
static void write_keylog(void *data, const char *line)
{
	const struct sock_table *t = data;
	size_t len = strlen(line);
	char *text = malloc(len + 1);

	if (text == NULL)
		return;
	memcpy(text, line, len);
	text[len] = '\n';
	if (write(t->keylog_fd, text, len + 1) != (ssize_t)(len + 1))
		log_warn("key log write failed");
	OPENSSL_cleanse(text, len + 1);
	free(text);
}

static bool tls_dgram_out(void *data, const void *bytes, size_t len)
{
	return sock_netem_out(data, bytes, len, NULL);
}

static bool tls_dgram_in_lost(void *data)
{
	return sock_netem_in_lost(data);
}

static int start_tls(struct slot *s)
{
	const struct secprof *p = secprof_store_get(s->t->profiles, s->profile);
	struct sock_tls_cfg cfg = {
		.prof = p,
		.creds = s->t->creds,
		.psk_gen = s->t->psk_gen,
		.psk_data = s->t->psk_data,
		.dtls = s->proto == SOCK_PROTO_UDP,
		.fd = s->fd,
		.wire = wire,
		.wire_data = s,
		.keylog = s->t->keylog_fd >= 0 ? write_keylog : NULL,
		.keylog_data = s->t,
		.dgram_out = tls_dgram_out,
		.dgram_in_lost = tls_dgram_in_lost,
	};
	char reason[SOCK_TLS_REASON_MAX];
	int err = 0;

	if (p == NULL) {
		connect_failed(s, -EINVAL, "no security profile store attached");
		return -EINVAL;
	}
	s->tls = sock_tls_create(&cfg, &err, reason);
	if (s->tls == NULL) {
		connect_failed(s, err, reason);
		return err;
	}
	s->handshaking = true;
	step_handshake(s);
	return 0;
}

static void finish_connect(struct slot *s)
{
	int err = 0;
	socklen_t len = sizeof(err);

	if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		err = errno;
	if (err == EINPROGRESS || err == EALREADY)
		return;
	if (err != 0) {
		connect_failed(s, -err, err == ECONNREFUSED ? "connection refused" : strerror(err));
		return;
	}
	if (s->t->pcap != NULL)
		pcap_flow_open(s->t->pcap, &s->flow);
	if (s->secure)
		(void)start_tls(s);
	else
		connected(s);
}

static int connect_checks(struct sock_table *t, struct slot *s)
{
	if (s == NULL)
		return -EBADF;
	if (s->state == SOCK_STATE_CONNECTING)
		return -EALREADY;
	if (s->state != SOCK_STATE_CREATED && s->state != SOCK_STATE_FAILED)
		return -EISCONN;
	if (s->secure && t->profiles == NULL)
		return -EINVAL;
	return 0;
}

int sock_connect(struct sock_table *t, int id, const char *ip, uint16_t port)
{
	struct slot *s = sock_slot(t, id);
	struct sockaddr_in peer;
	int rc = connect_checks(t, s);

	if (rc == 0)
		rc = parse_addr(ip, port, &peer);
	if (rc == 0 && (s->state == SOCK_STATE_FAILED || s->fd < 0))
		rc = open_host(s);
	if (rc < 0)
		return sock_fail(t, s, rc);
	s->reason[0] = '\0';
	s->peer = peer;
	s->has_peer = true;
	if (connect(s->fd, (struct sockaddr *)&peer, sizeof(peer)) < 0 && errno != EINPROGRESS) {
		rc = -errno;
		snprintf(s->reason, sizeof(s->reason), "%s", strerror(-rc));
		s->state = SOCK_STATE_FAILED;
		return sock_fail(t, s, rc);
	}
	flow_setup(s, &peer);
	if (s->proto == SOCK_PROTO_UDP && !s->secure) {
		s->state = SOCK_STATE_CONNECTED;
		update_events(s);
		return 0;
	}
	s->state = SOCK_STATE_CONNECTING;
	s->timer = loop_add_timer(t->loop, t->timeout_ms, on_deadline, s);
	if (s->proto == SOCK_PROTO_UDP)
		(void)start_tls(s);
	else
		update_events(s);
	return -EINPROGRESS;
}

const char *sock_reason(const struct sock_table *t, int id)
{
	const struct slot *s = sock_slot(t, id);

	return s != NULL ? s->reason : "";
}

/* ---- receive path ---- */

static void peer_closed(struct slot *s, int err)
{
	if (s->state != SOCK_STATE_CONNECTED)
		return;
	log_info("socket %d closed by the peer (%s), %zu bytes still buffered", s->id,
		 err == 0 ? "clean" : strerror(-err), s->rx.len + s->dq_bytes);
	if (err != 0)
		sock_fail(s->t, s, err);
	if (s->t->pcap != NULL)
		pcap_flow_fin(s->t->pcap, &s->flow, false);
	close_host(s);
	s->rx_eof = true;
	s->state = SOCK_STATE_PEER_CLOSED;
	sock_post_simple(s, SOCK_EV_CLOSED, err == 0 ? 0 : sock_errno_to_ublox(err));
}

static ssize_t host_recv(struct slot *s, void *buf, size_t len)
{
	ssize_t n;

	if (s->tls != NULL)
		return sock_tls_read(s->tls, buf, len, &s->want);
	n = recv(s->fd, buf, len, 0);
	if (n < 0)
		return (errno == EAGAIN || errno == EWOULDBLOCK) ? -EAGAIN : -errno;
	wire(s, false, buf, (size_t)n);
	return n;
}

static int dq_push(struct slot *s, const void *data, size_t len, const struct sockaddr_in *from);

static void read_stream(struct slot *s)
{
	uint8_t chunk[READ_CHUNK];

	while (s->state == SOCK_STATE_CONNECTED && s->rx.len < SOCK_RX_MAX) {
		size_t room = SOCK_RX_MAX - s->rx.len;
		ssize_t n = host_recv(s, chunk, room < sizeof(chunk) ? room : sizeof(chunk));

		if (n == -EAGAIN)
			break;
		if (n <= 0) {
			peer_closed(s, (int)n);
			break;
		}
		s->want = 0;
		if (sock_netem_rx(s, chunk, (size_t)n, NULL) < 0)
			break;
	}
	OPENSSL_cleanse(chunk, sizeof(chunk));
}

struct dgram *sock_dgram_new(const void *data, size_t len, const struct sockaddr_in *from)
{
	struct dgram *d = calloc(1, sizeof(*d) + len);

	if (d == NULL)
		return NULL;
	memcpy(d->data, data, len);
	d->len = len;
	if (from != NULL)
		d->from = *from;
	return d;
}

void sock_dgram_push(struct dgram **head, struct dgram **tail, struct dgram *d)
{
	if (*tail != NULL)
		(*tail)->next = d;
	else
		*head = d;
	*tail = d;
}

void sock_dgram_free(struct dgram *d)
{
	if (d == NULL)
		return;
	OPENSSL_cleanse(d->data, d->len);
	free(d);
}

void sock_dgram_clear(struct dgram **head, struct dgram **tail)
{
	while (*head != NULL) {
		struct dgram *d = *head;

		*head = d->next;
		sock_dgram_free(d);
	}
	*tail = NULL;
}

int sock_rx_add(struct slot *s, const void *data, size_t len, const struct sockaddr_in *from)
{
	bool was_empty = s->proto == SOCK_PROTO_UDP ? s->dq_head == NULL : s->rx.len == 0;
	int rc = s->proto == SOCK_PROTO_UDP          ? dq_push(s, data, len, from)
		 : buf_append(&s->rx, data, len) < 0 ? -ENOMEM
						     : 0;

	if (rc == 0 && was_empty)
		sock_post_simple(s, SOCK_EV_DATA, 0);
	return rc;
}

static int dq_push(struct slot *s, const void *data, size_t len, const struct sockaddr_in *from)
{
	struct dgram *d;

	if (s->dq_bytes + len > SOCK_RX_MAX) {
		log_warn("socket %d: receive buffer full, datagram of %zu bytes dropped", s->id,
			 len);
		return -ENOBUFS;
	}
	d = sock_dgram_new(data, len, from);
	if (d == NULL)
		return -ENOMEM;
	sock_dgram_push(&s->dq_head, &s->dq_tail, d);
	s->dq_bytes += len;
	return 0;
}

static ssize_t recv_dgram(struct slot *s, uint8_t *buf, size_t len, struct sockaddr_in *from)
{
	socklen_t alen = sizeof(*from);
	ssize_t n;

	if (s->tls != NULL) {
		*from = s->peer;
		return sock_tls_read(s->tls, buf, len, &s->want);
	}
	n = recvfrom(s->fd, buf, len, 0, (struct sockaddr *)from, &alen);
	if (n < 0)
		return (errno == EAGAIN || errno == EWOULDBLOCK) ? -EAGAIN : -errno;
	if (!s->has_peer)
		flow_setup(s, from);
	wire(s, false, buf, (size_t)n);
	return sock_netem_in_lost(s) ? -EAGAIN : n;
}

static void read_dgrams(struct slot *s)
{
	static const size_t max = 65536;
	uint8_t *buf = malloc(max);
	struct sockaddr_in from;

	for (int i = 0; buf != NULL && i < 64 && s->dq_bytes < SOCK_RX_MAX; i++) {
		ssize_t n = recv_dgram(s, buf, max, &from);

		if (n == -EAGAIN)
			break;
		if (n < 0 || (n == 0 && s->tls != NULL)) {
			/* ICMP errors surface here on a connected UDP socket: keep it open. */
			log_info("socket %d: receive error: %s", s->id,
				 strerror(n < 0 ? (int)-n : EPIPE));
			sock_fail(s->t, s, n < 0 ? (int)n : -EPIPE);
			if (s->tls != NULL)
				peer_closed(s, n < 0 ? (int)n : 0);
			break;
		}
		s->want = 0;
		(void)sock_netem_rx(s, buf, (size_t)n, &from);
	}
	free(buf);
}

static void do_read(struct slot *s)
{
	if (s->proto == SOCK_PROTO_UDP)
		read_dgrams(s);
	else
		read_stream(s);
	update_events(s);
}

/* ---- transmit path ---- */

static ssize_t host_send(struct slot *s, const void *data, size_t len)
{
	ssize_t n;

	if (s->tls != NULL)
		return sock_tls_write(s->tls, data, len, &s->want);
	if (s->proto == SOCK_PROTO_UDP && sock_netem_out(s, data, len, NULL)) {
		wire(s, true, data, len);
		return (ssize_t)len;
	}
	n = send(s->fd, data, len, MSG_NOSIGNAL);
	if (n < 0)
		return (errno == EAGAIN || errno == EWOULDBLOCK) ? -EAGAIN : -errno;
	wire(s, true, data, (size_t)n);
	return n;
}

static void flush_tx(struct slot *s)
{
	while (s->state == SOCK_STATE_CONNECTED && s->tx.len > 0) {
		ssize_t n = host_send(s, s->tx.data, s->tx.len);

		if (n == -EAGAIN)
			break;
		if (n <= 0) {
			peer_closed(s, n < 0 ? (int)n : -EPIPE);
			return;
		}
		s->want = 0;
		buf_consume(&s->tx, (size_t)n);
	}
	update_events(s);
}

static void do_accept(struct slot *l);

/* Network fault tcp_reset: an RST to the peer, +UUSOCL (error ECONNRESET) to the host. */
static void reset_if_due(struct slot *s)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };

	if (!sock_netem_reset_due(s))
		return;
	log_info("socket %d reset after %llu bytes (fault tcp_reset)", s->id,
		 (unsigned long long)(s->bytes_sent + s->bytes_recv));
	if (setsockopt(s->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)) < 0)
		log_warn("socket %d: SO_LINGER: %m", s->id);
	peer_closed(s, -ECONNRESET);
}

static void on_fd(void *data, int fd, unsigned revents)
{
	struct slot *s = data;

	(void)fd;
	if (s->state == SOCK_STATE_CONNECTING) {
		if (s->handshaking)
			step_handshake(s);
		else
			finish_connect(s);
		return;
	}
	if (s->state == SOCK_STATE_LISTENING) {
		do_accept(s);
		return;
	}
	/* TLS may want the opposite direction (renegotiation, key update): try both. */
	if ((revents & POLLOUT) || s->tls != NULL)
		flush_tx(s);
	if ((revents & (POLLIN | POLLHUP | POLLERR)) || s->tls != NULL)
		do_read(s);
	reset_if_due(s);
}

ssize_t sock_write(struct sock_table *t, int id, const void *data, size_t len)
{
	struct slot *s = sock_slot(t, id);
	size_t room;
	ssize_t n;

	if (s == NULL)
		return sock_fail(t, NULL, -EBADF);
	if (s->state == SOCK_STATE_PEER_CLOSED)
		return sock_fail(t, s, -EPIPE);
	if (s->state != SOCK_STATE_CONNECTED)
		return sock_fail(t, s, -ENOTCONN);
	if (s->proto == SOCK_PROTO_UDP) {
		n = host_send(s, data, len);
		return n < 0 ? sock_fail(t, s, (int)n) : n;
	}
	room = SOCK_TX_MAX - s->tx.len;
	if (room == 0)
		return sock_fail(t, s, -EAGAIN);
	if (len > room)
		len = room;
	if (len > 0 && buf_append(&s->tx, data, len) < 0)
		return sock_fail(t, s, -ENOMEM);
	flush_tx(s);
	reset_if_due(s);
	return (ssize_t)len;
}

ssize_t sock_sendto(struct sock_table *t, int id, const char *ip, uint16_t port, const void *data,
		    size_t len)
{
	struct slot *s = sock_slot(t, id);
	struct sockaddr_in to;
	ssize_t n;

	if (s == NULL)
		return sock_fail(t, NULL, -EBADF);
	if (s->proto != SOCK_PROTO_UDP)
		return sock_fail(t, s, -EOPNOTSUPP);
	if (parse_addr(ip, port, &to) < 0)
		return sock_fail(t, s, -EINVAL);
	if (s->fd < 0)
		return sock_fail(t, s, -ENOTCONN);
	if (s->secure)
		log_warn("socket %d: +USOST on a secure UDP socket sends plain text (quirk Q7)",
			 s->id);
	n = sock_netem_out(s, data, len, &to)
		    ? (ssize_t)len
		    : sendto(s->fd, data, len, 0, (struct sockaddr *)&to, sizeof(to));
	if (n < 0)
		return sock_fail(t, s, -errno);
	if (!s->has_peer)
		flow_setup(s, &to);
	wire(s, true, data, (size_t)n);
	update_events(s);
	return n;
}

static bool readable_state(const struct slot *s)
{
	return s->state == SOCK_STATE_CONNECTED || s->state == SOCK_STATE_PEER_CLOSED ||
	       (s->state == SOCK_STATE_CREATED && s->proto == SOCK_PROTO_UDP);
}

ssize_t sock_recvfrom(struct sock_table *t, int id, void *buf, size_t len, char ip[SOCK_IP_MAX],
		      uint16_t *port)
{
	struct slot *s = sock_slot(t, id);
	struct dgram *d;
	size_t n;

	if (s == NULL)
		return sock_fail(t, NULL, -EBADF);
	if (s->proto != SOCK_PROTO_UDP)
		return sock_read(t, id, buf, len);
	d = s->dq_head;
	if (d == NULL)
		return readable_state(s) && s->state != SOCK_STATE_PEER_CLOSED
			       ? 0
			       : sock_fail(t, s, -ENOTCONN);
	n = len < d->len - d->off ? len : d->len - d->off;
	memcpy(buf, d->data + d->off, n);
	d->off += n;
	if (ip != NULL)
		sock_addr_str(&d->from, ip, port);
	if (d->off == d->len) {
		s->dq_head = d->next;
		if (s->dq_head == NULL)
			s->dq_tail = NULL;
		s->dq_bytes -= d->len;
		sock_dgram_free(d);
	}
	if (s->dq_head != NULL)
		sock_post_simple(s, SOCK_EV_DATA, 0);
	if (s->fd >= 0)
		do_read(s);
	return (ssize_t)n;
}

ssize_t sock_read(struct sock_table *t, int id, void *buf, size_t len)
{
	struct slot *s = sock_slot(t, id);
	size_t n;

	if (s == NULL)
		return sock_fail(t, NULL, -EBADF);
	if (s->proto == SOCK_PROTO_UDP)
		return sock_recvfrom(t, id, buf, len, NULL, NULL);
	if (s->rx.len == 0)
		return s->state == SOCK_STATE_CONNECTED ? 0 : sock_fail(t, s, -ENOTCONN);
	n = len < s->rx.len ? len : s->rx.len;
	memcpy(buf, s->rx.data, n);
	buf_consume(&s->rx, n);
	if (s->rx.len > 0)
		sock_post_simple(s, SOCK_EV_DATA, 0);
	if (s->state == SOCK_STATE_CONNECTED)
		do_read(s); /* room again: drain the host socket / OpenSSL's buffer */
	return (ssize_t)n;
}

ssize_t sock_available(const struct sock_table *t, int id)
{
	const struct slot *s = sock_slot(t, id);

	if (s == NULL)
		return -EBADF;
	if (s->proto == SOCK_PROTO_UDP)
		return s->dq_head != NULL ? (ssize_t)(s->dq_head->len - s->dq_head->off) : 0;
	return (ssize_t)s->rx.len;
}

/* ---- close / listen ---- */

static void shut_host(struct slot *s)
{
	if (s->state == SOCK_STATE_CONNECTED) {
		if (s->tx.len > 0)
			flush_tx(s);
		if (s->tls != NULL)
			sock_tls_shutdown(s->tls);
		if (s->t->pcap != NULL)
			pcap_flow_fin(s->t->pcap, &s->flow, true);
	}
	close_host(s);
}

int sock_close(struct sock_table *t, int id)
{
	struct slot *s = sock_slot(t, id);

	if (s == NULL || s->state == SOCK_STATE_CLOSING)
		return sock_fail(t, NULL, -EBADF);
	shut_host(s);
	sock_purge(t, id);
	sock_slot_release(s);
	log_debug("socket %d closed", id);
	return 0;
}

int sock_close_async(struct sock_table *t, int id)
{
	struct slot *s = sock_slot(t, id);

	if (s == NULL || s->state == SOCK_STATE_CLOSING)
		return sock_fail(t, NULL, -EBADF);
	shut_host(s);
	sock_purge(t, id);
	s->state = SOCK_STATE_CLOSING;
	sock_post_simple(s, SOCK_EV_CLOSE_DONE, 0);
	return 0;
}

int sock_kill(struct sock_table *t, int id)
{
	struct slot *s = sock_slot(t, id);

	if (s == NULL || s->state == SOCK_STATE_CLOSING)
		return -EBADF;
	log_info("socket %d dropped with the network (quirk Q15)", id);
	close_host(s);
	sock_netem_clear(s);
	sock_purge(t, id);
	dq_clear(s);
	buf_reset(&s->rx);
	buf_reset(&s->tx);
	s->rx_eof = true;
	s->state = SOCK_STATE_PEER_CLOSED;
	sock_fail(t, s, -ENETDOWN);
	return 0;
}

int sock_listen(struct sock_table *t, int id, uint16_t port)
{
	struct slot *s = sock_slot(t, id);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };

	if (s == NULL)
		return sock_fail(t, NULL, -EBADF);
	if (s->state != SOCK_STATE_CREATED || s->secure)
		return sock_fail(t, s, -EISCONN);
	if (s->local_port == 0 && bind(s->fd, (struct sockaddr *)&a, sizeof(a)) < 0)
		return sock_fail(t, s, -errno);
	s->local_port = port;
	if (s->proto == SOCK_PROTO_TCP) {
		if (listen(s->fd, 8) < 0)
			return sock_fail(t, s, -errno);
		s->state = SOCK_STATE_LISTENING;
	}
	update_events(s);
	return 0;
}

static void do_accept(struct slot *l)
{
	struct sockaddr_in peer, local;
	socklen_t plen = sizeof(peer), llen = sizeof(local);
	struct sock_event ev = { .type = SOCK_EV_INCOMING, .listen_id = l->id };
	struct slot *s;
	int fd = accept4(l->fd, (struct sockaddr *)&peer, &plen, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (fd < 0)
		return;
	s = claim(l->t, SOCK_PROTO_TCP);
	if (s == NULL) {
		log_warn("socket %d: incoming connection refused, no free socket", l->id);
		close(fd);
		return;
	}
	s->fd = fd;
	s->src = loop_add_fd(l->t->loop, fd, 0, on_fd, s);
	s->peer = peer;
	s->has_peer = true;
	s->state = SOCK_STATE_CONNECTED;
	getsockname(fd, (struct sockaddr *)&local, &llen);
	flow_setup(s, &peer);
	if (l->t->pcap != NULL)
		pcap_flow_open(l->t->pcap, &s->flow);
	update_events(s);
	ev.id = s->id;
	sock_addr_str(&peer, ev.peer_ip, &ev.peer_port);
	sock_addr_str(&local, ev.local_ip, &ev.local_port);
	sock_post(l->t, &ev);
}
