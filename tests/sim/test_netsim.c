/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Simulated network (sim/netsim.c) with an injected clock: registration after the delay,
 * radio off, deregistration, detach/attach, coverage loss and PDP addresses. The events are
 * what sim/cmd turns into +CREG/+CGREG/+CEREG/+CGEV URCs, so their order matters.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "loop.h"
#include "netsim.h"

#define DELAY_MS    2000
#define MAX_EVENTS  32
#define RRC_IDLE_MS 5000

struct ev {
	enum netsim_event ev;
	int arg;
	bool by_network;
};

struct fixture {
	struct loop *loop;
	struct netsim *net;
	uint64_t now;
	struct ev events[MAX_EVENTS];
	size_t n_events;
	int rrc[MAX_EVENTS]; /* NETSIM_EV_RRC args, kept apart from the other events */
	size_t n_rrc;
};

static uint64_t fake_clock(void *data)
{
	return ((struct fixture *)data)->now;
}

static void on_event(void *data, enum netsim_event ev, int arg, bool by_network)
{
	struct fixture *f = data;

	if (ev == NETSIM_EV_RRC) {
		assert_true(f->n_rrc < MAX_EVENTS);
		f->rrc[f->n_rrc++] = arg;
		return;
	}
	assert_true(f->n_events < MAX_EVENTS);
	f->events[f->n_events++] = (struct ev){ ev, arg, by_network };
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct netsim_config cfg = { 0 };

	if (f == NULL)
		return -1;
	f->now = 1000;
	f->loop = loop_create();
	if (f->loop == NULL)
		return -1;
	loop_set_clock(f->loop, fake_clock, f);
	cfg.loop = f->loop;
	cfg.reg_delay_ms = DELAY_MS;
	cfg.rrc_idle_ms = RRC_IDLE_MS;
	cfg.on_event = on_event;
	cfg.event_data = f;
	f->net = netsim_create(&cfg);
	if (f->net == NULL)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	netsim_destroy(f->net);
	loop_destroy(f->loop);
	free(f);
	return 0;
}

/* Moves the fake clock forward and runs the due timers (the loop never blocks: timeout 0). */
static void advance(struct fixture *f, uint64_t ms)
{
	f->now += ms;
	for (int i = 0; i < 4; i++)
		if (loop_run_once(f->loop, 0) <= 0)
			break;
}

static void expect_event(struct fixture *f, size_t i, enum netsim_event ev, int arg)
{
	assert_true(i < f->n_events);
	assert_int_equal(f->events[i].ev, ev);
	assert_int_equal(f->events[i].arg, arg);
}

/* Power-on with the radio off (as ubxlib leaves it), so each test starts from fun 4. */
static void radio_off(struct fixture *f)
{
	assert_int_equal(netsim_set_fun(f->net, 4), 0);
	netsim_reset(f->net);
	f->n_events = 0;
	assert_int_equal(netsim_reg(f->net), NETSIM_REG_NONE);
}

/* Radio on and registered; events cleared. */
static void registered(struct fixture *f)
{
	radio_off(f);
	assert_int_equal(netsim_set_fun(f->net, 1), 0);
	advance(f, DELAY_MS);
	assert_true(netsim_is_registered(f->net));
	f->n_events = 0;
}

static void test_cfun1_searching_then_registered(void **state)
{
	struct fixture *f = *state;

	radio_off(f);
	assert_int_equal(netsim_set_fun(f->net, 1), 0);
	assert_int_equal(netsim_fun(f->net), 1);
	/* searching at once */
	assert_int_equal(netsim_reg(f->net), NETSIM_REG_SEARCHING);
	assert_int_equal(f->n_events, 1);
	expect_event(f, 0, NETSIM_EV_REG, NETSIM_REG_SEARCHING);
	/* nothing before the delay */
	advance(f, DELAY_MS - 1);
	assert_int_equal(netsim_reg(f->net), NETSIM_REG_SEARCHING);
	assert_false(netsim_is_attached(f->net));
	assert_int_equal(f->n_events, 1);
	/* registered home, attached, default bearer up (by the network) */
	advance(f, 1);
	assert_int_equal(netsim_reg(f->net), NETSIM_REG_HOME);
	assert_true(netsim_is_registered(f->net));
	assert_true(netsim_is_attached(f->net));
	assert_true(netsim_pdp_is_active(f->net, 1));
	assert_int_equal(f->n_events, 4);
	expect_event(f, 1, NETSIM_EV_REG, NETSIM_REG_HOME);
	expect_event(f, 2, NETSIM_EV_ATTACH, 0);
	expect_event(f, 3, NETSIM_EV_PDP_UP, 1);
	assert_true(f->events[3].by_network);
	/* a second CFUN=1 changes nothing */
	assert_int_equal(netsim_set_fun(f->net, 1), 0);
	advance(f, DELAY_MS);
	assert_int_equal(f->n_events, 4);
}

