/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Admin endpoints (loopback listener only): list and add devices, switch PSK provisioning,
 * add accounts. A mutation works on a copy of the current platform, saves it atomically
 * (platform_save: temp file, fsync, rename, mode 0600) and only then swaps it in, so the file
 * and the served platform never disagree. The built-in platform is read-only (409).
 */
#include "api_priv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "hex.h"

#define LOG_MODULE "admin"
#include "log.h"

typedef int mutate_fn(struct ctx *c, struct platform *p, void *arg);

static struct platform *platform_copy(const struct platform *p)
{
	char err[160];
	char *text = platform_format(p);
	struct platform *copy = NULL;

	if (text == NULL)
		return NULL;
	copy = platform_parse(text, strlen(text), err, sizeof(err));
	if (copy == NULL)
		log_error("cannot re-parse the platform: %s", err);
	OPENSSL_cleanse(text, strlen(text));
	free(text);
	return copy;
}

static int mutate(struct ctx *c, mutate_fn *fn, void *arg)
{
	const char *path = api_get_config(c->api)->platform_path;
	struct snapshot *cur = NULL, *next = NULL;
	struct platform *copy = NULL;
	int rc;

	if (path == NULL)
		return reply_fail(c, API_ERR_READ_ONLY, NULL);
	api_mutation_lock(c->api);
	cur = api_snapshot_acquire(c->api); /* the latest one, not the request's */
	copy = platform_copy(cur->platform);
	rc = copy ? fn(c, copy, arg) : -ENOMEM;
	if (rc < 0)
		goto out;
	rc = platform_save(copy, path);
	if (rc < 0) {
		log_error("cannot save %s: %s", path, strerror(-rc));
		goto out;
	}
	next = api_snapshot_create(copy, false);
	copy = NULL;
	if (next == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	api_snapshot_swap(c->api, next);
	log_info("platform saved to %s", path);
out:
	platform_destroy(copy);
	api_snapshot_release(cur);
	api_mutation_unlock(c->api);
	return rc;
}

/* {"device": {...}} with the given status. */
static int reply_device(struct ctx *c, int status, const struct platform_device *d)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *dev = platform_device_to_json(d);

	if (o == NULL || dev == NULL || !cJSON_AddItemToObject(o, "device", dev)) {
		cJSON_Delete(dev);
		cJSON_Delete(o);
		return -ENOMEM;
	}
	return reply_ok(c, status, o);
}

/* "fleets": [{"name", "count", "model", "account"}] (their devices are computed, not listed). */
static int list_fleets(const struct platform *p, cJSON *o)
{
	cJSON *arr = cJSON_AddArrayToObject(o, "fleets");

	for (size_t i = 0; arr != NULL && i < platform_fleet_count(p); i++) {
		const struct platform_fleet *f = platform_fleet_at(p, i);
		cJSON *e = cJSON_CreateObject();

		if (!cJSON_AddItemToArray(arr, e) || !cJSON_AddStringToObject(e, "name", f->name) ||
		    !cJSON_AddNumberToObject(e, "count", f->count) ||
		    !cJSON_AddStringToObject(e, "model", f->model) ||
		    !cJSON_AddStringToObject(e, "account", f->account))
			return -ENOMEM;
	}
	return arr != NULL ? 0 : -ENOMEM;
}

int h_admin_list_devices(struct ctx *c)
{
	const struct platform *p = c->snap->platform;
	cJSON *o = cJSON_CreateObject();
	cJSON *arr = cJSON_AddArrayToObject(o, "devices");

	if (arr == NULL || list_fleets(p, o) < 0)
		goto fail;
	for (size_t i = 0; i < platform_device_count(p); i++) {
		cJSON *d = platform_device_to_json(platform_device_at(p, i));

		if (d == NULL || !cJSON_AddItemToArray(arr, d)) {
			cJSON_Delete(d);
			goto fail;
		}
	}
	return reply_ok(c, 200, o);
fail:
	cJSON_Delete(o);
	return -ENOMEM;
}

