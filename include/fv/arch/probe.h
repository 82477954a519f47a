/* SPDX-License-Identifier: MIT */
/*
 * Signs of life of this CPU's guest, looked for while a kernel panic is being
 * confirmed (fv/panic_check.h) and never otherwise: the time the guest spends
 * at EL0, counted by the PMU's cycle counter filtered to EL0 (Arm ARM D13,
 * PMCCFILTR_EL0), and a trap on a WFI that would wait (HCR_EL2.TWI, Arm ARM
 * D13.2.47; a WFI that would complete at once is not trapped).
 * Part of the porting layer (docs/porting.md): implemented by arch/aarch64
 * for the hypervisor and by arch/fake for host tests.
 */
#ifndef FV_ARCH_PROBE_H
#define FV_ARCH_PROBE_H

#include <fv/types.h>

struct vcpu;

/* Where the guest was when it last left for the hypervisor (SPSR_EL2). */
enum probe_mode {
	PROBE_USER,       /* EL0 */
	PROBE_KERNEL,     /* EL1, IRQs unmasked */
	PROBE_NOIRQ,      /* EL1, IRQs masked: idle waits so, interrupt handlers run so */
	PROBE_ALL_MASKED, /* EL1, Debug, SError, IRQ and FIQ all masked: how Linux parks a CPU for good */
};

/* Start counting this CPU's cycles at EL0 from zero; false if it has no cycle counter. */
bool arch_probe_start(void);
/* The EL0 cycles counted since arch_probe_start. */
uint64_t arch_probe_el0_cycles(void);
/* Stop counting. */
void arch_probe_stop(void);
/* The mode of vCPU v at its last exit (its trap frame). */
enum probe_mode arch_probe_mode(const struct vcpu *v);
/* Trap (or stop trapping) the guest's WFIs on this CPU. */
void arch_probe_trap_wfi(bool trap);

#endif
