/* SPDX-License-Identifier: MIT */
/*
 * The vGIC half shared by fuzz_vgicd and fuzz_vgicr: the operations other
 * than register accesses (inject an edge, drive a level, a hardware
 * interrupt arriving, an SGI write, the list register sync before entry,
 * the guest acknowledging and deactivating what its list registers hold,
 * the CPUs handling their requests), and the invariants checked after every
 * step, for every VM of the machine:
 *
 *  - an SPI a VM does not own does not exist for it and never becomes
 *    enabled, pending, active, listed, prioritised, grouped or routed;
 *    the private interrupts keep their fixed shape (SGIs edge, the virtual
 *    timer hardware-backed and level);
 *  - the fake physical GIC is only programmed for interrupts a VM owns: a
 *    board SPI no VM owns, and every PPI but the virtual timer, keep their
 *    state from boot; an owned hardware SPI is enabled exactly when the VM
 *    enabled it, with the VM's trigger, routed to one of the VM's CPUs;
 *  - list registers: at most arch_lr_count() used, the rest zero; each used
 *    one holds an INTID that exists in the VM, the model agrees it is there
 *    (in_lr, lr), at most once per VM, and the HW bit and physical INTID
 *    only for hardware-backed interrupts; after a sync nothing deliverable
 *    is left waiting while a list register is free, nor, when all are used,
 *    while one holds a less urgent interrupt not yet acknowledged;
 *  - a step aimed at one VM changes nothing of any other VM (distributor,
 *    redistributors, list registers or requests of its CPUs).
 */
#ifndef TESTS_FUZZ_VGIC_H
#define TESTS_FUZZ_VGIC_H

#include <fv/irq.h>
#include <fv/vgic_regs.h>

#include "fuzz_common.h"

struct vgic_snap {
	struct vgic_dist dist;
	struct vgic_cpu cpu[FV_MAX_VCPUS];
	uint64_t lr[FV_MAX_VCPUS][VGIC_MAX_LRS];
	uint32_t requests[FV_MAX_VCPUS];
	bool underflow[FV_MAX_VCPUS];
};

static struct vgic_snap vgic_before[FUZZ_MAX_VMS];
static struct fake_irq_state spi_at_boot[FAKE_MAX_INTID];
static struct fake_irq_state ppi_at_boot[FV_MAX_CPUS][32];

static inline void vgic_snap_take(struct vgic_snap *s, const struct vm *vm)
{
	memcpy(&s->dist, &vm->vgic, sizeof(s->dist));
	for (uint32_t i = 0; i < vm->vcpu_count; i++) {
		const struct vcpu *v = &vm->vcpu[i];
		memcpy(&s->cpu[i], &v->vgic, sizeof(s->cpu[i]));
		memcpy(s->lr[i], fake.lr[v->pcpu], sizeof(s->lr[i]));
		s->requests[i] = pcpus[v->pcpu].requests;
		s->underflow[i] = fake.underflow[v->pcpu];
	}
}

static inline bool vgic_snap_same(const struct vgic_snap *a, const struct vgic_snap *b, uint32_t vcpus)
{
	if (memcmp(&a->dist, &b->dist, sizeof(a->dist)) != 0)
		return false;
	for (uint32_t i = 0; i < vcpus; i++)
		if (memcmp(&a->cpu[i], &b->cpu[i], sizeof(a->cpu[i])) != 0 ||
		    memcmp(a->lr[i], b->lr[i], sizeof(a->lr[i])) != 0 || a->requests[i] != b->requests[i] ||
		    a->underflow[i] != b->underflow[i])
			return false;
	return true;
}

/* Boot the machine and remember the physical GIC as the VMs found it. */
static inline void fuzz_vgic_boot(struct fuzz_in *in)
{
	fuzz_machine_boot(&fuzz_machine, in);
	memcpy(spi_at_boot, fake.spi, sizeof(spi_at_boot));
	memcpy(ppi_at_boot, fake.irq, sizeof(ppi_at_boot));
}

/* Before a step aimed at VM `target`: remember every VM. */
static inline void fuzz_vgic_before(void)
{
	for (uint32_t i = 0; i < fuzz_machine.vm_count; i++)
		vgic_snap_take(&vgic_before[i], &vms[i]);
}

