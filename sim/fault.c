/* SPDX-License-Identifier: Apache-2.0 */
#include "fault.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "compiler.h"
#include "rng.h"

#define P(k, h, d, lo, hi)                                                                         \
	{                                                                                          \
		.key = k, .help = h, .def = d, .min = lo, .max = hi                                \
	}
#define ROW(n, h, p)                                                                               \
	{                                                                                          \
		.name = n, .help = h, .params = p, .n_params = ARRAY_LEN(p)                        \
	}
#define ROW0(n, h)                                                                                 \
	{                                                                                          \
		.name = n, .help = h, .params = NULL, .n_params = 0                                \
	}

static const struct fault_param q1_params[] = {
	P("ms", "length of the busy window after boot/reboot and after switching on", 3000, 0,
	  600000),
};
static const struct fault_param q5_params[] = {
	P("delay_ms", "time +USECCONN takes before its final result", 5000, 0, 600000),
};
static const struct fault_param q10_params[] = {
	P("window_ms", "+USOCO within this time of the socket's +USOSEC fails", 1000, 0, 600000),
};
static const struct fault_param q15_params[] = {
	P("drop_ms", "also drop the network this long after switching on (0: never)", 0, 0,
	  86400000),
};
static const struct fault_param q17_params[] = {
	P("ms", "data ending sooner than this after '@' is dropped", 50, 0, 10000),
};
static const struct fault_param q18_params[] = {
	P("pct", "share of +USOWR answered with a bare OK (percent)", 100, 0, 100),
};
static const struct fault_param q21_params[] = {
	P("nuls", "NUL bytes written when the module (re)boots", 16, 0, 1024),
	P("stale", "stale socket URCs queued at boot", 2, 0, 7),
};
static const struct fault_param q26_params[] = {
	P("delay_ms", "time +USOCL takes before its final result", 10000, 0, 120000),
};
static const struct fault_param chunked_params[] = {
	P("bytes", "chunk size of the module's output", 8, 1, 4096),
	P("delay_ms", "pause between chunks", 20, 0, 10000),
};
static const struct fault_param latency_params[] = {
	P("ms", "extra time before every final result", 200, 0, 600000),
};
static const struct fault_param urc_drop_params[] = {
	P("pct", "probability that a URC is lost (percent)", 50, 0, 100),
};
static const struct fault_param hang_params[] = {
	P("after", "commands still answered before the module stops answering", 0, 0, 1000000),
};
static const struct fault_param reboot_params[] = {
	P("after_ms", "time from switching on to the reboot", 1000, 0, 86400000),
};
static const struct fault_param loss_params[] = {
	P("pct", "probability that a datagram is lost, either direction (percent)", 20, 0, 100),
};
static const struct fault_param reorder_params[] = {
	P("pct", "probability that a sent datagram is held back behind the next (percent)", 20, 0,
	  100),
};
static const struct fault_param rtt_params[] = {
	P("ms", "added round-trip time: received data is delivered this much later", 200, 0, 60000),
};
static const struct fault_param reset_params[] = {
	P("after_bytes", "TCP bytes (sent + received) on a socket before it is reset", 1024, 0,
	  1073741824),
};

