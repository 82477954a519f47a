// SPDX-License-Identifier: MIT
/*
 * Per-CPU EL2 set-up, entering the guest and injecting exceptions into it (Arm ARM D1.10 "Exception entry", D13 for the
 * registers named here).
 */
#include <arch/frame.h>
#include <arch/internal.h>
#include <arch/sysreg.h>
#include <fv/arch/cpu.h>
#include <fv/arch/mem.h>
#include <fv/arch/vcpu.h>
#include <fv/arch/vcpuif.h>
#include <fv/hv.h>
#include <fv/log.h>
#include <fv/plat.h>
#include <fv/vm.h>

_Static_assert(offsetof(struct vcpu_regs, x) == FRAME_X0, "frame layout");
_Static_assert(offsetof(struct vcpu_regs, pc) == FRAME_PC, "frame layout");
_Static_assert(offsetof(struct vcpu_regs, pstate) == FRAME_PSTATE, "frame layout");
_Static_assert(sizeof(struct vcpu_regs) == FRAME_SIZE, "frame layout");
_Static_assert(FRAME_SIZE % 16 == 0, "the stack stays 16-byte aligned");

#define HCR_VM BIT(0)
#define HCR_SWIO BIT(1)
#define HCR_FMO BIT(3)
#define HCR_IMO BIT(4)
#define HCR_AMO BIT(5)
#define HCR_TSC BIT(19)
#define HCR_TIDCP BIT(20)
#define HCR_RW BIT(31)
#define HCR_TERR BIT(36)
#define HCR_APK BIT(40)
#define HCR_API BIT(41)

#define CPTR_EL2_RES1 0x000032ffULL /* bits 0-7, 9, 12, 13 */
#define CPTR_TZ BIT(8)
#define CPTR_TSM BIT(12)
#define CPTR_TTA BIT(20)
#define CPTR_TAM BIT(30)

#define MDCR_TPMCR BIT(5)
#define MDCR_TPM BIT(6)
#define MDCR_TDA BIT(9)
#define MDCR_TDOSA BIT(10)
#define MDCR_TDRA BIT(11)
#define MDCR_TPMS BIT(14)
#define MDCR_TTRF BIT(19)

#define PFR0_RAS_SHIFT 28
#define PFR0_AMU_SHIFT 44
#define MMFR0_FGT_SHIFT 56
#define MMFR1_HCX_SHIFT 40
#define DFR0_DOUBLELOCK_SHIFT 36
#define DFR0_TRACEFILT_SHIFT 40

#define CNTHCTL_EL1PCTEN BIT(0)

#define VTCR_T0SZ_39 25ULL
#define VTCR_SL0_L1 (1ULL << 6)
#define VTCR_IRGN0_WB (1ULL << 8)
#define VTCR_ORGN0_WB (1ULL << 10)
#define VTCR_SH0_INNER (3ULL << 12)
#define VTCR_PS_SHIFT 16
#define VTCR_RES1 BIT(31)

#define SCTLR_EL1_SPAN BIT(23)
#define PSTATE_EL1H 0x5ULL
#define PSTATE_DAIF (0xfULL << 6)
#define PSTATE_PAN BIT(22)

#define ESR_EC_SHIFT 26
#define ESR_IL BIT(25)
#define EC_UNKNOWN 0x00ULL
#define EC_IABT_LOW 0x20ULL
#define EC_IABT_CUR 0x21ULL
#define EC_DABT_LOW 0x24ULL
#define EC_DABT_CUR 0x25ULL
#define FSC_SYNC_EXTERNAL 0x10ULL

struct arch_cpu {
	uint32_t index;
};

static struct arch_cpu arch_cpus[FV_MAX_CPUS];
extern char el2_vectors[];
extern char __stacks_start[];

uint32_t arch_cpu_index(void)
{
	return ((struct arch_cpu *)read_tpidr_el2())->index;
}

void arch_cpu_relax(void)
{
	__asm__ volatile("yield" ::: "memory");
}

void arch_wait_irq(void)
{
	/* Interrupts stay masked at EL2: WFI still wakes on a pending one. */
	dsb_sy();
	__asm__ volatile("wfi" ::: "memory");
}

struct vcpu_regs *arch_cpu_frame(uint32_t pcpu)
{
	return (struct vcpu_regs *)(void *)(__stacks_start + (pcpu + 1) * STACK_SIZE - FRAME_SIZE);
}

uint64_t arch_counter(void)
{
	isb(); /* not read early, out of order */
	return read_cntpct_el0();
}

uint64_t arch_counter_freq(void)
{
	return read_cntfrq_el0();
}

void arch_hyp_timer_arm(uint64_t deadline)
{
	if (!deadline) {
		write_cnthp_ctl_el2(0);
	} else {
		write_cnthp_cval_el2(deadline);
		write_cnthp_ctl_el2(1); /* enabled, not masked */
	}
	isb();
}

void arch_vtimer_mask(void)
{
	write_cntv_ctl_el0(0);
	isb();
}

