/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The fake Security Services REST API as a pure request -> response function, without sockets:
 * server.c feeds it from libmicrohttpd, tests and the fuzz target call it directly.
 *
 * struct api owns the current platform snapshot (platform + token signer). Requests take a
 * reference to the snapshot they started with, so a reload (SIGHUP) or an admin mutation swaps
 * in a new snapshot without disturbing requests in flight. api_handle() is thread-safe.
 *
 * Every error response has one shape (docs/api.md):
 *	{"error":{"code":"<snake_case code>","message":"<human readable>"}}
 */
#ifndef FAKEAPI_API_H
#define FAKEAPI_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Largest request body accepted (413 beyond). */
#define API_BODY_MAX (16 * 1024)

/* Seconds since the epoch; tests replace it to move time. */
typedef int64_t api_clock_fn(void *data);

struct api_config {
	const char *platform_path; /* NULL: built-in demo platform (read-only) */
	uint32_t token_ttl;        /* AuthToken lifetime, seconds (> 0) */
	uint32_t refresh_ttl;      /* RefreshToken lifetime, seconds (> 0) */
	api_clock_fn *clock;       /* NULL: CLOCK_REALTIME */
	void *clock_data;
	/* Failed GetPSK lookups per account: burst, then per minute (0: 100 and 60); 429 beyond. */
	uint32_t fail_burst;
	uint32_t fail_per_minute;
};

/* Which route table a listener serves. */
enum api_surface {
	API_SURFACE_PUBLIC = 0, /* /v1/..., /healthz */
	API_SURFACE_ADMIN,      /* /admin/... (loopback listener only) */
};

/* One request; every pointer is borrowed for the duration of api_handle(). */
struct api_request {
	const char *method;
	const char *path;          /* decoded path, no query string */
	const char *authorization; /* NULL when absent */
	const char *content_type;  /* NULL when absent */
	const uint8_t *body;
	size_t body_len;
	bool body_too_large; /* the transport saw more than API_BODY_MAX bytes */
};

struct api_response {
	int status;
	char *body; /* NUL-terminated JSON, owned; NULL only if even the fallback failed */
	size_t body_len;
	char allow[48];        /* value of the Allow header (405), or "" */
	bool www_authenticate; /* add "WWW-Authenticate: Bearer" (401) */
	bool secret;           /* body carries key material: wiped by api_response_finish */
	unsigned retry_after;  /* seconds for a Retry-After header (429), or 0 */
};

struct api;

/*
 * Loads the platform (file or built-in) and derives the token key. Returns NULL and a one-line
 * message in err on failure.
 */
struct api *api_create(const struct api_config *cfg, char *err, size_t errlen);
/* NULL-safe. Callers stop all request threads first. */
void api_destroy(struct api *a);

/*
 * Re-reads the platform file and swaps it in; on any error the old platform stays and err says
 * why. Requests in flight finish on the snapshot they started with. The file is read with no
 * lock held and a non-regular file (FIFO, device) is refused without blocking. Returns 0,
 * -EINVAL (bad file), -EPERM (running on the built-in platform), -EAGAIN (admin writes kept
 * racing the reload) or -errno.
 */
int api_reload(struct api *a, char *err, size_t errlen);

/* Handles one request. Always fills resp (release it with api_response_finish). */
void api_handle(struct api *a, enum api_surface surface, const struct api_request *req,
		struct api_response *resp);
/* Frees (and, if secret, wipes) the body. NULL-safe, safe on a zeroed struct. */
void api_response_finish(struct api_response *resp);

/* Current time as seen by the API (the configured clock). */
int64_t api_now(const struct api *a);

#endif /* FAKEAPI_API_H */