static const struct fault_desc table[FAULT_COUNT] = {
	[FAULT_Q1] = ROW("Q1", "security commands answer SEC busy after boot, on any persona",
			 q1_params),
	[FAULT_Q5] = ROW("Q5", "+USECCONN takes delay_ms before its OK", q5_params),
	[FAULT_Q6] = ROW0("Q6", "bootstrapped but not provisioned: +USECDEVINFO? 1,0,0, PSK "
				"requests refused"),
	[FAULT_Q10] =
		ROW("Q10", "+USOCO right after +USOSEC fails and closes the socket", q10_params),
	[FAULT_Q12] = ROW0("Q12", "worst-case URC placement: URCs before the final result and "
				  "before '@'"),
	[FAULT_Q15] = ROW("Q15",
			  "a network drop closes sockets without a URC; +USORD answers "
			  "CME 3",
			  q15_params),
	[FAULT_Q17] = ROW("Q17", "data sent less than ms after '@' is lost (strict 50 ms rule)",
			  q17_params),
	[FAULT_Q18] = ROW("Q18", "+USOWR answers a bare OK instead of +USOWR: s,n", q18_params),
	[FAULT_Q21] = ROW("Q21", "boot noise: NUL bytes after (re)boot and stale socket URCs",
			  q21_params),
	[FAULT_Q24] = ROW0("Q24", "+USECMNG answers CME 1912 until +ULSTFILE has been sent"),
	[FAULT_Q26] = ROW("Q26", "+USOCL takes delay_ms before its OK", q26_params),
	[FAULT_CHUNKED] = ROW("chunked", "output in chunks of bytes with delay_ms between them",
			      chunked_params),
	[FAULT_LATENCY] = ROW("latency", "every final result comes ms later", latency_params),
	[FAULT_URC_DROP] = ROW("urc_drop", "URCs are lost with probability pct", urc_drop_params),
	[FAULT_HANG] = ROW("hang", "after some commands the module stops answering until a reboot",
			   hang_params),
	[FAULT_REBOOT] = ROW("reboot", "the module reboots by itself after_ms after switching on",
			     reboot_params),
	[FAULT_DGRAM_LOSS] =
		ROW("dgram_loss", "UDP/DTLS datagrams are lost with probability pct", loss_params),
	[FAULT_DGRAM_REORDER] =
		ROW("dgram_reorder", "sent UDP/DTLS datagrams are reordered", reorder_params),
	[FAULT_RTT] = ROW("rtt", "socket data from the network arrives ms later", rtt_params),
	[FAULT_TCP_RESET] =
		ROW("tcp_reset", "a TCP socket is reset after after_bytes", reset_params),
};

struct fault_state {
	bool on;
	long val[FAULT_PARAMS_MAX];
};

struct faults {
	struct fault_state st[FAULT_COUNT];
	struct rng rng;
	faults_change_fn *hook;
	void *hook_data;
};

const struct fault_desc *faults_table(size_t *n)
{
	if (n != NULL)
		*n = FAULT_COUNT;
	return table;
}

const struct fault_desc *faults_find(const char *name, enum fault_id *id)
{
	for (size_t i = 0; name != NULL && i < FAULT_COUNT; i++) {
		if (strcasecmp(table[i].name, name) != 0)
			continue;
		if (id != NULL)
			*id = (enum fault_id)i;
		return &table[i];
	}
	return NULL;
}

static void set_defaults(struct fault_state *s, const struct fault_desc *d)
{
	for (size_t i = 0; i < d->n_params; i++)
		s->val[i] = d->params[i].def;
}

struct faults *faults_create(uint64_t seed)
{
	struct faults *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return NULL;
	rng_seed(&f->rng, seed);
	for (size_t i = 0; i < FAULT_COUNT; i++)
		set_defaults(&f->st[i], &table[i]);
	return f;
}

void faults_destroy(struct faults *f)
{
	free(f);
}

static int param_index(const struct fault_desc *d, const char *key, size_t klen)
{
	for (size_t i = 0; i < d->n_params; i++)
		if (strlen(d->params[i].key) == klen && strncmp(d->params[i].key, key, klen) == 0)
			return (int)i;
	return -1;
}

/* One "k=v" item of [s, end) into st. */
static int parse_item(const struct fault_desc *d, struct fault_state *st, const char *s,
		      const char *end, char *err, size_t errlen)
{
	const char *eq = memchr(s, '=', (size_t)(end - s));
	char num[24];
	char *stop = NULL;
	long v;
	int idx;

	if (eq == NULL || eq == s) {
		snprintf(err, errlen, "fault %s: expected key=value, got '%.*s'", d->name,
			 (int)(end - s), s);
		return -EINVAL;
	}
	idx = param_index(d, s, (size_t)(eq - s));
	if (idx < 0) {
		snprintf(err, errlen, "fault %s has no parameter '%.*s'", d->name, (int)(eq - s),
			 s);
		return -EINVAL;
	}
	if ((size_t)(end - eq - 1) == 0 || (size_t)(end - eq - 1) >= sizeof(num))
		goto bad;
	memcpy(num, eq + 1, (size_t)(end - eq - 1));
	num[end - eq - 1] = '\0';
	errno = 0;
	v = strtol(num, &stop, 10);
	if (errno != 0 || *stop != '\0' || num[0] == '+' || num[0] == ' ' ||
	    v < d->params[idx].min || v > d->params[idx].max)
		goto bad;
	st->val[idx] = v;
	return 0;
bad:
	snprintf(err, errlen, "fault %s: bad %s '%.*s' (expected %ld..%ld)", d->name,
		 d->params[idx].key, (int)(end - eq - 1), eq + 1, d->params[idx].min,
		 d->params[idx].max);
	return -EINVAL;
}

