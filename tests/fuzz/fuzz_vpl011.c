// SPDX-License-Identifier: MIT
/*
 * Fuzzing the PL011 every VM sees (core/dev/vpl011.c), with the console path
 * behind it (hv.c's console services, the multiplexer) and the vGIC line in
 * front of it, on VMs booted by the test bed. The input is a sequence of:
 * register reads and writes (offset, width, value), bytes received directly
 * or typed on the board UART (Ctrl-A included, so the focus moves), tx-ready
 * notices, clock advances with a console poll, and bursts of transmitted
 * bytes that run into the multiplexer's backpressure.
 *
 * Invariants (PL011 TRM r1p5 §3.3-3.4), after every step, for every VM:
 * accesses fail exactly when misaligned, wider than 32 bits or crossing a
 * register; the receive FIFO holds exactly the bytes received and not yet
 * read, in order, at most VPL011_RX_FIFO (the rest counted as dropped), and
 * UARTFR's RXFE/RXFF say so; TXFF means no room for one more byte, TXFE
 * room for a FIFO's worth (VPL011_TX_FIFO); RXIS/RTIS only with data
 * waiting; TXIS only with room for a FIFO's worth; MIS = RIS & IMSC; the interrupt
 * line into the vGIC is (RIS & IMSC) != 0; register fields read back at
 * their TRM widths; the PrimeCell ID reads 0xb105f00d; typed bytes reach
 * only the VM with the input focus; what a VM transmits appears on the board
 * UART under its own "[name] " prefix, in order (the console checker of
 * fuzz_common.h); and after a quiet poll every VM refused a byte has TXIS.
 */
#include "fuzz_common.h"
#include <fv/pl011.h>

#define UART_CID0 (UART_ID_START + 0x10U) /* UARTPCellID0 */

struct uart_model {
	uint8_t rx[VPL011_RX_FIFO];
	uint32_t head, count;
	uint32_t dropped;
	bool refused; /* a byte was refused and TXIS not seen since */
};

static struct uart_model model[FUZZ_MAX_VMS];
static struct fuzz_con con;
static struct fuzz_focus focus;

static void model_push(struct uart_model *md, uint8_t c)
{
	if (md->count == VPL011_RX_FIFO) {
		md->dropped++;
		return;
	}
	md->rx[(md->head + md->count++) % VPL011_RX_FIFO] = c;
}

/* Room for `want` more bytes from a port, looked up (asking would register it for a tx-ready notice). */
static bool room(uint32_t port, uint32_t want)
{
	return console_mux.owner == (int)port ||
	       CONMUX_BUF - console_mux.port[port].len >= want - 1 + TERMFILTER_MAX_OUT;
}

static uint64_t port_total(uint32_t port)
{
	return console_mux.port[port].bytes_out + console_mux.port[port].len;
}

static uint64_t uart_offset(struct fuzz_in *in)
{
	static const uint32_t regs[] = { UARTDR,   0x004,    UARTFR,  0x020,   UARTIBRD, UARTFBRD,  UARTLCR_H, UARTCR,
					 UARTIFLS, UARTIMSC, UARTRIS, UARTMIS, UARTICR,  UARTDMACR, 0x04c,     0x080 };
	uint8_t sel = fuzz_u8(in);

	if (sel >= 0xf0)
		return fuzz_u16(in) % VBOARD_UART_SIZE;
	uint64_t off = sel & 0x80 ? 0xfe0 + 4 * (sel % 8) : regs[sel % ARRAY_SIZE(regs)];
	return off + (sel & 0x40 ? fuzz_u8(in) % 4 : 0); /* sometimes a byte lane of it */
}

/* The TRM field width of each read/write register (UARTIMSC etc.), for read-back. */
static bool field_mask(uint64_t reg, uint32_t *mask)
{
	switch (reg) {
	case UARTIBRD: *mask = 0xffff; return true;
	case UARTFBRD: *mask = 0x3f; return true;
	case UARTLCR_H: *mask = 0xff; return true;
	case UARTCR: *mask = 0xffff; return true;
	case UARTIFLS: *mask = 0x3f; return true;
	case UARTIMSC: *mask = UARTINT_ALL; return true;
	case UARTDMACR: *mask = 0x7; return true;
	default: return false;
	}
}

