/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Synthetic fleets (docs/platform-file.md, "Fleets"; docs/rot-derivation.md, "Fleets"): devices
 * computed from the platform secret, the fleet name and an index, never stored; selectors
 * UID|IMEI|FLEET:INDEX; the O(1) resolution of a fleet identity; sparse provisioning overrides.
 *
 * Identifiers of device i of a fleet with 16-bit code c (c and i in decimal, zero-padded):
 *	rot_uid  F1EE || c (2 bytes) || i (4 bytes, big endian)     16 hex chars
 *	IMEI     "99" || c (5 digits) || i (7 digits) || Luhn        15 digits
 *	IMSI     "99" || c (5 digits) || i (8 digits)                15 digits
 *	ICCID    "8999" || c (5 digits) || i (9 digits) || Luhn      19 digits
 * Explicit devices may not use these prefixes (checked at load), and codes are distinct across
 * fleets (checked at load), so every identifier is unique across fleets and explicit devices.
 */
#define LOG_MODULE "platform"
#include "rot/platform.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <openssl/crypto.h>

#include "hex.h"
#include "platform_priv.h"
#include "rot_priv.h"

static const uint8_t uid_prefix[2] = { 0xF1, 0xEE };

void platform_luhn_append(char *s)
{
	size_t len = strlen(s);
	unsigned sum = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned d = (unsigned)(s[len - 1 - i] - '0');

		if (i % 2 == 0)
			d = d * 2 > 9 ? d * 2 - 9 : d * 2;
		sum += d;
	}
	s[len] = (char)('0' + (10 - sum % 10) % 10);
	s[len + 1] = '\0';
}

const char *platform_reserved_field(const struct platform_device *d)
{
	if (strncmp(d->uid_hex, "F1EE", 4) == 0 || strncmp(d->uid_hex, "f1ee", 4) == 0)
		return "rot_uid";
	if (strncmp(d->imei, "99", 2) == 0)
		return "imei";
	if (strncmp(d->imsi, "99", 2) == 0)
		return "imsi";
	if (strncmp(d->iccid, "8999", 4) == 0)
		return "iccid";
	return NULL;
}

size_t platform_fleet_count(const struct platform *p)
{
	return p->n_fleets;
}

const struct platform_fleet *platform_fleet_at(const struct platform *p, size_t i)
{
	return i < p->n_fleets ? &p->fleets[i] : NULL;
}

const struct platform_fleet *platform_find_fleet(const struct platform *p, const char *name)
{
	for (size_t i = 0; i < p->n_fleets; i++)
		if (strcmp(p->fleets[i].name, name) == 0)
			return &p->fleets[i];
	return NULL;
}

