/* SPDX-License-Identifier: MIT */
/* Register groups shared by vgicd.c and vgicr.c (core/vgic/vgic_regs.c). */
#ifndef FV_VGIC_REGS_H
#define FV_VGIC_REGS_H

#include <fv/vgic.h>

enum vgic_bitreg {
	VGIC_GROUP,
	VGIC_SET_ENABLE,
	VGIC_CLEAR_ENABLE,
	VGIC_SET_PENDING,
	VGIC_CLEAR_PENDING,
	VGIC_SET_ACTIVE,
	VGIC_CLEAR_ACTIVE,
};

/* 32 interrupts from `first` (a multiple of 32); v is needed below INTID 32. */
uint32_t vgic_bits_read(struct vm *vm, struct vcpu *v, uint32_t first, enum vgic_bitreg reg);
void vgic_bits_write(struct vm *vm, struct vcpu *v, uint32_t first, enum vgic_bitreg reg, uint32_t value);
/* 16 interrupts from `first` (a multiple of 16): GIC*_ICFGR<n>. */
uint32_t vgic_cfg_read(struct vm *vm, struct vcpu *v, uint32_t first);
void vgic_cfg_write(struct vm *vm, struct vcpu *v, uint32_t first, uint32_t value);
uint8_t vgic_prio_read(struct vm *vm, struct vcpu *v, uint32_t intid);
void vgic_prio_write(struct vm *vm, struct vcpu *v, uint32_t intid, uint8_t prio);

/* Identification registers common to GICD and GICR (§12.1.x, CoreSight IDs). */
#define GIC_PIDR2_OFFSET 0xffe8U
uint32_t vgic_id_reg(uint64_t offset);

#endif
