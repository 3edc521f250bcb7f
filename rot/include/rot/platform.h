/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The platform file: platform secret, customer accounts and the device registry, shared by
 * ukms-rot, ukms-sim and ukms-fakeapi (docs/platform-file.md). Parsed with cJSON and validated
 * strictly; every error message names the field ("devices[2].imei: expected 15 digits").
 *
 *	{"version":1, "platform_secret":"<64 hex>",
 *	 "accounts":[{"name":..., "api_key":..., "api_secret":...}],
 *	 "devices":[{"rot_uid":"<16 hex>", "imei":"<15 digits>", "imsi":"<15 digits>",
 *	             "iccid":"<19-20 digits>", "model":"SARA-R510M8S", "account":"<name>",
 *	             "psk_provisioning":true, "sealed":true, "bootstrapped":true}],
 *	 "fleets":[{"name":"load", "account":"<name>", "model":"SARA-R510M8S", "count":1000000,
 *	            "psk_provisioning":true, "sealed":true, "bootstrapped":true,
 *	            "overrides":[{"index":7, "psk_provisioning":false}]}]}
 *
 * A fleet is count synthetic devices derived from the platform secret, the fleet name and an
 * index (platform_fleet_device); it costs no memory per device. Fleet devices use reserved
 * identifier ranges no explicit device may use (rot_uid F1EE..., IMEI/IMSI 99..., ICCID 8999...),
 * so they never collide with explicit devices; fleets get distinct 16-bit codes checked at load.
 *
 * A struct platform is immutable after parsing, except through the platform_set_* and
 * platform_add_* calls, which re-validate; platform_format() writes it back as JSON.
 */
#ifndef ROT_PLATFORM_H
#define ROT_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rot/rot.h"

#define PLATFORM_VERSION        1
#define PLATFORM_NAME_MAX       64 /* account names */
#define PLATFORM_API_KEY_MAX    64
#define PLATFORM_API_SECRET_MAX 128
#define PLATFORM_MODEL_MAX      32
#define PLATFORM_FILE_MAX       (64 * 1024 * 1024) /* 100,000 explicit devices fit */
#define PLATFORM_FLEET_NAME_MAX 32
#define PLATFORM_FLEETS_MAX     64
#define PLATFORM_FLEET_SIZE_MAX 10000000 /* devices per fleet */

struct platform_account {
	char name[PLATFORM_NAME_MAX + 1];
	char api_key[PLATFORM_API_KEY_MAX + 1];
	char api_secret[PLATFORM_API_SECRET_MAX + 1];
};

struct platform_device {
	uint8_t uid[ROT_UID_LEN];
	char uid_hex[2 * ROT_UID_LEN + 1]; /* upper case */
	char imei[16];
	char imsi[16];
	char iccid[21];
	char model[PLATFORM_MODEL_MAX + 1];
	char account[PLATFORM_NAME_MAX + 1];
	bool psk_provisioning;
	bool sealed;
	bool bootstrapped;
	uint32_t fleet; /* 0: an explicit device; else 1 + the fleet's position in "fleets" */
	uint32_t index; /* fleet devices: index in the fleet */
};

struct platform_fleet {
	char name[PLATFORM_FLEET_NAME_MAX + 1];
	char model[PLATFORM_MODEL_MAX + 1];
	char account[PLATFORM_NAME_MAX + 1];
	int count;
	bool psk_provisioning;
	bool sealed;
	bool bootstrapped;
	uint16_t code; /* derived from the secret and name; distinct across fleets */
};

struct platform;

/*
 * Parses and validates JSON text. On failure returns NULL and writes a one-line message
 * naming the field into err (errlen bytes).
 */
struct platform *platform_parse(const char *json, size_t len, char *err, size_t errlen);
/* Reads and parses a file (at most PLATFORM_FILE_MAX bytes). */
struct platform *platform_load(const char *path, char *err, size_t errlen);
/* The built-in public demo platform (docs/platform-file.md). Never fails except -ENOMEM. */
struct platform *platform_load_default(void);
/*
 * platform_load(path), or the built-in demo platform when path is NULL: what every program's
 * --platform option means. NULL with a one-line message in err.
 */
struct platform *platform_open(const char *path, char *err, size_t errlen);
/* Text of the built-in demo platform file (static, borrowed). */
const char *platform_default_json(void);
/* Wipes the secret and frees. NULL-safe. */
void platform_destroy(struct platform *p);

struct cJSON;

/*
 * Adds a device's fields to the JSON object o, as the platform file spells them: rot_uid,
 * imei, [imsi, iccid,] model, account, psk_provisioning, sealed, bootstrapped (imsi and iccid
 * only with sim_ids). Returns 0 or -ENOMEM (o may then hold some of the fields).
 */
