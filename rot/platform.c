/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Strict parser of the platform file (docs/platform-file.md): table-driven field schemas,
 * every message names the field, unknown and duplicate keys are errors.
 */
#define LOG_MODULE "platform"
#include "rot/platform.h"

#include <errno.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <openssl/crypto.h>

#include "afile.h"
#include "buf.h"
#include "hex.h"
#include "platform_priv.h"
#include "rot_priv.h"

enum field_kind { F_STR, F_BOOL, F_INT, F_ARRAY };

typedef const char *check_fn(const char *s, size_t len);

struct field {
	const char *name;
	enum field_kind kind;
	bool required;
	size_t off;
	size_t size; /* F_STR: destination capacity including NUL */
	check_fn *check;
};

struct top {
	int version;
	char secret_hex[2 * ROT_SECRET_LEN + 1];
	const cJSON *accounts;
	const cJSON *devices;
	const cJSON *fleets;
};

struct fleet_in {
	struct platform_fleet f;
	const cJSON *overrides;
};

struct override_in {
	int index;
	bool psk_provisioning;
};

static const char *check_secret(const char *s, size_t len);
static const char *check_fleet_name(const char *s, size_t len);

#define STR(st, f, req, fn)                                                                        \
	{                                                                                          \
#f, F_STR, req, offsetof(struct st, f), sizeof(((struct st *)0)->f), fn            \
	}
#define BOOL(st, f)                                                                                \
	{                                                                                          \
#f, F_BOOL, false, offsetof(struct st, f), 0, NULL                                 \
	}

static const struct field top_fields[] = {
	{ "version", F_INT, true, offsetof(struct top, version), 0, NULL },
	{ "platform_secret", F_STR, true, offsetof(struct top, secret_hex),
	  sizeof(((struct top *)0)->secret_hex), check_secret },
	{ "accounts", F_ARRAY, true, offsetof(struct top, accounts), 0, NULL },
	{ "devices", F_ARRAY, true, offsetof(struct top, devices), 0, NULL },
	{ "fleets", F_ARRAY, false, offsetof(struct top, fleets), 0, NULL },
};

#define FL(m) offsetof(struct fleet_in, f.m), sizeof(((struct platform_fleet *)0)->m)

static const struct field fleet_fields[] = {
	{ "name", F_STR, true, FL(name), check_fleet_name },
	{ "account", F_STR, true, FL(account), platform_check_name },
	{ "model", F_STR, true, FL(model), platform_check_model },
	{ "count", F_INT, true, FL(count), NULL },
	{ "psk_provisioning", F_BOOL, false, FL(psk_provisioning), NULL },
	{ "sealed", F_BOOL, false, FL(sealed), NULL },
	{ "bootstrapped", F_BOOL, false, FL(bootstrapped), NULL },
	{ "overrides", F_ARRAY, false, offsetof(struct fleet_in, overrides), 0, NULL },
};

static const struct field override_fields[] = {
	{ "index", F_INT, true, offsetof(struct override_in, index), 0, NULL },
	{ "psk_provisioning", F_BOOL, true, offsetof(struct override_in, psk_provisioning), 0,
	  NULL },
};

static const struct field account_fields[] = {
	STR(platform_account, name, true, platform_check_name),
	STR(platform_account, api_key, true, platform_check_api_key),
	STR(platform_account, api_secret, true, platform_check_api_secret),
};

static const struct field device_fields[] = {
	{ "rot_uid", F_STR, true, offsetof(struct platform_device, uid_hex),
	  sizeof(((struct platform_device *)0)->uid_hex), platform_check_uid },
	STR(platform_device, imei, true, platform_check_imei),
	STR(platform_device, imsi, true, platform_check_imsi),
	STR(platform_device, iccid, true, platform_check_iccid),
	STR(platform_device, model, true, platform_check_model),
	STR(platform_device, account, true, platform_check_name),
	BOOL(platform_device, psk_provisioning),
	BOOL(platform_device, sealed),
	BOOL(platform_device, bootstrapped),
};

