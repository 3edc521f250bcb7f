/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Network impairments of the module's sockets (struct sock_netem, set by the owner from its
 * faults): datagram loss both ways and reordering of sent datagrams (plain UDP and DTLS
 * records alike), added delay of received data (rtt), TCP reset after a byte count (the reset
 * itself is in sock.c). Randomness comes from the owner's seeded PRNG only.
 */
#define LOG_MODULE "sock"
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "log.h"
#include "loop.h"
#include "sock_priv.h"

#define HOLD_MAX_MS 200 /* a held datagram goes out alone after this if nothing follows */

void sock_table_set_netem(struct sock_table *t, const struct sock_netem *ne)
{
	if (ne == NULL)
		t->netem = (struct sock_netem){ 0 };
	else
		t->netem = *ne;
}

static bool chance(struct sock_table *t, unsigned pct)
{
	return t->netem.chance != NULL && t->netem.chance(t->netem.chance_data, pct);
}

/* ---- outbound: loss and reordering ---- */

static void raw_send(struct slot *s, const void *data, size_t len, const struct sockaddr_in *to)
{
	ssize_t n = to != NULL
			    ? sendto(s->fd, data, len, 0, (const struct sockaddr *)to, sizeof(*to))
			    : send(s->fd, data, len, 0);

	if (n < 0)
		log_debug("socket %d: netem send failed: %m", s->id);
}

static void release_held(struct slot *s)
{
	struct dgram *d = s->held;

	s->held = NULL;
	loop_remove(s->t->loop, s->held_timer);
	s->held_timer = NULL;
	if (d == NULL)
		return;
	if (s->fd >= 0)
		raw_send(s, d->data, d->len, d->from.sin_family == AF_INET ? &d->from : NULL);
	sock_dgram_free(d);
}

static void handle_held(void *data)
{
	struct slot *s = data;

	s->held_timer = NULL;
	release_held(s);
}

bool sock_netem_out(struct slot *s, const void *data, size_t len, const struct sockaddr_in *to)
{
	struct sock_table *t = s->t;

	if (chance(t, t->netem.loss_pct)) {
		log_debug("socket %d: sent datagram of %zu bytes lost (fault dgram_loss)", s->id,
			  len);
		return true;
	}
	if (s->held != NULL) {
		raw_send(s, data, len, to); /* this one overtakes the held one */
		release_held(s);
		return true;
	}
	if (!chance(t, t->netem.reorder_pct))
		return false;
	s->held = sock_dgram_new(data, len, to);
	if (s->held == NULL)
		return false;
	s->held_timer = loop_add_timer(t->loop, HOLD_MAX_MS, handle_held, s);
	log_debug("socket %d: datagram of %zu bytes held back (fault dgram_reorder)", s->id, len);
	return true;
}

bool sock_netem_in_lost(struct slot *s)
{
	if (!chance(s->t, s->t->netem.loss_pct))
		return false;
	log_debug("socket %d: received datagram lost (fault dgram_loss)", s->id);
	return true;
}

/* ---- inbound: delay line ---- */

static void handle_delay(void *data)
{
	struct slot *s = data;
	uint64_t now = loop_now_ms(s->t->loop);

	s->dl_timer = NULL;
	while (s->dl_head != NULL && s->dl_head->due <= now) {
		struct dgram *d = s->dl_head;

		s->dl_head = d->next;
		if (s->dl_head == NULL)
			s->dl_tail = NULL;
		s->dl_bytes -= d->len;
		(void)sock_rx_add(s, d->data, d->len, &d->from);
		sock_dgram_free(d);
	}
	if (s->dl_head != NULL) {
		uint64_t due = s->dl_head->due;

		s->dl_timer =
			loop_add_timer(s->t->loop, due > now ? due - now : 0, handle_delay, s);
	}
}

int sock_netem_rx(struct slot *s, const void *data, size_t len, const struct sockaddr_in *from)
{
	struct dgram *d;

	if (s->t->netem.rtt_ms == 0 && s->dl_head == NULL)
		return sock_rx_add(s, data, len, from);
	d = sock_dgram_new(data, len, from);
	if (d == NULL)
		return -ENOMEM;
	d->due = loop_now_ms(s->t->loop) + s->t->netem.rtt_ms;
	sock_dgram_push(&s->dl_head, &s->dl_tail, d);
	s->dl_bytes += len;
	if (s->dl_timer == NULL)
		s->dl_timer = loop_add_timer(s->t->loop, s->t->netem.rtt_ms, handle_delay, s);
	return 0;
}

void sock_netem_clear(struct slot *s)
{
	loop_remove(s->t->loop, s->dl_timer);
	loop_remove(s->t->loop, s->held_timer);
	s->dl_timer = s->held_timer = NULL;
	sock_dgram_clear(&s->dl_head, &s->dl_tail);
	s->dl_bytes = 0;
	sock_dgram_free(s->held);
	s->held = NULL;
}

bool sock_netem_reset_due(const struct slot *s)
{
	const struct sock_netem *ne = &s->t->netem;

	return ne->reset && s->proto == SOCK_PROTO_TCP && s->state == SOCK_STATE_CONNECTED &&
	       s->bytes_sent + s->bytes_recv >= ne->reset_after;
}