static inline bool vm_owns_spi(uint32_t vm, uint32_t intid)
{
	return intid == VBOARD_UART_INTID || fuzz_machine.spi_owner[intid] == (int)vm ||
	       (intid == TESTBED_WDT_INTID && vwdt_of(&vms[vm]) != NULL);
}

static inline struct vcpu *vcpu_on_pcpu(const struct vm *vm, uint32_t pcpu)
{
	for (uint32_t i = 0; i < vm->vcpu_count; i++)
		if (vm->vcpu[i].pcpu == pcpu)
			return (struct vcpu *)&vm->vcpu[i];
	return NULL;
}

static inline bool deliverable_for(const struct vm *vm, const struct vcpu *v, const struct virq *irq)
{
	bool group = irq->group1 ? vm->vgic.enable_grp1 : vm->vgic.enable_grp0;

	return irq->exists && irq->pending && irq->enabled && !irq->in_lr && irq->target == v->index && group;
}

static inline void check_spis(uint32_t vi)
{
	const struct vm *vm = &vms[vi];

	for (uint32_t intid = VGIC_SPI_BASE; intid < VGIC_MAX_INTID; intid++) {
		const struct virq *q = &vm->vgic.spi[intid - VGIC_SPI_BASE];
		bool owned = vm_owns_spi(vi, intid);
		bool hw = fuzz_machine.spi_owner[intid] == (int)vi;
		FUZZ_CHECK(q->exists == owned && q->hw == hw && q->pintid == intid,
			   "VM %u SPI %u: exists %d hw %d pintid %u, owned %d hw %d", vi, intid, q->exists, q->hw,
			   q->pintid, owned, hw);
		FUZZ_CHECK((q->priority & ~VGIC_PRIO_MASK) == 0, "VM %u SPI %u: priority 0x%x", vi, intid, q->priority);
		FUZZ_CHECK(q->target < vm->vcpu_count || q->target == 0xff, "VM %u SPI %u: target %u", vi, intid,
			   q->target);
		if (!owned)
			FUZZ_CHECK(
				!q->enabled && !q->pending && !q->active && !q->level && !q->edge && !q->group1 &&
					!q->in_lr && !q->priority && !q->route && !q->target,
				"VM %u: SPI %u it does not own changed (en %d pend %d act %d lr %d prio 0x%x route 0x%llx)",
				vi, intid, q->enabled, q->pending, q->active, q->in_lr, q->priority,
				(unsigned long long)q->route);
		if (hw)
			FUZZ_CHECK(!q->level, "VM %u SPI %u: a hardware interrupt with a software level", vi, intid);
	}
	for (uint32_t c = 0; c < vm->vcpu_count; c++) {
		const struct vcpu *v = &vm->vcpu[c];
		for (uint32_t i = 0; i < VGIC_PRIVATE_IRQS; i++) {
			const struct virq *q = &v->vgic.priv[i];
			FUZZ_CHECK(q->exists && q->pintid == i && q->target == c,
				   "VM %u vCPU %u INTID %u lost its identity", vi, c, i);
			FUZZ_CHECK(q->hw == (i == PLAT_TIMER_VIRT_INTID), "VM %u vCPU %u INTID %u: hw %d", vi, c, i,
				   q->hw);
			FUZZ_CHECK(i >= 16 || q->edge, "VM %u vCPU %u: SGI %u became level", vi, c, i);
			FUZZ_CHECK(i != PLAT_TIMER_VIRT_INTID || !q->edge,
				   "VM %u vCPU %u: the virtual timer became edge", vi, c);
			FUZZ_CHECK((q->priority & ~VGIC_PRIO_MASK) == 0, "VM %u vCPU %u INTID %u: priority 0x%x", vi, c,
				   i, q->priority);
		}
	}
}