static uint32_t read32(struct vpl011 *u, uint64_t reg)
{
	uint64_t v = ~0ULL;

	FUZZ_CHECK(vpl011_read(u, reg, 4, &v), "32-bit read of 0x%llx failed", (unsigned long long)reg);
	return (uint32_t)v;
}

static void access(struct fuzz_in *in, uint32_t vi)
{
	struct vm *vm = &vms[vi];
	struct vpl011 *u = vpl011_of(vm);
	struct uart_model *md = &model[vi];
	bool write = fuzz_bool(in);
	unsigned int width = fuzz_width(in);
	uint64_t off = uart_offset(in);
	uint64_t value = fuzz_u64(in);
	uint64_t reg = off & ~3ULL;
	unsigned int lane = (unsigned int)(off & 3);
	bool legal = width <= 4 && off % width == 0 && lane + width <= 4;
	uint64_t lane_mask = width == 8 ? ~0ULL : (1ULL << (8 * width)) - 1;

	fake.cpu = vm->vcpu[0].pcpu;
	if (!write) {
		uint32_t ris = u->ris, imsc = u->imsc, count = u->rx_count;
		uint64_t v = 0x5a5a5a5a5a5a5a5aULL;
		bool ok = vpl011_read(u, off, width, &v);
		/* after the read: asking the multiplexer may have written out a full buffer */
		bool one = room(u->port, 1), fifo = room(u->port, VPL011_TX_FIFO);
		FUZZ_CHECK(ok == legal, "%u-byte read of 0x%llx: %s", width, (unsigned long long)off,
			   ok ? "accepted" : "refused");
		if (!ok)
			return;
		FUZZ_CHECK((v & ~lane_mask) == 0, "a %u-byte read returned 0x%llx", width, (unsigned long long)v);
		uint32_t full = (uint32_t)(v << (8 * lane)); /* the register bits this lane shows */
		uint32_t shown = (uint32_t)(lane_mask << (8 * lane));
		if (reg == UARTDR) {
			/* any read of the data register takes the oldest byte, as on the APB bus */
			uint32_t want = 0;
			if (md->count) {
				want = md->rx[md->head];
				md->head = (md->head + 1) % VPL011_RX_FIFO;
				md->count--;
			}
			FUZZ_CHECK(full == (want & shown), "UARTDR read 0x%x, expected 0x%x", full, want & shown);
		} else if (reg == UARTFR) {
			/* TXFF: not one more byte; TXFE: room for a whole FIFO (what TXIS promises too) */
			uint32_t want = (count == 0 ? UARTFR_RXFE : 0) | (count == VPL011_RX_FIFO ? UARTFR_RXFF : 0) |
					(one ? 0 : UARTFR_TXFF) | (fifo ? UARTFR_TXFE : 0);
			FUZZ_CHECK(full == (want & shown),
				   "UARTFR 0x%x with %u bytes waiting, room for one %d, a FIFO %d", full, count, one,
				   fifo);
		} else if (reg == UARTMIS) {
			FUZZ_CHECK(full == (ris & imsc & shown), "UARTMIS 0x%x, RIS 0x%x IMSC 0x%x", full, ris, imsc);
		} else if (reg == UARTRIS) {
			FUZZ_CHECK(full == (ris & shown), "UARTRIS 0x%x, model 0x%x", full, ris);
		} else if (reg >= UART_CID0 && width == 4) {
			static const uint8_t cid[4] = { 0x0d, 0xf0, 0x05, 0xb1 };
			FUZZ_CHECK(full == cid[(reg - UART_CID0) / 4], "UARTPCellID%llu 0x%x",
				   (unsigned long long)(reg - UART_CID0) / 4, full);
		}
		return;
	}

	if (reg == UARTDR && lane == 0)
		value = (value & ~0xffULL) | fuzz_con_plain((uint8_t)value);
	uint64_t total = port_total(u->port);
	uint32_t ris = u->ris;
	bool ok = vpl011_write(u, off, width, value);
	FUZZ_CHECK(ok == legal, "%u-byte write to 0x%llx: %s", width, (unsigned long long)off,
		   ok ? "accepted" : "refused");
	uint64_t sent = port_total(u->port) - total;
	FUZZ_CHECK(sent == 0 || (ok && reg == UARTDR), "a write to 0x%llx sent %llu bytes", (unsigned long long)off,
		   (unsigned long long)sent);
	if (!ok)
		return;
	uint32_t v = (uint32_t)((value & lane_mask) << (8 * lane));
	if (reg == UARTDR) {
		/* bits [7:0] of the data register; a write to lanes 1-3 leaves them 0 (see docs/fuzzing.md) */
		uint8_t b = (uint8_t)v;
		if (sent) {
			FUZZ_CHECK(sent == fuzz_con_sent(&con, u->port, b), "byte 0x%02x became %llu bytes", b,
				   (unsigned long long)sent);
		} else if (b) {
			md->refused = true;
		}
		return;
	}
	uint32_t mask;
	if (lane == 0 && width >= 2 && field_mask(reg, &mask))
		FUZZ_CHECK(read32(u, reg) == (v & mask), "register 0x%llx: wrote 0x%x, reads 0x%x",
			   (unsigned long long)reg, v, read32(u, reg));
	if (reg == UARTICR)
		FUZZ_CHECK(u->ris == (ris & ~(v & UARTINT_ALL)), "UARTICR 0x%x: RIS 0x%x -> 0x%x", v, ris, u->ris);
}