static const struct platform_override *find_override(const struct platform_fleet_priv *fp,
						     uint32_t index)
{
	size_t lo = 0, hi = fp->n_ov;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (fp->ov[mid].index == index)
			return &fp->ov[mid];
		if (fp->ov[mid].index < index)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Writes v as exactly width decimal digits (zero-padded, v < 10^width); returns the end. */
static char *put_dec(char *p, uint32_t v, unsigned width)
{
	for (unsigned i = width; i-- > 0; v /= 10)
		p[i] = (char)('0' + v % 10);
	return p + width;
}

/* "<prefix><code, 5 digits><index, width digits>", plus a Luhn digit if luhn. */
static void put_number(char *out, const char *prefix, unsigned code, uint32_t index, unsigned width,
		       bool luhn)
{
	size_t n = strlen(prefix);

	memcpy(out, prefix, n);
	*put_dec(put_dec(out + n, code, 5), index, width) = '\0';
	if (luhn)
		platform_luhn_append(out);
}

/* Fills device index of fleet f (both in range). Per GetPSK of a fleet identity: no printf. */
static void fill(const struct platform *p, size_t f, uint32_t index, struct platform_device *d)
{
	const struct platform_fleet *fl = &p->fleets[f];
	const struct platform_override *ov = find_override(&p->fpriv[f], index);
	unsigned code = fl->code;

	memset(d, 0, sizeof(*d));
	d->uid[0] = uid_prefix[0];
	d->uid[1] = uid_prefix[1];
	d->uid[2] = (uint8_t)(code >> 8);
	d->uid[3] = (uint8_t)code;
	d->uid[4] = (uint8_t)(index >> 24);
	d->uid[5] = (uint8_t)(index >> 16);
	d->uid[6] = (uint8_t)(index >> 8);
	d->uid[7] = (uint8_t)index;
	hex_encode(d->uid, ROT_UID_LEN, d->uid_hex, sizeof(d->uid_hex));
	put_number(d->imei, "99", code, index, 7, true);    /* 2 + 5 + 7 + 1 = 15 */
	put_number(d->imsi, "99", code, index, 8, false);   /* 2 + 5 + 8 = 15 */
	put_number(d->iccid, "8999", code, index, 9, true); /* 4 + 5 + 9 + 1 = 19 */
	memcpy(d->model, fl->model, sizeof(d->model));
	memcpy(d->account, fl->account, sizeof(d->account));
	d->psk_provisioning = ov != NULL ? ov->psk_provisioning : fl->psk_provisioning;
	d->sealed = fl->sealed;
	d->bootstrapped = fl->bootstrapped;
	d->fleet = (uint32_t)f + 1;
	d->index = index;
}

int platform_fleet_device(const struct platform *p, size_t f, uint32_t index,
			  struct platform_device *out)
{
	if (f >= p->n_fleets)
		return -ENOENT;
	if (index >= (uint32_t)p->fleets[f].count)
		return -ERANGE;
	fill(p, f, index, out);
	return 0;
}

static size_t fleet_by_code(const struct platform *p, unsigned code)
{
	for (size_t f = 0; f < p->n_fleets; f++)
		if (p->fleets[f].code == code)
			return f;
	return SIZE_MAX;
}

/* Decimal digits s[0..n) into *out; false on overflow of UINT32_MAX or a non-digit. */
static bool parse_dec(const char *s, size_t n, uint32_t *out)
{
	uint64_t v = 0;

	if (n == 0 || n > 10)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > UINT32_MAX)
		return false;
	*out = (uint32_t)v;
	return true;
}

/* A fleet device by its reserved uid or IMEI; false when sel is not one. */
static bool decode_reserved(const struct platform *p, const char *sel, size_t *f, uint32_t *index)
{
	size_t len = strlen(sel);
	uint8_t uid[ROT_UID_LEN];
	uint32_t code = 0;

	if (len == 2 * ROT_UID_LEN && hex_decode(sel, len, uid, sizeof(uid)) == ROT_UID_LEN) {
		if (memcmp(uid, uid_prefix, sizeof(uid_prefix)) != 0)
			return false;
		code = (uint32_t)uid[2] << 8 | uid[3];
		*index = (uint32_t)uid[4] << 24 | (uint32_t)uid[5] << 16 | (uint32_t)uid[6] << 8 |
			 uid[7];
	} else if (len == 15 && strncmp(sel, "99", 2) == 0) {
		char check[16];

		if (!parse_dec(sel + 2, 5, &code) || !parse_dec(sel + 7, 7, index))
			return false;
		memcpy(check, sel, 14);
		check[14] = '\0';
		platform_luhn_append(check);
		if (check[14] != sel[14])
			return false;
	} else {
		return false;
	}
	*f = fleet_by_code(p, code);
	return true;
}

static int select_fleet_index(const struct platform *p, const char *sel, const char *colon,
			      struct platform_device *out, char *err, size_t errlen)
{
	size_t nlen = (size_t)(colon - sel);
	uint32_t index = 0;

