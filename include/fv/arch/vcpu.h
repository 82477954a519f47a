/* SPDX-License-Identifier: MIT */
/*
 * The vCPU on this CPU: its frame, reset, entry and the exceptions injected into it.
 * Part of the porting layer (docs/porting.md): implemented by arch/aarch64
 * for the hypervisor and by arch/fake for host tests.
 */
#ifndef FV_ARCH_VCPU_H
#define FV_ARCH_VCPU_H

#include <fv/types.h>

struct vcpu;
struct vcpu_regs;

/* The trap frame of board CPU `pcpu` (fixed: the top of its stack). */
struct vcpu_regs *arch_cpu_frame(uint32_t pcpu);
/* Mask this CPU's virtual timer (its vCPU is off). */
void arch_vtimer_mask(void);
/* A random 64-bit value for KASLR seeds (RNDR if present, else a counter mix). */
uint64_t arch_random(void);
/* Put this CPU's EL1 state in its reset condition for v, and v's PSTATE (EL1h, DAIF set). */
void arch_vcpu_reset(struct vcpu *v);
/* Enter (or return to) the guest on this CPU; never returns. */
__attribute__((noreturn)) void arch_vcpu_run(struct vcpu *v);
/* Is the guest executing its own EL1 exception vectors (a fault there recurses)? */
bool arch_guest_in_vectors(const struct vcpu *v);
/*
 * A trapped access to one of the guest's self-hosted debug registers
 * (MDSCR_EL1, DBGB{V,C}R<n>_EL1, DBGW{V,C}R<n>_EL1; enc as SYSREG_ENC),
 * done on this CPU's own registers: DONE (*value read or written), ABSENT
 * (a breakpoint or watchpoint this CPU does not have), or NOT_SELF_HOSTED
 * (any other register).
 */
enum arch_debug_access {
	ARCH_DEBUG_NOT_SELF_HOSTED,
	ARCH_DEBUG_DONE,
	ARCH_DEBUG_ABSENT,
};
enum arch_debug_access arch_debug_access(uint32_t enc, bool write, uint64_t *value);
/* Exceptions injected into the guest (Arm ARM D1.10, "Exception entry"). */
void arch_inject_undef(struct vcpu *v);
void arch_inject_data_abort(struct vcpu *v, uint64_t far);
void arch_inject_prefetch_abort(struct vcpu *v, uint64_t far);

#endif
