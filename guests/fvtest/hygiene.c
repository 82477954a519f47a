// SPDX-License-Identifier: MIT
/*
 * Restart hygiene (docs/fault-matrix.md, "Shared services"): at every start
 * fvtest reports the state it finds, one "FVTEST state <name> <value>" line
 * per item: each vCPU's EL1 system registers (MMU, exception, thread,
 * timer, debug, pointer-authentication, FP/SIMD registers and its GIC CPU
 * interface), the VM's distributor and redistributors, its UART, and
 * whether any of its RAM outside its image holds anything. Then, on a key
 * typed on its console, it leaves all of that as untidy as a guest can
 * (an interrupt acknowledged and never finished included) and asks for a
 * reset ('r', PSCI SYSTEM_RESET) or waits for the board to be reset ('w').
 * The integration test compares the reports: the start after a restart, and
 * the first start on a warm-reset board, must report what the first start
 * on a cold board did.
 */
#include <fv/psci.h>

#include "fvtest.h"

#define RAM_END 0x69000000UL /* tests/integration/configs/hygiene.dts: 16 MiB at 0x68000000 */
#define PATTERN 0xa5a5a5a5a5a5a5a5ULL
#define UART_SPI 33U

#define MRS(enc)                                             \
	({                                                   \
		uint64_t v_;                                 \
		__asm__ volatile("mrs %0, " enc : "=r"(v_)); \
		v_;                                          \
	})
#define MSR(enc, v) __asm__ volatile("msr " enc ", %0\n\tisb" : : "r"((uint64_t)(v)) : "memory")

extern char __stack_top[];
extern char secondary_entry[];
uint64_t boot_vbar[2];
uint64_t fp_fold(void);
void fp_fill(uint64_t pattern);

static volatile uint32_t cpu1_done;

static void state(const char *cpu, const char *name, uint64_t value)
{
	print("FVTEST state %s%s 0x%llx\n", cpu, name, (unsigned long long)value);
}

static void state_n(const char *cpu, const char *name, unsigned int n, uint64_t value)
{
	print("FVTEST state %s%s%u 0x%llx\n", cpu, name, n, (unsigned long long)value);
}

