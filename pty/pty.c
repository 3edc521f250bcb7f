/* SPDX-License-Identifier: Apache-2.0 */
#define LOG_MODULE "pty"
#include "pty.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "buf.h"
#include "log.h"
#include "loop.h"

#define READ_CHUNK 4096

struct pty {
	struct loop *loop;
	struct loop_source *src;
	int master;
	int slave; /* held open so clients can come and go */
	char path[PATH_MAX];
	char *link;
	struct buf out;
	size_t high, low; /* backpressure marks (pty.h) */
	bool congested;
	bool overflow_logged;
	pty_input_fn *input;
	void *input_data;
	pty_resume_fn *resume;
	pty_trace_fn *trace;
	void *trace_data;
};

static int open_pair(struct pty *p)
{
	struct termios tio;
	int flags;

	p->master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (p->master < 0)
		return -errno;
	if (grantpt(p->master) < 0 || unlockpt(p->master) < 0)
		return -errno;
	if (ptsname_r(p->master, p->path, sizeof(p->path)) != 0)
		return -errno;
	flags = fcntl(p->master, F_GETFL);
	if (flags < 0 || fcntl(p->master, F_SETFL, flags | O_NONBLOCK) < 0)
		return -errno;
	p->slave = open(p->path, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (p->slave < 0)
		return -errno;
	if (tcgetattr(p->slave, &tio) < 0)
		return -errno;
	cfmakeraw(&tio);
	cfsetispeed(&tio, B115200);
	cfsetospeed(&tio, B115200);
	if (tcsetattr(p->slave, TCSANOW, &tio) < 0)
		return -errno;
	return 0;
}

int pty_link_create(const char *target, const char *link)
{
	char tmp[PATH_MAX];
	struct stat st;
	int n;

	if (lstat(link, &st) == 0 && !S_ISLNK(st.st_mode))
		return -EEXIST;
	n = snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", link, (long)getpid());
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return -ENAMETOOLONG;
	unlink(tmp);
	if (symlink(target, tmp) < 0)
		return -errno;
	if (rename(tmp, link) < 0) {
		int err = errno;

		unlink(tmp);
		return -err;
	}
	return 0;
}

/* Removes link only if it still points to our slave (another instance may own it now). */
static void link_remove(struct pty *p)
{
	char target[PATH_MAX];
	ssize_t n;

	if (p->link == NULL)
		return;
	n = readlink(p->link, target, sizeof(target) - 1);
	if (n < 0)
		return;
	target[n] = '\0';
	if (strcmp(target, p->path) == 0 && unlink(p->link) < 0)
		log_warn("unlink %s: %s", p->link, strerror(errno));
}

static void update_events(struct pty *p)
{
	loop_set_events(p->src, (p->congested ? 0 : POLLIN) | (p->out.len > 0 ? POLLOUT : 0));
}

static void flush_out(struct pty *p)
{
	while (p->out.len > 0) {
		ssize_t n = write(p->master, p->out.data, p->out.len);

		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR)
				log_warn("write: %s", strerror(errno));
			break;
		}
		buf_consume(&p->out, (size_t)n);
	}
	if (p->out.len == 0)
		p->overflow_logged = false;
	if (p->congested && p->out.len <= p->low) {
		p->congested = false;
		log_debug("output queue down to %zu bytes: reading input again", p->out.len);
		if (p->resume != NULL)
			p->resume(p->input_data);
	}
	update_events(p);
}

static void read_in(struct pty *p)
{
	uint8_t chunk[READ_CHUNK];

	for (int i = 0; i < 16 && !p->congested; i++) {
		ssize_t n = read(p->master, chunk, sizeof(chunk));

		if (n <= 0) {
			if (n < 0 && errno != EAGAIN && errno != EINTR && errno != EIO)
				log_warn("read: %s", strerror(errno));
			return;
		}
		if (p->trace != NULL)
			p->trace(p->trace_data, false, chunk, (size_t)n);
		if (p->input != NULL)
			p->input(p->input_data, chunk, (size_t)n);
	}
}

static void handle_master(void *data, int fd, unsigned revents)
{
	struct pty *p = data;

	(void)fd;
	if (revents & POLLIN)
		read_in(p);
	if (revents & POLLOUT)
		flush_out(p);
}

struct pty *pty_open(const struct pty_config *cfg)
{
	struct pty *p = calloc(1, sizeof(*p));
	int rc;

	if (p == NULL)
		return NULL;
	p->master = -1;
	p->slave = -1;
	p->loop = cfg->loop;
	p->input = cfg->input;
	p->input_data = cfg->input_data;
	p->resume = cfg->resume;
	buf_init(&p->out, cfg->out_cap != 0 ? cfg->out_cap : PTY_OUT_CAP_DEFAULT);
	p->high = p->out.cap / 2;
	p->low = p->out.cap / 4;
	rc = open_pair(p);
	if (rc < 0) {
		log_error("cannot create pseudo-terminal: %s", strerror(-rc));
		goto fail;
	}
	if (cfg->link != NULL) {
		rc = pty_link_create(p->path, cfg->link);
		if (rc < 0) {
			log_error("cannot create link %s: %s", cfg->link, strerror(-rc));
			goto fail;
		}
		p->link = strdup(cfg->link);
		if (p->link == NULL)
			goto fail;
	}
	p->src = loop_add_fd(p->loop, p->master, POLLIN, handle_master, p);
	if (p->src == NULL)
		goto fail;
	log_debug("slave %s", p->path);
	return p;
fail:
	pty_close(p);
	return NULL;
}

void pty_close(struct pty *p)
{
	if (p == NULL)
		return;
	link_remove(p);
	free(p->link);
	if (p->src != NULL)
		loop_remove(p->loop, p->src);
	if (p->slave >= 0)
		close(p->slave);
	if (p->master >= 0)
		close(p->master);
	buf_finish(&p->out);
	free(p);
}

const char *pty_path(const struct pty *p)
{
	return p->path;
}

const char *pty_link(const struct pty *p)
{
	return p->link;
}

int pty_write(struct pty *p, const void *data, size_t len)
{
	const uint8_t *bytes = data;
	size_t off = 0;

	if (p->trace != NULL && len > 0)
		p->trace(p->trace_data, true, bytes, len);
	while (p->out.len == 0 && off < len) {
		ssize_t n = write(p->master, bytes + off, len - off);

		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR)
				log_warn("write: %s", strerror(errno));
			if (errno != EINTR)
				break;
			continue;
		}
		off += (size_t)n;
	}
	if (off == len)
		return 0;
	if (buf_append(&p->out, bytes + off, len - off) < 0) {
		if (!p->overflow_logged)
			log_warn("output queue full (%zu bytes): client not reading, dropping "
				 "output",
				 p->out.len);
		p->overflow_logged = true;
		return -ENOSPC;
	}
	if (!p->congested && p->out.len >= p->high) {
		p->congested = true;
		log_debug("output queue at %zu bytes: client not reading, input paused",
			  p->out.len);
	}
	update_events(p);
	return 0;
}

bool pty_is_congested(const struct pty *p)
{
	return p != NULL && p->congested;
}

size_t pty_queued(const struct pty *p)
{
	return p->out.len;
}

void pty_set_trace(struct pty *p, pty_trace_fn *fn, void *data)
{
	p->trace = fn;
	p->trace_data = data;
}
