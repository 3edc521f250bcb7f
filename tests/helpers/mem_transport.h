/* SPDX-License-Identifier: Apache-2.0 */
/*
 * In-memory transport for dialogue tests (style.md §3.8): an output function that appends to a
 * buffer, helpers to feed bytes whole, byte by byte or in random chunks, and comparisons that
 * print both sides escaped on a mismatch. Knows nothing about AT: any byte-stream object with
 * a "feed bytes" function and an "output bytes" callback can use it.
 */
#ifndef TESTS_HELPERS_MEM_TRANSPORT_H
#define TESTS_HELPERS_MEM_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

struct mem_transport {
	struct buf out; /* everything written so far and not yet taken */
	size_t writes;  /* number of output calls */
};

void mem_transport_init(struct mem_transport *t);
void mem_transport_finish(struct mem_transport *t);
/* Output callback (matches at_output_fn): data is the struct mem_transport. */
void mem_transport_output(void *data, const uint8_t *bytes, size_t len);
/* NUL-terminated view of the collected output (borrowed until the next call). */
const char *mem_transport_text(struct mem_transport *t);
void mem_transport_clear(struct mem_transport *t);
/*
 * True if the collected output equals expected[0..len) exactly; clears it either way. On a
 * mismatch both sides are printed to stderr with control bytes escaped.
 */
bool mem_transport_take_equals(struct mem_transport *t, const void *expected, size_t len);
/* Same for a C string. */
bool mem_transport_take_str(struct mem_transport *t, const char *expected);

/* "Feed these bytes" function of the object under test, e.g. a wrapper of at_engine_input. */
typedef void mem_feed_fn(void *target, const uint8_t *bytes, size_t len);

void mem_feed_str(mem_feed_fn *fn, void *target, const char *s);
void mem_feed_bytes(mem_feed_fn *fn, void *target, const void *bytes, size_t len);
/* One call per byte. */
void mem_feed_bytewise(mem_feed_fn *fn, void *target, const void *bytes, size_t len);
/* Random chunk sizes in [1, max_chunk] from a deterministic generator seeded with seed. */
void mem_feed_chunks(mem_feed_fn *fn, void *target, const void *bytes, size_t len, size_t max_chunk,
		     uint32_t seed);

/* Writes bytes to stderr with CR, LF and non-printables escaped (\r, \n, \xNN). */
void mem_print_escaped(const char *title, const void *bytes, size_t len);

#endif /* TESTS_HELPERS_MEM_TRANSPORT_H */
