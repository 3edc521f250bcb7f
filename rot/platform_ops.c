/* SPDX-License-Identifier: Apache-2.0 */
/* Platform lookups, identity resolution, serialisation, generation and mutations. */
#define LOG_MODULE "platform"
#include "rot/platform.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>
#include <openssl/crypto.h>

#include "afile.h"
#include "hex.h"
#include "platform_priv.h"

const uint8_t *platform_secret(const struct platform *p)
{
	return p->secret;
}

size_t platform_device_count(const struct platform *p)
{
	return p->n_devices;
}

const struct platform_device *platform_device_at(const struct platform *p, size_t i)
{
	return i < p->n_devices ? &p->devices[i] : NULL;
}

size_t platform_account_count(const struct platform *p)
{
	return p->n_accounts;
}

const struct platform_account *platform_account_at(const struct platform *p, size_t i)
{
	return i < p->n_accounts ? &p->accounts[i] : NULL;
}

const struct platform_device *platform_find_uid(const struct platform *p,
						const uint8_t uid[ROT_UID_LEN])
{
	for (size_t i = 0; i < p->n_devices; i++)
		if (memcmp(p->devices[i].uid, uid, ROT_UID_LEN) == 0)
			return &p->devices[i];
	return NULL;
}

const struct platform_device *platform_find_device(const struct platform *p,
						   const char *uid_or_imei)
{
	size_t len = uid_or_imei != NULL ? strlen(uid_or_imei) : 0;
	uint8_t uid[ROT_UID_LEN];

	if (len == 2 * ROT_UID_LEN && hex_decode(uid_or_imei, len, uid, sizeof(uid)) == ROT_UID_LEN)
		return platform_find_uid(p, uid);
	if (len != 15 || platform_check_imei(uid_or_imei, len) != NULL)
		return NULL;
	for (size_t i = 0; i < p->n_devices; i++)
		if (strcmp(p->devices[i].imei, uid_or_imei) == 0)
			return &p->devices[i];
	return NULL;
}

const struct platform_device *platform_find_model(const struct platform *p, const char *model)
{
	for (size_t i = 0; i < p->n_devices; i++)
		if (strcasecmp(p->devices[i].model, model) == 0)
			return &p->devices[i];
	return NULL;
}

const struct platform_account *platform_find_account(const struct platform *p, const char *name)
{
	for (size_t i = 0; i < p->n_accounts; i++)
		if (strcmp(p->accounts[i].name, name) == 0)
			return &p->accounts[i];
	return NULL;
}

const struct platform_account *platform_find_api_key(const struct platform *p, const char *api_key)
{
	for (size_t i = 0; i < p->n_accounts; i++)
		if (strcmp(p->accounts[i].api_key, api_key) == 0)
			return &p->accounts[i];
	return NULL;
}

