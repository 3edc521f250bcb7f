/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Pseudo-terminal front-end of the emulated modem.
 *
 * pty_open() creates a master/slave pair (posix_openpt, grantpt, unlockpt), puts the slave in
 * raw mode (the AT engine does its own echo and line handling) and keeps one slave fd open for
 * the whole lifetime: with no slave open the master reports POLLHUP and read() fails with EIO,
 * so holding it lets clients open and close the device any number of times. The price is that
 * a client disconnect cannot be seen, exactly as on a real UART.
 *
 * Output is written to the non-blocking master; what the kernel does not take (EAGAIN, the
 * client is not reading) is queued and flushed when poll() reports POLLOUT.
 *
 * Backpressure (docs/at-engine.md): a client that writes faster than it reads must not make us
 * drop answers. When the queue reaches the high-water mark (out_cap / 2) the pty is congested:
 * it stops reading the client's input (no POLLIN, so the client's writes block or fill the
 * kernel buffer, as with hardware flow control) and the owner should stop producing answers
 * (pty_is_congested). When the queue drains to the low-water mark (out_cap / 4) reading
 * resumes and cfg.resume is called. Output is dropped (and logged once) only beyond out_cap,
 * which takes a single burst of more than out_cap / 2 bytes produced while congested.
 */
#ifndef PTY_PTY_H
#define PTY_PTY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct loop;
struct pty;

/* Bytes read from the master (what the client wrote). Borrowed for the call. */
typedef void pty_input_fn(void *data, const uint8_t *bytes, size_t len);
/* The output queue drained to the low-water mark after being congested. */
typedef void pty_resume_fn(void *data);
/* Traffic tap for the console trace: to_host is true for bytes sent to the client. */
typedef void pty_trace_fn(void *data, bool to_host, const uint8_t *bytes, size_t len);

#define PTY_OUT_CAP_DEFAULT (256u * 1024u)

struct pty_config {
	struct loop *loop;
	const char *link; /* stable symlink to the slave path, or NULL; borrowed */
	size_t out_cap;   /* output queue cap in bytes; 0 = PTY_OUT_CAP_DEFAULT */
	pty_input_fn *input;
	void *input_data;      /* also passed to resume */
	pty_resume_fn *resume; /* may be NULL */
};

/* Returns NULL and logs the reason on failure (including an unusable --link path). */
struct pty *pty_open(const struct pty_config *cfg);
/* Removes the symlink (if it still points to us), closes both fds. NULL-safe. */
void pty_close(struct pty *p);

/* Slave path, e.g. "/dev/pts/3". Borrowed. */
const char *pty_path(const struct pty *p);
/* The symlink path, or NULL. Borrowed. */
const char *pty_link(const struct pty *p);

/*
 * Sends bytes to the client: written at once when possible, otherwise queued. Returns 0, or
 * -ENOSPC when the queue cap is reached (the bytes that do not fit are dropped and logged).
 */
int pty_write(struct pty *p, const void *data, size_t len);
/* Bytes waiting in the output queue. */
size_t pty_queued(const struct pty *p);
/* True from the high-water mark until the queue is back at the low-water mark. */
bool pty_is_congested(const struct pty *p);

/* Installs (fn != NULL) or removes the traffic tap. */
void pty_set_trace(struct pty *p, pty_trace_fn *fn, void *data);

/*
 * Creates (or atomically replaces) the symlink link -> target: symlink under a temporary name
 * in the same directory, then rename(). An existing non-symlink at link is never replaced
 * (-EEXIST). Returns 0 or -errno. Exposed for tests.
 */
int pty_link_create(const char *target, const char *link);

#endif /* PTY_PTY_H */
