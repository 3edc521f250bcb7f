/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ukms-ctl: one request to ukms-sim's control socket (docs/control.md, docs/ukms-ctl.1).
 *
 *   ukms-ctl -s PATH OP [WORD...]      {"op":OP,"argv":[WORD...]}: words as in the console
 *   ukms-ctl -s PATH call JSON         the request object as given
 *
 * -m I adds "modem": I (ukms-sim --fleet). Prints the result (indented JSON; the whole response
 * line with --json); after `subscribe` it prints every event line until the simulator closes the
 * socket or a signal stops it. Exit status: 0 ok, 1 the op failed (error code and message on
 * stderr), 2 usage, connection or protocol trouble.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "buf.h"
#include "ukms_config.h"

enum exit_code { EXIT_OK = 0, EXIT_FAILED = 1, EXIT_USAGE = 2 };

#define LINE_MAX_BYTES (4u * 1024u * 1024u)
#define TIMEOUT_MS     30000

struct opts {
	const char *path;
	bool json;
	int timeout_ms;
	long modem; /* -m: "modem" of the request (ukms-sim --fleet); -1: none */
};

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: ukms-ctl [-s PATH] [-m I] [--json] [--timeout S] OP [WORD...]\n"
		"       ukms-ctl [-s PATH] [-m I] [--json] call '{\"op\":...}'\n"
		"Sends one request to ukms-sim's control socket (ukms-sim --control PATH).\n\n"
		"  -s, --socket PATH  the control socket (default $UKMS_CONTROL)\n"
		"  -m, --modem I      modem I of a ukms-sim --fleet (default 0)\n"
		"  -j, --json         print the response line as received\n"
		"  -t, --timeout S    seconds to wait for the response (default 30)\n"
		"  -h, --help         this text\n"
		"  -V, --version      version\n\n"
		"Examples:\n"
		"  ukms-ctl -s /tmp/m.sock status\n"
		"  ukms-ctl -s /tmp/m.sock network detach\n"
		"  ukms-ctl -s /tmp/m.sock fault Q15 on\n"
		"  ukms-ctl -s /tmp/m.sock at AT+CGSN\n"
		"  ukms-ctl -s /tmp/m.sock subscribe at urc      (prints events until ^C)\n"
		"  ukms-ctl -s /tmp/m.sock call "
		"'{\"op\":\"clock\",\"args\":{\"advance_s\":86400}}'\n"
		"  ukms-ctl -s /tmp/m.sock ops                   (every op with its words)\n\n"
		"Exit status: 0 ok, 1 the op answered an error, 2 usage or connection trouble.\n");
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option longs[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "modem", required_argument, NULL, 'm' },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	char *end;

	*o = (struct opts){ .path = getenv("UKMS_CONTROL"), .timeout_ms = TIMEOUT_MS, .modem = -1 };
	while ((c = getopt_long(argc, argv, "+s:m:jt:hV", longs, NULL)) != -1) {
		switch (c) {
		case 's':
			o->path = optarg;
			break;
		case 'j':
			o->json = true;
			break;
		case 'm':
			o->modem = strtol(optarg, &end, 10);
			if (*end != '\0' || end == optarg || o->modem < 0 || o->modem > INT32_MAX) {
				fprintf(stderr, "ukms-ctl: bad --modem '%s'\n", optarg);
				return -EINVAL;
			}
			break;
		case 't':
			o->timeout_ms = (int)strtol(optarg, &end, 10) * 1000;
			if (*end != '\0' || o->timeout_ms <= 0 || o->timeout_ms > 3600000) {
				fprintf(stderr, "ukms-ctl: bad --timeout '%s'\n", optarg);
				return -EINVAL;
			}
			break;
		case 'h':
			usage(stdout);
			return 1;
		case 'V':
			printf("ukms-ctl %s\n", UKMS_VERSION);
			return 1;
		default:
			usage(stderr);
			return -EINVAL;
		}
	}
	if (o->path == NULL || optind >= argc) {
		fprintf(stderr, "ukms-ctl: %s\n",
			o->path == NULL ? "no socket (-s PATH or $UKMS_CONTROL)"
					: "no op (see --help)");
		return -EINVAL;
	}
	return 0;
}

/* The request line: `call JSON` as given (checked to be an object), else op + argv. */
static char *make_request(const struct opts *o, int argc, char **argv)
{
	cJSON *req;
	char *text;

	if (strcmp(argv[0], "call") == 0) {
		if (argc != 2) {
			fprintf(stderr, "ukms-ctl: call takes one JSON object\n");
			return NULL;
		}
		req = cJSON_Parse(argv[1]);
		if (!cJSON_IsObject(req)) {
			fprintf(stderr, "ukms-ctl: call: not a JSON object: %s\n", argv[1]);
			cJSON_Delete(req);
			return NULL;
		}
	} else {
		cJSON *words;

		req = cJSON_CreateObject();
		cJSON_AddStringToObject(req, "op", argv[0]);
		words = cJSON_AddArrayToObject(req, "argv");
		for (int i = 1; i < argc; i++)
			cJSON_AddItemToArray(words, cJSON_CreateString(argv[i]));
	}
	if (cJSON_GetObjectItemCaseSensitive(req, "id") == NULL)
		cJSON_AddNumberToObject(req, "id", 1);
	if (o->modem >= 0 && cJSON_GetObjectItemCaseSensitive(req, "modem") == NULL)
		cJSON_AddNumberToObject(req, "modem", (double)o->modem);
	text = cJSON_PrintUnformatted(req);
	cJSON_Delete(req);
	return text;
}