/* First index entry whose ref is >= ref (binary search). */
static size_t lower_bound(const struct platform *p, const uint8_t ref[ROT_REF_LEN])
{
	size_t lo = 0, hi = p->n_index;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (memcmp(p->index[mid].ref, ref, ROT_REF_LEN) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * Stands in for a device key when no reference matches, so an unknown reference costs the same
 * tag check and PSK derivation as a forged tag or another account's device (issue 13: the three
 * 404 causes must not be told apart by their timing).
 */
static const struct rot_key dummy_key;

int platform_check_candidate(const struct rot_key *key, const struct rot_identity *id, size_t len,
			     struct rot_psk *psk)
{
	struct rot_psk cand;
	int rc = rot_identity_check(key, id, len, psk != NULL ? &cand : NULL);

	if (rc == 0 && psk != NULL)
		*psk = cand;
	rot_psk_clear(&cand);
	return rc == 0 ? 1 : rc == -EBADMSG ? 0 : -EIO;
}

int platform_check_dummy(const struct rot_key *key, const struct rot_identity *id, size_t len,
			 bool with_psk)
{
	struct rot_psk scratch;
	int rc = platform_check_candidate(key != NULL ? key : &dummy_key, id, len,
					  with_psk ? &scratch : NULL);

	rot_psk_clear(&scratch);
	return rc < 0 ? rc : 0;
}

/*
 * The one device whose reference matches and whose tag verifies (constant-time compare in
 * rot_identity_check): explicit devices through the sorted index, fleet devices by inverting
 * their reference. Two candidates whose tags both verify: refuse rather than guess
 * (docs/rot-derivation.md gives the odds). With psk != NULL each candidate's PSK of len bytes is
 * derived on the same keying as its tag check, and the match's is left in psk (wiped by the
 * caller on failure). Fills dev on success.
 */
static int resolve(const struct platform *p, const struct rot_identity *id, size_t len,
		   struct rot_psk *psk, struct platform_device *dev)
{
	const struct platform_ref *found = NULL;
	uint8_t ref[ROT_REF_LEN];
	unsigned matches = 0, checked = 0;
	int rc = 0;

	rot_identity_ref(id, ref);
	for (size_t i = lower_bound(p, ref); i < p->n_index; i++) {
		if (memcmp(p->index[i].ref, ref, ROT_REF_LEN) != 0)
			break;
		rc = platform_check_candidate(&p->index[i].key, id, len, psk);
		checked++;
		if (rc < 0)
			return rc;
		if (rc == 1) {
			matches++;
			found = &p->index[i];
		}
	}
	rc = 0;
	if (p->n_fleets > 0)
		rc = platform_fleet_resolve(p, id, len, psk, &matches, dev);
	else if (checked == 0)
		rc = platform_check_dummy(NULL, id, len, psk != NULL);
	if (rc < 0)
		return rc;
	if (matches != 1)
		return -ENOENT;
	if (found != NULL)
		*dev = p->devices[found->dev];
	return 0;
}

int platform_resolve(const struct platform *p, const struct rot_identity *id,
		     struct platform_device *out)
{
	struct platform_device d;
	int rc = resolve(p, id, 0, NULL, &d);

	if (rc == 0 && out != NULL)
		*out = d;
	return rc;
}

int platform_derive_psk(const struct platform *p, const struct rot_identity *id, size_t len,
			struct platform_device *dev, struct rot_psk *psk)
{
	struct platform_device d;
	int rc;

	rot_psk_clear(psk);
	if (len != 16 && len != 32)
		return -EINVAL;
	rc = resolve(p, id, len, psk, &d);
	if (rc < 0)
		rot_psk_clear(psk);
	if (rc == 0 && dev != NULL)
		*dev = d;
	return rc;
}

int platform_set_provisioning(struct platform *p, const uint8_t uid[ROT_UID_LEN], bool on)
{
	for (size_t i = 0; i < p->n_devices; i++) {
		if (memcmp(p->devices[i].uid, uid, ROT_UID_LEN) == 0) {
			p->devices[i].psk_provisioning = on;
			return 0;
		}
	}
	return platform_fleet_set_provisioning(p, uid, on);
}

int platform_add_account(struct platform *p, const struct platform_account *a, char *err,
			 size_t errlen)
{
	struct platform_account *n;
	int rc;

	rc = platform_check_account(p, a, p->n_accounts, err, errlen);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < p->n_accounts; i++) {
		bool same_name = strcmp(p->accounts[i].name, a->name) == 0;

		if (same_name || strcmp(p->accounts[i].api_key, a->api_key) == 0) {
			platform_errf(err, errlen,
				      "accounts[%zu].%s: duplicate of accounts[%zu].%s",
				      p->n_accounts, same_name ? "name" : "api_key", i,
				      same_name ? "name" : "api_key");
			return -EEXIST;
		}
	}
	n = realloc(p->accounts, (p->n_accounts + 1) * sizeof(*n));
	if (n == NULL)
		return -ENOMEM;
	p->accounts = n;
	p->accounts[p->n_accounts++] = *a;
	return 0;
}

static int device_dup(const struct platform *p, const struct platform_device *d, char *err,
		      size_t errlen)
{
	for (size_t i = 0; i < p->n_devices; i++) {
		bool same_uid = memcmp(p->devices[i].uid, d->uid, ROT_UID_LEN) == 0;
		const char *f = same_uid ? "rot_uid" : "imei";

		if (same_uid || strcmp(p->devices[i].imei, d->imei) == 0) {
			platform_errf(err, errlen, "devices[%zu].%s: duplicate of devices[%zu].%s",
				      p->n_devices, f, i, f);
			return -EEXIST;
		}
	}
	return 0;
}

int platform_add_device(struct platform *p, const struct platform_device *d, char *err,
			size_t errlen)
{
	struct platform_device copy = *d, *n;
	int rc;

	if (copy.uid_hex[0] == '\0')
		hex_encode(copy.uid, ROT_UID_LEN, copy.uid_hex, sizeof(copy.uid_hex));
	copy.uid_hex[sizeof(copy.uid_hex) - 1] = '\0';
	rc = platform_check_device(p, &copy, p->n_devices, err, errlen);
	if (rc == 0)
		rc = device_dup(p, &copy, err, errlen);
	if (rc < 0)
		return rc;
	n = realloc(p->devices, (p->n_devices + 1) * sizeof(*n));
	if (n == NULL)
		return -ENOMEM;
	p->devices = n;
	p->devices[p->n_devices++] = copy;
	rc = platform_index_build(p);
	if (rc < 0)
		p->n_devices--; /* the old index still describes devices [0, n - 1) */
	return rc;
}
