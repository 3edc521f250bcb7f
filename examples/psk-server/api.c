/* SPDX-License-Identifier: Apache-2.0 */
#define LOG_MODULE "api"
#include "api.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <openssl/crypto.h>

#include "buf.h"
#include "codec.h"
#include "compiler.h"
#include "hex.h"
#include "log.h"

#define REPLY_CAP        (64 * 1024)
#define DEFAULT_TOKEN_S  3600 /* when the token carries no exp (ublox-at.md 6.1) */
#define RENEW_MARGIN_MAX 60   /* renew this many seconds before exp, at most */

struct psks_api {
	char *url_auth;
	char *url_getpsk;
	char *api_key;
	char *api_secret;
	unsigned key_bits;
	long timeout_ms;
	/* Guarded by lock. Authentication runs under it, GetPSK calls do not. */
	pthread_mutex_t lock;
	char *token;
	int64_t renew_at; /* unix seconds */
	uint64_t gen;     /* bumps with every new token */
	struct psks_api_stats stats;
};

struct reply {
	long status;
	struct buf body; /* secret: may carry a PSK or a token */
	char err[CURL_ERROR_SIZE];
};

static void free_secret(char *s)
{
	if (s != NULL)
		OPENSSL_cleanse(s, strlen(s));
	free(s);
}

static char *join(const char *base, const char *path)
{
	size_t n = strlen(base);
	char *s;

	while (n > 0 && base[n - 1] == '/')
		n--;
	if (asprintf(&s, "%.*s%s", (int)n, base, path) < 0)
		return NULL;
	return s;
}

struct psks_api *psks_api_create(const struct psks_api_config *cfg)
{
	struct psks_api *a = calloc(1, sizeof(*a));

	if (a == NULL)
		return NULL;
	pthread_mutex_init(&a->lock, NULL);
	a->url_auth = join(cfg->url, "/v1/authenticate");
	a->url_getpsk = join(cfg->url, "/v1/GetPSK");
	a->api_key = strdup(cfg->api_key);
	a->api_secret = strdup(cfg->api_secret);
	a->key_bits = cfg->key_bits;
	a->timeout_ms = cfg->timeout_ms;
	if (a->url_auth == NULL || a->url_getpsk == NULL || a->api_key == NULL ||
	    a->api_secret == NULL) {
		psks_api_destroy(a);
		return NULL;
	}
	return a;
}

void psks_api_destroy(struct psks_api *a)
{
	if (a == NULL)
		return;
	free(a->url_auth);
	free(a->url_getpsk);
	free(a->api_key);
	free_secret(a->api_secret);
	free_secret(a->token);
	pthread_mutex_destroy(&a->lock);
	free(a);
}

static size_t on_body(char *data, size_t size, size_t n, void *user)
{
	struct buf *b = user;

	if (buf_append(b, data, size * n) < 0)
		return 0; /* makes curl fail with CURLE_WRITE_ERROR */
	return size * n;
}

static struct curl_slist *headers(const char *token)
{
	struct curl_slist *h = NULL, *t;
	char *auth = NULL;

	h = curl_slist_append(NULL, "Content-Type: application/json");
	if (h == NULL)
		return NULL;
	t = curl_slist_append(h, "Accept: application/json");
	if (t == NULL || token == NULL)
		goto out;
	/* u-blox's own client sends the raw token, no "Bearer " (ublox-at.md 6.2). */
	if (asprintf(&auth, "Authorization: %s", token) < 0) {
		t = NULL;
		goto out;
	}
	t = curl_slist_append(h, auth);
out:
	free_secret(auth);
	if (t == NULL)
		curl_slist_free_all(h);
	return t == NULL ? NULL : h;
}

/* Returns 0 with r->status set, -EHOSTUNREACH with r->err set, -EBADMSG or -ENOMEM. */
static int http_post(const struct psks_api *a, const char *url, const char *token, const char *body,
		     struct reply *r)
{
	struct curl_slist *hdrs = headers(token);
	CURL *h = curl_easy_init();
	CURLcode res;
	int rc = -ENOMEM;

	r->err[0] = '\0';
	if (h == NULL || hdrs == NULL)
		goto out;
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &r->body);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, r->err);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, a->timeout_ms);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L); /* threads: no SIGALRM for timeouts */
	res = curl_easy_perform(h);
	if (res != CURLE_OK) {
		if (r->err[0] == '\0')
			snprintf(r->err, sizeof(r->err), "%s", curl_easy_strerror(res));
		rc = res == CURLE_WRITE_ERROR ? -EBADMSG : -EHOSTUNREACH;
		goto out;
	}
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
	rc = 0;
