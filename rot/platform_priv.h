/* SPDX-License-Identifier: Apache-2.0 */
/* struct platform and helpers shared by platform*.c (and the rot unit tests) only. */
#ifndef ROT_PLATFORM_PRIV_H
#define ROT_PLATFORM_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compiler.h"
#include "rot/platform.h"

struct cJSON;

/*
 * Reference index entry: devices sorted by their 4-byte reference (platform_resolve), with the
 * device key derived once at load so a lookup costs one HMAC (tag) and one HKDF-Expand (PSK).
 * Wiped with the platform.
 */
struct platform_ref {
	uint8_t ref[ROT_REF_LEN];
	size_t dev;
	struct rot_key key;
};

/* A fleet device whose psk_provisioning differs from its fleet's default (sorted by index). */
struct platform_override {
	uint32_t index;
	bool psk_provisioning;
};

struct platform_fleet_priv {
	struct platform_override *ov;
	size_t n_ov;
};

struct platform {
	uint8_t secret[ROT_SECRET_LEN];
	struct rot_key fleet_ref_key; /* K_fref (rot_priv.h) */
	struct rot_key fleet_dev_key; /* K_fdev (rot_priv.h) */
	struct platform_fleet *fleets;
	struct platform_fleet_priv *fpriv; /* n_fleets entries, parallel to fleets */
	size_t n_fleets;
	struct platform_account *accounts;
	size_t n_accounts;
	struct platform_device *devices;
	size_t n_devices;
	struct platform_ref *index; /* n_index entries (== n_devices once built) */
	size_t n_index;
};

/* snprintf into err if err != NULL. */
void platform_errf(char *err, size_t errlen, const char *fmt, ...) ATTR_PRINTF(3, 4);
/* Rebuilds p->index from p->devices. Returns 0, -ENOMEM or -EIO. */
int platform_index_build(struct platform *p);

/* Fleets (platform_fleet.c). */
/* Reserved identifier prefixes of fleet devices; NULL when s does not start with one. */
const char *platform_reserved_field(const struct platform_device *d);
/* Sets a sparse psk_provisioning override for a fleet device's uid; -ENOENT if not one. */
int platform_fleet_set_provisioning(struct platform *p, const uint8_t uid[ROT_UID_LEN], bool on);
/* Adds the "fleets" array (if any) to root. */
int platform_format_fleets(const struct platform *p, struct cJSON *root);
void platform_fleets_free(struct platform *p);
/*
 * The fleet device an identity's reference decodes to whose tag verifies: counts it in matches,
 * fills dev and, with psk != NULL, leaves its PSK of len bytes in psk (resolve in
 * platform_ops.c). 0 or -EIO.
 */
int platform_fleet_resolve(const struct platform *p, const struct rot_identity *id, size_t len,
			   struct rot_psk *psk, unsigned *matches, struct platform_device *dev);
/*
 * One candidate device: checks id's tag under key and, with psk != NULL, derives its PSK of len
 * bytes on the same keying (rot_identity_check), kept in psk only on a match. 1 (match), 0, -EIO.
 */
int platform_check_candidate(const struct rot_key *key, const struct rot_identity *id, size_t len,
			     struct rot_psk *psk);
/*
 * The same work as a candidate's check (with a PSK derivation if with_psk) on key, or on a
 * dummy key when key is NULL, when no candidate exists: an unknown reference costs what a forged
 * tag costs. The outcome is dropped. 0 or -EIO.
 */
int platform_check_dummy(const struct rot_key *key, const struct rot_identity *id, size_t len,
			 bool with_psk);
/* Luhn check digit appended to the digits in s (room for one more char and the NUL). */
void platform_luhn_append(char *s);

/* Field validators (NULL when s[0..len) is valid, else the reason). Shared by parse and add. */
const char *platform_check_uid(const char *s, size_t len);
const char *platform_check_imei(const char *s, size_t len);
const char *platform_check_imsi(const char *s, size_t len);
const char *platform_check_iccid(const char *s, size_t len);
const char *platform_check_model(const char *s, size_t len);
const char *platform_check_name(const char *s, size_t len);
const char *platform_check_api_key(const char *s, size_t len);
const char *platform_check_api_secret(const char *s, size_t len);

/*
 * Checks device i (content, known account, no duplicate of devices [0, i)) and fills d->uid
 * from d->uid_hex (upper-casing it). Message names "devices[i].<field>".
 */
int platform_check_device(const struct platform *p, struct platform_device *d, size_t i, char *err,
			  size_t errlen);
int platform_check_account(const struct platform *p, const struct platform_account *a, size_t i,
			   char *err, size_t errlen);

#endif /* ROT_PLATFORM_PRIV_H */