/* Maps a platform_add_* / platform_set_* result; err is platform's message for -EINVAL. */
static int mutation_error(struct ctx *c, int rc, const char *err)
{
	if (rc == -EINVAL || rc == -ENOENT)
		return reply_fail(c, API_ERR_BAD_FIELD, "%s", err[0] ? err : "invalid object");
	if (rc == -EEXIST)
		return reply_fail(c, API_ERR_CONFLICT, "%s", err[0] ? err : "already exists");
	return rc;
}

static const struct {
	const char *name;
	size_t offset;
	size_t size;
} device_strings[] = {
	{ "imei", offsetof(struct platform_device, imei),
	  sizeof(((struct platform_device *)0)->imei) },
	{ "imsi", offsetof(struct platform_device, imsi),
	  sizeof(((struct platform_device *)0)->imsi) },
	{ "iccid", offsetof(struct platform_device, iccid),
	  sizeof(((struct platform_device *)0)->iccid) },
	{ "model", offsetof(struct platform_device, model),
	  sizeof(((struct platform_device *)0)->model) },
	{ "account", offsetof(struct platform_device, account),
	  sizeof(((struct platform_device *)0)->account) },
};

static const struct {
	const char *name;
	size_t offset;
} device_bools[] = {
	{ "psk_provisioning", offsetof(struct platform_device, psk_provisioning) },
	{ "sealed", offsetof(struct platform_device, sealed) },
	{ "bootstrapped", offsetof(struct platform_device, bootstrapped) },
};

/* Admin writes refuse members they do not know (a typo must not be silently ignored). */
static int only_members(struct ctx *c, const char *const *names, size_t n)
{
	const char *bad = NULL;

	if (json_check_members(c->json, names, n, &bad) < 0)
		return reply_fail(c, API_ERR_BAD_FIELD, "unknown member \"%.64s\"", bad);
	return 0;
}

static const char *const device_members[] = {
	"rot_uid",          "imei",   "imsi",         "iccid", "model", "account",
	"psk_provisioning", "sealed", "bootstrapped",
};

static int device_from_json(struct ctx *c, struct platform_device *d)
{
	const char *uid = NULL;
	int rc = only_members(c, device_members, ARRAY_LEN(device_members));

	if (rc < 0)
		return rc;

	*d = (struct platform_device){ .psk_provisioning = true,
				       .sealed = true,
				       .bootstrapped = true };
	if (json_get_string(c->json, "rot_uid", &uid) < 0 || strlen(uid) != 2 * ROT_UID_LEN ||
	    hex_decode(uid, strlen(uid), d->uid, sizeof(d->uid)) != ROT_UID_LEN)
		return reply_fail(c, API_ERR_BAD_FIELD, "rot_uid: expected 16 hex characters");
	hex_encode(d->uid, sizeof(d->uid), d->uid_hex, sizeof(d->uid_hex));
	for (size_t i = 0; i < ARRAY_LEN(device_strings); i++) {
		rc = json_copy_string(c->json, device_strings[i].name,
				      (char *)d + device_strings[i].offset, device_strings[i].size);
		if (rc < 0)
			return reply_fail(c, API_ERR_BAD_FIELD,
					  "%s: required string (at most %zu characters)",
					  device_strings[i].name, device_strings[i].size - 1);
	}
	for (size_t i = 0; i < ARRAY_LEN(device_bools); i++) {
		rc = json_get_bool(c->json, device_bools[i].name,
				   (bool *)((char *)d + device_bools[i].offset));
		if (rc == -EINVAL)
			return reply_fail(c, API_ERR_BAD_FIELD, "%s: must be true or false",
					  device_bools[i].name);
	}
	return 0;
}

