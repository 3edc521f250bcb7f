/* SPDX-License-Identifier: Apache-2.0 */
#include "server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <microhttpd.h>
#include <openssl/crypto.h>

#include "buf.h"
#include "compiler.h"

#define LOG_MODULE "http"
#include "log.h"

/* Per-request state, from the first access-handler call to MHD's completion callback. */
struct req_state {
	struct buf body; /* secret: bodies carry API secrets */
	bool too_large;
	bool responded;
	struct timespec start;
};

/*
 * One open connection: its request deadline and the state of its current request (HTTP/1.1
 * has one at a time), made once per connection and reused by each of its requests, so a
 * request allocates nothing here.
 *
 * MHD's own timeout is an idle timeout (every byte resets it), so a client sending a byte a
 * second would hold its connection forever; the reaper thread shuts down (shutdown(2), MHD
 * then closes) any connection whose current request has taken longer than request_timeout.
 * The fd stays MHD's: the entry is unlinked in MHD's "closed" notification, which comes before
 * MHD closes the socket, under the same lock.
 */
struct conn {
	int fd;
	_Atomic int64_t start_s;  /* monotonic s: accepted, or the previous response completed */
	struct conn *prev, *next; /* guarded by server.lock */
	struct req_state req;     /* only MHD's thread of this connection touches it */
};

struct server {
	struct MHD_Daemon *daemon;
	struct api *api;
	enum api_surface surface;
	uint16_t port;
	struct sockaddr_storage addr;
	unsigned request_timeout_s;
	pthread_mutex_t lock; /* guards conns and stopping */
	pthread_cond_t wake;
	struct conn *conns;
	bool stopping;
	bool reaper_started;
	pthread_t reaper;
};

/*
 * libmicrohttpd's memory pool per connection (its default is 32 KiB): it holds the request
 * line, the headers and the read and write buffers; bodies stream through it to req_state.
 * MHD zeroes the whole pool after every request, so its size is paid per request
 * (bench/README.md), and per open connection at the connection cap.
 */
#define CONN_MEMORY ((size_t)8192)

/* A request body larger than this is not kept for the connection's next request. */
#define KEEP_BODY_ALLOC 1024

static const char fallback_body[] =
	"{\"error\":{\"code\":\"internal_error\",\"message\":\"out of memory\"}}";

static void free_body(void *p)
{
	free(p);
}

static void free_secret_body(void *p)
{
	OPENSSL_cleanse(p, strlen(p));
	free(p);
}

/* Takes ownership of resp->body. */
static struct MHD_Response *make_response(struct api_response *resp)
{
	struct MHD_Response *r;

	if (resp->body == NULL) {
		resp->status = MHD_HTTP_INTERNAL_SERVER_ERROR;
		return MHD_create_response_from_buffer(strlen(fallback_body), (void *)fallback_body,
						       MHD_RESPMEM_PERSISTENT);
	}
	r = MHD_create_response_from_buffer_with_free_callback(
		resp->body_len, resp->body, resp->secret ? free_secret_body : free_body);
	if (r == NULL)
		api_response_finish(resp);
	resp->body = NULL;
	if (r == NULL)
		return NULL;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	if (resp->allow[0] != '\0')
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, resp->allow);
	if (resp->www_authenticate)
		MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer");
	if (resp->retry_after > 0) {
		char secs[16];

		snprintf(secs, sizeof(secs), "%u", resp->retry_after);
		MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, secs);
	}
	return r;
}

/* Client-controlled text for a log line: printable ASCII only, bounded. */
static void log_safe(const char *in, char *out, size_t cap)
{
	size_t i = 0;

	for (; in != NULL && in[i] != '\0' && i + 1 < cap; i++)
		out[i] = (in[i] >= 0x20 && in[i] < 0x7f) ? in[i] : '?';
	out[i] = '\0';
}

static void log_request(const char *method, const char *url, int status, const struct req_state *st)
{
	char m[16], p[128];
	struct timespec now;
	long long us;

	if (log_get_level() < LOG_LEVEL_INFO)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	us = (long long)(now.tv_sec - st->start.tv_sec) * 1000000LL +
	     (now.tv_nsec - st->start.tv_nsec) / 1000;
	log_safe(method, m, sizeof(m));
	log_safe(url, p, sizeof(p));
	log_info("%s %s %d %lldus", m, p, status, us);
}

