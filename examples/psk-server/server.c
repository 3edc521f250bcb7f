/* SPDX-License-Identifier: Apache-2.0 */
#define LOG_MODULE "server"
#include "server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "conn.h"
#include "log.h"
#include "tls.h"

struct psks_server {
	struct psks_server_config cfg; /* host/port not kept */
	struct psks_tls *tls;
	int lfd;
	struct sockaddr_storage local;
	socklen_t local_len;
	int quit_pipe[2]; /* written once at stop: wakes every client thread */
	int done_pipe[2]; /* a byte per finished client: wakes run() */
	SSL *listen_ssl;  /* DTLS: the SSL DTLSv1_listen is working on */
	pthread_mutex_t lock;
	pthread_cond_t idle;
	unsigned active;         /* threads running, kicked ones included; guarded by lock */
	struct client *clients;  /* running client threads, oldest first; guarded by lock */
	unsigned served;         /* clients handed to a thread (run() thread only) */
	unsigned ok;             /* completed handshakes, guarded by lock */
	struct client *finished; /* done threads to join, guarded by lock */
};

struct client {
	struct psks_server *srv;
	pthread_t tid;
	struct client *next;                /* on the server's finished list */
	struct client *prev_run, *next_run; /* on the server's running list */
	struct sockaddr_storage addr;       /* the peer (its address counts, not its port) */
	bool kicked;                        /* told to give its slot back; guarded by srv->lock */
	int kick_fd;                        /* eventfd, conn.kick_fd */
	struct psks_conn conn;
};

static void format_addr(const struct sockaddr *sa, char *out, size_t cap)
{
	char host[INET6_ADDRSTRLEN] = "?";
	unsigned port = 0;

	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)sa;

		inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
		port = ntohs(in->sin_port);
		snprintf(out, cap, "%s:%u", host, port);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)sa;

		inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
		port = ntohs(in6->sin6_port);
		snprintf(out, cap, "[%s]:%u", host, port);
	} else {
		snprintf(out, cap, "?");
	}
}

int psks_server_format_address(const struct psks_server *s, char *out, size_t cap)
{
	format_addr((const struct sockaddr *)&s->local, out, cap);
	return 0;
}

static int open_socket(const struct addrinfo *ai, bool dtls)
{
	int one = 1, fd, err;

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	/* UDP: each DTLS client gets a socket bound to this same address. */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || (!dtls && listen(fd, 128) < 0)) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

static int bind_listen(struct psks_server *s, const char *host, const char *port)
{
	struct addrinfo hints = { .ai_flags = AI_PASSIVE | AI_NUMERICSERV };
	struct addrinfo *res = NULL;
	int rc;

	hints.ai_socktype = s->cfg.dtls ? SOCK_DGRAM : SOCK_STREAM;
	rc = getaddrinfo(host, port, &hints, &res);
	if (rc != 0) {
		log_error("--listen %s:%s: %s", host, port, gai_strerror(rc));
		return -EINVAL;
	}
	rc = open_socket(res, s->cfg.dtls);
	freeaddrinfo(res);
	if (rc < 0) {
		log_error("--listen %s:%s: %s", host, port, strerror(-rc));
		return rc;
	}
	s->lfd = rc;
	s->local_len = sizeof(s->local);
	if (getsockname(s->lfd, (struct sockaddr *)&s->local, &s->local_len) < 0)
		return -errno;
	return 0;
}

struct psks_server *psks_server_create(const struct psks_server_config *cfg, struct psks_tls *tls)
{
	struct psks_server *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	s->cfg = *cfg;
	s->cfg.host = s->cfg.port = NULL;
	s->tls = tls;
	s->lfd = s->quit_pipe[0] = s->quit_pipe[1] = s->done_pipe[0] = s->done_pipe[1] = -1;
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->idle, NULL);
	if (pipe2(s->quit_pipe, O_CLOEXEC) < 0 || pipe2(s->done_pipe, O_CLOEXEC | O_NONBLOCK) < 0 ||
	    bind_listen(s, cfg->host, cfg->port) < 0) {
		psks_server_destroy(s);
		return NULL;
	}
	return s;
}