int platform_device_add_json(struct cJSON *o, const struct platform_device *d, bool sim_ids);
/* A new JSON object with all the fields of d (platform file form). NULL on allocation failure. */
struct cJSON *platform_device_to_json(const struct platform_device *d);

/* Serialises to JSON (caller frees with free()). NULL on allocation failure. */
char *platform_format(const struct platform *p);
/* platform_format + afile_write with mode 0600. Returns 0 or -errno. */
int platform_save(const struct platform *p, const char *path);
/* Fresh random platform (RAND_bytes) with one account and a few devices, for `ukms-rot init`. */
struct platform *platform_generate(void);

const uint8_t *platform_secret(const struct platform *p);
size_t platform_device_count(const struct platform *p);
const struct platform_device *platform_device_at(const struct platform *p, size_t i);
size_t platform_account_count(const struct platform *p);
const struct platform_account *platform_account_at(const struct platform *p, size_t i);

size_t platform_fleet_count(const struct platform *p);
const struct platform_fleet *platform_fleet_at(const struct platform *p, size_t i);
const struct platform_fleet *platform_find_fleet(const struct platform *p, const char *name);
/*
 * Device index of fleet number f (0-based), computed (nothing is stored per device), with the
 * fleet's sparse overrides applied. Returns 0, -ENOENT (no fleet f) or -ERANGE (index >= count).
 */
int platform_fleet_device(const struct platform *p, size_t f, uint32_t index,
			  struct platform_device *out);
/*
 * Any device by selector: a rot_uid (16 hex chars, either case), an IMEI (15 digits) or
 * FLEET:INDEX (decimal). Fills out (a copy). Returns 0, -EINVAL for a malformed selector,
 * -ENOENT for no such device or fleet, -ERANGE for an index out of range; err then holds a
 * one-line message (err may be NULL).
 */
int platform_select(const struct platform *p, const char *selector, struct platform_device *out,
		    char *err, size_t errlen);

/* Lookups among explicit devices; NULL when absent. */
const struct platform_device *platform_find_uid(const struct platform *p,
						const uint8_t uid[ROT_UID_LEN]);
/* uid_or_imei: 16 hex chars (either case) or a 15-digit IMEI. */
const struct platform_device *platform_find_device(const struct platform *p,
						   const char *uid_or_imei);
/* First device whose model equals model (case-insensitive), or NULL. */
const struct platform_device *platform_find_model(const struct platform *p, const char *model);
const struct platform_account *platform_find_account(const struct platform *p, const char *name);
/* Account whose api_key matches; api_secret is then checked by the caller in constant time. */
const struct platform_account *platform_find_api_key(const struct platform *p, const char *api_key);

/*
 * Platform-side resolution of an identity: finds the device whose reference matches and whose
 * tag verifies (constant-time). Returns 0, -ENOENT for an unknown or forged identity (the two
 * are indistinguishable by design), or -EIO on a crypto failure. Nothing is stored per key.
 * Explicit devices are found through a sorted reference index (O(log n)), fleet devices by
 * inverting their reference (O(1), docs/rot-derivation.md). out (a copy) may be NULL.
 */
int platform_resolve(const struct platform *p, const struct rot_identity *id,
		     struct platform_device *out);
/*
 * platform_resolve and the PSK in one pass: each candidate's tag check and PSK derivation share
 * one keying of K_dev (rot_identity_check). len 16 or 32. dev may be NULL. An unknown or forged
 * identity costs the same (one tag check and one derivation against a dummy key); psk is wiped
 * on failure.
 */
int platform_derive_psk(const struct platform *p, const struct rot_identity *id, size_t len,
			struct platform_device *dev, struct rot_psk *psk);
/* rot_device_init for a registered device (explicit or fleet: a fleet device's ref differs). */
int platform_device_rot(const struct platform *p, const struct platform_device *d,
			struct rot_device *out);

/*
 * Mutations (admin endpoints). Return 0, -EINVAL (message in err), -EEXIST or -ENOENT.
 * platform_set_provisioning also takes a fleet device's uid: it is stored as a sparse override
 * of its fleet (-ENOSPC beyond PLATFORM_FLEET_SIZE_MAX overrides).
 */
int platform_set_provisioning(struct platform *p, const uint8_t uid[ROT_UID_LEN], bool on);
int platform_add_account(struct platform *p, const struct platform_account *a, char *err,
			 size_t errlen);
int platform_add_device(struct platform *p, const struct platform_device *d, char *err,
			size_t errlen);

#endif /* ROT_PLATFORM_H */
