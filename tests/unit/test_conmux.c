// SPDX-License-Identifier: MIT
/*
 * The console multiplexer (core/console/conmux.c) on its own, with a captured UART
 * and a clock the test moves: "[name] " prefixes, whole lines, no two ports
 * inside one line, partial lines after CONMUX_WAIT_MS, a holder losing an
 * idle line, the hypervisor's lines, backpressure and tx-ready, and input:
 * Ctrl-A three times switches focus, held Ctrl-As are delivered when
 * something else follows, and bytes go to the focused port only.
 * A long pseudo-random schedule checks the line rules end to end.
 */
#include "helpers.h"

#include <stdio.h>
#include <string.h>

#include "conmux_bed.h"

static int setup(void **state)
{
	(void)state;
	bed_init(1000, false);
	return 0;
}

static void reset_out(void)
{
	out_len = 0;
	out[0] = '\0';
}

/* Port a writes a partial line and falls quiet: it goes out, and a holds the line. */
static void a_holds_line(const char *prompt)
{
	put(pa, prompt);
	clock_ms += CONMUX_WAIT_MS;
	conmux_poll(&m);
	assert_int_equal(m.owner, (int)pa);
}

static void test_ports(void **state)
{
	(void)state;
	assert_int_equal(hv, 0);
	assert_int_equal(pa, 1);
	assert_int_equal(pb, 2);
	assert_int_equal(m.focus, pa); /* the first port that takes input */
	/* more ports than the multiplexer holds */
	while (m.port_count < CONMUX_MAX_PORTS)
		conmux_add_port(&m, "x", true);
	assert_int_equal(conmux_add_port(&m, "extra", true), 0);
	assert_int_equal(m.port_count, CONMUX_MAX_PORTS);
	/* ports that do not exist */
	assert_false(conmux_putc(&m, CONMUX_MAX_PORTS, 'x'));
	assert_false(conmux_can_put(&m, CONMUX_MAX_PORTS));
	conmux_line(&m, 1000, "nobody");
	assert_int_equal(out_len, 0);
}

static void test_whole_line_with_prefix(void **state)
{
	(void)state;
	put(pa, "hello\n");
	assert_string_equal(out, "[a] hello\r\n");
	assert_int_equal(m.owner, -1);
	put(pb, "second\r\n");
	assert_string_equal(out, "[a] hello\r\n[b] second\r\n");
	assert_int_equal(m.port[pa].bytes_out, 7); /* the line end is CR LF */
	assert_int_equal(conmux_poll(&m), 0);      /* nothing waiting */
}

static void test_partial_line_after_idle(void **state)
{
	(void)state;
	put(pa, "abc");
	assert_string_equal(out, ""); /* a partial line waits */
	clock_ms += CONMUX_WAIT_MS - 1;
	assert_int_equal(conmux_poll(&m), 1000 + CONMUX_WAIT_MS); /* when to look again */
	assert_string_equal(out, "");
	clock_ms += 1;
	assert_int_equal(conmux_poll(&m), 0);
	assert_string_equal(out, "[a] abc");
	/* the holder's further bytes go straight out, its line ends with the newline */
	put(pa, "def\n");
	assert_string_equal(out, "[a] abcdef\r\n");
	assert_int_equal(m.owner, -1);
	assert_int_equal(m.port[pa].len, 0);
}

static void test_lines_never_interleave(void **state)
{
	(void)state;
	put(pa, "AAA");
	put(pb, "BBB\n");
	assert_string_equal(out, "[b] BBB\r\n");
	put(pa, "A\n");
	assert_string_equal(out, "[b] BBB\r\n[a] AAAA\r\n");
}

static void test_holder_keeps_line_for_a_while(void **state)
{
	(void)state;
	a_holds_line("prompt$ ");
	assert_string_equal(out, "[a] prompt$ ");
	clock_ms += 5;
	put(pa, "l");         /* typing: straight out */
	put(pb, "message\n"); /* b's line waits for a's, a while */
	clock_ms += 5;
	put(pa, "s");
	assert_string_equal(out, "[a] prompt$ ls");
	uint64_t next = conmux_poll(&m);
	assert_int_equal(next, clock_ms - 5 + CONMUX_WAIT_MS); /* when b will have waited enough */
	assert_string_equal(out, "[a] prompt$ ls");
	put(pa, "\n");
	conmux_poll(&m);
	assert_string_equal(out, "[a] prompt$ ls\r\n[b] message\r\n");
}

