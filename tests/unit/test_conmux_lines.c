// SPDX-License-Identifier: MIT
/*
 * The console multiplexer (core/console/conmux.c) where lines are cut, started and
 * ended on a port's behalf: a line ended early (break_line) continues under
 * "[name]+ " exactly once per cut, so a reader can join the pieces; a whole
 * line (conmux_line, the hypervisor's messages) starts a line of its own,
 * also after the same port's partial line, and what follows it is new;
 * conmux_end_line (a VM stopped) writes out and ends the port's partial
 * line; and conmux_room answers "room for N bytes" and announces tx-ready
 * only once that much room exists again.
 *
 * A captured UART and a clock the test moves; ports "hv", "a" and "b".
 */
#include "helpers.h"

#include <string.h>

#include "conmux_bed.h"

static int setup(void **state)
{
	(void)state;
	bed_init(5000, true);
	return 0;
}

static void put_n(uint32_t port, char c, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		assert_true(conmux_putc(&m, port, (uint8_t)c));
}

/* A port writes a partial line and falls quiet: the line goes out and the port holds it. */
static void holds_line(uint32_t port, const char *partial)
{
	put(port, partial);
	clock_ms += CONMUX_WAIT_MS;
	conmux_poll(&m);
	assert_int_equal(m.owner, (int)port);
}

static void idle_poll(void)
{
	clock_ms += CONMUX_WAIT_MS;
	conmux_poll(&m);
}

/* ---------------- "[name]+ ": the rest of a line that was cut ---------------- */

static void test_continuation_partial_then_whole(void **state)
{
	(void)state;
	holds_line(pa, "Password: ");
	clock_ms += CONMUX_WAIT_MS;
	put(pb, "b's line\n"); /* a idle: it loses the line */
	/* a's continuation is itself a partial line: it goes out when idle, as "[a]+ " */
	put(pa, "***");
	idle_poll();
	assert_string_equal(out, "[a] Password: \r\n[b] b's line\r\n[a]+ ***");
	/* and then a holds it again: the rest of the line is straight out, no third prefix */
	put(pa, "*\n");
	assert_string_equal(out, "[a] Password: \r\n[b] b's line\r\n[a]+ ****\r\n");
	/* the next line is a new one */
	put(pa, "ok\n");
	assert_string_equal(out, "[a] Password: \r\n[b] b's line\r\n[a]+ ****\r\n[a] ok\r\n");
}

static void test_each_cut_gets_one_continuation(void **state)
{
	(void)state;
	/* a's one line "abcdefghi" is cut twice; each piece after a cut is marked, once */
	holds_line(pa, "abc");
	clock_ms += CONMUX_WAIT_MS;
	put(pb, "one\n");
	holds_line(pa, "def");
	clock_ms += CONMUX_WAIT_MS;
	put(pb, "two\n");
	put(pa, "ghi\n");
	assert_string_equal(out, "[a] abc\r\n[b] one\r\n[a]+ def\r\n[b] two\r\n[a]+ ghi\r\n");
	/* the pieces join up to what a wrote */
	assert_int_equal(m.port[pa].bytes_out, strlen("abcdefghi\r\n"));
}

static void test_whole_line_waiting_is_not_a_continuation(void **state)
{
	(void)state;
	/* b's line was never cut: a line of b's after a's is plain "[b] " */
	put(pb, "b1");
	put(pa, "a1\n");
	put(pb, "\n");
	assert_string_equal(out, "[a] a1\r\n[b] b1\r\n");
	assert_false(m.port[pb].broken);
}

/* ---------------- conmux_line: whole lines of their own ---------------- */

static void test_line_after_own_partial_starts_fresh(void **state)
{
	(void)state;
	holds_line(hv, "fv> ");
	conmux_line(&m, hv, "vm1: restarting (restart 1)");
	assert_string_equal(out, "[hv] fv> \r\n[hv] vm1: restarting (restart 1)\r\n");
	assert_int_equal(m.owner, -1);
	/* what the port writes next is a new line, not the rest of the cut one */
	put(hv, "x\n");
	assert_string_equal(out + strlen("[hv] fv> \r\n[hv] vm1: restarting (restart 1)\r\n"), "[hv] x\r\n");
}

