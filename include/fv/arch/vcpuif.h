/* SPDX-License-Identifier: MIT */
/*
 * The GIC virtual CPU interface of this CPU (ICH_*_EL2): list registers, for the vGIC only.
 * Part of the porting layer (docs/porting.md): implemented by arch/aarch64
 * for the hypervisor and by arch/fake for host tests.
 */
#ifndef FV_ARCH_VCPUIF_H
#define FV_ARCH_VCPUIF_H

#include <fv/types.h>

uint32_t arch_lr_count(void);
uint64_t arch_lr_read(uint32_t n);
void arch_lr_write(uint32_t n, uint64_t value);
/* Request a maintenance interrupt when at most one LR holds an interrupt. */
void arch_vgic_underflow_irq(bool enable);
/* Bitmap of list registers holding no interrupt (ICH_ELRSR_EL2). */
uint32_t arch_lr_empty(void);
/* Reset the virtual CPU interface (LRs, active priorities, VMCR). */
void arch_vgic_reset(void);

/* ICH_LR<n>_EL2 fields (GICv3 architecture specification §12.5.x). */
#define LR_VINTID_MASK 0xffffffffULL
#define LR_PINTID_SHIFT 32
#define LR_PINTID_MASK (0x3ffULL << LR_PINTID_SHIFT)
#define LR_EOI BIT(41)
#define LR_PRIORITY_SHIFT 48
#define LR_GROUP1 BIT(60)
#define LR_HW BIT(61)
#define LR_STATE_PENDING BIT(62)
#define LR_STATE_ACTIVE BIT(63)
#define LR_STATE_MASK (LR_STATE_PENDING | LR_STATE_ACTIVE)

#endif
