/* SPDX-License-Identifier: Apache-2.0 */
/* Plain TCP/UDP sockets of sim/net against peers opened by the test itself (loopback). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "loop.h"
#include "net_helpers.h"
#include "sock.h"
#include "sock_errno.h"

struct fx {
	struct loop *loop;
	struct sock_table *t;
	struct ev_log ev;
	int lfd; /* test's listening TCP socket */
	uint16_t lport;
	int peer; /* accepted peer */
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);

	assert_non_null(f);
	f->loop = loop_create();
	f->t = sock_table_create(f->loop, SOCK_MAX_DEFAULT);
	assert_non_null(f->t);
	sock_table_set_event_cb(f->t, ev_log_record, &f->ev);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	f->lfd = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(bind(f->lfd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(f->lfd, 16), 0);
	getsockname(f->lfd, (struct sockaddr *)&a, &len);
	f->lport = ntohs(a.sin_port);
	f->peer = -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	sock_table_destroy(f->t);
	loop_destroy(f->loop);
	close(f->lfd);
	if (f->peer >= 0)
		close(f->peer);
	free(f);
	return 0;
}

/* Connects a new TCP socket to the test's listener and accepts the peer side. */
static int tcp_pair(struct fx *f)
{
	int id = sock_create(f->t, SOCK_PROTO_TCP, 0);
	size_t before = ev_log_count(&f->ev, SOCK_EV_CONNECTED, id);

	assert_true(id >= 0);
	assert_int_equal(sock_connect(f->t, id, "127.0.0.1", f->lport), -EINPROGRESS);
	assert_true(net_wait_event(f->loop, &f->ev, SOCK_EV_CONNECTED, id, before + 1, 5000));
	assert_int_equal(ev_log_last(&f->ev, SOCK_EV_CONNECTED, id)->err, 0);
	if (f->peer >= 0)
		close(f->peer);
	f->peer = accept(f->lfd, NULL, NULL);
	assert_true(f->peer >= 0);
	return id;
}

static void wait_avail(struct fx *f, int id, size_t n)
{
	assert_true(net_wait_available(f->loop, f->t, id, n, 5000));
}

/* Sends len bytes from the socket and checks the peer receives exactly them. */
static void roundtrip(struct fx *f, int id, const uint8_t *data, size_t len)
{
	uint8_t got[2048];

	assert_int_equal(sock_write(f->t, id, data, len), (ssize_t)len);
	assert_int_equal(net_read_fd(f->peer, got, len, 5000), len);
	assert_memory_equal(got, data, len);
	/* and back */
	assert_int_equal(write(f->peer, data, len), (ssize_t)len);
	wait_avail(f, id, len);
	assert_int_equal(sock_read(f->t, id, got, sizeof(got)), (ssize_t)len);
	assert_memory_equal(got, data, len);
}

static void test_tcp_payload_sizes(void **state)
{
	struct fx *f = *state;
	uint8_t big[SOCK_PAYLOAD_MAX], all[256];
	int id = tcp_pair(f);
	struct sock_info info;

	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 7 + 3);
	for (size_t i = 0; i < sizeof(all); i++)
		all[i] = (uint8_t)i;
	assert_int_equal(sock_write(f->t, id, big, 0), 0);
	roundtrip(f, id, (const uint8_t *)"x", 1);
	roundtrip(f, id, big, sizeof(big));
	roundtrip(f, id, all, sizeof(all));
	assert_int_equal(sock_get_info(f->t, id, &info), 0);
	assert_int_equal(info.proto, 6);
	assert_int_equal(info.bytes_sent, 1 + 1024 + 256);
	assert_int_equal(info.bytes_received, 1 + 1024 + 256);
	assert_true(info.has_peer);
	assert_string_equal(info.peer_ip, "127.0.0.1");
	assert_int_equal(info.peer_port, f->lport);
	assert_int_equal(info.tcp_state, 4); /* ESTABLISHED */
	assert_int_equal(sock_close(f->t, id), 0);
}

