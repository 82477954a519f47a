/* SPDX-License-Identifier: MIT */
/* Functions shared between files of arch/aarch64 only. */
#ifndef ARCH_INTERNAL_H
#define ARCH_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vcpu_regs;

uint64_t arch_pa_size_field(void);
void arch_mmu_build(void);
void arch_mmu_enable(void);
void arch_gic_dist_init(void);
void arch_gic_cpu_init(uint32_t cpu);
void arch_fpsimd_zero(void);
void arch_sve_pregs_zero(void);
void arch_sme_stop(void);
void arch_vcpu_reset_init(uint32_t cpu);
void arch_load_copy(void *dst, const void *src, size_t n);
void arch_sha256_ce(uint32_t h[8], const uint8_t *data, size_t blocks);
__attribute__((noreturn)) void arch_guest_enter(struct vcpu_regs *frame);
__attribute__((noreturn)) void arch_cpu_boot(uint32_t cpu);
void arch_guest_sync(struct vcpu_regs *frame);
void arch_guest_irq(struct vcpu_regs *frame);
void arch_guest_serror(struct vcpu_regs *frame);
void arch_hv_fault(struct vcpu_regs *frame);
/* An EL2 exception that is a device's external abort on a guest's access (mem.c): handled, return. */
bool arch_mmio_guard_fault(struct vcpu_regs *frame, uint64_t esr);

#endif