static int connect_to(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "ukms-ctl: %s: path too long\n", path);
		return -ENAMETOOLONG;
	}
	memcpy(sa.sun_path, path, strlen(path));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int err = errno;

		fprintf(stderr, "ukms-ctl: %s: %s\n", path, strerror(err));
		if (fd >= 0)
			close(fd);
		return -err;
	}
	return fd;
}

static int send_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = send(fd, data, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -EIO;
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Next line (without '\n') into line; timeout_ms < 0 waits for ever. 0, -ETIMEDOUT, -EIO. */
static int read_line(int fd, struct buf *in, struct buf *line, int timeout_ms)
{
	for (;;) {
		uint8_t *nl = in->len > 0 ? memchr(in->data, '\n', in->len) : NULL;
		struct pollfd p = { .fd = fd, .events = POLLIN };
		char chunk[65536];
		ssize_t n;

		if (nl != NULL) {
			buf_reset(line);
			buf_append(line, in->data, (size_t)(nl - in->data));
			buf_consume(in, (size_t)(nl - in->data) + 1);
			return buf_cstr(line) != NULL ? 0 : -ENOMEM;
		}
		if (poll(&p, 1, timeout_ms) == 0)
			return -ETIMEDOUT;
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || buf_append(in, chunk, (size_t)n) < 0)
			return -EIO;
	}
}

/* Prints the response; returns the exit status it stands for. */
static int print_response(const struct opts *o, const char *line, size_t len)
{
	cJSON *resp = cJSON_ParseWithLength(line, len);
	const cJSON *ok = cJSON_GetObjectItemCaseSensitive(resp, "ok");
	const cJSON *result = cJSON_GetObjectItemCaseSensitive(resp, "result");
	const cJSON *err = cJSON_GetObjectItemCaseSensitive(resp, "error");
	int rc = EXIT_USAGE;
	char *text = NULL;

	if (!cJSON_IsBool(ok)) {
		fprintf(stderr, "ukms-ctl: not a response: %.*s\n", (int)len, line);
	} else if (o->json) {
		printf("%.*s\n", (int)len, line);
		rc = cJSON_IsTrue(ok) ? EXIT_OK : EXIT_FAILED;
	} else if (cJSON_IsTrue(ok)) {
		if (cJSON_GetArraySize(result) > 0 && (text = cJSON_Print(result)) != NULL)
			printf("%s\n", text);
		rc = EXIT_OK;
	} else {
		fprintf(stderr, "ukms-ctl: %s: %s\n",
			cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(err, "code")),
			cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(err, "message")));
		rc = EXIT_FAILED;
	}
	cJSON_free(text);
	cJSON_Delete(resp);
	return rc;
}

/* After a successful subscribe: every event line as it comes. */
static int follow(int fd, struct buf *in, struct buf *line)
{
	while (read_line(fd, in, line, -1) == 0) {
		printf("%s\n", buf_cstr(line));
		fflush(stdout);
	}
	return EXIT_OK;
}

static int run(const struct opts *o, int argc, char **argv)
{
	char *req = make_request(o, argc, argv);
	struct buf in, line;
	int fd = -1, rc = EXIT_USAGE;

	buf_init(&in, LINE_MAX_BYTES);
	buf_init(&line, LINE_MAX_BYTES);
	if (req == NULL || (fd = connect_to(o->path)) < 0)
		goto out;
	if (send_all(fd, req, strlen(req)) < 0 || send_all(fd, "\n", 1) < 0) {
		fprintf(stderr, "ukms-ctl: %s: cannot send\n", o->path);
		goto out;
	}
	do { /* event lines of an earlier subscription cannot come first: new connection */
		int r = read_line(fd, &in, &line, o->timeout_ms);

		if (r < 0) {
			fprintf(stderr, "ukms-ctl: %s: %s\n", o->path,
				r == -ETIMEDOUT ? "no response" : "connection closed");
			goto out;
		}
	} while (strncmp(buf_cstr(&line), "{\"event\"", 8) == 0);
	rc = print_response(o, (const char *)line.data, line.len);
	fflush(stdout);
	if (rc == EXIT_OK && strcmp(argv[0], "subscribe") == 0)
		rc = follow(fd, &in, &line);
out:
	if (fd >= 0)
		close(fd);
	cJSON_free(req);
	buf_finish(&in);
	buf_finish(&line);
	return rc;
}

int main(int argc, char **argv)
{
	struct opts o;
	int rc = parse_opts(argc, argv, &o);

	if (rc != 0)
		return rc > 0 ? EXIT_OK : EXIT_USAGE;
	return run(&o, argc - optind, argv + optind);
}
