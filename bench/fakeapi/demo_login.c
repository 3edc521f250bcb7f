/* SPDX-License-Identifier: Apache-2.0 */
#include "demo_login.h"

#include <stdint.h>
#include <string.h>

int demo_login(struct api *a, char *tok, size_t cap)
{
	static const char body[] = "{\"APIKey\":\"11111111-2222-4333-8444-555555555555\","
				   "\"APISecret\":\"ukmsDemoSecretNotSecretPublic001\"}";
	struct api_request rq = { .method = "POST",
				  .path = "/v1/authenticate",
				  .content_type = "application/json",
				  .body = (const uint8_t *)body,
				  .body_len = sizeof(body) - 1 };
	struct api_response rs = { 0 };
	const char *p;
	size_t n;
	int rc = -1;

	api_handle(a, API_SURFACE_PUBLIC, &rq, &rs);
	p = rs.body != NULL ? strstr(rs.body, "\"AuthToken\":\"") : NULL;
	if (p != NULL) {
		p += strlen("\"AuthToken\":\"");
		n = strcspn(p, "\"");
		if (n < cap) {
			memcpy(tok, p, n);
			tok[n] = '\0';
			rc = 0;
		}
	}
	api_response_finish(&rs);
	return rc;
}