/* Bytes typed on the board UART: the multiplexer routes them to the VM with the focus. */
static void typed(struct fuzz_in *in)
{
	uint32_t count = 1 + fuzz_below(in, 8);
	uint8_t bytes[8];

	for (uint32_t i = 0; i < count; i++)
		bytes[i] = fuzz_bool(in) ? CONMUX_SWITCH_CHAR : fuzz_u8(in);
	for (uint32_t i = 0; i < count; i++) {
		struct conmux_input want;
		fuzz_focus_expect(&focus, &console_mux, bytes[i], &want);
		for (uint32_t v = 0; v < vm_count; v++)
			if (vms[v].console_port == want.port)
				for (uint32_t k = 0; k < want.count; k++)
					model_push(&model[v], want.bytes[k]);
		if (want.switched) {
			char line[128];
			fuzz_focus_line(&console_mux, want.port, line, sizeof(line));
			fuzz_con_expect_line(&con, 0, line);
		}
	}
	console_rx(bytes, count);
}

/* A guest writing many bytes: politely (waiting for room) or blindly. */
static void burst(struct fuzz_in *in, uint32_t vi)
{
	struct vpl011 *u = vpl011_of(&vms[vi]);
	bool polite = fuzz_bool(in);
	uint8_t b = fuzz_con_plain(fuzz_u8(in));
	uint32_t count = fuzz_u16(in) % (2 * CONMUX_BUF);

	fake.cpu = vms[vi].vcpu[0].pcpu;
	for (uint32_t i = 0; i < count; i++) {
		if (polite && (read32(u, UARTFR) & UARTFR_TXFF))
			break;
		uint64_t total = port_total(u->port);
		FUZZ_CHECK(vpl011_write(u, UARTDR, 4, b), "UARTDR write failed");
		if (port_total(u->port) != total)
			fuzz_con_sent(&con, u->port, b);
		else if (b)
			model[vi].refused = true;
	}
}

