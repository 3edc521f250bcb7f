/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The request handler layer without sockets: every status and error code, tokens (expiry on an
 * injected clock, every byte altered), GetPSK for every demo device at both lengths against
 * what rot/ generates, admin mutations persisted to the file, and reload.
 */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <cjson/cJSON.h>
#include <openssl/evp.h>

#include "api.h"
#include "limit.h"
#include "rot/platform.h"
#include "rot/rot.h"
#include "token.h"

#define DEMO_KEY     "11111111-2222-4333-8444-555555555555"
#define DEMO_SECRET  "ukmsDemoSecretNotSecretPublic001"
#define OTHER_KEY    "99999999-8888-4777-8666-555555555555"
#define OTHER_SECRET "ukmsOtherAccountSecretPublic0002"
#define JSON         "application/json"

struct fixture {
	struct api *api;
	int64_t now;
	char dir[64];
	char path[96];
};

static int64_t fake_clock(void *data)
{
	return ((struct fixture *)data)->now;
}

/* One request; returns the status and the parsed body in *out (caller deletes). */
static int call(struct fixture *f, enum api_surface s, const char *method, const char *path,
		const char *auth, const char *ctype, const char *body, cJSON **out)
{
	struct api_request req = { .method = method,
				   .path = path,
				   .authorization = auth,
				   .content_type = ctype,
				   .body = (const uint8_t *)body,
				   .body_len = body ? strlen(body) : 0 };
	struct api_response resp;
	int status;

	api_handle(f->api, s, &req, &resp);
	assert_non_null(resp.body);
	if (out != NULL)
		*out = cJSON_Parse(resp.body);
	status = resp.status;
	api_response_finish(&resp);
	return status;
}

/* Status of a request, asserting the error body shape and code when code != NULL. */
static int call_err(struct fixture *f, enum api_surface s, const char *method, const char *path,
		    const char *auth, const char *ctype, const char *body, const char *code)
{
	cJSON *o = NULL;
	int st = call(f, s, method, path, auth, ctype, body, &o);
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(o, "error");

	if (code != NULL) {
		assert_true(cJSON_IsObject(e));
		assert_string_equal(cJSON_GetObjectItemCaseSensitive(e, "code")->valuestring, code);
		assert_true(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(e, "message")));
		assert_int_equal(cJSON_GetArraySize(o), 1);
	}
	cJSON_Delete(o);
	return st;
}

static char *login(struct fixture *f, const char *key, const char *secret, const char *field)
{
	char body[256];
	cJSON *o = NULL;
	char *tok;

	snprintf(body, sizeof(body), "{\"APIKey\":\"%s\",\"APISecret\":\"%s\"}", key, secret);
	assert_int_equal(
		call(f, API_SURFACE_PUBLIC, "POST", "/v1/authenticate", NULL, JSON, body, &o), 200);
	tok = strdup(cJSON_GetObjectItemCaseSensitive(o, field)->valuestring);
	cJSON_Delete(o);
	return tok;
}

static int setup_api(void **state, const char *path)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct api_config cfg = { .platform_path = path,
				  .token_ttl = 60,
				  .refresh_ttl = 600,
				  .clock = fake_clock,
				  .clock_data = f };
	char err[256];

	f->now = 1800000000;
	f->api = api_create(&cfg, err, sizeof(err));
	if (f->api == NULL)
		fprintf(stderr, "api_create: %s\n", err);
	assert_non_null(f->api);
	*state = f;
	return 0;
}

static int setup_builtin(void **state)
{
	return setup_api(state, NULL);
}

static int setup_file(void **state)
{
	struct fixture tmp;
	const char *json = platform_default_json();
	FILE *fp;

	snprintf(tmp.dir, sizeof(tmp.dir), "/tmp/ukms-fakeapi-XXXXXX");
	assert_non_null(mkdtemp(tmp.dir));
	snprintf(tmp.path, sizeof(tmp.path), "%s/platform.json", tmp.dir);
	fp = fopen(tmp.path, "w");
	assert_non_null(fp);
	fputs(json, fp);
	fclose(fp);
	chmod(tmp.path, 0600);
	setup_api(state, tmp.path);
	memcpy(((struct fixture *)*state)->dir, tmp.dir, sizeof(tmp.dir));
	memcpy(((struct fixture *)*state)->path, tmp.path, sizeof(tmp.path));
	return 0;
}

static void remove_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char p[512];

	while (d != NULL && (e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		unlink(p);
	}
	if (d != NULL)
		closedir(d);
	rmdir(dir);
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	api_destroy(f->api);
	if (f->dir[0] != '\0')
		remove_dir(f->dir);
	free(f);
	return 0;
}

/* ---- authenticate / refresh ---------------------------------------------------------------- */