/* The body is wiped as soon as it is answered; small storage stays for the next request. */
static void req_wipe(struct req_state *st)
{
	if (st->body.alloc > KEEP_BODY_ALLOC)
		buf_finish(&st->body);
	else
		buf_reset(&st->body);
}

static int64_t monotonic_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (int64_t)ts.tv_sec;
}

static enum MHD_Result respond(struct server *s, struct MHD_Connection *conn, const char *url,
			       const char *method, struct req_state *st)
{
	struct api_request req = {
		.method = method,
		.path = url,
		.authorization = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
							     MHD_HTTP_HEADER_AUTHORIZATION),
		.content_type = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
							    MHD_HTTP_HEADER_CONTENT_TYPE),
		.body = st->body.data,
		.body_len = st->body.len,
		.body_too_large = st->too_large,
	};
	struct api_response resp;
	struct MHD_Response *r;
	enum MHD_Result ret;

	api_handle(s->api, s->surface, &req, &resp);
	r = make_response(&resp);
	if (r == NULL)
		return MHD_NO;
	ret = MHD_queue_response(conn, (unsigned)resp.status, r);
	MHD_destroy_response(r);
	st->responded = true;
	req_wipe(st);
	log_request(method, url, resp.status, st);
	return ret;
}

static void handle_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
			      enum MHD_ConnectionNotificationCode code)
{
	struct server *s = cls;
	struct conn *c = *socket_context;
	const union MHD_ConnectionInfo *info;

	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		info = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
		c = calloc(1, sizeof(*c));
		if (c == NULL || info == NULL) {
			free(c);
			return; /* handle_access closes a connection without state */
		}
		c->fd = info->connect_fd;
		atomic_init(&c->start_s, monotonic_s());
		buf_init_secret(&c->req.body, API_BODY_MAX);
		pthread_mutex_lock(&s->lock);
		c->next = s->conns;
		if (s->conns != NULL)
			s->conns->prev = c;
		s->conns = c;
		pthread_mutex_unlock(&s->lock);
		*socket_context = c;
		return;
	}
	if (c == NULL)
		return;
	pthread_mutex_lock(&s->lock);
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		s->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	pthread_mutex_unlock(&s->lock);
	buf_finish(&c->req.body);
	free(c);
	*socket_context = NULL;
}

static void *reaper_main(void *arg)
{
	struct server *s = arg;
	struct timespec until;
	int64_t now;

	pthread_mutex_lock(&s->lock);
	while (!s->stopping) {
		now = monotonic_s();
		for (struct conn *c = s->conns; c != NULL; c = c->next) {
			if (now - atomic_load_explicit(&c->start_s, memory_order_relaxed) <
			    (int64_t)s->request_timeout_s)
				continue;
			log_debug("request deadline (%us) passed: closing a connection",
				  s->request_timeout_s);
			shutdown(c->fd, SHUT_RDWR);
			/* once per deadline, until MHD closes it */
			atomic_store_explicit(&c->start_s, now, memory_order_relaxed);
		}
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_nsec += 250 * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&s->wake, &s->lock, &until);
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

/* %00 would cut the decoded path at the NUL ("/v1/GetPSK%00/x" -> "/v1/GetPSK"): keep such a
 * path undecoded, so it matches no route. */
static size_t handle_unescape(void *cls, struct MHD_Connection *conn, char *text)
{
	if (strstr(text, "%00") != NULL)
		return strlen(text);
	return MHD_http_unescape(text);
}

/* A declared Content-Length over the cap is refused before any body byte is read. */
static bool declared_too_large(struct MHD_Connection *conn)
{
	const char *cl =
		MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	char *end = NULL;
	unsigned long long n;

	if (cl == NULL)
		return false;
	errno = 0;
	n = strtoull(cl, &end, 10);
	return errno != 0 || end == cl || n > API_BODY_MAX;
}

/* The connection's state, set up for a new request; NULL if the connection has none. */
static struct req_state *req_begin(struct MHD_Connection *conn, void **con_cls)
{
	const union MHD_ConnectionInfo *info =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	struct conn *c = info != NULL ? info->socket_context : NULL;

	if (c == NULL)
		return NULL;
	c->req.too_large = false;
	c->req.responded = false;
	clock_gettime(CLOCK_MONOTONIC, &c->req.start);
	*con_cls = c;
	return &c->req;
}

static enum MHD_Result handle_access(void *cls, struct MHD_Connection *conn, const char *url,
				     const char *method, const char *version,
				     const char *upload_data, size_t *upload_data_size,
				     void **con_cls)
{
	struct conn *c = *con_cls;
	struct req_state *st;

	if (c == NULL) {
		st = req_begin(conn, con_cls);
		if (st == NULL)
			return MHD_NO; /* out of memory when it connected: closed */
		if (!declared_too_large(conn))
			return MHD_YES;
		st->too_large = true;
		return respond(cls, conn, url, method, st);
	}
	st = &c->req;
	if (*upload_data_size != 0) {
		if (!st->too_large && !st->responded &&
		    buf_append(&st->body, upload_data, *upload_data_size) < 0) {
			st->too_large = true;
			buf_finish(&st->body);
		}
		*upload_data_size = 0;
		return MHD_YES;
	}
	return st->responded ? MHD_YES : respond(cls, conn, url, method, st);
}

/* A response went out: the connection's next request gets a fresh deadline. */
static void handle_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			     enum MHD_RequestTerminationCode toe)
{
	struct conn *c = *con_cls;

	if (c == NULL)
		return;
	req_wipe(&c->req);
	if (toe == MHD_REQUEST_TERMINATED_COMPLETED_OK)
		atomic_store_explicit(&c->start_s, monotonic_s(), memory_order_relaxed);
	*con_cls = NULL;
}

