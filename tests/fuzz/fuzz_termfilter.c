// SPDX-License-Identifier: MIT
/*
 * Fuzzing what VMs can make the board's terminal do (core/console/termfilter.c
 * behind the multiplexer, core/console/conmux.c). Ports "hv" and two or three
 * VMs; the input is a sequence of: arbitrary bytes from a VM (raw, or pieces
 * of escape sequences and UTF-8 from a dictionary), hypervisor lines, clock
 * advances, polls, a VM's line ended (it stopped), answers taken.
 *
 * A terminal model reads every chunk the multiplexer writes to the UART. The
 * invariants: the terminal gets nothing but printable bytes, CR, LF, BS, TAB,
 * BEL and the sequences CSI n C, CSI n D, CSI [0] K, CSI [0] J and SGR, each
 * whole in one chunk; every row starts with a chunk that is exactly a port's
 * "[name] " or "[name]+ " prefix; after that nothing writes or erases a cell
 * of the prefix, and the cursor never leaves the row but by the line end; an
 * SGR is reset before each line end; every answer to a cursor-position query
 * goes to the port that asked, in the form ESC [ 1 ; col R.
 */
#include "fuzz_common.h"

static struct conmux mux;
static uint64_t clock_ms;

static uint64_t now_ms(void)
{
	return clock_ms;
}

/* The terminal: the cursor's column on the current row, and how much of the row is a prefix. */
static struct {
	uint32_t col;
	uint32_t sealed; /* the row's first columns, its prefix */
	bool fresh;      /* nothing written on this row yet */
	bool sgr;        /* attributes set since the last reset */
	bool cr;         /* the last byte was CR: a LF may follow */
} term;

static bool is_prefix(const char *s, size_t n)
{
	for (uint32_t i = 0; i < mux.port_count; i++) {
		const char *name = mux.port[i].name;
		size_t k = strlen(name);
		if ((n == k + 3 || n == k + 4) && s[0] == '[' && memcmp(s + 1, name, k) == 0 &&
		    memcmp(s + 1 + k, n == k + 3 ? "] " : "]+ ", n - k - 1) == 0)
			return true;
	}
	return false;
}

static uint32_t csi_param(const char *s, size_t n, size_t *i)
{
	uint32_t v = 0;

	for (; *i < n && s[*i] >= '0' && s[*i] <= '9'; (*i)++)
		v = MIN(v * 10 + (uint32_t)(s[*i] - '0'), 100000U);
	return v;
}

static void write_cell(void)
{
	FUZZ_CHECK(term.col >= term.sealed, "a VM's byte lands on column %u of the prefix", term.col);
	term.col++;
}

static void uart_write(const char *s, size_t n)
{
	if (term.fresh) {
		FUZZ_CHECK(is_prefix(s, n), "a row starts with \"%.*s\", not a prefix", (int)MIN(n, (size_t)40), s);
		term.fresh = false;
		term.sealed = (uint32_t)n;
		term.col = (uint32_t)n;
		term.cr = false;
		return;
	}
	for (size_t i = 0; i < n; i++) {
		uint8_t c = (uint8_t)s[i];
		bool cr = false;
		if (c == '\n') {
			FUZZ_CHECK(term.cr, "a LF without CR: the next row would not start at column 0");
			FUZZ_CHECK(!term.sgr, "a line ends with its colours set");
			term.fresh = true;
			term.col = 0;
			term.sealed = 0;
		} else if (c == '\r') {
			term.col = 0;
			cr = true;
		} else if (c == '\b') {
			term.col -= term.col > 0;
		} else if (c == '\t' || c == '\a') {
			term.col += c == '\t';
		} else if (c == 0x1b) {
			FUZZ_CHECK(i + 1 < n && s[i + 1] == '[', "ESC not followed by [ in the same chunk");
			i += 2;
			uint32_t v = csi_param(s, n, &i);
			bool list = false;
			while (i < n && (s[i] == ';' || (s[i] >= '0' && s[i] <= '9'))) {
				list = true;
				i++;
			}
			FUZZ_CHECK(i < n, "a CSI cut across chunks (%zu of %zu)", i, n);
			switch (s[i]) {
			case 'm': term.sgr = !(v == 0 && !list); break;
			case 'C':
				FUZZ_CHECK(!list, "CSI C with a list");
				term.col += v ? v : 1;
				break;
			case 'D':
				FUZZ_CHECK(!list, "CSI D with a list");
				term.col -= MIN(term.col, v ? v : 1);
				break;
			case 'K':
			case 'J':
				FUZZ_CHECK(v == 0 && !list, "CSI %u %c reaches left of the cursor or above", v, s[i]);
				FUZZ_CHECK(term.col >= term.sealed, "an erase from column %u takes the prefix",
					   term.col);
				break;
			default: FUZZ_CHECK(false, "the terminal got CSI ... %c", s[i]);
			}
		} else if (c < 0x20 || c == 0x7f) {
			FUZZ_CHECK(false, "the terminal got control byte 0x%02x", c);
		} else if (c >= 0x80 && c < 0xc0) {
			/* a UTF-8 continuation */
		} else {
			write_cell();
		}
		term.cr = cr;
	}
}