static void test_line_after_own_cut_line_has_no_plus(void **state)
{
	(void)state;
	holds_line(hv, "fv> ");
	clock_ms += CONMUX_WAIT_MS;
	put(pa, "a's line\n");
	assert_true(m.port[hv].broken);
	conmux_line(&m, hv, "message");
	assert_string_equal(out, "[hv] fv> \r\n[a] a's line\r\n[hv] message\r\n");
	put(hv, "fv> \n");
	assert_string_equal(out + strlen("[hv] fv> \r\n[a] a's line\r\n[hv] message\r\n"), "[hv] fv> \r\n");
}

static void test_line_cuts_another_ports_line(void **state)
{
	(void)state;
	holds_line(pa, "typing");
	put(pa, "!"); /* a is not idle: its line would hold against anything but a whole line */
	conmux_line(&m, hv, "now");
	assert_string_equal(out, "[a] typing!\r\n[hv] now\r\n");
	put(pa, "?\n");
	assert_string_equal(out, "[a] typing!\r\n[hv] now\r\n[a]+ ?\r\n");
}

static void test_line_takes_own_waiting_partial_out_first(void **state)
{
	(void)state;
	/* the port's own partial line is still waiting (its idle time not up) when a line comes */
	holds_line(pa, "busy");
	put(pa, ".");
	put(hv, "fv> ");
	conmux_line(&m, hv, "message");
	/* the line goes out at once, after the partial one it came after (which
	 * might otherwise wait for ever behind a stream of whole lines): in order,
	 * neither lost nor glued to it */
	assert_string_equal(out, "[a] busy.\r\n[hv] fv> \r\n[hv] message\r\n");
	assert_int_equal(m.port[hv].len, 0);
	idle_poll();
	assert_string_equal(out, "[a] busy.\r\n[hv] fv> \r\n[hv] message\r\n");
}

/* ---------------- conmux_end_line: a port's last words ---------------- */

static void test_end_line_writes_waiting_partial(void **state)
{
	(void)state;
	put(pa, "last words");
	conmux_end_line(&m, pa);
	assert_string_equal(out, "[a] last words\r\n");
	assert_int_equal(m.owner, -1);
	assert_int_equal(m.port[pa].len, 0);
	put(pa, "booting\n");
	assert_string_equal(out, "[a] last words\r\n[a] booting\r\n");
}

static void test_end_line_of_holder(void **state)
{
	(void)state;
	holds_line(pa, "login: ");
	conmux_end_line(&m, pa);
	assert_string_equal(out, "[a] login: \r\n");
	assert_int_equal(m.owner, -1);
	put(pb, "b\n");
	put(pa, "a\n");
	/* neither is a continuation: a's line was ended, not cut */
	assert_string_equal(out, "[a] login: \r\n[b] b\r\n[a] a\r\n");
}

static void test_end_line_after_cut(void **state)
{
	(void)state;
	holds_line(pa, "half");
	clock_ms += CONMUX_WAIT_MS;
	put(pb, "b\n");
	assert_true(m.port[pa].broken);
	size_t before = out_len;
	conmux_end_line(&m, pa);
	assert_int_equal(out_len, before); /* nothing to write */
	put(pa, "fresh\n");
	assert_string_equal(out, "[a] half\r\n[b] b\r\n[a] fresh\r\n");
}

static void test_end_line_with_nothing(void **state)
{
	(void)state;
	conmux_end_line(&m, pa);
	conmux_end_line(&m, 77);
	assert_int_equal(out_len, 0);
	assert_int_equal(m.owner, -1);
	/* a complete line already out: nothing more */
	put(pa, "done\n");
	conmux_end_line(&m, pa);
	assert_string_equal(out, "[a] done\r\n");
}

