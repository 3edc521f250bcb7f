/* SPDX-License-Identifier: Apache-2.0 */
/* Internals shared by the rot library sources and the rot unit tests only. Not installed, not for
 * other folders. */
#ifndef ROT_ROT_PRIV_H
#define ROT_ROT_PRIV_H

#include <stddef.h>
#include <stdint.h>

#include "rot/rot.h"

struct platform;
struct rot_counter;

/* K_ref = HKDF-SHA256(secret, "ukms-v1", "device reference", 32). */
int rot_ref_key(const uint8_t secret[ROT_SECRET_LEN], struct rot_key *out);
/* ref = HMAC-SHA256(K_ref, uid)[0..4). */
int rot_ref_from_key(const struct rot_key *ref_key, const uint8_t uid[ROT_UID_LEN],
		     uint8_t out[ROT_REF_LEN]);

/*
 * Counter test seam: called by afile_write after the temp file is fsynced and before the rename;
 * a non-zero return simulates a crash at that point (see common/afile.h).
 */
typedef int rot_counter_hook_fn(const char *tmp_path, void *data);
void rot_counter_set_hook(struct rot_counter *c, rot_counter_hook_fn *fn, void *data);

#endif /* ROT_ROT_PRIV_H */
