/* SPDX-License-Identifier: MIT */
/*
 * What a port writes, made safe for the board's terminal
 * (core/console/termfilter.c; docs/console.md has the rule for users).
 *
 * The multiplexer (fv/conmux.h) starts each of a port's lines with its
 * name. This filter sees to it that nothing the port writes can move the
 * cursor off the port's own line or left of its prefix, change how the
 * terminal reads later output, or ask the terminal a question whose answer
 * would be typed into whichever port has the keyboard:
 *  - printable ASCII and well-formed UTF-8 pass (C1 controls do not);
 *  - LF ends the line, written CR LF; CR LF is one line end; a CR not
 *    followed by LF moves back to the port's first column (right of the
 *    prefix); BS and CSI n D move left, CSI n C right, CSI K and CSI J
 *    erase to the right and below only; SGR (CSI ... m) passes and is reset
 *    at the end of the line and whenever the line is broken;
 *  - CSI 6 n, where is the cursor, is answered for the port (row 1, its
 *    column) and never reaches the terminal;
 *  - every other escape sequence and control string (OSC, DCS, APC, PM,
 *    SOS) is dropped whole; other C0 controls show as ^X, DEL as ^?, bytes
 *    that are not UTF-8 as \xNN.
 * The column is counted low where the terminal's could be higher (UTF-8
 * characters, tabs, CSI n C count nothing), so a move left never goes past
 * the prefix. Escape sequences are held until complete: a line break never
 * falls inside one. Pure logic.
 */
#ifndef FV_TERMFILTER_H
#define FV_TERMFILTER_H

#include <fv/types.h>

#define TERMFILTER_MAX_OUT 32U /* the most bytes one byte in produces */
#define TERMFILTER_SEQ_MAX 16U /* CSI parameter bytes kept; a longer sequence is dropped */
#define TERMFILTER_ANSWER_MAX 16U

struct termfilter {
	uint8_t state;
	uint8_t seq_len;   /* CSI bytes held (parameters, intermediates) */
	bool seq_long;     /* ... and there were more: drop it */
	uint8_t utf8_len;  /* bytes of a UTF-8 character held */
	uint8_t utf8_need; /* ... of this many */
	uint8_t seq[TERMFILTER_SEQ_MAX];
	uint8_t utf8[4];
	bool cr;         /* a CR waits to see whether LF follows */
	bool sgr;        /* attributes set on this line */
	bool asked;      /* a cursor-position query waits for its answer */
	uint16_t col;    /* columns right of the prefix: never more than the terminal's */
	uint16_t at_col; /* ... when it asked */
};

void termfilter_init(struct termfilter *f);
/* One byte the port wrote; writes what goes to the terminal (at most TERMFILTER_MAX_OUT bytes) to out. */
uint32_t termfilter_byte(struct termfilter *f, uint8_t c, uint8_t *out);
/* The multiplexer ends the port's line early (another port's turn): what to write before the line end
 * (an SGR reset, at most TERMFILTER_MAX_OUT bytes); the port's next line starts at its first column. */
uint32_t termfilter_break(struct termfilter *f, uint8_t *out);
/* The answer to the port's cursor-position query (ESC [ 1 ; col R, at most TERMFILTER_ANSWER_MAX bytes),
 * or 0 if it asked none since the last call. */
uint32_t termfilter_answer(struct termfilter *f, uint8_t *out);

#endif
