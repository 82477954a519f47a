// SPDX-License-Identifier: MIT
/*
 * The terminal filter (see include/fv/termfilter.h for the rule).
 *
 * A small state machine in the shape of a terminal's own parser (ground,
 * escape, CSI, control string), except that nothing is passed on until a
 * sequence is complete and judged.
 */
#include <fv/string.h>
#include <fv/termfilter.h>

#define ESC 0x1b
#define COL_MAX 9999U /* the most a CR or CSI D moves left in one go */

enum {
	GROUND,
	ESCAPE,        /* after ESC */
	ESCAPE_INTER,  /* after ESC and intermediates: drop up to the final byte */
	CSI,           /* after ESC [ */
	STRING,        /* inside OSC, DCS, SOS, PM or APC: dropped up to its end */
	STRING_ESCAPE, /* ... and an ESC in it */
};

struct out {
	uint8_t *p;
	uint32_t n;
};

static void emit(struct out *o, uint8_t c)
{
	o->p[o->n++] = c;
}

static void emit_str(struct out *o, const char *s)
{
	while (*s)
		emit(o, (uint8_t)*s++);
}

static void emit_num(struct out *o, uint32_t v)
{
	char d[10];
	uint32_t k = 0;

	do
		d[k++] = (char)('0' + v % 10);
	while ((v /= 10) && k < sizeof(d));
	while (k)
		emit(o, (uint8_t)d[--k]);
}

static void add_col(struct termfilter *f, uint32_t n)
{
	f->col = (uint16_t)MIN((uint32_t)f->col + n, 0xffffU);
}

/* Move left by up to n columns, never past the port's first. */
static void move_left(struct termfilter *f, struct out *o, uint32_t n)
{
	n = MIN(MIN(n, (uint32_t)f->col), COL_MAX);
	if (!n)
		return;
	emit(o, ESC);
	emit(o, '[');
	emit_num(o, n);
	emit(o, 'D');
	f->col = (uint16_t)(f->col - n);
}

static void hex_byte(struct termfilter *f, struct out *o, uint8_t c)
{
	static const char hex[] = "0123456789abcdef";

	emit_str(o, "\\x");
	emit(o, (uint8_t)hex[c >> 4]);
	emit(o, (uint8_t)hex[c & 15]);
	add_col(f, 4);
}

/* A UTF-8 character cut short: its bytes are shown for what they are. */
static void drop_utf8(struct termfilter *f, struct out *o)
{
	for (uint32_t i = 0; i < f->utf8_len; i++)
		hex_byte(f, o, f->utf8[i]);
	f->utf8_len = 0;
	f->utf8_need = 0;
}

/* Bytes a character's second byte may be, after `lead` (Unicode's table of well-formed UTF-8). */
static bool second_ok(uint8_t lead, uint8_t c)
{
	switch (lead) {
	case 0xc2: return c >= 0xa0 && c <= 0xbf; /* not U+0080..U+009F, the C1 controls */
	case 0xe0: return c >= 0xa0 && c <= 0xbf;
	case 0xed: return c >= 0x80 && c <= 0x9f; /* no surrogates */
	case 0xf0: return c >= 0x90 && c <= 0xbf;
	case 0xf4: return c >= 0x80 && c <= 0x8f;
	default: return c >= 0x80 && c <= 0xbf;
	}
}

static void utf8_byte(struct termfilter *f, struct out *o, uint8_t c)
{
	if (f->utf8_need) {
		bool ok = f->utf8_len == 1 ? second_ok(f->utf8[0], c) : c >= 0x80 && c <= 0xbf;
		if (ok) {
			f->utf8[f->utf8_len++] = c;
			if (f->utf8_len == f->utf8_need) {
				for (uint32_t i = 0; i < f->utf8_len; i++)
					emit(o, f->utf8[i]);
				f->utf8_len = 0;
				f->utf8_need = 0; /* counted as no column: it may be a combining one */
			}
			return;
		}
		drop_utf8(f, o);
	}
	uint8_t need = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
	if (!need) {
		hex_byte(f, o, c);
		return;
	}
	f->utf8[0] = c;
	f->utf8_len = 1;
	f->utf8_need = need;
}

static void line_end(struct termfilter *f, struct out *o)
{
	if (f->sgr)
		emit_str(o, "\x1b[m");
	emit_str(o, "\r\n");
	f->sgr = false;
	f->col = 0;
}

/* The parameters of a CSI held in f->seq: only digits and ';' (no private marker, no intermediate). */
static bool plain_params(const struct termfilter *f)
{
	for (uint32_t i = 0; i < f->seq_len; i++)
		if (!((f->seq[i] >= '0' && f->seq[i] <= '9') || f->seq[i] == ';'))
			return false;
	return true;
}

static bool params_are(const struct termfilter *f, const char *s)
{
	return f->seq_len == strlen(s) && memcmp(f->seq, s, f->seq_len) == 0;
}

/* The count of a CSI that moves: its one parameter, 1 if none or 0. */
static uint32_t count(const struct termfilter *f)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < f->seq_len; i++)
		n = f->seq[i] == ';' ? 0 : MIN(n * 10 + (uint32_t)(f->seq[i] - '0'), 100000U);
	return n ? n : 1;
}

static void pass_csi(const struct termfilter *f, struct out *o, uint8_t final)
{
	emit(o, ESC);
	emit(o, '[');
	for (uint32_t i = 0; i < f->seq_len; i++)
		emit(o, f->seq[i]);
	emit(o, final);
}

