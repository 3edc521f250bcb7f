/* SPDX-License-Identifier: Apache-2.0 */
#include "cmd.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "modem.h"
#include "persona.h"

/* The one list of command modules. Security, RoT and socket groups are added here. */
static const struct cmd_module *const modules[] = {
	&cmd_basic_module,  &cmd_general_module,  &cmd_network_module, &cmd_pdp_module,
	&cmd_dns_module,    &cmd_security_module, &cmd_rot_module,     &cmd_files_module,
	&cmd_socket_module, &cmd_radio_module,    &cmd_sim_module,
};

size_t cmd_module_count(void)
{
	return ARRAY_LEN(modules);
}

const struct cmd_module *cmd_module_at(size_t i)
{
	return i < ARRAY_LEN(modules) ? modules[i] : NULL;
}

size_t cmd_groups(struct at_cmd_group *out, size_t cap)
{
	size_t n = 0;

	for (size_t i = 0; i < ARRAY_LEN(modules) && n < cap; i++)
		if (modules[i]->group != NULL)
			out[n++] = *modules[i]->group;
	return n;
}

const char *cmd_colon(const struct modem *m)
{
	return m->persona->colon_space ? ": " : ":";
}

int cmd_reply(struct at_req *req, const char *prefix, const char *fmt, ...)
{
	struct modem *m = at_req_ctx(req);
	struct buf b;
	va_list ap;
	int rc;

	buf_init(&b, AT_LINE_MAX);
	rc = buf_appendf(&b, "%s%s", prefix, cmd_colon(m));
	if (rc == 0) {
		char tmp[AT_LINE_MAX];
		int n;

		va_start(ap, fmt);
		n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
		va_end(ap);
		rc = n < 0 || (size_t)n >= sizeof(tmp) ? -ENOSPC : buf_append(&b, tmp, (size_t)n);
	}
	if (rc == 0)
		rc = at_reply(req, "%s", buf_cstr(&b));
	buf_finish(&b);
	return rc;
}

int cmd_arg_copy(const struct at_req *req, size_t i, char *out, size_t cap)
{
	struct at_span s = at_arg_str(req, i);

	if (s.len >= cap)
		return -ENOSPC;
	if (s.len > 0)
		memcpy(out, s.p, s.len);
	out[s.len] = '\0';
	return 0;
}

int cmd_arg_long(const struct at_req *req, size_t i, long *out)
{
	char tmp[24];
	char *end = NULL;

	if (cmd_arg_copy(req, i, tmp, sizeof(tmp)) < 0 || tmp[0] == '\0')
		return -EINVAL;
	for (const char *c = tmp; *c != '\0'; c++)
		if ((*c < '0' || *c > '9') && !(c == tmp && *c == '-'))
			return -EINVAL;
	errno = 0;
	*out = strtol(tmp, &end, 10);
	return errno != 0 || *end != '\0' ? -EINVAL : 0;
}
