/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Emulated module sockets (ids 0..max-1) over real non-blocking host sockets, driven by the
 * process's poll loop. No AT text here: the owner (sim/cmd) turns calls into +USOxx replies and
 * events into URCs. See docs/sockets.md for the model, limits and error numbers.
 *
 * Errors: functions return >= 0 or -errno. The u-blox number for +USOER / +USOCTL=<s>,1 is kept
 * per socket and per table (sock_errno.h). Every failing call updates both.
 *
 * IPv4 only: addresses are dotted-quad strings.
 */
#ifndef SIM_NET_SOCK_H
#define SIM_NET_SOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "secprof.h"

struct loop;
struct credstore;
struct pcap_writer;
struct sock_table;

#define SOCK_MAX_DEFAULT     7    /* SARA-R5: ids 0..6 */
#define SOCK_PAYLOAD_MAX     1024 /* bytes per +USOWR/+USOST/+USORD/+USORF (binary) */
#define SOCK_PAYLOAD_HEX_MAX 512  /* same, in hex mode */
#define SOCK_RX_MAX                                                                                \
	65536                      /* receive buffer per socket; the host socket is not read       \
				    * while it is full */
#define SOCK_TX_MAX          65536 /* pending outbound bytes per TCP socket */
#define SOCK_IP_MAX          16    /* "255.255.255.255" + NUL */
#define SOCK_ROT_PSK_LEN     16    /* PSK length requested from the RoT callback (op 11) */
#define SOCK_TIMEOUT_DEFAULT 30000 /* ms for TCP connect + (D)TLS handshake */

enum sock_proto {
	SOCK_PROTO_TCP = 6,
	SOCK_PROTO_UDP = 17,
};

enum sock_state {
	SOCK_STATE_FREE = 0,
	SOCK_STATE_CREATED,     /* +USOCR done, not connected */
	SOCK_STATE_CONNECTING,  /* TCP connect or (D)TLS handshake in progress */
	SOCK_STATE_CONNECTED,   /* TCP connected, UDP peer recorded, or accepted */
	SOCK_STATE_LISTENING,   /* +USOLI */
	SOCK_STATE_PEER_CLOSED, /* remote closed or fatal error: buffered data still readable */
	SOCK_STATE_FAILED,      /* connect/handshake failed; connect may be retried */
	SOCK_STATE_CLOSING,     /* async close pending its SOCK_EV_CLOSE_DONE */
};

enum sock_event_type {
	SOCK_EV_DATA,       /* data arrived into an empty buffer, or remains after a partial read */
	SOCK_EV_CLOSED,     /* remote closed / fatal error (+UUSOCL) */
	SOCK_EV_CONNECTED,  /* async connect finished; err = 0 or the u-blox error (+UUSOCO) */
	SOCK_EV_INCOMING,   /* a listening socket accepted a connection as socket id (+UUSOLI) */
	SOCK_EV_CLOSE_DONE, /* sock_close_async finished (+UUSOCL) */
};

struct sock_event {
	enum sock_event_type type;
	int id;
	size_t avail;  /* DATA: TCP bytes buffered / UDP size (remainder) of the next datagram */
	bool datagram; /* DATA on a UDP socket (+UUSORF rather than +UUSORD, owner's choice) */
	int err;       /* CONNECTED, CLOSED: u-blox error number, 0 = success / clean close */
	int listen_id; /* INCOMING */
	char peer_ip[SOCK_IP_MAX];
	uint16_t peer_port;
	char local_ip[SOCK_IP_MAX];
	uint16_t local_port;
};

/* Events are delivered from the loop, never from inside the API call that caused them. */
typedef void sock_event_fn(void *data, const struct sock_event *ev);

/* +USOCTL view. */
struct sock_info {
	enum sock_proto proto;   /* param 0 */
	int last_error;          /* param 1, u-blox number */
	uint64_t bytes_sent;     /* param 2: bytes written to the host socket (TLS included) */
	uint64_t bytes_received; /* param 3: bytes read from the host socket (TLS included) */
	bool has_peer;           /* param 4 */
	char peer_ip[SOCK_IP_MAX];
	uint16_t peer_port;
	int tcp_state; /* param 10: 0..10 (u-blox numbering) */
	int unacked;   /* param 11: SIOCOUTQ */
	enum sock_state state;
	bool secure;
	int profile;
};

/*
 * Impairments of the module's network for every socket (ukms-sim's network faults; values,
 * no policy). All zero / false: none. chance(chance_data, pct) is true with probability pct/100,
 * drawn from the owner's seeded PRNG (deterministic runs); NULL: never.
 */
struct sock_netem {
	unsigned loss_pct;    /* UDP and DTLS datagrams lost, each direction */
	unsigned reorder_pct; /* a sent UDP/DTLS datagram is held back and sent after the next */
	unsigned rtt_ms;      /* received data reaches the socket's buffer this much later */
	bool reset;           /* TCP: reset (RST) once reset_after bytes were sent + received */
	uint64_t reset_after;
	bool (*chance)(void *data, unsigned pct);
	void *chance_data;
};

struct sock_table *sock_table_create(struct loop *loop, unsigned max_sockets);
/* Closes every socket. NULL-safe. */
void sock_table_destroy(struct sock_table *t);
void sock_table_set_event_cb(struct sock_table *t, sock_event_fn *fn, void *data);
/*
 * Wire traffic of every socket (the bytes +USOCTL params 2/3 count, TLS records included):
 * called synchronously with out = true for bytes sent, false for bytes received. The owner
 * feeds its data-volume counters and the radio's activity from it. NULL: none.
 */
