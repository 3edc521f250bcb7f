/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Private to cmd_socket.c and cmd_socket_data.c: the socket group's state (m->sock_state) and
 * the helpers both files use. The socket table itself is m->socks (sim/net/sock.h).
 */
#ifndef SIM_CMD_CMD_SOCKET_H
#define SIM_CMD_CMD_SOCKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "at_engine.h"
#include "sock.h"

struct modem;
struct pcap_writer;

#define CMD_SOCK_MAX  16 /* upper bound of any persona's max_sockets */
#define CMD_SOCK_CHAN 2  /* engines that can hold a data prompt at once: pty and console */

/* What a '@' data prompt writes once its bytes have arrived (+USOWR or +USOST). */
struct cmd_sock_pending_data {
	const struct at_req *req; /* NULL: slot free */
	int id;
	char ip[SOCK_IP_MAX]; /* +USOST only */
	uint16_t port;
	uint64_t prompt_ms; /* when the '@' prompt went out (quirks Q17) */
};

/* Data completed sooner than this after '@' may be lost on a real module (quirks Q17). */
#define CMD_SOCK_PROMPT_GUARD_MS 50

/* A +USOCL held back by the fault Q26 (slow close). */
struct cmd_sock_slow_close {
	struct cmd_sock_state *st;
	int id;
	struct at_req *req; /* NULL: slot free */
	struct loop_source *timer;
};

struct cmd_sock_state {
	struct modem *m;
	uint64_t usosec_ms[CMD_SOCK_MAX]; /* when +USOSEC=<s>,1 was set (fault Q10), 0: never */
	struct cmd_sock_slow_close slow_close[CMD_SOCK_MAX];
	struct pcap_writer *pcap;             /* --pcap, NULL without */
	int keylog_fd;                        /* --keylog, -1 without */
	struct at_req *connect[CMD_SOCK_MAX]; /* synchronous +USOCO waiting for its handshake */
	struct cmd_sock_pending_data data[CMD_SOCK_CHAN];
	bool early_warned[CMD_SOCK_MAX]; /* quirk Q17 logged for this socket (once per +USOCR) */
};

/* Payload limit of one +USOWR/+USOST/+USORD/+USORF for the current +UDCONF=1 mode. */
size_t cmd_sock_payload_max(const struct modem *m);

/* Handlers of cmd_socket_data.c (their table rows are in cmd_socket.c). */
enum at_rc cmd_sock_handle_usowr(struct at_req *req);
enum at_rc cmd_sock_handle_usost(struct at_req *req);
enum at_rc cmd_sock_handle_usord(struct at_req *req);
enum at_rc cmd_sock_handle_usorf(struct at_req *req);

#endif /* SIM_CMD_CMD_SOCKET_H */
