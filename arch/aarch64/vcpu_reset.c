// SPDX-License-Identifier: MIT
/*
 * A vCPU's architectural reset state: the one place that sets it, for every
 * start of a vCPU (a VM's first start, a restart, a start after a stop, PSCI
 * CPU_ON). A vCPU owns its CPU, so its EL1 state is never switched: whatever
 * the previous run left in the CPU's registers is live in hardware until this
 * overwrites it. Every register a guest can write without trapping is set
 * here to what a CPU out of cold reset holds (Arm ARM D1.9 "Reset", and each
 * register's description in D19), or, where that is IMPLEMENTATION DEFINED,
 * to what this CPU held when the board reset (ACTLR_EL1), so that a start
 * after a previous run is indistinguishable from the first.
 */
#include <arch/internal.h>
#include <arch/sysreg.h>
#include <fv/arch/cpu.h>
#include <fv/arch/vcpu.h>
#include <fv/arch/vcpuif.h>
#include <fv/vm.h>

#define SCTLR_EL1_RESET 0x30d00800ULL /* RES1 bits; MMU, caches, alignment checks off */
#define PSTATE_EL1H 0x5ULL
#define PSTATE_DAIF (0xfULL << 6)

#define ISAR1_PAUTH ((0xffULL << 4) | (0xffULL << 24)) /* APA, API, GPA, GPI */
#define ISAR2_PAUTH (0xffULL << 8)                     /* GPA3, APA3 */
#define PFR0_SVE_SHIFT 32
#define PFR0_RAS_SHIFT 28
#define PFR1_SME_SHIFT 24
#define DFR0_BRPS_SHIFT 12
#define DFR0_WRPS_SHIFT 20

static uint64_t actlr_at_reset[FV_MAX_CPUS];

void arch_vcpu_reset_init(uint32_t cpu)
{
	/* Nothing has written it since the board reset: its reset value. */
	actlr_at_reset[cpu] = read_actlr_el1();
}

static unsigned int field(uint64_t reg, unsigned int shift)
{
	return (unsigned int)(reg >> shift) & 0xf;
}

