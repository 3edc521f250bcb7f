/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Levelled logger. Writes to stderr (or a file set with log_set_file), never to a pty.
 *
 * Each .c file defines LOG_MODULE before including this header:
 *	#define LOG_MODULE "sock"
 *	#include "log.h"
 * Secrets (keys, PSKs, API secrets) are never passed to these functions at any level;
 * log a fingerprint (log_fingerprint) instead.
 */
#ifndef COMMON_LOG_H
#define COMMON_LOG_H

#include <stddef.h>
#include <stdio.h>

#include "compiler.h"

enum log_level {
	LOG_LEVEL_ERROR = 0,
	LOG_LEVEL_WARN,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG,
	LOG_LEVEL_TRACE,
};

/*
 * The logger's settings are process-wide by nature (stderr is); they are set once in main()
 * before any other thread starts and read-only afterwards.
 */
void log_set_level(enum log_level level);
enum log_level log_get_level(void);
/* Parses "error", "warn", "info", "debug", "trace". Returns 0 or -EINVAL. */
int log_level_parse(const char *name, enum log_level *out);
/* Borrowed stream, not closed by the logger. NULL restores stderr. */
void log_set_file(FILE *f);
/* Prefix every line with the program name, e.g. "ukms-sim". Borrowed, must outlive logging. */
void log_set_program(const char *name);

void log_write(enum log_level level, const char *module, const char *fmt, ...) ATTR_PRINTF(3, 4);
/* Hex dump at level, 16 bytes a line, with a title. Never call it with secret material. */
void log_hexdump(enum log_level level, const char *module, const char *title, const void *data,
		 size_t len);
/*
 * Short non-secret fingerprint of secret material: first 8 hex chars of SHA-256 is too much
 * coupling for common/, so this is the first 4 bytes of a FNV-1a hash, enough to tell two keys
 * apart in a log without revealing either. out must hold 9 bytes.
 */
void log_fingerprint(const void *data, size_t len, char out[9]);

#ifndef LOG_MODULE
#define LOG_MODULE "ukms"
#endif

#define log_error(...) log_write(LOG_LEVEL_ERROR, LOG_MODULE, __VA_ARGS__)
#define log_warn(...)  log_write(LOG_LEVEL_WARN, LOG_MODULE, __VA_ARGS__)
#define log_info(...)  log_write(LOG_LEVEL_INFO, LOG_MODULE, __VA_ARGS__)
#define log_debug(...)                                                                             \
	do {                                                                                       \
		if (log_get_level() >= LOG_LEVEL_DEBUG)                                            \
			log_write(LOG_LEVEL_DEBUG, LOG_MODULE, __VA_ARGS__);                       \
	} while (0)
#define log_trace(...)                                                                             \
	do {                                                                                       \
		if (log_get_level() >= LOG_LEVEL_TRACE)                                            \
			log_write(LOG_LEVEL_TRACE, LOG_MODULE, __VA_ARGS__);                       \
	} while (0)

#endif /* COMMON_LOG_H */
