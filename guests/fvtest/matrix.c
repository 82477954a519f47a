// SPDX-License-Identifier: MIT
/*
 * The fault-containment matrix (docs/fault-matrix.md): each check performs
 * one misbehaviour and verifies, inside this VM, the architected answer the
 * hypervisor must give. That the hypervisor and the Linux VM next to us are
 * unharmed is checked from outside, by the integration test.
 */
#include <fv/psci.h>

#include "fvtest.h"

#define EC_UNKNOWN 0x00U
#define EC_DABT_CUR 0x25U
#define FSC_EXTERNAL 0x10U
#define MPIDR_OTHER_VM 2 /* this VM has vCPUs with Aff0 0 and 1 only */

extern char secondary_entry[];
volatile uint32_t secondary_up;
void (*volatile secondary_work)(void);

static bool external_abort(uint64_t esr)
{
	return (esr >> 26) == EC_DABT_CUR && (esr & 0x3f) == FSC_EXTERNAL;
}

/* Every width and direction at `addr` must end in a synchronous external abort. */
static void expect_abort(const char *check, uint64_t addr)
{
	uint32_t v32;
	uint64_t v64, esr;
	int faults = 0;
	uint64_t bad_esr = 0;

	if (probe_read32(addr, &v32, &esr) && external_abort(esr))
		faults++;
	else
		bad_esr = esr;
	if (probe_write32(addr, 0x5a5a5a5a, &esr) && external_abort(esr))
		faults++;
	else
		bad_esr = esr;
	if (probe_read64(addr, &v64, &esr) && external_abort(esr))
		faults++;
	else
		bad_esr = esr;
	if (probe_write64(addr, 0xa5a5a5a5a5a5a5a5ULL, &esr) && external_abort(esr))
		faults++;
	else
		bad_esr = esr;
	result(check, faults == 4, "0x%llx: %d of 4 accesses got a synchronous external abort%s",
	       (unsigned long long)addr, faults, faults == 4 ? "" : " (another answer came)");
	(void)bad_esr;
}

static void check_memory(void)
{
	expect_abort("ram-other-vm", 0x48000000);
	expect_abort("ram-other-vm", 0x57fff000);
	expect_abort("ram-hypervisor", 0x40200000);
	expect_abort("ram-hypervisor", 0x40000000); /* the board's device tree */
	expect_abort("flash", 0x00000000);
	expect_abort("flash", 0x00200000);                                  /* the manifest */
	expect_abort("mmio-unassigned", 0x09010000);                        /* RTC */
	expect_abort("mmio-unassigned", 0x09020000);                        /* fw-cfg */
	expect_abort("mmio-unassigned", 0x0a000000);                        /* virtio slot 0, given to nobody */
	expect_abort("mmio-unassigned", 0x08080000);                        /* the ITS */
	expect_abort("mmio-unassigned", 0x10000000);                        /* PCIe */
	expect_abort("redistributor-foreign", GICR_BASE + 2 * GICR_STRIDE); /* a third vCPU's frame */
}

static uint32_t dist_enabled(uint32_t intid)
{
	return (mmio_read32(GICD_BASE + 0x100 + intid / 32 * 4) >> (intid % 32)) & 1;
}

static void check_distributor_random(void)
{
	uint32_t faults = 0;
	uint64_t esr;

	/* Random values at random offsets of the whole distributor frame. */
	for (int i = 0; i < 3000; i++) {
		uint64_t off = (rand64() % 0x10000) & ~3ULL;
		if (off == 0) /* keep GICD_CTLR: the later checks use interrupts */
			continue;
		if (probe_write32(GICD_BASE + off, (uint32_t)rand64(), &esr))
			faults++;
	}
	/* Interrupts this VM does not own stay disabled however often it sets them. */
	mmio_write32(GICD_BASE + 0x100 + 4, 0xffffffffU);
	mmio_write32(GICD_BASE + 0x100 + 8, 0xffffffffU);
	uint32_t foreign_on = dist_enabled(79) + dist_enabled(48) + dist_enabled(34) + dist_enabled(100);
	uint32_t own_on = dist_enabled(33) + dist_enabled(42);
	result("distributor-random", faults == 0 && foreign_on == 0 && own_on == 2,
	       "3000 random writes, %u faults; foreign interrupts enabled %u (want 0), own %u (want 2)", faults,
	       foreign_on, own_on);
	mmio_write32(GICD_BASE + 0x180 + 4, 0xffffffffU);
	mmio_write32(GICD_BASE + 0x180 + 8, 0xffffffffU);
}

