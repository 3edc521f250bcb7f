/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the server learns about one PSKIdentity: the PSK and the device's RoT public UID.
 * Lives in fixed-size memory (never a heap string) and is wiped with psks_key_clear().
 */
#ifndef EXAMPLES_PSK_SERVER_KEY_H
#define EXAMPLES_PSK_SERVER_KEY_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/crypto.h>

#define PSKS_PSK_MAX      32 /* bytes: KeyLength 256 */
#define PSKS_IDENTITY_MAX 64 /* hex chars: 32-byte identities (ublox-at.md 2.3) */
#define PSKS_UID_MAX      32 /* hex chars of ROTPublicUID (16 expected) */

struct psks_key {
	uint8_t psk[PSKS_PSK_MAX];
	size_t len;
	char uid[PSKS_UID_MAX + 1];
};

static inline void psks_key_clear(struct psks_key *k)
{
	OPENSSL_cleanse(k, sizeof(*k));
}

#endif /* EXAMPLES_PSK_SERVER_KEY_H */