static int do_add_device(struct ctx *c, struct platform *p, void *arg)
{
	const struct platform_device *d = arg;
	char err[160] = "";
	int rc = platform_add_device(p, d, err, sizeof(err));

	if (rc < 0)
		return mutation_error(c, rc, err);
	return reply_device(c, 201, platform_find_uid(p, d->uid));
}

int h_admin_add_device(struct ctx *c)
{
	struct platform_device d;
	int rc = device_from_json(c, &d);

	return rc < 0 ? rc : mutate(c, do_add_device, &d);
}

/* The device the path names (UID|IMEI|FLEET:INDEX), or a 404 naming the problem. */
static int path_device(struct ctx *c, const struct platform *p, struct platform_device *d)
{
	char err[160];

	if (platform_select(p, c->param, d, err, sizeof(err)) < 0)
		return reply_fail(c, API_ERR_NO_DEVICE, "%s", err);
	return 0;
}

int h_admin_get_device(struct ctx *c)
{
	struct platform_device d;
	int rc = path_device(c, c->snap->platform, &d);

	return rc < 0 ? rc : reply_device(c, 200, &d);
}

struct prov_arg {
	struct platform_device d;
	bool on;
};

static int do_provisioning(struct ctx *c, struct platform *p, void *arg)
{
	struct prov_arg *a = arg;
	int rc = platform_set_provisioning(p, a->d.uid, a->on);

	if (rc == -ENOENT)
		return reply_fail(c, API_ERR_NO_DEVICE, "no device %s", c->param);
	if (rc < 0)
		return mutation_error(c, rc, "");
	rc = path_device(c, p, &a->d);
	return rc < 0 ? rc : reply_device(c, 200, &a->d);
}

/* Fleet devices get a sparse override in their fleet ("overrides", docs/platform-file.md). */
int h_admin_provisioning(struct ctx *c)
{
	static const char *const members[] = { "enabled" };
	struct prov_arg a;
	int rc = path_device(c, c->snap->platform, &a.d);

	if (rc < 0)
		return rc;
	if (only_members(c, members, ARRAY_LEN(members)) < 0)
		return -API_ERR_BAD_FIELD;
	if (json_get_bool(c->json, "enabled", &a.on) < 0)
		return reply_fail(c, API_ERR_BAD_FIELD, "enabled: required, true or false");
	return mutate(c, do_provisioning, &a);
}

static int do_add_account(struct ctx *c, struct platform *p, void *arg)
{
	const struct platform_account *a = arg;
	char err[160] = "";
	cJSON *o = cJSON_CreateObject();
	cJSON *acct = cJSON_AddObjectToObject(o, "account");
	int rc = platform_add_account(p, a, err, sizeof(err));

	if (rc < 0) {
		cJSON_Delete(o);
		return mutation_error(c, rc, err);
	}
	if (!cJSON_AddStringToObject(acct, "name", a->name) ||
	    !cJSON_AddStringToObject(acct, "api_key", a->api_key)) {
		cJSON_Delete(o);
		return -ENOMEM;
	}
	return reply_ok(c, 201, o);
}

int h_admin_add_account(struct ctx *c)
{
	static const char *const names[] = { "name", "api_key", "api_secret" };
	struct platform_account a = { .name = "" };
	char *dst[] = { a.name, a.api_key, a.api_secret };
	const size_t caps[] = { sizeof(a.name), sizeof(a.api_key), sizeof(a.api_secret) };
	int rc = only_members(c, names, ARRAY_LEN(names));

	for (size_t i = 0; i < ARRAY_LEN(names) && rc == 0; i++)
		if (json_copy_string(c->json, names[i], dst[i], caps[i]) < 0)
			rc = reply_fail(c, API_ERR_BAD_FIELD,
					"%s: required string (at most %zu characters)", names[i],
					caps[i] - 1);
	if (rc == 0)
		rc = mutate(c, do_add_account, &a);
	OPENSSL_cleanse(&a, sizeof(a));
	return rc;
}