static void test_cfun4_deregisters(void **state)
{
	struct fixture *f = *state;

	registered(f);
	assert_int_equal(netsim_set_fun(f->net, 4), 0);
	assert_int_equal(netsim_reg(f->net), NETSIM_REG_NONE);
	assert_false(netsim_is_registered(f->net));
	assert_false(netsim_is_attached(f->net));
	assert_false(netsim_pdp_is_active(f->net, 1));
	/* context down, detach, then not registered; caused by the host */
	assert_int_equal(f->n_events, 3);
	expect_event(f, 0, NETSIM_EV_PDP_DOWN, 1);
	expect_event(f, 1, NETSIM_EV_DETACH, 0);
	expect_event(f, 2, NETSIM_EV_REG, NETSIM_REG_NONE);
	for (size_t i = 0; i < f->n_events; i++)
		assert_false(f->events[i].by_network);
	/* stays off however long we wait */
	advance(f, 10 * DELAY_MS);
	assert_int_equal(netsim_reg(f->net), NETSIM_REG_NONE);
	assert_int_equal(f->n_events, 3);
}

static void test_cfun4_while_searching_cancels(void **state)
{
	struct fixture *f = *state;

	radio_off(f);
	assert_int_equal(netsim_set_fun(f->net, 1), 0);
	advance(f, DELAY_MS / 2);
	assert_int_equal(netsim_set_fun(f->net, 4), 0);
	advance(f, DELAY_MS);
	assert_int_equal(netsim_reg(f->net), NETSIM_REG_NONE);
	assert_false(netsim_is_attached(f->net));
}

static void test_bad_fun(void **state)
{
	struct fixture *f = *state;

	radio_off(f);
	assert_int_equal(netsim_set_fun(f->net, 2), -EINVAL);
	assert_int_equal(netsim_set_fun(f->net, 16), -EINVAL); /* reboots are the modem's job */
	assert_int_equal(netsim_fun(f->net), 4);
	assert_int_equal(f->n_events, 0);
}

static void test_airplane_mode_persists_over_reset(void **state)
{
	struct fixture *f = *state;

	radio_off(f);
	netsim_reset(f->net);
	assert_int_equal(netsim_fun(f->net), 4);
	advance(f, DELAY_MS);
	assert_int_equal(netsim_reg(f->net), NETSIM_REG_NONE);
	/* from fun 0 a reset comes back with the radio on and searching */
	assert_int_equal(netsim_set_fun(f->net, 0), 0);
	netsim_reset(f->net);
	assert_int_equal(netsim_fun(f->net), 1);
	assert_int_equal(netsim_reg(f->net), NETSIM_REG_SEARCHING);
	advance(f, DELAY_MS);
	assert_true(netsim_is_registered(f->net));
}

static void test_cops2_deregisters_and_cops0_returns(void **state)
{
	struct fixture *f = *state;

	registered(f);
	assert_int_equal(netsim_set_cops(f->net, 2), 0);
	assert_int_equal(netsim_cops(f->net), 2);
	assert_int_equal(netsim_reg(f->net), NETSIM_REG_NONE);
	assert_false(netsim_is_attached(f->net));
	assert_int_equal(netsim_set_cops(f->net, 3), -EINVAL);
	f->n_events = 0;
	assert_int_equal(netsim_set_cops(f->net, 0), 0);
	assert_int_equal(netsim_reg(f->net), NETSIM_REG_SEARCHING);
	advance(f, DELAY_MS);
	assert_true(netsim_is_registered(f->net));
	assert_true(netsim_is_attached(f->net));
}

static void test_detach_attach(void **state)
{
	struct fixture *f = *state;

	registered(f);
	/* CGATT=0: context down and detached */
	assert_int_equal(netsim_set_attach(f->net, false), 0);
	assert_false(netsim_is_attached(f->net));
	assert_false(netsim_pdp_is_active(f->net, 1));
	expect_event(f, 0, NETSIM_EV_PDP_DOWN, 1);
	expect_event(f, 1, NETSIM_EV_DETACH, 0);
	/* CGATT=1: attaches again with the registration */
	assert_int_equal(netsim_set_attach(f->net, true), 0);
	advance(f, DELAY_MS);
	assert_true(netsim_is_attached(f->net));
	assert_true(netsim_is_registered(f->net));
	/* attach needs the radio on */
	assert_int_equal(netsim_set_fun(f->net, 4), 0);
	assert_int_equal(netsim_set_attach(f->net, true), -EPERM);
	assert_false(netsim_is_attached(f->net));
}