static void handle_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char line[256];
	size_t n;

	vsnprintf(line, sizeof(line), fmt, ap);
	n = strlen(line);
	while (n > 0 && line[n - 1] == '\n')
		line[--n] = '\0';
	log_warn("libmicrohttpd: %s", line);
}

static int resolve(const char *host, uint16_t port, struct sockaddr_storage *out)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC,
				  .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_PASSIVE };
	struct addrinfo *res = NULL;

	if (getaddrinfo(host && *host ? host : "127.0.0.1", NULL, &hints, &res) != 0 || res == NULL)
		return -EINVAL;
	memcpy(out, res->ai_addr, res->ai_addrlen);
	if (out->ss_family == AF_INET6)
		((struct sockaddr_in6 *)out)->sin6_port = htons(port);
	else
		((struct sockaddr_in *)out)->sin_port = htons(port);
	freeaddrinfo(res);
	return 0;
}

static struct MHD_Daemon *start(struct server *s, const struct server_config *cfg)
{
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ERROR_LOG;
	struct MHD_OptionItem ops[16];
	size_t n = 0;

	/* The logger goes first so that MHD reports option errors through it. */
	ops[n++] = (struct MHD_OptionItem){ MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)handle_mhd_log,
					    NULL };
	ops[n++] = (struct MHD_OptionItem){ MHD_OPTION_SOCK_ADDR, 0, &s->addr };
	ops[n++] = (struct MHD_OptionItem){ MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)handle_completed,
					    s };
	ops[n++] = (struct MHD_OptionItem){ MHD_OPTION_NOTIFY_CONNECTION,
					    (intptr_t)handle_connection, s };
	ops[n++] = (struct MHD_OptionItem){ MHD_OPTION_UNESCAPE_CALLBACK, (intptr_t)handle_unescape,
					    NULL };
	ops[n++] =
		(struct MHD_OptionItem){ MHD_OPTION_CONNECTION_TIMEOUT, cfg->idle_timeout_s, NULL };
	ops[n++] =
		(struct MHD_OptionItem){ MHD_OPTION_CONNECTION_LIMIT, cfg->max_connections, NULL };
	ops[n++] = (struct MHD_OptionItem){ MHD_OPTION_PER_IP_CONNECTION_LIMIT, cfg->max_per_client,
					    NULL };
	ops[n++] = (struct MHD_OptionItem){ MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024, NULL };
	ops[n++] = (struct MHD_OptionItem){ MHD_OPTION_CONNECTION_MEMORY_LIMIT, CONN_MEMORY, NULL };
	if (cfg->threads > 1)
		ops[n++] =
			(struct MHD_OptionItem){ MHD_OPTION_THREAD_POOL_SIZE, cfg->threads, NULL };
	if (cfg->tls_cert != NULL) {
		flags |= MHD_USE_TLS;
		ops[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_CERT, 0,
						    (void *)(uintptr_t)cfg->tls_cert };
		ops[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_KEY, 0,
						    (void *)(uintptr_t)cfg->tls_key };
	}
	ops[n++] = (struct MHD_OptionItem){ MHD_OPTION_END, 0, NULL };
	if (s->addr.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	return MHD_start_daemon(flags, 0, NULL, NULL, handle_access, s, MHD_OPTION_ARRAY, ops,
				MHD_OPTION_END);
}

