/* SPDX-License-Identifier: Apache-2.0 */
#define LOG_MODULE "fleet"
#include "fleet.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "config.h"
#include "log.h"
#include "modem.h"
#include "rot/platform.h"

#define SEL_MAX  (PLATFORM_FLEET_NAME_MAX + 16)
#define PATH_CAP 4096

struct slot {
	struct modem *modem;
	struct modem_config cfg;
	char sel[SEL_MAX];
	char link[PATH_CAP];
	char state[PATH_CAP];
};

struct modem_fleet {
	struct platform *platform; /* loaded once, owned; every modem borrows it (read-only) */
	struct slot *slots;
	size_t n;
};

int modem_fleet_path(const char *pattern, size_t i, char *out, size_t cap)
{
	const char *d = strstr(pattern, "%d");
	int n = snprintf(out, cap, "%.*s%zu%s", (int)(d - pattern), pattern, i, d + 2);

	return n < 0 || (size_t)n >= cap ? -ENAMETOOLONG : 0;
}

/* Selector of modem i: FLEET:FIRST+i, the first fleet's i, or the i-th explicit device. */
static int selector(const struct platform *p, const char *device, size_t i, char *out, char *err,
		    size_t errlen)
{
	const char *colon = device != NULL ? strchr(device, ':') : NULL;
	unsigned long first;
	char *end;

	if (device != NULL) {
		errno = 0;
		first = colon != NULL ? strtoul(colon + 1, &end, 10) : 0;
		if (colon == NULL || errno != 0 || end == colon + 1 || *end != '\0' ||
		    colon[1] == '-') {
			snprintf(err, errlen, "--fleet needs --device FLEET:FIRST, not '%s'",
				 device);
			return -EINVAL;
		}
		snprintf(out, SEL_MAX, "%.*s:%lu", (int)(colon - device), device, first + i);
		return 0;
	}
	if (platform_fleet_count(p) > 0) {
		snprintf(out, SEL_MAX, "%s:%zu", platform_fleet_at(p, 0)->name, i);
		return 0;
	}
	if (i >= platform_device_count(p)) {
		snprintf(err, errlen, "the platform has %zu devices, not enough for modem %zu",
			 platform_device_count(p), i);
		return -ERANGE;
	}
	snprintf(out, SEL_MAX, "%s", platform_device_at(p, i)->uid_hex);
	return 0;
}

/* Fills slot i's config: device, link, state directory. */
static int configure(struct slot *s, const struct platform *p, const struct modem_config *cfg,
		     size_t i, char *err, size_t errlen)
{
	struct platform_device d;
	int rc = selector(p, cfg->device, i, s->sel, err, errlen);

	if (rc < 0)
		return rc;
	rc = platform_select(p, s->sel, &d, err, errlen);
	if (rc < 0)
		return rc;
	s->cfg = *cfg;
	s->cfg.device = s->sel;
	if (modem_fleet_path(cfg->link, i, s->link, sizeof(s->link)) < 0) {
		snprintf(err, errlen, "--link: the path of modem %zu is too long", i);
		return -ENAMETOOLONG;
	}
	s->cfg.link = s->link;
	if (cfg->state_dir != NULL) {
		if (snprintf(s->state, sizeof(s->state), "%s/%s", cfg->state_dir, d.uid_hex) >=
		    (int)sizeof(s->state)) {
			snprintf(err, errlen, "--state-dir: path too long");
			return -ENAMETOOLONG;
		}
		s->cfg.state_dir = s->state;
	}
	return 0;
}

/* Each modem holds a few fds (pty master and slave, sockets): lift the soft limit. */
static void raise_fd_limit(void)
{
	struct rlimit r;

	if (getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < r.rlim_max) {
		r.rlim_cur = r.rlim_max;
		setrlimit(RLIMIT_NOFILE, &r);
	}
}

struct modem_fleet *modem_fleet_create(struct loop *l, const struct modem_config *cfg, char *err,
				       size_t errlen)
{
	struct modem_fleet *f = calloc(1, sizeof(*f));
	char why[256] = "";
	int rc = -ENOMEM;

	if (f == NULL || (f->slots = calloc(cfg->fleet, sizeof(*f->slots))) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	f->platform = platform_open(cfg->platform_path, err, errlen);
	rc = f->platform != NULL ? 0 : -EINVAL;
	raise_fd_limit();
	for (size_t i = 0; rc == 0 && i < cfg->fleet; i++) {
		struct slot *s = &f->slots[i];

		rc = configure(s, f->platform, cfg, i, why, sizeof(why));
		if (rc == 0) {
			s->modem = modem_create_on(l, &s->cfg, f->platform, why, sizeof(why));
			rc = s->modem != NULL ? 0 : -EINVAL;
		}
		if (rc < 0)
			snprintf(err, errlen, "modem %zu (%s): %s", i, s->sel[0] ? s->sel : "?",
				 why);
		else
			f->n = i + 1;
	}
out:
	if (rc < 0) {
		modem_fleet_destroy(f);
		f = NULL;
	}
	return f;
}

void modem_fleet_destroy(struct modem_fleet *f)
{
	if (f == NULL)
		return;
	for (size_t i = f->n; i-- > 0;)
		modem_destroy(f->slots[i].modem);
	platform_destroy(f->platform); /* after the modems that borrowed it */
	free(f->slots);
	free(f);
}

size_t modem_fleet_size(const struct modem_fleet *f)
{
	return f->n;
}

struct modem *modem_fleet_at(const struct modem_fleet *f, size_t i)
{
	return i < f->n ? f->slots[i].modem : NULL;
}

const char *modem_fleet_selector(const struct modem_fleet *f, size_t i)
{
	return i < f->n ? f->slots[i].sel : NULL;
}
