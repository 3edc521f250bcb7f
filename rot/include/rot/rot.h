/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ukms Root of Trust: PSKIdentity codec and PSK derivation (see docs/rot-derivation.md).
 *
 * Both sides link this library and nothing else derives keys:
 *  - the emulated module's RoT holds one device's key and reference (struct rot_device);
 *  - the platform (fake API, `ukms-rot derive`) holds the platform secret and re-derives the
 *    device key from the identity alone (see platform.h: platform_resolve).
 *
 * Layout of the 14-byte PSKIdentity (written as 28 upper-case hex chars):
 *	11 01 00 08 | ref[4] | counter[4, big-endian] | tag[2]
 *	ref = HMAC-SHA256(K_ref, uid)[0..4)
 *	tag = HMAC-SHA256(K_dev, "ukms-v1 tag" || id[0..12))[0..2)
 *	PSK = HKDF-Expand-SHA256(K_dev, "ukms-v1 psk" || 0x00 || L || id, L), L in {16, 32}
 *	K_dev = HKDF-SHA256(IKM = platform secret, salt = "ukms-v1",
 *			    info = "device key" || uid, 32)
 *	K_ref = HKDF-SHA256(IKM = platform secret, salt = "ukms-v1", info = "device reference", 32)
 *
 * All functions return 0 or -errno. Secret outputs are wiped by the *_clear helpers; callers
 * clear every struct rot_key / rot_psk they own before it goes out of scope.
 */
#ifndef ROT_ROT_H
#define ROT_ROT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ROT_SECRET_LEN   32 /* platform secret */
#define ROT_UID_LEN      8  /* RoT public UID (16 hex chars) */
#define ROT_KEY_LEN      32 /* device key */
#define ROT_REF_LEN      4
#define ROT_TAG_LEN      2
#define ROT_IDENTITY_LEN 14
#define ROT_IDENTITY_HEX (2 * ROT_IDENTITY_LEN) /* 28 */
#define ROT_PSK_MAX      32
#define ROT_COUNTER_MAX  UINT32_MAX

/* The 4 header bytes every identity starts with, as on real modules. */
extern const uint8_t rot_identity_header[4];

struct rot_key {
	uint8_t bytes[ROT_KEY_LEN];
};

struct rot_psk {
	uint8_t bytes[ROT_PSK_MAX];
	size_t len;
};

struct rot_identity {
	uint8_t bytes[ROT_IDENTITY_LEN];
};

/* What one module's RoT is provisioned with: it never sees the platform secret. */
struct rot_device {
	uint8_t uid[ROT_UID_LEN];
	uint8_t ref[ROT_REF_LEN];
	struct rot_key key;
};

void rot_key_clear(struct rot_key *k);
void rot_psk_clear(struct rot_psk *p);
void rot_device_clear(struct rot_device *d);

/* K_dev for uid. */
int rot_device_key(const uint8_t secret[ROT_SECRET_LEN], const uint8_t uid[ROT_UID_LEN],
		   struct rot_key *out);
/* The 4-byte device reference for uid. */
int rot_device_ref(const uint8_t secret[ROT_SECRET_LEN], const uint8_t uid[ROT_UID_LEN],
		   uint8_t out[ROT_REF_LEN]);
/*
 * A key of len bytes (1..255*32) for one purpose, labelled by salt and label (ASCII, no NUL):
 * HKDF-SHA256(IKM = platform secret, salt, info = label, len). Wiped on failure.
 */
int rot_platform_subkey(const uint8_t secret[ROT_SECRET_LEN], const char *salt, const char *label,
			uint8_t *out, size_t len);
/* Provisions a device RoT: uid, ref and K_dev. */
int rot_device_init(const uint8_t secret[ROT_SECRET_LEN], const uint8_t uid[ROT_UID_LEN],
		    struct rot_device *out);

/*
 * The platform side in one call: checks id's tag (constant time) and, with psk != NULL, derives
 * its PSK of len bytes (16 or 32) under the same keying of K_dev. The PSK is derived whether or
 * not the tag holds, so both outcomes cost the same; psk is wiped unless 0 is returned.
 * 0, -EBADMSG (wrong tag), -EINVAL (len), -EIO.
 */
int rot_identity_check(const struct rot_key *dev_key, const struct rot_identity *id, size_t len,
		       struct rot_psk *psk);
/*
 * Device side in one call: the identity for counter (header, ref, counter, tag) and its PSK of
 * psk_len bytes (16 or 32; -EINVAL otherwise).
 */
int rot_generate(const struct rot_device *dev, uint32_t counter, size_t psk_len,
		 struct rot_identity *id, struct rot_psk *psk);

/*
 * Parses exactly 28 hex chars (either case) of s[0..len) into an identity and checks the
 * header. -EINVAL for a wrong length, non-hex chars or a wrong header. No key is needed.
 */
int rot_identity_parse(const char *s, size_t len, struct rot_identity *out);
/* 28 upper-case hex chars + NUL into out (cap >= 29). */
int rot_identity_format(const struct rot_identity *id, char *out, size_t cap);
uint32_t rot_identity_counter(const struct rot_identity *id);
void rot_identity_ref(const struct rot_identity *id, uint8_t out[ROT_REF_LEN]);

#endif /* ROT_ROT_H */