static void test_data_events_follow_q13(void **state)
{
	struct fx *f = *state;
	int id = tcp_pair(f);
	uint8_t buf[64];
	size_t n0;

	assert_int_equal(write(f->peer, "abcdef", 6), 6);
	wait_avail(f, id, 6);
	assert_true(net_wait_event(f->loop, &f->ev, SOCK_EV_DATA, id, 1, 2000));
	assert_int_equal(ev_log_last(&f->ev, SOCK_EV_DATA, id)->avail, 6);
	/* more data while the buffer is non-empty: no new event */
	assert_int_equal(write(f->peer, "gh", 2), 2);
	wait_avail(f, id, 8);
	loop_run_once(f->loop, 20);
	assert_int_equal(ev_log_count(&f->ev, SOCK_EV_DATA, id), 1);
	/* partial read: one event announcing the remainder */
	assert_int_equal(sock_read(f->t, id, buf, 3), 3);
	assert_memory_equal(buf, "abc", 3);
	assert_true(net_wait_event(f->loop, &f->ev, SOCK_EV_DATA, id, 2, 2000));
	assert_int_equal(ev_log_last(&f->ev, SOCK_EV_DATA, id)->avail, 5);
	/* full read: no event; next data into the empty buffer: one event */
	assert_int_equal(sock_read(f->t, id, buf, sizeof(buf)), 5);
	n0 = ev_log_count(&f->ev, SOCK_EV_DATA, id);
	loop_run_once(f->loop, 20);
	assert_int_equal(ev_log_count(&f->ev, SOCK_EV_DATA, id), n0);
	assert_int_equal(write(f->peer, "z", 1), 1);
	assert_true(net_wait_event(f->loop, &f->ev, SOCK_EV_DATA, id, n0 + 1, 2000));
	assert_int_equal(sock_read(f->t, id, buf, sizeof(buf)), 1);
	assert_int_equal(sock_read(f->t, id, buf, sizeof(buf)), 0);
}

static void test_peer_close_keeps_data(void **state)
{
	struct fx *f = *state;
	int id = tcp_pair(f);
	uint8_t buf[16];
	struct sock_info info;

	assert_int_equal(write(f->peer, "0123456789", 10), 10);
	close(f->peer);
	f->peer = -1;
	assert_true(net_wait_event(f->loop, &f->ev, SOCK_EV_CLOSED, id, 1, 5000));
	assert_int_equal(sock_available(f->t, id), 10);
	assert_int_equal(sock_read(f->t, id, buf, 4), 4);
	assert_int_equal(sock_read(f->t, id, buf, sizeof(buf)), 6);
	assert_memory_equal(buf, "456789", 6);
	/* nothing left on a closed socket: error, as +USORD gives CME 3 */
	assert_int_equal(sock_read(f->t, id, buf, sizeof(buf)), -ENOTCONN);
	assert_int_equal(sock_write(f->t, id, "x", 1), -EPIPE);
	assert_int_equal(sock_get_info(f->t, id, &info), 0);
	assert_int_equal(info.state, SOCK_STATE_PEER_CLOSED);
	assert_int_equal(sock_close(f->t, id), 0);
	assert_int_equal(sock_read(f->t, id, buf, sizeof(buf)), -EBADF);
	assert_int_equal(sock_close(f->t, id), -EBADF);
}

static void test_connection_refused(void **state)
{
	struct fx *f = *state;
	uint16_t port = net_free_port(SOCK_STREAM);
	int id = sock_create(f->t, SOCK_PROTO_TCP, 0);
	struct sock_info info;

	assert_int_equal(sock_connect(f->t, id, "127.0.0.1", port), -EINPROGRESS);
	assert_true(net_wait_event(f->loop, &f->ev, SOCK_EV_CONNECTED, id, 1, 5000));
	assert_int_equal(ev_log_last(&f->ev, SOCK_EV_CONNECTED, id)->err, SOCK_UERR_ECONNREFUSED);
	assert_int_equal(sock_table_last_error(f->t), 111);
	assert_string_equal(sock_reason(f->t, id), "connection refused");
	assert_int_equal(sock_get_info(f->t, id, &info), 0);
	assert_int_equal(info.last_error, 111);
	assert_int_equal(info.state, SOCK_STATE_FAILED);
	/* a retry on the same id works once something listens */
	assert_int_equal(sock_connect(f->t, id, "127.0.0.1", f->lport), -EINPROGRESS);
	assert_true(net_wait_event(f->loop, &f->ev, SOCK_EV_CONNECTED, id, 2, 5000));
	assert_int_equal(ev_log_last(&f->ev, SOCK_EV_CONNECTED, id)->err, 0);
}