struct server *server_create(struct api *api, const struct server_config *cfg, char *err,
			     size_t errlen)
{
	struct server *s = calloc(1, sizeof(*s));
	const union MHD_DaemonInfo *info;
	pthread_condattr_t cattr;

	if (s == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->api = api;
	s->surface = cfg->surface;
	s->request_timeout_s = cfg->request_timeout_s;
	pthread_mutex_init(&s->lock, NULL);
	/* The reaper's deadlines are CLOCK_MONOTONIC; a default (CLOCK_REALTIME) condvar would
	 * take them as long past and return at once: the reaper would spin on a whole CPU. */
	pthread_condattr_init(&cattr);
	pthread_condattr_setclock(&cattr, CLOCK_MONOTONIC);
	pthread_cond_init(&s->wake, &cattr);
	pthread_condattr_destroy(&cattr);
	if (cfg->max_connections == 0 || cfg->max_per_client == 0 || cfg->idle_timeout_s == 0 ||
	    cfg->request_timeout_s == 0) {
		snprintf(err, errlen, "connection limits and timeouts must be > 0");
		goto fail;
	}
	if (cfg->tls_cert != NULL && MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
		snprintf(err, errlen, "this libmicrohttpd was built without TLS support");
		goto fail;
	}
	if (resolve(cfg->host, cfg->port, &s->addr) < 0) {
		snprintf(err, errlen, "cannot resolve listen address '%s'", cfg->host);
		goto fail;
	}
	s->daemon = start(s, cfg);
	if (s->daemon == NULL) {
		snprintf(err, errlen,
			 "cannot listen on %s:%u (address in use or bad TLS key/cert?)", cfg->host,
			 (unsigned)cfg->port);
		goto fail;
	}
	info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
	s->port = info ? info->port : cfg->port;
	if (pthread_create(&s->reaper, NULL, reaper_main, s) != 0) {
		snprintf(err, errlen, "cannot start the request-deadline thread");
		goto fail;
	}
	s->reaper_started = true;
	return s;
fail:
	server_destroy(s);
	return NULL;
}

void server_destroy(struct server *s)
{
	if (s == NULL)
		return;
	if (s->reaper_started) {
		pthread_mutex_lock(&s->lock);
		s->stopping = true;
		pthread_cond_signal(&s->wake);
		pthread_mutex_unlock(&s->lock);
		pthread_join(s->reaper, NULL);
	}
	if (s->daemon != NULL)
		MHD_stop_daemon(s->daemon); /* "closed" notifications empty the list */
	pthread_cond_destroy(&s->wake);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

uint16_t server_port(const struct server *s)
{
	return s->port;
}

int server_parse_listen(const char *spec, char *host, size_t cap, uint16_t *port)
{
	const char *colon = strrchr(spec, ':');
	const char *h = spec;
	size_t hlen;
	char *end = NULL;
	unsigned long p;

	if (colon == NULL)
		return -EINVAL;
	hlen = (size_t)(colon - spec);
	if (hlen >= 2 && spec[0] == '[' && spec[hlen - 1] == ']') {
		h = spec + 1;
		hlen -= 2;
	}
	errno = 0;
	p = strtoul(colon + 1, &end, 10);
	if (colon[1] == '\0' || *end != '\0' || errno != 0 || p > 65535 || hlen >= cap)
		return -EINVAL;
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	*port = (uint16_t)p;
	return 0;
}

bool server_host_is_loopback(const char *host)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM };
	struct addrinfo *res = NULL;
	bool ok;

	if (host == NULL || *host == '\0')
		return true; /* the default, 127.0.0.1 */
	if (getaddrinfo(host, NULL, &hints, &res) != 0)
		return false;
	ok = res != NULL;
	for (struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next) {
		if (ai->ai_family == AF_INET)
			ok = ok && (ntohl(((struct sockaddr_in *)ai->ai_addr)->sin_addr.s_addr) >>
				    24) == 127;
		else if (ai->ai_family == AF_INET6)
			ok = ok &&
			     IN6_IS_ADDR_LOOPBACK(&((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr);
		else
			ok = false;
	}
	freeaddrinfo(res);
	return ok;
}
