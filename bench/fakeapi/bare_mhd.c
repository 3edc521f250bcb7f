/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fakeapi-bare-mhd PORT THREADS: the benchmark baseline. Same libmicrohttpd configuration as
 * ukms-fakeapi (internal polling thread, epoll, thread pool), but every request, body drained,
 * gets a static JSON body of the GetPSK response's size. Prints the bound port, runs until
 * SIGINT/SIGTERM.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

static const char body[] =
	"{\"Key\":\"5d5Fs2fbaQ8uF8+dgKGOhw==\",\"ROTPublicUID\":\"0002000089282245\"}";

static enum MHD_Result handle(void *cls, struct MHD_Connection *conn, const char *url,
			      const char *method, const char *version, const char *upload_data,
			      size_t *upload_data_size, void **con_cls)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	if (*con_cls == NULL) {
		*con_cls = conn;
		return MHD_YES;
	}
	if (*upload_data_size != 0) {
		*upload_data_size = 0;
		return MHD_YES;
	}
	r = MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_PERSISTENT);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
	ret = MHD_queue_response(conn, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ret;
}

int main(int argc, char **argv)
{
	unsigned threads = argc > 2 ? (unsigned)atoi(argv[2]) : 2;
	struct MHD_Daemon *d;
	sigset_t set;
	int sig;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO,
			     (uint16_t)(argc > 1 ? atoi(argv[1]) : 0), NULL, NULL, handle, NULL,
			     MHD_OPTION_THREAD_POOL_SIZE, threads > 1 ? threads : 1,
			     MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024u, MHD_OPTION_END);
	if (d == NULL) {
		fprintf(stderr, "fakeapi-bare-mhd: cannot start\n");
		return 1;
	}
	printf("fakeapi-bare-mhd: listening on http://127.0.0.1:%u\n",
	       (unsigned)MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT)->port);
	fflush(stdout);
	sigwait(&set, &sig);
	MHD_stop_daemon(d);
	return 0;
}
