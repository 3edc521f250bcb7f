/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for the request handler (api_handle), without sockets.
 *
 * Input: byte 0 picks the surface and flags, then four '\n'-terminated lines (method, path,
 * Authorization, Content-Type) and the rest is the body. An Authorization line "@demo" or
 * "@other" is replaced by a valid AuthToken of that account so the fuzzer reaches the GetPSK
 * and refresh logic behind the token check. The clock is fixed, so runs are reproducible.
 * Admin mutations run against a platform file in a temporary directory.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api.h"
#include "api_priv.h"
#include "log.h"
#include "rot/platform.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fuzz_state {
	char dir[32];
	struct api *builtin;
	struct api *file;
	char tokens[2][1100];
};

static int64_t fixed_clock(void *data)
{
	return 1800000000;
}

static void login(struct api *a, const char *key, const char *secret, char *out, size_t cap)
{
	char body[256];
	struct api_request req = { .method = "POST",
				   .path = "/v1/authenticate",
				   .content_type = "application/json" };
	struct api_response resp;
	const char *p, *e;

	snprintf(body, sizeof(body), "{\"APIKey\":\"%s\",\"APISecret\":\"%s\"}", key, secret);
	req.body = (const uint8_t *)body;
	req.body_len = strlen(body);
	api_handle(a, API_SURFACE_PUBLIC, &req, &resp);
	p = resp.body ? strstr(resp.body, "\"AuthToken\":\"") : NULL;
	e = p ? strchr(p + 13, '"') : NULL;
	if (e == NULL || (size_t)(e - p - 13) >= cap)
		abort();
	memcpy(out, p + 13, (size_t)(e - p - 13));
	out[e - p - 13] = '\0';
	api_response_finish(&resp);
}

static struct api *make_api(const char *path)
{
	struct api_config cfg = {
		.platform_path = path,
		.token_ttl = 3600,
		.refresh_ttl = 7200,
		.clock = fixed_clock,
		.fail_burst = 1000000, /* keep reaching the lookup, not the 429 */
	};
	char err[256];
	struct api *a = api_create(&cfg, err, sizeof(err));

	if (a == NULL)
		abort();
	return a;
}

/* Fuzz harness only: one state per process, removed at exit. */
static struct fuzz_state *st;

static void cleanup(void)
{
	char cmd[64];

	api_destroy(st->builtin);
	api_destroy(st->file);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", st->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "fuzz_api: cannot remove %s\n", st->dir);
	free(st);
}

static struct fuzz_state *state_get(void)
{
	char path[64];
	FILE *f;

	if (st != NULL)
		return st;
	log_set_level(LOG_LEVEL_ERROR);
	st = calloc(1, sizeof(*st));
	if (st == NULL)
		abort();
	snprintf(st->dir, sizeof(st->dir), "/tmp/ukms-fuzz-api-XXXXXX");
	if (mkdtemp(st->dir) == NULL)
		abort();
	atexit(cleanup);
	snprintf(path, sizeof(path), "%s/platform.json", st->dir);
	f = fopen(path, "w");
	if (f == NULL)
		abort();
	fputs(platform_default_json(), f);
	fclose(f);
	st->builtin = make_api(NULL);
	st->file = make_api(path);
	login(st->builtin, "11111111-2222-4333-8444-555555555555",
	      "ukmsDemoSecretNotSecretPublic001", st->tokens[0], sizeof(st->tokens[0]));
	login(st->builtin, "99999999-8888-4777-8666-555555555555",
	      "ukmsOtherAccountSecretPublic0002", st->tokens[1], sizeof(st->tokens[1]));
	return st;
}

/*
 * The strict body parser on its own: whatever it accepts has no NUL byte and prints back to
 * text that it accepts again (so no duplicate member and no string cut at a NUL got through).
 */
static void check_strict(const uint8_t *p, size_t n)
{
	cJSON *j = NULL, *k = NULL;
	char why[120], *text = NULL;

	if (json_parse_strict((const char *)p, n, &j, why, sizeof(why)) < 0)
		return;
	text = cJSON_PrintUnformatted(j);
	if (memchr(p, 0, n) != NULL || text == NULL ||
	    json_parse_strict(text, strlen(text), &k, why, sizeof(why)) < 0)
		abort();
	cJSON_free(text);
	cJSON_Delete(j);
	cJSON_Delete(k);
}

/* Copies the next '\n'-terminated line into a fresh NUL-terminated string. */
static char *next_line(const uint8_t **p, const uint8_t *end)
{
	const uint8_t *nl = memchr(*p, '\n', (size_t)(end - *p));
	size_t n = nl ? (size_t)(nl - *p) : (size_t)(end - *p);
	char *s = malloc(n + 1);

	if (s == NULL)
		abort();
	memcpy(s, *p, n);
	s[n] = '\0';
	*p += n + (nl != NULL);
	return s;
}

/* POST /admin/faults {} (every fault off); it must succeed. */
static void reset_faults(struct api *a)
{
	static const char body[] = "{}";
	struct api_request req = { .method = "POST",
				   .path = "/admin/faults",
				   .content_type = "application/json",
				   .body = (const uint8_t *)body,
				   .body_len = sizeof(body) - 1 };
	struct api_response resp;

	api_handle(a, API_SURFACE_ADMIN, &req, &resp);
	if (resp.status != 200)
		abort();
	api_response_finish(&resp);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_state *fs = state_get();
	const uint8_t *p = data + (size > 0), *end = data + size;
	uint8_t sel = size > 0 ? data[0] : 0;
	char *method = next_line(&p, end), *path = next_line(&p, end);
	char *auth = next_line(&p, end), *ctype = next_line(&p, end);
	struct api_request req = { .method = method,
				   .path = path,
				   .content_type = ctype,
				   .authorization = auth,
				   .body = p,
				   .body_len = (size_t)(end - p),
				   .body_too_large = (sel & 8) != 0 };
	struct api_response resp;

	if (strcmp(auth, "@demo") == 0 || strcmp(auth, "@other") == 0)
		req.authorization = fs->tokens[auth[1] == 'o'];
	if (sel & 4)
		req.content_type = NULL;
	check_strict(req.body, req.body_len);
	/* The file-backed API takes admin mutations; keep it to the admin surface. */
	api_handle((sel & 1) ? fs->file : fs->builtin,
		   (sel & 1)   ? API_SURFACE_ADMIN
		   : (sel & 2) ? API_SURFACE_ADMIN
			       : API_SURFACE_PUBLIC,
		   &req, &resp);
	if (resp.body == NULL || resp.status < 200 || resp.status > 599 ||
	    resp.body_len != strlen(resp.body) || resp.body[0] != '{')
		abort();
	api_response_finish(&resp);
	reset_faults(fs->builtin); /* a fuzzed /admin/faults must not slow later inputs */
	free(method);
	free(path);
	free(auth);
	free(ctype);
	return 0;
}
