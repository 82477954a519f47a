/* SPDX-License-Identifier: MIT */
/*
 * This CPU: its index, time, its hypervisor timer and the kick between CPUs.
 * Part of the porting layer (docs/porting.md): implemented by arch/aarch64
 * for the hypervisor and by arch/fake for host tests.
 */
#ifndef FV_ARCH_CPU_H
#define FV_ARCH_CPU_H

#include <fv/types.h>

uint32_t arch_cpu_index(void);
void arch_cpu_relax(void);
/* Wait (interrupts masked) until an interrupt is pending; irq_handle takes it. */
void arch_wait_irq(void);
uint64_t arch_counter(void);      /* the system counter (CNTPCT) */
uint64_t arch_counter_freq(void); /* ticks per second */
/* Arm this CPU's hypervisor timer for `deadline` (counter value); 0 disarms. */
void arch_hyp_timer_arm(uint64_t deadline);
/* Ask CPU `pcpu` to look at its requests (a hypervisor SGI). */
void arch_kick_cpu(uint32_t pcpu);
/* Stop this CPU for good, interrupts masked (panic path). */
__attribute__((noreturn)) void arch_cpu_halt(void);

#endif
