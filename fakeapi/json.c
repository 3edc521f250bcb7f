/* SPDX-License-Identifier: Apache-2.0 */
#include "api_priv.h"

#include <errno.h>
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
