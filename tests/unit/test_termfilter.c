// SPDX-License-Identifier: MIT
/*
 * The terminal filter (core/console/termfilter.c) rule by rule, as
 * include/fv/termfilter.h and docs/console.md state it: what passes, what
 * is shown escaped, what is dropped whole, what is answered.
 */
#include "helpers.h"

#include <string.h>

#include <fv/termfilter.h>

static struct termfilter f;
static char got[4096];

static int setup(void **state)
{
	(void)state;
	termfilter_init(&f);
	return 0;
}

/* What the filter makes of `n` bytes. */
static const char *filt_n(const char *in, size_t n)
{
	size_t len = 0;

	for (size_t i = 0; i < n; i++) {
		uint8_t out[TERMFILTER_MAX_OUT];
		uint32_t k = termfilter_byte(&f, (uint8_t)in[i], out);
		assert_true(k <= TERMFILTER_MAX_OUT);
		assert_true(len + k < sizeof(got));
		memcpy(got + len, out, k);
		len += k;
	}
	got[len] = '\0';
	return got;
}

static const char *filt(const char *in)
{
	return filt_n(in, strlen(in));
}

static void test_text_passes(void **state)
{
	(void)state;
	assert_string_equal(filt("hello, world ~#$%"), "hello, world ~#$%");
	assert_int_equal(f.col, 17);
	assert_string_equal(filt("\xc3\xa9t\xc3\xa9 \xe2\x82\xac \xf0\x9f\x99\x82"),
			    "\xc3\xa9t\xc3\xa9 \xe2\x82\xac \xf0\x9f\x99\x82");
	assert_int_equal(f.col, 17 + 3); /* non-ASCII counts no column: never more than the terminal */
	assert_string_equal(filt("\a\t"), "\a\t");
}

static void test_line_ends(void **state)
{
	(void)state;
	assert_string_equal(filt("a\nb\r\nc\r\r\n"), "a\r\nb\r\nc\r\n");
	assert_int_equal(f.col, 0);
}

static void test_lone_cr_goes_back_to_first_column(void **state)
{
	(void)state;
	assert_string_equal(filt("50%\r60%"), "50%\x1b[3D60%");
	assert_string_equal(filt("\r\r"), ""); /* held: CR CR LF would be a line end */
	assert_string_equal(filt("x"), "\x1b[3Dx");
	assert_string_equal(filt("\b\ry"), "\by"); /* at its first column already: nothing to move */
	termfilter_init(&f);
	assert_string_equal(filt("\rstart"), "start");
}

static void test_left_moves_stop_at_first_column(void **state)
{
	(void)state;
	assert_string_equal(filt("abc\b\b\b\b\bX"), "abc\b\b\bX");
	assert_string_equal(filt("\x1b[D\x1b[9D"), "\x1b[1D");
	assert_int_equal(f.col, 0);
	assert_string_equal(filt("\x1b[5D"), "");
	assert_string_equal(filt("abcdef\x1b[0D\x1b[2D"), "abcdef\x1b[1D\x1b[2D");
	assert_int_equal(f.col, 3);
	assert_string_equal(filt("\x1b[99999999999D"), "\x1b[3D");
}

static void test_allowed_sequences(void **state)
{
	(void)state;
	assert_string_equal(filt("ab\x1b[K\x1b[0K\x1b[J\x1b[0J\x1b[3C"), "ab\x1b[K\x1b[0K\x1b[J\x1b[0J\x1b[3C");
	assert_int_equal(f.col, 2); /* a move right counts nothing: it may stop at the margin */
	assert_string_equal(filt("\x1b[1;31mred\x1b[0m"), "\x1b[1;31mred\x1b[0m");
	assert_false(f.sgr);
}

static void test_colour_reset_at_line_end_and_break(void **state)
{
	(void)state;
	uint8_t out[TERMFILTER_MAX_OUT];

	assert_string_equal(filt("\x1b[31mred\n"), "\x1b[31mred\x1b[m\r\n");
	assert_string_equal(filt("\x1b[32mgreen"), "\x1b[32mgreen");
	assert_int_equal(termfilter_break(&f, out), 3);
	assert_memory_equal(out, "\x1b[m", 3);
	assert_int_equal(f.col, 0);
	assert_int_equal(termfilter_break(&f, out), 0); /* nothing set: nothing to reset */
}

