// SPDX-License-Identifier: MIT
/*
 * Fuzzing the console multiplexer (core/console/conmux.c) on its own, writing to the
 * fake board UART. The input picks the ports (2 to CONMUX_MAX_PORTS, names of
 * every legal length, some taking input), then a sequence of: output bytes
 * from a port, a whole hypervisor line on port 0, clock advances, polls,
 * typed bytes (Ctrl-A sequences included), focus changes, questions for
 * room (conmux_room) and tx-ready reads.
 *
 * Invariants, after every step: every UART line starts with "[name] " of a
 * real port and holds bytes of that port only, in the order it wrote them;
 * printed plus buffered bytes are exactly the accepted ones; the line holder
 * buffers nothing; a port that conmux_can_put allows is never refused; a
 * byte typed goes to the focused port, exactly as the Ctrl-A rule of
 * conmux.h says, and a focus move is announced; conmux_room answers right;
 * only ports told "full" are told they have room, and only when they have
 * the room they asked for; and after CONMUX_WAIT_MS of quiet one poll
 * empties every buffer, tells every refused port, and then asks for no
 * further poll.
 */
#include "fuzz_common.h"

static struct conmux mux;
static struct fuzz_con con;
static uint64_t clock_ms;

static uint64_t now_ms(void)
{
	return clock_ms;
}