uint64_t arch_random(void)
{
	/* No RNDR on the reference CPU: mix the counter through a 64-bit finaliser.
	 * A KASLR seed must differ per boot, not resist an attacker who reads the clock. */
	uint64_t x = read_cntpct_el0() ^ (read_mpidr_el1() << 32);
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

static uint64_t hcr_value(void)
{
	/* No HCR_EL2.FB/BSU: a vCPU never leaves its CPU, so its local TLB and
	 * cache maintenance need not be broadcast (and broadcast TLBI is costly). */
	uint64_t hcr = HCR_VM | HCR_SWIO | HCR_FMO | HCR_IMO | HCR_AMO | HCR_TSC | HCR_TIDCP | HCR_RW;
	uint64_t isar1 = read_id_aa64isar1_el1();

	/* Pointer authentication keys and instructions belong to the guest (APA, API, GPA, GPI). */
	if (isar1 & (0xffULL << 4) || isar1 & (0xffULL << 24))
		hcr |= HCR_APK | HCR_API;
	/* FEAT_RAS: the error record registers (ERR*, ERX*) trap; a record may
	 * describe a node shared with other VMs' CPUs. (TEA is not set: a
	 * synchronous external abort on the guest's own access to its own RAM
	 * is the guest's, and goes to it as without a hypervisor.) */
	if ((read_id_aa64pfr0_el1() >> PFR0_RAS_SHIFT) & 0xf)
		hcr |= HCR_TERR;
	return hcr;
}

/*
 * Controls that exist only on CPUs with the feature, and reset to
 * architecturally UNKNOWN values (Arm ARM D13.2, HCRX_EL2, HFGRTR_EL2 and
 * the other fine-grained trap registers): each gets its safe value, or a
 * guest would run under whatever the CPU came up with.
 */
static void el2_init_optional(void)
{
	uint64_t pfr0 = read_id_aa64pfr0_el1(), dfr0 = read_id_aa64dfr0_el1();

	/* FEAT_HCX: nothing extra enabled for EL1 (no ST64B/LD64B, no MOPS, no NMI, no TCR2/SCTLR2) */
	if ((read_id_aa64mmfr1_el1() >> MMFR1_HCX_SHIFT) & 0xf)
		write_hcrx_el2(0);
	/* FEAT_FGT: no fine-grained traps; the coarse controls above say what traps */
	if ((read_id_aa64mmfr0_el1() >> MMFR0_FGT_SHIFT) & 0xf) {
		write_hfgrtr_el2(0);
		write_hfgwtr_el2(0);
		write_hfgitr_el2(0);
		write_hdfgrtr_el2(0);
		write_hdfgwtr_el2(0);
		if (((pfr0 >> PFR0_AMU_SHIFT) & 0xf) >= 2)
			write_hafgrtr_el2(0); /* FEAT_AMUv1p1 */
	}
	/* FEAT_TRF: no tracing of EL2 (E2TRE = 0, E0HTRE = 0) */
	if ((dfr0 >> DFR0_TRACEFILT_SHIFT) & 0xf)
		write_trfcr_el2(0);
	/*
	 * The OS lock resets locked, which disables the guest's breakpoints,
	 * watchpoints and single step (Arm ARM D2.5); it belongs to external
	 * debug, which the guest does not get (its OSLAR_EL1 is write-ignored),
	 * so it is unlocked here once, as an OS would. The same for the double lock.
	 */
	write_oslar_el1(0);
	if (((dfr0 >> DFR0_DOUBLELOCK_SHIFT) & 0xf) != 0xf)
		write_osdlr_el1(0);
}

static void el2_init(void)
{
	uint64_t cptr = CPTR_EL2_RES1;
	uint64_t pfr0 = read_id_aa64pfr0_el1();

	write_hcr_el2(hcr_value());
	/* FP/SIMD, SVE and SME stay the guest's: nothing traps (TFP = 0, TZ = 0, TSM = 0).
	 * The trace unit's registers (TTA) and the activity monitors (TAM) trap:
	 * trace can record EL2, and the monitors count the CPU's whole time. */
	cptr |= CPTR_TTA | CPTR_TAM;
	if ((pfr0 >> 32) & 0xf)
		cptr &= ~CPTR_TZ;
	if ((read_id_aa64pfr1_el1() >> 24) & 0xf)
		cptr &= ~CPTR_TSM;
	write_cptr_el2(cptr);
	isb();
	if ((pfr0 >> 32) & 0xf)
		write_zcr_el2(0xf); /* the largest vector length the CPU has */
	/*
	 * The PMU is not described to guests: its registers trap and read as zero.
	 * Debug registers trap (TDA, TDOSA, TDRA): the guest's own breakpoints,
	 * watchpoints and MDSCR_EL1 are done for it on its CPU, the external
	 * debugger's registers (OS lock, DCC, claim tags, ROM address) are not its.
	 * Statistical profiling (TPMS; its buffer is EL2's, E2PB = 0) and the
	 * trace filter (TTRF) trap too.
	 */
	write_mdcr_el2(((read_pmcr_el0() >> 11) & 0x1f) | MDCR_TPM | MDCR_TPMCR | MDCR_TDA | MDCR_TDOSA | MDCR_TDRA |
		       MDCR_TPMS | MDCR_TTRF);
	el2_init_optional();
	write_cnthctl_el2(CNTHCTL_EL1PCTEN); /* EL1 reads the counter; its physical timer traps */
	write_cntvoff_el2(0);
	write_vtcr_el2(VTCR_RES1 | VTCR_T0SZ_39 | VTCR_SL0_L1 | VTCR_IRGN0_WB | VTCR_ORGN0_WB | VTCR_SH0_INNER |
		       (arch_pa_size_field() << VTCR_PS_SHIFT));
	write_vpidr_el2(read_midr_el1());
	write_cnthp_ctl_el2(0);
	isb();
}

void arch_cpu_boot(uint32_t cpu)
{
	if (cpu == 0) {
		plat_uart_init(); /* first: anything that fails after this is visible */
		arch_mmu_build();
	}
	arch_mmu_enable();
	write_vbar_el2((uint64_t)(uintptr_t)el2_vectors);
	arch_cpus[cpu].index = cpu;
	write_tpidr_el2((uint64_t)(uintptr_t)&arch_cpus[cpu]);
	isb();
	el2_init();
	arch_vcpu_reset_init(cpu); /* before any guest has run here */
	if (cpu == 0)
		arch_gic_dist_init();
	arch_gic_cpu_init(cpu);
	if (cpu == 0)
		hv_main();
	hv_secondary_main(cpu);
}

void arch_s2_flush_vmid(uint16_t vmid, paddr_t root)
{
	/* The VMID to flush is the one in VTTBR_EL2 (Arm ARM D8.13, TLBI
	 * VMALLS12E1IS): borrow it, and give this CPU's own VM its VTTBR back. */
	uint64_t saved = read_vttbr_el2();

	write_vttbr_el2(pa_addr(root) | ((uint64_t)vmid << 48));
	isb();
	dsb_ishst(); /* the table writes complete before the invalidation, for every walker */
	__asm__ volatile("tlbi vmalls12e1is" ::: "memory");
	dsb_ish(); /* the invalidation is done on every CPU */
	write_vttbr_el2(saved);
	isb();
}

void arch_vcpu_run(struct vcpu *v)
{
	arch_guest_enter(v->regs);
}

/* Enter the guest's EL1 exception vector as the architecture would (Arm ARM D1.10.1). */
static void inject(struct vcpu *v, uint64_t esr, uint64_t far, bool set_far)
{
	struct vcpu_regs *r = v->regs;
	uint64_t from = r->pstate;
	uint64_t offset;

	if (from & BIT(4))
		offset = 0x600; /* lower EL, AArch32 */
	else if (((from >> 2) & 3) == 0)
		offset = 0x400; /* lower EL, AArch64 */
	else
		offset = (from & 1) ? 0x200 : 0x000; /* current EL with SP_EL1 / SP_EL0 */
	write_elr_el1(r->pc);
	write_spsr_el1(from);
	write_esr_el1(esr);
	if (set_far)
		write_far_el1(far);
	uint64_t pstate = PSTATE_EL1H | PSTATE_DAIF;
	/* FEAT_PAN: an exception to EL1 sets PAN when SCTLR_EL1.SPAN is 0 and
	 * leaves it as it was when SPAN is 1 (Arm ARM, SCTLR_EL1.SPAN). */
	if ((read_id_aa64mmfr1_el1() >> 20) & 0xf)
		pstate |= (read_sctlr_el1() & SCTLR_EL1_SPAN) ? (from & PSTATE_PAN) : PSTATE_PAN;
	r->pstate = pstate;
	r->pc = read_vbar_el1() + offset;
}

bool arch_guest_in_vectors(const struct vcpu *v)
{
	uint64_t vbar = read_vbar_el1();

	return ((v->regs->pstate >> 2) & 3) == 1 && v->regs->pc - vbar < 0x800;
}

static bool from_el0(const struct vcpu *v)
{
	return ((v->regs->pstate >> 2) & 3) == 0 || (v->regs->pstate & BIT(4));
}

void arch_inject_undef(struct vcpu *v)
{
	inject(v, (EC_UNKNOWN << ESR_EC_SHIFT) | ESR_IL, 0, false);
}

void arch_inject_data_abort(struct vcpu *v, uint64_t far)
{
	uint64_t ec = from_el0(v) ? EC_DABT_LOW : EC_DABT_CUR;

	inject(v, (ec << ESR_EC_SHIFT) | ESR_IL | FSC_SYNC_EXTERNAL, far, true);
}

void arch_inject_prefetch_abort(struct vcpu *v, uint64_t far)
{
	uint64_t ec = from_el0(v) ? EC_IABT_LOW : EC_IABT_CUR;

	inject(v, (ec << ESR_EC_SHIFT) | ESR_IL | FSC_SYNC_EXTERNAL, far, true);
}

void arch_cpu_halt(void)
{
	for (;;)
		__asm__ volatile("msr daifset, #0xf\n\twfi" ::: "memory");
}