void platform_errf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* A JSON number that is an integer of modest size (no libm needed). */
static bool is_int(double d)
{
	return d > -1e9 && d < 1e9 && d == (double)(long)d;
}

static bool all_digits(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static bool printable(const char *s, size_t len, bool allow_space)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] < (allow_space ? ' ' : '!') || s[i] > '~')
			return false;
	return true;
}

static const char *check_secret(const char *s, size_t len)
{
	return len == 2 * ROT_SECRET_LEN && hex_is_valid(s, len) ? NULL : "expected 64 hex chars";
}

/* Fleet names: 1-32 of [A-Za-z0-9._-] (no ':', which separates FLEET:INDEX). */
static const char *check_fleet_name(const char *s, size_t len)
{
	static const char why[] = "expected 1-32 characters of A-Z a-z 0-9 . _ -";

	if (len == 0 || len > PLATFORM_FLEET_NAME_MAX)
		return why;
	for (size_t i = 0; i < len; i++)
		if (!(s[i] >= 'a' && s[i] <= 'z') && !(s[i] >= 'A' && s[i] <= 'Z') &&
		    !(s[i] >= '0' && s[i] <= '9') && s[i] != '.' && s[i] != '_' && s[i] != '-')
			return why;
	return NULL;
}

const char *platform_check_uid(const char *s, size_t len)
{
	return len == 2 * ROT_UID_LEN && hex_is_valid(s, len) ? NULL : "expected 16 hex chars";
}

const char *platform_check_imei(const char *s, size_t len)
{
	return len == 15 && all_digits(s, len) ? NULL : "expected 15 digits";
}

const char *platform_check_imsi(const char *s, size_t len)
{
	return len == 15 && all_digits(s, len) ? NULL : "expected 15 digits";
}

const char *platform_check_iccid(const char *s, size_t len)
{
	return (len == 19 || len == 20) && all_digits(s, len) ? NULL : "expected 19 or 20 digits";
}

const char *platform_check_model(const char *s, size_t len)
{
	if (len == 0 || len > PLATFORM_MODEL_MAX || !printable(s, len, false))
		return "expected 1-32 printable characters without spaces";
	return NULL;
}

const char *platform_check_name(const char *s, size_t len)
{
	if (len == 0 || len > PLATFORM_NAME_MAX || !printable(s, len, true))
		return "expected 1-64 printable characters";
	return NULL;
}

const char *platform_check_api_key(const char *s, size_t len)
{
	if (len == 0 || len > PLATFORM_API_KEY_MAX || !printable(s, len, false))
		return "expected 1-64 printable characters without spaces";
	return NULL;
}

const char *platform_check_api_secret(const char *s, size_t len)
{
	if (len == 0 || len > PLATFORM_API_SECRET_MAX || !printable(s, len, false))
		return "expected 1-128 printable characters without spaces";
	return NULL;
}

static const struct field *find_field(const struct field *f, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(f[i].name, name) == 0)
			return &f[i];
	return NULL;
}

/* Stores one JSON value into dst per its field descriptor; returns the reason on error. */
static const char *store_value(const struct field *f, const cJSON *v, uint8_t *dst)
{
	const char *why;
	size_t len;

	switch (f->kind) {
	case F_STR:
		if (!cJSON_IsString(v) || v->valuestring == NULL)
			return "expected a string";
		len = strlen(v->valuestring);
		why = f->check(v->valuestring, len);
		if (why != NULL)
			return why;
		if (len >= f->size)
			return "too long";
		memcpy(dst + f->off, v->valuestring, len + 1);
		return NULL;
	case F_BOOL:
		if (!cJSON_IsBool(v))
			return "expected true or false";
		*(bool *)(void *)(dst + f->off) = cJSON_IsTrue(v);
		return NULL;
	case F_INT:
		if (!cJSON_IsNumber(v) || !is_int(v->valuedouble))
			return "expected an integer";
		*(int *)(void *)(dst + f->off) = (int)v->valuedouble;
		return NULL;
	case F_ARRAY:
		if (!cJSON_IsArray(v))
			return "expected an array";
		*(const cJSON **)(void *)(dst + f->off) = v;
		return NULL;
	}
	return "bad schema";
}

