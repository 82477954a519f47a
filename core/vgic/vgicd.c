// SPDX-License-Identifier: MIT
/*
 * The emulated GICv3 distributor (GICv3 architecture specification §12.9),
 * as a guest with affinity routing (ARE = 1) and a single security state
 * (DS = 1) sees it. Decode the offset into a register group, check the
 * access width, act; reserved offsets read as zero and ignore writes.
 * Private interrupts (INTID < 32) live in the redistributors, so their
 * distributor bits are RAZ/WI.
 */
#include <fv/arch/irq.h>
#include <fv/device.h>
#include <fv/gicv3.h>
#include <fv/vgic_regs.h>
#include <fv/vm.h>

/* JEP106 code 0x43b (Arm) would invite Arm-specific quirks; we are nobody's part. */
#define FV_IIDR 0x0046560aU

#define IROUTER_MASK 0xff00ffffffULL /* Aff3, Aff2, Aff1, Aff0; IRM is RAZ/WI (No1N) */

uint32_t vgic_id_reg(uint64_t offset)
{
	static const uint8_t ids[12] = {
		0x44, 0x00, 0x00, 0x00, /* PIDR4..7 at 0xffd0 */
		0x92, 0xb4, 0x3b, 0x00, /* PIDR0..3 at 0xffe0: PIDR2.ArchRev = 3 (GICv3) */
		0x0d, 0xf0, 0x05, 0xb1, /* CIDR0..3 at 0xfff0 */
	};
	uint64_t i = (offset - GICD_ID_START) / 4;

	return i < 12 ? ids[i] : 0;
}

/* A 1-bit-per-interrupt group: which one, and the first INTID it covers. */
static bool bitreg_decode(uint64_t off, enum vgic_bitreg *reg, uint32_t *first)
{
	static const struct {
		uint32_t base;
		enum vgic_bitreg reg;
	} map[] = {
		{ GICD_IGROUPR, VGIC_GROUP },          { GICD_ISENABLER, VGIC_SET_ENABLE },
		{ GICD_ICENABLER, VGIC_CLEAR_ENABLE }, { GICD_ISPENDR, VGIC_SET_PENDING },
		{ GICD_ICPENDR, VGIC_CLEAR_PENDING },  { GICD_ISACTIVER, VGIC_SET_ACTIVE },
		{ GICD_ICACTIVER, VGIC_CLEAR_ACTIVE },
	};

	for (uint32_t i = 0; i < ARRAY_SIZE(map); i++) {
		if (off >= map[i].base && off < map[i].base + 0x80) {
			*reg = map[i].reg;
			*first = (uint32_t)(off - map[i].base) / 4 * 32;
			return true;
		}
	}
	return false;
}

static uint32_t typer(void)
{
	uint32_t it_lines = VGIC_MAX_INTID / 32 - 1;

	return it_lines | (9U << GICD_TYPER_IDBITS_SHIFT) | GICD_TYPER_NO1N; /* 10 INTID bits */
}

bool vgicd_read(struct vm *vm, uint64_t off, unsigned int width, uint64_t *value)
{
	enum vgic_bitreg reg;
	uint32_t first;
	bool ok = true;

	if (off % width)
		return false;
	*value = 0;
	vgic_lock(vm);
	if (off >= GICD_IPRIORITYR && off < GICD_IPRIORITYR_END) {
		if (width != 1 && width != 4)
			ok = false;
		uint32_t intid = (uint32_t)(off - GICD_IPRIORITYR);
		for (unsigned int i = 0; ok && i < width; i++)
			if (intid + i >= VGIC_SPI_BASE)
				*value |= (uint64_t)vgic_prio_read(vm, NULL, intid + i) << (8 * i);
	} else if (off >= GICD_IROUTER && off < GICD_IROUTER_END) {
		uint32_t intid = (uint32_t)(off - GICD_IROUTER) / 8;
		struct virq *irq = vgic_lookup(vm, NULL, intid);
		if (width != 8 && width != 4)
			ok = false;
		else if (intid >= VGIC_SPI_BASE && irq && irq->exists)
			*value = (irq->route >> (off % 8 ? 32 : 0)) & (width == 8 ? ~0ULL : 0xffffffffULL);
	} else if (width != 4) {
		ok = false;
	} else if (bitreg_decode(off, &reg, &first)) {
		if (first >= VGIC_SPI_BASE)
			*value = vgic_bits_read(vm, NULL, first, reg);
	} else if (off >= GICD_ICFGR && off < GICD_ICFGR_END) {
		first = (uint32_t)(off - GICD_ICFGR) / 4 * 16;
		if (first >= VGIC_SPI_BASE)
			*value = vgic_cfg_read(vm, NULL, first);
	} else if (off == GICD_CTLR) {
		*value = GICD_CTLR_ARE | GICD_CTLR_DS | (vm->vgic.enable_grp0 ? GICD_CTLR_ENABLE_GRP0 : 0) |
			 (vm->vgic.enable_grp1 ? GICD_CTLR_ENABLE_GRP1 : 0);
	} else if (off == GICD_TYPER) {
		*value = typer();
	} else if (off == GICD_IIDR) {
		*value = FV_IIDR;
	} else if (off >= GICD_ID_START) {
		*value = vgic_id_reg(off);
	} /* else reserved or not implemented (TYPER2, STATUSR, SGIR, NSACR...): RAZ */
	vgic_unlock(vm);
	return ok;
}

