/* SPDX-License-Identifier: Apache-2.0 */
#include "api_priv.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

int json_get_string(const cJSON *obj, const char *name, const char **out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);

	if (v == NULL)
		return -ENOENT;
	if (!cJSON_IsString(v) || v->valuestring == NULL)
		return -EINVAL;
	*out = v->valuestring;
	return 0;
}

int json_get_bool(const cJSON *obj, const char *name, bool *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);

	if (v == NULL)
		return -ENOENT;
	if (!cJSON_IsBool(v))
		return -EINVAL;
	*out = cJSON_IsTrue(v);
	return 0;
}

int json_copy_string(const cJSON *obj, const char *name, char *out, size_t cap)
{
	const char *s = NULL;
	int rc = json_get_string(obj, name, &s);
	size_t n;

	if (rc < 0)
		return rc;
	n = strlen(s);
	if (n >= cap)
		return -ENOSPC;
	memcpy(out, s, n + 1);
	return 0;
}

void json_wipe(cJSON *node)
{
	for (; node != NULL; node = node->next) {
		if (cJSON_IsString(node) && node->valuestring != NULL)
			OPENSSL_cleanse(node->valuestring, strlen(node->valuestring));
		json_wipe(node->child);
	}
}

/*
 * Scans raw JSON text for what cJSON would silently truncate: a control byte (NUL included)
 * inside a string, or a \u0000 escape. Returns NULL if clean, else the reason.
 */
static const char *scan_strings(const char *t, size_t len)
{
	bool in_str = false;

	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)t[i];

		if (!in_str) {
			if (ch == '\0')
				return "a NUL byte in the body";
			in_str = ch == '"';
			continue;
		}
		if (ch < 0x20)
			return "a control character inside a string";
		if (ch == '"') {
			in_str = false;
		} else if (ch == '\\' && i + 1 < len) {
			if (t[i + 1] == 'u' && len - i >= 6 && memcmp(t + i + 2, "0000", 4) == 0)
				return "\\u0000 inside a string";
			i++; /* the escaped character */
		}
	}
	return NULL;
}

/* NULL if no object in the tree has two members of the same name, else that name. */
static const char *find_duplicate(const cJSON *node)
{
	for (; node != NULL; node = node->next) {
		const char *dup;

		if (cJSON_IsObject(node))
			for (const cJSON *a = node->child; a != NULL; a = a->next)
				for (const cJSON *b = a->next; b != NULL; b = b->next)
					if (strcmp(a->string, b->string) == 0)
						return a->string;
		dup = find_duplicate(node->child);
		if (dup != NULL)
			return dup;
	}
	return NULL;
}

int json_parse_strict(const char *text, size_t len, cJSON **out, char *why, size_t cap)
{
	const char *end = NULL, *bad;
	cJSON *j = NULL;
	int rc = -EINVAL;

	*out = NULL;
	bad = scan_strings(text, len);
	if (bad != NULL)
		goto out;
	j = cJSON_ParseWithLengthOpts(text, len, &end, false);
	bad = "the request body is not a JSON object";
	if (!cJSON_IsObject(j))
		goto out;
	bad = "unexpected data after the JSON object";
	for (; end < text + len; end++)
		if (*end != ' ' && *end != '\t' && *end != '\r' && *end != '\n')
			goto out;
	bad = find_duplicate(j);
	if (bad != NULL) {
		snprintf(why, cap, "duplicate member \"%.64s\"", bad);
		bad = NULL;
		goto out;
	}
	*out = j;
	j = NULL;
	rc = 0;
out:
	if (bad != NULL)
		snprintf(why, cap, "%s", bad);
	if (j != NULL) {
		json_wipe(j);
		cJSON_Delete(j);
	}
	return rc;
}

int json_check_members(const cJSON *obj, const char *const *names, size_t n, const char **unknown)
{
	for (const cJSON *m = obj ? obj->child : NULL; m != NULL; m = m->next) {
		size_t i = 0;

		while (i < n && strcmp(m->string, names[i]) != 0)
			i++;
		if (i == n) {
			*unknown = m->string;
			return -EINVAL;
		}
	}
	return 0;
}