/* path "" for the top level, else e.g. "devices[2]". */
static int parse_object(const cJSON *obj, const char *path, const struct field *f, size_t n,
			void *dst, char *err, size_t errlen)
{
	const char *sep = path[0] != '\0' ? "." : "";
	uint32_t seen = 0;
	const cJSON *v;

	if (!cJSON_IsObject(obj)) {
		platform_errf(err, errlen, "%s: expected an object", path[0] ? path : "(top)");
		return -EINVAL;
	}
	cJSON_ArrayForEach(v, obj)
	{
		const struct field *fd = find_field(f, n, v->string);
		const char *why;
		uint32_t bit;

		if (fd == NULL) {
			platform_errf(err, errlen, "%s%s%.40s: unknown field", path, sep,
				      v->string);
			return -EINVAL;
		}
		bit = 1u << (fd - f);
		why = seen & bit ? "duplicate field" : store_value(fd, v, dst);
		if (why != NULL) {
			platform_errf(err, errlen, "%s%s%s: %s", path, sep, fd->name, why);
			return -EINVAL;
		}
		seen |= bit;
	}
	for (size_t i = 0; i < n; i++) {
		if (f[i].required && !(seen & (1u << i))) {
			platform_errf(err, errlen, "%s%s%s: missing", path, sep, f[i].name);
			return -EINVAL;
		}
	}
	return 0;
}

int platform_check_device(const struct platform *p, struct platform_device *d, size_t i, char *err,
			  size_t errlen)
{
	static const struct {
		const char *name;
		size_t off;
		check_fn *check;
	} checks[] = {
		{ "rot_uid", offsetof(struct platform_device, uid_hex), platform_check_uid },
		{ "imei", offsetof(struct platform_device, imei), platform_check_imei },
		{ "imsi", offsetof(struct platform_device, imsi), platform_check_imsi },
		{ "iccid", offsetof(struct platform_device, iccid), platform_check_iccid },
		{ "model", offsetof(struct platform_device, model), platform_check_model },
		{ "account", offsetof(struct platform_device, account), platform_check_name },
	};

	for (size_t k = 0; k < ARRAY_LEN(checks); k++) {
		const char *s = (const char *)d + checks[k].off;
		const char *why = checks[k].check(s, strlen(s));

		if (why != NULL) {
			platform_errf(err, errlen, "devices[%zu].%s: %s", i, checks[k].name, why);
			return -EINVAL;
		}
	}
	if (platform_find_account(p, d->account) == NULL) {
		platform_errf(err, errlen, "devices[%zu].account: unknown account \"%s\"", i,
			      d->account);
		return -EINVAL;
	}
	hex_decode(d->uid_hex, 2 * ROT_UID_LEN, d->uid, ROT_UID_LEN);
	hex_encode(d->uid, ROT_UID_LEN, d->uid_hex, sizeof(d->uid_hex));
	if (platform_reserved_field(d) != NULL) {
		platform_errf(err, errlen,
			      "devices[%zu].%s: this prefix is reserved for fleet devices (rot_uid "
			      "F1EE..., imei and imsi 99..., iccid 8999...)",
			      i, platform_reserved_field(d));
		return -EINVAL;
	}
	return 0;
}

int platform_check_account(const struct platform *p, const struct platform_account *a, size_t i,
			   char *err, size_t errlen)
{
	const char *why;
	const char *field = "name";

	why = platform_check_name(a->name, strlen(a->name));
	if (why == NULL) {
		field = "api_key";
		why = platform_check_api_key(a->api_key, strlen(a->api_key));
	}
	if (why == NULL) {
		field = "api_secret";
		why = platform_check_api_secret(a->api_secret, strlen(a->api_secret));
	}
	if (why != NULL) {
		platform_errf(err, errlen, "accounts[%zu].%s: %s", i, field, why);
		return -EINVAL;
	}
	return 0;
}