static void check_redistributor_random(void)
{
	uint32_t faults = 0;
	uint64_t esr;

	for (int i = 0; i < 2000; i++) {
		uint64_t off = (rand64() % (2 * GICR_STRIDE)) & ~3ULL;
		if (probe_write32(GICR_BASE + off, (uint32_t)rand64(), &esr))
			faults++;
	}
	result("redistributor-random", faults == 0, "2000 random writes to its own frames, %u faults", faults);
	gic_init_cpu(0); /* put our own interface back in order */
}

static void send_sgi(uint64_t value)
{
	__asm__ volatile("msr s3_0_c12_c11_5, %0; isb" : : "r"(value)); /* ICC_SGI1R_EL1 */
}

static void check_sgis(void)
{
	uint32_t before[16];

	irqs_on();
	for (int i = 0; i < 16; i++)
		before[i] = irq_count[i];
	send_sgi((3ULL << 24) | 1);                     /* SGI 3 to ourselves */
	send_sgi((4ULL << 24) | 0xfffe);                /* SGI 4 to Aff0 1..15 (not us) */
	send_sgi((5ULL << 24) | (1ULL << 40));          /* SGI 5 to everyone but us */
	send_sgi((6ULL << 24) | (1ULL << 16) | 0xffff); /* SGI 6 to cluster 1: nobody */
	send_sgi((7ULL << 24) | (1ULL << 32) | 0xffff); /* SGI 7 to Aff2 1: nobody */
	for (int k = 0; k < 200; k++)                   /* SGIs aimed at every CPU number the architecture has */
		send_sgi((8ULL << 24) | ((uint64_t)(k & 0xff) << 16) | ((uint64_t)(k & 0xff) << 32) |
			 ((uint64_t)(k & 0xff) << 48) | 0xfffe);
	delay_ms(20);
	bool ok = irq_count[3] == before[3] + 1 && irq_count[4] == before[4] && irq_count[5] == before[5] &&
		  irq_count[6] == before[6] && irq_count[7] == before[7] && irq_count[8] == before[8];
	result("sgi-targets", ok, "self %u (want 1), others' SGIs seen here: %u %u %u %u %u (want 0)",
	       irq_count[3] - before[3], irq_count[4] - before[4], irq_count[5] - before[5], irq_count[6] - before[6],
	       irq_count[7] - before[7], irq_count[8] - before[8]);
	irqs_off();
}

void (*volatile secondary_hook)(uint64_t ctx);

void fvtest_secondary(uint64_t ctx);
void fvtest_secondary(uint64_t ctx)
{
	if (secondary_hook)
		secondary_hook(ctx); /* another mode's second vCPU */
	secondary_up = (uint32_t)ctx;
	void (*work)(void) = secondary_work;
	if (work)
		work();
	smccc(false, PSCI_CPU_OFF, 0, 0, 0);
	for (;;)
		__asm__ volatile("wfi");
}

