/* SPDX-License-Identifier: MIT */
/*
 * fvtest: a small bare-metal guest that misbehaves on purpose, one way at a
 * time, and reports what the hypervisor answered. It runs at EL1 with its
 * MMU off, prints "FVTEST <check> ok|FAIL: <what happened>" lines on its
 * PL011, and reads its mode from /chosen/bootargs ("fvtest.mode=matrix",
 * "fvtest.mode=reset-loop", "fvtest.mode=hygiene", "fvtest.mode=abuse").
 */
#ifndef FVTEST_H
#define FVTEST_H

#include <stdbool.h>
#include <stdint.h>

#define UART_BASE 0x09000000UL
#define GICD_BASE 0x08000000UL
#define GICR_BASE 0x080a0000UL
#define GICR_STRIDE 0x20000UL

/* The last synchronous exception taken (the handler steps over it). */
struct exc_record {
	volatile uint32_t count;
	volatile uint64_t esr;
	volatile uint64_t far;
	volatile uint64_t elr;
};
extern struct exc_record last_exc;
extern volatile uint32_t irq_count[1024];
extern volatile uint32_t secondary_up;
/* Counter time at which the interrupt handler silences a storm (0: no storm). */
extern volatile uint64_t storm_end;
/* The next synchronous exception's handler spins this long, all masked, then clears it (0: none). */
extern volatile uint64_t sync_stall_ms;
/* Called by the interrupt handler before each EOI, if set (a mode's device service). */
extern void (*volatile irq_hook)(uint32_t intid);
/* What vCPU 1 runs after PSCI CPU_ON (if set; else it turns itself off again). */
extern void (*volatile secondary_work)(void);

void print(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void result(const char *check, bool ok, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
extern uint32_t failures;

uint64_t counter(void);
uint64_t counter_freq(void);
void delay_ms(uint64_t ms);
uint64_t rand64(void);

/* Memory probes: true if the access faulted; *esr gets its syndrome. */
bool probe_read32(uint64_t addr, uint32_t *value, uint64_t *esr);
bool probe_write32(uint64_t addr, uint32_t value, uint64_t *esr);
bool probe_read64(uint64_t addr, uint64_t *value, uint64_t *esr);
bool probe_write64(uint64_t addr, uint64_t value, uint64_t *esr);

void mmio_write32(uint64_t addr, uint32_t v);
uint32_t mmio_read32(uint64_t addr);
void mmio_write64(uint64_t addr, uint64_t v);

int64_t smccc(bool use_smc, uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3);

void gic_init_cpu(uint32_t vcpu);
void irqs_on(void);
void irqs_off(void);

/* What vCPU 1 runs when started through secondary_entry (NULL: the matrix's). */
extern void (*volatile secondary_hook)(uint64_t ctx);
/* Its VBAR_EL1 as each vCPU found it at entry, before setting its own. */
extern uint64_t boot_vbar[2];

void run_matrix(void);
void run_hygiene(const void *dtb);
void run_reset_loop(void);
void run_bench(void);
void run_abuse(void);

#endif
