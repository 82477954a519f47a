// SPDX-License-Identifier: MIT
/*
 * Virtual interrupt delivery through the GICv3 list registers (GICv3
 * architecture specification, chapter 6 "Virtual interrupt handling", and
 * §12.5 ICH_* registers).
 *
 * The model (struct virq) is the truth; list registers hold the interrupts
 * the guest currently sees. Before every guest entry the vCPU's CPU reads
 * back its list registers (sync) and refills them with the most urgent
 * pending interrupts (flush). Level-sensitive software interrupts carry the
 * LR EOI bit, so their deactivation traps back (maintenance interrupt) and
 * the line is sampled again; hardware-backed ones carry the HW bit, so the
 * guest's deactivation deactivates the physical interrupt directly.
 */
#include <fv/arch/cpu.h>
#include <fv/arch/irq.h>
#include <fv/arch/vcpuif.h>
#include <fv/log.h>
#include <fv/vgic.h>
#include <fv/vm.h>

#define NO_TARGET 0xffU

struct virq *vgic_lookup(struct vm *vm, struct vcpu *v, uint32_t intid)
{
	if (intid < VGIC_PRIVATE_IRQS)
		return v ? &v->vgic.priv[intid] : NULL;
	if (intid < VGIC_MAX_INTID)
		return &vm->vgic.spi[intid - VGIC_SPI_BASE];
	return NULL;
}

uint32_t vgic_route_target(struct vm *vm, uint64_t route)
{
	/* IROUTER: Aff0 [7:0], Aff1 [15:8], Aff2 [23:16], IRM [31], Aff3 [39:32]. */
	if (route & BIT(31))
		return 0; /* 1-of-N: any vCPU will do; GICD_TYPER.No1N says we prefer not */
	uint64_t aff = (route & 0xffffffULL) | ((route >> 32 & 0xff) << 24);
	for (uint32_t i = 0; i < vm->vcpu_count; i++) {
		uint64_t m = vm->vcpu[i].mpidr;
		if (((m & 0xffffffULL) | ((m >> 32 & 0xff) << 24)) == aff)
			return i;
	}
	return NO_TARGET;
}

/* A vCPU's private interrupts and list-register bookkeeping at reset. */
static void vcpu_reset(struct vcpu *v)
{
	struct vgic_cpu *c = &v->vgic;

	for (uint32_t i = 0; i < VGIC_PRIVATE_IRQS; i++) {
		c->priv[i] = (struct virq){ .exists = true,
					    .edge = i < 16,
					    .reset_edge = i < 16,
					    .target = (uint8_t)v->index,
					    .pintid = (uint16_t)i };
	}
	/* The virtual timer is the guest's own: its physical PPI is forwarded. */
	c->priv[PLAT_TIMER_VIRT_INTID].hw = true;
	c->lr_used = 0;
	c->sleep = true;
	c->dirty = true;
}

/*
 * Under the lock: on a restart other CPUs may still reach this VM's vGIC (a
 * byte typed for its UART, a hypervisor timer polling its watchdog, a late
 * device interrupt), and the lock itself must never be reinitialised while
 * one of them holds it (vm_create initialises it, once). The board SPIs it
 * owns may be left enabled, pending or active by the previous run; a rare
 * path, so the GIC writes happen with the lock held.
 */
void vgic_init(struct vm *vm)
{
	struct vgic_dist *d = &vm->vgic;

	vgic_lock(vm);
	d->enable_grp0 = false;
	d->enable_grp1 = false;
	for (uint32_t i = 0; i < VBOARD_SPI_COUNT; i++) {
		struct virq *irq = &d->spi[i];
		bool exists = irq->exists, hw = irq->hw, edge = irq->reset_edge;
		if (exists && hw) {
			arch_irq_disable(irq->pintid, 0);
			arch_irq_set_pending(irq->pintid, 0, false);
			arch_irq_clear_active(irq->pintid, 0);
			arch_irq_set_edge(irq->pintid, edge); /* the previous run may have rewritten ICFGR */
		}
		*irq = (struct virq){ .exists = exists,
				      .hw = hw,
				      .edge = edge,
				      .reset_edge = edge,
				      .pintid = (uint16_t)(i + VGIC_SPI_BASE),
				      .target = 0 };
	}
	for (uint32_t i = 0; i < vm->vcpu_count; i++)
		vcpu_reset(&vm->vcpu[i]);
	vgic_unlock(vm);
}

