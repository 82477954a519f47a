// SPDX-License-Identifier: MIT
/*
 * The emulated GICv3 redistributors, one pair of 64 KiB frames per vCPU
 * (GICv3 architecture specification §12.10-12.11): RD_base with the control
 * and identification registers, SGI_base with the SGI and PPI registers.
 * No LPIs: GICR_TYPER.PLPIS = 0, so the LPI registers are RAZ/WI. The last
 * vCPU's frame has GICR_TYPER.Last set, which ends the guest's scan.
 */

#include <fv/gicv3.h>
#include <fv/vgic_regs.h>
#include <fv/vm.h>

#define FV_IIDR 0x0046560aU

static uint64_t typer(struct vm *vm, struct vcpu *v)
{
	uint64_t m = v->mpidr;
	uint64_t aff = (m & 0xffffffULL) | ((m >> 32 & 0xff) << 24);
	uint64_t t = (aff << 32) | ((uint64_t)v->index << GICR_TYPER_PROCESSOR_SHIFT);

	if (v->index == vm->vcpu_count - 1)
		t |= GICR_TYPER_LAST;
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
		*value = v->vgic.sleep ? GICR_WAKER_PROCESSOR_SLEEP | GICR_WAKER_CHILDREN_ASLEEP : 0;
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
	if (off < GICR_SGI_FRAME)
		ok = rd_read(vm, v, off, width, value);
	else
		ok = sgi_read(vm, v, off - GICR_SGI_FRAME, width, value);
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
	if (off < GICR_SGI_FRAME) {
		if (width != 4 && !(width == 8 && off == GICR_TYPER))
			ok = false;
		else if (off == GICR_WAKER)
			v->vgic.sleep = value & GICR_WAKER_PROCESSOR_SLEEP;
		/* CTLR.EnableLPIs is RAZ/WI without LPIs; everything else is RO or reserved */
	} else {
		ok = sgi_write(vm, v, off - GICR_SGI_FRAME, width, value);
	}
	vgic_unlock(vm);
	return ok;
}

/* The redistributors, one frame per vCPU, as one device of the VM's table. */
static bool redist_read(void *vm, uint64_t off, unsigned int width, uint64_t *value)
{
	return vgicr_read(vm, (uint32_t)(off / VBOARD_GICR_STRIDE), off % VBOARD_GICR_STRIDE, width, value);
}

static bool redist_write(void *vm, uint64_t off, unsigned int width, uint64_t value)
{
	return vgicr_write(vm, (uint32_t)(off / VBOARD_GICR_STRIDE), off % VBOARD_GICR_STRIDE, width, value);
}

static const struct vdev_ops redist_ops = { redist_read, redist_write, "bad access size for a redistributor", NULL };

const struct vdev_kind vgicr_kind = {
	.kind = DEVICE_GICR,
	.scan_first = 1, /* see docs/performance.md */
	.ops = &redist_ops,
	.create = vdev_state_is_vm,
};