static void test_holder_loses_line_to_a_waiting_port(void **state)
{
	(void)state;
	a_holds_line("login: ");
	put(pa, "r");
	put(pb, "boot message\n");
	assert_string_equal(out, "[a] login: r"); /* b waits, a while */
	clock_ms += CONMUX_WAIT_MS - 1;
	conmux_poll(&m);
	assert_string_equal(out, "[a] login: r");
	clock_ms += 1;
	conmux_poll(&m);
	/* a's line is ended, b's line follows whole */
	assert_string_equal(out, "[a] login: r\r\n[b] boot message\r\n");
	assert_int_equal(m.owner, -1);
	/* a continues later under the continuation prefix */
	put(pa, "oot\n");
	assert_string_equal(out, "[a] login: r\r\n[b] boot message\r\n[a]+ oot\r\n");
	/* and its next line is a new one */
	put(pa, "next\n");
	assert_string_equal(out, "[a] login: r\r\n[b] boot message\r\n[a]+ oot\r\n[a] next\r\n");
}

static void test_quiet_holder_loses_line_at_once(void **state)
{
	(void)state;
	a_holds_line("login: ");
	clock_ms += CONMUX_WAIT_MS;
	put(pb, "boot message\n");
	assert_string_equal(out, "[a] login: \r\n[b] boot message\r\n");
}

static void test_two_partial_lines_after_idle(void **state)
{
	(void)state;
	put(pa, "a1");
	put(pb, "b1");
	clock_ms += CONMUX_WAIT_MS;
	assert_int_equal(conmux_poll(&m), 0);
	/* both go out, each on a line of its own */
	assert_string_equal(out, "[a] a1\r\n[b] b1");
	assert_int_equal(m.owner, (int)pb);
}

static void test_hypervisor_line_does_not_wait(void **state)
{
	(void)state;
	a_holds_line("prompt$ ");
	conmux_line(&m, hv, "vm1: restarting");
	assert_string_equal(out, "[a] prompt$ \r\n[hv] vm1: restarting\r\n");
	assert_int_equal(m.owner, -1);
	/* a's next bytes continue its broken line ("[a]+ "), when complete */
	put(pa, "x");
	assert_string_equal(out, "[a] prompt$ \r\n[hv] vm1: restarting\r\n");
	put(pa, "\n");
	assert_string_equal(out, "[a] prompt$ \r\n[hv] vm1: restarting\r\n[a]+ x\r\n");
	/* and waiting whole lines go out after it */
	reset_out();
	put(pb, "partial");
	conmux_line(&m, hv, "hello");
	assert_string_equal(out, "[hv] hello\r\n");
}

static void test_full_buffer_with_free_line_goes_out(void **state)
{
	(void)state;
	uint32_t n = 0;

	while (m.port[pb].len + TERMFILTER_MAX_OUT < CONMUX_BUF)
		assert_true(conmux_putc(&m, pb, (uint8_t)('a' + n++ % 26)));
	assert_int_equal(out_len, 0);
	/* a full buffer is written as a partial line at once; b then holds the line */
	assert_true(conmux_putc(&m, pb, (uint8_t)('a' + n++ % 26)));
	assert_int_equal(out_len, 4 + n);
	assert_int_equal(strncmp(out, "[b] abcdefg", 11), 0);
	assert_int_equal(m.owner, (int)pb);
	assert_true(conmux_can_put(&m, pb));
	assert_true(conmux_putc(&m, pb, '!'));
	assert_int_equal(out[out_len - 1], '!');
}