/* Board SPIs passed through, and the VM each is delivered to (set once, at creation). */
static struct vm *board_spi_owner[VGIC_MAX_INTID];

void vgic_spi_declare(struct vm *vm, uint32_t intid, bool hw, bool edge)
{
	struct virq *irq = vgic_lookup(vm, NULL, intid);

	ASSERT(irq && intid >= VGIC_SPI_BASE);
	irq->exists = true;
	irq->hw = hw;
	irq->edge = edge;
	irq->reset_edge = edge;
	irq->pintid = (uint16_t)intid;
	if (hw) {
		arch_irq_set_edge(intid, edge);
		board_spi_owner[intid] = vm;
	}
}

static void inject_hw(struct vm *vm, struct vcpu *v, uint32_t intid);

bool vgic_board_irq(uint32_t intid)
{
	struct vm *owner = intid < VGIC_MAX_INTID ? board_spi_owner[intid] : NULL;

	if (!owner)
		return false;
	inject_hw(owner, &owner->vcpu[0], intid); /* the guest deactivates it */
	return true;
}

/*
 * Tell the CPU of the vCPU that will take `irq` to refresh its list
 * registers. The dirty mark lets every other guest entry skip the scan of
 * all interrupts (called with the vgic lock held).
 */
static uint32_t deferred_kicks[FV_MAX_CPUS]; /* per CPU: whom to kick after unlocking */

static void kick_later(uint32_t pcpu)
{
	pcpu_post(pcpu, PCPU_REQ_FLUSH);
	deferred_kicks[arch_cpu_index()] |= 1U << pcpu;
}

void vgic_kick_target(struct vm *vm, struct virq *irq)
{
	if (irq->target >= vm->vcpu_count)
		return;
	__atomic_store_n(&vm->vcpu[irq->target].vgic.dirty, true, __ATOMIC_RELEASE);
	kick_later(vm->vcpu[irq->target].pcpu);
}

void vgic_kick_all(struct vm *vm)
{
	for (uint32_t i = 0; i < vm->vcpu_count; i++) {
		__atomic_store_n(&vm->vcpu[i].vgic.dirty, true, __ATOMIC_RELEASE);
		kick_later(vm->vcpu[i].pcpu);
	}
}

void vgic_lock(struct vm *vm)
{
	spin_lock(&vm->vgic.lock);
}

/* Drop the vGIC lock, then send the kicks decided under it. */
void vgic_unlock(struct vm *vm)
{
	uint32_t cpu = arch_cpu_index();

	spin_unlock(&vm->vgic.lock);
	uint32_t mask = deferred_kicks[cpu];
	deferred_kicks[cpu] = 0;
	if (mask)
		pcpu_kick_mask(mask);
}

void vgic_inject(struct vm *vm, struct vcpu *v, uint32_t intid)
{
	vgic_lock(vm);
	struct virq *irq = vgic_lookup(vm, v, intid);
	if (irq && irq->exists) {
		irq->pending = true;
		vgic_kick_target(vm, irq);
	}
	vgic_unlock(vm);
}

void virq_line_init(struct virq_line *l, struct vm *vm, uint32_t intid, bool edge)
{
	l->vm = vm;
	l->intid = intid;
	vgic_spi_declare(vm, intid, false, edge);
}

void virq_passthrough(struct vm *vm, uint32_t intid, bool edge)
{
	vgic_spi_declare(vm, intid, true, edge);
}

void vgic_set_level(struct vm *vm, uint32_t intid, bool level)
{
	struct virq *irq = vgic_lookup(vm, NULL, intid);

	/* The line did not move: nothing to do, and no lock to take. A line's
	 * level only ever changes here, under its device model's own lock. */
	if (!irq || __atomic_load_n(&irq->level, __ATOMIC_RELAXED) == level)
		return;
	vgic_lock(vm);
	if (irq && irq->exists && !irq->hw && irq->level != level) {
		irq->level = level;
		if (!irq->edge) {
			/* level-sensitive: pending follows the line until acknowledged */
			irq->pending = level;
			vgic_kick_target(vm, irq);
		} else if (level) {
			irq->pending = true;
			vgic_kick_target(vm, irq);
		}
	}
	vgic_unlock(vm);
}

