/* SPDX-License-Identifier: MIT */
/*
 * The Arm PrimeCell UART (PL011) register map, from its Technical Reference
 * Manual (r1p5, §3.2 summary, §3.3 descriptions). Shared by the driver of
 * the board's UART (plat/) and the UART model every VM sees (core/dev/vpl011.c).
 */
#ifndef FV_PL011_H
#define FV_PL011_H

#define UARTDR 0x000U
#define UARTRSR 0x004U
#define UARTFR 0x018U
#define UARTILPR 0x020U
#define UARTIBRD 0x024U
#define UARTFBRD 0x028U
#define UARTLCR_H 0x02cU
#define UARTCR 0x030U
#define UARTIFLS 0x034U
#define UARTIMSC 0x038U
#define UARTRIS 0x03cU
#define UARTMIS 0x040U
#define UARTICR 0x044U
#define UARTDMACR 0x048U
#define UART_ID_START 0xfe0U /* UARTPeriphID0..3, UARTPCellID0..3 */

#define UARTFR_RXFE (1U << 4)
#define UARTFR_TXFF (1U << 5)
#define UARTFR_RXFF (1U << 6)
#define UARTFR_TXFE (1U << 7)

#define UARTLCR_H_FEN (1U << 4)
#define UARTLCR_H_WLEN8 (3U << 5)

#define UARTCR_UARTEN (1U << 0)
#define UARTCR_TXE (1U << 8)
#define UARTCR_RXE (1U << 9)

/* interrupt bits of UARTIMSC, UARTRIS, UARTMIS, UARTICR */
#define UARTINT_RX (1U << 4)
#define UARTINT_TX (1U << 5)
#define UARTINT_RT (1U << 6)
#define UARTINT_ALL 0x7ffU

#endif