	if (!parse_dec(colon + 1, strlen(colon + 1), &index)) {
		platform_errf(err, errlen, "'%.64s': the index after ':' must be a decimal number",
			      sel);
		return -EINVAL;
	}
	for (size_t f = 0; f < p->n_fleets; f++) {
		const struct platform_fleet *fl = &p->fleets[f];

		if (strlen(fl->name) != nlen || memcmp(fl->name, sel, nlen) != 0)
			continue;
		if (index >= (uint32_t)fl->count) {
			platform_errf(err, errlen,
				      "%s:%u: index out of range (fleet %s has %d devices, 0-%d)",
				      fl->name, (unsigned)index, fl->name, fl->count,
				      fl->count - 1);
			return -ERANGE;
		}
		fill(p, f, index, out);
		return 0;
	}
	platform_errf(err, errlen, "no fleet '%.*s' in the platform", (int)(nlen > 64 ? 64 : nlen),
		      sel);
	return -ENOENT;
}

int platform_select(const struct platform *p, const char *sel, struct platform_device *out,
		    char *err, size_t errlen)
{
	const struct platform_device *d;
	const char *colon = strchr(sel, ':');
	size_t len = strlen(sel), f = SIZE_MAX;
	uint32_t index = 0;

	if (colon != NULL)
		return select_fleet_index(p, sel, colon, out, err, errlen);
	if (decode_reserved(p, sel, &f, &index)) {
		if (f == SIZE_MAX || index >= (uint32_t)p->fleets[f].count) {
			platform_errf(err, errlen, "device %s not in the platform", sel);
			return -ENOENT;
		}
		fill(p, f, index, out);
		return 0;
	}
	if (!(len == 2 * ROT_UID_LEN && hex_is_valid(sel, len)) &&
	    !(len == 15 && platform_check_imei(sel, len) == NULL)) {
		platform_errf(err, errlen,
			      "'%.64s': expected a rot_uid (16 hex chars), an IMEI (15 digits) or "
			      "FLEET:INDEX",
			      sel);
		return -EINVAL;
	}
	d = platform_find_device(p, sel);
	if (d == NULL) {
		platform_errf(err, errlen, "device %s not in the platform", sel);
		return -ENOENT;
	}
	*out = *d;
	return 0;
}

static uint32_t ref_plain(const struct platform_fleet *fl, uint32_t index)
{
	return (uint32_t)(fl->code & 0xFF) << 24 | index;
}

int platform_device_rot(const struct platform *p, const struct platform_device *d,
			struct rot_device *out)
{
	int rc;

	if (d->fleet == 0 || d->fleet > p->n_fleets)
		return rot_device_init(p->secret, d->uid, out);
	memcpy(out->uid, d->uid, ROT_UID_LEN);
	rc = rot_fleet_ref(&p->fleet_ref_key, ref_plain(&p->fleets[d->fleet - 1], d->index),
			   out->ref);
	if (rc == 0)
		rc = rot_fleet_device_key(&p->fleet_dev_key, d->uid, &out->key);
	if (rc < 0)
		rot_device_clear(out);
	return rc;
}

int platform_fleet_resolve(const struct platform *p, const struct rot_identity *id, size_t len,
			   struct rot_psk *psk, unsigned *matches, struct platform_device *dev)
{
	static const uint8_t dummy_uid[ROT_UID_LEN];
	uint8_t ref[ROT_REF_LEN];
	uint32_t plain = 0, index;
	struct rot_key k;
	unsigned checked = 0;
	int rc;

	rot_identity_ref(id, ref);
	rc = rot_fleet_unref(&p->fleet_ref_key, ref, &plain);
	index = plain & 0xFFFFFF;
	for (size_t f = 0; rc == 0 && f < p->n_fleets; f++) {
		const struct platform_fleet *fl = &p->fleets[f];
		struct platform_device d;

		if ((fl->code & 0xFF) != plain >> 24 || index >= (uint32_t)fl->count)
			continue;
		fill(p, f, index, &d);
		rc = rot_fleet_device_key(&p->fleet_dev_key, d.uid, &k);
		if (rc == 0)
			rc = platform_check_candidate(&k, id, len, psk);
		checked++;
		if (rc == 1) {
			(*matches)++;
			*dev = d;
		}
		rc = rc < 0 ? rc : 0;
	}
	/*
	 * No fleet candidate: the same key derivation and tag check on a dummy device, so a
	 * reference that decodes to no device costs what a forged tag costs (issue 13's 404s).
	 */
	if (rc == 0 && checked == 0) {
		rc = rot_fleet_device_key(&p->fleet_dev_key, dummy_uid, &k);
		if (rc == 0)
			rc = platform_check_dummy(&k, id, len, psk != NULL);
	}
	rot_key_clear(&k);
	return rc;
}

