/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Credential store: the data model behind AT+USECMNG (ublox-at.md §2.6).
 *
 * Items are (type, name) -> the imported bytes (PEM or DER), validated with OpenSSL on import.
 * The MD5 of the imported bytes is reported as 32 LOWER-case hex characters (what
 * `openssl md5` prints; ubxlib parses either case). Names are 1..200 chars and unique per type.
 * Importing an existing (type, name) replaces it, as on the module.
 */
#ifndef SIM_NET_CREDSTORE_H
#define SIM_NET_CREDSTORE_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/types.h>

struct buf;
struct credstore;

#define CREDSTORE_NAME_MAX     200
#define CREDSTORE_PASSWORD_MAX 128
#define CREDSTORE_ITEM_MAX     16384 /* bytes per imported item */
#define CREDSTORE_ITEMS_MAX    64
#define CREDSTORE_MD5_HEX_LEN  32

enum credstore_type {
	CREDSTORE_CA = 0, /* trusted root CA certificate */
	CREDSTORE_CC = 1, /* client certificate */
	CREDSTORE_PK = 2, /* client private key */
	CREDSTORE_SC = 3, /* server certificate (used for pinning) */
	CREDSTORE_VC = 4, /* signature verification certificate */
	CREDSTORE_PU = 5, /* signature verification public key */
	CREDSTORE_TYPE_COUNT
};

struct credstore *credstore_create(void);
/* Wipes every item. NULL-safe. */
void credstore_destroy(struct credstore *cs);

/* "CA", "CC", "PK", "SC", "VC", "PU"; NULL for a bad type. */
const char *credstore_type_name(int type);

/*
 * Imports len bytes (PEM or DER) as (type, name). password (may be NULL) decrypts an encrypted
 * private key. md5_hex (may be NULL) receives the MD5 of data as lower-case hex + NUL.
 * Returns 0, -EINVAL (bad type/name, or bytes that OpenSSL does not accept as the type's
 * object), -EFBIG (item too large), -ENOSPC (store full), -ENOMEM.
 */
int credstore_import(struct credstore *cs, int type, const char *name, const void *data, size_t len,
		     const char *password, char md5_hex[CREDSTORE_MD5_HEX_LEN + 1]);
/* Returns 0 or -ENOENT. */
int credstore_remove(struct credstore *cs, int type, const char *name);
/* MD5 of a stored item. Returns 0 or -ENOENT. */
int credstore_md5(const struct credstore *cs, int type, const char *name,
		  char md5_hex[CREDSTORE_MD5_HEX_LEN + 1]);
/*
 * AT+USECMNG=3[,type] lines, each ending in "\n" (the AT layer frames them):
 * "CA","name","subject CN","YYYY/MM/DD" for certificates, "PK","name" for keys.
 * type -1 lists all types. Returns 0 or -EINVAL/-ENOSPC/-ENOMEM.
 */
int credstore_list(const struct credstore *cs, int type, struct buf *out);

/* Parsed objects for sock_tls; caller frees with X509_free / EVP_PKEY_free. NULL if missing. */
X509 *credstore_load_cert(const struct credstore *cs, int type, const char *name);
/* Uses password, or the password given at import when password is NULL or empty. */
EVP_PKEY *credstore_load_key(const struct credstore *cs, const char *name, const char *password);
/*
 * Trust store for validation: the CA item named ca_name, or every CA item when ca_name is NULL
 * or empty. Caller frees with X509_STORE_free. Returns 0, -ENOENT (named CA missing), -ENOMEM.
 */
int credstore_build_trust(const struct credstore *cs, const char *ca_name, X509_STORE **out);

/*
 * NVM image: versioned text ("ukms-credstore 1", then "<type> <name-hex> <pw-hex|-> <data-hex>"
 * lines). Parse validates every item again and replaces the store only if all are valid.
 */
int credstore_format(const struct credstore *cs, struct buf *out);
int credstore_parse(struct credstore *cs, const void *data, size_t len);

#endif /* SIM_NET_CREDSTORE_H */
