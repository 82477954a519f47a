// SPDX-License-Identifier: MIT
/*
 * The PL011 each VM sees (core/dev/vpl011.c; PL011 TRM r1p5 §3.3-3.4): reset
 * values, identification, the receive FIFO, transmission into the console
 * multiplexer with its backpressure, the RX/TX interrupts and the level of
 * the VM's UART line in the vGIC, and 8/16/32-bit accesses.
 *
 * The UARTs are the ones vm_create set up, so bytes written reach the
 * board UART (fake.uart) through the hypervisor's multiplexer, prefixed
 * with the VM's name. Time is the fake counter (1 MHz).
 */
#include "helpers.h"

#include <string.h>

#include <plat/layout.h>

#define DR 0x000
#define RSR 0x004
#define FR 0x018
#define ILPR 0x020
#define IBRD 0x024
#define FBRD 0x028
#define LCR_H 0x02c
#define CR 0x030
#define IFLS 0x034
#define IMSC 0x038
#define RIS 0x03c
#define MIS 0x040
#define ICR 0x044
#define DMACR 0x048

#define FR_RXFE BIT(4)
#define FR_TXFF BIT(5)
#define FR_RXFF BIT(6)
#define FR_TXFE BIT(7)
#define INT_RX BIT(4)
#define INT_TX BIT(5)
#define INT_RT BIT(6)

static struct manifest m;
static struct vpl011 *u0, *u1;

static int setup(void **state)
{
	(void)state;
	testbed_manifest(&m, 2, 1);
	assert_true(testbed_create_vms(&m));
	u0 = vpl011_of(&vms[0]);
	u1 = vpl011_of(&vms[1]);
	fake.counter = 1000000; /* t = 1 s */
	return 0;
}

static uint32_t rd(struct vpl011 *u, uint64_t off)
{
	uint64_t v = 0xdeadbeef;

	assert_true(vpl011_read(u, off, 4, &v));
	assert_int_equal(v >> 32, 0);
	return (uint32_t)v;
}

static uint64_t rdw(struct vpl011 *u, uint64_t off, unsigned int width)
{
	uint64_t v = 0xdeadbeefdeadbeefULL;

	assert_true(vpl011_read(u, off, width, &v));
	return v;
}

static void wr(struct vpl011 *u, uint64_t off, uint32_t v)
{
	assert_true(vpl011_write(u, off, 4, v));
}

static void puts_dr(struct vpl011 *u, const char *s)
{
	while (*s)
		wr(u, DR, (uint8_t)*s++);
}

/* The VM's UART interrupt line as the vGIC sees it. */
static bool line(struct vpl011 *u)
{
	const struct virq *irq = &u->vm->vgic.spi[VBOARD_UART_INTID - VGIC_SPI_BASE];

	assert_int_equal(irq->level, u->irq_level);
	return irq->level;
}

static void test_reset_state(void **state)
{
	(void)state;
	assert_int_equal(rd(u0, CR), 0x0300);   /* TXE | RXE */
	assert_int_equal(rd(u0, IFLS), 0x0012); /* half-full triggers */
	assert_int_equal(rd(u0, IMSC), 0);
	assert_int_equal(rd(u0, RIS), 0);
	assert_int_equal(rd(u0, MIS), 0);
	assert_int_equal(rd(u0, LCR_H), 0);
	assert_int_equal(rd(u0, DMACR), 0);
	assert_int_equal(rd(u0, FR), FR_RXFE | FR_TXFE);
	assert_int_equal(rd(u0, RSR), 0);
	assert_false(line(u0));
}

static void test_identification(void **state)
{
	(void)state;
	uint32_t id[8];

	for (uint32_t i = 0; i < 8; i++)
		id[i] = rd(u0, 0xfe0 + 4 * i);
	/* PeriphID: part number 0x011 (PL011), designer 0x41 (Arm) */
	assert_int_equal(((id[1] & 0xf) << 8) | id[0], 0x011);
	assert_int_equal(((id[2] & 0xf) << 4) | (id[1] >> 4), 0x41);
	/* PrimeCell ID */
	assert_int_equal(id[4], 0x0d);
	assert_int_equal(id[5], 0xf0);
	assert_int_equal(id[6], 0x05);
	assert_int_equal(id[7], 0xb1);
	/* read-only */
	wr(u0, 0xfe0, 0);
	assert_int_equal(rd(u0, 0xfe0), id[0]);
}