/* The physical GIC: touched only for what the VMs own. */
static inline void check_physical(void)
{
	for (uint32_t intid = VGIC_SPI_BASE; intid < FAKE_MAX_INTID; intid++) {
		const struct fake_irq_state *s = &fake.spi[intid];
		int owner = intid < VGIC_MAX_INTID ? fuzz_machine.spi_owner[intid] : -1;
		if (owner < 0) {
			FUZZ_CHECK(memcmp(s, &spi_at_boot[intid], sizeof(*s)) == 0,
				   "board SPI %u, owned by no VM, was programmed (enabled %d pending %d active %d)",
				   intid, s->enabled, s->pending, s->active);
			continue;
		}
		const struct vm *vm = &vms[owner];
		const struct virq *q = &vm->vgic.spi[intid - VGIC_SPI_BASE];
		FUZZ_CHECK(s->enabled == q->enabled, "SPI %u: physical enable %d, the VM's %d", intid, s->enabled,
			   q->enabled);
		FUZZ_CHECK(s->edge == q->edge, "SPI %u: physical trigger %s, the VM's %s", intid,
			   s->edge ? "edge" : "level", q->edge ? "edge" : "level");
		if (s->enabled)
			FUZZ_CHECK(vcpu_on_pcpu(vm, s->route) != NULL,
				   "SPI %u of VM %d routed to CPU %u, not one of its own", intid, owner, s->route);
	}
	for (uint32_t c = 0; c < FV_MAX_CPUS; c++) {
		struct vcpu *v = pcpus[c].vcpu;
		for (uint32_t i = 0; i < 32; i++) {
			if (v && i == PLAT_TIMER_VIRT_INTID) {
				FUZZ_CHECK(fake.irq[c][i].enabled == v->vgic.priv[i].enabled,
					   "CPU %u: physical virtual-timer enable %d, the vCPU's %d", c,
					   fake.irq[c][i].enabled, v->vgic.priv[i].enabled);
				continue;
			}
			FUZZ_CHECK(memcmp(&fake.irq[c][i], &ppi_at_boot[c][i], sizeof(fake.irq[c][i])) == 0,
				   "CPU %u private interrupt %u, owned by no VM, was programmed", c, i);
		}
	}
}

static inline void check_lrs(uint32_t vi)
{
	struct vm *vm = &vms[vi];
	uint32_t lr_count = arch_lr_count();

	for (uint32_t c = 0; c < vm->vcpu_count; c++) {
		struct vcpu *v = &vm->vcpu[c];
		const uint64_t *lr = fake.lr[v->pcpu];
		FUZZ_CHECK((v->vgic.lr_used >> lr_count) == 0, "VM %u vCPU %u uses list registers 0x%x of %u", vi, c,
			   v->vgic.lr_used, lr_count);
		for (uint32_t n = 0; n < VGIC_MAX_LRS; n++) {
			if (!(v->vgic.lr_used & (1U << n))) {
				FUZZ_CHECK(lr[n] == 0, "VM %u vCPU %u: unused LR%u holds 0x%llx", vi, c, n,
					   (unsigned long long)lr[n]);
				continue;
			}
			uint32_t intid = v->vgic.lr_intid[n];
			struct virq *q = vgic_lookup(vm, v, intid);
			FUZZ_CHECK(q && q->exists, "VM %u vCPU %u: LR%u holds INTID %u, which the VM does not have", vi,
				   c, n, intid);
			FUZZ_CHECK(q->in_lr && q->lr == n,
				   "VM %u vCPU %u: LR%u holds INTID %u, the model says in_lr %d lr %u", vi, c, n, intid,
				   q->in_lr, q->lr);
			FUZZ_CHECK((lr[n] & LR_VINTID_MASK) == intid,
				   "VM %u vCPU %u: LR%u says INTID %llu, expected %u", vi, c, n,
				   (unsigned long long)(lr[n] & LR_VINTID_MASK), intid);
			if (lr[n] & LR_HW)
				FUZZ_CHECK(q->hw && ((lr[n] & LR_PINTID_MASK) >> LR_PINTID_SHIFT) == q->pintid,
					   "VM %u vCPU %u: LR%u forwards physical INTID %llu for INTID %u", vi, c, n,
					   (unsigned long long)((lr[n] & LR_PINTID_MASK) >> LR_PINTID_SHIFT), intid);
			else
				FUZZ_CHECK(!q->hw && (lr[n] & LR_PINTID_MASK & ~LR_EOI) == 0,
					   "VM %u vCPU %u: LR%u 0x%llx for INTID %u", vi, c, n,
					   (unsigned long long)lr[n], intid);
			for (uint32_t k = 0; k < n; k++)
				FUZZ_CHECK(!(v->vgic.lr_used & (1U << k)) || v->vgic.lr_intid[k] != intid,
					   "VM %u vCPU %u: INTID %u in LR%u and LR%u", vi, c, intid, k, n);
		}
	}
	/* An SPI is listed by at most one vCPU, and exactly when the model says so. */
	for (uint32_t intid = VGIC_SPI_BASE; intid < VGIC_MAX_INTID; intid++) {
		const struct virq *q = &vm->vgic.spi[intid - VGIC_SPI_BASE];
		uint32_t holders = 0;
		for (uint32_t c = 0; c < vm->vcpu_count; c++)
			for (uint32_t n = 0; n < VGIC_MAX_LRS; n++)
				holders += (vm->vcpu[c].vgic.lr_used & (1U << n)) &&
					   vm->vcpu[c].vgic.lr_intid[n] == intid;
		FUZZ_CHECK(holders == (q->in_lr ? 1U : 0U), "VM %u SPI %u: in_lr %d but %u list registers hold it", vi,
			   intid, q->in_lr, holders);
	}
	for (uint32_t c = 0; c < vm->vcpu_count; c++)
		for (uint32_t i = 0; i < VGIC_PRIVATE_IRQS; i++) {
			const struct vcpu *v = &vm->vcpu[c];
			bool held = false;
			for (uint32_t n = 0; n < VGIC_MAX_LRS; n++)
				held |= (v->vgic.lr_used & (1U << n)) && v->vgic.lr_intid[n] == i;
			FUZZ_CHECK(held == v->vgic.priv[i].in_lr, "VM %u vCPU %u INTID %u: in_lr %d, held %d", vi, c, i,
				   v->vgic.priv[i].in_lr, held);
		}
}