/* A complete CSI: pass what keeps to the port's line, answer the query, drop the rest. */
static void csi_final(struct termfilter *f, struct out *o, uint8_t final)
{
	if (f->seq_long || !plain_params(f))
		return;
	switch (final) {
	case 'm':
		pass_csi(f, o, final);
		f->sgr = !(params_are(f, "") || params_are(f, "0"));
		break;
	case 'K':
	case 'J':
		if (params_are(f, "") || params_are(f, "0"))
			pass_csi(f, o, final); /* erase right of the cursor, and below it (nothing is below) */
		break;
	case 'C':
		if (!memchr(f->seq, ';', f->seq_len))
			pass_csi(f, o, final); /* right: counted as nothing, it may stop at the margin */
		break;
	case 'D':
		if (!memchr(f->seq, ';', f->seq_len))
			move_left(f, o, count(f));
		break;
	case 'n':
		if (params_are(f, "6")) {
			f->asked = true;
			f->at_col = f->col;
		}
		break;
	default: break; /* cursor addressing, scrolling, modes, reports: none of them */
	}
}

/* A byte in the ground state: text and C0 controls. */
static void ground(struct termfilter *f, struct out *o, uint8_t c)
{
	if (f->utf8_need && (c < 0x80 || c > 0xbf))
		drop_utf8(f, o);
	if (f->cr && c != '\n' && c != '\r') { /* CR CR LF (ONLCR on CR LF) is one line end too */
		f->cr = false;
		move_left(f, o, f->col); /* a CR on its own: back to the port's first column */
	}
	if (c >= 0x80) {
		utf8_byte(f, o, c);
		return;
	}
	if (c >= 0x20 && c < 0x7f) {
		emit(o, c);
		add_col(f, 1);
		return;
	}
	switch (c) {
	case '\n':
		f->cr = false;
		line_end(f, o);
		break;
	case '\r': f->cr = true; break;
	case ESC: f->state = ESCAPE; break;
	case '\b':
		if (f->col) {
			emit(o, c);
			f->col--;
		}
		break;
	case '\a':
	case '\t': emit(o, c); break; /* a tab counted as nothing, like CSI C */
	case 0: break;                /* padding */
	default:
		emit(o, '^');
		emit(o, c == 0x7f ? '?' : (uint8_t)(c + 0x40));
		add_col(f, 2);
		break;
	}
}

static void escape(struct termfilter *f, struct out *o, uint8_t c)
{
	f->state = GROUND;
	if (c == '[') {
		f->state = CSI;
		f->seq_len = 0;
		f->seq_long = false;
	} else if (c == ']' || c == 'P' || c == 'X' || c == '^' || c == '_') {
		f->state = STRING;
	} else if (c >= 0x20 && c <= 0x2f) {
		f->state = ESCAPE_INTER;
	} else if (c == ESC) {
		f->state = ESCAPE; /* the first one is dropped */
	} else if (c < 0x20 || c > 0x7e) {
		ground(f, o, c); /* not a sequence after all: drop the ESC */
	}                        /* else ESC and one byte (keypad modes, resets, charsets, index): dropped */
}

uint32_t termfilter_byte(struct termfilter *f, uint8_t c, uint8_t *out)
{
	struct out o = { out, 0 };

	switch (f->state) {
	case GROUND: ground(f, &o, c); break;
	case ESCAPE: escape(f, &o, c); break;
	case ESCAPE_INTER:
		if (c >= 0x30 && c <= 0x7e)
			f->state = GROUND;
		else if (c < 0x20 || c > 0x2f) {
			f->state = GROUND; /* cut short: dropped, and the byte is itself */
			ground(f, &o, c);
		}
		break;
	case CSI:
		if (c >= 0x40 && c <= 0x7e) {
			f->state = GROUND;
			csi_final(f, &o, c);
		} else if (c >= 0x20 && c <= 0x3f) {
			if (f->seq_len < TERMFILTER_SEQ_MAX)
				f->seq[f->seq_len++] = c;
			else
				f->seq_long = true;
		} else {
			f->state = GROUND; /* a control or non-ASCII inside: the sequence is dropped */
			ground(f, &o, c);
		}
		break;
	case STRING:
	case STRING_ESCAPE:
		if (f->state == STRING_ESCAPE && c != '\\') {
			f->state = ESCAPE; /* ESC ends the string and starts a sequence */
			escape(f, &o, c);
		} else if (f->state == STRING_ESCAPE || c == '\a') {
			f->state = GROUND; /* ST or BEL: the end */
		} else if (c == ESC) {
			f->state = STRING_ESCAPE;
		} else if (c == '\n' || c == '\r') {
			f->state = GROUND; /* a string never swallows the port's next lines */
			ground(f, &o, c);
		}
		break;
	default: f->state = GROUND; break;
	}
	return o.n;
}

void termfilter_init(struct termfilter *f)
{
	memset(f, 0, sizeof(*f));
}

uint32_t termfilter_break(struct termfilter *f, uint8_t *out)
{
	struct out o = { out, 0 };

	if (f->sgr)
		emit_str(&o, "\x1b[m");
	f->sgr = false;
	f->col = 0;
	return o.n;
}

uint32_t termfilter_answer(struct termfilter *f, uint8_t *out)
{
	struct out o = { out, 0 };

	if (!f->asked)
		return 0;
	f->asked = false;
	emit_str(&o, "\x1b[1;");
	emit_num(&o, (uint32_t)f->at_col + 1);
	emit(&o, 'R');
	return o.n;
}