/* Breakpoint and watchpoint n: disabled, address 0 (DBGBCR/DBGBVR/DBGWCR/DBGWVR<n>_EL1). */
#define DBG_CASE(n)                                                       \
	case n:                                                           \
		if (bp)                                                   \
			__asm__ volatile("msr s2_0_c0_c" #n "_5, xzr\n\t" \
					 "msr s2_0_c0_c" #n "_4, xzr");   \
		else                                                      \
			__asm__ volatile("msr s2_0_c0_c" #n "_7, xzr\n\t" \
					 "msr s2_0_c0_c" #n "_6, xzr");   \
		break;

static void debug_point_clear(unsigned int n, bool bp)
{
	switch (n) {
		DBG_CASE(0)
		DBG_CASE(1)
		DBG_CASE(2)
		DBG_CASE(3)
		DBG_CASE(4)
		DBG_CASE(5)
		DBG_CASE(6)
		DBG_CASE(7)
		DBG_CASE(8)
		DBG_CASE(9)
		DBG_CASE(10)
		DBG_CASE(11)
		DBG_CASE(12)
		DBG_CASE(13)
		DBG_CASE(14)
		DBG_CASE(15)
	default: break;
	}
}

/*
 * Self-hosted debug (trapped, MDCR_EL2.TDA, and done for the guest on its
 * CPU by arch/aarch64/debug.c, but live in the CPU): every breakpoint and
 * watchpoint off, no debug events enabled, the DCC interrupts off.
 */
static void debug_reset(void)
{
	uint64_t dfr0 = read_id_aa64dfr0_el1();

	for (unsigned int n = 0; n <= field(dfr0, DFR0_BRPS_SHIFT); n++)
		debug_point_clear(n, true);
	for (unsigned int n = 0; n <= field(dfr0, DFR0_WRPS_SHIFT); n++)
		debug_point_clear(n, false);
	write_mdscr_el1(0);
	write_mdccint_el1(0);
	/* The OS lock and double lock are the hypervisor's (the guest's accesses
	 * trap and read as zero, arch/aarch64/debug.c): unlocked, as el2_init
	 * left them, so that the guest's breakpoints work at every start. */
	write_osdlr_el1(0);
	write_oslar_el1(0);
}

/* Pointer authentication keys, when the CPU has them (FEAT_PAuth). */
static void pauth_reset(void)
{
	if (!(read_id_aa64isar1_el1() & ISAR1_PAUTH) && !(read_id_aa64isar2_el1() & ISAR2_PAUTH))
		return;
	write_apiakeylo_el1(0);
	write_apiakeyhi_el1(0);
	write_apibkeylo_el1(0);
	write_apibkeyhi_el1(0);
	write_apdakeylo_el1(0);
	write_apdakeyhi_el1(0);
	write_apdbkeylo_el1(0);
	write_apdbkeyhi_el1(0);
	write_apgakeylo_el1(0);
	write_apgakeyhi_el1(0);
}

/*
 * FP/SIMD and what extends it. The V registers, FPCR and FPSR are zeroed by
 * arch_fpsimd_zero, which also clears the bits of each SVE Z register above
 * 128 (an Advanced SIMD write zeroes them); SVE adds the predicates, FFR and
 * the vector length the guest chose; SME streaming mode and ZA (clearing
 * SVCR leaves both off; ZA is zero when next enabled) and its registers.
 */
void arch_sme_stop(void)
{
	if (field(read_id_aa64pfr1_el1(), PFR1_SME_SHIFT)) {
		write_svcr(0); /* PSTATE.SM = PSTATE.ZA = 0 */
		isb();
	}
}

static void fp_reset(void)
{
	uint64_t pfr0 = read_id_aa64pfr0_el1();

	if (field(read_id_aa64pfr1_el1(), PFR1_SME_SHIFT)) {
		arch_sme_stop(); /* first: the SIMD writes below are illegal in streaming mode */
		write_smcr_el1(0);
		write_smpri_el1(0);
		write_tpidr2_el0(0);
	}
	arch_fpsimd_zero();
	if (field(pfr0, PFR0_SVE_SHIFT)) {
		write_zcr_el1(0);      /* the guest's own vector length: the smallest */
		arch_sve_pregs_zero(); /* at EL2's (ZCR_EL2): the whole of each register */
	}
}

void arch_vcpu_reset(struct vcpu *v)
{
	struct vm *vm = v->vm;

	write_vmpidr_el2(v->mpidr);
	write_vttbr_el2(pa_addr(s2_root(&vm->s2)) | ((uint64_t)vm->s2.vmid << 48));
	/*
	 * The vCPU starts as a CPU out of reset: nothing of its VM's previous
	 * run (same VMID, same ASIDs) may linger in this CPU's TLBs, where a
	 * guest that turns its MMU on without invalidating first would hit it.
	 * The ISB makes the TLBI see the new VMID (Arm ARM, TLBI VMALLS12E1:
	 * it acts on the VMID in VTTBR_EL2); the DSB completes it.
	 */
	isb();
	__asm__ volatile("tlbi vmalls12e1" ::: "memory");
	dsb_nsh();
	write_sctlr_el1(SCTLR_EL1_RESET);
	write_actlr_el1(actlr_at_reset[arch_cpu_index()]);
	write_tcr_el1(0);
	write_ttbr0_el1(0);
	write_ttbr1_el1(0);
	write_mair_el1(0);
	write_amair_el1(0);
	write_vbar_el1(0);
	write_contextidr_el1(0);
	write_tpidr_el1(0);
	write_tpidr_el0(0);
	write_tpidrro_el0(0);
	write_sp_el1(0);
	write_sp_el0(0);
	write_elr_el1(0);
	write_spsr_el1(0);
	write_esr_el1(0);
	write_far_el1(0);
	write_afsr0_el1(0);
	write_afsr1_el1(0);
	write_par_el1(0);
	write_cpacr_el1(0);
	write_csselr_el1(0);
	write_cntkctl_el1(0);
	write_cntv_ctl_el0(0);
	write_cntv_cval_el0(0);
	if (field(read_id_aa64pfr0_el1(), PFR0_RAS_SHIFT)) {
		write_disr_el1(0);  /* (with HCR_EL2.AMO the guest sees VDISR_EL2) */
		write_vdisr_el2(0); /* no deferred SError recorded */
	}
	debug_reset();
	pauth_reset();
	fp_reset();
	arch_vgic_reset();
	isb();
	v->regs->pstate = PSTATE_EL1H | PSTATE_DAIF; /* Linux booting.rst: EL1, DAIF masked */
}
