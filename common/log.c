/* SPDX-License-Identifier: Apache-2.0 */
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/*
 * The one piece of process-wide state in common/: the log sink. It is written once by main()
 * before threads start (see log.h), like stderr itself.
 */
static struct {
	enum log_level level;
	FILE *file;
	const char *program;
} sink = { LOG_LEVEL_INFO, NULL, NULL };

static const char *const level_names[] = { "error", "warn", "info", "debug", "trace" };

void log_set_level(enum log_level level)
{
	sink.level = level;
}

enum log_level log_get_level(void)
{
	return sink.level;
}

int log_level_parse(const char *name, enum log_level *out)
{
	for (size_t i = 0; i < ARRAY_LEN(level_names); i++) {
		if (strcasecmp(name, level_names[i]) == 0) {
			*out = (enum log_level)i;
			return 0;
		}
	}
	return -EINVAL;
}

void log_set_file(FILE *f)
{
	sink.file = f;
}

void log_set_program(const char *name)
{
	sink.program = name;
}

static FILE *out_stream(void)
{
	return sink.file != NULL ? sink.file : stderr;
}

void log_write(enum log_level level, const char *module, const char *fmt, ...)
{
	char line[1024];
	struct timespec ts;
	struct tm tm;
	va_list ap;

	if (level > sink.level)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* One fprintf per line so concurrent writers do not interleave inside a line. */
	fprintf(out_stream(), "%02d:%02d:%02d.%03ld %s%s%-5s %-8s %s\n", tm.tm_hour, tm.tm_min,
		tm.tm_sec, ts.tv_nsec / 1000000L, sink.program ? sink.program : "",
		sink.program ? " " : "", level_names[level], module, line);
	fflush(out_stream());
}

void log_hexdump(enum log_level level, const char *module, const char *title, const void *data,
		 size_t len)
{
	static const char digits[] = "0123456789abcdef";
	const uint8_t *p = data;

	if (level > sink.level)
		return;
	log_write(level, module, "%s (%zu bytes)", title, len);
	for (size_t off = 0; off < len; off += 16) {
		char hex[16 * 3 + 1] = "";
		char asc[17] = "";
		size_t n = len - off < 16 ? len - off : 16;

		for (size_t i = 0; i < n; i++) {
			uint8_t c = p[off + i];

			hex[i * 3] = digits[c >> 4];
			hex[i * 3 + 1] = digits[c & 15];
			hex[i * 3 + 2] = ' ';
			hex[i * 3 + 3] = '\0';
			asc[i] = (c >= 0x20 && c < 0x7f) ? (char)c : '.';
			asc[i + 1] = '\0';
		}
		log_write(level, module, "  %04zx  %-48s %s", off, hex, asc);
	}
}

void log_fingerprint(const void *data, size_t len, char out[9])
{
	const uint8_t *p = data;
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 16777619u;
	snprintf(out, 9, "%08x", h);
}