static void check_uart(uint32_t vi)
{
	struct vm *vm = &vms[vi];
	struct vpl011 *u = vpl011_of(vm);
	const struct uart_model *md = &model[vi];

	FUZZ_CHECK(u->rx_count == md->count && u->rx_count <= VPL011_RX_FIFO && u->rx_head < VPL011_RX_FIFO,
		   "VM %u: FIFO holds %u (head %u), model %u", vi, u->rx_count, u->rx_head, md->count);
	for (uint32_t i = 0; i < md->count; i++)
		FUZZ_CHECK(u->rx[(u->rx_head + i) % VPL011_RX_FIFO] == md->rx[(md->head + i) % VPL011_RX_FIFO],
			   "VM %u: FIFO byte %u differs", vi, i);
	FUZZ_CHECK(u->rx_dropped == md->dropped, "VM %u: %u dropped, model %u", vi, u->rx_dropped, md->dropped);
	FUZZ_CHECK((u->ris & ~UARTINT_ALL) == 0 && (u->imsc & ~UARTINT_ALL) == 0, "VM %u: RIS 0x%x IMSC 0x%x", vi,
		   u->ris, u->imsc);
	FUZZ_CHECK(!(u->ris & (UARTINT_RX | UARTINT_RT)) || u->rx_count, "VM %u: receive interrupt with an empty FIFO",
		   vi);
	FUZZ_CHECK(!(u->ris & UARTINT_TX) || room(u->port, VPL011_TX_FIFO), "VM %u: TXIS without room for %u bytes", vi,
		   VPL011_TX_FIFO);
	bool level = (u->ris & u->imsc) != 0;
	const struct virq *line = &vm->vgic.spi[VBOARD_UART_INTID - VGIC_SPI_BASE];
	FUZZ_CHECK(u->irq_level == level && line->level == level, "VM %u: line %d, vGIC level %d, RIS&IMSC 0x%x", vi,
		   u->irq_level, line->level, u->ris & u->imsc);
	if (u->ris & UARTINT_TX)
		model[vi].refused = false;
}

/* After CONMUX_WAIT_MS of quiet, a poll writes everything out and every refused VM gets TXIS. */
static void quiet(void)
{
	fake.cpu = 0;
	fake.counter += (CONMUX_WAIT_MS + 1) * (fake.freq / 1000);
	console_poll();
	for (uint32_t vi = 0; vi < vm_count; vi++) {
		const struct vpl011 *u = vpl011_of(&vms[vi]);
		FUZZ_CHECK(console_mux.port[u->port].len == 0, "VM %u: console bytes wait after a quiet poll", vi);
		FUZZ_CHECK(!model[vi].refused || (u->ris & UARTINT_TX),
			   "VM %u: refused a byte, no TXIS after a quiet poll", vi);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };

	fuzz_machine_boot(&fuzz_machine, &in);
	memset(model, 0, sizeof(model));
	fuzz_con_init(&con, &console_mux);
	log_set_sink(fuzz_console_sink);
	con.port[CONSOLE_HV_PORT].unchecked = true; /* its messages (dropped input): format only */
	focus = (struct fuzz_focus){ console_mux.focus, 0 };
	while (fuzz_more(&in)) {
		uint32_t vi = fuzz_below(&in, vm_count);
		switch (fuzz_below(&in, 12)) {
		case 0:
		case 1:
		case 2:
		case 3: access(&in, vi); break;
		case 4: {
			uint8_t c = fuzz_u8(&in);
			bool room = model[vi].count < VPL011_RX_FIFO;
			FUZZ_CHECK(vpl011_receive(vpl011_of(&vms[vi]), c) == room,
				   "receive answer does not match the FIFO room");
			model_push(&model[vi], c);
			break;
		}
		case 5:
		case 6: typed(&in); break;
		case 7:
			/* the multiplexer says so only when it has the room the port asked for */
			if (room(vpl011_of(&vms[vi])->port, VPL011_TX_FIFO)) {
				vpl011_tx_ready(vpl011_of(&vms[vi]));
				FUZZ_CHECK(vpl011_of(&vms[vi])->ris & UARTINT_TX, "tx_ready without TXIS");
			}
			break;
		case 8:
			fake.cpu = 0;
			fake.counter += fuzz_u16(&in) * (fake.freq / 1000) / 16;
			console_poll();
			break;
		case 9:
		case 10: burst(&in, vi); break;
		case 11: quiet(); break;
		}
		fuzz_con_check(&con);
		for (uint32_t i = 0; i < vm_count; i++)
			check_uart(i);
	}
	quiet();
	fuzz_con_check(&con);
	return 0;
}
