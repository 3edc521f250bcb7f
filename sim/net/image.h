/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Versioned text images of NVM stores (security profiles, credentials): a magic line naming
 * the format and its version, then one record a line. Shared by secprof.c, credstore.c and
 * the modem's file store and seal section (sim/cmd), so every NVM section has one format.
 */
#ifndef SIM_NET_IMAGE_H
#define SIM_NET_IMAGE_H

#include <stddef.h>

struct buf;

/* Handles one record line (NUL-terminated, may be modified). Returns 0 or -errno. */
typedef int image_line_fn(void *ctx, char *line);

/*
 * Checks that data[0..len) holds no NUL and starts with the line magic, then hands every
 * further non-empty line to fn, stopping at the first error. The working copy of the text is
 * wiped (images hold secrets). Returns 0, -EINVAL (NUL, missing or wrong magic), -ENOMEM or
 * fn's error. The caller parses into a temporary store and commits it only on 0.
 */
int image_parse(const void *data, size_t len, const char *magic, image_line_fn *fn, void *ctx);

/* Appends len bytes as upper-case hex, or "-" when len is 0. Returns 0 or buf's -errno. */
int image_append_hex(struct buf *out, const void *data, size_t len);

#endif /* SIM_NET_IMAGE_H */