static void test_seven_sockets_then_emfile(void **state)
{
	struct fx *f = *state;
	int ids[SOCK_MAX_DEFAULT];

	for (int i = 0; i < SOCK_MAX_DEFAULT; i++) {
		ids[i] = sock_create(f->t, i % 2 ? SOCK_PROTO_UDP : SOCK_PROTO_TCP, 0);
		assert_int_equal(ids[i], i);
	}
	assert_int_equal(sock_create(f->t, SOCK_PROTO_TCP, 0), -EMFILE);
	assert_int_equal(sock_table_last_error(f->t), SOCK_UERR_EMFILE);
	assert_int_equal(sock_close(f->t, 3), 0);
	assert_int_equal(sock_create(f->t, SOCK_PROTO_TCP, 0), 3);
	assert_int_equal(sock_create(f->t, 1, 0), -EINVAL);
}

static void test_udp_datagrams(void **state)
{
	struct fx *f = *state;
	int peer = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	uint8_t buf[2048], all[256];
	char ip[SOCK_IP_MAX];
	uint16_t port = 0;
	int id = sock_create(f->t, SOCK_PROTO_UDP, 0);

	for (size_t i = 0; i < sizeof(all); i++)
		all[i] = (uint8_t)(255 - i);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(peer, (struct sockaddr *)&a, sizeof(a)), 0);
	getsockname(peer, (struct sockaddr *)&a, &len);
	assert_int_equal(sock_sendto(f->t, id, "127.0.0.1", ntohs(a.sin_port), all, 256), 256);
	assert_int_equal(net_read_fd(peer, buf, 256, 5000), 256);
	assert_memory_equal(buf, all, 256);
	/* reply to the address the datagram came from */
	{
		struct sockaddr_in src;
		socklen_t sl = sizeof(src);
		uint8_t tmp[8];

		assert_int_equal(sock_sendto(f->t, id, "127.0.0.1", ntohs(a.sin_port), "hi", 2), 2);
		struct pollfd pfd = { .fd = peer, .events = POLLIN };

		assert_int_equal(poll(&pfd, 1, 5000), 1);
		assert_int_equal(recvfrom(peer, tmp, sizeof(tmp), 0, (struct sockaddr *)&src, &sl),
				 2);
		assert_int_equal(sendto(peer, all, 100, 0, (struct sockaddr *)&src, sl), 100);
		assert_int_equal(sendto(peer, all, 0 + 7, 0, (struct sockaddr *)&src, sl), 7);
		wait_avail(f, id, 100);
		assert_true(net_wait_event(f->loop, &f->ev, SOCK_EV_DATA, id, 1, 2000));
		assert_true(ev_log_last(&f->ev, SOCK_EV_DATA, id)->datagram);
		assert_int_equal(ev_log_last(&f->ev, SOCK_EV_DATA, id)->avail, 100);
		/* partial read of a datagram leaves its remainder */
		assert_int_equal(sock_recvfrom(f->t, id, buf, 60, ip, &port), 60);
		assert_string_equal(ip, "127.0.0.1");
		assert_int_equal(port, ntohs(a.sin_port));
		assert_int_equal(sock_available(f->t, id), 40);
		assert_int_equal(sock_recvfrom(f->t, id, buf, sizeof(buf), ip, &port), 40);
		assert_memory_equal(buf, all + 60, 40);
		wait_avail(f, id, 7);
		assert_int_equal(sock_recvfrom(f->t, id, buf, sizeof(buf), ip, &port), 7);
		assert_int_equal(sock_available(f->t, id), 0);
	}
	close(peer);
}

static void test_udp_connect_unreachable(void **state)
{
	struct fx *f = *state;
	uint16_t port = net_free_port(SOCK_DGRAM);
	int id = sock_create(f->t, SOCK_PROTO_UDP, 0);
	uint8_t buf[8];

	assert_int_equal(sock_connect(f->t, id, "127.0.0.1", port), 0);
	assert_int_equal(sock_write(f->t, id, "ping", 4), 4);
	/* the ICMP port-unreachable comes back as ECONNREFUSED on the socket */
	for (int i = 0; i < 100 && sock_table_last_error(f->t) != SOCK_UERR_ECONNREFUSED; i++) {
		loop_run_once(f->loop, 20);
		(void)sock_write(f->t, id, "ping", 4);
	}
	assert_int_equal(sock_table_last_error(f->t), SOCK_UERR_ECONNREFUSED);
	assert_int_equal(sock_read(f->t, id, buf, sizeof(buf)), 0);
}

