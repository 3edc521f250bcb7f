/* SPDX-License-Identifier: Apache-2.0 */
/* Platform serialisation (format/save) and random generation for `ukms-rot init`. */
#define LOG_MODULE "platform"
#include "rot/platform.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "afile.h"
#include "hex.h"
#include "platform_priv.h"

static void wipe_strings(cJSON *node)
{
	for (cJSON *c = node; c != NULL; c = c->next) {
		if (c->child != NULL)
			wipe_strings(c->child);
		if (c->valuestring != NULL)
			OPENSSL_cleanse(c->valuestring, strlen(c->valuestring));
	}
}

static cJSON *format_account(const struct platform_account *a)
{
	cJSON *o = cJSON_CreateObject();

	if (o == NULL || !cJSON_AddStringToObject(o, "name", a->name) ||
	    !cJSON_AddStringToObject(o, "api_key", a->api_key) ||
	    !cJSON_AddStringToObject(o, "api_secret", a->api_secret)) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

int platform_device_add_json(cJSON *o, const struct platform_device *d, bool sim_ids)
{
	if (!cJSON_AddStringToObject(o, "rot_uid", d->uid_hex) ||
	    !cJSON_AddStringToObject(o, "imei", d->imei))
		return -ENOMEM;
	if (sim_ids && (!cJSON_AddStringToObject(o, "imsi", d->imsi) ||
			!cJSON_AddStringToObject(o, "iccid", d->iccid)))
		return -ENOMEM;
	if (!cJSON_AddStringToObject(o, "model", d->model) ||
	    !cJSON_AddStringToObject(o, "account", d->account) ||
	    !cJSON_AddBoolToObject(o, "psk_provisioning", d->psk_provisioning) ||
	    !cJSON_AddBoolToObject(o, "sealed", d->sealed) ||
	    !cJSON_AddBoolToObject(o, "bootstrapped", d->bootstrapped))
		return -ENOMEM;
	return 0;
}

cJSON *platform_device_to_json(const struct platform_device *d)
{
	cJSON *o = cJSON_CreateObject();

	if (o == NULL || platform_device_add_json(o, d, true) < 0) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

static int add_lists(const struct platform *p, cJSON *root)
{
	cJSON *acc = cJSON_AddArrayToObject(root, "accounts");
	cJSON *dev = cJSON_AddArrayToObject(root, "devices");

	if (acc == NULL || dev == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < p->n_accounts; i++)
		if (!cJSON_AddItemToArray(acc, format_account(&p->accounts[i])))
			return -ENOMEM;
	for (size_t i = 0; i < p->n_devices; i++)
		if (!cJSON_AddItemToArray(dev, platform_device_to_json(&p->devices[i])))
			return -ENOMEM;
	return 0;
}

char *platform_format(const struct platform *p)
{
	char hexsecret[2 * ROT_SECRET_LEN + 1];
	cJSON *root = NULL;
	char *text = NULL;

	hex_encode(p->secret, ROT_SECRET_LEN, hexsecret, sizeof(hexsecret));
	for (char *c = hexsecret; *c != '\0'; c++)
		if (*c >= 'A' && *c <= 'F')
			*c = (char)(*c - 'A' + 'a');
	root = cJSON_CreateObject();
	if (root == NULL || !cJSON_AddNumberToObject(root, "version", PLATFORM_VERSION) ||
	    !cJSON_AddStringToObject(root, "platform_secret", hexsecret) ||
	    add_lists(p, root) < 0 || platform_format_fleets(p, root) < 0)
		goto out;
	text = cJSON_Print(root);
out:
	OPENSSL_cleanse(hexsecret, sizeof(hexsecret));
	wipe_strings(root);
	cJSON_Delete(root);
	return text;
}

int platform_save(const struct platform *p, const char *path)
{
	struct afile_opts opts = { .mode = 0600 };
	char *text = platform_format(p);
	size_t len;
	int rc = -ENOMEM;

	if (text == NULL)
		goto out;
	len = strlen(text);
	text[len] = '\n'; /* overwrite the NUL: the file ends with a newline */
	rc = afile_write(path, text, len + 1, &opts);
	text[len] = '\0';
out:
	if (text != NULL)
		OPENSSL_cleanse(text, strlen(text));
	free(text);
	return rc;
}

/* Uniform random characters from alphabet (rejection sampling). */
static int random_chars(char *out, size_t n, const char *alphabet)
{
	size_t k = strlen(alphabet), limit = 256 - 256 % k;
	uint8_t b;

	for (size_t i = 0; i < n;) {
		if (RAND_bytes(&b, 1) != 1)
			return -EIO;
		if (b < limit)
			out[i++] = alphabet[b % k];
	}
	out[n] = '\0';
	return 0;
}

static int generate_account(struct platform_account *a)
{
	static const char hexd[] = "0123456789abcdef";
	static const char alnum[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	char *k = a->api_key;
	int rc;

	snprintf(a->name, sizeof(a->name), "default");
	rc = random_chars(k, 36, hexd);
	if (rc == 0)
		rc = random_chars(a->api_secret, 32, alnum);
	if (rc < 0)
		return rc;
	k[8] = k[13] = k[18] = k[23] = '-';
	k[14] = '4';                           /* UUID version 4 */
	k[19] = "89ab"[hex_nibble(k[19]) & 3]; /* RFC 4122 variant */
	return 0;
}

static int generate_device(struct platform_device *d, const char *model, const char *account)
{
	int rc = RAND_bytes(d->uid, ROT_UID_LEN) == 1 ? 0 : -EIO;

	d->uid[0] &= 0x7F; /* never the F1EE... range reserved for fleet devices */
	hex_encode(d->uid, ROT_UID_LEN, d->uid_hex, sizeof(d->uid_hex));
	memcpy(d->imei, "35275309", 8);
	memcpy(d->imsi, "00101", 5);
	memcpy(d->iccid, "8900101", 7);
	if (rc == 0)
		rc = random_chars(d->imei + 8, 6, "0123456789");
	if (rc == 0)
		rc = random_chars(d->imsi + 5, 10, "0123456789");
	if (rc == 0)
		rc = random_chars(d->iccid + 7, 11, "0123456789");
	if (rc < 0)
		return rc;
	platform_luhn_append(d->imei);
	platform_luhn_append(d->iccid);
	snprintf(d->model, sizeof(d->model), "%s", model);
	snprintf(d->account, sizeof(d->account), "%s", account);
	d->psk_provisioning = d->sealed = d->bootstrapped = true;
	return 0;
}

struct platform *platform_generate(void)
{
	static const char *const models[] = { "SARA-R510M8S", "SARA-R422S", "SARA-R410M-63B",
					      "LARA-R6" };
	struct platform *p = calloc(1, sizeof(*p));
	int rc = -ENOMEM;

	if (p == NULL)
		goto out;
	p->accounts = calloc(1, sizeof(*p->accounts));
	p->devices = calloc(ARRAY_LEN(models), sizeof(*p->devices));
	if (p->accounts == NULL || p->devices == NULL)
		goto out;
	rc = RAND_bytes(p->secret, ROT_SECRET_LEN) == 1 ? 0 : -EIO;
	if (rc == 0)
		rc = generate_account(&p->accounts[0]);
	p->n_accounts = 1;
	for (size_t i = 0; rc == 0 && i < ARRAY_LEN(models); i++) {
		rc = generate_device(&p->devices[i], models[i], p->accounts[0].name);
		p->n_devices = i + 1;
	}
	if (rc == 0)
		rc = platform_index_build(p);
out:
	if (rc < 0) {
		platform_destroy(p);
		p = NULL;
	}
	return p;
}