static void test_coverage_loss_is_by_network(void **state)
{
	struct fixture *f = *state;

	registered(f);
	netsim_set_coverage(f->net, false);
	assert_false(netsim_has_coverage(f->net));
	assert_int_equal(netsim_reg(f->net), NETSIM_REG_SEARCHING);
	assert_false(netsim_is_attached(f->net));
	assert_int_equal(f->n_events, 3);
	expect_event(f, 0, NETSIM_EV_PDP_DOWN, 1);
	expect_event(f, 1, NETSIM_EV_DETACH, 0);
	expect_event(f, 2, NETSIM_EV_REG, NETSIM_REG_SEARCHING);
	for (size_t i = 0; i < f->n_events; i++)
		assert_true(f->events[i].by_network);
	advance(f, 10 * DELAY_MS);
	assert_int_equal(netsim_reg(f->net), NETSIM_REG_SEARCHING);
	netsim_set_coverage(f->net, true);
	advance(f, DELAY_MS);
	assert_true(netsim_is_registered(f->net));
	assert_true(netsim_pdp_is_active(f->net, 1));
}

static void test_pdp_addresses(void **state)
{
	struct fixture *f = *state;
	char a1[16], a2[16], a3[16];

	registered(f);
	assert_int_equal(netsim_pdp_addr(f->net, 1, a1, sizeof(a1)), 0);
	assert_int_equal(strncmp(a1, "10.64.0.", 8), 0);
	assert_int_equal(netsim_pdp_addr(f->net, 2, a2, sizeof(a2)), -ENOENT);
	assert_int_equal(netsim_pdp_set(f->net, 2, true), 0);
	assert_true(netsim_pdp_is_active(f->net, 2));
	expect_event(f, 0, NETSIM_EV_PDP_UP, 2);
	assert_false(f->events[0].by_network);
	assert_int_equal(netsim_pdp_addr(f->net, 2, a2, sizeof(a2)), 0);
	assert_string_not_equal(a1, a2); /* each context its own address */
	/* idempotent: no second event, same address */
	assert_int_equal(netsim_pdp_set(f->net, 2, true), 0);
	assert_int_equal(f->n_events, 1);
	assert_int_equal(netsim_pdp_addr(f->net, 2, a3, sizeof(a3)), 0);
	assert_string_equal(a2, a3);
	/* deactivate */
	assert_int_equal(netsim_pdp_set(f->net, 2, false), 0);
	assert_false(netsim_pdp_is_active(f->net, 2));
	expect_event(f, 1, NETSIM_EV_PDP_DOWN, 2);
	assert_int_equal(netsim_pdp_addr(f->net, 2, a3, sizeof(a3)), -ENOENT);
	/* range and too-small buffer */
	assert_int_equal(netsim_pdp_set(f->net, 0, true), -EINVAL);
	assert_int_equal(netsim_pdp_set(f->net, NETSIM_CID_MAX + 1, true), -EINVAL);
	assert_false(netsim_pdp_is_active(f->net, NETSIM_CID_MAX + 1));
	assert_int_equal(netsim_pdp_addr(f->net, 1, a3, 8), -ENOSPC);
}

static void test_pdp_needs_attach(void **state)
{
	struct fixture *f = *state;
	char a[16];

	radio_off(f);
	assert_int_equal(netsim_pdp_set(f->net, 1, true), -ENETDOWN);
	assert_false(netsim_pdp_is_active(f->net, 1));
	assert_int_equal(netsim_pdp_addr(f->net, 1, a, sizeof(a)), -ENOENT);
	/* deactivating an inactive context is fine and silent */
	assert_int_equal(netsim_pdp_set(f->net, 1, false), 0);
	assert_int_equal(f->n_events, 0);
}

