/* SPDX-License-Identifier: Apache-2.0 */
/* ukms-rot inspect, devices and init. Each returns an enum rot_cli_exit. */
#define LOG_MODULE "ukms-rot"
#include "ukms_rot.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "afile.h"
#include "hex.h"
#include "rot/platform.h"
#include "rot/rot.h"

static const char *flags_text(const struct platform_device *d, char *buf, size_t cap)
{
	snprintf(buf, cap, "%s%s%s", d->psk_provisioning ? "psk" : "nopsk",
		 d->sealed ? ",sealed" : ",unsealed", d->bootstrapped ? ",bootstrapped" : "");
	return buf;
}

static void inspect_json(const struct rot_cli *c, const struct rot_identity *id,
			 const struct platform_device *d, cJSON *o)
{
	char hex[2 * ROT_IDENTITY_LEN + 1];

	cJSON_AddStringToObject(o, "identity", c->args[0]);
	hex_encode(id->bytes, 4, hex, sizeof(hex));
	cJSON_AddStringToObject(o, "header", hex);
	hex_encode(id->bytes + 4, ROT_REF_LEN, hex, sizeof(hex));
	cJSON_AddStringToObject(o, "ref", hex);
	cJSON_AddNumberToObject(o, "counter", rot_identity_counter(id));
	hex_encode(id->bytes + 12, ROT_TAG_LEN, hex, sizeof(hex));
	cJSON_AddStringToObject(o, "tag", hex);
	cJSON_AddBoolToObject(o, "resolved", d != NULL);
	if (d == NULL)
		return;
	platform_device_add_json(o, d, false);
}

static void inspect_text(const struct rot_identity *id, const struct platform_device *d)
{
	char hex[2 * ROT_IDENTITY_LEN + 1], flags[64];

	hex_encode(id->bytes, 4, hex, sizeof(hex));
	printf("header:   %s\n", hex);
	hex_encode(id->bytes + 4, ROT_REF_LEN, hex, sizeof(hex));
	printf("ref:      %s\n", hex);
	printf("counter:  %u\n", rot_identity_counter(id));
	hex_encode(id->bytes + 12, ROT_TAG_LEN, hex, sizeof(hex));
	printf("tag:      %s\n", hex);
	if (d == NULL) {
		printf("device:   unknown or forged identity\n");
		return;
	}
	printf("device:   %s\nimei:     %s\nmodel:    %s\naccount:  %s\nflags:    %s\n", d->uid_hex,
	       d->imei, d->model, d->account, flags_text(d, flags, sizeof(flags)));
}

int rot_cli_inspect(struct rot_cli *c)
{
	struct platform_device dev, *d = NULL;
	struct rot_identity id;
	const char *s = c->args[0];
	int rc;

	if (strlen(s) != ROT_IDENTITY_HEX || rot_identity_parse(s, strlen(s), &id) < 0) {
		rot_cli_err("malformed identity: expected 28 hex characters starting 11010008 "
			    "('%.64s')",
			    s);
		return ROT_CLI_USAGE;
	}
	rc = platform_resolve(c->p, &id, &dev);
	if (rc == 0)
		d = &dev;
	if (rc < 0 && rc != -ENOENT) {
		rot_cli_err("resolution failed: %s", strerror(-rc));
		return ROT_CLI_IO;
	}
	if (c->o.json) {
		cJSON *o = cJSON_CreateObject();

		inspect_json(c, &id, d, o);
		if (rot_cli_print_json(o) != ROT_CLI_OK)
			return ROT_CLI_IO;
	} else {
		inspect_text(&id, d);
	}
	return rot_cli_flush(d != NULL ? ROT_CLI_OK : ROT_CLI_REFUSED);
}

/* One device as a table row or a JSON array element; 0 or -ENOMEM. */
static int list_device(const struct rot_cli *c, const struct platform_device *d, cJSON *arr)
{
	char flags[64], fleet[PLATFORM_FLEET_NAME_MAX + 16] = "";
	cJSON *o;

	if (d->fleet != 0)
		snprintf(fleet, sizeof(fleet), " %s:%u",
			 platform_fleet_at(c->p, d->fleet - 1)->name, (unsigned)d->index);
	if (!c->o.json) {
		printf("%-16s %-15s %-16s %-16s %s%s\n", d->uid_hex, d->imei, d->model, d->account,
		       flags_text(d, flags, sizeof(flags)), fleet);
		return 0;
	}
	o = platform_device_to_json(d);
	if (o != NULL && d->fleet != 0 && !cJSON_AddStringToObject(o, "selector", fleet + 1)) {
		cJSON_Delete(o);
		o = NULL;
	}
	if (!cJSON_AddItemToArray(arr, o)) {
		cJSON_Delete(o);
		return -ENOMEM;
	}
	return 0;
}