struct dup_ctx {
	const uint8_t *base;
	size_t stride;
	size_t off;
};

static const char *dup_key(const struct dup_ctx *c, size_t i)
{
	return (const char *)(c->base + i * c->stride + c->off);
}

static int dup_cmp(const void *a, const void *b, void *data)
{
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	int r = strcmp(dup_key(data, i), dup_key(data, j));

	if (r != 0)
		return r;
	return i < j ? -1 : i > j;
}

/*
 * Sort-based duplicate search (O(n log n), for a million devices). On a duplicate, names both
 * indices: "<what>[j].<field>: duplicate of <what>[i].<field>" with the smallest such j.
 */
static int find_dups(const void *base, size_t n, size_t stride, size_t off, const char *what,
		     const char *field, char *err, size_t errlen)
{
	struct dup_ctx c = { base, stride, off };
	size_t *idx = NULL, best_i = 0, best_j = SIZE_MAX;
	int rc = -ENOMEM;

	if (n < 2)
		return 0;
	idx = calloc(n, sizeof(*idx));
	if (idx == NULL)
		goto out;
	for (size_t i = 0; i < n; i++)
		idx[i] = i;
	qsort_r(idx, n, sizeof(*idx), dup_cmp, &c);
	for (size_t k = 0; k + 1 < n; k++) {
		if (strcmp(dup_key(&c, idx[k]), dup_key(&c, idx[k + 1])) == 0 &&
		    idx[k + 1] < best_j) {
			best_i = idx[k];
			best_j = idx[k + 1];
		}
	}
	rc = 0;
	if (best_j != SIZE_MAX) {
		platform_errf(err, errlen, "%s[%zu].%s: duplicate of %s[%zu].%s", what, best_j,
			      field, what, best_i, field);
		rc = -EINVAL;
	}
out:
	free(idx);
	return rc;
}

static int parse_accounts(struct platform *p, const cJSON *arr, char *err, size_t errlen)
{
	size_t n = (size_t)cJSON_GetArraySize(arr), i = 0;
	const cJSON *v;
	char path[32];
	int rc;

	p->accounts = calloc(n ? n : 1, sizeof(*p->accounts));
	if (p->accounts == NULL)
		return -ENOMEM;
	cJSON_ArrayForEach(v, arr)
	{
		snprintf(path, sizeof(path), "accounts[%zu]", i);
		rc = parse_object(v, path, account_fields, ARRAY_LEN(account_fields),
				  &p->accounts[i], err, errlen);
		if (rc < 0)
			return rc;
		p->n_accounts = ++i;
	}
	rc = find_dups(p->accounts, n, sizeof(*p->accounts),
		       offsetof(struct platform_account, name), "accounts", "name", err, errlen);
	if (rc == 0)
		rc = find_dups(p->accounts, n, sizeof(*p->accounts),
			       offsetof(struct platform_account, api_key), "accounts", "api_key",
			       err, errlen);
	return rc;
}

static int parse_devices(struct platform *p, const cJSON *arr, char *err, size_t errlen)
{
	size_t n = (size_t)cJSON_GetArraySize(arr), i = 0;
	const cJSON *v;
	char path[32];
	int rc;

	p->devices = calloc(n ? n : 1, sizeof(*p->devices));
	if (p->devices == NULL)
		return -ENOMEM;
	cJSON_ArrayForEach(v, arr)
	{
		struct platform_device *d = &p->devices[i];

		d->psk_provisioning = d->sealed = d->bootstrapped = true;
		snprintf(path, sizeof(path), "devices[%zu]", i);
		rc = parse_object(v, path, device_fields, ARRAY_LEN(device_fields), d, err, errlen);
		if (rc == 0)
			rc = platform_check_device(p, d, i, err, errlen);
		if (rc < 0)
			return rc;
		p->n_devices = ++i;
	}
	rc = find_dups(p->devices, n, sizeof(*p->devices),
		       offsetof(struct platform_device, uid_hex), "devices", "rot_uid", err,
		       errlen);
	if (rc == 0)
		rc = find_dups(p->devices, n, sizeof(*p->devices),
			       offsetof(struct platform_device, imei), "devices", "imei", err,
			       errlen);
	return rc;
}

