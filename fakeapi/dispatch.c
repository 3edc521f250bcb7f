/* SPDX-License-Identifier: Apache-2.0 */
/*
 * api_handle(): route lookup, the generic checks (405, 415, 413, 401, 400) in a fixed order,
 * the handler call, and the one place where results become an HTTP status and a JSON body.
 */
#include "api.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#include "api_priv.h"

#define LOG_MODULE "api"
#include "log.h"

struct err_def {
	enum api_err err;
	int status;
	const char *code;
	const char *message;
};

/* The single mapping from internal errors to HTTP (docs/api.md "Errors" lists the same rows). */
static const struct err_def err_table[] = {
	{ API_ERR_BAD_JSON, 400, "malformed_json", "the request body is not a JSON object" },
	{ API_ERR_BAD_FIELD, 400, "invalid_request", "a field is missing or has the wrong type" },
	{ API_ERR_BAD_KEY_ID, 400, "invalid_key_id",
	  "KeyID must be a PSKIdentity of 28 hex characters" },
	{ API_ERR_BAD_KEY_LENGTH, 400, "invalid_key_length",
	  "KeyLength must be \"128\" or \"256\"" },
	{ API_ERR_BAD_CREDENTIALS, 401, "invalid_credentials",
	  "unknown APIKey or wrong APISecret" },
	{ API_ERR_NO_TOKEN, 401, "missing_token", "the Authorization header is missing" },
	{ API_ERR_BAD_TOKEN, 401, "invalid_token",
	  "the token is malformed, altered or not valid here" },
	{ API_ERR_EXPIRED_TOKEN, 401, "expired_token", "the token has expired" },
	{ API_ERR_PROVISIONING_OFF, 403, "psk_provisioning_disabled",
	  "PSK provisioning is disabled for this device" },
	{ API_ERR_KEY_NOT_FOUND, 404, "key_not_found",
	  "no device of this account matches the KeyID" },
	{ API_ERR_NO_DEVICE, 404, "device_not_found", "no such device" },
	{ API_ERR_NOT_FOUND, 404, "not_found", "no such endpoint" },
	{ API_ERR_METHOD, 405, "method_not_allowed", "method not allowed on this path" },
	{ API_ERR_CONFLICT, 409, "conflict", "the object already exists" },
	{ API_ERR_READ_ONLY, 409, "read_only_platform",
	  "the built-in demo platform cannot be changed; start with --platform FILE" },
	{ API_ERR_TOO_LARGE, 413, "payload_too_large", "the request body exceeds 16384 bytes" },
	{ API_ERR_MEDIA_TYPE, 415, "unsupported_media_type",
	  "Content-Type must be application/json" },
	{ API_ERR_TOO_MANY_FAILURES, 429, "too_many_failures",
	  "too many failed GetPSK lookups for this account; retry after Retry-After seconds" },
	{ API_ERR_FAULT_UNAVAILABLE, 503, "service_unavailable",
	  "the service is unavailable (injected fault)" },
	{ API_ERR_FAULT_THROTTLED, 429, "too_many_requests", "too many requests (injected fault)" },
	{ API_ERR_INTERNAL, 500, "internal_error", "internal error" },
};

static const char fallback_body[] =
	"{\"error\":{\"code\":\"internal_error\",\"message\":\"out of memory\"}}";

static const struct err_def *err_lookup(int rc)
{
	for (size_t i = 0; i < ARRAY_LEN(err_table); i++)
		if (-(int)err_table[i].err == rc)
			return &err_table[i];
	return &err_table[ARRAY_LEN(err_table) - 1];
}

static void set_body(struct api_response *resp, char *text)
{
	if (text == NULL)
		text = strdup(fallback_body);
	if (text == NULL)
		resp->status = 500;
	resp->body = text;
	resp->body_len = text ? strlen(text) : 0;
}

