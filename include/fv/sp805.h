/* SPDX-License-Identifier: MIT */
/*
 * The Arm SP805 watchdog register map (ARM DDI 0270B, §3.2 summary, §3.3
 * descriptions): the model every VM sees (core/dev/vwdt.c), as pl011.h is for
 * the UART.
 */
#ifndef FV_SP805_H
#define FV_SP805_H

#define WDOG_LOAD 0x000U
#define WDOG_VALUE 0x004U
#define WDOG_CONTROL 0x008U
#define WDOG_INTCLR 0x00cU
#define WDOG_RIS 0x010U
#define WDOG_MIS 0x014U
#define WDOG_LOCK 0xc00U
#define WDOG_ITCR 0xf00U
#define WDOG_ITOP 0xf04U
#define WDOG_ID_START 0xfe0U /* WdogPeriphID0..3, WdogPCellID0..3 */

#define WDOG_CONTROL_INTEN (1U << 0)
#define WDOG_CONTROL_RESEN (1U << 1)
#define WDOG_UNLOCK_KEY 0x1acce551U /* written to WdogLock: registers writable */

#endif
