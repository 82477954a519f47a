// SPDX-License-Identifier: MIT
/*
 * What one VM can do to the others through the shared console
 * (docs/fault-matrix.md, "Shared services"): hold the line with a slow
 * dribble, stall a neighbour's transmit behind a full buffer, forge lines
 * under another prefix or as the hypervisor's, and ask the terminal
 * questions whose answers would go to whoever has the keyboard. The
 * multiplexer with the captured UART of conmux_bed.h, rendered by the small
 * terminal of screen.h: what a user would see.
 */
#include "helpers.h"

#include <stdio.h>
#include <string.h>

#include "conmux_bed.h"
#include "screen.h"

static int setup(void **state)
{
	(void)state;
	bed_init(1000, false);
	return 0;
}

/* The hypervisor timer: the multiplexer is polled when it asked to be. */
static uint64_t due;

static void tick(void)
{
	if (due && clock_ms >= due)
		due = conmux_poll(&m);
}

static void put_timed(uint32_t port, const char *s)
{
	put(port, s);
	uint64_t want = clock_ms + CONMUX_WAIT_MS + 1; /* what console_putc arms */
	if (!due || want < due)
		due = want;
}

static size_t count_char(char c)
{
	size_t n = 0;

	for (size_t i = 0; i < out_len; i++)
		n += out[i] == c;
	return n;
}

/*
 * a writes one byte every 90 ms and never a newline, for 20 s; b writes a
 * line now and then. b's lines, and each of a's bytes, reach the UART
 * within CONMUX_WAIT_MS (+1 ms for the timer). Before the bound, a held the
 * line for as long as it wrote faster than every 100 ms: b's first line
 * waited until a had written a whole buffer (46 s).
 */
static void test_dribble_cannot_hold_the_line(void **state)
{
	(void)state;
	uint64_t start = clock_ms, b_sent = 0, a_sent[256];
	uint32_t a_count = 0, b_count = 0, b_seen = 0;
	uint64_t worst_b = 0, worst_a = 0;

	due = 0;
	for (; clock_ms < start + 20000; clock_ms++) {
		if ((clock_ms - start) % 90 == 0 && a_count < 256) {
			a_sent[a_count++] = clock_ms;
			put_timed(pa, "x");
		}
		if ((clock_ms - start) % 1234 == 617 && b_seen == b_count) {
			b_sent = clock_ms;
			b_count++;
			put_timed(pb, "message\r\n");
		}
		tick();
		uint32_t lines = 0;
		for (const char *s = out; (s = strstr(s, "[b] message")); s++)
			lines++;
		if (lines > b_seen) {
			b_seen = lines;
			worst_b = MAX(worst_b, clock_ms - b_sent);
		}
		for (size_t k = count_char('x'); k < a_count; k++)
			worst_a = MAX(worst_a, clock_ms - a_sent[k]);
	}
	assert_true(b_count >= 10);
	assert_int_equal(b_seen, b_count);
	if (worst_b > CONMUX_WAIT_MS + 1)
		fail_msg("b's line waited %llu ms for a's dribble", (unsigned long long)worst_b);
	if (worst_a > CONMUX_WAIT_MS + 1)
		fail_msg("a byte of a waited %llu ms", (unsigned long long)worst_a);
	/* a's line, broken for b, goes on under its continuation prefix */
	assert_non_null(strstr(out, "[a]+ x"));
}

/*
 * a holds the line and keeps typing; b writes more than its buffer holds
 * in one go (a kernel's burst with interrupts off). b is never refused: a
 * full buffer takes the line at once.
 */
static void test_full_buffer_does_not_wait_for_the_holder(void **state)
{
	(void)state;
	put(pa, "login: ");
	clock_ms += 2 * CONMUX_WAIT_MS;
	conmux_poll(&m);
	assert_int_equal(m.owner, (int)pa);
	for (uint32_t i = 0; i < 4 * CONMUX_BUF; i++) {
		if (i % 64 == 0)
			put(pa, "k"); /* a is busy the whole time */
		if (!conmux_putc(&m, pb, i % 80 == 79 ? '\n' : (uint8_t)('a' + i % 26)))
			fail_msg("b's byte %u refused while a held the line", i);
	}
	assert_non_null(strstr(out, "[b] abc"));
}

/*
 * With nobody else holding the line, a port writing one line slowly (a
 * kernel's line under emulation, 10 ms a byte) waits on nobody but itself:
 * its line stays whole while another port's whole lines go around it; and
 * progress dots that never end a line show within CONMUX_PARTIAL_MS.
 */
static void test_slow_line_stays_whole_and_dots_show(void **state)
{
	(void)state;
	const char *line = "[    0.000000] Booting Linux\n";

	for (const char *c = line; *c; c++) {
		put(pa, (char[]){ *c, '\0' });
		put(pb, "b's quick line\n");
		clock_ms += 10;
		conmux_poll(&m);
	}
	assert_non_null(strstr(out, "[a] [    0.000000] Booting Linux\r\n"));
	assert_null(strstr(out, "[a]+"));
	/* dots, 30 ms apart: none waits longer than CONMUX_PARTIAL_MS */
	bed_init(1000, false);
	uint64_t start = clock_ms;
	size_t shown = 0;
	for (uint32_t i = 0; i < 100; i++) {
		put(pa, ".");
		clock_ms += 30;
		conmux_poll(&m);
		if (count_char('.') > shown) {
			shown = count_char('.');
			assert_true(clock_ms - start - 30 * (shown - 1) <= CONMUX_PARTIAL_MS + 30);
		}
	}
	assert_true(shown >= 90);
}

