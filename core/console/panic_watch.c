// SPDX-License-Identifier: MIT
/* The panic marker matcher (include/fv/panic_watch.h). */
#include <fv/panic_watch.h>
#include <fv/string.h>

static const char panic_marker[] = "---[ end Kernel panic - not syncing";

/*
 * After a mismatch: the longest start of the marker that the text seen (the
 * marker's first `match` bytes, then c) still ends with. The marker overlaps
 * itself ("----[" ends with "---[", "panic --" with "--"), so a mismatch
 * need not mean starting over from nothing or from one dash.
 */
static uint32_t fallback(uint32_t match, uint8_t c)
{
	for (uint32_t k = match; k > 0; k--)
		if ((uint8_t)panic_marker[k - 1] == c &&
		    memcmp(panic_marker, panic_marker + match - (k - 1), k - 1) == 0)
			return k;
	return 0;
}

bool panic_watch_byte(struct panic_watch *w, uint8_t c)
{
	if (c == (uint8_t)panic_marker[w->match])
		w->match++;
	else
		w->match = fallback(w->match, c);
	if (w->match == sizeof(panic_marker) - 1) {
		w->match = 0;
		w->line = true; /* act at the end of this line */
	}
	if (w->line && c == '\n') {
		w->line = false;
		return true;
	}
	return false;
}