static void test_dropped_sequences(void **state)
{
	(void)state;
	static const char *const drop[] = {
		"\x1b[2K",
		"\x1b[1K",
		"\x1b[1J",
		"\x1b[2J",
		"\x1b[H",
		"\x1b[5;5H",
		"\x1b[A",
		"\x1b[3B",
		"\x1b[1G",
		"\x1b[s",
		"\x1b[u",
		"\x1b[?25l",
		"\x1b[?1049h",
		"\x1b[4h",
		"\x1b[2;20r",
		"\x1b[S",
		"\x1b[T",
		"\x1b[1;2D",
		"\x1b[c",
		"\x1b[>c",
		"\x1b[5n",
		"\x1b[?6n",
		"\x1b[6;1n",
		"\x1b[ q",
		"\x1b[1$p",
		"\x1b"
		"7",
		"\x1b"
		"8",
		"\x1b"
		"c",
		"\x1bM",
		"\x1b"
		"D",
		"\x1b"
		"E",
		"\x1b(0",
		"\x1b)B",
		"\x1b#8",
		"\x1b]0;title\a",
		"\x1b]2;title\x1b\\",
		"\x1bPq#0;2;0;0;0\x1b\\",
		"\x1b_apc\x1b\\",
		"\x1b^pm\a",
		"\x1bXsos\a",
		"\x1b[11111111111111111111111111111111m",
	};
	for (size_t i = 0; i < sizeof(drop) / sizeof(drop[0]); i++) {
		termfilter_init(&f);
		f.col = 5;
		if (strcmp(filt(drop[i]), ""))
			fail_msg("sequence %zu passed as \"%s\"", i, got);
		assert_int_equal(f.col, 5);
		assert_string_equal(filt("ok"), "ok"); /* and the parser is back on the ground */
	}
}

static void test_cut_sequences(void **state)
{
	(void)state;
	/* a sequence cut by a control is dropped, and the control is itself */
	assert_string_equal(filt("ab\x1b[3\n"), "ab\r\n");
	assert_string_equal(filt("ab\x1b[3\rx"), "ab\x1b[2Dx");
	assert_string_equal(filt("\x1b\x1b[K"), "\x1b[K");
	assert_string_equal(filt("\x1b(\n"), "\r\n");
	/* a control string never swallows the next line */
	assert_string_equal(filt("\x1b]0;never ended\nnext"), "\r\nnext");
	/* ESC inside a string ends it and starts a sequence */
	termfilter_init(&f);
	assert_string_equal(filt("\x1b]0;t\x1b[Kz"), "\x1b[Kz");
}

static void test_controls_shown(void **state)
{
	(void)state;
	assert_string_equal(filt_n("\x01\x0b\x0c\x0e\x1f\x7f\x00", 7), "^A^K^L^N^_^?");
	assert_int_equal(f.col, 12);
}

static void test_bad_utf8_shown(void **state)
{
	(void)state;
	assert_string_equal(filt("\x9b"), "\\x9b");                            /* 8-bit CSI */
	assert_string_equal(filt("\xc2\x9b"), "\\xc2\\x9b");                   /* C1 as UTF-8 */
	assert_string_equal(filt("\xe0\x80\x9b"), "\\xe0\\x80\\x9b");          /* overlong */
	assert_string_equal(filt("\xc0\xaf\xff"), "\\xc0\\xaf\\xff");          /* never UTF-8 */
	assert_string_equal(filt("\xed\xa0\x80"), "\\xed\\xa0\\x80");          /* a surrogate */
	assert_string_equal(filt("\xf4\x90\x80\x80"), "\\xf4\\x90\\x80\\x80"); /* past U+10FFFF */
	assert_string_equal(filt("\xe2\x82z"), "\\xe2\\x82z");                 /* cut short */
	assert_string_equal(filt("\xe2\x82\n"), "\\xe2\\x82\r\n");
}

static void test_cursor_query_answered(void **state)
{
	(void)state;
	uint8_t out[TERMFILTER_ANSWER_MAX];

	assert_int_equal(termfilter_answer(&f, out), 0);
	assert_string_equal(filt("~ # \x1b[6n"), "~ # ");
	assert_int_equal(termfilter_answer(&f, out), 6);
	assert_memory_equal(out, "\x1b[1;5R", 6);
	assert_int_equal(termfilter_answer(&f, out), 0); /* once */
	f.col = 65535;
	filt("\x1b[6n");
	assert_int_equal(termfilter_answer(&f, out), 10);
	assert_memory_equal(out, "\x1b[1;65536R", 10);
}

static void test_most_output_per_byte(void **state)
{
	(void)state;
	/* the largest expansions stay within TERMFILTER_MAX_OUT (filt_n checks each byte) */
	f.col = 9000;
	filt("\r\xf0\x9f\x99\x1b");
	f.col = 9000;
	filt("\x1b[1;2;3;4;5;6;7;8m");
	filt("\x1b[31m\xf0\x9f\x99\n");
	filt("\r\x1b[111111111111111D");
}

int main(void)
{
#define T(f) cmocka_unit_test_setup(f, setup)
	const struct CMUnitTest tests[] = {
		T(test_text_passes),
		T(test_line_ends),
		T(test_lone_cr_goes_back_to_first_column),
		T(test_left_moves_stop_at_first_column),
		T(test_allowed_sequences),
		T(test_colour_reset_at_line_end_and_break),
		T(test_dropped_sequences),
		T(test_cut_sequences),
		T(test_controls_shown),
		T(test_bad_utf8_shown),
		T(test_cursor_query_answered),
		T(test_most_output_per_byte),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