static void test_listen_incoming(void **state)
{
	struct fx *f = *state;
	uint16_t port = net_free_port(SOCK_STREAM);
	int lid = sock_create(f->t, SOCK_PROTO_TCP, 0);
	int c = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	const struct sock_event *ev;
	uint8_t buf[8];

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(sock_listen(f->t, lid, port), 0);
	assert_int_equal(connect(c, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_true(net_wait_event(f->loop, &f->ev, SOCK_EV_INCOMING, -1, 1, 5000));
	ev = ev_log_last(&f->ev, SOCK_EV_INCOMING, -1);
	assert_int_equal(ev->listen_id, lid);
	assert_int_not_equal(ev->id, lid);
	assert_string_equal(ev->peer_ip, "127.0.0.1");
	assert_int_equal(ev->local_port, port);
	assert_int_equal(write(c, "in", 2), 2);
	wait_avail(f, ev->id, 2);
	assert_int_equal(sock_read(f->t, ev->id, buf, sizeof(buf)), 2);
	assert_memory_equal(buf, "in", 2);
	close(c);
}

static void test_options(void **state)
{
	struct fx *f = *state;
	int id = sock_create(f->t, SOCK_PROTO_TCP, 0), v = -1, v2 = -1;
	int u = sock_create(f->t, SOCK_PROTO_UDP, 0);

	assert_int_equal(sock_set_option(f->t, id, 6, 1, 1, 0), 0);
	assert_int_equal(sock_get_option(f->t, id, 6, 1, &v, &v2), 0);
	assert_int_equal(v, 1);
	assert_int_equal(sock_set_option(f->t, id, 65535, 0x80, 1, 5), 0);
	assert_int_equal(sock_get_option(f->t, id, 65535, 0x80, &v, &v2), 0);
	assert_int_equal(v, 1);
	assert_int_equal(v2, 5);
	assert_int_equal(sock_set_option(f->t, id, 0, 2, 33, 0), 0);
	assert_int_equal(sock_get_option(f->t, id, 0, 2, &v, &v2), 0);
	assert_int_equal(v, 33);
	assert_int_equal(sock_set_option(f->t, id, 6, 2, 60000, 0), 0);
	assert_int_equal(sock_set_option(f->t, id, 0, 2, 0, 0), -EINVAL);
	assert_int_equal(sock_set_option(f->t, id, 6, 99, 1, 0), -ENOPROTOOPT);
	assert_int_equal(sock_set_option(f->t, u, 6, 1, 1, 0), -ENOPROTOOPT);
	/* a value never set reads what the host socket has */
	assert_int_equal(sock_get_option(f->t, u, 65535, 0x20, &v, &v2), 0);
	assert_int_equal(v, 0);
}

static void test_async_close(void **state)
{
	struct fx *f = *state;
	int id = tcp_pair(f);

	assert_int_equal(sock_close_async(f->t, id), 0);
	/* the id stays reserved until the event */
	assert_int_not_equal(sock_create(f->t, SOCK_PROTO_TCP, 0), id);
	assert_true(net_wait_event(f->loop, &f->ev, SOCK_EV_CLOSE_DONE, id, 1, 2000));
	assert_int_equal(sock_available(f->t, id), -EBADF);
}

static void test_errno_table(void **state)
{
	(void)state;
	assert_int_equal(sock_errno_to_ublox(-EAGAIN), 11);
	assert_int_equal(sock_errno_to_ublox(-ECONNRESET), 104);
	assert_int_equal(sock_errno_to_ublox(-ENOTCONN), 107);
	assert_int_equal(sock_errno_to_ublox(-ETIMEDOUT), 110);
	assert_int_equal(sock_errno_to_ublox(-ECONNREFUSED), 111);
	assert_int_equal(sock_errno_to_ublox(-EHOSTUNREACH), 113);
	assert_int_equal(sock_errno_to_ublox(0), 0);
	assert_string_equal(sock_errno_name(111), "ECONNREFUSED");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_tcp_payload_sizes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_data_events_follow_q13, setup, teardown),
		cmocka_unit_test_setup_teardown(test_peer_close_keeps_data, setup, teardown),
		cmocka_unit_test_setup_teardown(test_connection_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_seven_sockets_then_emfile, setup, teardown),
		cmocka_unit_test_setup_teardown(test_udp_datagrams, setup, teardown),
		cmocka_unit_test_setup_teardown(test_udp_connect_unreachable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_listen_incoming, setup, teardown),
		cmocka_unit_test_setup_teardown(test_options, setup, teardown),
		cmocka_unit_test_setup_teardown(test_async_close, setup, teardown),
		cmocka_unit_test(test_errno_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