out:
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(h);
	return rc;
}

/* The "message" of an API error body {"error":{"code":..,"message":..}}, or "". */
static void error_message(struct buf *body, char *out, size_t cap)
{
	cJSON *json = cJSON_ParseWithLength((const char *)body->data, body->len);
	const cJSON *err = cJSON_GetObjectItemCaseSensitive(json, "error");
	const cJSON *msg = cJSON_GetObjectItemCaseSensitive(err, "message");

	out[0] = '\0';
	if (cJSON_IsString(msg))
		snprintf(out, cap, ": %.120s", msg->valuestring);
	cJSON_Delete(json);
}

static char *auth_body(const struct psks_api *a)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *secret = cJSON_AddStringToObject(o, "APISecret", a->api_secret);
	char *s = NULL;

	if (cJSON_AddStringToObject(o, "APIKey", a->api_key) != NULL && secret != NULL)
		s = cJSON_PrintUnformatted(o);
	if (secret != NULL)
		OPENSSL_cleanse(secret->valuestring, strlen(secret->valuestring));
	cJSON_Delete(o);
	return s;
}

static int64_t now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec;
}

/* Takes the token out of a 200 reply and schedules its renewal. Called under a->lock. */
static int store_token(struct psks_api *a, struct buf *body)
{
	cJSON *json = cJSON_ParseWithLength((const char *)body->data, body->len);
	cJSON *tok = cJSON_GetObjectItemCaseSensitive(json, "AuthToken");
	int64_t now = now_s(), exp = 0, margin;
	int rc = -EBADMSG;

	if (!cJSON_IsString(tok) || tok->valuestring[0] == '\0' ||
	    strpbrk(tok->valuestring, "\r\n") != NULL) {
		log_error("API authentication: no AuthToken in the answer");
		goto out;
	}
	if (psks_jwt_exp(tok->valuestring, &exp) < 0)
		exp = now + DEFAULT_TOKEN_S;
	margin = (exp - now) / 10;
	margin = margin > RENEW_MARGIN_MAX ? RENEW_MARGIN_MAX : margin < 0 ? 0 : margin;
	free_secret(a->token);
	a->token = strdup(tok->valuestring);
	rc = a->token == NULL ? -ENOMEM : 0;
	a->renew_at = exp - margin;
	a->gen++;
	log_info("API authenticated; token valid for %lld s", (long long)(exp - now));
out:
	if (cJSON_IsString(tok))
		OPENSSL_cleanse(tok->valuestring, strlen(tok->valuestring));
	cJSON_Delete(json);
	return rc;
}

/* POST /v1/authenticate. Called under a->lock. */
static int authenticate(struct psks_api *a)
{
	struct reply r = { 0 };
	char *body = auth_body(a);
	int rc = -ENOMEM;

	buf_init_secret(&r.body, REPLY_CAP);
	if (body == NULL)
		goto out;
	a->stats.authenticate_calls++;
	rc = http_post(a, a->url_auth, NULL, body, &r);
	if (rc == -EHOSTUNREACH)
		log_error("API unreachable: %s", r.err);
	if (rc < 0)
		goto out;
	if (r.status == 200) {
		rc = store_token(a, &r.body);
	} else if (r.status == 401 || r.status == 403) {
		log_error("API authentication failed (%ld): check --api-key/--api-secret",
			  r.status);
		rc = -EPERM;
	} else {
		log_error("API authentication: unexpected HTTP status %ld", r.status);
		rc = -EBADMSG;
	}
out:
	free_secret(body);
	buf_finish(&r.body);
	return rc;
}

/* Copies a valid token into *out (caller frees with free_secret), authenticating if needed. */
static int token_get(struct psks_api *a, char **out, uint64_t *gen)
{
	int rc = 0;

	pthread_mutex_lock(&a->lock);
	if (a->token == NULL || now_s() >= a->renew_at)
		rc = authenticate(a);
	if (rc == 0) {
		*out = strdup(a->token);
		*gen = a->gen;
		rc = *out == NULL ? -ENOMEM : 0;
	}
	pthread_mutex_unlock(&a->lock);
	return rc;
}

/* Forgets the token the server refused, unless another thread has already replaced it. */
static void token_invalidate(struct psks_api *a, uint64_t gen)
{
	pthread_mutex_lock(&a->lock);
	if (a->gen == gen) {
		free_secret(a->token);
		a->token = NULL;
	}
	pthread_mutex_unlock(&a->lock);
}

