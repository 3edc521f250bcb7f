/* SPDX-License-Identifier: Apache-2.0 */
/* The project's only macro header: attributes and array length. */
#ifndef COMMON_COMPILER_H
#define COMMON_COMPILER_H

#define ATTR_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#define ATTR_NORETURN          __attribute__((noreturn))
#define ATTR_UNUSED            __attribute__((unused))
#define ATTR_WARN_UNUSED       __attribute__((warn_unused_result))
/* A switch case that runs on into the next (gcc takes the comment, clang needs this). */
#define FALLTHROUGH __attribute__((fallthrough))

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#endif /* COMMON_COMPILER_H */