static void check_psci(void)
{
	int64_t r;
	bool ok = true;
	uint64_t entry = (uint64_t)secondary_entry;

	r = smccc(false, PSCI_CPU_ON_64, MPIDR_OTHER_VM, entry, 0);
	ok &= r == PSCI_RET_INVALID_PARAMETERS;
	result("psci-foreign-cpu", r == PSCI_RET_INVALID_PARAMETERS, "CPU_ON(another VM's CPU) = %lld", (long long)r);
	r = smccc(true, PSCI_CPU_ON_64, 3, entry, 0);
	result("psci-foreign-cpu", r == PSCI_RET_INVALID_PARAMETERS, "CPU_ON over SMC(MPIDR 3) = %lld", (long long)r);
	r = smccc(false, PSCI_CPU_ON_64, 0x100, entry, 0);
	result("psci-foreign-cpu", r == PSCI_RET_INVALID_PARAMETERS, "CPU_ON(MPIDR 0x100) = %lld", (long long)r);
	r = smccc(false, PSCI_AFFINITY_INFO_64, MPIDR_OTHER_VM, 0, 0);
	result("psci-foreign-cpu", r == PSCI_RET_INVALID_PARAMETERS, "AFFINITY_INFO(another VM's CPU) = %lld",
	       (long long)r);
	r = smccc(false, PSCI_CPU_ON_64, 0, entry, 0);
	result("psci-self", r == PSCI_RET_ALREADY_ON, "CPU_ON(ourselves) = %lld", (long long)r);
	const uint64_t bad[] = { 0x48000000, 0x0, 0x68000002, 0x40200000, 0xffffffffffff0000ULL };
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		r = smccc(false, PSCI_CPU_ON_64, 1, bad[i], 0);
		result("psci-bad-entry", r == PSCI_RET_INVALID_ADDRESS, "CPU_ON(vCPU 1, entry 0x%llx) = %lld",
		       (unsigned long long)bad[i], (long long)r);
	}
	r = smccc(false, PSCI_CPU_ON_64, 1, entry, 0x1234);
	uint64_t end = counter() + counter_freq();
	while (secondary_up != 0x1234 && counter() < end)
		;
	result("psci-own-cpu", r == 0 && secondary_up == 0x1234, "CPU_ON(vCPU 1) = %lld, it ran with context 0x%x",
	       (long long)r, secondary_up);
	end = counter() + counter_freq();
	while (smccc(false, PSCI_AFFINITY_INFO_64, 1, 0, 0) != PSCI_AFFINITY_OFF && counter() < end)
		;
	r = smccc(false, PSCI_AFFINITY_INFO_64, 1, 0, 0);
	result("psci-own-cpu", r == PSCI_AFFINITY_OFF, "after its CPU_OFF, AFFINITY_INFO(vCPU 1) = %lld", (long long)r);
}

static bool known_answer(int64_t r)
{
	return r == PSCI_RET_NOT_SUPPORTED || r == PSCI_RET_INVALID_PARAMETERS || r == PSCI_RET_SUCCESS ||
	       r == PSCI_RET_INVALID_ADDRESS || r == PSCI_RET_ALREADY_ON || r == PSCI_AFFINITY_OFF ||
	       r == PSCI_AFFINITY_ON_PENDING || r == PSCI_VERSION_1_1 || r == 2;
}

static void check_smccc_random(void)
{
	uint32_t odd = 0, calls = 0;

	for (int i = 0; i < 4000; i++) {
		uint64_t fid = rand64();
		if (i % 4 == 1)
			fid = 0x84000000 | (fid & 0x1f); /* near PSCI */
		if (i % 4 == 2)
			fid = 0xc4000000 | (fid & 0x1f);
		uint32_t f32 = (uint32_t)fid;
		/* Not the calls that would stop us or start our second vCPU at a random place:
		 * those are checked on their own. */
		if ((f32 & 0xbfffffff) == PSCI_CPU_OFF || (f32 & 0xbfffffff) == PSCI_CPU_ON_32 ||
		    (f32 & 0xbfffffff) == PSCI_SYSTEM_OFF || (f32 & 0xbfffffff) == PSCI_SYSTEM_RESET)
			continue;
		int64_t r = smccc(i & 1, fid, rand64(), rand64(), rand64());
		calls++;
		if (!known_answer(r))
			odd++;
	}
	int64_t r = smccc(false, 0x8400ffff, 0, 0, 0);
	result("smc-hvc-random", odd == 0 && r == PSCI_RET_NOT_SUPPORTED,
	       "%u random calls over HVC and SMC, %u unexpected answers; unknown id = %lld", calls, odd, (long long)r);
	register uint64_t x0 __asm__("x0") = PSCI_VERSION;
	__asm__ volatile("hvc #0x42" : "+r"(x0) : : "x1", "x2", "x3", "memory");
	result("smc-hvc-random", (int64_t)x0 == PSCI_RET_NOT_SUPPORTED, "HVC #0x42 (not SMCCC) = %lld",
	       (long long)(int64_t)x0);
}

#define SYSREG_TRY(check, insn, want_undef)                                                                         \
	do {                                                                                                        \
		uint32_t before = last_exc.count;                                                                   \
		uint64_t val = 0x1234;                                                                              \
		__asm__ volatile(insn : "+r"(val) : : "memory");                                                    \
		bool undef = last_exc.count != before && (last_exc.esr >> 26) == EC_UNKNOWN;                        \
		result(check, undef == (want_undef), "%s: %s", insn,                                                \
		       undef ? "undefined instruction" : (last_exc.count != before ? "other fault" : "completed")); \
	} while (0)