/* Every list register used: none holds a not yet acknowledged interrupt less urgent than one left waiting. */
static inline void check_full_lrs_most_urgent(struct vm *vm, struct vcpu *v, uint32_t lr_count)
{
	for (uint32_t n = 0; n < lr_count; n++) {
		uint64_t lr = fake.lr[v->pcpu][n];
		uint32_t listed = (uint32_t)(lr >> LR_PRIORITY_SHIFT) & 0xff;
		if ((lr & LR_STATE_MASK) != LR_STATE_PENDING)
			continue;
		for (uint32_t id = 0; id < VGIC_MAX_INTID; id++) {
			const struct virq *q = vgic_lookup(vm, v, id);
			FUZZ_CHECK(!deliverable_for(vm, v, q) || q->priority >= listed,
				   "vCPU %u: INTID %u (priority 0x%x) waits while LR%u holds priority 0x%x", v->index,
				   id, q->priority, n, listed);
		}
	}
}

/*
 * Right after vgic_sync_flush(v) (`before` is v's vGIC state just before it):
 * live list registers only, what was newly listed is the vCPU's own, and
 * nothing deliverable is left behind a free list register.
 */
static inline void check_after_flush(struct vm *vm, struct vcpu *v, const struct vgic_cpu *before)
{
	uint32_t lr_count = arch_lr_count();
	uint32_t used = (uint32_t)__builtin_popcount(v->vgic.lr_used);

	for (uint32_t n = 0; n < lr_count; n++) {
		if (!(v->vgic.lr_used & (1U << n)))
			continue;
		FUZZ_CHECK(fake.lr[v->pcpu][n] & LR_STATE_MASK, "vCPU %u: LR%u kept with no state", v->index, n);
		if ((before->lr_used & (1U << n)) && before->lr_intid[n] == v->vgic.lr_intid[n])
			continue;
		const struct virq *q = vgic_lookup(vm, v, v->vgic.lr_intid[n]);
		FUZZ_CHECK(q->target == v->index, "vCPU %u listed INTID %u, which targets vCPU %u", v->index,
			   v->vgic.lr_intid[n], q->target);
	}
	FUZZ_CHECK(!fake.underflow[v->pcpu] || used == lr_count, "underflow requested with %u of %u LRs used", used,
		   lr_count);
	if (used == lr_count) {
		check_full_lrs_most_urgent(vm, v, lr_count);
		return;
	}
	for (uint32_t id = 0; id < VGIC_MAX_INTID; id++) {
		const struct virq *q = vgic_lookup(vm, v, id);
		FUZZ_CHECK(!deliverable_for(vm, v, q),
			   "vCPU %u: INTID %u deliverable but left out with %u of %u LRs used", v->index, id, used,
			   lr_count);
	}
}