static int parse_kv(const struct fault_desc *d, struct fault_state *st, const char *kv, char *err,
		    size_t errlen)
{
	const char *s = kv;

	while (s != NULL && *s != '\0') {
		const char *end = strchr(s, ',');
		int rc;

		if (end == NULL)
			end = s + strlen(s);
		rc = parse_item(d, st, s, end, err, errlen);
		if (rc < 0)
			return rc;
		s = *end == ',' ? end + 1 : end;
		if (*end == ',' && *s == '\0') {
			snprintf(err, errlen, "fault %s: trailing ','", d->name);
			return -EINVAL;
		}
	}
	return 0;
}

int faults_set(struct faults *f, const char *name, bool on, const char *kv, char *err,
	       size_t errlen)
{
	enum fault_id id = FAULT_Q1;
	const struct fault_desc *d = faults_find(name, &id);
	struct fault_state st = { .on = on };
	int rc;

	if (d == NULL) {
		snprintf(err, errlen, "unknown fault '%s'", name != NULL ? name : "");
		return -ENOENT;
	}
	set_defaults(&st, d);
	if (!on && kv != NULL && *kv != '\0') {
		snprintf(err, errlen, "fault %s: parameters only when switching on", d->name);
		return -EINVAL;
	}
	rc = parse_kv(d, &st, kv, err, errlen);
	if (rc < 0)
		return rc;
	f->st[id] = st;
	if (f->hook != NULL)
		f->hook(f->hook_data, id, on);
	return 0;
}

int faults_parse_cli(struct faults *f, const char *spec, char *err, size_t errlen)
{
	const char *colon = strchr(spec, ':');
	char name[FAULT_NAME_MAX];
	size_t len = colon != NULL ? (size_t)(colon - spec) : strlen(spec);

	if (len == 0 || len >= sizeof(name)) {
		snprintf(err, errlen, "bad fault '%s' (expected NAME[:k=v,...])", spec);
		return -EINVAL;
	}
	memcpy(name, spec, len);
	name[len] = '\0';
	if (colon != NULL && colon[1] == '\0') {
		snprintf(err, errlen, "bad fault '%s': nothing after ':'", spec);
		return -EINVAL;
	}
	return faults_set(f, name, true, colon != NULL ? colon + 1 : NULL, err, errlen);
}

bool faults_is_on(const struct faults *f, enum fault_id id)
{
	return f != NULL && (unsigned)id < FAULT_COUNT && f->st[id].on;
}

long faults_get(const struct faults *f, enum fault_id id, const char *key)
{
	int idx;

	if (f == NULL || (unsigned)id >= FAULT_COUNT || key == NULL)
		return 0;
	idx = param_index(&table[id], key, strlen(key));
	return idx < 0 ? 0 : f->st[id].val[idx];
}

uint32_t faults_rand(struct faults *f)
{
	return rng_next(&f->rng);
}

bool faults_chance(struct faults *f, long pct)
{
	return pct > 0 && rng_chance(&f->rng, pct >= 100 ? 100u : (unsigned)pct);
}

static void format_kv(const struct fault_desc *d, const struct fault_state *st, char *out,
		      size_t cap)
{
	size_t n = 0;

	out[0] = '\0';
	for (size_t i = 0; i < d->n_params; i++) {
		int k = snprintf(out + n, cap - n, "%s%s=%ld", i > 0 ? "," : "", d->params[i].key,
				 st->val[i]);

		if (k < 0 || (size_t)k >= cap - n)
			return;
		n += (size_t)k;
	}
}

void faults_foreach_active(const struct faults *f,
			   void (*cb)(const char *name, const char *kv, void *ctx), void *ctx)
{
	char kv[FAULT_KV_MAX];

	for (size_t i = 0; f != NULL && i < FAULT_COUNT; i++) {
		if (!f->st[i].on)
			continue;
		format_kv(&table[i], &f->st[i], kv, sizeof(kv));
		cb(table[i].name, kv, ctx);
	}
}

void faults_set_hook(struct faults *f, faults_change_fn *fn, void *data)
{
	f->hook = fn;
	f->hook_data = data;
}
