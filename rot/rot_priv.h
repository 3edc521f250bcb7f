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
 * Fleet devices (docs/rot-derivation.md, "Fleets"). A fleet's 16-bit code is
 * HMAC-SHA256(K_ref, "ukms-v1 fleet code" || name)[0..2). A fleet device's reference is a keyed
 * permutation of the 32-bit value code[low byte] << 24 | index: a 4-round Feistel network on
 * 16-bit halves whose round function is AES-256(K_fref, round || half || 0^13)[0..2), so the
 * platform maps a reference back to (fleet, index) without a table (rot_fleet_unref). A fleet
 * device's K_dev is derived from K_fdev and its UID as AES-GCM-SIV derives per-nonce keys
 * (RFC 8452, section 4; rot.c).
 *	K_fref = HKDF-SHA256(secret, "ukms-v1", "fleet reference", 32)
 *	K_fdev = HKDF-SHA256(secret, "ukms-v1", "fleet device key", 32)
 * Both keep a per-thread AES context keyed with the last K_fref / K_fdev used, so a lookup costs
 * eight AES blocks: no key schedule, no HKDF (bench/README.md).
 */
#define ROT_FLEET_ROUNDS 4
int rot_fleet_ref_key(const uint8_t secret[ROT_SECRET_LEN], struct rot_key *out);
int rot_fleet_dev_key(const uint8_t secret[ROT_SECRET_LEN], struct rot_key *out);
int rot_fleet_code(const struct rot_key *ref_key, const char *name, uint16_t *out);
int rot_fleet_ref(const struct rot_key *k, uint32_t plain, uint8_t out[ROT_REF_LEN]);
int rot_fleet_unref(const struct rot_key *k, const uint8_t ref[ROT_REF_LEN], uint32_t *plain);
int rot_fleet_device_key(const struct rot_key *k_fdev, const uint8_t uid[ROT_UID_LEN],
			 struct rot_key *out);

/*
 * Counter test seam: called by afile_write after the temp file is fsynced and before the rename;
 * a non-zero return simulates a crash at that point (see common/afile.h).
 */
typedef int rot_counter_hook_fn(const char *tmp_path, void *data);
void rot_counter_set_hook(struct rot_counter *c, rot_counter_hook_fn *fn, void *data);

#endif /* ROT_ROT_PRIV_H */