static void check_sysregs(void)
{
	uint64_t v = 1;
	__asm__ volatile("mrs %0, pmcr_el0" : "=r"(v));
	result("sysreg-pmu", v == 0, "PMCR_EL0 reads 0x%llx (no PMU: want 0)", (unsigned long long)v);
	SYSREG_TRY("sysreg-pmu", "msr pmcr_el0, %0", false);
	SYSREG_TRY("sysreg-pmu", "msr pmuserenr_el0, %0", false);
	SYSREG_TRY("sysreg-pmu", "msr s3_0_c9_c14_1, %0", false); /* PMINTENSET_EL1 */
	SYSREG_TRY("sysreg-pmu", "mrs %0, pmccntr_el0", false);
	SYSREG_TRY("sysreg-timer", "mrs %0, cntp_ctl_el0", true); /* EL1 physical timer: trapped */
	SYSREG_TRY("sysreg-timer", "msr cntp_cval_el0, %0", true);
	/* IMPLEMENTATION DEFINED registers trap with HCR_EL2.TIDCP and are then
	 * undefined; QEMU before 8.1 does not implement TIDCP and answers from
	 * its own model, so this is reported, not judged. */
	uint32_t seen = last_exc.count;
	uint64_t impdef = 0;
	__asm__ volatile("mrs %0, s3_1_c15_c2_0" : "=r"(impdef) : : "memory"); /* Cortex-A57 CPUACTLR_EL1 */
	print("FVTEST sysreg-impdef info: CPUACTLR_EL1 read %s\n",
	      last_exc.count != seen ? "was undefined (TIDCP trapped)" : "completed (TIDCP not implemented here)");
	SYSREG_TRY("sysreg-gic", "msr s3_0_c12_c11_7, %0", false); /* ICC_SGI0R_EL1: handled */
}

#define SYSREG_GET(reg, v) __asm__ volatile("mrs %0, " reg : "=r"(v) : : "memory")
#define SYSREG_SET(reg, v) __asm__ volatile("msr " reg ", %0\n\tisb" : : "r"((uint64_t)(v)) : "memory")
#define DBGXCR_HMC (1ULL << 13)
#define DBGXCR_SSC (3ULL << 14)
#define DBGBCR_EXEC_EL1_EL0 ((0xfULL << 5) | (3ULL << 1)) /* BAS all, PMC EL1 and EL0 */
#define MDSCR_KDE (1ULL << 13)
#define MDSCR_MDE (1ULL << 15)
#define EC_BREAKPOINT_CUR 0x31U

/*
 * The debug registers trap (MDCR_EL2.TDA/TDOSA/TDRA): our own breakpoints,
 * watchpoints and MDSCR_EL1 still work, done for us, but cannot be made to
 * match at EL2 (HMC and SSC read back clear); the external debugger's
 * registers read as zero and ignore writes.
 */
