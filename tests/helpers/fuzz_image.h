/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One libFuzzer body for every "versioned image" parser (modem NVM, security profiles,
 * credential store): an image that parses must format and read back to the same bytes, and a
 * refused image must leave the store exactly as it was. Link fuzz_image.c into the target; it
 * also provides LLVMFuzzerInitialize (logs quiet).
 */
#ifndef TESTS_HELPERS_FUZZ_IMAGE_H
#define TESTS_HELPERS_FUZZ_IMAGE_H

#include <stddef.h>
#include <stdint.h>

struct buf;

struct fuzz_image_ops {
	void *(*create)(void);
	void (*destroy)(void *store);
	int (*parse)(void *store, const uint8_t *data, size_t len); /* 0 or -errno */
	int (*format)(void *store, struct buf *out);
	/* Optional: more checks on a store that parsed (e.g. every read answer formats). */
	void (*check_parsed)(void *store);
	/* Optional: put something in a fresh store so "unchanged" is not trivially empty. */
	void (*prefill)(void *store);
};

/* abort() unless cond: a finding for libFuzzer. */
void fuzz_check(int cond);

/* The round trip described above; returns 0 for LLVMFuzzerTestOneInput. */
int fuzz_image_roundtrip(const struct fuzz_image_ops *ops, const uint8_t *data, size_t size);

#endif /* TESTS_HELPERS_FUZZ_IMAGE_H */