static int override_cmp(const void *a, const void *b)
{
	const struct platform_override *x = a, *y = b;

	return x->index < y->index ? -1 : x->index > y->index;
}

static int parse_overrides(struct platform *p, size_t f, const cJSON *arr, char *err, size_t errlen)
{
	struct platform_fleet_priv *fp = &p->fpriv[f];
	size_t n = (size_t)cJSON_GetArraySize(arr), i = 0;
	const cJSON *v;
	char path[64];
	int rc;

	fp->ov = calloc(n ? n : 1, sizeof(*fp->ov));
	if (fp->ov == NULL)
		return -ENOMEM;
	cJSON_ArrayForEach(v, arr)
	{
		struct override_in o = { 0, false };

		snprintf(path, sizeof(path), "fleets[%zu].overrides[%zu]", f, i);
		rc = parse_object(v, path, override_fields, ARRAY_LEN(override_fields), &o, err,
				  errlen);
		if (rc == 0 && (o.index < 0 || o.index >= p->fleets[f].count)) {
			platform_errf(err, errlen, "%s.index: %d out of range (0-%d)", path,
				      o.index, p->fleets[f].count - 1);
			rc = -EINVAL;
		}
		if (rc < 0)
			return rc;
		fp->ov[i] = (struct platform_override){ (uint32_t)o.index, o.psk_provisioning };
		fp->n_ov = ++i;
	}
	qsort(fp->ov, fp->n_ov, sizeof(*fp->ov), override_cmp);
	for (i = 1; i < fp->n_ov; i++) {
		if (fp->ov[i].index == fp->ov[i - 1].index) {
			platform_errf(err, errlen, "fleets[%zu].overrides: index %u appears twice",
				      f, (unsigned)fp->ov[i].index);
			return -EINVAL;
		}
	}
	return 0;
}

static int parse_fleet(struct platform *p, size_t f, const cJSON *v, char *err, size_t errlen)
{
	struct fleet_in in = {
		.f = { .psk_provisioning = true, .sealed = true, .bootstrapped = true }
	};
	char path[32];
	int rc;

	snprintf(path, sizeof(path), "fleets[%zu]", f);
	rc = parse_object(v, path, fleet_fields, ARRAY_LEN(fleet_fields), &in, err, errlen);
	if (rc < 0)
		return rc;
	if (in.f.count < 1 || in.f.count > PLATFORM_FLEET_SIZE_MAX) {
		platform_errf(err, errlen, "%s.count: expected 1-%d", path,
			      PLATFORM_FLEET_SIZE_MAX);
		return -EINVAL;
	}
	if (platform_find_account(p, in.f.account) == NULL) {
		platform_errf(err, errlen, "%s.account: unknown account \"%s\"", path,
			      in.f.account);
		return -EINVAL;
	}
	p->fleets[f] = in.f;
	p->n_fleets = f + 1;
	return in.overrides != NULL ? parse_overrides(p, f, in.overrides, err, errlen) : 0;
}

/* Names unique; codes (derived from the secret and the name) distinct. */
static int fleet_codes(struct platform *p, char *err, size_t errlen)
{
	struct rot_key k_ref = { { 0 } };
	int rc = rot_ref_key(p->secret, &k_ref);

	for (size_t i = 0; rc == 0 && i < p->n_fleets; i++) {
		rc = rot_fleet_code(&k_ref, p->fleets[i].name, &p->fleets[i].code);
		for (size_t j = 0; rc == 0 && j < i; j++) {
			bool same = strcmp(p->fleets[i].name, p->fleets[j].name) == 0;

			if (same || p->fleets[i].code == p->fleets[j].code) {
				platform_errf(err, errlen,
					      "fleets[%zu].name: %s fleets[%zu].name%s", i,
					      same ? "duplicate of" : "its code collides with", j,
					      same ? "" : "; rename one of them");
				rc = -EINVAL;
			}
		}
	}
	rot_key_clear(&k_ref);
	return rc;
}