static const char *const dictionary[] = {
	"\r",
	"\n",
	"\r\n",
	"\x1b",
	"\x1b[",
	"\x1b[6n",
	"\x1b[2K",
	"\x1b[K",
	"\x1b[1A",
	"\x1b[H",
	"\x1b[99D",
	"\x1b[5C",
	"\x1b[31m",
	"\x1b[0m",
	"\x1b]0;t\a",
	"\x1b\\",
	"\x1b"
	"7",
	"\x1b"
	"8",
	"\x1bM",
	"\x1b[?7l",
	"\b",
	"\t",
	"\xc2\x9b",
	"\x9b",
	"\xe2\x82",
	"\xcc\x81",
	"\xf0\x9f\x99\x82",
	"[hv] ",
	"[a] ",
	"\x1b[J",
	"\x1b[1J",
	"\x1bP",
};

static void vm_bytes(struct fuzz_in *in, uint32_t port)
{
	uint32_t count = 1 + fuzz_below(in, 32);

	for (uint32_t i = 0; i < count && fuzz_more(in); i++) {
		if (fuzz_bool(in)) {
			FUZZ_CHECK(conmux_putc(&mux, port, fuzz_u8(in)), "port %u refused a byte", port);
			continue;
		}
		const char *s = dictionary[fuzz_below(in, ARRAY_SIZE(dictionary))];
		while (*s)
			FUZZ_CHECK(conmux_putc(&mux, port, (uint8_t)*s++), "port %u refused a byte", port);
	}
}

static void answers(uint32_t *asked_col)
{
	uint8_t out[TERMFILTER_ANSWER_MAX];
	uint32_t port, n;

	while ((n = conmux_answer(&mux, &port, out))) {
		FUZZ_CHECK(port > 0 && port < mux.port_count, "an answer for port %u", port);
		FUZZ_CHECK(n >= 6 && memcmp(out, "\x1b[1;", 4) == 0 && out[n - 1] == 'R', "answer %.*s", (int)n,
			   (const char *)out);
		asked_col[port]++;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	uint32_t answered[CONMUX_MAX_PORTS] = { 0 };

	memset(&term, 0, sizeof(term));
	term.fresh = true;
	clock_ms = 1000;
	conmux_init(&mux, uart_write, now_ms);
	conmux_add_port(&mux, "hv", false);
	conmux_add_port(&mux, "a", true);
	conmux_add_port(&mux, "bb", true);
	if (fuzz_bool(&in))
		conmux_add_port(&mux, "linux-c", true);

	while (fuzz_more(&in)) {
		uint32_t vm = 1 + fuzz_below(&in, mux.port_count - 1);
		switch (fuzz_below(&in, 8)) {
		case 0:
		case 1:
		case 2: vm_bytes(&in, vm); break;
		case 3: conmux_line(&mux, 0, "hypervisor message"); break;
		case 4: clock_ms += fuzz_below(&in, 2 * CONMUX_WAIT_MS); break;
		case 5: conmux_poll(&mux); break;
		case 6: conmux_end_line(&mux, vm); break;
		case 7: answers(answered); break;
		}
	}
	answers(answered);
	clock_ms += CONMUX_WAIT_MS;
	FUZZ_CHECK(conmux_poll(&mux) == 0, "bytes wait after %u ms of quiet", CONMUX_WAIT_MS);
	for (uint32_t i = 0; i < mux.port_count; i++)
		conmux_end_line(&mux, i);
	FUZZ_CHECK(term.fresh && !term.sgr, "the terminal is left mid-line or coloured after every line ended");
	return 0;
}