void psks_server_destroy(struct psks_server *s)
{
	if (s == NULL)
		return;
	SSL_free(s->listen_ssl);
	for (int i = 0; i < 2; i++) {
		if (s->quit_pipe[i] >= 0)
			close(s->quit_pipe[i]);
		if (s->done_pipe[i] >= 0)
			close(s->done_pipe[i]);
	}
	if (s->lfd >= 0)
		close(s->lfd);
	pthread_cond_destroy(&s->idle);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

static void unlink_running(struct psks_server *s, struct client *cl)
{
	if (cl->prev_run != NULL)
		cl->prev_run->next_run = cl->next_run;
	else
		s->clients = cl->next_run;
	if (cl->next_run != NULL)
		cl->next_run->prev_run = cl->prev_run;
	cl->prev_run = cl->next_run = NULL;
}

static void client_free(struct client *cl)
{
	if (cl != NULL && cl->kick_fd >= 0)
		close(cl->kick_fd);
	free(cl);
}

static void *client_main(void *arg)
{
	struct client *cl = arg;
	struct psks_server *s = cl->srv;
	int rc = psks_conn_run(&cl->conn);
	char byte = 0;

	SSL_free(cl->conn.ssl); /* closes the fd (BIO_CLOSE) */
	cl->conn.ssl = NULL;
	OPENSSL_cleanse(&cl->conn.session, sizeof(cl->conn.session));
	ERR_clear_error();
	/* Last touch of s: run() may destroy it as soon as the lock is released. */
	pthread_mutex_lock(&s->lock);
	s->active--;
	unlink_running(s, cl);
	if (rc == 0)
		s->ok++;
	cl->next = s->finished;
	s->finished = cl;
	if (write(s->done_pipe[1], &byte, 1) < 0)
		log_debug("done pipe full"); /* run() still sees the list */
	pthread_cond_broadcast(&s->idle);
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

/*
 * Joins the threads that have finished. Joining (rather than detaching) lets each thread's
 * OpenSSL per-thread state be released before the process exits.
 */
static void reap(struct psks_server *s)
{
	struct client *cl, *next;

	pthread_mutex_lock(&s->lock);
	cl = s->finished;
	s->finished = NULL;
	pthread_mutex_unlock(&s->lock);
	for (; cl != NULL; cl = next) {
		next = cl->next;
		pthread_join(cl->tid, NULL);
		client_free(cl);
	}
}

static bool same_address(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	const struct sockaddr_in *a4 = (const void *)a, *b4 = (const void *)b;
	const struct sockaddr_in6 *a6 = (const void *)a, *b6 = (const void *)b;

	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET)
		return a4->sin_addr.s_addr == b4->sin_addr.s_addr;
	if (a->ss_family == AF_INET6)
		return memcmp(&a6->sin6_addr, &b6->sin6_addr, sizeof(a6->sin6_addr)) == 0;
	return false;
}

/*
 * Under s->lock: makes room for a client from peer, taking back the slot of the oldest
 * unfinished handshake in the way (see server.h). False: refuse the newcomer.
 */
static bool make_room(struct psks_server *s, const struct sockaddr_storage *peer)
{
	struct client *oldest_any = NULL, *oldest_here = NULL, *victim = NULL;
	unsigned total = 0, here = 0;
	uint64_t one = 1;

	if (s->active >= 2 * s->cfg.max_clients)
		return false; /* taken-back threads not gone yet: bounded all the same */
	for (struct client *c = s->clients; c != NULL; c = c->next_run) {
		bool mine = same_address(&c->addr, peer);
		bool open_hs = !atomic_load(&c->conn.established);

		if (c->kicked)
			continue;
		total++;
		here += mine;
		if (open_hs && oldest_any == NULL)
			oldest_any = c;
		if (open_hs && mine && oldest_here == NULL)
			oldest_here = c;
	}
	if (here >= s->cfg.max_per_address)
		victim = oldest_here;
	else if (total >= s->cfg.max_clients)
		victim = oldest_any;
	else
		return true;
	if (victim == NULL)
		return false;
	victim->kicked = true;
	if (write(victim->kick_fd, &one, sizeof(one)) < 0)
		log_debug("kick: %s", strerror(errno));
	return true;
}

/* Hands ssl (owning its fd) to a new thread if there is room. Consumes ssl in every case. */
static int spawn(struct psks_server *s, SSL *ssl, const struct sockaddr_storage *peer)
{
	struct client *cl = calloc(1, sizeof(*cl));
	int rc = -ENOMEM;
	bool room;

	if (cl == NULL)
		goto fail;
	cl->srv = s;
	cl->addr = *peer;
	cl->kick_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (cl->kick_fd < 0)
		goto fail;
	cl->conn = (struct psks_conn){ .ssl = ssl,
				       .quit_fd = s->quit_pipe[0],
				       .kick_fd = cl->kick_fd,
				       .dtls = s->cfg.dtls,
				       .handshake_timeout_ms = s->cfg.handshake_timeout_ms,
				       .idle_timeout_ms = s->cfg.idle_timeout_ms,
				       .session = { .cke_identity_len = -1 } };
	format_addr((const struct sockaddr *)peer, cl->conn.peer, sizeof(cl->conn.peer));
	SSL_set_app_data(ssl, &cl->conn.session);
	pthread_mutex_lock(&s->lock);
	room = make_room(s, peer);
	if (room) {
		s->active++;
		cl->prev_run = NULL;
		for (struct client **pp = &s->clients;; pp = &(*pp)->next_run) {
			if (*pp == NULL) {
				*pp = cl; /* newest last */
				break;
			}
			cl->prev_run = *pp;
		}
	}
	pthread_mutex_unlock(&s->lock);
	if (!room) {
		log_warn("too many clients (%u, %u per address): refusing %s", s->cfg.max_clients,
			 s->cfg.max_per_address, cl->conn.peer);
		rc = -EBUSY;
		goto out;
	}
	rc = -pthread_create(&cl->tid, NULL, client_main, cl);
	if (rc == 0) {
		s->served++;
		return 0;
	}
	pthread_mutex_lock(&s->lock);
	s->active--;
	unlink_running(s, cl);
	pthread_mutex_unlock(&s->lock);
fail:
	log_error("cannot start a client thread: %s", strerror(-rc));
out:
	client_free(cl);
	SSL_free(ssl);
	return rc;
}

static void accept_tcp(struct psks_server *s)
{
	struct sockaddr_storage peer;
	socklen_t len = sizeof(peer);
	SSL *ssl;
	BIO *bio;
	int fd;

	fd = accept4(s->lfd, (struct sockaddr *)&peer, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return; /* EAGAIN, or the client already left */
	ssl = psks_tls_new_ssl(s->tls, NULL);
	bio = BIO_new_socket(fd, BIO_CLOSE);
	if (ssl == NULL || bio == NULL) {
		log_error("cannot create a TLS session");
		SSL_free(ssl);
		BIO_free(bio);
		close(fd);
		return;
	}
	SSL_set_bio(ssl, bio, bio); /* the SSL now owns bio, which owns fd */
	spawn(s, ssl, &peer);
}

/* The peer DTLSv1_listen saw, as a sockaddr for connect(). */
static int peer_sockaddr(const BIO_ADDR *a, struct sockaddr_storage *out, socklen_t *len)
{
	size_t alen = 16;

	memset(out, 0, sizeof(*out));
	if (BIO_ADDR_family(a) == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)out;

		in->sin_family = AF_INET;
		in->sin_port = BIO_ADDR_rawport(a);
		*len = sizeof(*in);
		return BIO_ADDR_rawaddress(a, &in->sin_addr, &alen) ? 0 : -EINVAL;
	}
	if (BIO_ADDR_family(a) == AF_INET6) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)out;

		in6->sin6_family = AF_INET6;
		in6->sin6_port = BIO_ADDR_rawport(a);
		*len = sizeof(*in6);
		return BIO_ADDR_rawaddress(a, &in6->sin6_addr, &alen) ? 0 : -EINVAL;
	}
	return -EAFNOSUPPORT;
}

