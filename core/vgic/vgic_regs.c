// SPDX-License-Identifier: MIT
/*
 * Interrupt register groups shared by the distributor (SPIs) and the
 * redistributors (SGIs, PPIs): one bit, two bits or one byte per interrupt
 * (GICv3 architecture specification §12.9 GICD_I*R<n> and §12.11 GICR_I*R0).
 * Interrupts that do not exist in the VM read as zero and ignore writes.
 * Callers hold the VM's vgic lock.
 */
#include <fv/arch/irq.h>
#include <fv/vgic_regs.h>
#include <fv/vm.h>

static uint32_t target_pcpu(struct vm *vm, const struct virq *irq)
{
	return irq->target < vm->vcpu_count ? vm->vcpu[irq->target].pcpu : vm->vcpu[0].pcpu;
}

static uint32_t bit_read(const struct virq *irq, enum vgic_bitreg reg)
{
	switch (reg) {
	case VGIC_GROUP: return irq->group1;
	case VGIC_SET_ENABLE:
	case VGIC_CLEAR_ENABLE: return irq->enabled;
	case VGIC_SET_PENDING:
	case VGIC_CLEAR_PENDING: return irq->pending || (irq->in_lr && !irq->active && !irq->unpend);
	case VGIC_SET_ACTIVE:
	case VGIC_CLEAR_ACTIVE: return irq->active && !irq->deactivate;
	}
	return 0;
}

/*
 * Act on one written 1 bit (0 bits never do anything in these registers).
 * An interrupt held in a list register (of this vCPU or another) is changed
 * there by the CPU that owns the register: it is told to look (GICv3
 * §12.9.x GICD_ICPENDR/ICACTIVER: the write acts wherever the state is).
 */
static void bit_write_one(struct vm *vm, struct virq *irq, enum vgic_bitreg reg)
{
	uint32_t pcpu = target_pcpu(vm, irq);

	switch (reg) {
	case VGIC_GROUP: break; /* handled by the caller: group is a plain bit */
	case VGIC_SET_ENABLE:
		irq->enabled = true;
		if (irq->hw)
			arch_irq_enable(irq->pintid, pcpu);
		break;
	case VGIC_CLEAR_ENABLE:
		irq->enabled = false;
		if (irq->hw)
			arch_irq_disable(irq->pintid, pcpu);
		break;
	case VGIC_SET_PENDING:
		if (irq->hw)
			arch_irq_set_pending(irq->pintid, pcpu, true); /* arrives like any other */
		else
			irq->pending = true;
		break;
	case VGIC_CLEAR_PENDING:
		if (irq->hw) {
			arch_irq_set_pending(irq->pintid, pcpu, false);
			if (irq->pending && !irq->in_lr)
				arch_irq_clear_active(irq->pintid, pcpu); /* taken but not delivered */
		}
		irq->pending = false;
		irq->unpend = irq->in_lr;
		break;
	case VGIC_SET_ACTIVE: break; /* write-ignored: only the guest's own acknowledge makes an interrupt active */
	case VGIC_CLEAR_ACTIVE:
		if (irq->in_lr) {
			irq->deactivate = true;
		} else {
			irq->active = false;
			if (irq->hw && !irq->pending)
				arch_irq_clear_active(irq->pintid, pcpu);
		}
		break;
	}
	if (irq->in_lr)
		vgic_kick_all(vm); /* whoever holds it now, wherever it is routed */
	else
		vgic_kick_target(vm, irq);
}

uint32_t vgic_bits_read(struct vm *vm, struct vcpu *v, uint32_t first, enum vgic_bitreg reg)
{
	uint32_t value = 0;

	for (uint32_t i = 0; i < 32; i++) {
		struct virq *irq = vgic_lookup(vm, v, first + i);
		if (irq && irq->exists && bit_read(irq, reg))
			value |= 1U << i;
	}
	return value;
}

void vgic_bits_write(struct vm *vm, struct vcpu *v, uint32_t first, enum vgic_bitreg reg, uint32_t value)
{
	for (uint32_t i = 0; i < 32; i++) {
		struct virq *irq = vgic_lookup(vm, v, first + i);
		if (!irq || !irq->exists)
			continue;
		if (reg == VGIC_GROUP) {
			irq->group1 = value & (1U << i);
			continue;
		}
		if (value & (1U << i))
			bit_write_one(vm, irq, reg);
	}
}

uint32_t vgic_cfg_read(struct vm *vm, struct vcpu *v, uint32_t first)
{
	uint32_t value = 0;

	for (uint32_t i = 0; i < 16; i++) {
		struct virq *irq = vgic_lookup(vm, v, first + i);
		if (irq && irq->exists && irq->edge)
			value |= 2U << (2 * i);
	}
	return value;
}

void vgic_cfg_write(struct vm *vm, struct vcpu *v, uint32_t first, uint32_t value)
{
	for (uint32_t i = 0; i < 16; i++) {
		uint32_t intid = first + i;
		struct virq *irq = vgic_lookup(vm, v, intid);
		/* SGIs are always edge; the forwarded timer PPI stays level */
		if (!irq || !irq->exists || intid < 16 || (intid < VGIC_SPI_BASE && irq->hw))
			continue;
		irq->edge = value & (2U << (2 * i));
		if (irq->hw)
			arch_irq_set_edge(irq->pintid, irq->edge);
	}
}

uint8_t vgic_prio_read(struct vm *vm, struct vcpu *v, uint32_t intid)
{
	struct virq *irq = vgic_lookup(vm, v, intid);

	return irq && irq->exists ? irq->priority : 0;
}

void vgic_prio_write(struct vm *vm, struct vcpu *v, uint32_t intid, uint8_t prio)
{
	struct virq *irq = vgic_lookup(vm, v, intid);

	if (irq && irq->exists && irq->priority != (prio & VGIC_PRIO_MASK)) {
		irq->priority = prio & VGIC_PRIO_MASK;
		vgic_kick_target(vm, irq); /* more urgent now: it may displace a listed one */
	}
}