static void test_no_room_and_tx_ready(void **state)
{
	(void)state;
	a_holds_line("$ ");
	put(pa, "typing");
	/* b buffers most of a buffer: a holds the line and is busy */
	for (uint32_t i = 0; i < CONMUX_BUF / 2; i++)
		assert_true(conmux_putc(&m, pb, 'B'));
	assert_true(conmux_can_put(&m, pb));
	assert_false(conmux_room(&m, pb, CONMUX_BUF / 2)); /* not that much */
	assert_int_equal(conmux_take_ready(&m), 0);        /* no room yet */
	/* the holder's own bytes are never refused */
	assert_true(conmux_room(&m, pa, CONMUX_BUF / 2));
	/* a ends its line; b's partial line goes out once it has waited, and b is told */
	put(pa, "\n");
	conmux_poll(&m);
	assert_int_equal(conmux_take_ready(&m), 0);
	clock_ms += CONMUX_WAIT_MS;
	conmux_poll(&m);
	assert_int_equal(m.port[pb].len, 0);
	assert_int_equal(conmux_take_ready(&m), 1U << pb);
	assert_int_equal(conmux_take_ready(&m), 0); /* told once */
	assert_true(conmux_room(&m, pb, CONMUX_BUF / 2));
	assert_int_equal(m.port[pb].bytes_out, CONMUX_BUF / 2);
}

static void test_refusal_after_asking_again(void **state)
{
	(void)state;
	/* told "no room", then room came before anyone took the notice, then
	 * "no room" again: only the latest answer stands */
	a_holds_line("$ ");
	for (uint32_t i = 0; i < CONMUX_BUF / 2; i++)
		assert_true(conmux_putc(&m, pb, 'B'));
	assert_false(conmux_room(&m, pb, CONMUX_BUF / 2));
	clock_ms += CONMUX_WAIT_MS;
	conmux_poll(&m); /* b's bytes go out: it is ready */
	for (uint32_t i = 0; i < CONMUX_BUF / 2; i++)
		assert_true(conmux_putc(&m, pa, 'A')); /* b holds the line now: a's bytes wait */
	assert_false(conmux_room(&m, pa, CONMUX_BUF / 2));
	assert_int_equal(conmux_take_ready(&m), 1U << pb);
	assert_true(conmux_room(&m, pb, CONMUX_BUF / 2)); /* the holder */
}

static void test_room_frees_like_putc(void **state)
{
	(void)state;
	a_holds_line("$ ");
	put(pa, "x");
	for (uint32_t i = 0; i < CONMUX_BUF / 2; i++)
		assert_true(conmux_putc(&m, pb, 'B'));
	/* time passes: b has waited enough, though nobody polled */
	clock_ms += CONMUX_WAIT_MS;
	assert_true(conmux_room(&m, pb, CONMUX_BUF / 2));
	assert_int_equal(conmux_take_ready(&m), 0); /* it was never told "no" */
}

static void test_poll_deadline(void **state)
{
	(void)state;
	assert_int_equal(conmux_poll(&m), 0);
	put(pa, "x");
	clock_ms += 10;
	put(pb, "y");
	/* the earliest deadline: a's */
	assert_int_equal(conmux_poll(&m), 1000 + CONMUX_WAIT_MS);
	clock_ms = 1000 + CONMUX_WAIT_MS;
	assert_int_equal(conmux_poll(&m), 1010 + CONMUX_WAIT_MS);
	assert_string_equal(out, "[a] x");
	clock_ms = 1010 + CONMUX_WAIT_MS;
	assert_int_equal(conmux_poll(&m), 0);
	assert_string_equal(out, "[a] x\r\n[b] y");
}

static void test_long_names(void **state)
{
	(void)state;
	char name[FV_NAME_MAX + 8];

	memset(name, 'n', sizeof(name));
	name[sizeof(name) - 1] = '\0';
	uint32_t p = conmux_add_port(&m, name, true);
	put(p, "hi\n");
	char want[FV_NAME_MAX + 16];
	snprintf(want, sizeof(want), "[%.*s] hi\r\n", FV_NAME_MAX - 1, name);
	assert_string_equal(out, want);
}

/* ---------------- input ---------------- */

static struct conmux_input type(uint8_t c)
{
	struct conmux_input in;

	memset(&in, 0xee, sizeof(in));
	conmux_input(&m, c, &in);
	return in;
}