static void test_transmit_reaches_console(void **state)
{
	(void)state;
	fake_uart_clear();
	puts_dr(u0, "hello\n");
	assert_string_equal(fake_uart_text(), "[vm0] hello\r\n");
	/* an 8-bit store to DR transmits too; the upper bits of a wide store are not data */
	assert_true(vpl011_write(u1, DR, 1, 'o'));
	assert_true(vpl011_write(u1, DR, 4, 0xf00 | 'k'));
	assert_true(vpl011_write(u1, DR, 2, '\n'));
	assert_string_equal(fake_uart_text(), "[vm0] hello\r\n[vm1] ok\r\n");
	assert_int_equal(console_mux.port[vms[0].console_port].bytes_out, 7);
}

static void test_tx_interrupt(void **state)
{
	(void)state;
	wr(u0, IMSC, INT_TX);
	assert_false(line(u0)); /* nothing sent yet */
	wr(u0, DR, 'a');
	assert_true(rd(u0, RIS) & INT_TX);
	assert_int_equal(rd(u0, MIS), INT_TX);
	assert_true(line(u0));
	assert_true(vms[0].vgic.spi[VBOARD_UART_INTID - VGIC_SPI_BASE].pending);
	wr(u0, ICR, INT_TX);
	assert_int_equal(rd(u0, RIS) & INT_TX, 0);
	assert_false(line(u0));
	assert_false(line(u1)); /* the other VM's line never moved */
}

static void test_receive_and_rx_interrupt(void **state)
{
	(void)state;
	assert_true(vpl011_receive(u0, 'a'));
	assert_true(vpl011_receive(u0, 'b'));
	assert_int_equal(rd(u0, FR) & (FR_RXFE | FR_RXFF), 0);
	assert_int_equal(rd(u0, RIS), INT_RX | INT_RT);
	assert_false(line(u0)); /* masked */
	wr(u0, IMSC, INT_RX | INT_RT);
	assert_true(line(u0));
	assert_int_equal(rd(u0, MIS), INT_RX | INT_RT);
	assert_int_equal(rd(u0, DR), 'a');
	assert_true(line(u0)); /* one byte left */
	assert_int_equal(rd(u0, DR), 'b');
	assert_int_equal(rd(u0, RIS), 0);
	assert_false(line(u0));
	assert_true(rd(u0, FR) & FR_RXFE);
	assert_int_equal(rd(u0, DR), 0); /* empty */
	/* only this VM's FIFO got the bytes */
	assert_true(rd(u1, FR) & FR_RXFE);
}

static void test_receive_fifo_full_and_order(void **state)
{
	(void)state;
	for (uint32_t i = 0; i < VPL011_RX_FIFO; i++)
		assert_true(vpl011_receive(u0, (uint8_t)('0' + i)));
	assert_true(rd(u0, FR) & FR_RXFF);
	assert_false(vpl011_receive(u0, 'X'));
	assert_int_equal(u0->rx_dropped, 1);
	/* drain ten, refill ten: the ring wraps and keeps the order */
	for (uint32_t i = 0; i < 10; i++)
		assert_int_equal(rd(u0, DR), (uint8_t)('0' + i));
	assert_false(rd(u0, FR) & FR_RXFF);
	for (uint32_t i = 0; i < 10; i++)
		assert_true(vpl011_receive(u0, (uint8_t)('a' + i)));
	assert_false(vpl011_receive(u0, 'Y'));
	for (uint32_t i = 10; i < VPL011_RX_FIFO; i++)
		assert_int_equal(rd(u0, DR), (uint8_t)('0' + i));
	for (uint32_t i = 0; i < 10; i++)
		assert_int_equal(rd(u0, DR), 'a' + i);
	assert_true(rd(u0, FR) & FR_RXFE);
}