static void check_debug(void)
{
	uint64_t v = 0;

	SYSREG_SET("oslar_el1", 0); /* as an OS does before it uses breakpoints */
	SYSREG_SET("dbgbvr0_el1", 0x40001000);
	SYSREG_GET("dbgbvr0_el1", v);
	result("sysreg-debug", v == 0x40001000, "DBGBVR0_EL1 written 0x40001000, reads 0x%llx", (unsigned long long)v);
	SYSREG_SET("dbgbcr0_el1", DBGXCR_HMC | DBGXCR_SSC | DBGBCR_EXEC_EL1_EL0);
	SYSREG_GET("dbgbcr0_el1", v);
	result("sysreg-debug", (v & (DBGXCR_HMC | DBGXCR_SSC)) == 0 && (v & DBGBCR_EXEC_EL1_EL0) == DBGBCR_EXEC_EL1_EL0,
	       "DBGBCR0_EL1 written with HMC and SSC (matches at EL2), reads 0x%llx (want them clear)",
	       (unsigned long long)v);
	SYSREG_SET("dbgwcr0_el1", DBGXCR_HMC | DBGXCR_SSC | (0xffULL << 5) | (3ULL << 3) | (3ULL << 1));
	SYSREG_GET("dbgwcr0_el1", v);
	result("sysreg-debug", (v & (DBGXCR_HMC | DBGXCR_SSC)) == 0, "DBGWCR0_EL1 with HMC and SSC reads 0x%llx",
	       (unsigned long long)v);
	SYSREG_SET("dbgwcr0_el1", 0);

	/* a breakpoint of our own still fires, at EL1 */
	extern char bp_target[];
	uint32_t before = last_exc.count;
	SYSREG_SET("dbgbvr0_el1", (uint64_t)(uintptr_t)bp_target);
	SYSREG_SET("dbgbcr0_el1", DBGBCR_EXEC_EL1_EL0 | 1);
	SYSREG_SET("mdscr_el1", MDSCR_KDE | MDSCR_MDE);
	SYSREG_GET("mdscr_el1", v);
	__asm__ volatile("msr daifclr, #8\n\tisb\n\t.global bp_target\nbp_target:\tnop\n\tmsr daifset, #8\n\tisb" ::
				 : "memory");
	SYSREG_SET("mdscr_el1", 0);
	SYSREG_SET("dbgbcr0_el1", 0);
	result("sysreg-debug",
	       (v & (MDSCR_KDE | MDSCR_MDE)) == (MDSCR_KDE | MDSCR_MDE) && last_exc.count == before + 1 &&
		       (last_exc.esr >> 26) == EC_BREAKPOINT_CUR,
	       "MDSCR_EL1 reads 0x%llx; a breakpoint on our own code: %u exceptions, last EC 0x%llx (want 1, 0x31)",
	       (unsigned long long)v, last_exc.count - before, (unsigned long long)(last_exc.esr >> 26));

	/* the external debugger's registers: read-as-zero, write-ignored */
	uint32_t seen = last_exc.count;
	SYSREG_SET("oslar_el1", 1); /* lock */
	SYSREG_GET("oslsr_el1", v);
	result("sysreg-debug-external", v == 0, "OSLAR_EL1 = 1, then OSLSR_EL1 reads 0x%llx (want 0)",
	       (unsigned long long)v);
	SYSREG_SET("oslar_el1", 0);
	SYSREG_SET("osdlr_el1", 1);
	SYSREG_GET("osdlr_el1", v);
	result("sysreg-debug-external", v == 0, "OSDLR_EL1 = 1 reads back 0x%llx (want 0)", (unsigned long long)v);
	SYSREG_SET("osdlr_el1", 0);
	/* Claim tags: QEMU 7.2 does not implement them (undefined at EL1 before any
	 * trap is looked at), so this is reported, not judged. */
	v = 0;
	SYSREG_SET("dbgclaimset_el1", 0xff);
	SYSREG_GET("dbgclaimclr_el1", v);
	SYSREG_SET("dbgclaimclr_el1", 0xff);
	print("FVTEST sysreg-debug-claim info: DBGCLAIMSET_EL1 = 0xff, then DBGCLAIMCLR_EL1: %s\n",
	      last_exc.count != seen ? "undefined (not implemented here)" : (v == 0 ? "reads 0" : "reads non-zero"));
	seen = last_exc.count;
	SYSREG_GET("mdrar_el1", v);
	result("sysreg-debug-external", v == 0, "MDRAR_EL1 reads 0x%llx (no ROM table: want 0)", (unsigned long long)v);
	SYSREG_SET("mdccint_el1", 0x60000000);
	SYSREG_GET("mdccint_el1", v);
	result("sysreg-debug-external", v == 0 && last_exc.count == seen, "MDCCINT_EL1 reads 0x%llx; %u faults",
	       (unsigned long long)v, last_exc.count - seen);
}

/*
 * Trace (CPTR_EL2.TTA, MDCR_EL2.TTRF), the activity monitors (CPTR_EL2.TAM)
 * and RAS error records (HCR_EL2.TERR): read-as-zero, write-ignored on a
 * CPU that has them; undefined, as without a hypervisor, on one that has
 * not (QEMU's cortex-a57 has none of them).
 */
#define TRY_RAZWI(name, insn_read, insn_write, present)                                                        \
	do {                                                                                                   \
		uint32_t b = last_exc.count;                                                                   \
		uint64_t val = 0x1234;                                                                         \
		__asm__ volatile(insn_write : : "r"(val) : "memory");                                          \
		__asm__ volatile(insn_read : "+r"(val) : : "memory");                                          \
		uint32_t faults = last_exc.count - b;                                                          \
		bool undef = faults == 2 && (last_exc.esr >> 26) == EC_UNKNOWN;                                \
		result("sysreg-trace-amu-ras", (present) ? (faults == 0 && val == 0) : undef,                  \
		       "%s (%s here): %s, reads 0x%llx", name, (present) ? "implemented" : "not implemented",  \
		       faults ? (undef ? "undefined" : "other fault") : "completed", (unsigned long long)val); \
	} while (0)