/* A unique port name of `len` characters (at most FV_NAME_MAX - 1) from the VM name alphabet. */
static void make_name(char *out, uint32_t index, uint32_t len)
{
	static const char alphabet[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-";
	size_t n = (size_t)snprintf(out, FV_NAME_MAX, "p%u", index); /* unique: one digit */

	for (; n < len && n < FV_NAME_MAX - 1; n++)
		out[n] = alphabet[(index * 31 + n * 7) % (sizeof(alphabet) - 1)];
	out[n] = '\0';
}

struct model {
	struct fuzz_focus focus;
	uint32_t refused; /* ports told "full" (refused, or can_put said no) and not yet told of room */
	uint32_t wanted[CONMUX_MAX_PORTS]; /* the most room such a port asked for */
	uint32_t wrote;                    /* ports that wrote since they were told "full" (used room told of) */
	uint32_t lines_written;
};

/* Room for `want` more bytes, as conmux.h defines it (without conmux_room's side effects). */
static bool has_room(uint32_t port, uint32_t want)
{
	return mux.owner == (int)port || CONMUX_BUF - mux.port[port].len >= want - 1 + TERMFILTER_MAX_OUT;
}

static void told_full(struct model *md, uint32_t port, uint32_t want)
{
	md->refused |= 1U << port;
	md->wanted[port] = MAX(md->wanted[port], want);
	md->wrote &= ~(1U << port);
}

/* Ask for room for `want` bytes: the answer is right, and a "no" is remembered. */
static void ask_room(struct model *md, struct fuzz_in *in)
{
	uint32_t port = 1 + fuzz_below(in, mux.port_count - 1);
	uint32_t want = 1 + fuzz_u16(in) % (CONMUX_BUF + 8);
	bool ok = conmux_room(&mux, port, want);

	if (want > CONMUX_BUF + 1 - TERMFILTER_MAX_OUT) {
		FUZZ_CHECK(!ok, "port %u has room for %u bytes in a %u-byte buffer", port, want, CONMUX_BUF);
		return; /* never satisfiable: not registered */
	}
	FUZZ_CHECK(ok == has_room(port, want), "room for %u bytes on port %u: said %d", want, port, ok);
	if (!ok)
		told_full(md, port, want);
}

static void put_bytes(struct model *md, struct fuzz_in *in)
{
	uint32_t port = 1 + fuzz_below(in, mux.port_count - 1);
	uint32_t count = 1 + fuzz_below(in, 64);

	for (uint32_t i = 0; i < count && fuzz_more(in); i++) {
		uint8_t b = fuzz_con_plain(fuzz_u8(in));
		bool could = conmux_can_put(&mux, port);
		bool ok = conmux_putc(&mux, port, b);
		FUZZ_CHECK(!could || ok, "port %u was allowed to put but refused", port);
		if (ok) {
			fuzz_con_sent(&con, port, b);
			md->wrote |= 1U << port;
		}
		if (!could || !ok)
			told_full(md, port, 1);
	}
}

/*
 * Many copies of one byte: reaches a full buffer (backpressure) in one step.
 * Politely (asking conmux_can_put first) or blindly, as vpl011 writes.
 */
static void burst(struct model *md, struct fuzz_in *in)
{
	uint32_t port = 1 + fuzz_below(in, mux.port_count - 1);
	uint8_t b = fuzz_con_plain(fuzz_u8(in));
	uint32_t count = fuzz_u16(in) % (2 * CONMUX_BUF);
	bool polite = count & 1;

	for (uint32_t i = 0; i < count; i++) {
		bool could = polite && conmux_can_put(&mux, port);
		bool ok = conmux_putc(&mux, port, b);
		FUZZ_CHECK(!could || ok, "port %u was allowed to put but refused", port);
		if ((polite && !could) || !ok)
			told_full(md, port, 1);
		if (!ok)
			break;
		fuzz_con_sent(&con, port, b);
		md->wrote |= 1U << port;
	}
}

static void hv_line(struct model *md)
{
	char text[48];

	snprintf(text, sizeof(text), "hypervisor message %u", md->lines_written++);
	conmux_line(&mux, 0, text);
	fuzz_con_expect_line(&con, 0, text);
}

static void type_byte(struct model *md, uint8_t b)
{
	struct conmux_input got, want;

	fuzz_focus_expect(&md->focus, &mux, b, &want);
	conmux_input(&mux, b, &got);
	FUZZ_CHECK(got.port == want.port && got.count == want.count && got.switched == want.switched,
		   "byte 0x%02x: delivered %u byte(s) to port %u (switched %d), the rules say %u to %u (%d)", b,
		   got.count, got.port, got.switched, want.count, want.port, want.switched);
	FUZZ_CHECK(memcmp(got.bytes, want.bytes, want.count) == 0, "byte 0x%02x: wrong bytes delivered", b);
	FUZZ_CHECK(got.port == mux.focus, "input went to port %u, focus is %u", got.port, mux.focus);
	if (got.switched) {
		char line[128];
		fuzz_focus_line(&mux, want.port, line, sizeof(line));
		fuzz_con_expect_line(&con, 0, line);
	}
}

static void set_focus(struct model *md, uint32_t port)
{
	conmux_set_focus(&mux, port);
	if (mux.port[port].takes_input) {
		char line[128];
		md->focus.focus = port;
		fuzz_focus_line(&mux, port, line, sizeof(line));
		fuzz_con_expect_line(&con, 0, line);
	}
	FUZZ_CHECK(mux.focus == md->focus.focus, "focus %u, expected %u", mux.focus, md->focus.focus);
}

static void take_ready(struct model *md)
{
	uint32_t ready = conmux_take_ready(&mux);

	FUZZ_CHECK((ready & ~md->refused) == 0, "ports 0x%x told of room they never lacked (refused 0x%x)", ready,
		   md->refused);
	for (uint32_t i = 0; i < mux.port_count; i++) {
		if (!(ready & (1U << i)))
			continue;
		/* A port that wrote since may have used that room itself, up to a full buffer: its
		 * next question answers it (vpl011 asks after every byte; a "no" clears the notice). */
		if (!(md->wrote & (1U << i)))
			FUZZ_CHECK(has_room(i, md->wanted[i]), "port %u told it has room for %u bytes, it has %u", i,
				   md->wanted[i], CONMUX_BUF - mux.port[i].len - (TERMFILTER_MAX_OUT - 1));
		md->wanted[i] = 0;
	}
	md->refused &= ~ready;
}

static uint64_t poll_and_check(void)
{
	uint64_t next = conmux_poll(&mux);
	bool waiting = false;

	for (uint32_t i = 0; i < mux.port_count; i++)
		waiting |= mux.port[i].len != 0;
	FUZZ_CHECK(waiting == (next != 0), "poll returned %llu with bytes %s", (unsigned long long)next,
		   waiting ? "waiting" : "all written");
	FUZZ_CHECK(!next || next > clock_ms, "poll asks to be called at %llu, now is %llu", (unsigned long long)next,
		   (unsigned long long)clock_ms);
	return next;
}

/* After CONMUX_WAIT_MS of quiet, one poll writes everything and frees every refused port. */
static void quiet(struct model *md)
{
	clock_ms += CONMUX_WAIT_MS;
	FUZZ_CHECK(poll_and_check() == 0, "bytes still wait after %u ms of quiet", CONMUX_WAIT_MS);
	fuzz_con_check(&con);
	uint32_t ready = conmux_take_ready(&mux);
	FUZZ_CHECK(ready == md->refused, "after quiet, ready 0x%x but refused 0x%x", ready, md->refused);
	md->refused = 0;
	memset(md->wanted, 0, sizeof(md->wanted));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct model md;
	bool any_input = false;

	memset(&md, 0, sizeof(md));
	fake_reset();
	clock_ms = 1000 + fuzz_u16(&in);
	conmux_init(&mux, plat_uart_write, now_ms);
	uint32_t ports = 2 + fuzz_below(&in, CONMUX_MAX_PORTS - 1);
	conmux_add_port(&mux, "hv", false);
	for (uint32_t i = 1; i < ports; i++) {
		char name[FV_NAME_MAX];
		uint8_t b = fuzz_u8(&in);
		make_name(name, i, 1 + (b >> 1) % (FV_NAME_MAX - 1));
		FUZZ_CHECK(conmux_add_port(&mux, name, b & 1) == i, "port %u got another index", i);
		any_input |= b & 1;
	}
	md.focus.focus = mux.focus;
	FUZZ_CHECK(!any_input || mux.port[mux.focus].takes_input, "focus on port %u, which takes no input", mux.focus);
	fuzz_con_init(&con, &mux);

	while (fuzz_more(&in)) {
		switch (fuzz_below(&in, 14)) {
		case 0:
		case 1:
		case 2: put_bytes(&md, &in); break;
		case 3: hv_line(&md); break;
		case 4: clock_ms += fuzz_u8(&in) % (2 * CONMUX_WAIT_MS); break;
		case 5: poll_and_check(); break;
		case 6:
		case 7: type_byte(&md, fuzz_bool(&in) ? CONMUX_SWITCH_CHAR : fuzz_u8(&in)); break;
		case 8: set_focus(&md, fuzz_below(&in, mux.port_count)); break;
		case 9: take_ready(&md); break;
		case 10: quiet(&md); break;
		case 11: clock_ms += fuzz_u16(&in); break;
		case 12: burst(&md, &in); break;
		case 13: ask_room(&md, &in); break;
		}
		fuzz_con_check(&con);
		FUZZ_CHECK(mux.switch_count == md.focus.ctrl_a, "%u Ctrl-A counted, %u typed", mux.switch_count,
			   md.focus.ctrl_a);
	}
	quiet(&md);
	return 0;
}
