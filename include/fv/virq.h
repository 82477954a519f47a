/* SPDX-License-Identifier: MIT */
/*
 * The virtual-interrupt seam: how an emulated device drives its interrupt.
 * A device holds one line per interrupt output and raises or lowers it; the
 * vGIC (core/vgic/vgic.c) implements this and is the only unit that knows
 * list registers. A line's level changes only under its device's own lock,
 * so the vGIC sees the changes in the order they happened.
 */
#ifndef FV_VIRQ_H
#define FV_VIRQ_H

#include <fv/types.h>

struct vm;

struct virq_line {
	struct vm *vm;
	uint32_t intid; /* the SPI the guest sees */
};

/* Declare the line's SPI in the VM (level-sensitive unless `edge`), input low. */
void virq_line_init(struct virq_line *l, struct vm *vm, uint32_t intid, bool edge);
/* A board interrupt passed through to the VM under the same INTID (edge or
 * level as the board has it); the guest's deactivation reaches the board. */
void virq_passthrough(struct vm *vm, uint32_t intid, bool edge);
/* The vGIC's entry point behind virq_set (core/vgic/vgic.c). */
void vgic_set_level(struct vm *vm, uint32_t intid, bool level);

/* Drive a level-sensitive line, or (edge) signal an edge when `level` rises. */
static inline void virq_set(const struct virq_line *l, bool level)
{
	vgic_set_level(l->vm, l->intid, level);
}

#endif
