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
 * PRK = HKDF-Extract(salt "ukms-v1", secret), shared by every device key, and K_dev expanded
 * from it (the same bytes as rot_device_key, one HKDF-Extract fewer per device).
 */
int rot_platform_prk(const uint8_t secret[ROT_SECRET_LEN], struct rot_key *out);
int rot_device_key_prk(const struct rot_key *prk, const uint8_t uid[ROT_UID_LEN],
		       struct rot_key *out);

/*
 * Fleet devices (docs/rot-derivation.md, "Fleets"). K_fref = HKDF-SHA256(secret, "ukms-v1",
 * "fleet reference", 32). A fleet's 16-bit code is HMAC-SHA256(K_ref, "ukms-v1 fleet code" ||
 * name)[0..2). A fleet device's reference is a keyed permutation of the 32-bit value
 * code[low byte] << 24 | index: a 4-round Feistel network on 16-bit halves whose round function
 * is HMAC-SHA256(K_fref, "ukms-v1 fleet ref" || round || half)[0..2), so the platform maps a
 * reference back to (fleet, index) without a table (rot_fleet_unref).
 */
#define ROT_FLEET_ROUNDS 4
int rot_fleet_ref_key(const uint8_t secret[ROT_SECRET_LEN], struct rot_key *out);
int rot_fleet_code(const struct rot_key *ref_key, const char *name, uint16_t *out);
int rot_fleet_ref(const struct rot_key *k, uint32_t plain, uint8_t out[ROT_REF_LEN]);
int rot_fleet_unref(const struct rot_key *k, const uint8_t ref[ROT_REF_LEN], uint32_t *plain);

/*
 * Counter test seam: called by afile_write after the temp file is fsynced and before the rename;
 * a non-zero return simulates a crash at that point (see common/afile.h).
 */
typedef int rot_counter_hook_fn(const char *tmp_path, void *data);
void rot_counter_set_hook(struct rot_counter *c, rot_counter_hook_fn *fn, void *data);

#endif /* ROT_ROT_PRIV_H */