/* After a step aimed at VM `target` (or at none, if target >= vm_count). */
static inline void fuzz_vgic_check(uint32_t target)
{
	for (uint32_t i = 0; i < fuzz_machine.vm_count; i++) {
		check_spis(i);
		check_lrs(i);
		if (i == target)
			continue;
		struct vgic_snap now;
		vgic_snap_take(&now, &vms[i]);
		FUZZ_CHECK(vgic_snap_same(&now, &vgic_before[i], vms[i].vcpu_count),
			   "a step aimed at VM %u changed the vGIC of VM %u", target, i);
	}
	check_physical();
}

/* ---- the steps other than register accesses ---- */

/* An INTID worth trying: mostly ones that exist somewhere, sometimes any. */
static inline uint32_t fuzz_intid(struct fuzz_in *in)
{
	uint8_t b = fuzz_u8(in);

	if (b & 0x80)
		return b & 0x7f; /* 0..127: every INTID a VM may have */
	if (b & 0x40)
		return fuzz_u16(in); /* anything, including the special INTIDs */
	return VGIC_MAX_INTID + b;   /* just past the end */
}

/* The guest acknowledges or deactivates what list register n holds (as the GIC CPU interface does). */
static inline void guest_lr(struct vcpu *v, uint32_t n, bool deactivate)
{
	uint64_t *lr = &fake.lr[v->pcpu][n];
	uint64_t state = *lr & LR_STATE_MASK;

	if (!deactivate) {
		if (state == LR_STATE_PENDING)
			*lr = (*lr & ~LR_STATE_MASK) | LR_STATE_ACTIVE;
		return;
	}
	if (!(state & LR_STATE_ACTIVE))
		return;
	*lr &= ~LR_STATE_ACTIVE;
	if (*lr & LR_HW) {
		/* the HW bit makes the guest's deactivation deactivate the physical interrupt */
		uint32_t pintid = (uint32_t)((*lr & LR_PINTID_MASK) >> LR_PINTID_SHIFT);
		if (pintid < 32)
			fake.irq[v->pcpu][pintid].active = false;
		else
			fake.spi[pintid].active = false;
	}
}

/*
 * Would the GIC raise the maintenance interrupt on v's CPU now (GICv3
 * §12.5.7 ICH_MISR_EL2)? EOI: a finished interrupt with the EOI bit and no
 * HW bit; U: underflow enabled and at most one list register valid. The
 * hypervisor then takes it before entering the guest.
 */
static inline bool maintenance_pending(const struct vcpu *v)
{
	uint32_t valid = 0;

	for (uint32_t n = 0; n < VGIC_MAX_LRS; n++) {
		uint64_t lr = fake.lr[v->pcpu][n];
		if (lr & LR_STATE_MASK)
			valid++;
		else if ((lr & LR_EOI) && !(lr & LR_HW))
			return true;
	}
	return fake.underflow[v->pcpu] && valid <= 1;
}

/*
 * A hardware interrupt the VM owns fires, if the physical GIC would signal it
 * (enabled, not active): it becomes active and the hypervisor forwards it.
 */
static inline void hw_fires(struct vm *vm, struct vcpu *v, struct fuzz_in *in)
{
	uint32_t owned[FUZZ_MAX_DEVICES + 1], count = 0;

	owned[count++] = PLAT_TIMER_VIRT_INTID;
	for (uint32_t i = 0; i < vm->cfg->device_count; i++)
		if (vm->cfg->device[i].kind == DEVICE_VIRTIO_MMIO)
			owned[count++] = vm->cfg->device[i].intid;
	uint32_t intid = owned[fuzz_below(in, count)];
	struct fake_irq_state *s = intid < 32 ? &fake.irq[v->pcpu][intid] : &fake.spi[intid];
	if (!s->enabled || s->active)
		return;
	s->active = true;
	s->pending = false;
	fake.cpu = intid < 32 ? v->pcpu : s->route;
	/* the hypervisor hands board SPIs to the VM's first vCPU (hv.c, irq_handle) */
	vgic_inject_hw(intid < 32 ? v : &vm->vcpu[0], intid);
}

