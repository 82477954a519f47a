/* SPDX-License-Identifier: MIT */
/*
 * A small terminal for the console tests: what the board's terminal shows
 * for the bytes the multiplexer wrote. It knows what the terminal filter
 * lets through (printable bytes, CR, LF, BS, TAB, BEL, CSI n C/D, CSI K,
 * CSI J, SGR) and fails the test on any other control or sequence; UTF-8
 * continuation bytes take no column. Rows never scroll off (it is tall).
 */
#ifndef TESTS_SCREEN_H
#define TESTS_SCREEN_H

#include <string.h>

#define SCREEN_ROWS 4096
#define SCREEN_COLS 80

static char screen[SCREEN_ROWS][SCREEN_COLS + 1];

static void screen_put(int *row, int *col, char c)
{
	if (*col >= SCREEN_COLS) { /* wrap */
		*col = 0;
		(*row)++;
	}
	assert_true(*row < SCREEN_ROWS);
	screen[*row][(*col)++] = c;
}

/* Render `n` bytes; returns the number of rows used. */
static int screen_render(const char *s, size_t n)
{
	int row = 0, col = 0;

	memset(screen, 0, sizeof(screen));
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\r') {
			col = 0;
		} else if (c == '\n') {
			row++;
			assert_true(row < SCREEN_ROWS);
		} else if (c == '\b') {
			if (col)
				col--;
		} else if (c == '\t') {
			col = (col + 8) & ~7;
			col = col > SCREEN_COLS - 1 ? SCREEN_COLS - 1 : col;
		} else if (c == '\a') {
		} else if (c == 0x1b) {
			assert_true(i + 1 < n && s[i + 1] == '[');
			size_t j = i + 2;
			int v = 0;
			while (j < n && ((s[j] >= '0' && s[j] <= '9') || s[j] == ';'))
				v = s[j] == ';' ? 0 : v * 10 + (s[j] - '0'), j++;
			assert_true(j < n);
			int k = v ? v : 1;
			switch (s[j]) {
			case 'm': break;
			case 'C': col = col + k >= SCREEN_COLS ? SCREEN_COLS - 1 : col + k; break;
			case 'D': col = col - k < 0 ? 0 : col - k; break;
			case 'K':
				assert_int_equal(v, 0);
				memset(screen[row] + col, 0, SCREEN_COLS - (size_t)col);
				break;
			case 'J':
				assert_int_equal(v, 0);
				memset(screen[row] + col, 0, SCREEN_COLS - (size_t)col);
				for (int r = row + 1; r < SCREEN_ROWS; r++)
					memset(screen[r], 0, sizeof(screen[r]));
				break;
			default: fail_msg("the terminal got ESC [ ... %c", s[j]);
			}
			i = j;
		} else if (c < 0x20 || c == 0x7f) {
			fail_msg("the terminal got control byte 0x%02x", c);
		} else if (c >= 0x80 && c < 0xc0) {
			/* a UTF-8 continuation: same cell */
		} else {
			screen_put(&row, &col, c >= 0x80 ? '*' : (char)c);
		}
	}
	return row + 1;
}

/* Row r as text, empty cells as spaces, trailing ones cut. */
static const char *screen_row(int r)
{
	static char text[SCREEN_COLS + 1];
	int last = -1;

	for (int c = 0; c < SCREEN_COLS; c++) {
		text[c] = screen[r][c] ? screen[r][c] : ' ';
		if (screen[r][c])
			last = c;
	}
	text[last + 1] = '\0';
	return text;
}

#endif