/* The network serves its APN list (default "internet") and the empty APN; others: cause 27. */
static void test_apns(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(netsim_apn_list_check("internet"), 0);
	assert_int_equal(netsim_apn_list_check("a,b.example,C-1"), 0);
	assert_int_equal(netsim_apn_list_check(""), -EINVAL);
	assert_int_equal(netsim_apn_list_check("a,,b"), -EINVAL);
	assert_int_equal(netsim_apn_list_check("a b"), -EINVAL);
	assert_int_equal(netsim_apn_list_check("a\"b"), -EINVAL);
	assert_string_equal(netsim_default_apn(f->net), NETSIM_APNS_DEFAULT);
	assert_true(netsim_apn_is_served(f->net, ""));
	assert_true(netsim_apn_is_served(f->net, "InterNet"));
	assert_false(netsim_apn_is_served(f->net, "internet2"));
	assert_false(netsim_apn_is_served(f->net, "inter"));
	registered(f);
	assert_int_equal(netsim_esm_cause(f->net), 0);
	assert_int_equal(netsim_pdp_define(f->net, 2, "nope"), 0);
	assert_int_equal(netsim_pdp_set(f->net, 2, true), -EDESTADDRREQ);
	assert_false(netsim_pdp_is_active(f->net, 2));
	assert_int_equal(netsim_esm_cause(f->net), NETSIM_ESM_UNKNOWN_APN);
	assert_int_equal(netsim_pdp_define(f->net, 2, ""), 0);
	assert_int_equal(netsim_pdp_set(f->net, 2, true), 0);
	/* the default bearer at attach uses cid 1's APN */
	radio_off(f);
	assert_int_equal(netsim_esm_cause(f->net), 0); /* a reset clears the cause and APNs */
	assert_int_equal(netsim_pdp_define(f->net, 1, "wrong"), 0);
	assert_int_equal(netsim_set_fun(f->net, 1), 0);
	advance(f, DELAY_MS);
	assert_true(netsim_is_registered(f->net));
	assert_false(netsim_pdp_is_active(f->net, 1));
	assert_int_equal(netsim_esm_cause(f->net), NETSIM_ESM_UNKNOWN_APN);
	assert_int_equal(netsim_pdp_define(f->net, 1, NULL), 0);
	assert_int_equal(netsim_pdp_set(f->net, 1, true), 0);
	assert_int_equal(netsim_pdp_define(f->net, 9, "x"), -EINVAL);
}

/* --apn LIST: the first is the default APN; the list is copied. */
static void test_apn_list_configured(void **state)
{
	struct fixture *f = *state;
	char list[] = "iot.example,second";
	struct netsim_config cfg = { .loop = f->loop, .reg_delay_ms = DELAY_MS, .apns = list };
	struct netsim *n = netsim_create(&cfg);

	assert_non_null(n);
	list[0] = 'X';
	assert_string_equal(netsim_default_apn(n), "iot.example");
	assert_true(netsim_apn_is_served(n, "SECOND"));
	assert_false(netsim_apn_is_served(n, "internet"));
	netsim_destroy(n);
	cfg.apns = "bad apn";
	assert_null(netsim_create(&cfg));
}

/* +CSCON: attach and traffic bring RRC up, RRC_IDLE_MS of silence releases it (fake clock).
 */
static void test_rrc_inactivity(void **state)
{
	struct fixture *f = *state;

	radio_off(f);
	f->n_rrc = 0;
	assert_false(netsim_rrc_connected(f->net));
	assert_int_equal(netsim_set_fun(f->net, 1), 0);
	advance(f, DELAY_MS);
	assert_true(netsim_rrc_connected(f->net)); /* attach signalling */
	assert_int_equal(f->n_rrc, 1);
	assert_int_equal(f->rrc[0], 1);
	advance(f, RRC_IDLE_MS - 1);
	assert_true(netsim_rrc_connected(f->net));
	netsim_traffic(f->net, 10, 0); /* re-arms the timer, no second event */
	advance(f, RRC_IDLE_MS - 1);
	assert_true(netsim_rrc_connected(f->net));
	assert_int_equal(f->n_rrc, 1);
	advance(f, 1);
	assert_false(netsim_rrc_connected(f->net));
	assert_int_equal(f->n_rrc, 2);
	assert_int_equal(f->rrc[1], 0);
	/* traffic from idle connects again; losing service releases at once */
	netsim_traffic(f->net, 0, 5);
	assert_true(netsim_rrc_connected(f->net));
	assert_int_equal(f->n_rrc, 3);
	assert_int_equal(netsim_set_fun(f->net, 4), 0);
	assert_false(netsim_rrc_connected(f->net));
	assert_int_equal(f->n_rrc, 4);
	assert_int_equal(f->rrc[3], 0);
	/* no context: traffic is ignored and does not connect */
	netsim_traffic(f->net, 100, 100);
	assert_false(netsim_rrc_connected(f->net));
	advance(f, 2 * RRC_IDLE_MS);
	assert_int_equal(f->n_rrc, 4);
}