static void test_register_widths_of_fields(void **state)
{
	(void)state;
	const struct {
		uint32_t off, mask;
	} regs[] = {
		{ ILPR, 0xff }, { IBRD, 0xffff }, { FBRD, 0x3f },  { LCR_H, 0xff },
		{ CR, 0xffff }, { IFLS, 0x3f },   { IMSC, 0x7ff }, { DMACR, 0x7 },
	};

	for (uint32_t i = 0; i < ARRAY_SIZE(regs); i++) {
		wr(u0, regs[i].off, 0xffffffff);
		assert_int_equal(rd(u0, regs[i].off), regs[i].mask);
		wr(u0, regs[i].off, 0);
		assert_int_equal(rd(u0, regs[i].off), 0);
	}
	/* read-only status registers ignore writes */
	wr(u0, RIS, 0x7ff);
	wr(u0, MIS, 0x7ff);
	wr(u0, FR, 0);
	assert_int_equal(rd(u0, RIS), 0);
	assert_int_equal(rd(u0, FR), FR_RXFE | FR_TXFE);
	/* reserved offsets read as zero and ignore writes */
	const uint32_t reserved[] = { 0x008, 0x01c, 0x04c, 0x100, 0xf00, 0xfdc };
	for (uint32_t i = 0; i < ARRAY_SIZE(reserved); i++) {
		wr(u0, reserved[i], 0xffffffff);
		assert_int_equal(rd(u0, reserved[i]), 0);
	}
	assert_int_equal(rd(u0, ICR), 0); /* write-only */
}

static void test_narrow_accesses(void **state)
{
	(void)state;
	/* 16-bit store and load of a 16-bit register */
	assert_true(vpl011_write(u0, IMSC, 2, INT_RX));
	assert_int_equal(rdw(u0, IMSC, 2), INT_RX);
	assert_int_equal(rdw(u0, IMSC + 2, 2), 0); /* the upper half of the word */
	/* bytes of a register: CR = 0x0300 */
	assert_int_equal(rdw(u0, CR, 1), 0x00);
	assert_int_equal(rdw(u0, CR + 1, 1), 0x03);
	assert_int_equal(rdw(u0, CR, 2), 0x0300);
	assert_int_equal(rdw(u0, FR, 1), FR_RXFE | FR_TXFE);
	/* an 8-bit load of DR pops one byte */
	vpl011_receive(u0, 'q');
	vpl011_receive(u0, 'r');
	assert_int_equal(rdw(u0, DR, 1), 'q');
	assert_int_equal(rdw(u0, DR, 2), 'r');
	/* identification bytes by byte loads */
	assert_int_equal(rdw(u0, 0xff0, 1), 0x0d);
}

static void test_bad_widths(void **state)
{
	(void)state;
	uint64_t v = 7;

	vpl011_receive(u0, 'z');
	assert_false(vpl011_read(u0, DR, 8, &v));
	assert_false(vpl011_read(u0, CR + 1, 2, &v)); /* misaligned halfword */
	assert_false(vpl011_read(u0, CR + 2, 4, &v)); /* misaligned word */
	assert_false(vpl011_read(u0, DR + 1, 2, &v));
	assert_false(vpl011_write(u0, IMSC, 8, 0x7ff));
	assert_false(vpl011_write(u0, IMSC + 1, 2, 0x7ff));
	assert_false(vpl011_write(u0, DR, 8, 'x'));
	/* no side effect: the byte is still there, the mask unchanged, nothing sent */
	assert_int_equal(rd(u0, IMSC), 0);
	assert_int_equal(u0->rx_count, 1);
	assert_int_equal(rd(u0, DR), 'z');
	assert_int_equal(console_mux.port[vms[0].console_port].len, 0);
}

static void test_line_follows_mask_and_status(void **state)
{
	(void)state;
	vpl011_receive(u0, 'x');
	assert_false(line(u0));
	wr(u0, IMSC, INT_RX);
	assert_true(line(u0));
	wr(u0, IMSC, INT_TX);
	assert_false(line(u0));
	wr(u0, IMSC, INT_RT);
	assert_true(line(u0));
	/* clearing the status through ICR drops the line, data or not */
	wr(u0, ICR, INT_RX | INT_RT);
	assert_false(line(u0));
	assert_int_equal(rd(u0, DR), 'x');
	/* a level-sensitive line: pending follows it */
	struct virq *irq = &vms[0].vgic.spi[VBOARD_UART_INTID - VGIC_SPI_BASE];
	vpl011_receive(u0, 'y');
	assert_true(irq->pending);
	assert_int_equal(rd(u0, DR), 'y');
	assert_false(irq->pending);
}

