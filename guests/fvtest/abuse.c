// SPDX-License-Identifier: MIT
/*
 * fvtest.mode=abuse: the noisy neighbour of bench/neighbours.py. A key typed
 * on its console chooses what it does until the next key:
 *   c  a plain CPU loop: the baseline, busy and without exits
 *   s  an SGI flood at its own two vCPUs (each ICC_SGI1R_EL1 write traps)
 *   w  its SP805 at the shortest period it can program (Load 0, which the
 *      model clamps to VWDT_MIN_TICKS), each interrupt cleared at once
 *   u  a trap storm on its UART: TXIM set, so the UART interrupt never
 *      drops; each interrupt's handler reads UARTFR (a trap) to look for
 *      the key that ends the storm, and vCPU 0 runs nothing else
 * Any other key stops the run, which ends with one line of counts:
 * "FVTEST abuse <key> stopped after <ms> ms: ...". vCPU 1 spins with its
 * interrupts on the whole time, so both vCPUs are busy in every mode.
 */
#include <fv/psci.h>

#include "fvtest.h"

#define UARTDR 0x00U
#define UARTFR 0x18U
#define UARTFR_RXFE (1U << 4)
#define UARTIMSC 0x38U
#define UARTIMSC_TXIM (1U << 5)
#define UART_INTID 33U
#define WDT_BASE 0x090c0000UL /* every VM's SP805 (docs/config.md) */
#define WDT_INTID 42U
#define WDOG_LOAD 0x000U
#define WDOG_CONTROL 0x008U
#define WDOG_CONTROL_INTEN 1U
#define WDOG_INTCLR 0x00cU
#define WDOG_LOCK 0xc00U
#define WDOG_UNLOCK_KEY 0x1acce551U
#define SGI_FLOOD 1U

extern char secondary_entry[];
static volatile uint64_t vcpu1_spins;

static void vcpu1_spin(void)
{
	gic_init_cpu(1);
	irqs_on();
	for (;;)
		vcpu1_spins++;
}

static bool key_waiting(void)
{
	return !(mmio_read32(UART_BASE + UARTFR) & UARTFR_RXFE);
}

static void service(uint32_t intid)
{
	if (intid == WDT_INTID)
		mmio_write32(WDT_BASE + WDOG_INTCLR, 1); /* clears the interrupt and reloads the count */
	/* The storm leaves no time outside this handler: the key is looked for here. */
	if (intid == UART_INTID && key_waiting())
		mmio_write32(UART_BASE + UARTIMSC, 0);
}

static char key_read(void)
{
	return (char)(mmio_read32(UART_BASE + UARTDR) & 0xff);
}

/* An SPI of this VM, group 1, routed to vCPU 0 (GICv3 spec §12.9: IGROUPR, ISENABLER, IROUTER). */
static void spi_enable(uint32_t intid, bool on)
{
	uint64_t word = intid / 32 * 4;
	uint32_t bit = 1U << (intid % 32);

	if (on) {
		mmio_write64(GICD_BASE + 0x6000 + 8 * intid, 0);
		mmio_write32(GICD_BASE + 0x80 + word, mmio_read32(GICD_BASE + 0x80 + word) | bit);
		mmio_write32(GICD_BASE + 0x100 + word, bit);
	} else {
		mmio_write32(GICD_BASE + 0x180 + word, bit);
	}
}

static void send_sgi(uint64_t value)
{
	__asm__ volatile("msr s3_0_c12_c11_5, %0; isb" : : "r"(value)); /* ICC_SGI1R_EL1 */
}

/* Run `mode` until a key arrives; returns the loop's iterations. Keys are
 * looked for every 10 ms by the (untrapped) counter. */
static uint64_t run_until_key(char mode)
{
	uint64_t n = 0, step = counter_freq() / 100, next = counter() + step;

	for (;;) {
		n++;
		if (mode == 's')
			send_sgi(((uint64_t)SGI_FLOOD << 24) | 3U); /* Aff0 0 and 1: both of our vCPUs */
		if (counter() >= next) {
			if (key_waiting())
				return n;
			next = counter() + step;
		}
	}
}

static void abuse(char mode)
{
	uint32_t sgi0 = irq_count[SGI_FLOOD], wdt0 = irq_count[WDT_INTID], uart0 = irq_count[UART_INTID];
	uint64_t spins0 = vcpu1_spins;

	print("FVTEST abuse %c running\n", mode);
	uint64_t t0 = counter();
	if (mode == 'w') {
		mmio_write32(WDT_BASE + WDOG_LOCK, WDOG_UNLOCK_KEY);
		mmio_write32(WDT_BASE + WDOG_LOAD, 0);
		spi_enable(WDT_INTID, true);
		mmio_write32(WDT_BASE + WDOG_CONTROL, WDOG_CONTROL_INTEN);
	} else if (mode == 'u') {
		spi_enable(UART_INTID, true);
		mmio_write32(UART_BASE + UARTIMSC, UARTIMSC_TXIM);
	}
	uint64_t n = run_until_key(mode);
	uint64_t ms = (counter() - t0) * 1000 / counter_freq();
	if (mode == 'w') {
		mmio_write32(WDT_BASE + WDOG_CONTROL, 0);
		mmio_write32(WDT_BASE + WDOG_INTCLR, 1);
		spi_enable(WDT_INTID, false);
	} else if (mode == 'u') {
		mmio_write32(UART_BASE + UARTIMSC, 0);
		spi_enable(UART_INTID, false);
	}
	(void)key_read();
	print("FVTEST abuse %c stopped after %llu ms: %llu iterations, %u SGI %u, %u watchdog, %u UART interrupts; "
	      "vCPU 1 %llu spins\n",
	      mode, (unsigned long long)ms, (unsigned long long)n, SGI_FLOOD, irq_count[SGI_FLOOD] - sgi0,
	      irq_count[WDT_INTID] - wdt0, irq_count[UART_INTID] - uart0, (unsigned long long)(vcpu1_spins - spins0));
}

void run_abuse(void)
{
	gic_init_cpu(0);
	secondary_work = vcpu1_spin;
	int64_t r = smccc(false, PSCI_CPU_ON_64, 1, (uint64_t)secondary_entry, 1);
	irq_hook = service;
	irqs_on();
	print("FVTEST abuse ready (CPU_ON vCPU 1: %lld): keys c s w u start a run, any other stops it\n", (long long)r);
	for (;;) {
		while (!key_waiting())
			delay_ms(10);
		char k = key_read();
		if (k == 'c' || k == 's' || k == 'w' || k == 'u')
			abuse(k);
	}
}
