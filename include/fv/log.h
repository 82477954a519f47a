/* SPDX-License-Identifier: MIT */
/*
 * Hypervisor messages and invariant checks. Every message is one line that
 * the console multiplexer prefixes with "[hv]". Before the multiplexer is up,
 * lines go straight to the board UART, so a failure during early boot is
 * still visible.
 *
 * PANIC is for broken hypervisor invariants only; guest misbehaviour never
 * panics (it gets an architected answer and at worst stops that VM).
 */
#ifndef FV_LOG_H
#define FV_LOG_H

#include <stdarg.h>
#include <stdbool.h>

#define LOG_LINE_MAX 200

void log_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_vline(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

/* Where finished lines go; set by the console multiplexer once it is up. */
void log_set_sink(void (*sink)(const char *line));

__attribute__((noreturn)) void panic_at(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define PANIC(...) panic_at(__FILE__, __LINE__, __VA_ARGS__)
/* Whether some CPU panicked: every other CPU halts at its next interrupt. */
bool log_panicked(void);
#define ASSERT(cond)                                                                 \
	do {                                                                         \
		if (!(cond))                                                         \
			panic_at(__FILE__, __LINE__, "assertion failed: %s", #cond); \
	} while (0)

#endif