static void test_reset_clears_fifo_and_line(void **state)
{
	(void)state;
	vpl011_receive(u0, 'a');
	wr(u0, IMSC, INT_RX);
	wr(u0, CR, 0x301);
	wr(u0, LCR_H, 0x70);
	assert_true(line(u0));
	vpl011_reset(u0);
	assert_false(line(u0));
	assert_int_equal(rd(u0, CR), 0x0300);
	assert_int_equal(rd(u0, LCR_H), 0);
	assert_int_equal(rd(u0, IMSC), 0);
	assert_true(rd(u0, FR) & FR_RXFE);
	assert_int_equal(rd(u0, DR), 0);
}

/* VM 1 holds the console line mid-line, and is typing. */
static void vm1_holds_line(void)
{
	puts_dr(u1, "prompt$ ");
	fake.counter += (CONMUX_WAIT_MS + 1) * 1000;
	console_poll(); /* VM 1's partial line goes out: it holds the line */
	assert_int_equal(console_mux.owner, (int)vms[1].console_port);
	wr(u1, DR, 'x'); /* and it is typing */
}

/* A kernel writing with interrupts off, byte by byte on TXFF, never waits on its neighbour. */
static void test_transmit_never_waits_on_a_neighbour(void **state)
{
	(void)state;
	vm1_holds_line();
	for (uint32_t i = 0; i < 4 * CONMUX_BUF; i++) {
		assert_false(rd(u0, FR) & FR_TXFF);
		wr(u0, DR, 'A' + (i % 26));
	}
	uint32_t p0 = vms[0].console_port;
	assert_int_equal(console_mux.port[p0].bytes_out + console_mux.port[p0].len, 4 * CONMUX_BUF);
	assert_non_null(strstr(fake_uart_text(), "[vm1] prompt$ x\r\n[vm0] ABCDEFGHIJ"));
}

/*
 * A guest that stops when TXIS goes and waits for it, as Linux's
 * interrupt-driven pl011 driver does, gets TXIS back once there is room:
 * at the latest when its bytes have waited CONMUX_WAIT_MS.
 */
static void test_tx_interrupt_returns(void **state)
{
	(void)state;
	wr(u0, IMSC, INT_TX);
	vm1_holds_line();
	uint32_t n = 0;
	while (rd(u0, RIS) & INT_TX || n == 0) {
		wr(u0, DR, 'A' + (n++ % 26));
		assert_true(n < CONMUX_BUF);
	}
	assert_false(line(u0));             /* TXIS withdrawn: no room for a FIFO's worth */
	assert_false(rd(u0, FR) & FR_TXFF); /* though a byte would still go */
	console_poll();
	assert_false(line(u0));
	fake.counter += CONMUX_WAIT_MS * 1000;
	console_poll();
	assert_true(rd(u0, RIS) & INT_TX);
	assert_true(line(u0));
	assert_non_null(strstr(fake_uart_text(), "[vm1] prompt$ x\r\n[vm0] ABCDEFGHIJ"));
}

static void test_typed_input_reaches_focused_vm(void **state)
{
	(void)state;
	const uint8_t keys[] = { 'l', 's', CONMUX_SWITCH_CHAR, CONMUX_SWITCH_CHAR, CONMUX_SWITCH_CHAR, 'p' };

	console_rx(keys, sizeof(keys));
	assert_int_equal(rd(u0, DR), 'l');
	assert_int_equal(rd(u0, DR), 's');
	assert_true(rd(u0, FR) & FR_RXFE);
	assert_int_equal(rd(u1, DR), 'p');
	assert_non_null(strstr(fake_uart_text(), "[hv] input goes to vm1 now"));
}

int main(void)
{
#define T(f) cmocka_unit_test_setup(f, setup)
	const struct CMUnitTest tests[] = {
		T(test_reset_state),
		T(test_identification),
		T(test_transmit_reaches_console),
		T(test_tx_interrupt),
		T(test_receive_and_rx_interrupt),
		T(test_receive_fifo_full_and_order),
		T(test_register_widths_of_fields),
		T(test_narrow_accesses),
		T(test_bad_widths),
		T(test_line_follows_mask_and_status),
		T(test_reset_clears_fifo_and_line),
		T(test_transmit_never_waits_on_a_neighbour),
		T(test_tx_interrupt_returns),
		T(test_typed_input_reaches_focused_vm),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
