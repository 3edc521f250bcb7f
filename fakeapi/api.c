/* SPDX-License-Identifier: Apache-2.0 */
#include "api.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/crypto.h>

#include "api_priv.h"
#include "limit.h"

#define LOG_MODULE "api"
#include "log.h"

struct api {
	struct api_config cfg; /* read-only after create; platform_path points at path_copy */
	char *path_copy;
	pthread_mutex_t cur_lock; /* guards cur (the pointer and the reference it holds) */
	struct snapshot *cur;
	unsigned long swaps; /* guarded by cur_lock: how many snapshots were published */
	pthread_mutex_t mutation_lock;
	struct limiter *limiter;   /* failed GetPSK lookups per account */
	struct api_faults *faults; /* h_faults.c */
};

static int64_t realtime(void *data)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec;
}

int64_t api_now(const struct api *a)
{
	return a->cfg.clock(a->cfg.clock_data);
}

struct api_faults *api_get_faults(struct api *a)
{
	return a->faults;
}

const struct api_config *api_get_config(const struct api *a)
{
	return &a->cfg;
}

struct limiter *api_get_limiter(struct api *a)
{
	return a->limiter;
}

uint64_t api_monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

struct snapshot *api_snapshot_create(struct platform *p, bool builtin)
{
	struct snapshot *s = calloc(1, sizeof(*s));

	if (s == NULL || p == NULL)
		goto fail;
	s->signer = token_signer_create(platform_secret(p));
	if (s->signer == NULL)
		goto fail;
	s->platform = p;
	s->builtin = builtin;
	atomic_init(&s->refs, 1);
	return s;
fail:
	free(s);
	platform_destroy(p);
	return NULL;
}

void api_snapshot_release(struct snapshot *s)
{
	if (s == NULL || atomic_fetch_sub(&s->refs, 1) != 1)
		return;
	token_signer_destroy(s->signer);
	platform_destroy(s->platform);
	free(s);
}

struct snapshot *api_snapshot_acquire(struct api *a)
{
	struct snapshot *s;

	pthread_mutex_lock(&a->cur_lock);
	s = a->cur;
	atomic_fetch_add(&s->refs, 1);
	pthread_mutex_unlock(&a->cur_lock);
	return s;
}

void api_snapshot_swap(struct api *a, struct snapshot *s)
{
	struct snapshot *old;

	pthread_mutex_lock(&a->cur_lock);
	old = a->cur;
	a->cur = s;
	a->swaps++;
	pthread_mutex_unlock(&a->cur_lock);
	api_snapshot_release(old);
}

void api_mutation_lock(struct api *a)
{
	pthread_mutex_lock(&a->mutation_lock);
}

void api_mutation_unlock(struct api *a)
{
	pthread_mutex_unlock(&a->mutation_lock);
}

static struct snapshot *load_snapshot(const char *path, char *err, size_t errlen)
{
	struct platform *p = platform_open(path, err, errlen);

	return p != NULL ? api_snapshot_create(p, path == NULL) : NULL;
}

struct api *api_create(const struct api_config *cfg, char *err, size_t errlen)
{
	struct api *a = calloc(1, sizeof(*a));