static void check_trace_amu_ras(void)
{
	uint64_t pfr0, dfr0;

	SYSREG_GET("id_aa64pfr0_el1", pfr0);
	SYSREG_GET("id_aa64dfr0_el1", dfr0);
	TRY_RAZWI("TRCPRGCTLR", "mrs %0, s2_1_c0_c1_0", "msr s2_1_c0_c1_0, %0", ((dfr0 >> 4) & 0xf) != 0);
	TRY_RAZWI("TRFCR_EL1", "mrs %0, s3_0_c1_c2_1", "msr s3_0_c1_c2_1, %0", ((dfr0 >> 40) & 0xf) != 0);
	TRY_RAZWI("AMCNTENSET0_EL0", "mrs %0, s3_3_c13_c2_5", "msr s3_3_c13_c2_5, %0", ((pfr0 >> 44) & 0xf) != 0);
	/* ERRIDR_EL1 is read-only (a write is undefined before any trap); QEMU 7.2
	 * with RAS has no ERRSELR_EL1 (its ERRIDR_EL1.NUM is 0), so only ERRIDR is judged. */
	bool ras = ((pfr0 >> 28) & 0xf) != 0;
	uint32_t b = last_exc.count;
	uint64_t val = 0x1234;
	__asm__ volatile("mrs %0, s3_0_c5_c3_0" : "+r"(val) : : "memory");
	bool faulted = last_exc.count != b;
	result("sysreg-trace-amu-ras", ras ? (!faulted && val == 0) : (faulted && (last_exc.esr >> 26) == EC_UNKNOWN),
	       "ERRIDR_EL1 (%s here): %s, reads 0x%llx", ras ? "implemented" : "not implemented",
	       faulted ? "faulted" : "completed", (unsigned long long)val);
}

/*
 * Access forms with no syndrome the hypervisor could emulate (Arm ARM,
 * ESR_ELx.ISV is 0 for load/store pair, exclusives, atomics and DC ZVA) on
 * an emulated device, on unassigned MMIO and on another VM's RAM: each is a
 * synchronous external abort, and nothing of it lands (a store pair of
 * ones at the distributor's set-enable registers enables nothing). A store
 * exclusive without a reservation may instead fail before it accesses
 * anything (status 1), as the CPU decides without the hypervisor.
 */
#define FORM_TRY(form, addr, insn, exclusive_store)                                                                  \
	do {                                                                                                         \
		uint32_t b = last_exc.count;                                                                         \
		uint64_t a = (addr), r1 = ~0ULL, r2 = ~0ULL;                                                         \
		__asm__ volatile(insn : "+r"(r1), "+r"(r2) : "r"(a) : "memory");                                     \
		bool ok = last_exc.count == b + 1 && external_abort(last_exc.esr) && r1 == ~0ULL;                    \
		/* a store exclusive with no reservation may fail (status 1) before any access */                    \
		if (!ok && exclusive_store)                                                                          \
			ok = last_exc.count == b && r2 == 1;                                                         \
		result("access-forms", ok, "%s at 0x%llx: %u exceptions, ESR 0x%llx%s", form, (unsigned long long)a, \
		       last_exc.count - b, (unsigned long long)last_exc.esr,                                         \
		       r1 == ~0ULL ? "" : ", a register was loaded");                                                \
	} while (0)