/* +UGCNTRD: traffic counts on the default bearer; sessions restart, totals run on. */
static void test_traffic_counters(void **state)
{
	struct fixture *f = *state;
	struct netsim_counters c;

	registered(f);
	netsim_traffic(f->net, 100, 40);
	netsim_traffic(f->net, 1, 2);
	assert_int_equal(netsim_counters(f->net, 1, &c), 0);
	assert_int_equal(c.sess_sent, 101);
	assert_int_equal(c.sess_recv, 42);
	assert_int_equal(c.total_sent, 101);
	assert_int_equal(c.total_recv, 42);
	assert_int_equal(netsim_counters(f->net, 2, &c), 0);
	assert_int_equal(c.total_sent, 0);
	/* a new session of cid 1 after a reattach: session 0, totals kept */
	assert_int_equal(netsim_set_attach(f->net, false), 0);
	assert_int_equal(netsim_set_attach(f->net, true), 0);
	advance(f, DELAY_MS);
	assert_true(netsim_pdp_is_active(f->net, 1));
	netsim_traffic(f->net, 7, 0);
	assert_int_equal(netsim_counters(f->net, 1, &c), 0);
	assert_int_equal(c.sess_sent, 7);
	assert_int_equal(c.sess_recv, 0);
	assert_int_equal(c.total_sent, 108);
	assert_int_equal(c.total_recv, 42);
	/* +UGCNTSET: totals set, sessions restart at 0; range checked */
	assert_int_equal(netsim_set_totals(f->net, 1, 1000, 2000), 0);
	assert_int_equal(netsim_counters(f->net, 1, &c), 0);
	assert_int_equal(c.total_sent, 1000);
	assert_int_equal(c.total_recv, 2000);
	assert_int_equal(c.sess_sent, 0);
	assert_int_equal(c.sess_recv, 0);
	netsim_traffic(f->net, 3, 4);
	assert_int_equal(netsim_counters(f->net, 1, &c), 0);
	assert_int_equal(c.sess_sent, 3);
	assert_int_equal(c.total_recv, 2004);
	assert_int_equal(netsim_set_totals(f->net, 0, 0, 0), -EINVAL);
	assert_int_equal(netsim_counters(f->net, NETSIM_CID_MAX + 1, &c), -EINVAL);
}

/* The cell behind +CSQ/+CESQ/+UCGED: the 27.007 indices follow from the dBm values. */
static void test_cell_indices(void **state)
{
	struct fixture *f = *state;
	const struct netsim_cell *c = netsim_cell(f->net);
	struct netsim_cell x = *c;

	assert_int_equal(netsim_cell_csq(c), (c->rssi_dbm + 113) / 2);
	assert_int_equal(netsim_cell_rsrp_index(c), c->rsrp_dbm + 141);
	assert_int_equal(netsim_cell_rsrq_index(c), 2 * c->rsrq_db + 40);
	x.rssi_dbm = -200;
	x.rsrp_dbm = -200;
	x.rsrq_db = -40;
	assert_int_equal(netsim_cell_csq(&x), 0);
	assert_int_equal(netsim_cell_rsrp_index(&x), 0);
	assert_int_equal(netsim_cell_rsrq_index(&x), 0);
	x.rssi_dbm = 0;
	x.rsrp_dbm = 0;
	x.rsrq_db = 10;
	assert_int_equal(netsim_cell_csq(&x), 31);
	assert_int_equal(netsim_cell_rsrp_index(&x), 97);
	assert_int_equal(netsim_cell_rsrq_index(&x), 34);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_cfun1_searching_then_registered, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_cfun4_deregisters, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cfun4_while_searching_cancels, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bad_fun, setup, teardown),
		cmocka_unit_test_setup_teardown(test_airplane_mode_persists_over_reset, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_cops2_deregisters_and_cops0_returns, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_detach_attach, setup, teardown),
		cmocka_unit_test_setup_teardown(test_coverage_loss_is_by_network, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pdp_addresses, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pdp_needs_attach, setup, teardown),
		cmocka_unit_test_setup_teardown(test_apns, setup, teardown),
		cmocka_unit_test_setup_teardown(test_apn_list_configured, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rrc_inactivity, setup, teardown),
		cmocka_unit_test_setup_teardown(test_traffic_counters, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cell_indices, setup, teardown),
	};

	return cmocka_run_group_tests_name("netsim", tests, NULL, NULL);
}
