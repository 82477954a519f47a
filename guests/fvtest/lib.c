// SPDX-License-Identifier: MIT
/*
 * fvtest's runtime: console output, exception capture, memory probes,
 * SMCCC calls, the GIC CPU interface and timers. Plain EL1 code with the
 * MMU off; everything here is what any bare-metal guest would do.
 */
#include <stdarg.h>

#include <fv/fmt.h>
#include <fv/string.h>

#include "fvtest.h"

struct exc_record last_exc;
volatile uint32_t irq_count[1024];
uint32_t failures;
volatile uint64_t storm_end;
void (*volatile irq_hook)(uint32_t intid);
volatile uint64_t sync_stall_ms;

/*
 * Device accesses as single plain loads and stores: an instruction with
 * base-register writeback gives the hypervisor no syndrome to emulate it
 * (ESR_EL2.ISV = 0), so, like Linux's accessors, we never let the compiler
 * pick one.
 */
void mmio_write32(uint64_t addr, uint32_t v)
{
	__asm__ volatile("str %w0, [%1]" : : "r"(v), "r"(addr) : "memory");
}

uint32_t mmio_read32(uint64_t addr)
{
	uint32_t v;
	__asm__ volatile("ldr %w0, [%1]" : "=r"(v) : "r"(addr) : "memory");
	return v;
}

void mmio_write64(uint64_t addr, uint64_t v)
{
	__asm__ volatile("str %0, [%1]" : : "r"(v), "r"(addr) : "memory");
}

static void uart_putc(char c)
{
	while (mmio_read32(UART_BASE + 0x18) & (1U << 5)) /* TXFF */
		;
	mmio_write32(UART_BASE, (uint8_t)c);
}

static void vprint(const char *fmt, va_list ap)
{
	char buf[256];

	fmt_vsnprintf(buf, sizeof(buf), fmt, ap);
	for (const char *p = buf; *p; p++) {
		if (*p == '\n')
			uart_putc('\r');
		uart_putc(*p);
	}
}

void print(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprint(fmt, ap);
	va_end(ap);
}

void result(const char *check, bool ok, const char *fmt, ...)
{
	va_list ap;

	print("FVTEST %s %s: ", check, ok ? "ok" : "FAIL");
	va_start(ap, fmt);
	vprint(fmt, ap);
	va_end(ap);
	print("\n");
	if (!ok)
		failures++;
}

uint64_t counter(void)
{
	uint64_t v;
	__asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(v));
	return v;
}

uint64_t counter_freq(void)
{
	uint64_t v;
	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(v));
	return v;
}

void delay_ms(uint64_t ms)
{
	uint64_t end = counter() + ms * counter_freq() / 1000;
	while (counter() < end)
		;
}

uint64_t rand64(void)
{
	static uint64_t state = 0x9e3779b97f4a7c15ULL;
	state ^= state << 13;
	state ^= state >> 7;
	state ^= state << 17;
	return state;
}

/* Called from the vectors: 0 sync, 1 IRQ, 2 FIQ, 3 SError. */
void fvtest_exception(uint64_t kind);
void fvtest_exception(uint64_t kind)
{
	if (kind == 1) {
		uint64_t iar;
		__asm__ volatile("mrs %0, s3_0_c12_c12_0" : "=r"(iar)); /* ICC_IAR1_EL1 */
		if (iar < 1020) {
			irq_count[iar]++; /* counted, not silenced: storms keep storming */
			if (storm_end && counter() >= storm_end) {
				/* the storm has lasted long enough: now silence its sources */
				storm_end = 0;
				__asm__ volatile("msr cntv_ctl_el0, xzr; isb");
				mmio_write32(UART_BASE + 0x38, 0);
			}
			void (*hook)(uint32_t) = irq_hook;
			if (hook)
				hook((uint32_t)iar);
			__asm__ volatile("msr s3_0_c12_c12_1, %0; isb" : : "r"(iar)); /* ICC_EOIR1_EL1 */
		}
		return;
	}
	uint64_t esr, far, elr;
	__asm__ volatile("mrs %0, esr_el1" : "=r"(esr));
	__asm__ volatile("mrs %0, far_el1" : "=r"(far));
	__asm__ volatile("mrs %0, elr_el1" : "=r"(elr));
	last_exc.esr = esr;
	last_exc.far = far;
	last_exc.elr = elr;
	last_exc.count++;
	if (kind == 0) {
		uint64_t stall = sync_stall_ms;
		if (stall) {
			sync_stall_ms = 0;
			delay_ms(stall);
		}
		if ((esr >> 26) != 0x15) { /* an SVC returns past itself already */
			elr += 4;          /* step over the faulting instruction */
			__asm__ volatile("msr elr_el1, %0" : : "r"(elr));
		}
	} else {
		print("FVTEST exception kind %llu esr 0x%llx elr 0x%llx\n", (unsigned long long)kind,
		      (unsigned long long)esr, (unsigned long long)elr);
	}
}