static void check_access_forms(void)
{
	const uint64_t where[] = {
		GICD_BASE + 0x100, /* emulated: the distributor's ISENABLER0-3 (INTIDs 0-127) */
		UART_BASE,         /* emulated: our PL011 */
		0x09010000,        /* unassigned: the RTC */
		0x48000000,        /* the other VM's RAM */
	};
	uint64_t isar0, dczid;

	__asm__ volatile("mrs %0, id_aa64isar0_el1" : "=r"(isar0));
	__asm__ volatile("mrs %0, dczid_el0" : "=r"(dczid));
	mmio_write32(GICD_BASE + 0x180 + 4, 1U << 1); /* INTID 33 (our UART) disabled */
	for (uint32_t i = 0; i < sizeof(where) / sizeof(where[0]); i++) {
		uint64_t w = where[i];
		FORM_TRY("LDP", w, "ldp %0, %1, [%2]", false);
		FORM_TRY("STP", w, "stp %0, %1, [%2]", false);
		FORM_TRY("LDXR", w, "ldxr %0, [%2]", false);
		FORM_TRY("STXR", w, "stxr %w1, %0, [%2]", true);
		if (!(dczid & (1U << 4))) /* DC ZVA permitted */
			FORM_TRY("DC ZVA", w & ~0xfffULL, "dc zva, %2", false);
		if (((isar0 >> 20) & 0xf) >= 2) /* FEAT_LSE */
			FORM_TRY("LDADD", w, ".arch_extension lse\n\tldadd %1, %0, [%2]", false);
	}
	result("access-forms", !dist_enabled(33), "INTID 33 after the stores of ones at ISENABLER1: %s",
	       dist_enabled(33) ? "enabled (a store landed)" : "still disabled");
	print("FVTEST access-forms info: DC ZVA %s, LSE atomics %s on this CPU\n",
	      (dczid & (1U << 4)) ? "prohibited" : "tried", ((isar0 >> 20) & 0xf) >= 2 ? "tried" : "not implemented");
}

static void check_set_way(void)
{
	uint64_t clidr;
	uint32_t ops = 0, before = last_exc.count;

	__asm__ volatile("mrs %0, clidr_el1" : "=r"(clidr));
	for (uint32_t level = 0; level < 7; level++) {
		uint32_t ctype = (clidr >> (3 * level)) & 7;
		if (ctype < 2)
			continue; /* no data cache at this level */
		uint64_t ccsidr;
		__asm__ volatile("msr csselr_el1, %0; isb" : : "r"((uint64_t)level << 1));
		__asm__ volatile("mrs %0, ccsidr_el1" : "=r"(ccsidr));
		uint32_t line = (ccsidr & 7) + 4, ways = ((ccsidr >> 3) & 0x3ff) + 1,
			 sets = ((ccsidr >> 13) & 0x7fff) + 1;
		uint32_t way_shift = __builtin_clz(ways - 1 ? ways - 1 : 1);
		for (uint32_t w = 0; w < ways; w++)
			for (uint32_t s = 0; s < sets; s++) {
				uint64_t arg = ((uint64_t)w << way_shift) | ((uint64_t)s << line) | (level << 1);
				__asm__ volatile("dc cisw, %0" : : "r"(arg) : "memory");
				__asm__ volatile("dc isw, %0" : : "r"(arg) : "memory");
				ops += 2;
			}
	}
	__asm__ volatile("dsb sy");
	result("set-way-maintenance", last_exc.count == before, "%u DC CISW/ISW operations, %u faults", ops,
	       last_exc.count - before);
}

static void check_timer_storm(void)
{
	uint32_t before = irq_count[27];

	/* The timer stays asserted: interrupts as fast as they can come, and
	 * nothing else runs here until the handler silences it after 1 s. */
	storm_end = counter() + counter_freq();
	irqs_on();
	__asm__ volatile("msr cntv_cval_el0, xzr; msr cntv_ctl_el0, %0; isb" : : "r"(1ULL));
	while (storm_end)
		;
	irqs_off();
	uint32_t n = irq_count[27] - before;
	result("interrupt-storm-timer", n > 50, "%u virtual timer interrupts in 1 s, its own CPUs only", n);
}

static void check_uart_storm(void)
{
	uint32_t before = irq_count[33];

	mmio_write64(GICD_BASE + 0x6000 + 8 * 33, 0); /* route to vCPU 0 */
	mmio_write32(GICD_BASE + 0x80 + 4, 1U << 1);  /* group 1 */
	mmio_write32(GICD_BASE + 0x100 + 4, 1U << 1); /* enable INTID 33 */
	storm_end = counter() + counter_freq() / 2;
	uint64_t give_up = counter() + 10 * counter_freq();
	irqs_on();
	mmio_write32(UART_BASE + 0x38, 1U << 5); /* UARTIMSC.TXIM: TXIS stays high */
	while (storm_end && counter() < give_up)
		;
	irqs_off();
	mmio_write32(UART_BASE + 0x38, 0);
	uint32_t n = irq_count[33] - before;
	result("interrupt-storm-uart", n > 50, "%u UART interrupts in 0.5 s from a device it owns", n);
}

