/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internals shared by the fakeapi sources: error codes, the handler context, route tables and the
 * snapshot machinery. Not used outside fakeapi/ (tests may include it).
 */
#ifndef FAKEAPI_API_PRIV_H
#define FAKEAPI_API_PRIV_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "api.h"
#include "compiler.h"
#include "rot/platform.h"
#include "token.h"

/*
 * Errors a handler reports. Handlers return 0, -API_ERR_* or -errno; api.c maps each of them to
 * an HTTP status and an error code in one table (-errno becomes 500 internal_error).
 */
enum api_err {
	API_ERR_BAD_JSON = 1000,
	API_ERR_BAD_FIELD,
	API_ERR_BAD_KEY_ID,
	API_ERR_BAD_KEY_LENGTH,
	API_ERR_BAD_CREDENTIALS,
	API_ERR_NO_TOKEN,
	API_ERR_BAD_TOKEN,
	API_ERR_EXPIRED_TOKEN,
	API_ERR_PROVISIONING_OFF,
	API_ERR_KEY_NOT_FOUND,
	API_ERR_NO_DEVICE,
	API_ERR_NOT_FOUND,
	API_ERR_METHOD,
	API_ERR_CONFLICT,
	API_ERR_READ_ONLY,
	API_ERR_TOO_LARGE,
	API_ERR_MEDIA_TYPE,
	API_ERR_TOO_MANY_FAILURES,
	API_ERR_FAULT_UNAVAILABLE, /* injected (h_faults.c) */
	API_ERR_FAULT_THROTTLED,
	API_ERR_INTERNAL,
};

/* An immutable platform plus its token signer; shared by reference count. */
struct snapshot {
	atomic_uint refs;
	struct platform *platform;
	struct token_signer *signer;
	bool builtin;
};

struct reply {
	int status;           /* success status, 200 unless the handler says otherwise */
	cJSON *body;          /* success body, owned */
	char *text;           /* or the success body already written out (malloc, owned) */
	bool secret;          /* body carries key material */
	char msg[200];        /* error detail; "" means the code's default message */
	unsigned retry_after; /* 429: seconds for the Retry-After header */
};

struct ctx {
	struct api *api;
	struct snapshot *snap;
	const struct api_request *req;
	cJSON *json;                            /* parsed body (ROUTE_JSON routes), an object */
	char param[72];                         /* path segment matched by '*' */
	const struct platform_account *account; /* token owner (ROUTE_AUTH routes) */
	struct reply *reply;
};

typedef int route_fn(struct ctx *c);

enum route_flags {
	ROUTE_JSON = 1u << 0, /* needs a JSON object body (415/413/400 checks) */
	ROUTE_AUTH = 1u << 1, /* needs a valid AuthToken (401) */
};

struct route {
	const char *method;
	const char *path; /* '*' matches one non-empty path segment */
	route_fn *fn;
	unsigned flags;
};

/* routes.c */
extern const struct route api_public_routes[];
extern const size_t api_public_routes_len;
extern const struct route api_admin_routes[];
extern const size_t api_admin_routes_len;

/* Handlers (h_auth.c, h_psk.c, h_admin.c). */
int h_authenticate(struct ctx *c);
int h_refresh(struct ctx *c);
int h_getpsk(struct ctx *c);
int h_healthz(struct ctx *c);
int h_admin_list_devices(struct ctx *c);
int h_admin_add_device(struct ctx *c);
int h_admin_provisioning(struct ctx *c);
int h_admin_get_device(struct ctx *c);
int h_admin_add_account(struct ctx *c);
int h_admin_get_faults(struct ctx *c);
int h_admin_set_faults(struct ctx *c);

/* h_faults.c: injected faults of /v1/ requests (set through /admin/faults). */
struct api_faults;
struct api_faults *api_faults_create(void);
void api_faults_destroy(struct api_faults *f); /* NULL-safe */
struct api_faults *api_get_faults(struct api *a);
/* Before a request: its added latency, and 0 or -API_ERR_FAULT_* to answer instead. */
int api_fault_request(struct api_faults *f, const char *path, uint32_t *delay_ms);
/* A verified token issued at iat: true when the faults revoke it. */
bool api_fault_token_revoked(struct api_faults *f, int64_t iat);
/* Sleeps ms (the request's thread only). */
void api_fault_delay(uint32_t ms);

/* Records an error detail for the response; returns -err for `return reply_fail(...)`. */
int reply_fail(struct ctx *c, enum api_err err, const char *fmt, ...) ATTR_PRINTF(3, 4);
/* Sets the success status and body (taken, even on failure). Returns 0 or -ENOMEM. */
int reply_ok(struct ctx *c, int status, cJSON *body);
/* Like reply_ok with a body already written as JSON text; takes text (malloc) even on failure. */
int reply_text(struct ctx *c, int status, char *text);

/* Issues an AuthToken + RefreshToken pair for account into the reply. */
int api_issue_tokens(struct ctx *c, const struct platform_account *acct);
const struct api_config *api_get_config(const struct api *a);
/* The per-account failure limiter (limit.h), owned by the api. */
struct limiter *api_get_limiter(struct api *a);
uint64_t api_monotonic_ms(void);

/*
 * Snapshots. acquire/release are cheap and thread-safe. create takes ownership of p (even on
 * failure). swap publishes s and drops the previous snapshot's reference.
 */
struct snapshot *api_snapshot_acquire(struct api *a);
void api_snapshot_release(struct snapshot *s);
struct snapshot *api_snapshot_create(struct platform *p, bool builtin);
void api_snapshot_swap(struct api *a, struct snapshot *s);
/* Serialises reloads and admin mutations (never held by the public routes). */
void api_mutation_lock(struct api *a);
void api_mutation_unlock(struct api *a);

/* json.c: typed field access. Return 0, -ENOENT (absent) or -EINVAL (wrong type). */
int json_get_string(const cJSON *obj, const char *name, const char **out);
int json_get_bool(const cJSON *obj, const char *name, bool *out);
/* Copies a string field into out (cap bytes incl. NUL); -ENOSPC if too long. */
int json_copy_string(const cJSON *obj, const char *name, char *out, size_t cap);
/*
 * The one strict parser for request bodies: a JSON object, only whitespace after it, no control
 * byte or \u0000 inside any string (cJSON would silently cut the string there), no object with
 * two members of the same name. Returns 0 with *out (caller deletes), or -EINVAL with the
 * reason in why (cap bytes).
 */
int json_parse_strict(const char *text, size_t len, cJSON **out, char *why, size_t cap);
/* -EINVAL with *unknown set if obj has a member not in names[0..n), else 0. */
int json_check_members(const cJSON *obj, const char *const *names, size_t n, const char **unknown);
/* Sets valuestring bytes of every string in the tree to zero (before cJSON_Delete). */
void json_wipe(cJSON *node);

#endif /* FAKEAPI_API_PRIV_H */