static void respond_error(struct api_response *resp, int rc, const struct reply *r)
{
	const char *detail = r->msg;
	const struct err_def *d = err_lookup(rc);
	cJSON *o = cJSON_CreateObject();
	cJSON *e = cJSON_AddObjectToObject(o, "error");

	if (rc < 0 && rc > -(int)API_ERR_BAD_JSON)
		log_warn("internal error: %s", strerror(-rc));
	resp->status = d->status;
	resp->www_authenticate = d->status == 401;
	resp->retry_after = d->status == 429 ? r->retry_after : 0;
	cJSON_AddStringToObject(e, "code", d->code);
	cJSON_AddStringToObject(e, "message", detail && *detail ? detail : d->message);
	set_body(resp, e ? cJSON_PrintUnformatted(o) : NULL);
	cJSON_Delete(o);
}

static void respond_ok(struct api_response *resp, struct reply *r)
{
	resp->status = r->status;
	resp->secret = r->secret;
	if (r->text != NULL) {
		set_body(resp, r->text);
		r->text = NULL;
		return;
	}
	set_body(resp, cJSON_PrintUnformatted(r->body));
	if (r->secret)
		json_wipe(r->body);
}

/* Matches path against pattern; '*' takes one non-empty segment into param. */
static bool path_match(const char *pat, const char *path, char *param, size_t cap)
{
	while (*pat != '\0') {
		if (*pat == '*') {
			size_t n = strcspn(path, "/");

			if (n == 0 || n >= cap)
				return false;
			memcpy(param, path, n);
			param[n] = '\0';
			path += n;
			pat++;
			continue;
		}
		if (*pat++ != *path++)
			return false;
	}
	return *path == '\0';
}

static void routes_of(enum api_surface s, const struct route **tab, size_t *n)
{
	*tab = s == API_SURFACE_ADMIN ? api_admin_routes : api_public_routes;
	*n = s == API_SURFACE_ADMIN ? api_admin_routes_len : api_public_routes_len;
}

/* Finds the route for (method, path); fills Allow and returns NULL with rc set otherwise. */
static const struct route *route_find(enum api_surface s, struct ctx *c, struct api_response *resp,
				      int *rc)
{
	const struct route *tab;
	size_t n, len = 0;
	bool path_seen = false;

	routes_of(s, &tab, &n);
	if (c->req->method == NULL || c->req->path == NULL)
		n = 0;
	for (size_t i = 0; i < n; i++) {
		if (!path_match(tab[i].path, c->req->path, c->param, sizeof(c->param)))
			continue;
		if (strcmp(tab[i].method, c->req->method) == 0)
			return &tab[i];
		path_seen = true;
		len += (size_t)snprintf(resp->allow + len, sizeof(resp->allow) - len, "%s%s",
					len ? ", " : "", tab[i].method);
		if (len >= sizeof(resp->allow))
			len = sizeof(resp->allow) - 1;
	}
	*rc = path_seen ? -API_ERR_METHOD : -API_ERR_NOT_FOUND;
	if (!path_seen)
		resp->allow[0] = '\0';
	return NULL;
}

/* "application/json" with at most a "charset=utf-8" parameter (case-insensitive). */
static bool is_json_type(const char *ct)
{
	const char *semi;
	size_t n;

	if (ct == NULL)
		return false;
	ct += strspn(ct, " \t");
	semi = strchr(ct, ';');
	n = semi ? (size_t)(semi - ct) : strlen(ct);
	while (n > 0 && (ct[n - 1] == ' ' || ct[n - 1] == '\t'))
		n--;
	if (n != strlen("application/json") || strncasecmp(ct, "application/json", n) != 0)
		return false;
	if (semi == NULL)
		return true;
	semi += 1 + strspn(semi + 1, " \t");
	return strcasecmp(semi, "charset=utf-8") == 0 || strcasecmp(semi, "charset=\"utf-8\"") == 0;
}