static void test_end_line_while_another_holds(void **state)
{
	(void)state;
	holds_line(pb, "b typing");
	put(pb, "."); /* b active: a's lines would wait */
	put(pa, "l1\nl2");
	assert_string_equal(out, "[b] b typing.");
	conmux_end_line(&m, pa);
	assert_string_equal(out, "[b] b typing.\r\n[a] l1\r\n[a] l2\r\n");
	put(pb, "!\n");
	assert_string_equal(out, "[b] b typing.\r\n[a] l1\r\n[a] l2\r\n[b]+ !\r\n");
}

/* ---------------- conmux_room ---------------- */

/* a holds the line and keeps typing; b's bytes wait in its buffer. */
static void b_blocked(void)
{
	holds_line(pa, "$ ");
	put(pa, "x");
}

/* The most a port may ask room for: what the buffer holds less what one byte can become. */
#define ROOM_MAX (CONMUX_BUF + 1 - TERMFILTER_MAX_OUT)

static void test_room_bounds(void **state)
{
	(void)state;
	assert_false(conmux_room(&m, pa, ROOM_MAX + 1));
	assert_false(conmux_room(&m, 99, 1));
	assert_true(conmux_room(&m, pa, ROOM_MAX));
	assert_true(conmux_room(&m, pa, 0));
	/* the holder has room for anything: its bytes go straight out */
	b_blocked();
	put_n(pa, 'y', 3);
	assert_true(conmux_room(&m, pa, ROOM_MAX));
	/* b: the free space, less what the last byte may become */
	put_n(pb, 'B', 474);
	assert_true(conmux_room(&m, pb, 7));
	assert_false(conmux_room(&m, pb, 8));
	assert_true(conmux_putc(&m, pb, 'B'));
	assert_false(conmux_room(&m, pb, 7));
	assert_true(conmux_room(&m, pb, 6));
	/* more than that: never, not even for the holder */
	assert_false(conmux_room(&m, pb, ROOM_MAX + 1));
	assert_false(conmux_room(&m, pa, ROOM_MAX + 1));
	assert_int_equal(conmux_take_ready(&m), 0);
}

/* The most room a port may ask for is told once it exists (found by fuzz_conmux: it never was). */
static void test_largest_room_is_told(void **state)
{
	(void)state;
	b_blocked();
	put_n(pb, 'B', 100);
	assert_false(conmux_room(&m, pb, ROOM_MAX));
	put(pa, "\n");
	idle_poll();
	assert_int_equal(m.port[pb].len, 0);
	assert_int_equal(conmux_take_ready(&m), 1U << pb);
	assert_true(conmux_room(&m, pb, ROOM_MAX));
}

static void test_impossible_room_does_not_hold_up_notices(void **state)
{
	(void)state;
	b_blocked();
	put_n(pb, 'B', 470);
	/* a request that can never be met, then one that can: the second is told */
	assert_false(conmux_room(&m, pb, ROOM_MAX + 1));
	assert_false(conmux_room(&m, pb, 16));
	put(pa, "\n");
	idle_poll();
	assert_int_equal(m.port[pb].len, 0);
	assert_int_equal(conmux_take_ready(&m), 1U << pb);
}

static void test_room_refused_is_told_when_that_much_exists(void **state)
{
	(void)state;
	b_blocked();
	put(pb, "ab\n");
	put_n(pb, 'B', 469);
	assert_int_equal(m.port[pb].len, 473);
	assert_false(conmux_room(&m, pb, 16)); /* 7 free beyond what a byte may need */
	/* a's line ends: b's whole line goes, 11 free: not yet enough */
	put(pa, "\n");
	conmux_poll(&m);
	assert_int_equal(m.port[pb].len, 469);
	assert_int_equal(conmux_take_ready(&m), 0);
	assert_false(conmux_room(&m, pb, 16));
	/* b's partial line has waited: it goes too; now there is room, and b is told, once */
	idle_poll();
	assert_int_equal(m.port[pb].len, 0);
	assert_int_equal(conmux_take_ready(&m), 1U << pb);
	assert_int_equal(conmux_take_ready(&m), 0);
	assert_true(conmux_room(&m, pb, 16));
}