/* DBGBVR<n>, DBGBCR<n>, DBGWVR<n>, DBGWCR<n>_EL1: op2 4, 5, 6, 7 with CRm = n. */
#define DBG_READ(n)                                       \
	case n:                                           \
		switch (op2) {                            \
		case 4: return MRS("s2_0_c0_c" #n "_4");  \
		case 5: return MRS("s2_0_c0_c" #n "_5");  \
		case 6: return MRS("s2_0_c0_c" #n "_6");  \
		default: return MRS("s2_0_c0_c" #n "_7"); \
		}
#define DBG_WRITE(n)                                         \
	case n:                                              \
		switch (op2) {                               \
		case 4: MSR("s2_0_c0_c" #n "_4", v); break;  \
		case 5: MSR("s2_0_c0_c" #n "_5", v); break;  \
		case 6: MSR("s2_0_c0_c" #n "_6", v); break;  \
		default: MSR("s2_0_c0_c" #n "_7", v); break; \
		}                                            \
		break;

static uint64_t dbg_read(unsigned int n, unsigned int op2)
{
	switch (n) {
		DBG_READ(0)
		DBG_READ(1)
		DBG_READ(2)
		DBG_READ(3)
		DBG_READ(4)
		DBG_READ(5)
		DBG_READ(6)
		DBG_READ(7)
		DBG_READ(8)
		DBG_READ(9)
		DBG_READ(10)
		DBG_READ(11)
		DBG_READ(12)
		DBG_READ(13)
		DBG_READ(14)
		DBG_READ(15)
	}
	return 0;
}

static void dbg_write(unsigned int n, unsigned int op2, uint64_t v)
{
	switch (n) {
		DBG_WRITE(0)
		DBG_WRITE(1)
		DBG_WRITE(2)
		DBG_WRITE(3)
		DBG_WRITE(4)
		DBG_WRITE(5)
		DBG_WRITE(6)
		DBG_WRITE(7)
		DBG_WRITE(8)
		DBG_WRITE(9)
		DBG_WRITE(10)
		DBG_WRITE(11)
		DBG_WRITE(12)
		DBG_WRITE(13)
		DBG_WRITE(14)
		DBG_WRITE(15)
	}
}

static unsigned int breakpoints(void)
{
	return (unsigned int)((MRS("id_aa64dfr0_el1") >> 12) & 0xf) + 1;
}

static unsigned int watchpoints(void)
{
	return (unsigned int)((MRS("id_aa64dfr0_el1") >> 20) & 0xf) + 1;
}

static bool has_pauth(void)
{
	return (MRS("id_aa64isar1_el1") & ((0xffULL << 4) | (0xffULL << 24))) ||
	       (MRS("s3_0_c0_c6_2") & (0xffULL << 8)); /* ID_AA64ISAR2_EL1 APA3, GPA3 */
}

/* Everything of this vCPU's own state, as it finds it. */
static void report_cpu(const char *c, uint32_t vcpu)
{
	state(c, "vbar-at-entry", boot_vbar[vcpu]);
	state(c, "sctlr", MRS("sctlr_el1"));
	state(c, "actlr", MRS("actlr_el1"));
	state(c, "tcr", MRS("tcr_el1"));
	state(c, "ttbr0", MRS("ttbr0_el1"));
	state(c, "ttbr1", MRS("ttbr1_el1"));
	state(c, "mair", MRS("mair_el1"));
	state(c, "amair", MRS("amair_el1"));
	state(c, "contextidr", MRS("contextidr_el1"));
	state(c, "tpidr_el1", MRS("tpidr_el1"));
	state(c, "tpidr_el0", MRS("tpidr_el0"));
	state(c, "tpidrro_el0", MRS("tpidrro_el0"));
	state(c, "sp_el0", MRS("sp_el0"));
	state(c, "elr", MRS("elr_el1"));
	state(c, "spsr", MRS("spsr_el1"));
	state(c, "esr", MRS("esr_el1"));
	state(c, "far", MRS("far_el1"));
	state(c, "afsr0", MRS("afsr0_el1"));
	state(c, "afsr1", MRS("afsr1_el1"));
	state(c, "par", MRS("par_el1"));
	state(c, "csselr", MRS("csselr_el1"));
	state(c, "cntkctl", MRS("cntkctl_el1"));
	state(c, "cntv_ctl", MRS("cntv_ctl_el0"));
	state(c, "cntv_cval", MRS("cntv_cval_el0"));
	uint64_t p0 = MRS("cntpct_el0"), v = counter(), p1 = MRS("cntpct_el0");
	state(c, "cntvoff-zero", p0 <= v && v <= p1);
	state(c, "mdscr", MRS("mdscr_el1"));
	state(c, "oslsr", MRS("s2_0_c1_c1_4"));
	for (unsigned int n = 0; n < breakpoints(); n++) {
		state_n(c, "dbgbvr", n, dbg_read(n, 4));
		state_n(c, "dbgbcr", n, dbg_read(n, 5));
	}
	for (unsigned int n = 0; n < watchpoints(); n++) {
		state_n(c, "dbgwvr", n, dbg_read(n, 6));
		state_n(c, "dbgwcr", n, dbg_read(n, 7));
	}
	if (has_pauth()) {
		state(c, "apiakeylo", MRS("s3_0_c2_c1_0"));
		state(c, "apiakeyhi", MRS("s3_0_c2_c1_1"));
		state(c, "apibkeylo", MRS("s3_0_c2_c1_2"));
		state(c, "apibkeyhi", MRS("s3_0_c2_c1_3"));
		state(c, "apdakeylo", MRS("s3_0_c2_c2_0"));
		state(c, "apdakeyhi", MRS("s3_0_c2_c2_1"));
		state(c, "apdbkeylo", MRS("s3_0_c2_c2_2"));
		state(c, "apdbkeyhi", MRS("s3_0_c2_c2_3"));
		state(c, "apgakeylo", MRS("s3_0_c2_c3_0"));
		state(c, "apgakeyhi", MRS("s3_0_c2_c3_1"));
	}
	state(c, "icc_sre", MRS("s3_0_c12_c12_5"));
	state(c, "icc_pmr", MRS("s3_0_c4_c6_0"));
	state(c, "icc_bpr0", MRS("s3_0_c12_c8_3"));
	state(c, "icc_bpr1", MRS("s3_0_c12_c12_3"));
	state(c, "icc_ctlr", MRS("s3_0_c12_c12_4"));
	state(c, "icc_igrpen0", MRS("s3_0_c12_c12_6"));
	state(c, "icc_igrpen1", MRS("s3_0_c12_c12_7"));
	state(c, "icc_ap0r0", MRS("s3_0_c12_c8_4"));
	state(c, "icc_ap1r0", MRS("s3_0_c12_c9_0"));
	state(c, "icc_rpr", MRS("s3_0_c12_c11_3"));
	state(c, "icc_hppir1", MRS("s3_0_c12_c12_2"));
	/* last: FP/SIMD needs CPACR_EL1.FPEN, which the report changes */
	state(c, "cpacr", MRS("cpacr_el1"));
	MSR("cpacr_el1", 3ULL << 20);
	state(c, "fpcr", MRS("fpcr"));
	state(c, "fpsr", MRS("fpsr"));
	state(c, "v0-v31", fp_fold());
}

static void report_redistributor(uint32_t vcpu)
{
	const char *c = vcpu ? "gicr1." : "gicr0.";
	uint64_t rd = GICR_BASE + vcpu * GICR_STRIDE, sgi = rd + 0x10000;

	state(c, "waker", mmio_read32(rd + 0x14));
	state(c, "igroupr0", mmio_read32(sgi + 0x80));
	state(c, "isenabler0", mmio_read32(sgi + 0x100));
	state(c, "ispendr0", mmio_read32(sgi + 0x200));
	state(c, "isactiver0", mmio_read32(sgi + 0x300));
	state(c, "icfgr0", mmio_read32(sgi + 0xc00));
	state(c, "icfgr1", mmio_read32(sgi + 0xc04));
	for (unsigned int i = 0; i < 8; i++)
		state_n(c, "ipriorityr", i, mmio_read32(sgi + 0x400 + 4 * i));
}

/* First and last word of RAM outside the image (and the device tree) that is not zero. */
static void report_ram(const void *dtb)
{
	const uint8_t *d = dtb;
	uint64_t dtb_end = (uint64_t)dtb + ((uint32_t)d[4] << 24 | (uint32_t)d[5] << 16 | (uint32_t)d[6] << 8 | d[7]);
	uint64_t nonzero = 0;

	for (uint64_t a = (uint64_t)__stack_top; a < RAM_END; a += 8) {
		if (a >= (uint64_t)dtb && a < dtb_end)
			continue;
		if (*(volatile uint64_t *)a)
			nonzero++;
	}
	state("ram.", "nonzero-words", nonzero);
}

static void report_vm(const void *dtb)
{
	state("gicd.", "ctlr", mmio_read32(GICD_BASE));
	state("gicd.", "igroupr1", mmio_read32(GICD_BASE + 0x84));
	state("gicd.", "isenabler1", mmio_read32(GICD_BASE + 0x104));
	state("gicd.", "ispendr1", mmio_read32(GICD_BASE + 0x204));
	state("gicd.", "isactiver1", mmio_read32(GICD_BASE + 0x304));
	state("gicd.", "icfgr2", mmio_read32(GICD_BASE + 0xc08));
	state("gicd.", "icfgr3", mmio_read32(GICD_BASE + 0xc0c));
	state("gicd.", "ipriorityr8", mmio_read32(GICD_BASE + 0x420));
	state("gicd.", "irouter33", mmio_read32(GICD_BASE + 0x6000 + 8 * UART_SPI));
	report_redistributor(0);
	report_redistributor(1);
	state("uart.", "imsc", mmio_read32(UART_BASE + 0x38));
	state("uart.", "lcr_h", mmio_read32(UART_BASE + 0x2c));
	state("uart.", "ibrd", mmio_read32(UART_BASE + 0x24));
	state("uart.", "fbrd", mmio_read32(UART_BASE + 0x28));
	state("uart.", "ifls", mmio_read32(UART_BASE + 0x34));
	report_ram(dtb);
}

static void send_sgi_self(uint32_t vcpu, uint32_t sgi)
{
	MSR("s3_0_c12_c11_5", ((uint64_t)sgi << 24) | (1ULL << vcpu)); /* ICC_SGI1R_EL1 */
}

/* This vCPU's registers, every one a guest can write, away from their reset values. */
static void dirty_cpu(uint32_t vcpu)
{
	uint64_t esr;
	uint32_t v32;

	probe_read32(0x09010000, &v32, &esr); /* an abort: ESR, FAR, ELR, SPSR */
	MSR("sctlr_el1", MRS("sctlr_el1") | (1ULL << 26) | (1ULL << 15));
	MSR("actlr_el1", 0x5a); /* IMPLEMENTATION DEFINED: writable or not */
	MSR("tcr_el1", 0x19ULL);
	MSR("ttbr0_el1", 0x68100000ULL);
	MSR("ttbr1_el1", 0x68200000ULL | (7ULL << 48));
	MSR("mair_el1", 0x44ff04ULL);
	MSR("amair_el1", 0x1ULL);
	MSR("contextidr_el1", 0x42);
	MSR("tpidr_el1", 0x1111111111111111ULL);
	MSR("tpidr_el0", 0x2222222222222222ULL);
	MSR("tpidrro_el0", 0x3333333333333333ULL);
	MSR("sp_el0", 0x68f00000ULL);
	__asm__ volatile("at s1e1r, %0\n\tisb" : : "r"(0x68000000ULL)); /* PAR_EL1 */
	MSR("elr_el1", 0x68001234ULL);
	MSR("spsr_el1", 0x3c5ULL);
	MSR("afsr0_el1", 1);
	MSR("afsr1_el1", 1);
	MSR("csselr_el1", 2);
	MSR("cntkctl_el1", 3);
	MSR("cntv_cval_el0", counter() + 1000 * counter_freq()); /* armed, not firing */
	MSR("cntv_ctl_el0", 1);
	MSR("s2_0_c1_c0_4", 0);       /* OSLAR_EL1: the OS Lock released */
	MSR("mdscr_el1", 1ULL << 12); /* TDCC: no debug event is enabled */
	dbg_write(0, 4, 0x68000100ULL);
	dbg_write(0, 5, 0x1e7ULL); /* enabled, but MDSCR_EL1.MDE and KDE are 0 */
	dbg_write(0, 6, 0x68f00000ULL);
	dbg_write(0, 7, 0x1ff7ULL);
	if (has_pauth()) {
		MSR("s3_0_c2_c1_0", 0x1010101010101010ULL);
		MSR("s3_0_c2_c1_1", 0x2020202020202020ULL);
		MSR("s3_0_c2_c1_2", 0x3030303030303030ULL);
		MSR("s3_0_c2_c1_3", 0x4040404040404040ULL);
		MSR("s3_0_c2_c2_0", 0x5050505050505050ULL);
		MSR("s3_0_c2_c2_1", 0x6060606060606060ULL);
		MSR("s3_0_c2_c2_2", 0x7070707070707070ULL);
		MSR("s3_0_c2_c2_3", 0x8080808080808080ULL);
		MSR("s3_0_c2_c3_0", 0x9090909090909090ULL);
		MSR("s3_0_c2_c3_1", 0xa0a0a0a0a0a0a0a0ULL);
	}
	MSR("cpacr_el1", 3ULL << 20);
	fp_fill(0x0123456789abcdefULL);
	MSR("fpcr", 0x03c00000ULL);
	MSR("fpsr", 0x0800009fULL);
	/* The GIC CPU interface: SGI 5 acknowledged and never finished (an
	 * active priority), SGI 6 pending behind it, then its controls. */
	mmio_write32(GICD_BASE, (1U << 4) | (1U << 1)); /* ARE, EnableGrp1: whichever vCPU comes first */
	gic_init_cpu(vcpu);
	send_sgi_self(vcpu, 5);
	delay_ms(5);
	uint64_t iar = MRS("s3_0_c12_c12_0"); /* ICC_IAR1_EL1, interrupts masked: no EOI follows */
	send_sgi_self(vcpu, 6);
	MSR("s3_0_c4_c6_0", 0xf0); /* PMR */
	MSR("s3_0_c12_c12_3", 3);  /* BPR1 */
	MSR("s3_0_c12_c12_4", 2);  /* CTLR.EOImode */
	MSR("s3_0_c12_c12_6", 1);  /* IGRPEN0 */
	print("FVTEST hygiene vCPU %u dirty (acknowledged INTID %llu, left active)\n", vcpu, (unsigned long long)iar);
}

/* The VM's devices and RAM, away from their reset state. */
static void dirty_vm(const void *dtb)
{
	uint64_t sgi1 = GICR_BASE + GICR_STRIDE + 0x10000;

	mmio_write32(GICD_BASE, (1U << 4) | (1U << 1) | (1U << 0)); /* both groups on */
	mmio_write32(GICD_BASE + 0x84, 0xffffffffU);
	mmio_write32(GICD_BASE + 0x420, 0x20202020U);
	mmio_write32(GICD_BASE + 0xc08, 2U << (2 * (UART_SPI - 32))); /* the UART's SPI: edge */
	mmio_write64(GICD_BASE + 0x6000 + 8 * UART_SPI, 1);           /* routed to vCPU 1 */
	mmio_write32(GICD_BASE + 0x104, 1U << (UART_SPI - 32));
	mmio_write32(GICD_BASE + 0x204, 1U << (UART_SPI - 32));
	for (uint32_t vcpu = 0; vcpu < 2; vcpu++) {
		uint64_t sgi = GICR_BASE + vcpu * GICR_STRIDE + 0x10000;
		mmio_write32(sgi + 0xc04, 0xaaaaaaaaU); /* every PPI edge-triggered */
		mmio_write32(sgi + 0x400 + 20, 0x10101010U);
		mmio_write32(sgi + 0x200, 1U << 20); /* PPI 20 pending */
		mmio_write32(sgi + 0x100, 1U << 20);
	}
	mmio_write32(sgi1 + 0x80, 0x0000ffffU);  /* vCPU 1's PPIs to group 0 */
	mmio_write32(UART_BASE + 0x38, 1U << 4); /* RXIM: nothing to receive, no interrupt */
	mmio_write32(UART_BASE + 0x2c, 0x70);
	mmio_write32(UART_BASE + 0x24, 13);
	mmio_write32(UART_BASE + 0x28, 1);
	mmio_write32(UART_BASE + 0x34, 0x24); /* IFLS: both at 7/8 (reset: 1/2) */
	const uint8_t *d = dtb;
	uint64_t dtb_end = (uint64_t)dtb + ((uint32_t)d[4] << 24 | (uint32_t)d[5] << 16 | (uint32_t)d[6] << 8 | d[7]);
	for (uint64_t a = (uint64_t)__stack_top; a < RAM_END; a += 8)
		if (a < (uint64_t)dtb || a >= dtb_end)
			*(volatile uint64_t *)a = PATTERN;
	print("FVTEST hygiene VM dirty\n");
}

static void hygiene_cpu1(uint64_t ctx)
{
	(void)ctx;
	report_cpu("c1.", 1);
	dirty_cpu(1);
	cpu1_done = 1;
	for (;;)
		__asm__ volatile("wfi"); /* interrupts masked: it stays as it is */
}

static char key(void)
{
	for (;;) {
		if (!(mmio_read32(UART_BASE + 0x18) & (1U << 4))) /* RXFE clear */
			return (char)(mmio_read32(UART_BASE) & 0xff);
		delay_ms(10);
	}
}

void run_hygiene(const void *dtb)
{
	report_cpu("c0.", 0); /* first, before anything here touches a register */
	report_vm(dtb);
	secondary_hook = hygiene_cpu1;
	int64_t r = smccc(false, PSCI_CPU_ON_64, 1, (uint64_t)secondary_entry, 0);
	uint64_t end = counter() + 5 * counter_freq();
	while (!cpu1_done && counter() < end)
		;
	print("FVTEST hygiene reported (vCPU 1: CPU_ON %lld, %s): type r to reset, w to dirty and wait\n", (long long)r,
	      cpu1_done ? "done" : "FAIL: never finished");
	char k;
	do
		k = key();
	while (k != 'r' && k != 'w');
	dirty_cpu(0);
	dirty_vm(dtb);
	if (k == 'r') {
		print("FVTEST hygiene resetting\n");
		smccc(false, PSCI_SYSTEM_RESET, 0, 0, 0);
		print("FVTEST hygiene FAIL: SYSTEM_RESET returned\n");
	}
	print("FVTEST hygiene waiting for the board to reset\n");
	for (;;)
		__asm__ volatile("wfi");
}
