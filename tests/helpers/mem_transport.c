/* SPDX-License-Identifier: Apache-2.0 */
#include "mem_transport.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void mem_transport_init(struct mem_transport *t)
{
	*t = (struct mem_transport){ 0 };
	buf_init(&t->out, 0);
}

void mem_transport_finish(struct mem_transport *t)
{
	buf_finish(&t->out);
}

void mem_transport_output(void *data, const uint8_t *bytes, size_t len)
{
	struct mem_transport *t = data;

	t->writes++;
	if (buf_append(&t->out, bytes, len) < 0)
		abort(); /* a test cannot go on with lost output */
}

const char *mem_transport_text(struct mem_transport *t)
{
	const char *s = buf_cstr(&t->out);

	return s != NULL ? s : "";
}

void mem_transport_clear(struct mem_transport *t)
{
	buf_reset(&t->out);
}

void mem_print_escaped(const char *title, const void *bytes, size_t len)
{
	const uint8_t *p = bytes;

	fprintf(stderr, "%s (%zu bytes): \"", title, len);
	for (size_t i = 0; i < len; i++) {
		if (p[i] == '\r')
			fputs("\\r", stderr);
		else if (p[i] == '\n')
			fputs("\\n", stderr);
		else if (p[i] == '\\' || p[i] == '"')
			fprintf(stderr, "\\%c", p[i]);
		else if (p[i] >= 0x20 && p[i] < 0x7f)
			fputc(p[i], stderr);
		else
			fprintf(stderr, "\\x%02X", p[i]);
	}
	fputs("\"\n", stderr);
}

bool mem_transport_take_equals(struct mem_transport *t, const void *expected, size_t len)
{
	bool same = t->out.len == len && (len == 0 || memcmp(t->out.data, expected, len) == 0);

	if (!same) {
		mem_print_escaped("expected", expected, len);
		mem_print_escaped("got     ", t->out.data, t->out.len);
	}
	buf_reset(&t->out);
	return same;
}

bool mem_transport_take_str(struct mem_transport *t, const char *expected)
{
	return mem_transport_take_equals(t, expected, strlen(expected));
}

void mem_feed_bytes(mem_feed_fn *fn, void *target, const void *bytes, size_t len)
{
	fn(target, bytes, len);
}

void mem_feed_str(mem_feed_fn *fn, void *target, const char *s)
{
	fn(target, (const uint8_t *)s, strlen(s));
}

void mem_feed_bytewise(mem_feed_fn *fn, void *target, const void *bytes, size_t len)
{
	const uint8_t *p = bytes;

	for (size_t i = 0; i < len; i++)
		fn(target, p + i, 1);
}

void mem_feed_chunks(mem_feed_fn *fn, void *target, const void *bytes, size_t len, size_t max_chunk,
		     uint32_t seed)
{
	const uint8_t *p = bytes;
	uint32_t x = seed != 0 ? seed : 0x9e3779b9u;

	if (max_chunk == 0)
		max_chunk = 1;
	while (len > 0) {
		size_t n;

		x ^= x << 13; /* xorshift32: deterministic, no global state */
		x ^= x >> 17;
		x ^= x << 5;
		n = 1 + x % max_chunk;
		if (n > len)
			n = len;
		fn(target, p, n);
		p += n;
		len -= n;
	}
}