static void test_room_wanted_is_forgotten_once_told(void **state)
{
	(void)state;
	/* told of 16 bytes of room ... */
	b_blocked();
	put_n(pb, 'B', 470);
	assert_false(conmux_room(&m, pb, 16));
	put(pa, "\n");
	idle_poll();
	assert_int_equal(conmux_take_ready(&m), 1U << pb);
	/* ... a later request for 4 is told as soon as 4 are free, not 16 */
	b_blocked();
	put(pb, "ab\n");
	put_n(pb, 'B', 474);
	assert_false(conmux_room(&m, pb, 4)); /* 3 free */
	put(pa, "\n");
	conmux_poll(&m);
	assert_int_equal(m.port[pb].len, 474); /* 6 free */
	assert_int_equal(conmux_take_ready(&m), 1U << pb);
}

static void test_room_answers_as_putc_would(void **state)
{
	(void)state;
	b_blocked();
	put_n(pb, 'B', 510);
	/* the holder falls quiet: b could write now, so room is made rather than refused */
	clock_ms += CONMUX_WAIT_MS;
	assert_true(conmux_room(&m, pb, 100));
	assert_int_equal(m.port[pb].len, 0);
	assert_int_equal(conmux_take_ready(&m), 0); /* never told "no" */
}

/* ---------------- conmux_puts: a string in one piece ---------------- */

static void test_puts_writes_as_putc_would(void **state)
{
	(void)state;
	const char *s = "fv> stop a\r\nfv> ";
	holds_line(pa, "busy");
	put(hv, s);
	conmux_line(&m, hv, "message");
	char one_by_one[256];
	assert_true(out_len < sizeof(one_by_one));
	memcpy(one_by_one, out, out_len + 1);
	bed_init(5000, true);
	holds_line(pa, "busy");
	assert_true(conmux_puts(&m, hv, s));
	conmux_line(&m, hv, "message");
	assert_string_equal(out, one_by_one);
	assert_string_equal(out, "[a] busy\r\n[hv] fv> stop a\r\n[hv] fv> \r\n[hv] message\r\n");
}

static void test_puts_never_waits_on_the_holder(void **state)
{
	(void)state;
	char s[3 * CONMUX_BUF];
	b_blocked();
	memset(s, 'B', sizeof(s) - 1);
	s[sizeof(s) - 1] = '\0';
	/* a holds the line: b's buffer fills, and a full buffer goes out at once */
	assert_true(conmux_puts(&m, pb, s));
	assert_int_equal(m.port[pb].bytes_out + m.port[pb].len, sizeof(s) - 1);
	assert_false(conmux_puts(&m, 99, "x"));
}

int main(void)
{
#define T(f) cmocka_unit_test_setup(f, setup)
	const struct CMUnitTest tests[] = {
		T(test_continuation_partial_then_whole),
		T(test_each_cut_gets_one_continuation),
		T(test_whole_line_waiting_is_not_a_continuation),
		T(test_line_after_own_partial_starts_fresh),
		T(test_line_after_own_cut_line_has_no_plus),
		T(test_line_cuts_another_ports_line),
		T(test_line_takes_own_waiting_partial_out_first),
		T(test_end_line_writes_waiting_partial),
		T(test_end_line_of_holder),
		T(test_end_line_after_cut),
		T(test_end_line_with_nothing),
		T(test_end_line_while_another_holds),
		T(test_room_bounds),
		T(test_largest_room_is_told),
		T(test_impossible_room_does_not_hold_up_notices),
		T(test_room_refused_is_told_when_that_much_exists),
		T(test_room_wanted_is_forgotten_once_told),
		T(test_room_answers_as_putc_would),
		T(test_puts_writes_as_putc_would),
		T(test_puts_never_waits_on_the_holder),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