static void inject_hw(struct vm *vm, struct vcpu *v, uint32_t intid)
{
	struct virq *irq = vgic_lookup(vm, v, intid); /* where it would live: no state read */
	bool ours = false;

	if (irq) {
		vgic_lock(vm);
		ours = irq->exists && irq->hw;
		if (ours) {
			irq->pending = true;
			vgic_kick_target(vm, irq);
		}
		vgic_unlock(vm);
	}
	if (!ours) /* not ours to deliver: finish it so it cannot block the board */
		arch_irq_clear_active(intid, v->pcpu);
}

void vgic_inject_hw(struct vcpu *v, uint32_t intid)
{
	inject_hw(v->vm, v, intid);
}

void vgic_sgi1r(struct vcpu *v, uint64_t value)
{
	/* ICC_SGI1R_EL1: TargetList [15:0], Aff1 [23:16], INTID [27:24], Aff2 [39:32],
	 * IRM [40], RS [47:44], Aff3 [55:48]. Our vCPUs have Aff0 = index, the rest 0. */
	struct vm *vm = v->vm;
	uint32_t intid = (uint32_t)(value >> 24) & 0xf;
	bool all = value & BIT(40);
	uint32_t list = (uint32_t)value & 0xffff;
	bool aff_zero = ((value >> 16) & 0xff) == 0 && ((value >> 32) & 0xff) == 0 && ((value >> 48) & 0xff) == 0 &&
			((value >> 44) & 0xf) == 0;

	for (uint32_t i = 0; i < vm->vcpu_count; i++) {
		bool hit = all ? i != v->index : (aff_zero && (list & (1U << i)));
		if (hit)
			vgic_inject(vm, &vm->vcpu[i], intid);
	}
}

static bool group_enabled(const struct vm *vm, const struct virq *irq)
{
	return irq->group1 ? vm->vgic.enable_grp1 : vm->vgic.enable_grp0;
}

static bool deliverable(const struct vm *vm, const struct vcpu *v, const struct virq *irq)
{
	return irq->exists && irq->pending && irq->enabled && !irq->in_lr && irq->target == v->index &&
	       group_enabled(vm, irq);
}

static uint64_t lr_encode(const struct virq *irq, uint32_t intid)
{
	uint64_t lr = intid | ((uint64_t)irq->priority << LR_PRIORITY_SHIFT) | LR_STATE_PENDING;

	if (irq->group1)
		lr |= LR_GROUP1;
	if (irq->hw)
		lr |= LR_HW | ((uint64_t)irq->pintid << LR_PINTID_SHIFT);
	else if (!irq->edge)
		lr |= LR_EOI; /* sample the line again when the guest is done */
	return lr;
}

/*
 * The list registers as this CPU will leave them: read before the vGIC lock
 * is taken, decided under it, written after it is dropped. Only this CPU
 * ever touches its list registers, and the GIC's system registers can be
 * slow (an emulator serialises them), so the lock is never held across them.
 */
struct lr_plan {
	uint64_t lr[VGIC_MAX_LRS];
	uint32_t write; /* bitmap of LRs to write back */
	bool underflow;
};

static void plan_write(struct lr_plan *p, uint32_t n, uint64_t value)
{
	p->lr[n] = value;
	p->write |= 1U << n;
}

static void lr_free(struct vcpu *v, struct lr_plan *p, uint32_t n, struct virq *irq)
{
	plan_write(p, n, 0);
	v->vgic.lr_used &= ~(1U << n);
	irq->in_lr = false;
}

/*
 * ICPENDR/ICACTIVER writes (from any vCPU) for an interrupt this list
 * register holds: take the state out of the register. A hardware interrupt
 * that leaves it so will never be deactivated by its guest: end it on the
 * board. Returns the register's state from now on.
 */
