/* SPDX-License-Identifier: MIT */
/*
 * Recognising the end of a Linux panic report in a console's byte stream
 * (core/console/panic_watch.c). Linux ends every panic report with the line
 * "---[ end Kernel panic - not syncing: ...", after the stack dump, just
 * before it stops for good (kernel/panic.c). A panic that never gets that
 * far is caught by the watchdog.
 */
#ifndef FV_PANIC_WATCH_H
#define FV_PANIC_WATCH_H

#include <fv/types.h>

struct panic_watch {
	uint32_t match; /* bytes of the marker seen */
	bool line;      /* all of it: report at the end of the line */
};

/* Feed one byte; true at the end of a line that holds the marker. */
bool panic_watch_byte(struct panic_watch *w, uint8_t c);

#endif