static int parse_fleets(struct platform *p, const cJSON *arr, char *err, size_t errlen)
{
	size_t n = arr != NULL ? (size_t)cJSON_GetArraySize(arr) : 0, i = 0;
	const cJSON *v;
	int rc = rot_fleet_ref_key(p->secret, &p->fleet_ref_key);

	if (rc == 0)
		rc = rot_fleet_dev_key(p->secret, &p->fleet_dev_key);
	if (rc < 0 || n == 0)
		return rc;
	if (n > PLATFORM_FLEETS_MAX) {
		platform_errf(err, errlen, "fleets: at most %d fleets", PLATFORM_FLEETS_MAX);
		return -EINVAL;
	}
	p->fleets = calloc(n, sizeof(*p->fleets));
	p->fpriv = calloc(n, sizeof(*p->fpriv));
	if (p->fleets == NULL || p->fpriv == NULL)
		return -ENOMEM;
	cJSON_ArrayForEach(v, arr)
	{
		rc = parse_fleet(p, i++, v, err, errlen);
		if (rc < 0)
			return rc;
	}
	return fleet_codes(p, err, errlen);
}

static int check_version(const cJSON *root, char *err, size_t errlen)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, "version");

	if (!cJSON_IsNumber(v) || v->valuedouble == PLATFORM_VERSION)
		return 0; /* absent or mistyped: parse_object names it */
	if (is_int(v->valuedouble))
		platform_errf(err, errlen, "version: unsupported version %d, this build reads %d",
			      (int)v->valuedouble, PLATFORM_VERSION);
	else
		platform_errf(err, errlen, "version: expected an integer");
	return -EINVAL;
}

static int parse_root(struct platform *p, const cJSON *root, char *err, size_t errlen)
{
	struct top t;
	int rc;

	memset(&t, 0, sizeof(t));
	rc = cJSON_IsObject(root) ? check_version(root, err, errlen) : 0;
	if (rc == 0)
		rc = parse_object(root, "", top_fields, ARRAY_LEN(top_fields), &t, err, errlen);
	if (rc == 0)
		hex_decode(t.secret_hex, 2 * ROT_SECRET_LEN, p->secret, ROT_SECRET_LEN);
	OPENSSL_cleanse(t.secret_hex, sizeof(t.secret_hex));
	if (rc == 0)
		rc = parse_accounts(p, t.accounts, err, errlen);
	if (rc == 0)
		rc = parse_devices(p, t.devices, err, errlen);
	if (rc == 0)
		rc = parse_fleets(p, t.fleets, err, errlen);
	if (rc == 0)
		rc = platform_index_build(p);
	if (rc == -ENOMEM || rc == -EIO)
		platform_errf(err, errlen, "%s",
			      rc == -ENOMEM ? "out of memory" : "crypto failure");
	return rc;
}

/* Wipes a cJSON tree's strings before it is freed (the tree held the platform secret). */
static void wipe_tree(cJSON *node)
{
	for (cJSON *c = node; c != NULL; c = c->next) {
		if (c->child != NULL)
			wipe_tree(c->child);
		if (c->valuestring != NULL)
			OPENSSL_cleanse(c->valuestring, strlen(c->valuestring));
	}
}

struct platform *platform_parse(const char *json, size_t len, char *err, size_t errlen)
{
	struct platform *p = NULL;
	cJSON *root = NULL;
	const char *end = NULL;
	int rc = -ENOMEM;