static void test_authenticate(void **state)
{
	struct fixture *f = *state;
	cJSON *o = NULL;
	const char *ok = "{\"APIKey\":\"" DEMO_KEY "\",\"APISecret\":\"" DEMO_SECRET "\"}";

	assert_int_equal(call(f, API_SURFACE_PUBLIC, "POST", "/v1/Authorize", NULL,
			      "application/json; charset=utf-8", ok, &o),
			 200);
	assert_true(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(o, "AuthToken")));
	assert_true(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(o, "RefreshToken")));
	assert_int_equal(cJSON_GetArraySize(o), 2);
	cJSON_Delete(o);
	/* Wrong secret, another account's secret, unknown key, secret with a suffix. */
	assert_int_equal(call_err(f, API_SURFACE_PUBLIC, "POST", "/v1/authenticate", NULL, JSON,
				  "{\"APIKey\":\"" DEMO_KEY "\",\"APISecret\":\"x\"}",
				  "invalid_credentials"),
			 401);
	assert_int_equal(call_err(f, API_SURFACE_PUBLIC, "POST", "/v1/authenticate", NULL, JSON,
				  "{\"APIKey\":\"" DEMO_KEY "\",\"APISecret\":\"" OTHER_SECRET
				  "\"}",
				  "invalid_credentials"),
			 401);
	assert_int_equal(call_err(f, API_SURFACE_PUBLIC, "POST", "/v1/authenticate", NULL, JSON,
				  "{\"APIKey\":\"nope\",\"APISecret\":\"" DEMO_SECRET "\"}",
				  "invalid_credentials"),
			 401);
	assert_int_equal(call_err(f, API_SURFACE_PUBLIC, "POST", "/v1/authenticate", NULL, JSON,
				  "{\"APIKey\":\"" DEMO_KEY "\",\"APISecret\":\"" DEMO_SECRET
				  "0\"}",
				  "invalid_credentials"),
			 401);
}

static void test_authenticate_bad_bodies(void **state)
{
	static const char *const bodies[] = {
		"", "{", "[1,2]", "\"APIKey\"", "{\"APIKey\":\"" DEMO_KEY "\"} trailing",
	};
	static const char *const fields[] = {
		"{\"APISecret\":\"" DEMO_SECRET "\"}",
		"{\"APIKey\":\"" DEMO_KEY "\"}",
		"{\"APIKey\":1,\"APISecret\":\"" DEMO_SECRET "\"}",
		"{\"APIKey\":\"" DEMO_KEY "\",\"APISecret\":null}",
	};
	struct fixture *f = *state;

	for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++)
		assert_int_equal(call_err(f, API_SURFACE_PUBLIC, "POST", "/v1/authenticate", NULL,
					  JSON, bodies[i], "malformed_json"),
				 400);
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		assert_int_equal(call_err(f, API_SURFACE_PUBLIC, "POST", "/v1/authenticate", NULL,
					  JSON, fields[i], "invalid_request"),
				 400);
}

static void test_refresh(void **state)
{
	struct fixture *f = *state;
	char *refresh = login(f, DEMO_KEY, DEMO_SECRET, "RefreshToken");
	char *id = login(f, DEMO_KEY, DEMO_SECRET, "AuthToken");
	char body[1200];
	cJSON *o = NULL;

	snprintf(body, sizeof(body), "{\"RefreshToken\":\"%s\"}", refresh);
	f->now += 120; /* the AuthToken (60 s) is dead, the refresh token (600 s) is not */
	assert_int_equal(call(f, API_SURFACE_PUBLIC, "POST", "/v1/refresh", NULL, JSON, body, &o),
			 200);
	assert_true(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(o, "AuthToken")));
	cJSON_Delete(o);
	/* An AuthToken is not a refresh token, and a refresh token is not an AuthToken. */
	snprintf(body, sizeof(body), "{\"RefreshToken\":\"%s\"}", id);
	f->now -= 120;
	assert_int_equal(call_err(f, API_SURFACE_PUBLIC, "POST", "/v1/refresh", NULL, JSON, body,
				  "invalid_token"),
			 401);
	assert_int_equal(call_err(f, API_SURFACE_PUBLIC, "POST", "/v1/GetPSK", refresh, JSON,
				  "{\"KeyID\":\"1101000800000000000000000000\"}", "invalid_token"),
			 401);
	snprintf(body, sizeof(body), "{\"RefreshToken\":\"%s\"}", refresh);
	f->now += 600;
	assert_int_equal(call_err(f, API_SURFACE_PUBLIC, "POST", "/v1/refresh", NULL, JSON, body,
				  "expired_token"),
			 401);
	free(refresh);
	free(id);
}

/* ---- GetPSK -------------------------------------------------------------------------------- */

static int getpsk(struct fixture *f, const char *tok, const char *keyid, const char *len,
		  cJSON **out)
{
	char body[256];

	if (len != NULL)
		snprintf(body, sizeof(body), "{\"KeyID\":\"%s\",\"KeyLength\":%s}", keyid, len);
	else
		snprintf(body, sizeof(body), "{\"KeyID\":\"%s\"}", keyid);
	return call(f, API_SURFACE_PUBLIC, "POST", "/v1/GetPSK", tok, JSON, body, out);
}

static const char *err_code(const cJSON *o)
{
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(o, "error");

	return cJSON_GetObjectItemCaseSensitive(e, "code")->valuestring;
}