bool vgicd_write(struct vm *vm, uint64_t off, unsigned int width, uint64_t value)
{
	enum vgic_bitreg reg;
	uint32_t first;
	bool ok = true;

	if (off % width)
		return false;
	vgic_lock(vm);
	if (off >= GICD_IPRIORITYR && off < GICD_IPRIORITYR_END) {
		if (width != 1 && width != 4)
			ok = false;
		uint32_t intid = (uint32_t)(off - GICD_IPRIORITYR);
		for (unsigned int i = 0; ok && i < width; i++)
			if (intid + i >= VGIC_SPI_BASE)
				vgic_prio_write(vm, NULL, intid + i, (uint8_t)(value >> (8 * i)));
	} else if (off >= GICD_IROUTER && off < GICD_IROUTER_END) {
		uint32_t intid = (uint32_t)(off - GICD_IROUTER) / 8;
		struct virq *irq = vgic_lookup(vm, NULL, intid);
		if (width != 8 && width != 4) {
			ok = false;
		} else if (intid >= VGIC_SPI_BASE && irq && irq->exists) {
			uint64_t route = irq->route;
			if (width == 8)
				route = value;
			else if (off % 8)
				route = (route & 0xffffffffULL) | (value << 32);
			else
				route = (route & ~0xffffffffULL) | (value & 0xffffffffULL);
			irq->route = route & IROUTER_MASK;
			irq->target = (uint8_t)vgic_route_target(vm, irq->route);
			if (irq->hw && irq->enabled && irq->target < vm->vcpu_count)
				arch_irq_enable(irq->pintid, vm->vcpu[irq->target].pcpu); /* re-route */
			vgic_kick_all(vm); /* the old target drops it, the new one takes it */
		}
	} else if (width != 4) {
		ok = false;
	} else if (bitreg_decode(off, &reg, &first)) {
		if (first >= VGIC_SPI_BASE)
			vgic_bits_write(vm, NULL, first, reg, (uint32_t)value);
	} else if (off >= GICD_ICFGR && off < GICD_ICFGR_END) {
		first = (uint32_t)(off - GICD_ICFGR) / 4 * 16;
		if (first >= VGIC_SPI_BASE)
			vgic_cfg_write(vm, NULL, first, (uint32_t)value);
	} else if (off == GICD_CTLR) {
		vm->vgic.enable_grp0 = value & GICD_CTLR_ENABLE_GRP0;
		vm->vgic.enable_grp1 = value & GICD_CTLR_ENABLE_GRP1;
		vgic_kick_all(vm);
	} /* else read-only, reserved or not implemented: WI */
	vgic_unlock(vm);
	return ok;
}

/* The distributor as a device of the VM's table: its state is the VM. */
static bool dist_read(void *vm, uint64_t off, unsigned int width, uint64_t *value)
{
	return vgicd_read(vm, off, width, value);
}

static bool dist_write(void *vm, uint64_t off, unsigned int width, uint64_t value)
{
	return vgicd_write(vm, off, width, value);
}

static const struct vdev_ops dist_ops = { dist_read, dist_write, "bad access size for the distributor", NULL };

const struct vdev_kind vgicd_kind = {
	.kind = DEVICE_GICD,
	.scan_first = 2, /* see docs/performance.md */
	.ops = &dist_ops,
	.create = vdev_state_is_vm, /* reset with the rest of the vGIC: vgic_init */
};
