/* SPDX-License-Identifier: MIT */
/*
 * Our own printf-style formatter, used by the hypervisor (no libc there) and,
 * so that messages read the same everywhere, by the shared validator on the
 * host. Supports %d %i %u %x %X %c %s %p %% with the l, ll and z length
 * modifiers, '0' and '-' flags, a field width and a precision for %s
 * (both also as '*').
 */
#ifndef FV_FMT_H
#define FV_FMT_H

#include <stdarg.h>
#include <stddef.h>

/* Like vsnprintf: always NUL-terminates (if size > 0), returns the length the
 * full output would have had. */
int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap) __attribute__((format(printf, 3, 0)));
int fmt_snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