static int parse_key(const struct psks_api *a, const char *identity, struct buf *body,
		     struct psks_key *out)
{
	cJSON *json = cJSON_ParseWithLength((const char *)body->data, body->len);
	cJSON *key = cJSON_GetObjectItemCaseSensitive(json, "Key");
	const cJSON *uid = cJSON_GetObjectItemCaseSensitive(json, "ROTPublicUID");
	int rc = -EBADMSG, n = -EINVAL;

	if (cJSON_IsString(key))
		n = psks_b64_decode(key->valuestring, strlen(key->valuestring), false, out->psk,
				    sizeof(out->psk));
	if (n < 0 || (unsigned)n * 8 != a->key_bits) {
		log_error("identity %s: API answer has no valid %u-bit Key", identity, a->key_bits);
		goto out;
	}
	out->len = (size_t)n;
	if (!cJSON_IsString(uid) || strlen(uid->valuestring) > PSKS_UID_MAX ||
	    !hex_is_valid(uid->valuestring, strlen(uid->valuestring))) {
		log_error("identity %s: API answer has no valid ROTPublicUID", identity);
		goto out;
	}
	snprintf(out->uid, sizeof(out->uid), "%s", uid->valuestring);
	rc = 0;
out:
	if (cJSON_IsString(key))
		OPENSSL_cleanse(key->valuestring, strlen(key->valuestring));
	cJSON_Delete(json);
	return rc;
}

/* The one mapping of GetPSK error statuses to return codes and log text. */
static const struct {
	long status;
	int rc;
	const char *what;
} getpsk_errors[] = {
	{ 400, -EINVAL, "API rejected the request (400)" },
	{ 403, -EACCES, "API refused: provisioning disabled (403)" },
	{ 404, -ENOENT, "unknown to the API (404)" },
};

static int map_status(const char *identity, struct reply *r)
{
	char msg[160];

	if (r->status == 401)
		return -EAGAIN; /* token refused: the caller re-authenticates */
	error_message(&r->body, msg, sizeof(msg));
	for (size_t i = 0; i < ARRAY_LEN(getpsk_errors); i++) {
		if (getpsk_errors[i].status == r->status) {
			log_warn("identity %s: %s%s", identity, getpsk_errors[i].what, msg);
			return getpsk_errors[i].rc;
		}
	}
	log_error("identity %s: API answered HTTP %ld%s", identity, r->status, msg);
	return -EBADMSG;
}

static int getpsk_once(struct psks_api *a, const char *token, const char *identity,
		       struct psks_key *out)
{
	struct reply r = { 0 };
	char body[PSKS_IDENTITY_MAX + 64];
	int rc;

	buf_init_secret(&r.body, REPLY_CAP);
	snprintf(body, sizeof(body), "{\"KeyID\":\"%s\",\"KeyLength\":\"%u\"}", identity,
		 a->key_bits);
	pthread_mutex_lock(&a->lock);
	a->stats.getpsk_calls++;
	pthread_mutex_unlock(&a->lock);
	rc = http_post(a, a->url_getpsk, token, body, &r);
	if (rc == -EHOSTUNREACH)
		log_error("API unreachable: %s", r.err);
	else if (rc == 0 && r.status == 200)
		rc = parse_key(a, identity, &r.body, out);
	else if (rc == 0)
		rc = map_status(identity, &r);
	buf_finish(&r.body);
	return rc;
}

int psks_api_get_psk(struct psks_api *a, const char *identity, struct psks_key *out)
{
	char *token = NULL;
	uint64_t gen = 0;
	int rc = -EAGAIN;

	for (int attempt = 0; attempt < 2 && rc == -EAGAIN; attempt++) {
		rc = token_get(a, &token, &gen);
		if (rc < 0)
			break;
		rc = getpsk_once(a, token, identity, out);
		free_secret(token);
		token = NULL;
		if (rc == -EAGAIN) {
			log_info("API token refused (401): re-authenticating");
			token_invalidate(a, gen);
		}
	}
	if (rc == -EAGAIN) {
		log_error("API authentication failed (401): a fresh token was refused");
		rc = -EPERM;
	}
	if (rc < 0)
		psks_key_clear(out);
	return rc;
}

void psks_api_get_stats(struct psks_api *a, struct psks_api_stats *out)
{
	pthread_mutex_lock(&a->lock);
	*out = a->stats;
	pthread_mutex_unlock(&a->lock);
}
