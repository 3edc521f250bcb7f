/* SPDX-License-Identifier: Apache-2.0 */
/*
 * +UDNSRN: real name resolution with the host's resolver, without blocking the loop.
 *
 * Each request runs getaddrinfo()/getnameinfo() in a short-lived thread that touches nothing
 * but its own job. When done it writes to the job's eventfd; the loop callback joins the
 * thread and completes the AT request. An aborted request (host character) just forgets the
 * request; the job is reaped when its thread ends. modem_destroy joins what is still running.
 */
#define LOG_MODULE "dns"
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cmd.h"
#include "log.h"
#include "loop.h"
#include "modem.h"

#define DNS_NAME_MAX 254

struct dns_job {
	struct dns_job *next;
	struct modem *m;
	struct at_req *req; /* NULL once aborted */
	struct loop_source *src;
	pthread_t thread;
	int efd;
	int type; /* 0: name -> IP, 1: IP -> name */
	char query[DNS_NAME_MAX + 1];
	char answer[NI_MAXHOST];
	int rc; /* written by the thread before the eventfd */
};

static void resolve(struct dns_job *j)
{
	struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = SOCK_STREAM };
	struct addrinfo *res = NULL;
	struct sockaddr_in sin = { .sin_family = AF_INET };

	j->rc = -ENOENT;
	if (j->type == 1) {
		if (inet_pton(AF_INET, j->query, &sin.sin_addr) == 1 &&
		    getnameinfo((struct sockaddr *)&sin, sizeof(sin), j->answer, sizeof(j->answer),
				NULL, 0, NI_NAMEREQD) == 0)
			j->rc = 0;
		return;
	}
	if (getaddrinfo(j->query, NULL, &hints, &res) == 0 && res != NULL &&
	    inet_ntop(AF_INET, &((struct sockaddr_in *)(void *)res->ai_addr)->sin_addr, j->answer,
		      sizeof(j->answer)) != NULL)
		j->rc = 0;
	freeaddrinfo(res);
}

static void *dns_thread(void *arg)
{
	struct dns_job *j = arg;
	uint64_t one = 1;

	resolve(j);
	if (write(j->efd, &one, sizeof(one)) < 0)
		log_warn("eventfd write: %s", strerror(errno));
	return NULL;
}

static void job_free(struct dns_job *j)
{
	struct dns_job **pp = &j->m->dns_jobs;

	while (*pp != NULL && *pp != j)
		pp = &(*pp)->next;
	if (*pp == j)
		*pp = j->next;
	loop_remove(j->m->loop, j->src);
	close(j->efd);
	free(j);
}

static void handle_done(void *data, int fd, unsigned revents)
{
	struct dns_job *j = data;
	struct at_req *req = j->req;

	(void)fd;
	(void)revents;
	pthread_join(j->thread, NULL);
	if (req != NULL && j->rc == 0)
		cmd_reply(req, "+UDNSRN", "\"%s\"", j->answer);
	if (req != NULL)
		at_req_complete(req, j->rc == 0 ? AT_RC_OK : at_fail(req, AT_CME_UNKNOWN));
	job_free(j);
}

static void handle_abort(struct at_req *req)
{
	struct modem *m = at_req_ctx(req);

	for (struct dns_job *j = m->dns_jobs; j != NULL; j = j->next)
		if (j->req == req)
			j->req = NULL;
}

static enum at_rc handle_udnsrn(struct at_req *req)
{
	struct modem *m = at_req_ctx(req);
	struct dns_job *j;

	if (!netsim_is_attached(m->net))
		return cmd_fail(req, -ENETDOWN);
	j = calloc(1, sizeof(*j));
	if (j == NULL)
		return cmd_fail(req, -ENOMEM);
	j->m = m;
	j->req = req;
	j->type = (int)at_arg_int(req, 0);
	cmd_arg_copy(req, 1, j->query, sizeof(j->query));
	j->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	j->src = j->efd >= 0 ? loop_add_fd(m->loop, j->efd, POLLIN, handle_done, j) : NULL;
	if (j->src == NULL || pthread_create(&j->thread, NULL, dns_thread, j) != 0) {
		if (j->efd >= 0)
			close(j->efd);
		loop_remove(m->loop, j->src);
		free(j);
		return cmd_fail(req, -ENOMEM);
	}
	j->next = m->dns_jobs;
	m->dns_jobs = j;
	at_req_set_abort(req, handle_abort);
	return AT_RC_PENDING;
}

static void dns_finish(struct modem *m)
{
	while (m->dns_jobs != NULL) {
		struct dns_job *j = m->dns_jobs;

		pthread_join(j->thread, NULL);
		job_free(j);
	}
}

static const struct at_param udnsrn_params[] = {
	{ "resolution_type", AT_P_INT, 0, 0, 1, 0, NULL },
	{ "domain_ip_string", AT_P_STR, 0, 1, DNS_NAME_MAX, 0, NULL },
};

static const struct at_cmd cmds[] = {
	{ "+UDNSRN", AT_OP_SET | AT_OP_TEST, AT_PARAMS(udnsrn_params), "+UDNSRN: (0-1),",
	  handle_udnsrn, "u-blox AT manual +UDNSRN" },
};

static const struct at_cmd_group group = { cmds, ARRAY_LEN(cmds) };

const struct cmd_module cmd_dns_module = {
	.name = "dns",
	.group = &group,
	.finish = dns_finish,
};
