// SPDX-License-Identifier: MIT
/*
 * The board's PL011 UART, owned by the hypervisor (PrimeCell UART (PL011)
 * TRM r1p5 §3.3). Polled transmit; receive by interrupt (RX and receive
 * timeout), drained into the console multiplexer. 115200 8N1 from the
 * 24 MHz UART clock QEMU describes.
 */
#include <arch/mmio.h>
#include <fv/pl011.h>
#include <fv/plat.h>

#define TX_SPIN_LIMIT 1000000U

#define REG(r) (PLAT_UART_BASE + (r))

void plat_uart_init(void)
{
	/* baud divisor = 24 MHz / (16 * 115200) = 13.02: IBRD 13, FBRD round(0.02 * 64) = 1 */
	mmio_write32(REG(UARTCR), 0);
	mmio_write32(REG(UARTIBRD), 13);
	mmio_write32(REG(UARTFBRD), 1);
	mmio_write32(REG(UARTLCR_H), UARTLCR_H_WLEN8 | UARTLCR_H_FEN);
	mmio_write32(REG(UARTIFLS), 0); /* interrupt at 1/8 full: typing feels immediate */
	mmio_write32(REG(UARTICR), 0x7ff);
	mmio_write32(REG(UARTIMSC), UARTINT_RX | UARTINT_RT);
	mmio_write32(REG(UARTCR), UARTCR_UARTEN | UARTCR_TXE | UARTCR_RXE);
}

static void putc_raw(char c)
{
	/* Bounded: a wedged UART must not hang the hypervisor forever. */
	for (uint32_t i = 0; i < TX_SPIN_LIMIT && (mmio_read32(REG(UARTFR)) & UARTFR_TXFF); i++)
		;
	mmio_write32(REG(UARTDR), (uint8_t)c);
}

void plat_uart_write(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		putc_raw(s[i]);
}

uint32_t plat_uart_read(uint8_t *buf, uint32_t max)
{
	uint32_t n = 0;

	while (n < max && !(mmio_read32(REG(UARTFR)) & UARTFR_RXFE))
		buf[n++] = (uint8_t)mmio_read32(REG(UARTDR));
	return n;
}