int platform_fleet_set_provisioning(struct platform *p, const uint8_t uid[ROT_UID_LEN], bool on)
{
	char hexuid[2 * ROT_UID_LEN + 1];
	struct platform_fleet_priv *fp;
	struct platform_override *n;
	size_t f = SIZE_MAX, at = 0;
	uint32_t index = 0;

	hex_encode(uid, ROT_UID_LEN, hexuid, sizeof(hexuid));
	if (!decode_reserved(p, hexuid, &f, &index) || f == SIZE_MAX ||
	    index >= (uint32_t)p->fleets[f].count)
		return -ENOENT;
	fp = &p->fpriv[f];
	while (at < fp->n_ov && fp->ov[at].index < index)
		at++;
	if (at < fp->n_ov && fp->ov[at].index == index) {
		fp->ov[at].psk_provisioning = on;
		return 0;
	}
	if (fp->n_ov >= PLATFORM_FLEET_SIZE_MAX)
		return -ENOSPC;
	n = realloc(fp->ov, (fp->n_ov + 1) * sizeof(*n));
	if (n == NULL)
		return -ENOMEM;
	memmove(n + at + 1, n + at, (fp->n_ov - at) * sizeof(*n));
	n[at] = (struct platform_override){ index, on };
	fp->ov = n;
	fp->n_ov++;
	return 0;
}

static cJSON *format_fleet(const struct platform_fleet *fl, const struct platform_fleet_priv *fp)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *ov = NULL;

	if (o == NULL || !cJSON_AddStringToObject(o, "name", fl->name) ||
	    !cJSON_AddStringToObject(o, "account", fl->account) ||
	    !cJSON_AddStringToObject(o, "model", fl->model) ||
	    !cJSON_AddNumberToObject(o, "count", fl->count) ||
	    !cJSON_AddBoolToObject(o, "psk_provisioning", fl->psk_provisioning) ||
	    !cJSON_AddBoolToObject(o, "sealed", fl->sealed) ||
	    !cJSON_AddBoolToObject(o, "bootstrapped", fl->bootstrapped))
		goto fail;
	if (fp->n_ov > 0 && (ov = cJSON_AddArrayToObject(o, "overrides")) == NULL)
		goto fail;
	for (size_t i = 0; i < fp->n_ov; i++) {
		cJSON *e = cJSON_CreateObject();

		if (!cJSON_AddItemToArray(ov, e) ||
		    !cJSON_AddNumberToObject(e, "index", fp->ov[i].index) ||
		    !cJSON_AddBoolToObject(e, "psk_provisioning", fp->ov[i].psk_provisioning))
			goto fail;
	}
	return o;
fail:
	cJSON_Delete(o);
	return NULL;
}

int platform_format_fleets(const struct platform *p, cJSON *root)
{
	cJSON *arr;

	if (p->n_fleets == 0)
		return 0;
	arr = cJSON_AddArrayToObject(root, "fleets");
	if (arr == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < p->n_fleets; i++)
		if (!cJSON_AddItemToArray(arr, format_fleet(&p->fleets[i], &p->fpriv[i])))
			return -ENOMEM;
	return 0;
}

void platform_fleets_free(struct platform *p)
{
	for (size_t i = 0; p->fpriv != NULL && i < p->n_fleets; i++)
		free(p->fpriv[i].ov);
	free(p->fpriv);
	free(p->fleets);
	p->fpriv = NULL;
	p->fleets = NULL;
	p->n_fleets = 0;
}