	platform_errf(err, errlen, "%s", "");
	root = cJSON_ParseWithLengthOpts(json, len, &end, false);
	if (root == NULL) {
		platform_errf(err, errlen, "invalid JSON near byte %zu",
			      end != NULL && end >= json ? (size_t)(end - json) : (size_t)0);
		rc = -EINVAL;
		goto out;
	}
	p = calloc(1, sizeof(*p));
	if (p == NULL) {
		platform_errf(err, errlen, "out of memory");
		goto out;
	}
	rc = parse_root(p, root, err, errlen);
out:
	if (root != NULL)
		wipe_tree(root);
	cJSON_Delete(root);
	if (rc < 0) {
		platform_destroy(p);
		p = NULL;
	}
	return p;
}

struct platform *platform_load(const char *path, char *err, size_t errlen)
{
	struct platform *p = NULL;
	struct buf b;
	int rc;

	buf_init_secret(&b, PLATFORM_FILE_MAX);
	rc = afile_read(path, &b);
	if (rc == -EFBIG)
		platform_errf(err, errlen, "%s: larger than %d MiB", path, PLATFORM_FILE_MAX >> 20);
	else if (rc < 0)
		platform_errf(err, errlen, "%s: %s", path,
			      rc == -EINVAL ? "not a regular file" : strerror(-rc));
	if (rc < 0)
		goto out;
	p = platform_parse((const char *)b.data, b.len, err, errlen);
out:
	buf_finish(&b);
#ifdef __GLIBC__
	/* The file's text and its cJSON tree (several times the file) are free now, but in the
	 * middle of the heap, under the platform's own arrays: hand those pages back to the
	 * system (100,000 explicit devices: 125 -> 32 MiB resident, bench/README.md). */
	malloc_trim(0);
#endif
	return p;
}

struct platform *platform_open(const char *path, char *err, size_t errlen)
{
	struct platform *p;

	if (path != NULL)
		return platform_load(path, err, errlen);
	p = platform_load_default();
	if (p == NULL)
		platform_errf(err, errlen, "cannot load the built-in platform (out of memory)");
	return p;
}

void platform_destroy(struct platform *p)
{
	if (p == NULL)
		return;
	if (p->accounts != NULL)
		OPENSSL_cleanse(p->accounts, p->n_accounts * sizeof(*p->accounts));
	free(p->accounts);
	free(p->devices);
	if (p->index != NULL)
		OPENSSL_cleanse(p->index, p->n_index * sizeof(*p->index));
	free(p->index);
	platform_fleets_free(p);
	OPENSSL_cleanse(p, sizeof(*p));
	free(p);
}

static int ref_cmp(const void *a, const void *b)
{
	const struct platform_ref *x = a, *y = b;
	int r = memcmp(x->ref, y->ref, ROT_REF_LEN);

	if (r != 0)
		return r;
	return x->dev < y->dev ? -1 : x->dev > y->dev;
}

int platform_index_build(struct platform *p)
{
	size_t n = p->n_devices ? p->n_devices : 1;
	struct platform_ref *idx = NULL;
	struct rot_key k_ref = { { 0 } };
	int rc = -ENOMEM;

	idx = calloc(n, sizeof(*idx));
	if (idx == NULL)
		goto out;
	rc = rot_ref_key(p->secret, &k_ref);
	for (size_t i = 0; rc == 0 && i < p->n_devices; i++) {
		idx[i].dev = i;
		rc = rot_ref_from_key(&k_ref, p->devices[i].uid, idx[i].ref);
		if (rc == 0)
			rc = rot_device_key(p->secret, p->devices[i].uid, &idx[i].key);
	}
	if (rc < 0)
		goto out;
	qsort(idx, p->n_devices, sizeof(*idx), ref_cmp);
	if (p->index != NULL)
		OPENSSL_cleanse(p->index, p->n_index * sizeof(*p->index));
	free(p->index);
	p->index = idx;
	p->n_index = p->n_devices;
	idx = NULL;
out:
	rot_key_clear(&k_ref);
	if (idx != NULL)
		OPENSSL_cleanse(idx, n * sizeof(*idx));
	free(idx);
	return rc;
}