static void check_wfi_wfe(void)
{
	irqs_on(); /* take whatever the storms left pending */
	delay_ms(5);
	irqs_off();
	uint64_t start = counter();
	for (int i = 0; i < 200; i++) {
		/* Sleep until the timer fires 1 ms later (masked: WFI still wakes), then
		 * stop the timer and take its interrupt so the next WFI sleeps again. */
		uint64_t at = counter() + counter_freq() / 1000;
		__asm__ volatile("msr cntv_cval_el0, %0; msr cntv_ctl_el0, %1; isb; wfi" : : "r"(at), "r"(1ULL));
		__asm__ volatile("msr cntv_ctl_el0, xzr; isb");
		irqs_on();
		irqs_off();
	}
	uint64_t wfi_ms = (counter() - start) * 1000 / counter_freq();
	for (int i = 0; i < 100000; i++)
		__asm__ volatile("sevl; wfe");
	uint64_t ms = (counter() - start) * 1000 / counter_freq();
	result("wfi-wfe-spin", wfi_ms >= 190 && ms < 30000,
	       "200 WFI each woken by its own timer 1 ms later took %llu ms (want >= 200); 100000 WFE, %llu ms in all",
	       (unsigned long long)wfi_ms, (unsigned long long)ms);
}

static void check_stuck_in_exception(void)
{
	sync_stall_ms = 2000;
	uint64_t start = counter();
	__asm__ volatile("svc #0" ::: "memory"); /* the handler spins 2 s with everything masked */
	uint64_t ms = (counter() - start) * 1000 / counter_freq();
	result("stuck-in-exception", ms >= 1900, "spent %llu ms inside an exception handler, interrupts masked",
	       (unsigned long long)ms);
}

void run_matrix(void)
{
	print("FVTEST matrix starting\n");
	check_memory();
	gic_init_cpu(0);
	check_sgis();
	check_psci();
	check_smccc_random();
	check_sysregs();
	check_debug();
	check_trace_amu_ras();
	check_access_forms();
	check_set_way();
	check_timer_storm();
	check_uart_storm();
	check_wfi_wfe();
	check_stuck_in_exception();
	check_distributor_random();
	check_redistributor_random();
	print("FVTEST done: %u failures\n", failures);
	/* Last: an abort whose vector is not there. The fault recurs in the
	 * vectors forever; the hypervisor must see that and apply our policy. */
	print("FVTEST vector-loop: faulting with VBAR_EL1 pointing nowhere\n");
	__asm__ volatile("msr vbar_el1, %0; isb" : : "r"(0x09100000ULL));
	mmio_read32(0x09100000);
	print("FVTEST vector-loop FAIL: still running\n");
}

void run_reset_loop(void)
{
	print("FVTEST reset-loop: up, resetting\n");
	delay_ms(50); /* let the host breathe: every restart scrubs our 16 MiB */
	smccc(false, PSCI_SYSTEM_RESET, 0, 0, 0);
	print("FVTEST reset-loop FAIL: SYSTEM_RESET returned\n");
}

/* Cost of one round trip through the hypervisor for common exits, timed
 * with the guest's own counter (bench/traps.py prints the figures). */
static void time_exits(const char *what, int kind, uint32_t n)
{
	uint64_t t0 = counter();
	for (uint32_t i = 0; i < n; i++) {
		switch (kind) {
		case 0: (void)mmio_read32(UART_BASE + 0x18); break; /* UARTFR: the console's poll */
		case 1: (void)mmio_read32(GICD_BASE + 0x4); break;  /* GICD_TYPER */
		case 2: smccc(false, PSCI_VERSION, 0, 0, 0); break; /* HVC */
		case 3: {
			uint64_t v;
			__asm__ volatile("mrs %0, pmcr_el0" : "=r"(v));
		} break;                                 /* a trapped sysreg */
		default: __asm__ volatile("nop"); break; /* no exit: the loop itself */
		}
	}
	uint64_t ns = (counter() - t0) * 1000000000ULL / counter_freq();
	print("FVTEST bench %s: %u exits, %llu ns each\n", what, n, (unsigned long long)(ns / n));
}

void run_bench(void)
{
	time_exits("loop-only", 4, 200000);
	time_exits("uart-fr-read", 0, 20000);
	time_exits("gicd-read", 1, 20000);
	time_exits("hvc-psci-version", 2, 20000);
	time_exits("sysreg-pmu", 3, 20000);
	print("FVTEST bench done\n");
}