/*
 * The guest writes ICC_SGI1R_EL1 (Arm ARM D19, and GICv3 §12.2.x): TargetList
 * [15:0], Aff1 [23:16], INTID [27:24], Aff2 [39:32], IRM [40], RS [47:44],
 * Aff3 [55:48]. The VM's vCPUs have Aff0 = index and the other levels 0, so
 * the SGI pends on exactly the listed vCPUs (all but the sender with IRM)
 * and nowhere else.
 */
static inline void sgi_write(struct vm *vm, struct vcpu *v, uint64_t value)
{
	uint32_t intid = (uint32_t)(value >> 24) & 0xf;
	bool all = value & BIT(40);
	bool aff_zero = (value & 0x00ff00ff00ff0000ULL) == 0 && ((value >> 44) & 0xf) == 0;
	bool was[FV_MAX_VCPUS];

	for (uint32_t i = 0; i < vm->vcpu_count; i++)
		was[i] = vm->vcpu[i].vgic.priv[intid].pending;
	fake.cpu = v->pcpu;
	vgic_sgi1r(v, value);
	for (uint32_t i = 0; i < vm->vcpu_count; i++) {
		bool hit = all ? i != v->index : aff_zero && i < 16 && (value & (1ULL << i));
		bool now = vm->vcpu[i].vgic.priv[intid].pending;
		FUZZ_CHECK(now == (was[i] || hit), "SGI write 0x%llx from vCPU %u: SGI %u pending on vCPU %u is %d",
			   (unsigned long long)value, v->index, intid, i, now);
	}
}

/*
 * One step other than a register access, aimed at VM `vi`. Returns false if
 * the op byte is not one of these (the harness does a register access).
 */
static inline bool fuzz_vgic_step(struct fuzz_in *in, uint32_t vi, uint32_t op)
{
	struct vm *vm = &vms[vi];

	if (op > 8)
		return false;
	struct vcpu *v = &vm->vcpu[fuzz_below(in, vm->vcpu_count)];
	switch (op) {
	case 0: vgic_inject(vm, v, fuzz_intid(in)); return true;
	case 1: vgic_set_level(vm, fuzz_intid(in), fuzz_bool(in)); return true;
	case 2: hw_fires(vm, v, in); return true;
	case 3:
	case 4: {
		struct vgic_cpu before = v->vgic;
		fake.cpu = v->pcpu;
		if (maintenance_pending(v))
			vgic_maintenance(v); /* the maintenance interrupt comes first */
		else
			vgic_sync_flush(v);
		check_after_flush(vm, v, &before);
		return true;
	}
	case 5:
	case 6: guest_lr(v, fuzz_below(in, arch_lr_count()), op == 6); return true;
	case 7: sgi_write(vm, v, fuzz_u64(in)); return true;
	case 8:
		/* every CPU with requests syncs its vCPU: all VMs may change */
		FUZZ_CHECK(fuzz_settle() == FAKE_EXIT_NONE, "a vGIC step stopped the board");
		fuzz_vgic_before();
		return true;
	default: return false;
	}
}

/* A register offset as the selector byte `sel` wants it: mostly aligned to `width`, sometimes not. */
static inline uint64_t fuzz_vgic_align(struct fuzz_in *in, uint8_t sel, uint64_t off, unsigned int width)
{
	if (sel & 0x40)
		return off + fuzz_u8(in) % 8;
	return off & ~(uint64_t)(width - 1);
}

/*
 * One fuzz input: a board of VMs, then steps, each aimed at one VM: a
 * fuzz_vgic_step or else the harness's register `access`; the invariants
 * are checked after every step.
 */
static inline int fuzz_vgic_run(const uint8_t *data, size_t size, void (*access)(struct fuzz_in *, uint32_t))
{
	struct fuzz_in in = { data, size };

	fuzz_vgic_boot(&in);
	while (fuzz_more(&in)) {
		uint32_t vi = fuzz_below(&in, fuzz_machine.vm_count);
		uint32_t op = fuzz_below(&in, 16);
		fuzz_vgic_before();
		if (!fuzz_vgic_step(&in, vi, op))
			access(&in, vi);
		fuzz_vgic_check(vi);
	}
	return 0;
}

#endif