/*
 * Moves a DTLS client whose cookie checked out to its own UDP socket, bound to the listening
 * address and connected to the peer: the kernel then routes its datagrams there, not to the
 * listening socket. Consumes ssl.
 */
static void dtls_hand_over(struct psks_server *s, SSL *ssl, const BIO_ADDR *peer)
{
	struct sockaddr_storage sa;
	socklen_t len = 0;
	int one = 1, fd = -1;
	BIO *bio = SSL_get_rbio(ssl);

	if (peer_sockaddr(peer, &sa, &len) < 0)
		goto fail;
	fd = socket(sa.ss_family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, (struct sockaddr *)&s->local, s->local_len) < 0 ||
	    connect(fd, (struct sockaddr *)&sa, len) < 0)
		goto fail;
	BIO_set_fd(bio, fd, BIO_CLOSE);
	BIO_ctrl(bio, BIO_CTRL_DGRAM_SET_CONNECTED, 0, (void *)(uintptr_t)peer);
	spawn(s, ssl, &sa);
	return;
fail:
	log_error("DTLS: cannot open a client socket: %s", strerror(errno));
	if (fd >= 0)
		close(fd);
	SSL_free(ssl);
}

static SSL *new_listen_ssl(struct psks_server *s)
{
	SSL *ssl = psks_tls_new_ssl(s->tls, NULL);
	BIO *bio = BIO_new_dgram(s->lfd, BIO_NOCLOSE);

	if (ssl == NULL || bio == NULL) {
		SSL_free(ssl);
		BIO_free(bio);
		return NULL;
	}
	SSL_set_bio(ssl, bio, bio);
	SSL_set_options(ssl, SSL_OP_COOKIE_EXCHANGE);
	return ssl;
}