/* Device-side identity and PSK through rot/. */
static void device_generate(const struct platform_device *d, uint32_t ctr, size_t len, char *idhex,
			    struct rot_psk *psk)
{
	struct platform *p = platform_load_default();
	struct rot_device dev;
	struct rot_identity id;

	assert_int_equal(platform_device_rot(p, d, &dev), 0);
	assert_int_equal(rot_generate(&dev, ctr, len, &id, psk), 0);
	assert_int_equal(rot_identity_format(&id, idhex, ROT_IDENTITY_HEX + 1), 0);
	rot_device_clear(&dev);
	platform_destroy(p);
}

static void assert_key(const cJSON *o, const struct rot_psk *psk, const char *uid)
{
	const char *b64 = cJSON_GetObjectItemCaseSensitive(o, "Key")->valuestring;
	uint8_t raw[64];
	int n = EVP_DecodeBlock(raw, (const uint8_t *)b64, (int)strlen(b64));

	/* EVP_DecodeBlock counts padding bytes as data. */
	n -= (int)(strlen(b64) > 0 && b64[strlen(b64) - 1] == '=') +
	     (int)(strlen(b64) > 1 && b64[strlen(b64) - 2] == '=');
	assert_int_equal(n, (int)psk->len);
	assert_memory_equal(raw, psk->bytes, psk->len);
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(o, "ROTPublicUID")->valuestring, uid);
}

/* One device at one length, for the demo and other accounts' tokens. */
static void check_device(struct fixture *f, const struct platform_device *d, size_t len,
			 const char *demo, const char *other)
{
	char idhex[ROT_IDENTITY_HEX + 1];
	struct rot_psk psk;
	const bool mine = strcmp(d->account, "demo") == 0;
	cJSON *o = NULL;
	int st;

	device_generate(d, 41 + (uint32_t)len, len, idhex, &psk);
	st = getpsk(f, mine ? demo : other, idhex, len == 16 ? "\"128\"" : "\"256\"", &o);
	if (!d->psk_provisioning) {
		assert_int_equal(st, 403);
		assert_string_equal(err_code(o), "psk_provisioning_disabled");
	} else {
		assert_int_equal(st, 200);
		assert_key(o, &psk, d->uid_hex);
	}
	cJSON_Delete(o);
	/* The same identity with the other account's token: as unknown as a forged one. */
	st = getpsk(f, mine ? other : demo, idhex, NULL, &o);
	assert_int_equal(st, 404);
	assert_string_equal(err_code(o), "key_not_found");
	cJSON_Delete(o);
}

static void test_getpsk_every_device(void **state)
{
	struct fixture *f = *state;
	struct platform *p = platform_load_default();
	char *demo = login(f, DEMO_KEY, DEMO_SECRET, "AuthToken");
	char *other = login(f, OTHER_KEY, OTHER_SECRET, "AuthToken");

	assert_true(platform_device_count(p) >= 13);
	for (size_t i = 0; i < platform_device_count(p); i++) {
		check_device(f, platform_device_at(p, i), 16, demo, other);
		check_device(f, platform_device_at(p, i), 32, demo, other);
	}
	platform_destroy(p);
	free(demo);
	free(other);
}

static void test_getpsk_identity_forms(void **state)
{
	struct fixture *f = *state;
	struct platform *p = platform_load_default();
	const struct platform_device *d = platform_find_device(p, "0A04F008003C9623");
	char *tok = login(f, DEMO_KEY, DEMO_SECRET, "AuthToken");
	char bearer[1100], idhex[ROT_IDENTITY_HEX + 1], lower[ROT_IDENTITY_HEX + 1];
	struct rot_psk psk;
	cJSON *o = NULL;

	device_generate(d, 7, 16, idhex, &psk);
	for (size_t i = 0; i <= ROT_IDENTITY_HEX; i++)
		lower[i] = (char)(idhex[i] >= 'A' && idhex[i] <= 'F' ? idhex[i] + 32 : idhex[i]);
	snprintf(bearer, sizeof(bearer), "Bearer %s", tok);
	/* KeyLength absent means 128 bits; lower-case identity; "Bearer " prefix. */
	assert_int_equal(getpsk(f, bearer, lower, NULL, &o), 200);
	assert_key(o, &psk, "0A04F008003C9623");
	cJSON_Delete(o);
	/* Forged tag (last byte), unknown reference, wrong header, length, hex. */
	idhex[ROT_IDENTITY_HEX - 1] = idhex[ROT_IDENTITY_HEX - 1] == '0' ? '1' : '0';
	assert_int_equal(getpsk(f, tok, idhex, NULL, NULL), 404);
	assert_int_equal(getpsk(f, tok, "11010008FFFFFFFF000000010000", NULL, NULL), 404);
	assert_int_equal(getpsk(f, tok, "21010008FFFFFFFF000000010000", NULL, NULL), 400);
	assert_int_equal(getpsk(f, tok, "11010008FFFFFFFF0000000100", NULL, NULL), 400);
	assert_int_equal(getpsk(f, tok, "11010008FFFFFFFF00000001000G", NULL, NULL), 400);
	assert_int_equal(getpsk(f, tok, idhex, "\"512\"", &o), 400);
	assert_string_equal(err_code(o), "invalid_key_length");
	cJSON_Delete(o);
	assert_int_equal(getpsk(f, tok, idhex, "128", NULL), 400); /* a number, not a string */
	assert_int_equal(call_err(f, API_SURFACE_PUBLIC, "POST", "/v1/GetPSK", tok, JSON,
				  "{\"KeyID\":5}", "invalid_request"),
			 400);
	rot_psk_clear(&psk);
	platform_destroy(p);
	free(tok);
}

