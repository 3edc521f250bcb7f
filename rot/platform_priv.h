/* SPDX-License-Identifier: Apache-2.0 */
/* struct platform and helpers shared by platform*.c (and the rot unit tests) only. */
#ifndef ROT_PLATFORM_PRIV_H
#define ROT_PLATFORM_PRIV_H

#include <stddef.h>
#include <stdint.h>

#include "compiler.h"
#include "rot/platform.h"

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

struct platform {
	uint8_t secret[ROT_SECRET_LEN];
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
