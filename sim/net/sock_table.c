/* SPDX-License-Identifier: Apache-2.0 */
/* The socket table: lifecycle, settings and the event queue. */
#define LOG_MODULE "sock"
#include "sock.h"

#include <stdlib.h>

#include "log.h"
#include "loop.h"
#include "sock_priv.h"

/* ---- events: queued, delivered from a 0 ms timer ---- */

static void deliver(void *data);

void sock_post(struct sock_table *t, const struct sock_event *ev)
{
	if (t->evq_len == SOCK_EVQ_LEN) {
		log_error("socket event queue full: event %d for socket %d dropped", ev->type,
			  ev->id);
		return;
	}
	t->evq[(t->evq_head + t->evq_len) % SOCK_EVQ_LEN].ev = *ev;
	t->evq_len++;
	if (t->ev_timer == NULL)
		t->ev_timer = loop_add_timer(t->loop, 0, deliver, t);
}

void sock_post_simple(struct slot *s, enum sock_event_type type, int err)
{
	struct sock_event ev = { .type = type, .id = s->id, .err = err };

	sock_post(s->t, &ev);
}

void sock_purge(struct sock_table *t, int id)
{
	unsigned n = t->evq_len, kept = 0;

	for (unsigned i = 0; i < n; i++) {
		struct pending_ev e = t->evq[(t->evq_head + i) % SOCK_EVQ_LEN];

		if (e.ev.id != id || e.ev.type == SOCK_EV_INCOMING)
			t->evq[(t->evq_head + kept++) % SOCK_EVQ_LEN] = e;
	}
	t->evq_len = kept;
}

/* Fills in fields that depend on the state at delivery time. Returns false to skip. */
static bool finish_event(struct sock_table *t, struct sock_event *ev)
{
	struct slot *s = &t->slots[ev->id];

	if (ev->type == SOCK_EV_CLOSE_DONE) {
		sock_slot_release(s);
		return true;
	}
	if (ev->type != SOCK_EV_DATA)
		return s->state != SOCK_STATE_FREE;
	if (s->state == SOCK_STATE_FREE || s->state == SOCK_STATE_CLOSING)
		return false;
	ev->datagram = s->proto == SOCK_PROTO_UDP;
	ev->avail = (size_t)sock_available(t, ev->id);
	return ev->avail > 0;
}

static void deliver(void *data)
{
	struct sock_table *t = data;

	t->ev_timer = NULL;
	while (t->evq_len > 0) {
		struct sock_event ev = t->evq[t->evq_head].ev;

		t->evq_head = (t->evq_head + 1) % SOCK_EVQ_LEN;
		t->evq_len--;
		if (finish_event(t, &ev) && t->ev_fn != NULL)
			t->ev_fn(t->ev_data, &ev);
	}
}

/* ---- table ---- */

struct sock_table *sock_table_create(struct loop *loop, unsigned max_sockets)
{
	struct sock_table *t = calloc(1, sizeof(*t));

	if (t == NULL || loop == NULL || max_sockets == 0)
		goto fail;
	t->slots = calloc(max_sockets, sizeof(*t->slots));
	if (t->slots == NULL)
		goto fail;
	t->loop = loop;
	t->max = t->max_secure = max_sockets;
	t->timeout_ms = SOCK_TIMEOUT_DEFAULT;
	t->keylog_fd = -1;
	for (unsigned i = 0; i < max_sockets; i++) {
		t->slots[i].t = t;
		t->slots[i].id = (int)i;
		t->slots[i].fd = -1;
	}
	return t;
fail:
	log_error("cannot create the socket table");
	if (t != NULL)
		free(t->slots);
	free(t);
	return NULL;
}

void sock_table_destroy(struct sock_table *t)
{
	if (t == NULL)
		return;
	for (unsigned i = 0; i < t->max; i++)
		sock_slot_release(&t->slots[i]);
	loop_remove(t->loop, t->ev_timer);
	free(t->slots);
	free(t);
}

void sock_table_set_event_cb(struct sock_table *t, sock_event_fn *fn, void *data)
{
	t->ev_fn = fn;
	t->ev_data = data;
}

void sock_table_set_traffic_cb(struct sock_table *t, sock_traffic_fn *fn, void *data)
{
	t->traffic_fn = fn;
	t->traffic_data = data;
}

void sock_table_set_security(struct sock_table *t, const struct secprof_store *profiles,
			     const struct credstore *creds)
{
	t->profiles = profiles;
	t->creds = creds;
}

void sock_table_set_psk_gen(struct sock_table *t, secprof_psk_gen_fn *fn, void *data)
{
	t->psk_gen = fn;
	t->psk_data = data;
}

void sock_table_set_max_secure(struct sock_table *t, unsigned n)
{
	t->max_secure = n;
}

void sock_table_set_timeout(struct sock_table *t, unsigned ms)
{
	t->timeout_ms = ms;
}

void sock_table_set_pcap(struct sock_table *t, struct pcap_writer *w)
{
	t->pcap = w;
}

void sock_table_set_keylog(struct sock_table *t, int fd)
{
	t->keylog_fd = fd;
}

int sock_table_last_error(const struct sock_table *t)
{
	return t->last_err;
}
