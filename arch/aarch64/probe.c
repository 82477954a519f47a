// SPDX-License-Identifier: MIT
/*
 * Signs of life of this CPU's guest (include/fv/arch/probe.h): the PMU's
 * cycle counter, filtered to EL0 (Arm ARM D13.2 PMCCFILTR_EL0, PMCR_EL0),
 * and HCR_EL2.TWI. Guests never see the PMU (MDCR_EL2.TPM, TPMCR): the
 * counter is the hypervisor's, used only while a panic is being confirmed.
 */
#include <arch/sysreg.h>
#include <fv/arch/probe.h>
#include <fv/vm.h>

#define DFR0_PMUVER_SHIFT 8
#define DFR0_PMUVER_MASK 0xfULL
#define DFR0_PMUVER_IMPDEF 0xfULL

#define PMCR_E BIT(0)  /* counters enabled */
#define PMCR_LC BIT(6) /* the cycle counter overflows at 64 bits */
#define PMCNTEN_C BIT(31)
/* P: not at EL1; U = 0: at EL0; NSK = NSU = 0 (with EL3, Non-secure EL0 counted, EL1
 * not); NSH = 0: not at EL2 */
#define PMCCFILTR_EL0_ONLY BIT(31)

#define HCR_TWI BIT(13)

#define SPSR_M_MASK 0x1fULL
#define SPSR_AARCH32 BIT(4) /* AArch32: EL0 only (HCR_EL2.RW = 1) */
#define SPSR_EL_SHIFT 2
#define SPSR_D BIT(9)
#define SPSR_A BIT(8)
#define SPSR_I BIT(7)
#define SPSR_F BIT(6)

static bool has_pmu(void)
{
	uint64_t ver = (read_id_aa64dfr0_el1() >> DFR0_PMUVER_SHIFT) & DFR0_PMUVER_MASK;

	return ver != 0 && ver != DFR0_PMUVER_IMPDEF;
}

bool arch_probe_start(void)
{
	if (!has_pmu())
		return false;
	write_pmcntenclr_el0(PMCNTEN_C);
	write_pmccfiltr_el0(PMCCFILTR_EL0_ONLY);
	write_pmccntr_el0(0);
	write_pmcr_el0(PMCR_E | PMCR_LC);
	write_pmcntenset_el0(PMCNTEN_C);
	isb(); /* counting from here, before the guest runs again */
	return true;
}

uint64_t arch_probe_el0_cycles(void)
{
	isb(); /* not read early */
	return read_pmccntr_el0();
}

void arch_probe_stop(void)
{
	if (!has_pmu())
		return;
	write_pmcntenclr_el0(PMCNTEN_C);
	write_pmcr_el0(0);
	isb();
}

enum probe_mode arch_probe_mode(const struct vcpu *v)
{
	uint64_t ps = v->regs->pstate;

	if ((ps & SPSR_AARCH32) || ((ps & SPSR_M_MASK) >> SPSR_EL_SHIFT) == 0)
		return PROBE_USER;
	if ((ps & (SPSR_D | SPSR_A | SPSR_I | SPSR_F)) == (SPSR_D | SPSR_A | SPSR_I | SPSR_F))
		return PROBE_ALL_MASKED;
	return (ps & SPSR_I) ? PROBE_NOIRQ : PROBE_KERNEL;
}

void arch_probe_trap_wfi(bool trap)
{
	uint64_t hcr = read_hcr_el2();

	write_hcr_el2(trap ? hcr | HCR_TWI : hcr & ~HCR_TWI);
	isb(); /* in force for the guest's next instruction */
}
