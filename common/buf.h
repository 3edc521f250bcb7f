/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Growable byte buffer with a hard cap, and bounded text building.
 *
 * struct buf is embedded by its owner (init/finish on caller memory). A cap of 0 means
 * "no cap beyond memory"; every producer of untrusted input sets one.
 */
#ifndef COMMON_BUF_H
#define COMMON_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compiler.h"

struct buf {
	uint8_t *data;
	size_t len;
	size_t alloc;
	size_t cap;
	bool secret; /* wipe on finish/reset/grow */
};

void buf_init(struct buf *b, size_t cap);
/* Like buf_init, but the contents are wiped with a non-elidable memset before being freed. */
void buf_init_secret(struct buf *b, size_t cap);
/* Frees the storage (wiping it if secret). NULL-safe, safe on a zeroed struct. */
void buf_finish(struct buf *b);
/* Empties the buffer, keeps the storage. */
void buf_reset(struct buf *b);

/* Appends len bytes. Returns 0, -ENOSPC past the cap (buffer unchanged) or -ENOMEM. */
int buf_append(struct buf *b, const void *data, size_t len);
/* Appends formatted text (no NUL counted in len). On error the buffer is unchanged. */
int buf_appendf(struct buf *b, const char *fmt, ...) ATTR_PRINTF(2, 3);
/* Removes the first n bytes (n <= len). */
void buf_consume(struct buf *b, size_t n);
/* Returns a NUL-terminated view of the contents (the NUL is not counted in len), or NULL. */
const char *buf_cstr(struct buf *b);

#endif /* COMMON_BUF_H */