static void test_input_goes_to_focus(void **state)
{
	(void)state;
	struct conmux_input in = type('x');

	assert_int_equal(in.port, pa);
	assert_int_equal(in.count, 1);
	assert_int_equal(in.bytes[0], 'x');
	assert_false(in.switched);
	assert_int_equal(out_len, 0); /* input is not echoed by the multiplexer */
}

static void test_ctrl_a_three_times_switches(void **state)
{
	(void)state;
	struct conmux_input in;

	in = type(CONMUX_SWITCH_CHAR);
	assert_int_equal(in.count, 0);
	assert_false(in.switched);
	in = type(CONMUX_SWITCH_CHAR);
	assert_int_equal(in.count, 0);
	in = type(CONMUX_SWITCH_CHAR);
	assert_true(in.switched);
	assert_int_equal(in.count, 0);
	assert_int_equal(in.port, pb);
	assert_int_equal(m.focus, pb);
	assert_string_equal(out, "[hv] input goes to b now (Ctrl-A three times switches)\r\n");
	in = type('y');
	assert_int_equal(in.port, pb);
	/* again: back to a, skipping the hypervisor's port, which takes no input */
	for (int i = 0; i < 3; i++)
		in = type(CONMUX_SWITCH_CHAR);
	assert_int_equal(in.port, pa);
	assert_int_equal(m.focus, pa);
}

static void test_held_ctrl_a_delivered(void **state)
{
	(void)state;
	struct conmux_input in;

	type(CONMUX_SWITCH_CHAR);
	in = type('z');
	assert_int_equal(in.port, pa);
	assert_int_equal(in.count, 2);
	assert_int_equal(in.bytes[0], CONMUX_SWITCH_CHAR);
	assert_int_equal(in.bytes[1], 'z');
	type(CONMUX_SWITCH_CHAR);
	type(CONMUX_SWITCH_CHAR);
	in = type('q');
	assert_int_equal(in.count, 3);
	assert_memory_equal(in.bytes, "\x01\x01q", 3);
	assert_false(in.switched);
	assert_int_equal(m.focus, pa);
	/* the count starts over after a delivered byte: two more Ctrl-A do not switch */
	type(CONMUX_SWITCH_CHAR);
	in = type(CONMUX_SWITCH_CHAR);
	assert_false(in.switched);
	in = type(CONMUX_SWITCH_CHAR);
	assert_true(in.switched);
	assert_int_equal(out_len, strlen("[hv] input goes to b now (Ctrl-A three times switches)\r\n"));
}

static void test_single_input_port_keeps_focus(void **state)
{
	(void)state;
	conmux_init(&m, capture, now);
	conmux_add_port(&m, "hv", false);
	uint32_t only = conmux_add_port(&m, "solo", true);
	struct conmux_input in;
	for (int i = 0; i < 3; i++)
		in = type(CONMUX_SWITCH_CHAR);
	assert_true(in.switched);
	assert_int_equal(in.port, only);
	assert_string_equal(out, "[hv] input goes to solo now (Ctrl-A three times switches)\r\n");
}

static void test_set_focus(void **state)
{
	(void)state;
	conmux_set_focus(&m, hv); /* takes no input: ignored */
	assert_int_equal(m.focus, pa);
	conmux_set_focus(&m, 99);
	assert_int_equal(m.focus, pa);
	assert_int_equal(out_len, 0);
	conmux_set_focus(&m, pb);
	assert_int_equal(m.focus, pb);
	assert_string_equal(out, "[hv] input goes to b now (Ctrl-A three times switches)\r\n");
	assert_int_equal(type('k').port, pb);
}

/* ---------------- the rules, end to end ---------------- */

static uint32_t rng = 12345;

static uint32_t next_rand(void)
{
	rng = rng * 1103515245U + 12345U;
	return rng >> 16;
}

