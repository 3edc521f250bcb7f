/* SPDX-License-Identifier: Apache-2.0 */
/* ukms-sim: options -> modem -> one loop until SIGINT/SIGTERM, :quit or Ctrl-D. */
#define LOG_MODULE "main"
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "afile.h"
#include "config.h"
#include "console.h"
#include "control.h"
#include "fleet.h"
#include "log.h"
#include "loop.h"
#include "modem.h"
#include "pty.h"
#include "record.h"

enum exit_code { EXIT_OK = 0, EXIT_RUNTIME = 1, EXIT_USAGE = 2 };

struct app {
	struct modem_config cfg;
	struct loop *loop;
	struct modem *modem;       /* the one modem, or modem 0 of the fleet */
	struct modem_fleet *fleet; /* --fleet N */
	struct console *console;
	struct control *control;
	struct record **records; /* --record: one, or one per modem of the fleet */
	size_t n_records;
	FILE *log_file;
	int sfd;
};

static void handle_signal(void *data, int fd, unsigned revents)
{
	struct app *app = data;
	struct signalfd_siginfo si;

	(void)revents;
	if (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si))
		log_info("signal %u: exiting", si.ssi_signo);
	loop_quit(app->loop);
}

static int setup_signals(struct app *app)
{
	sigset_t set;

	signal(SIGPIPE, SIG_IGN);
	signal(SIGXFSZ,
	       SIG_IGN); /* a write over RLIMIT_FSIZE fails with EFBIG: an error, not a kill */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -errno;
	app->sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (app->sfd < 0)
		return -errno;
	return loop_add_fd(app->loop, app->sfd, POLLIN, handle_signal, app) != NULL ? 0 : -ENOMEM;
}

static int setup_log(struct app *app)
{
	char err[PATH_MAX + 128] = "";
	int fd;

	log_set_program("ukms-sim");
	log_set_level(app->cfg.log_level);
	if (app->cfg.log_file == NULL)
		return 0;
	fd = afile_open_output(app->cfg.log_file, true, err, sizeof(err)); /* no symlink, 0600 */
	if (fd >= 0) {
		app->log_file = fdopen(fd, "a");
		if (app->log_file == NULL) {
			snprintf(err, sizeof(err), "%s: %s", app->cfg.log_file, strerror(errno));
			close(fd);
		}
	}
	if (app->log_file == NULL) {
		fprintf(stderr, "ukms-sim: --log-file %s\n", err);
		return -EINVAL;
	}
	setvbuf(app->log_file, NULL, _IOLBF, 0);
	log_set_file(app->log_file);
	return 0;
}

/* One line per modem: "ukms-sim: modem I SELECTOR device PATH link LINK". */
static void print_fleet(const struct modem_fleet *f)
{
	for (size_t i = 0; i < modem_fleet_size(f); i++) {
		const struct modem *m = modem_fleet_at(f, i);

		printf("ukms-sim: modem %zu %s device %s link %s\n", i, modem_fleet_selector(f, i),
		       pty_path(m->pty), pty_link(m->pty) != NULL ? pty_link(m->pty) : "-");
	}
}

/* --record PATH: the modem's session, or with --fleet modem i's into PATH with %d = i. */
static int start_records(struct app *app, char *err, size_t errlen)
{
	size_t n = app->fleet != NULL ? modem_fleet_size(app->fleet) : 1;
	char path[PATH_MAX];

	app->records = calloc(n, sizeof(*app->records));
	if (app->records == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		struct modem *m = app->fleet != NULL ? modem_fleet_at(app->fleet, i) : app->modem;
		const char *p = app->cfg.record_path;

		if (app->fleet != NULL) {
			if (modem_fleet_path(p, i, path, sizeof(path)) < 0) {
				snprintf(err, errlen, "--record: the path of modem %zu is too long",
					 i);
				return -ENAMETOOLONG;
			}
			p = path;
		}
		app->records[i] = record_create(m, p, err, errlen);
		if (app->records[i] == NULL)
			return -EINVAL;
		app->n_records = i + 1;
	}
	return 0;
}

static int start(struct app *app)
{
	char err[256] = "";

	if (setup_log(app) < 0)
		return EXIT_USAGE;
	app->loop = loop_create();
	if (app->loop == NULL || setup_signals(app) < 0) {
		log_error("cannot set up the event loop or signals");
		return EXIT_RUNTIME;
	}
	if (app->cfg.fleet > 0) {
		app->fleet = modem_fleet_create(app->loop, &app->cfg, err, sizeof(err));
		app->modem = app->fleet != NULL ? modem_fleet_at(app->fleet, 0) : NULL;
	} else {
		app->modem = modem_create(app->loop, &app->cfg, err, sizeof(err));
	}
	if (app->modem == NULL) {
		log_error("%s", err);
		fprintf(stderr, "ukms-sim: %s\n", err);
		return EXIT_USAGE;
	}
	if (app->fleet != NULL)
		print_fleet(app->fleet);
	if (app->cfg.control_path != NULL) {
		app->control = control_create(app->modem, app->fleet, app->loop,
					      app->cfg.control_path, err, sizeof(err));
		if (app->control == NULL) {
			log_error("%s", err);
			fprintf(stderr, "ukms-sim: %s\n", err);
			return EXIT_USAGE;
		}
	}
	if (app->cfg.record_path != NULL && start_records(app, err, sizeof(err)) < 0) {
		log_error("%s", err);
		fprintf(stderr, "ukms-sim: %s\n", err);
		return EXIT_USAGE;
	}
	printf("ukms-sim: device %s\n", pty_path(app->modem->pty));
	if (pty_link(app->modem->pty) != NULL)
		printf("ukms-sim: link %s\n", pty_link(app->modem->pty));
	fflush(stdout);
	if (!app->cfg.headless && isatty(STDIN_FILENO))
		app->console = console_create(app->modem, app->fleet, app->loop);
	return loop_run(app->loop) < 0 ? EXIT_RUNTIME : EXIT_OK;
}

int main(int argc, char **argv)
{
	struct app app = { .sfd = -1 };
	char err[256] = "";
	int rc = config_parse(&app.cfg, argc, argv, stdout, err, sizeof(err));

	if (rc == CONFIG_EXIT)
		return EXIT_OK;
	if (rc < 0) {
		fprintf(stderr, "ukms-sim: %s\n", err);
		return EXIT_USAGE;
	}
	rc = start(&app);
	console_destroy(app.console);
	control_destroy(app.control);
	for (size_t i = 0; i < app.n_records; i++)
		record_destroy(app.records[i]);
	free(app.records);
	if (app.fleet != NULL)
		modem_fleet_destroy(app.fleet); /* app.modem is its modem 0 */
	else
		modem_destroy(app.modem);
	if (app.sfd >= 0)
		close(app.sfd);
	loop_destroy(app.loop);
	log_set_file(NULL);
	if (app.log_file != NULL)
		fclose(app.log_file);
	return rc;
}
