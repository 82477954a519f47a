// SPDX-License-Identifier: MIT
/*
 * The emulated GICv3 redistributors, one pair of 64 KiB frames per vCPU
 * (GICv3 architecture specification §12.10-12.11): RD_base with the control
 * and identification registers, SGI_base with the SGI and PPI registers.
 * No LPIs: GICR_TYPER.PLPIS = 0, so the LPI registers are RAZ/WI. The last
 * vCPU's frame has GICR_TYPER.Last set, which ends the guest's scan.
 */
#include <fv/arch.h>
#include <fv/vgic_regs.h>
#include <fv/vm.h>

#define GICR_CTLR 0x0000U
#define GICR_IIDR 0x0004U
#define GICR_TYPER 0x0008U
#define GICR_WAKER 0x0014U
#define GICR_ID_START 0xffd0U
#define GICR_FRAME 0x10000U

#define SGI_IGROUPR0 0x0080U
#define SGI_ISENABLER0 0x0100U
#define SGI_ICENABLER0 0x0180U
#define SGI_ISPENDR0 0x0200U
#define SGI_ICPENDR0 0x0280U
#define SGI_ISACTIVER0 0x0300U
#define SGI_ICACTIVER0 0x0380U
#define SGI_IPRIORITYR 0x0400U
#define SGI_IPRIORITYR_END 0x0420U
#define SGI_ICFGR0 0x0c00U
#define SGI_ICFGR1 0x0c04U

#define WAKER_PROCESSOR_SLEEP BIT(1)
#define WAKER_CHILDREN_ASLEEP BIT(2)
#define TYPER_LAST BIT(4)
#define TYPER_PROCESSOR_SHIFT 8

#define FV_IIDR 0x0046560aU

static uint64_t typer(struct vm *vm, struct vcpu *v)
{
	uint64_t m = v->mpidr;
	uint64_t aff = (m & 0xffffffULL) | ((m >> 32 & 0xff) << 24);
	uint64_t t = (aff << 32) | ((uint64_t)v->index << TYPER_PROCESSOR_SHIFT);

	if (v->index == vm->vcpu_count - 1)
		t |= TYPER_LAST;
	return t;
}

static bool sgi_bitreg(uint64_t off, enum vgic_bitreg *reg)
{
	switch (off) {
	case SGI_IGROUPR0: *reg = VGIC_GROUP; return true;
	case SGI_ISENABLER0: *reg = VGIC_SET_ENABLE; return true;
	case SGI_ICENABLER0: *reg = VGIC_CLEAR_ENABLE; return true;
	case SGI_ISPENDR0: *reg = VGIC_SET_PENDING; return true;
	case SGI_ICPENDR0: *reg = VGIC_CLEAR_PENDING; return true;
	case SGI_ISACTIVER0: *reg = VGIC_SET_ACTIVE; return true;
	case SGI_ICACTIVER0: *reg = VGIC_CLEAR_ACTIVE; return true;
	default: return false;
	}
}

static bool rd_read(struct vm *vm, struct vcpu *v, uint64_t off, unsigned int width, uint64_t *value)
{
	if (off == GICR_TYPER || off == GICR_TYPER + 4) {
		uint64_t t = typer(vm, v);
		if (width == 8 && off == GICR_TYPER)
			*value = t;
		else if (width == 4)
			*value = (uint32_t)(t >> (off == GICR_TYPER ? 0 : 32));
		else
			return false;
		return true;
	}
	if (width != 4)
		return false;
	if (off == GICR_WAKER)
		*value = v->vgic.sleep ? WAKER_PROCESSOR_SLEEP | WAKER_CHILDREN_ASLEEP : 0;
	else if (off == GICR_IIDR)
		*value = FV_IIDR;
	else if (off >= GICR_ID_START)
		*value = vgic_id_reg(off);
	else
		*value = 0; /* CTLR (no LPIs, no pending writes), STATUSR, LPI registers */
	return true;
}

static bool sgi_read(struct vm *vm, struct vcpu *v, uint64_t off, unsigned int width, uint64_t *value)
{
	enum vgic_bitreg reg;

	if (off >= SGI_IPRIORITYR && off < SGI_IPRIORITYR_END) {
		if (width != 1 && width != 4)
			return false;
		for (unsigned int i = 0; i < width; i++)
			*value |= (uint64_t)vgic_prio_read(vm, v, (uint32_t)(off - SGI_IPRIORITYR) + i) << (8 * i);
		return true;
	}
	if (width != 4)
		return false;
	if (sgi_bitreg(off, &reg))
		*value = vgic_bits_read(vm, v, 0, reg);
	else if (off == SGI_ICFGR0 || off == SGI_ICFGR1)
		*value = vgic_cfg_read(vm, v, off == SGI_ICFGR0 ? 0 : 16);
	else if (off >= GICR_ID_START)
		*value = vgic_id_reg(off);
	return true;
}

bool vgicr_read(struct vm *vm, uint32_t vcpu, uint64_t off, unsigned int width, uint64_t *value)
{
	bool ok;

	if (vcpu >= vm->vcpu_count || off % width)
		return false;
	struct vcpu *v = &vm->vcpu[vcpu];
	*value = 0;
	vgic_lock(vm);
	if (off < GICR_FRAME)
		ok = rd_read(vm, v, off, width, value);
	else
		ok = sgi_read(vm, v, off - GICR_FRAME, width, value);
	vgic_unlock(vm);
	return ok;
}

static bool sgi_write(struct vm *vm, struct vcpu *v, uint64_t off, unsigned int width, uint64_t value)
{
	enum vgic_bitreg reg;

	if (off >= SGI_IPRIORITYR && off < SGI_IPRIORITYR_END) {
		if (width != 1 && width != 4)
			return false;
		for (unsigned int i = 0; i < width; i++)
			vgic_prio_write(vm, v, (uint32_t)(off - SGI_IPRIORITYR) + i, (uint8_t)(value >> (8 * i)));
		return true;
	}
	if (width != 4)
		return false;
	if (sgi_bitreg(off, &reg))
		vgic_bits_write(vm, v, 0, reg, (uint32_t)value);
	else if (off == SGI_ICFGR1)
		vgic_cfg_write(vm, v, 16, (uint32_t)value);
	/* ICFGR0 (SGIs are edge), IGRPMODR0, NSACR, reserved: WI */
	return true;
}

bool vgicr_write(struct vm *vm, uint32_t vcpu, uint64_t off, unsigned int width, uint64_t value)
{
	bool ok = true;

	if (vcpu >= vm->vcpu_count || off % width)
		return false;
	struct vcpu *v = &vm->vcpu[vcpu];
	vgic_lock(vm);
	if (off < GICR_FRAME) {
		if (width != 4 && !(width == 8 && off == GICR_TYPER))
			ok = false;
		else if (off == GICR_WAKER)
			v->vgic.sleep = value & WAKER_PROCESSOR_SLEEP;
		/* CTLR.EnableLPIs is RAZ/WI without LPIs; everything else is RO or reserved */
	} else {
		ok = sgi_write(vm, v, off - GICR_FRAME, width, value);
	}
	vgic_unlock(vm);
	return ok;
}