/* Checks the Authorization header (raw token or "Bearer <token>"). */
static int check_token(struct ctx *c)
{
	const char *h = c->req->authorization;
	struct token_claims cl;
	int rc;

	if (h == NULL || *h == '\0')
		return reply_fail(c, API_ERR_NO_TOKEN, NULL);
	h += strspn(h, " \t");
	if (strncasecmp(h, "Bearer ", 7) == 0)
		h += 7 + strspn(h + 7, " \t");
	rc = token_verify(c->snap->signer, h, strlen(h), api_now(c->api), &cl);
	if (rc == -EKEYEXPIRED)
		return reply_fail(c, API_ERR_EXPIRED_TOKEN, NULL);
	if (rc == -EIO)
		return rc;
	if (rc < 0 || cl.use != TOKEN_USE_ID)
		return reply_fail(c, API_ERR_BAD_TOKEN, NULL);
	if (api_fault_token_revoked(api_get_faults(c->api), cl.iat))
		return reply_fail(c, API_ERR_BAD_TOKEN, "the token was revoked");
	c->account = platform_find_account(c->snap->platform, cl.sub);
	if (c->account == NULL)
		return reply_fail(c, API_ERR_BAD_TOKEN, "the token's account no longer exists");
	return 0;
}

static int parse_body(struct ctx *c)
{
	char why[120];

	if (json_parse_strict((const char *)c->req->body, c->req->body_len, &c->json, why,
			      sizeof(why)) < 0)
		return reply_fail(c, API_ERR_BAD_JSON, "%s", why);
	return 0;
}

/* The generic checks, in the documented order, then the handler. */
static int run_route(const struct route *rt, struct ctx *c)
{
	int rc;

	if (rt->flags & ROUTE_JSON) {
		if (c->req->body_too_large)
			return reply_fail(c, API_ERR_TOO_LARGE, NULL);
		if (!is_json_type(c->req->content_type))
			return reply_fail(c, API_ERR_MEDIA_TYPE, NULL);
	}
	if (rt->flags & ROUTE_AUTH) {
		rc = check_token(c);
		if (rc < 0)
			return rc;
	}
	if (rt->flags & ROUTE_JSON) {
		rc = parse_body(c);
		if (rc < 0)
			return rc;
	}
	return rt->fn(c);
}

void api_handle(struct api *a, enum api_surface surface, const struct api_request *req,
		struct api_response *resp)
{
	struct reply r = { .status = 200 };
	struct ctx c = { .api = a, .req = req, .reply = &r };
	const struct route *rt;
	uint32_t delay_ms = 0;
	int rc = 0;

	*resp = (struct api_response){ 0 };
	c.snap = api_snapshot_acquire(a);
	if (surface == API_SURFACE_PUBLIC)
		rc = api_fault_request(api_get_faults(a), req->path, &delay_ms);
	if (rc == -API_ERR_FAULT_THROTTLED)
		r.retry_after = 1;
	api_fault_delay(delay_ms);
	rt = rc == 0 ? route_find(surface, &c, resp, &rc) : NULL;
	if (rt != NULL)
		rc = run_route(rt, &c);
	if (rc == 0 && r.body == NULL && r.text == NULL)
		rc = -ENOMEM;
	if (rc == 0)
		respond_ok(resp, &r);
	else
		respond_error(resp, rc, &r);
	if (c.json != NULL) {
		json_wipe(c.json); /* request bodies carry API secrets */
		cJSON_Delete(c.json);
	}
	cJSON_Delete(r.body);
	if (r.text != NULL)
		OPENSSL_cleanse(r.text, strlen(r.text));
	free(r.text);
	api_snapshot_release(c.snap);
}

void api_response_finish(struct api_response *resp)
{
	if (resp == NULL || resp->body == NULL)
		return;
	if (resp->secret)
		OPENSSL_cleanse(resp->body, resp->body_len);
	free(resp->body);
	resp->body = NULL;
	resp->body_len = 0;
}