/* Every non-empty row of the screen starts with a port's prefix; the forged text is only on a's rows. */
static void check_rows(int rows, const char *forged)
{
	for (int r = 0; r < rows; r++) {
		const char *t = screen_row(r);
		if (!*t)
			continue;
		if (strncmp(t, "[a] ", 4) && strncmp(t, "[a]+ ", 5) && strncmp(t, "[b] ", 4) && strncmp(t, "[hv] ", 5))
			fail_msg("row %d has no prefix: \"%s\"", r, t);
		if (strstr(t, forged) && strncmp(t, "[a]", 3))
			fail_msg("a's text on a row not a's: \"%s\"", t);
	}
}

/* Each of these, written by a after some text of its own, tries to put "FORGED" somewhere else. */
static const char *const forgeries[] = {
	"\r[b] FORGED\r\n",        /* a CR back over the prefix */
	"\r[hv] FORGED\r\n",       /* ... as the hypervisor */
	"\x1b[2K\r[b] FORGED\r\n", /* erase the line first */
	"\x1b[1G[b] FORGED\r\n",   /* column 1 */
	"\x1b[1;1H[b] FORGED\r\n", /* home */
	"\x1b[2A\r[b] FORGED\r\n", /* up two lines, to b's */
	"\x1b"
	"7\x1b[3A\x1b"
	"8FORGED\r\n",                                /* save, move, restore */
	"\x1b[100D[b] FORGED\r\n",                    /* far left */
	"\b\b\b\b\b\b\b\b\b\b\b\b\b\b[b] FORGED\r\n", /* backspaces */
	"\x1bM\x1bM[b] FORGED\r\n",                   /* reverse index */
	"\x1b[?7l\x1b[200C\r\n[b] FORGED",            /* no wrap, then right */
	"\xc2\x9b"
	"2A[b] FORGED\r\n", /* an 8-bit CSI as UTF-8 */
	"\x9b"
	"2A[b] FORGED\r\n", /* a bare 8-bit CSI */
	"\xe0\x80\x9b"
	"2A[b] FORGED\r\n",                                 /* an overlong ESC */
	"\x1b]0;title\a\x1b[A[b] FORGED\r\n",               /* a title, then up */
	"\x1b[3\r\x1b[2K\r\x1b[1A[b] FORGED\r\n",           /* a CR inside a sequence */
	"\xcc\x81\xcc\x81\xcc\x81\xcc\x81\r[b] FORGED\r\n", /* combining marks, then CR */
	"\x0b\x0c\x1b[10S[b] FORGED\r\n",                   /* vertical tab, form feed, scroll */
};

static void test_forged_lines_stay_on_their_own_line(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(forgeries) / sizeof(forgeries[0]); i++) {
		bed_init(1000, false);
		put(pb, "b's first line\r\n");
		conmux_line(&m, hv, "a hypervisor line");
		put(pb, "b's second line\r\n");
		put(pa, "~ # abc");
		put(pa, forgeries[i]);
		put(pa, "\r\n");
		put(pb, "b's third line\r\n");
		clock_ms += CONMUX_WAIT_MS;
		conmux_poll(&m);
		int rows = screen_render(out, out_len);
		check_rows(rows, "FORGED");
		/* b's and the hypervisor's rows are as they wrote them */
		int intact = 0;
		for (int r = 0; r < rows; r++)
			intact += !strcmp(screen_row(r), "[b] b's first line") ||
				  !strcmp(screen_row(r), "[b] b's second line") ||
				  !strcmp(screen_row(r), "[b] b's third line") ||
				  !strcmp(screen_row(r), "[hv] a hypervisor line");
		if (intact != 4)
			fail_msg("forgery %zu: %d of the 4 rows of b and the hypervisor intact", i, intact);
	}
}

/* a's colours are its own: reset at the end of its line, and when its line is broken. */
static void test_colour_is_reset(void **state)
{
	(void)state;
	put(pa, "\x1b[31mred\r\n");
	assert_string_equal(out, "[a] \x1b[31mred\x1b[m\r\n");
	bed_init(1000, false);
	put(pa, "\x1b[1;32mgreen");
	clock_ms += CONMUX_WAIT_MS;
	conmux_poll(&m);
	conmux_line(&m, hv, "message");
	assert_string_equal(out, "[a] \x1b[1;32mgreen\x1b[m\r\n[hv] message\r\n");
}

/* busybox asks where the cursor is at every prompt: a is answered for itself; the terminal never hears it. */
static void test_cursor_query_answered_for_the_port(void **state)
{
	(void)state;
	uint8_t answer[TERMFILTER_ANSWER_MAX];
	uint32_t port = 99;

	assert_false(conmux_asked(&m));
	put(pa, "~ # \x1b[6n");
	assert_true(conmux_asked(&m));
	assert_int_equal(conmux_answer(&m, &port, answer), 6);
	assert_int_equal(port, pa);
	assert_memory_equal(answer, "\x1b[1;5R", 6);
	assert_int_equal(conmux_answer(&m, &port, answer), 0);
	clock_ms += CONMUX_WAIT_MS;
	conmux_poll(&m);
	assert_string_equal(out, "[a] ~ # ");
	/* a VM that stops with a question pending gets no answer in its next life */
	put(pb, "\x1b[6n");
	conmux_end_line(&m, pb);
	assert_int_equal(conmux_answer(&m, &port, answer), 0);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup(f, setup)
	const struct CMUnitTest tests[] = {
		T(test_dribble_cannot_hold_the_line),
		T(test_full_buffer_does_not_wait_for_the_holder),
		T(test_slow_line_stays_whole_and_dots_show),
		T(test_forged_lines_stay_on_their_own_line),
		T(test_colour_is_reset),
		T(test_cursor_query_answered_for_the_port),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
