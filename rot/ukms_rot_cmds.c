/* SPDX-License-Identifier: Apache-2.0 */
/* ukms-rot subcommand handlers. Each returns an enum rot_cli_exit. */
#define LOG_MODULE "ukms-rot"
#include "ukms_rot.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>
#include <openssl/crypto.h>

#include "hex.h"
#include "rot/counter.h"
#include "rot/platform.h"
#include "rot/rot.h"

/* Hex of a PSK for output; wiped by the caller with OPENSSL_cleanse. */
struct psk_hex {
	char s[2 * ROT_PSK_MAX + 1];
};

static void psk_to_hex(const struct rot_psk *psk, struct psk_hex *out)
{
	hex_encode(psk->bytes, psk->len, out->s, sizeof(out->s));
}

int rot_cli_print_json(cJSON *doc)
{
	char *text = doc != NULL ? cJSON_PrintUnformatted(doc) : NULL;
	int rc = ROT_CLI_IO;

	if (text != NULL && printf("%s\n", text) > 0)
		rc = ROT_CLI_OK;
	if (text != NULL)
		OPENSSL_cleanse(text, strlen(text));
	cJSON_free(text);
	cJSON_Delete(doc);
	return rc;
}

int rot_cli_flush(int rc)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		rot_cli_err("write error on standard output");
		return ROT_CLI_IO;
	}
	return rc;
}

/* The counter for generate: --counter, --ephemeral or the persisted store (block 1). */
static int next_counter(const struct rot_cli *c, const struct platform_device *d, uint32_t *out)
{
	char dirbuf[PATH_MAX], err[512];
	const char *dir = c->o.state_dir;
	struct rot_counter *ctr;
	int rc;

	if (c->o.counter >= 0) {
		*out = (uint32_t)c->o.counter;
		return ROT_CLI_OK;
	}
	if (dir == NULL && !c->o.ephemeral && rot_counter_default_dir(dirbuf, sizeof(dirbuf)) == 0)
		dir = dirbuf;
	if (dir == NULL && !c->o.ephemeral) {
		rot_cli_err("no state directory: set HOME or XDG_STATE_HOME, or use --state-dir");
		return ROT_CLI_USAGE;
	}
	ctr = rot_counter_open(c->o.ephemeral ? NULL : dir, d->uid, 1, err, sizeof(err));
	if (ctr == NULL) {
		rot_cli_err("%s", err);
		return ROT_CLI_IO;
	}
	rc = rot_counter_next(ctr, out);
	rot_counter_close(ctr);
	if (rc == -ENOSPC)
		rot_cli_err("counter of %s exhausted", d->uid_hex);
	else if (rc < 0)
		rot_cli_err("cannot persist the counter of %s: %s", d->uid_hex, strerror(-rc));
	return rc == 0 ? ROT_CLI_OK : rc == -ENOSPC ? ROT_CLI_REFUSED : ROT_CLI_IO;
}

/*
 * The result of generate and derive: "<first> <psk>" as text, or with --json the identity as
 * given, the PSK, its length, the counter and the device.
 */
static int print_psk(const struct rot_cli *c, const struct platform_device *d, const char *identity,
		     const char *first, const struct rot_identity *id, const struct rot_psk *psk)
{
	struct psk_hex ph;
	cJSON *o;
	int rc = ROT_CLI_OK;

	psk_to_hex(psk, &ph);
	if (!c->o.json) {
		printf("%s %s\n", first, ph.s);
	} else {
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "identity", identity);
		cJSON_AddStringToObject(o, "psk", ph.s);
		cJSON_AddNumberToObject(o, "length", (double)psk->len);
		cJSON_AddNumberToObject(o, "counter", rot_identity_counter(id));
		platform_device_add_json(o, d, false);
		rc = rot_cli_print_json(o);
	}
	OPENSSL_cleanse(&ph, sizeof(ph));
	return rot_cli_flush(rc);
}

int rot_cli_generate(struct rot_cli *c)
{
	struct platform_device sel, *d = &sel;
	char idhex[ROT_IDENTITY_HEX + 1], err[256];
	struct rot_device dev;
	struct rot_identity id;
	struct rot_psk psk = { { 0 }, 0 };
	uint32_t counter = 0;
	int rc;

	memset(&dev, 0, sizeof(dev));
	if (c->o.device != NULL) {
		rc = platform_select(c->p, c->o.device, &sel, err, sizeof(err));
		if (rc < 0) {
			rot_cli_err("%s", err);
			return rc == -EINVAL ? ROT_CLI_USAGE : ROT_CLI_REFUSED;
		}
	} else if (platform_device_count(c->p) > 0) {
		sel = *platform_device_at(c->p, 0);
	} else if (platform_fleet_device(c->p, 0, 0, &sel) < 0) {
		rot_cli_err("the platform has no devices");
		return ROT_CLI_REFUSED;
	}
	rc = next_counter(c, d, &counter);
	if (rc != ROT_CLI_OK)
		goto out;
	if (platform_device_rot(c->p, d, &dev) < 0 ||
	    rot_generate(&dev, counter, c->o.length, &id, &psk) < 0) {
		rot_cli_err("key derivation failed");
		rc = ROT_CLI_IO;
		goto out;
	}
	rot_identity_format(&id, idhex, sizeof(idhex));
	rc = print_psk(c, d, idhex, idhex, &id, &psk);
out:
	rot_device_clear(&dev);
	rot_psk_clear(&psk);
	return rc;
}

/* Parses an identity argument, explaining what is wrong (exit 2) if it is malformed. */
static int parse_identity_arg(const char *s, struct rot_identity *id)
{
	size_t len = strlen(s);
	const char *why = NULL;

	if (len != ROT_IDENTITY_HEX)
		why = "expected 28 hex characters";
	else if (!hex_is_valid(s, len))
		why = "not a hex string";
	else if (rot_identity_parse(s, len, id) < 0)
		why = "header is not 11010008";
	if (why == NULL)
		return 0;
	rot_cli_err("malformed identity: %s ('%.64s')", why, s);
	return -EINVAL;
}

int rot_cli_derive(struct rot_cli *c)
{
	struct platform_device dev, *d = &dev;
	struct rot_identity id;
	struct rot_psk psk = { { 0 }, 0 };
	int rc;

	if (parse_identity_arg(c->args[0], &id) < 0)
		return ROT_CLI_USAGE;
	rc = platform_derive_psk(c->p, &id, c->o.length, d, &psk);
	if (rc == -ENOENT)
		rot_cli_err("unknown or forged identity");
	else if (rc < 0)
		rot_cli_err("key derivation failed: %s", strerror(-rc));
	if (rc == 0)
		rc = print_psk(c, d, c->args[0], d->uid_hex, &id, &psk);
	else
		rc = rc == -ENOENT ? ROT_CLI_REFUSED : ROT_CLI_IO;
	rot_psk_clear(&psk);
	return rc;
}