static uint64_t apply_clears(struct vcpu *v, struct lr_plan *p, uint32_t n, struct virq *irq, uint64_t state)
{
	uint64_t want = state;

	if (irq->unpend)
		want &= ~LR_STATE_PENDING;
	if (irq->deactivate)
		want &= ~LR_STATE_ACTIVE;
	irq->unpend = false;
	irq->deactivate = false;
	if (want == state)
		return state;
	if (irq->hw && !want)
		arch_irq_clear_active(irq->pintid, v->pcpu);
	plan_write(p, n, (p->lr[n] & ~LR_STATE_MASK) | want);
	return want;
}

static void sync_lrs(struct vcpu *v, struct lr_plan *p)
{
	struct vm *vm = v->vm;

	for (uint32_t n = 0; n < VGIC_MAX_LRS; n++) {
		if (!(v->vgic.lr_used & (1U << n)))
			continue;
		uint64_t lr = p->lr[n];
		struct virq *irq = vgic_lookup(vm, v, v->vgic.lr_intid[n]);
		uint64_t state = apply_clears(v, p, n, irq, lr & LR_STATE_MASK);
		irq->active = state & LR_STATE_ACTIVE;
		if (state == 0) {
			lr_free(v, p, n, irq);
			if (!irq->edge && !irq->hw && irq->level)
				irq->pending = true;
			v->vgic.dirty = true; /* a free LR, maybe a re-pended line */
		} else if (state == LR_STATE_PENDING && !irq->hw &&
			   ((!irq->edge && !irq->level) || !irq->enabled || irq->target != v->index)) {
			/* not yet acknowledged but withdrawn, disabled or moved: take it back */
			lr_free(v, p, n, irq);
			irq->pending = irq->edge || irq->level;
			if (irq->pending)
				vgic_kick_target(vm, irq);
			v->vgic.dirty = true;
		}
	}
}

/*
 * Every list register is taken and `best` is waiting: the register holding
 * the least urgent interrupt that is only pending (not yet acknowledged),
 * if that one is less urgent than `best` (GICv3 §6.2: the hypervisor keeps
 * the highest-priority interrupts listed); lr_count if none.
 */
static uint32_t displaceable_lr(const struct vcpu *v, const struct lr_plan *p, uint32_t lr_count, uint8_t priority)
{
	uint32_t victim = lr_count;
	uint32_t worst = priority;

	for (uint32_t n = 0; n < lr_count; n++) {
		uint64_t lr = p->lr[n];
		uint32_t prio = (uint32_t)(lr >> LR_PRIORITY_SHIFT) & 0xff;
		if ((v->vgic.lr_used & (1U << n)) && (lr & LR_STATE_MASK) == LR_STATE_PENDING && prio > worst) {
			victim = n;
			worst = prio;
		}
	}
	return victim;
}

static void flush_lrs(struct vcpu *v, struct lr_plan *p)
{
	struct vm *vm = v->vm;
	uint32_t lr_count = arch_lr_count();
	bool more = false;

	p->underflow = false;
	if (!v->vgic.dirty)
		return; /* nothing changed that could need delivering */
	/* A new edge for an interrupt the guest is still handling: active and pending. */
	for (uint32_t n = 0; n < lr_count; n++) {
		if (!(v->vgic.lr_used & (1U << n)))
			continue;
		struct virq *irq = vgic_lookup(vm, v, v->vgic.lr_intid[n]);
		if (irq->pending && irq->edge && !irq->hw) { /* HW ones cannot be active and pending in an LR */
			plan_write(p, n, p->lr[n] | LR_STATE_PENDING);
			irq->pending = false;
		}
	}
	for (;;) {
		uint32_t free_lr = lr_count;
		for (uint32_t n = 0; n < lr_count; n++)
			if (!(v->vgic.lr_used & (1U << n))) {
				free_lr = n;
				break;
			}
		struct virq *best = NULL;
		uint32_t best_id = 0;
		for (uint32_t id = 0; id < VGIC_MAX_INTID; id++) {
			struct virq *irq = vgic_lookup(vm, v, id);
			if (deliverable(vm, v, irq) && (!best || irq->priority < best->priority)) {
				best = irq;
				best_id = id;
			}
		}
		if (!best)
			break;
		if (free_lr == lr_count) {
			more = true; /* something waits: hear when registers drain */
			free_lr = displaceable_lr(v, p, lr_count, best->priority);
			if (free_lr == lr_count)
				break;
			struct virq *out = vgic_lookup(vm, v, v->vgic.lr_intid[free_lr]);
			lr_free(v, p, free_lr, out);
			out->pending = out->hw || out->edge ||
				       out->level; /* back to waiting, as before it was listed */
		}
		plan_write(p, free_lr, lr_encode(best, best_id));
		v->vgic.lr_used |= 1U << free_lr;
		v->vgic.lr_intid[free_lr] = (uint16_t)best_id;
		best->in_lr = true;
		best->lr = (uint8_t)free_lr;
		best->pending = false;
	}
	v->vgic.dirty = more;
	p->underflow = more;
}

