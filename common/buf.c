/* SPDX-License-Identifier: Apache-2.0 */
#include "buf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void wipe(void *p, size_t n)
{
	/* A volatile function pointer keeps the compiler from eliding the memset. */
	static void *(*const volatile do_memset)(void *, int, size_t) = memset;

	if (p != NULL && n > 0)
		do_memset(p, 0, n);
}

void buf_init(struct buf *b, size_t cap)
{
	*b = (struct buf){ .cap = cap };
}

void buf_init_secret(struct buf *b, size_t cap)
{
	*b = (struct buf){ .cap = cap, .secret = true };
}

void buf_finish(struct buf *b)
{
	if (b == NULL)
		return;
	if (b->secret)
		wipe(b->data, b->alloc);
	free(b->data);
	b->data = NULL;
	b->len = 0;
	b->alloc = 0;
}

void buf_reset(struct buf *b)
{
	if (b->secret)
		wipe(b->data, b->alloc);
	b->len = 0;
}

/* Ensures room for need bytes plus a NUL. */
static int reserve(struct buf *b, size_t need)
{
	size_t want;
	uint8_t *p;

	if (b->cap != 0 && need > b->cap)
		return -ENOSPC;
	if (need + 1 <= b->alloc)
		return 0;
	want = b->alloc ? b->alloc : 64;
	while (want < need + 1)
		want *= 2;
	if (b->cap != 0 && want > b->cap + 1)
		want = b->cap + 1;
	p = malloc(want);
	if (p == NULL)
		return -ENOMEM;
	if (b->len > 0)
		memcpy(p, b->data, b->len);
	if (b->secret)
		wipe(b->data, b->alloc);
	free(b->data);
	b->data = p;
	b->alloc = want;
	return 0;
}

int buf_append(struct buf *b, const void *data, size_t len)
{
	int rc = reserve(b, b->len + len);

	if (rc < 0)
		return rc;
	if (len > 0)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = 0;
	return 0;
}

int buf_appendf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n, rc;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -EINVAL;
	rc = reserve(b, b->len + (size_t)n);
	if (rc < 0)
		return rc;
	va_start(ap, fmt);
	vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

void buf_consume(struct buf *b, size_t n)
{
	if (n >= b->len) {
		buf_reset(b);
		return;
	}
	memmove(b->data, b->data + n, b->len - n);
	b->len -= n;
	if (b->secret)
		wipe(b->data + b->len, n);
	b->data[b->len] = 0;
}

const char *buf_cstr(struct buf *b)
{
	if (reserve(b, b->len) < 0)
		return NULL;
	b->data[b->len] = 0;
	return (const char *)b->data;
}