/* ---- tokens -------------------------------------------------------------------------------- */

static const char valid_body[] = "{\"KeyID\":\"11010008FFFFFFFF000000010000\"}";

static void test_token_every_byte_altered(void **state)
{
	struct fixture *f = *state;
	char *tok = login(f, DEMO_KEY, DEMO_SECRET, "AuthToken");
	size_t n = strlen(tok);
	char *bad = strdup(tok);
	static const char repl[] = { 'A', 'B', 'a', '0', '-', '_', '.', ' ' };

	/* Control: the untouched token passes auth (404: the identity is unknown). */
	assert_int_equal(
		call(f, API_SURFACE_PUBLIC, "POST", "/v1/GetPSK", tok, JSON, valid_body, NULL),
		404);
	for (size_t i = 0; i < n; i++) {
		for (size_t r = 0; r < sizeof(repl); r++) {
			if (repl[r] == tok[i])
				continue;
			bad[i] = repl[r];
			assert_int_equal(call(f, API_SURFACE_PUBLIC, "POST", "/v1/GetPSK", bad,
					      JSON, valid_body, NULL),
					 401);
		}
		bad[i] = (char)(tok[i] ^ 0x01);
		assert_int_equal(call(f, API_SURFACE_PUBLIC, "POST", "/v1/GetPSK", bad, JSON,
				      valid_body, NULL),
				 401);
		bad[i] = tok[i];
	}
	/* Truncated and extended. */
	bad[n - 1] = '\0';
	assert_int_equal(
		call(f, API_SURFACE_PUBLIC, "POST", "/v1/GetPSK", bad, JSON, valid_body, NULL),
		401);
	free(bad);
	free(tok);
}

static void test_token_expiry_and_absence(void **state)
{
	struct fixture *f = *state;
	char *tok = login(f, DEMO_KEY, DEMO_SECRET, "AuthToken");

	f->now += 59;
	assert_int_equal(
		call(f, API_SURFACE_PUBLIC, "POST", "/v1/GetPSK", tok, JSON, valid_body, NULL),
		404);
	f->now += 1; /* exactly token-ttl after issue */
	assert_int_equal(call_err(f, API_SURFACE_PUBLIC, "POST", "/v1/GetPSK", tok, JSON,
				  valid_body, "expired_token"),
			 401);
	assert_int_equal(call_err(f, API_SURFACE_PUBLIC, "POST", "/v1/GetPSK", NULL, JSON,
				  valid_body, "missing_token"),
			 401);
	assert_int_equal(call_err(f, API_SURFACE_PUBLIC, "POST", "/v1/GetPSK", "Bearer ", JSON,
				  valid_body, "invalid_token"),
			 401);
	/* The token is checked before the body: no token and a bad body is still 401. */
	assert_int_equal(call_err(f, API_SURFACE_PUBLIC, "POST", "/v1/GetPSK", NULL, JSON, "{",
				  "missing_token"),
			 401);
	free(tok);
}

/*
 * The verified-token cache (token.c): bounded (more distinct tokens than slots all keep
 * verifying, through eviction), expiry checked on a hit, a cached token's signature glued to
 * another payload refused, and a signer of another secret has its own cache.
 */
static void test_token_cache(void **state)
{
	struct platform *p = platform_load_default();
	uint8_t other[ROT_SECRET_LEN] = { 1 };
	struct token_signer *s = token_signer_create(platform_secret(p));
	struct token_signer *s2 = token_signer_create(other);
	const size_t n = 3 * TOKEN_CACHE_SLOTS;
	char(*toks)[TOKEN_MAX + 1] = calloc(n, sizeof(*toks));
	struct token_claims c = { .sub = "demo", .iat = 1000, .exp = 1060 }, got;
	char forged[2 * TOKEN_MAX + 2], t0[TOKEN_MAX + 1], t1[TOKEN_MAX + 1];
	const char *sig0;

	assert_non_null(s);
	assert_non_null(toks);
	for (size_t i = 0; i < n; i++)
		assert_true(token_issue(s, &c, toks[i], sizeof(toks[i])) > 0);
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < n; i++) {
			memset(&got, 0, sizeof(got));
			assert_int_equal(token_verify(s, toks[i], strlen(toks[i]), 1059, &got), 0);
			assert_string_equal(got.sub, "demo");
			assert_int_equal(got.exp, 1060);
		}
	}
	/* cached or not, expired at exp */
	assert_int_equal(token_verify(s, toks[n - 1], strlen(toks[n - 1]), 1060, &got),
			 -EKEYEXPIRED);
	assert_int_equal(token_verify(s, toks[0], strlen(toks[0]), 1060, &got), -EKEYEXPIRED);
	/* token 1's payload with (cached) token 0's signature */
	memcpy(t0, toks[0], sizeof(t0));
	memcpy(t1, toks[1], sizeof(t1));
	sig0 = strrchr(t0, '.');
	assert_non_null(sig0);
	assert_non_null(strrchr(t1, '.'));
	snprintf(forged, sizeof(forged), "%.*s%s", (int)(strrchr(t1, '.') - t1), t1, sig0);
	assert_int_equal(token_verify(s, forged, strlen(forged), 1000, &got), -EBADMSG);
	assert_int_equal(token_verify(s2, toks[0], strlen(toks[0]), 1000, &got), -EBADMSG);
	free(toks);
	token_signer_destroy(s2);
	token_signer_destroy(s);
	platform_destroy(p);
}