	if (a == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&a->cur_lock, NULL);
	pthread_mutex_init(&a->mutation_lock, NULL);
	a->cfg = *cfg;
	if (a->cfg.clock == NULL)
		a->cfg.clock = realtime;
	if (a->cfg.token_ttl == 0 || a->cfg.refresh_ttl == 0) {
		snprintf(err, errlen, "token lifetimes must be > 0");
		goto fail;
	}
	a->cfg.fail_burst = a->cfg.fail_burst ? a->cfg.fail_burst : 100;
	a->cfg.fail_per_minute = a->cfg.fail_per_minute ? a->cfg.fail_per_minute : 60;
	a->limiter = limiter_create(a->cfg.fail_burst, a->cfg.fail_per_minute);
	if (a->limiter == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	a->path_copy = cfg->platform_path ? strdup(cfg->platform_path) : NULL;
	a->cfg.platform_path = a->path_copy;
	a->cur = load_snapshot(a->path_copy, err, errlen);
	if (a->cur == NULL || (cfg->platform_path != NULL && a->path_copy == NULL))
		goto fail;
	a->faults = api_faults_create();
	if (a->faults == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	return a;
fail:
	api_destroy(a);
	return NULL;
}

void api_destroy(struct api *a)
{
	if (a == NULL)
		return;
	api_snapshot_release(a->cur);
	limiter_destroy(a->limiter);
	api_faults_destroy(a->faults);
	pthread_mutex_destroy(&a->cur_lock);
	pthread_mutex_destroy(&a->mutation_lock);
	free(a->path_copy);
	free(a);
}

static unsigned long swap_count(struct api *a)
{
	unsigned long n;

	pthread_mutex_lock(&a->cur_lock);
	n = a->swaps;
	pthread_mutex_unlock(&a->cur_lock);
	return n;
}

/*
 * The file is read and parsed with no lock held (a slow or odd file never stalls the admin
 * listener); the mutation lock is taken only to swap. If an admin write published a snapshot
 * meanwhile, the file now holds that write and is read again (a few tries at most).
 */
int api_reload(struct api *a, char *err, size_t errlen)
{
	struct snapshot *s = NULL;
	unsigned long seen;
	int rc = -EAGAIN;

	if (a->cfg.platform_path == NULL) {
		snprintf(err, errlen, "running on the built-in platform: nothing to reload");
		return -EPERM;
	}
	for (int tries = 0; tries < 3 && rc == -EAGAIN; tries++) {
		seen = swap_count(a);
		s = load_snapshot(a->cfg.platform_path, err, errlen);
		if (s == NULL)
			return -EINVAL;
		api_mutation_lock(a);
		if (swap_count(a) == seen) {
			api_snapshot_swap(a, s);
			s = NULL;
			rc = 0;
		}
		api_mutation_unlock(a);
		api_snapshot_release(s);
	}
	if (rc < 0)
		snprintf(err, errlen, "the platform kept changing during the reload; try again");
	return rc;
}

int reply_fail(struct ctx *c, enum api_err err, const char *fmt, ...)
{
	va_list ap;

	c->reply->msg[0] = '\0';
	if (fmt != NULL) {
		va_start(ap, fmt);
		vsnprintf(c->reply->msg, sizeof(c->reply->msg), fmt, ap);
		va_end(ap);
	}
	return -(int)err;
}

int reply_ok(struct ctx *c, int status, cJSON *body)
{
	if (body == NULL)
		return -ENOMEM;
	cJSON_Delete(c->reply->body);
	c->reply->body = body;
	c->reply->status = status;
	return 0;
}

int reply_text(struct ctx *c, int status, char *text)
{
	if (text == NULL)
		return -ENOMEM;
	free(c->reply->text);
	c->reply->text = text;
	c->reply->status = status;
	return 0;
}

int api_issue_tokens(struct ctx *c, const struct platform_account *acct)
{
	struct token_claims cl = { .iat = api_now(c->api) };
	char tok[TOKEN_MAX + 1];
	cJSON *o = cJSON_CreateObject();
	int rc;

	snprintf(cl.sub, sizeof(cl.sub), "%s", acct->name);
	cl.use = TOKEN_USE_ID;
	cl.exp = cl.iat + c->api->cfg.token_ttl;
	rc = token_issue(c->snap->signer, &cl, tok, sizeof(tok));
	if (rc < 0 || !cJSON_AddStringToObject(o, "AuthToken", tok))
		goto fail;
	cl.use = TOKEN_USE_REFRESH;
	cl.exp = cl.iat + c->api->cfg.refresh_ttl;
	rc = token_issue(c->snap->signer, &cl, tok, sizeof(tok));
	if (rc < 0 || !cJSON_AddStringToObject(o, "RefreshToken", tok))
		goto fail;
	OPENSSL_cleanse(tok, sizeof(tok));
	c->reply->secret = true;
	return reply_ok(c, 200, o);
fail:
	OPENSSL_cleanse(tok, sizeof(tok));
	json_wipe(o);
	cJSON_Delete(o);
	return rc < 0 ? rc : -ENOMEM;
}