typedef void sock_traffic_fn(void *data, bool out, size_t n);
void sock_table_set_traffic_cb(struct sock_table *t, sock_traffic_fn *fn, void *data);
/* Borrowed stores used by secure sockets at connect time. */
void sock_table_set_security(struct sock_table *t, const struct secprof_store *profiles,
			     const struct credstore *creds);
/* RoT PSK source for profiles with op 11 on; called once per handshake. */
void sock_table_set_psk_gen(struct sock_table *t, secprof_psk_gen_fn *fn, void *data);
/* At most n sockets may have security on (R4 persona: 4). Default: max_sockets. */
void sock_table_set_max_secure(struct sock_table *t, unsigned n);
/* Timeout for connect + handshake in ms (default SOCK_TIMEOUT_DEFAULT). */
void sock_table_set_timeout(struct sock_table *t, unsigned ms);
/* Borrowed pcap writer (NULL: none). */
void sock_table_set_pcap(struct sock_table *t, struct pcap_writer *w);
/* Every (D)TLS session's secrets as NSS key log lines to fd (borrowed; -1: none), --keylog. */
void sock_table_set_keylog(struct sock_table *t, int fd);
/* Copies ne (NULL: no impairment); applies to data from now on. */
void sock_table_set_netem(struct sock_table *t, const struct sock_netem *ne);
/* Last error of any socket call, u-blox number (+USOER). */
int sock_table_last_error(const struct sock_table *t);

/* +USOCR. local_port 0 = ephemeral. Returns the id, -EMFILE if all are used, -EINVAL,
 * -EADDRINUSE, ... */
int sock_create(struct sock_table *t, int proto, uint16_t local_port);
/* +USOSEC. Before connect only (-EISCONN after). -EMFILE past the secure limit. */
int sock_set_security(struct sock_table *t, int id, bool on, int profile);
int sock_get_security(const struct sock_table *t, int id, bool *on, int *profile);
/*
 * +USOCO. Returns 0 when already connected (plain UDP), -EINPROGRESS when SOCK_EV_CONNECTED
 * will follow (TCP, or any secure socket), or -errno at once (-EBADF, -EINVAL bad address,
 * -EISCONN, -EALREADY).
 */
int sock_connect(struct sock_table *t, int id, const char *ip, uint16_t port);
/* Plain words on the last connect/handshake failure ("" if none). Borrowed. */
const char *sock_reason(const struct sock_table *t, int id);

/* +USOWR (TCP, or UDP after connect: one datagram). Returns bytes accepted (TCP may accept
 * fewer than len when the send buffer is full), -ENOTCONN, -EPIPE (peer closed), -EBADF. */
ssize_t sock_write(struct sock_table *t, int id, const void *data, size_t len);
/* +USOST: one UDP datagram to ip:port. */
ssize_t sock_sendto(struct sock_table *t, int id, const char *ip, uint16_t port, const void *data,
		    size_t len);
/* +USORD: up to len stream bytes (TCP), or part of the next datagram (UDP). -ENOTCONN once
 * the peer closed and nothing is left, -EBADF for a free id. */
ssize_t sock_read(struct sock_table *t, int id, void *buf, size_t len);
/* +USORF: up to len bytes of the next datagram and its source. A shorter len leaves the
 * remainder of that datagram readable. */
ssize_t sock_recvfrom(struct sock_table *t, int id, void *buf, size_t len, char ip[SOCK_IP_MAX],
		      uint16_t *port);
/* +USORD=<s>,0 / +USORF=<s>,0: TCP bytes buffered / UDP size of the next datagram. */
ssize_t sock_available(const struct sock_table *t, int id);
/* +USOCL: closes now (close_notify sent best-effort) and frees the id. -EBADF if free. */
int sock_close(struct sock_table *t, int id);
/* +USOCL=<s>,1: returns at once; SOCK_EV_CLOSE_DONE follows and then the id is free. */
int sock_close_async(struct sock_table *t, int id);
/*
 * Network gone (quirk Q15): the connection is dropped at once with nothing buffered left and
 * no event; the id stays taken (reads and writes answer -ENOTCONN) until sock_close.
 * Returns 0, or -EBADF for a free id.
 */
int sock_kill(struct sock_table *t, int id);
/* +USOLI: TCP listen on port (accepted connections become new ids, SOCK_EV_INCOMING);
 * UDP: bind to port and receive. */
int sock_listen(struct sock_table *t, int id, uint16_t port);

/*
 * +USOSO/+USOGO. level/name as in ublox-at.md §3.10: 0 IP (1 TOS, 2 TTL), 6 TCP (1 NODELAY,
 * 2 KEEPIDLE ms), 65535 socket (4 REUSEADDR, 8 KEEPALIVE, 0x20 BROADCAST, 0x80 LINGER
 * <on>,<secs>, 0x200 REUSEPORT). Returns 0, -ENOPROTOOPT (unknown option), -EINVAL (value).
 */
int sock_set_option(struct sock_table *t, int id, int level, int name, int val, int val2);
int sock_get_option(const struct sock_table *t, int id, int level, int name, int *val, int *val2);

/* +USOCTL. Returns 0 or -EBADF. */
int sock_get_info(const struct sock_table *t, int id, struct sock_info *out);

#endif /* SIM_NET_SOCK_H */