/* A token signed for another platform secret does not verify here. */
static void test_token_foreign_platform(void **state)
{
	struct fixture *f = *state;
	const char *foreign =
		"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
		"eyJpc3MiOiJ1a21zLWZha2VhcGkiLCJzdWIiOiJkZW1vIiw"
		"iaWF0IjoxODAwMDAwMDAwLCJleHAiOjE5MDAwMDAwMDAsInRva2VuX3VzZSI6ImlkIn0."
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

	assert_int_equal(call_err(f, API_SURFACE_PUBLIC, "POST", "/v1/GetPSK", foreign, JSON,
				  valid_body, "invalid_token"),
			 401);
}

/* ---- generic HTTP statuses ------------------------------------------------------------------ */

static void test_generic_statuses(void **state)
{
	struct fixture *f = *state;
	struct api_request req = { .method = "POST",
				   .path = "/v1/authenticate",
				   .content_type = JSON,
				   .body_too_large = true };
	struct api_response resp;
	cJSON *o = NULL;

	assert_int_equal(call(f, API_SURFACE_PUBLIC, "GET", "/healthz", NULL, NULL, NULL, &o), 200);
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(o, "status")->valuestring, "ok");
	cJSON_Delete(o);
	assert_int_equal(call_err(f, API_SURFACE_PUBLIC, "GET", "/v1/nothing", NULL, NULL, NULL,
				  "not_found"),
			 404);
	assert_int_equal(call_err(f, API_SURFACE_PUBLIC, "GET", "/admin/devices", NULL, NULL, NULL,
				  "not_found"),
			 404);
	api_handle(f->api, API_SURFACE_PUBLIC,
		   &(struct api_request){ .method = "DELETE", .path = "/v1/GetPSK" }, &resp);
	assert_int_equal(resp.status, 405);
	assert_string_equal(resp.allow, "POST");
	api_response_finish(&resp);
	assert_int_equal(call_err(f, API_SURFACE_PUBLIC, "POST", "/v1/authenticate", NULL,
				  "text/plain", "{}", "unsupported_media_type"),
			 415);
	assert_int_equal(call_err(f, API_SURFACE_PUBLIC, "POST", "/v1/authenticate", NULL, NULL,
				  "{}", "unsupported_media_type"),
			 415);
	assert_int_equal(call_err(f, API_SURFACE_PUBLIC, "POST", "/v1/authenticate", NULL,
				  "application/json; charset=latin1", "{}",
				  "unsupported_media_type"),
			 415);
	assert_int_equal(call_err(f, API_SURFACE_PUBLIC, "POST", "/v1/authenticate", NULL,
				  "Application/JSON;charset=UTF-8", "{}", "invalid_request"),
			 400);
	api_handle(f->api, API_SURFACE_PUBLIC, &req, &resp);
	assert_int_equal(resp.status, 413);
	api_response_finish(&resp);
}

/* ---- admin and reload ------------------------------------------------------------------------ */

static void test_admin_builtin_read_only(void **state)
{
	struct fixture *f = *state;
	char err[128];

	assert_int_equal(call_err(f, API_SURFACE_ADMIN, "POST",
				  "/admin/devices/0A04F008003C9623/"
				  "provisioning",
				  NULL, JSON, "{\"enabled\":false}", "read_only_platform"),
			 409);
	assert_int_equal(api_reload(f->api, err, sizeof(err)), -EPERM);
	assert_int_equal(
		call(f, API_SURFACE_ADMIN, "GET", "/admin/devices", NULL, NULL, NULL, NULL), 200);
	/* The public surface is not affected by admin routes and vice versa. */
	assert_int_equal(
		call(f, API_SURFACE_ADMIN, "POST", "/v1/authenticate", NULL, JSON, "{}", NULL),
		404);
}

static struct platform *reread(const struct fixture *f)
{
	struct stat st;
	char err[256];
	struct platform *p;