/* Processes the datagrams waiting on the listening socket. */
static void listen_dtls(struct psks_server *s)
{
	BIO_ADDR *peer = BIO_ADDR_new();
	SSL *ssl;
	int ret;

	while (peer != NULL) {
		if (s->listen_ssl == NULL)
			s->listen_ssl = new_listen_ssl(s);
		if (s->listen_ssl == NULL)
			break;
		/* 0: nothing more to read (a HelloVerifyRequest may have been sent). */
		ret = DTLSv1_listen(s->listen_ssl, peer);
		if (ret == 0)
			break;
		ssl = s->listen_ssl;
		s->listen_ssl = NULL;
		if (ret < 0) {
			log_debug("DTLS: dropped a datagram that is no ClientHello");
			SSL_free(ssl);
			ERR_clear_error();
		} else {
			dtls_hand_over(s, ssl, peer);
		}
	}
	BIO_ADDR_free(peer);
}

/* Tells every client to stop and waits for them, bounded by shutdown_timeout_ms. */
static int stop_clients(struct psks_server *s)
{
	struct timespec deadline;
	char byte = 0;
	int rc = 0;

	if (write(s->quit_pipe[1], &byte, 1) < 0)
		log_warn("cannot signal client threads: %s", strerror(errno));
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += s->cfg.shutdown_timeout_ms / 1000;
	pthread_mutex_lock(&s->lock);
	while (s->active > 0 && rc == 0)
		rc = pthread_cond_timedwait(&s->idle, &s->lock, &deadline);
	rc = s->active > 0 ? -EBUSY : 0;
	if (rc == 0 && s->cfg.once)
		rc = s->ok > 0 ? 0 : -EPROTO;
	pthread_mutex_unlock(&s->lock);
	if (rc == -EBUSY)
		log_warn("%u clients still busy at exit", s->active);
	else
		reap(s);
	return rc;
}

/* A client finished: joins it. True when --once and its client is done. */
static bool client_done(struct psks_server *s)
{
	char bytes[64];
	bool done;

	while (read(s->done_pipe[0], bytes, sizeof(bytes)) > 0)
		;
	reap(s);
	pthread_mutex_lock(&s->lock);
	done = s->cfg.once && s->served > 0 && s->active == 0;
	pthread_mutex_unlock(&s->lock);
	return done;
}

int psks_server_run(struct psks_server *s, int stop_fd)
{
	struct pollfd p[3];
	int n;

	for (;;) {
		bool accepting = !(s->cfg.once && s->served > 0);

		p[0] = (struct pollfd){ .fd = stop_fd, .events = POLLIN };
		p[1] = (struct pollfd){ .fd = s->done_pipe[0], .events = POLLIN };
		p[2] = (struct pollfd){ .fd = accepting ? s->lfd : -1, .events = POLLIN };
		n = poll(p, 3, -1);
		if (n < 0 && errno != EINTR)
			break;
		if (n <= 0)
			continue;
		if (p[0].revents != 0)
			break;
		if (p[1].revents != 0 && client_done(s))
			break;
		if (p[2].revents != 0 && s->cfg.dtls)
			listen_dtls(s);
		else if (p[2].revents != 0)
			accept_tcp(s);
	}
	return stop_clients(s);
}