/* Fleets in the listing without arguments: one summary row each (their devices are computed). */
static int list_fleets(const struct rot_cli *c, cJSON *arr)
{
	for (size_t i = 0; i < platform_fleet_count(c->p); i++) {
		const struct platform_fleet *f = platform_fleet_at(c->p, i);
		cJSON *o;

		if (!c->o.json) {
			printf("fleet %s: %d devices %s:0-%d, model %s, account %s\n", f->name,
			       f->count, f->name, f->count - 1, f->model, f->account);
			continue;
		}
		o = cJSON_CreateObject();
		if (!cJSON_AddItemToArray(arr, o) ||
		    !cJSON_AddStringToObject(o, "fleet", f->name) ||
		    !cJSON_AddNumberToObject(o, "count", f->count) ||
		    !cJSON_AddStringToObject(o, "model", f->model) ||
		    !cJSON_AddStringToObject(o, "account", f->account))
			return -ENOMEM;
	}
	return 0;
}

int rot_cli_devices(struct rot_cli *c)
{
	cJSON *arr = c->o.json ? cJSON_CreateArray() : NULL;
	struct platform_device d;
	char err[256];
	int rc = 0;

	if (!c->o.json)
		printf("%-16s %-15s %-16s %-16s %s\n", "ROT_UID", "IMEI", "MODEL", "ACCOUNT",
		       "FLAGS");
	for (int i = 0; rc == 0 && i < c->nargs; i++) {
		rc = platform_select(c->p, c->args[i], &d, err, sizeof(err));
		if (rc < 0) {
			rot_cli_err("%s", err);
			cJSON_Delete(arr);
			return rot_cli_flush(rc == -EINVAL ? ROT_CLI_USAGE : ROT_CLI_REFUSED);
		}
		rc = list_device(c, &d, arr);
	}
	for (size_t i = 0; rc == 0 && c->nargs == 0 && i < platform_device_count(c->p); i++)
		rc = list_device(c, platform_device_at(c->p, i), arr);
	if (rc == 0 && c->nargs == 0)
		rc = list_fleets(c, arr);
	if (rc < 0) {
		cJSON_Delete(arr);
		return rot_cli_flush(ROT_CLI_IO);
	}
	if (c->o.json && rot_cli_print_json(arr) != ROT_CLI_OK)
		return ROT_CLI_IO;
	return rot_cli_flush(ROT_CLI_OK);
}

int rot_cli_init(struct rot_cli *c)
{
	const char *path = c->nargs > 0 ? c->args[0] : c->o.platform;
	struct platform *p = NULL;
	struct stat st;
	int rc = ROT_CLI_IO, err;

	if (path == NULL || (c->nargs > 0 && c->o.platform != NULL)) {
		rot_cli_err("init: give the file once: ukms-rot init FILE");
		return ROT_CLI_USAGE;
	}
	if (!c->o.force && lstat(path, &st) == 0) {
		rot_cli_err("%s exists; not overwriting it (use --force)", path);
		return ROT_CLI_REFUSED;
	}
	p = platform_generate();
	if (p == NULL) {
		rot_cli_err("cannot generate a platform");
		goto out;
	}
	afile_remove_stale(path); /* temp files of an earlier init killed before its rename */
	err = platform_save(p, path);
	if (err < 0) {
		rot_cli_err("%s: %s", path, strerror(-err));
		goto out;
	}
	if (c->o.json)
		rc = rot_cli_print_json(cJSON_CreateString(path));
	else
		rc = printf("wrote %s (mode 0600): %zu devices, account \"%s\"\n", path,
			    platform_device_count(p), platform_account_at(p, 0)->name) > 0
			     ? ROT_CLI_OK
			     : ROT_CLI_IO;
	rc = rot_cli_flush(rc);
out:
	platform_destroy(p);
	return rc;
}