/* Each probe is one load or store the handler can step over; x9 carries the value. */
bool probe_read32(uint64_t addr, uint32_t *value, uint64_t *esr)
{
	uint32_t before = last_exc.count;
	register uint64_t v __asm__("x9") = 0xdeadbeef;

	__asm__ volatile("ldr w9, [%1]" : "+r"(v) : "r"(addr) : "memory");
	*value = (uint32_t)v;
	*esr = last_exc.esr;
	return last_exc.count != before;
}

bool probe_write32(uint64_t addr, uint32_t value, uint64_t *esr)
{
	uint32_t before = last_exc.count;

	__asm__ volatile("str %w0, [%1]" : : "r"(value), "r"(addr) : "memory");
	*esr = last_exc.esr;
	return last_exc.count != before;
}

bool probe_read64(uint64_t addr, uint64_t *value, uint64_t *esr)
{
	uint32_t before = last_exc.count;
	register uint64_t v __asm__("x9") = 0xdeadbeef;

	__asm__ volatile("ldr x9, [%1]" : "+r"(v) : "r"(addr) : "memory");
	*value = v;
	*esr = last_exc.esr;
	return last_exc.count != before;
}

bool probe_write64(uint64_t addr, uint64_t value, uint64_t *esr)
{
	uint32_t before = last_exc.count;

	__asm__ volatile("str %0, [%1]" : : "r"(value), "r"(addr) : "memory");
	*esr = last_exc.esr;
	return last_exc.count != before;
}

int64_t smccc(bool use_smc, uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3)
{
	register uint64_t x0 __asm__("x0") = fid;
	register uint64_t x1 __asm__("x1") = a1;
	register uint64_t x2 __asm__("x2") = a2;
	register uint64_t x3 __asm__("x3") = a3;

	if (use_smc)
		__asm__ volatile("smc #0"
				 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
				 :
				 : "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13", "x14", "x15", "x16",
				   "x17", "memory");
	else
		__asm__ volatile("hvc #0"
				 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
				 :
				 : "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13", "x14", "x15", "x16",
				   "x17", "memory");
	return (int64_t)x0;
}

void gic_init_cpu(uint32_t vcpu)
{
	uint64_t rd = GICR_BASE + vcpu * GICR_STRIDE;

	if (vcpu == 0)
		mmio_write32(GICD_BASE, (1U << 4) | (1U << 1)); /* ARE, EnableGrp1 */
	mmio_write32(rd + 0x14, mmio_read32(rd + 0x14) & ~2U);  /* WAKER.ProcessorSleep = 0 */
	mmio_write32(rd + 0x10000 + 0x80, 0xffffffffU);         /* all group 1 */
	for (uint32_t i = 0; i < 32; i += 4)
		mmio_write32(rd + 0x10000 + 0x400 + i, 0x80808080U);
	mmio_write32(rd + 0x10000 + 0x100, 0x0000ffffU | (1U << 27)); /* SGIs and the virtual timer */
	uint64_t sre;
	__asm__ volatile("mrs %0, s3_0_c12_c12_5" : "=r"(sre));
	__asm__ volatile("msr s3_0_c12_c12_5, %0; isb" : : "r"(sre | 1));
	__asm__ volatile("msr s3_0_c4_c6_0, %0" : : "r"(0xffULL));     /* PMR */
	__asm__ volatile("msr s3_0_c12_c12_7, %0; isb" : : "r"(1ULL)); /* IGRPEN1 */
}

void irqs_on(void)
{
	__asm__ volatile("msr daifclr, #2; isb" ::: "memory");
}

void irqs_off(void)
{
	__asm__ volatile("msr daifset, #2; isb" ::: "memory");
}