/*
 * Nothing to do: no interrupt this vCPU holds has left its list register
 * (the guest finished nothing) and no other CPU marked the vCPU dirty. This
 * is most guest entries: one read of ICH_ELRSR_EL2 and no lock (a CPU that
 * marks us dirty kicks us afterwards, so we look again). An interrupt the
 * guest acknowledged but has not finished needs nothing from us yet.
 * ELRSR does not count a finished interrupt with the EOI bit as empty (GICv3
 * §12.5.9): those raise the maintenance interrupt instead, which calls
 * vgic_maintenance.
 */
static bool unchanged(const struct vcpu *v)
{
	if (__atomic_load_n(&v->vgic.dirty, __ATOMIC_ACQUIRE))
		return false;
	return !v->vgic.lr_used || !(arch_lr_empty() & v->vgic.lr_used);
}

void vgic_sync_flush(struct vcpu *v)
{
	struct lr_plan p = { .write = 0 };

	if (unchanged(v))
		return;
	for (uint32_t n = 0; n < VGIC_MAX_LRS; n++)
		if (v->vgic.lr_used & (1U << n))
			p.lr[n] = arch_lr_read(n);
	vgic_lock(v->vm);
	sync_lrs(v, &p);
	flush_lrs(v, &p);
	vgic_unlock(v->vm);
	for (uint32_t n = 0; n < VGIC_MAX_LRS; n++)
		if (p.write & (1U << n))
			arch_lr_write(n, p.lr[n]);
	arch_vgic_underflow_irq(p.underflow);
}

void vgic_maintenance(struct vcpu *v)
{
	__atomic_store_n(&v->vgic.dirty, true, __ATOMIC_RELEASE); /* a full look, not the fast path */
	vgic_sync_flush(v);
}

void vgic_vcpu_release(struct vcpu *v)
{
	struct vm *vm = v->vm;

	vgic_lock(vm);
	for (uint32_t n = 0; n < VGIC_MAX_LRS; n++) {
		if (!(v->vgic.lr_used & (1U << n)))
			continue;
		struct virq *irq = vgic_lookup(vm, v, v->vgic.lr_intid[n]);
		uint64_t state = arch_lr_read(n) & LR_STATE_MASK;
		arch_lr_write(n, 0);
		v->vgic.lr_used &= ~(1U << n);
		irq->in_lr = false;
		irq->unpend = false;
		irq->deactivate = false;
		irq->active = false; /* whatever the guest was handling, it never finishes */
		if (irq->hw && (state != LR_STATE_PENDING || irq->pintid < VGIC_SPI_BASE)) {
			/* taken by the guest (or its own timer): end it on the board */
			arch_irq_clear_active(irq->pintid, v->pcpu);
			irq->pending = false;
		} else if (state == LR_STATE_PENDING || (!irq->edge && !irq->hw && irq->level)) {
			/* never taken, or a line still high: pending, as a redistributor
			 * keeps it for a CPU that is off, and delivered where it can be
			 * (a hardware SPI stays active on the board until then) */
			irq->pending = true;
			vgic_kick_target(vm, irq);
		}
	}
	/* The timer fired but was never listed: taken by the hypervisor, end it. */
	for (uint32_t id = 0; id < VGIC_PRIVATE_IRQS; id++) {
		struct virq *irq = &v->vgic.priv[id];
		if (irq->hw && irq->pending) {
			arch_irq_clear_active(irq->pintid, v->pcpu);
			irq->pending = false;
		}
	}
	vgic_unlock(vm);
	arch_vgic_reset();
}