static void test_random_schedule_keeps_lines_whole(void **state)
{
	(void)state;
	static char sent[4][20000], got[4][20000];
	uint32_t sent_len[4] = { 0 }, got_len[4] = { 0 }, seq[4] = { 0 };
	const char *names[4] = { "hv", "a", "b", "c" };
	uint32_t hv_lines = 0;

	uint32_t pc = conmux_add_port(&m, "c", true);
	assert_int_equal(pc, 3);
	for (uint32_t step = 0; step < 30000; step++) {
		uint32_t r = next_rand() % 100;
		if (r < 80) {
			uint32_t p = 1 + next_rand() % 3;
			char c = next_rand() % 12 == 0 ? '\n' : (char)('0' + seq[p]++ % 10);
			if (conmux_putc(&m, p, (uint8_t)c) && c != '\n')
				sent[p][sent_len[p]++] = c;
		} else if (r < 92) {
			clock_ms += next_rand() % (2 * CONMUX_WAIT_MS);
		} else if (r < 99) {
			conmux_poll(&m);
			conmux_take_ready(&m);
		} else {
			char line[32];
			snprintf(line, sizeof(line), "message %u", hv_lines++);
			conmux_line(&m, hv, line);
		}
	}
	clock_ms += CONMUX_WAIT_MS;
	assert_int_equal(conmux_poll(&m), 0);
	for (uint32_t p = 0; p < 4; p++)
		assert_int_equal(m.port[p].len, 0);

	/* every line: "[name] " then bytes of that port only */
	uint32_t hv_seen = 0;
	for (char *line = out; *line;) {
		char *end = strchr(line, '\n');
		size_t n = end ? (size_t)(end - line) : strlen(line);
		if (n && line[n - 1] == '\r')
			n--; /* a line ended by the multiplexer, or the hypervisor's CR LF */
		int who = -1;
		for (int p = 0; p < 4; p++) {
			size_t k = strlen(names[p]);
			if (n >= k + 3 && line[0] == '[' && strncmp(line + 1, names[p], k) == 0 &&
			    (strncmp(line + 1 + k, "] ", 2) == 0 || (p && strncmp(line + 1 + k, "]+ ", 3) == 0)))
				who = p;
		}
		if (who < 0)
			fail_msg("a line without a port prefix: \"%.*s\"", (int)n, line);
		size_t k = strlen(names[who]) + 3 + (line[strlen(names[who]) + 2] == '+');
		if (who == 0) {
			char want[32];
			snprintf(want, sizeof(want), "message %u", hv_seen++);
			assert_int_equal(n - k, strlen(want));
			assert_memory_equal(line + k, want, n - k);
		} else {
			for (size_t i = k; i < n; i++) {
				if (line[i] < '0' || line[i] > '9')
					fail_msg("foreign byte 0x%02x in a line of %s", (uint8_t)line[i], names[who]);
				got[who][got_len[who]++] = line[i];
			}
		}
		line += (end ? (size_t)(end - line) + 1 : strlen(line));
	}
	assert_int_equal(hv_seen, hv_lines);
	/* each port's bytes, in order, nothing lost or duplicated */
	for (uint32_t p = 1; p < 4; p++) {
		assert_int_equal(got_len[p], sent_len[p]);
		assert_memory_equal(got[p], sent[p], sent_len[p]);
	}
}

int main(void)
{
#define T(f) cmocka_unit_test_setup(f, setup)
	const struct CMUnitTest tests[] = {
		T(test_ports),
		T(test_whole_line_with_prefix),
		T(test_partial_line_after_idle),
		T(test_lines_never_interleave),
		T(test_holder_keeps_line_for_a_while),
		T(test_holder_loses_line_to_a_waiting_port),
		T(test_quiet_holder_loses_line_at_once),
		T(test_two_partial_lines_after_idle),
		T(test_hypervisor_line_does_not_wait),
		T(test_full_buffer_with_free_line_goes_out),
		T(test_no_room_and_tx_ready),
		T(test_refusal_after_asking_again),
		T(test_room_frees_like_putc),
		T(test_poll_deadline),
		T(test_long_names),
		T(test_input_goes_to_focus),
		T(test_ctrl_a_three_times_switches),
		T(test_held_ctrl_a_delivered),
		T(test_single_input_port_keeps_focus),
		T(test_set_focus),
		T(test_random_schedule_keeps_lines_whole),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