	assert_int_equal(stat(f->path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	p = platform_load(f->path, err, sizeof(err));
	assert_non_null(p);
	return p;
}

static void test_admin_provisioning_persists(void **state)
{
	struct fixture *f = *state;
	char *tok = login(f, DEMO_KEY, DEMO_SECRET, "AuthToken");
	const char *uri = "/admin/devices/0a04f008003c9623/provisioning";
	char idhex[ROT_IDENTITY_HEX + 1];
	struct platform *p = platform_load_default();
	struct rot_psk psk;

	device_generate(platform_find_device(p, "0A04F008003C9623"), 3, 16, idhex, &psk);
	rot_psk_clear(&psk);
	assert_int_equal(getpsk(f, tok, idhex, NULL, NULL), 200);
	assert_int_equal(
		call(f, API_SURFACE_ADMIN, "POST", uri, NULL, JSON, "{\"enabled\":false}", NULL),
		200);
	assert_int_equal(getpsk(f, tok, idhex, NULL, NULL), 403);
	platform_destroy(p);
	p = reread(f);
	assert_false(platform_find_device(p, "0A04F008003C9623")->psk_provisioning);
	platform_destroy(p);
	assert_int_equal(
		call(f, API_SURFACE_ADMIN, "POST", uri, NULL, JSON, "{\"enabled\":1}", NULL), 400);
	assert_int_equal(call_err(f, API_SURFACE_ADMIN, "POST",
				  "/admin/devices/0A04F008FFFFFFFF/provisioning", NULL, JSON,
				  "{\"enabled\":true}", "device_not_found"),
			 404);
	assert_int_equal(call(f, API_SURFACE_ADMIN, "GET", uri, NULL, NULL, NULL, NULL), 405);
	free(tok);
}

static void test_admin_add_account_and_device(void **state)
{
	struct fixture *f = *state;
	const char *acct =
		"{\"name\":\"acme\",\"api_key\":\"aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee\","
		"\"api_secret\":\"acmeSecretForTheAdminTest000001\"}";
	const char *dev = "{\"rot_uid\":\"0A04F00800000F01\",\"imei\":\"352753090009999\","
			  "\"imsi\":\"001010000009999\",\"iccid\":\"8988211000000009999\","
			  "\"model\":\"SARA-R510M8S\",\"account\":\"acme\"}";
	struct platform *p;
	cJSON *o = NULL;
	char *tok;

	assert_int_equal(
		call(f, API_SURFACE_ADMIN, "POST", "/admin/accounts", NULL, JSON, acct, &o), 201);
	assert_null(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(o, "account"),
						     "api_secret"));
	cJSON_Delete(o);
	assert_int_equal(call_err(f, API_SURFACE_ADMIN, "POST", "/admin/accounts", NULL, JSON, acct,
				  "conflict"),
			 409);
	assert_int_equal(
		call(f, API_SURFACE_ADMIN, "POST", "/admin/devices", NULL, JSON, dev, NULL), 201);
	assert_int_equal(call(f, API_SURFACE_ADMIN, "POST", "/admin/devices", NULL, JSON,
			      "{\"rot_uid\":\"xyz\"}", NULL),
			 400);
	tok = login(f, "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee", "acmeSecretForTheAdminTest000001",
		    "AuthToken");
	free(tok);
	p = reread(f);
	assert_non_null(platform_find_account(p, "acme"));
	assert_string_equal(platform_find_device(p, "0A04F00800000F01")->account, "acme");
	platform_destroy(p);
}

static void test_reload(void **state)
{
	struct fixture *f = *state;
	char *tok = login(f, DEMO_KEY, DEMO_SECRET, "AuthToken");
	char err[256];
	FILE *fp;

	/* A broken file keeps the running platform (and its tokens). */
	fp = fopen(f->path, "w");
	fputs("{\"version\":1,", fp);
	fclose(fp);
	assert_int_equal(api_reload(f->api, err, sizeof(err)), -EINVAL);
	assert_true(strlen(err) > 0);
	assert_int_equal(
		call(f, API_SURFACE_PUBLIC, "POST", "/v1/GetPSK", tok, JSON, valid_body, NULL),
		404);
	/* The same platform again: the same secret, so old tokens stay valid. */
	fp = fopen(f->path, "w");
	fputs(platform_default_json(), fp);
	fclose(fp);
	assert_int_equal(api_reload(f->api, err, sizeof(err)), 0);
	assert_int_equal(
		call(f, API_SURFACE_PUBLIC, "POST", "/v1/GetPSK", tok, JSON, valid_body, NULL),
		404);
	free(tok);
}

/* ---- issue 13: strict input, failure rate limit, FIFO reload -------------------------------- */

/* A demo-account identity GetPSK answers with 200. */
static void demo_identity(char *idhex)
{
	struct platform *p = platform_load_default();
	struct rot_psk psk;

	device_generate(platform_find_device(p, "0A04F008003C9623"), 9, 16, idhex, &psk);
	rot_psk_clear(&psk);
	platform_destroy(p);
}

static void test_strict_json(void **state)
{
	struct fixture *f = *state;
	char *tok = login(f, DEMO_KEY, DEMO_SECRET, "AuthToken");
	char id[ROT_IDENTITY_HEX + 1], body[512];
	const char *pub = "/v1/GetPSK";

	demo_identity(id);
	snprintf(body, sizeof(body), "{\"KeyID\":\"%s\"}", id);
	assert_int_equal(call(f, API_SURFACE_PUBLIC, "POST", pub, tok, JSON, body, NULL), 200);
	/* cJSON cuts a string at \u0000: "<valid>\u0000x" would pass as "<valid>". */
	snprintf(body, sizeof(body), "{\"KeyID\":\"%s\\u0000x\"}", id);
	assert_int_equal(
		call_err(f, API_SURFACE_PUBLIC, "POST", pub, tok, JSON, body, "malformed_json"),
		400);
	snprintf(body, sizeof(body), "{\"KeyID\":\"%s\",\"KeyLength\":\"128\\u0000x\"}", id);
	assert_int_equal(
		call_err(f, API_SURFACE_PUBLIC, "POST", pub, tok, JSON, body, "malformed_json"),
		400);
	snprintf(body, sizeof(body), "{\"APIKey\":\"%s\",\"APISecret\":\"%s\\u0000x\"}", DEMO_KEY,
		 DEMO_SECRET);
	assert_int_equal(call_err(f, API_SURFACE_PUBLIC, "POST", "/v1/authenticate", NULL, JSON,
				  body, "malformed_json"),
			 400);
	/* Duplicate members: which one wins must not be left to the parser. */
	snprintf(body, sizeof(body), "{\"KeyID\":\"00\",\"KeyID\":\"%s\"}", id);
	assert_int_equal(
		call_err(f, API_SURFACE_PUBLIC, "POST", pub, tok, JSON, body, "malformed_json"),
		400);
	snprintf(body, sizeof(body), "{\"KeyID\":\"%s\",\"x\":{\"a\":1,\"a\":2}}", id);
	assert_int_equal(call(f, API_SURFACE_PUBLIC, "POST", pub, tok, JSON, body, NULL), 400);
	/* A raw control byte inside a string. */
	snprintf(body, sizeof(body), "{\"KeyID\":\"%s\x01\"}", id);
	assert_int_equal(call(f, API_SURFACE_PUBLIC, "POST", pub, tok, JSON, body, NULL), 400);
	/* Control: an escaped backslash before "u0000" is two ordinary characters. */
	snprintf(body, sizeof(body), "{\"APIKey\":\"%s\",\"APISecret\":\"\\\\u0000\"}", DEMO_KEY);
	assert_int_equal(call_err(f, API_SURFACE_PUBLIC, "POST", "/v1/authenticate", NULL, JSON,
				  body, "invalid_credentials"),
			 401);
	free(tok);
}

static void test_admin_strict(void **state)
{
	struct fixture *f = *state;
	const char *acct =
		"{\"name\":\"acme\",\"api_key\":\"aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee\","
		"\"api_secret\":\"acmeSecretForTheAdminTest000001\"";
	char body[512];

	snprintf(body, sizeof(body), "%s,\"role\":\"admin\"}", acct);
	assert_int_equal(call_err(f, API_SURFACE_ADMIN, "POST", "/admin/accounts", NULL, JSON, body,
				  "invalid_request"),
			 400);
	assert_int_equal(call_err(f, API_SURFACE_ADMIN, "POST",
				  "/admin/devices/0A04F008003C9623/provisioning", NULL, JSON,
				  "{\"enabled\":false,\"enable\":true}", "invalid_request"),
			 400);
	assert_int_equal(call_err(f, API_SURFACE_ADMIN, "POST", "/admin/devices", NULL, JSON,
				  "{\"rot_uid\":\"0A04F00800000F01\",\"colour\":\"red\"}",
				  "invalid_request"),
			 400);
	snprintf(body, sizeof(body),
		 "{\"name\":\"ac\\u0000me\",\"api_key\":\"aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee\","
		 "\"api_secret\":\"acmeSecretForTheAdminTest000001\"}");
	assert_int_equal(call_err(f, API_SURFACE_ADMIN, "POST", "/admin/accounts", NULL, JSON, body,
				  "malformed_json"),
			 400);
	/* Nothing of the refused writes reached the platform; a clean write still works. */
	snprintf(body, sizeof(body), "%s}", acct);
	assert_int_equal(
		call(f, API_SURFACE_ADMIN, "POST", "/admin/accounts", NULL, JSON, body, NULL), 201);
}

static int setup_limited(void **state)
{
	struct fixture *f;
	struct api_config cfg = {
		.token_ttl = 60, .refresh_ttl = 600, .fail_burst = 3, .fail_per_minute = 1
	};
	char err[256];

	setup_builtin(state);
	f = *state;
	api_destroy(f->api);
	cfg.clock = fake_clock;
	cfg.clock_data = f;
	f->api = api_create(&cfg, err, sizeof(err));
	assert_non_null(f->api);
	return 0;
}

static void test_getpsk_rate_limit(void **state)
{
	struct fixture *f = *state;
	char *demo = login(f, DEMO_KEY, DEMO_SECRET, "AuthToken");
	char *other = login(f, OTHER_KEY, OTHER_SECRET, "AuthToken");
	char id[ROT_IDENTITY_HEX + 1], body[128];
	struct api_request req = {
		.method = "POST", .path = "/v1/GetPSK", .authorization = demo, .content_type = JSON
	};
	struct api_response resp;

	demo_identity(id);
	for (int i = 0; i < 3; i++)
		assert_int_equal(getpsk(f, demo, "11010008FFFFFFFF000000010000", NULL, NULL), 404);
	/* Used up: every GetPSK of this account gets 429 with Retry-After, a valid one too. */
	snprintf(body, sizeof(body), "{\"KeyID\":\"%s\"}", id);
	req.body = (const uint8_t *)body;
	req.body_len = strlen(body);
	api_handle(f->api, API_SURFACE_PUBLIC, &req, &resp);
	assert_int_equal(resp.status, 429);
	assert_true(resp.retry_after >= 1 && resp.retry_after <= 60);
	assert_non_null(strstr(resp.body, "too_many_failures"));
	api_response_finish(&resp);
	assert_int_equal(getpsk(f, demo, "11010008FFFFFFFF000000010000", NULL, NULL), 429);
	/* Another account is not affected. */
	assert_int_equal(getpsk(f, other, "11010008FFFFFFFF000000010000", NULL, NULL), 404);
	free(demo);
	free(other);
}

static void test_limiter(void **state)
{
	struct limiter *l = limiter_create(2, 60); /* 2 at once, then 1 a second */
	unsigned wait = 0;
	char name[32];

	assert_int_equal(limiter_check(l, "a", 0, &wait), 0);
	limiter_fail(l, "a", 0);
	assert_int_equal(limiter_check(l, "a", 0, &wait), 0);
	limiter_fail(l, "a", 0);
	assert_int_equal(limiter_check(l, "a", 0, &wait), -EBUSY);
	assert_int_equal(wait, 1);
	assert_int_equal(limiter_check(l, "b", 0, &wait), 0);
	assert_int_equal(limiter_check(l, "a", 999, &wait), -EBUSY);
	assert_int_equal(limiter_check(l, "a", 1000, &wait), 0);
	/* Far more accounts than slots: memory stays fixed, a busy account stays limited. */
	limiter_fail(l, "a", 1000);
	for (unsigned i = 0; i < 4 * LIMIT_SLOTS; i++) {
		snprintf(name, sizeof(name), "acct%u", i);
		limiter_fail(l, name, 1000);
	}
	assert_int_equal(limiter_check(l, "a", 1000, &wait), -EBUSY);
	limiter_destroy(l);
}

/* A FIFO in place of the platform file: refused at once, the platform keeps serving. */
static void test_reload_fifo(void **state)
{
	struct fixture *f = *state;
	char *tok = login(f, DEMO_KEY, DEMO_SECRET, "AuthToken");
	char err[256] = "";

	assert_int_equal(unlink(f->path), 0);
	assert_int_equal(mkfifo(f->path, 0600), 0);
	assert_int_equal(api_reload(f->api, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "not a regular file"));
	assert_int_equal(
		call(f, API_SURFACE_PUBLIC, "POST", "/v1/GetPSK", tok, JSON, valid_body, NULL),
		404);
	free(tok);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_authenticate, setup_builtin, teardown),
		cmocka_unit_test_setup_teardown(test_authenticate_bad_bodies, setup_builtin,
						teardown),
		cmocka_unit_test_setup_teardown(test_refresh, setup_builtin, teardown),
		cmocka_unit_test_setup_teardown(test_getpsk_every_device, setup_builtin, teardown),
		cmocka_unit_test_setup_teardown(test_getpsk_identity_forms, setup_builtin,
						teardown),
		cmocka_unit_test_setup_teardown(test_token_every_byte_altered, setup_builtin,
						teardown),
		cmocka_unit_test_setup_teardown(test_token_expiry_and_absence, setup_builtin,
						teardown),
		cmocka_unit_test_setup_teardown(test_token_foreign_platform, setup_builtin,
						teardown),
		cmocka_unit_test(test_token_cache),
		cmocka_unit_test_setup_teardown(test_generic_statuses, setup_builtin, teardown),
		cmocka_unit_test_setup_teardown(test_admin_builtin_read_only, setup_builtin,
						teardown),
		cmocka_unit_test_setup_teardown(test_admin_provisioning_persists, setup_file,
						teardown),
		cmocka_unit_test_setup_teardown(test_admin_add_account_and_device, setup_file,
						teardown),
		cmocka_unit_test_setup_teardown(test_reload, setup_file, teardown),
		cmocka_unit_test_setup_teardown(test_strict_json, setup_builtin, teardown),
		cmocka_unit_test_setup_teardown(test_admin_strict, setup_file, teardown),
		cmocka_unit_test_setup_teardown(test_getpsk_rate_limit, setup_limited, teardown),
		cmocka_unit_test(test_limiter),
		cmocka_unit_test_setup_teardown(test_reload_fifo, setup_file, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
