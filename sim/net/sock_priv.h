/* SPDX-License-Identifier: Apache-2.0 */
/* Internals shared by sock.c and sock_ctl.c only. */
#ifndef SIM_NET_SOCK_PRIV_H
#define SIM_NET_SOCK_PRIV_H

#include <netinet/in.h>

#include "buf.h"
#include "pcap.h"
#include "sock.h"

struct loop_source;
struct sock_tls;

#define SOCK_OPT_COUNT 9
#define SOCK_EVQ_LEN   64

struct dgram {
	struct dgram *next;
	uint64_t due; /* netem delay line: when it reaches the socket buffer */
	struct sockaddr_in from;
	size_t len, off;
	uint8_t data[];
};

struct slot {
	struct sock_table *t;
	int id;
	enum sock_state state;
	enum sock_proto proto;
	int fd;
	uint16_t local_port; /* requested at +USOCR (0: ephemeral) */
	struct loop_source *src;
	struct loop_source *timer; /* connect/handshake deadline */
	struct loop_source *dtls_timer;
	uint64_t deadline;
	bool secure;
	int profile;
	struct sock_tls *tls;
	bool handshaking;
	struct sockaddr_in peer;
	bool has_peer;
	struct buf rx; /* TCP plaintext */
	struct dgram *dq_head, *dq_tail;
	size_t dq_bytes;
	struct buf tx; /* TCP plaintext not yet taken by the host socket / TLS */
	bool rx_eof;
	unsigned want; /* extra poll events wanted by TLS */
	uint64_t bytes_sent, bytes_recv;
	int last_err;
	char reason[160];
	struct pcap_flow flow;
	bool opt_set[SOCK_OPT_COUNT];
	int opt_val[SOCK_OPT_COUNT][2];
	/* sock_netem.c */
	struct dgram *dl_head, *dl_tail; /* received, delayed by rtt_ms */
	size_t dl_bytes;
	struct loop_source *dl_timer;
	struct dgram *held; /* sent datagram held back for reordering */
	struct loop_source *held_timer;
};

struct pending_ev {
	struct sock_event ev;
};

struct sock_table {
	struct loop *loop;
	unsigned max, max_secure;
	unsigned timeout_ms;
	struct slot *slots;
	sock_event_fn *ev_fn;
	void *ev_data;
	sock_traffic_fn *traffic_fn;
	void *traffic_data;
	const struct secprof_store *profiles;
	const struct credstore *creds;
	secprof_psk_gen_fn *psk_gen;
	void *psk_data;
	struct pcap_writer *pcap;
	int keylog_fd; /* --keylog, -1 without */
	int last_err;
	struct pending_ev evq[SOCK_EVQ_LEN];
	unsigned evq_head, evq_len;
	struct loop_source *ev_timer;
	struct sock_netem netem;
};

/* sock.c */
struct slot *sock_slot(const struct sock_table *t, int id);
int sock_fail(struct sock_table *t, struct slot *s, int err);
void sock_addr_str(const struct sockaddr_in *a, char ip[SOCK_IP_MAX], uint16_t *port);

void sock_slot_release(struct slot *s);

/* sock_table.c: events are queued and delivered from a 0 ms loop timer. */
void sock_post(struct sock_table *t, const struct sock_event *ev);
void sock_post_simple(struct slot *s, enum sock_event_type type, int err);
/* Drops queued events of id (except INCOMING, which names a different id). */
void sock_purge(struct sock_table *t, int id);

/*
 * sock.c: a datagram copy (from may be NULL), appending one to a list, freeing one (its bytes
 * wiped; NULL-safe) and a whole list.
 */
struct dgram *sock_dgram_new(const void *data, size_t len, const struct sockaddr_in *from);
void sock_dgram_push(struct dgram **head, struct dgram **tail, struct dgram *d);
void sock_dgram_free(struct dgram *d);
void sock_dgram_clear(struct dgram **head, struct dgram **tail);

/* sock.c: received data into the socket's buffer (rx or datagram queue), DATA event when it
 * was empty. 0 or -ENOBUFS/-ENOMEM. */
int sock_rx_add(struct slot *s, const void *data, size_t len, const struct sockaddr_in *from);

/* sock_netem.c: the impairments of t->netem. */
/* An outbound datagram (plain UDP or a DTLS record): true when netem took it (lost, held
 * back, or sent together with the held one); false: send it as usual. to NULL: connected. */
bool sock_netem_out(struct slot *s, const void *data, size_t len, const struct sockaddr_in *to);
/* An inbound datagram: true to lose it. */
bool sock_netem_in_lost(struct slot *s);
/* Received data: into the buffer now, or after rtt_ms. */
int sock_netem_rx(struct slot *s, const void *data, size_t len, const struct sockaddr_in *from);
/* Frees delayed and held data and their timers (close, release). */
void sock_netem_clear(struct slot *s);
/* True when a TCP socket has moved reset_after bytes and must be reset now. */
bool sock_netem_reset_due(const struct slot *s);

/* sock_ctl.c: applies the stored options to a fresh host socket. */
int sock_opts_apply(struct slot *s);

#endif /* SIM_NET_SOCK_PRIV_H */
