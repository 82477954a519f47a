// SPDX-License-Identifier: MIT
/*
 * The emulated GICv3 redistributors (core/vgic/vgicr.c with core/vgic/vgic_regs.c),
 * per GICv3 architecture specification §12.10-12.11: the RD_base frame
 * (CTLR, IIDR, TYPER with its Last bit and affinity, WAKER, the ID
 * registers) and the SGI_base frame (the SGI/PPI bit registers,
 * IPRIORITYR, ICFGR0/1). Each vCPU's frame acts on that vCPU only; the
 * forwarded virtual timer PPI programs the (fake) physical GIC of the
 * vCPU's board CPU.
 */
#include "helpers.h"

#include <string.h>

#include <plat/layout.h>

#define GICR_CTLR 0x0000
#define GICR_IIDR 0x0004
#define GICR_TYPER 0x0008
#define GICR_STATUSR 0x0010
#define GICR_WAKER 0x0014
#define GICR_PROPBASER 0x0070
#define GICR_PIDR2 0xffe8
#define SGI 0x10000
#define GICR_IGROUPR0 (SGI + 0x0080)
#define GICR_ISENABLER0 (SGI + 0x0100)
#define GICR_ICENABLER0 (SGI + 0x0180)
#define GICR_ISPENDR0 (SGI + 0x0200)
#define GICR_ICPENDR0 (SGI + 0x0280)
#define GICR_ISACTIVER0 (SGI + 0x0300)
#define GICR_ICACTIVER0 (SGI + 0x0380)
#define GICR_IPRIORITYR(id) (SGI + 0x0400 + (id))
#define GICR_ICFGR0 (SGI + 0x0c00)
#define GICR_ICFGR1 (SGI + 0x0c04)

#define TYPER_LAST BIT(4)
#define VTIMER PLAT_TIMER_VIRT_INTID

static struct manifest m;
static struct vm *vm0;

static int setup(void **state)
{
	(void)state;
	testbed_manifest(&m, 2, 3);
	assert_true(testbed_create_vms(&m));
	vm0 = &vms[0];
	return 0;
}

static uint64_t rd(struct vm *vm, uint32_t c, uint64_t off, unsigned int width)
{
	uint64_t v = 0xdeadbeefdeadbeefULL;

	assert_true(vgicr_read(vm, c, off, width, &v));
	return v;
}

static void wr(struct vm *vm, uint32_t c, uint64_t off, unsigned int width, uint64_t v)
{
	assert_true(vgicr_write(vm, c, off, width, v));
}

static uint32_t rd32(struct vm *vm, uint32_t c, uint64_t off)
{
	uint64_t v = rd(vm, c, off, 4);

	assert_int_equal(v >> 32, 0);
	return (uint32_t)v;
}

static void test_typer(void **state)
{
	(void)state;
	for (uint32_t c = 0; c < vm0->vcpu_count; c++) {
		uint64_t t = rd(vm0, c, GICR_TYPER, 8);
		uint64_t mpidr = vm0->vcpu[c].mpidr;
		/* Affinity_Value [63:32] is the vCPU's Aff3.Aff2.Aff1.Aff0 */
		assert_int_equal((t >> 32) & 0xff, mpidr & 0xff);
		assert_int_equal((t >> 40) & 0xff, (mpidr >> 8) & 0xff);
		assert_int_equal((t >> 48) & 0xff, (mpidr >> 16) & 0xff);
		assert_int_equal((t >> 56) & 0xff, (mpidr >> 32) & 0xff);
		assert_int_equal((t >> 32) & 0xff, c);
		/* Processor_Number [23:8] */
		assert_int_equal((t >> 8) & 0xffff, c);
		/* Last: only the final redistributor ends the guest's scan */
		assert_int_equal(!!(t & TYPER_LAST), c == vm0->vcpu_count - 1);
		assert_int_equal(t & BIT(0), 0); /* PLPIS: no LPIs */
		/* the two 32-bit halves agree with the 64-bit read */
		assert_int_equal(rd32(vm0, c, GICR_TYPER), (uint32_t)t);
		assert_int_equal(rd32(vm0, c, GICR_TYPER + 4), (uint32_t)(t >> 32));
		/* read-only */
		wr(vm0, c, GICR_TYPER, 8, ~0ULL);
		assert_int_equal(rd(vm0, c, GICR_TYPER, 8), t);
	}
	/* a VM of one vCPU: its only redistributor is the last */
	testbed_manifest(&m, 2, 1);
	assert_true(testbed_create_vms(&m));
	assert_true(rd(&vms[1], 0, GICR_TYPER, 8) & TYPER_LAST);
}

static void test_no_such_vcpu(void **state)
{
	(void)state;
	uint64_t v;

	assert_false(vgicr_read(vm0, vm0->vcpu_count, GICR_TYPER, 8, &v));
	assert_false(vgicr_write(vm0, vm0->vcpu_count, GICR_WAKER, 4, 0));
	assert_false(vgicr_read(vm0, 1000, GICR_CTLR, 4, &v));
}

static void test_waker(void **state)
{
	(void)state;
	/* ProcessorSleep and ChildrenAsleep at reset */
	assert_int_equal(rd32(vm0, 0, GICR_WAKER), BIT(1) | BIT(2));
	assert_int_equal(rd32(vm0, 1, GICR_WAKER), BIT(1) | BIT(2));
	/* waking vCPU 1's redistributor leaves vCPU 0's asleep */
	wr(vm0, 1, GICR_WAKER, 4, 0);
	assert_int_equal(rd32(vm0, 1, GICR_WAKER), 0);
	assert_false(vm0->vcpu[1].vgic.sleep);
	assert_int_equal(rd32(vm0, 0, GICR_WAKER), BIT(1) | BIT(2));
	/* ChildrenAsleep follows ProcessorSleep; it is not writable on its own */
	wr(vm0, 1, GICR_WAKER, 4, BIT(2));
	assert_int_equal(rd32(vm0, 1, GICR_WAKER), 0);
	wr(vm0, 1, GICR_WAKER, 4, BIT(1));
	assert_int_equal(rd32(vm0, 1, GICR_WAKER), BIT(1) | BIT(2));
	/* the other VM's vCPU 1 is its own */
	assert_int_equal(rd32(&vms[1], 1, GICR_WAKER), BIT(1) | BIT(2));
}

static void test_ctlr_iidr_ids(void **state)
{
	(void)state;
	/* EnableLPIs is RAZ/WI without LPIs; RWP and UWP never set */
	wr(vm0, 0, GICR_CTLR, 4, 0xffffffff);
	assert_int_equal(rd32(vm0, 0, GICR_CTLR), 0);
	uint32_t iidr = rd32(vm0, 0, GICR_IIDR);
	assert_int_not_equal(iidr, 0);
	uint64_t dist_iidr;
	assert_true(vgicd_read(vm0, 0x8, 4, &dist_iidr));
	assert_int_equal(iidr, dist_iidr);                          /* one implementation */
	assert_int_equal((rd32(vm0, 2, GICR_PIDR2) >> 4) & 0xf, 3); /* ArchRev: GICv3 */
	/* LPI registers: RAZ/WI */
	wr(vm0, 0, GICR_PROPBASER, 4, 0xffffffff);
	assert_int_equal(rd32(vm0, 0, GICR_PROPBASER), 0);
	assert_int_equal(rd32(vm0, 0, GICR_STATUSR), 0);
}

static void test_rd_frame_widths(void **state)
{
	(void)state;
	uint64_t v;

	assert_false(vgicr_read(vm0, 0, GICR_CTLR, 8, &v)); /* only TYPER is 64-bit */
	assert_false(vgicr_read(vm0, 0, GICR_WAKER, 2, &v));
	assert_false(vgicr_read(vm0, 0, GICR_TYPER, 2, &v));
	assert_false(vgicr_read(vm0, 0, GICR_TYPER + 4, 8, &v)); /* misaligned */
	assert_false(vgicr_read(vm0, 0, GICR_WAKER + 1, 1, &v));
	assert_false(vgicr_write(vm0, 0, GICR_WAKER, 8, 0));
	assert_false(vgicr_write(vm0, 0, GICR_WAKER, 2, 0));
	assert_false(vgicr_write(vm0, 0, GICR_WAKER, 1, 0));
	assert_true(vm0->vcpu[0].vgic.sleep); /* none of them woke it */
}

static void test_sgi_enable_per_vcpu(void **state)
{
	(void)state;
	wr(vm0, 0, GICR_ISENABLER0, 4, 0x0000ffff);
	assert_int_equal(rd32(vm0, 0, GICR_ISENABLER0), 0x0000ffff);
	assert_int_equal(rd32(vm0, 0, GICR_ICENABLER0), 0x0000ffff);
	assert_int_equal(rd32(vm0, 1, GICR_ISENABLER0), 0);
	for (uint32_t i = 0; i < 16; i++) {
		assert_true(vm0->vcpu[0].vgic.priv[i].enabled);
		assert_false(vm0->vcpu[1].vgic.priv[i].enabled);
	}
	assert_int_equal(rd32(&vms[1], 0, GICR_ISENABLER0), 0);
	wr(vm0, 0, GICR_ICENABLER0, 4, 0x00000005);
	assert_int_equal(rd32(vm0, 0, GICR_ISENABLER0), 0x0000fffa);
}

static void test_sgi_pending_active_group(void **state)
{
	(void)state;
	wr(vm0, 2, GICR_ISPENDR0, 4, BIT(5));
	assert_true(vm0->vcpu[2].vgic.priv[5].pending);
	assert_int_equal(rd32(vm0, 2, GICR_ISPENDR0), BIT(5));
	assert_int_equal(rd32(vm0, 2, GICR_ICPENDR0), BIT(5));
	assert_int_equal(rd32(vm0, 1, GICR_ISPENDR0), 0);
	assert_true(pcpus[vm0->vcpu[2].pcpu].requests & PCPU_REQ_FLUSH);
	wr(vm0, 2, GICR_ICPENDR0, 4, BIT(5));
	assert_false(vm0->vcpu[2].vgic.priv[5].pending);
	/* set-active is ignored; clear-active clears */
	wr(vm0, 2, GICR_ISACTIVER0, 4, 0xffffffff);
	assert_int_equal(rd32(vm0, 2, GICR_ISACTIVER0), 0);
	vm0->vcpu[2].vgic.priv[3].active = true;
	assert_int_equal(rd32(vm0, 2, GICR_ICACTIVER0), BIT(3));
	wr(vm0, 2, GICR_ICACTIVER0, 4, BIT(3));
	assert_false(vm0->vcpu[2].vgic.priv[3].active);
	/* group: a plain bit per vCPU */
	wr(vm0, 2, GICR_IGROUPR0, 4, 0xffffffff);
	assert_int_equal(rd32(vm0, 2, GICR_IGROUPR0), 0xffffffff);
	assert_int_equal(rd32(vm0, 0, GICR_IGROUPR0), 0);
	wr(vm0, 2, GICR_IGROUPR0, 4, 0xffff0000);
	assert_false(vm0->vcpu[2].vgic.priv[0].group1);
	assert_true(vm0->vcpu[2].vgic.priv[16].group1);
}

static void test_priority(void **state)
{
	(void)state;
	wr(vm0, 1, GICR_IPRIORITYR(3), 1, 0xaf);
	assert_int_equal(vm0->vcpu[1].vgic.priv[3].priority, 0xa8);
	assert_int_equal(rd(vm0, 1, GICR_IPRIORITYR(3), 1), 0xa8);
	assert_int_equal(rd32(vm0, 1, GICR_IPRIORITYR(0)), 0xa8000000);
	assert_int_equal(rd32(vm0, 0, GICR_IPRIORITYR(0)), 0);
	wr(vm0, 1, GICR_IPRIORITYR(24), 4, 0x80604020);
	assert_int_equal(rd32(vm0, 1, GICR_IPRIORITYR(24)), 0x80604020);
	assert_int_equal(vm0->vcpu[1].vgic.priv[VTIMER].priority, 0x80);
	uint64_t v;
	assert_false(vgicr_read(vm0, 1, GICR_IPRIORITYR(4), 2, &v));
	assert_false(vgicr_write(vm0, 1, GICR_IPRIORITYR(4), 8, 0));
	assert_false(vgicr_write(vm0, 1, GICR_IPRIORITYR(5), 4, 0)); /* misaligned */
	/* past the 32 private priorities: RAZ/WI */
	wr(vm0, 1, GICR_IPRIORITYR(32), 4, 0xffffffff);
	assert_int_equal(rd32(vm0, 1, GICR_IPRIORITYR(32)), 0);
}

static void test_config(void **state)
{
	(void)state;
	/* SGIs are always edge-triggered: ICFGR0 reads 0xaaaaaaaa and ignores writes */
	assert_int_equal(rd32(vm0, 0, GICR_ICFGR0), 0xaaaaaaaa);
	wr(vm0, 0, GICR_ICFGR0, 4, 0);
	assert_int_equal(rd32(vm0, 0, GICR_ICFGR0), 0xaaaaaaaa);
	/* PPIs reset level-sensitive and may be made edge, except the forwarded timer */
	assert_int_equal(rd32(vm0, 0, GICR_ICFGR1), 0);
	wr(vm0, 0, GICR_ICFGR1, 4, 0xffffffff);
	uint32_t timer_bit = 2U << (2 * (VTIMER - 16));
	assert_int_equal(rd32(vm0, 0, GICR_ICFGR1), 0xaaaaaaaa & ~timer_bit);
	assert_false(vm0->vcpu[0].vgic.priv[VTIMER].edge);
	assert_int_equal(rd32(vm0, 1, GICR_ICFGR1), 0);
	wr(vm0, 0, GICR_ICFGR1, 4, 0);
	assert_int_equal(rd32(vm0, 0, GICR_ICFGR1), 0);
}

static void test_virtual_timer_programs_board(void **state)
{
	(void)state;
	struct vcpu *v = &vm0->vcpu[1];

	wr(vm0, 1, GICR_ISENABLER0, 4, BIT(VTIMER));
	assert_true(fake.irq[v->pcpu][VTIMER].enabled);
	assert_false(fake.irq[vm0->vcpu[0].pcpu][VTIMER].enabled);
	wr(vm0, 1, GICR_ISPENDR0, 4, BIT(VTIMER));
	assert_true(fake.irq[v->pcpu][VTIMER].pending);
	assert_false(v->vgic.priv[VTIMER].pending); /* it arrives as a physical interrupt */
	wr(vm0, 1, GICR_ICPENDR0, 4, BIT(VTIMER));
	assert_false(fake.irq[v->pcpu][VTIMER].pending);
	wr(vm0, 1, GICR_ICENABLER0, 4, BIT(VTIMER));
	assert_false(fake.irq[v->pcpu][VTIMER].enabled);
	/* a software PPI does not touch the board */
	wr(vm0, 1, GICR_ISENABLER0, 4, BIT(PLAT_TIMER_PHYS_INTID));
	assert_true(v->vgic.priv[PLAT_TIMER_PHYS_INTID].enabled);
	assert_false(fake.irq[v->pcpu][PLAT_TIMER_PHYS_INTID].enabled);
}

static void test_sgi_frame_widths_and_reserved(void **state)
{
	(void)state;
	uint64_t v;

	assert_false(vgicr_read(vm0, 0, GICR_ISENABLER0, 8, &v));
	assert_false(vgicr_write(vm0, 0, GICR_ISENABLER0, 2, 0xffff));
	assert_false(vgicr_write(vm0, 0, GICR_ISENABLER0, 1, 0xff));
	assert_int_equal(rd32(vm0, 0, GICR_ISENABLER0), 0);
	/* ISENABLER1 and beyond (extended PPIs) do not exist: RAZ/WI */
	wr(vm0, 0, GICR_ISENABLER0 + 4, 4, 0xffffffff);
	assert_int_equal(rd32(vm0, 0, GICR_ISENABLER0 + 4), 0);
	assert_int_equal(rd32(vm0, 0, GICR_ISENABLER0), 0);
	wr(vm0, 0, SGI + 0x0d00, 4, 0xffffffff); /* IGRPMODR0 */
	assert_int_equal(rd32(vm0, 0, SGI + 0x0d00), 0);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup(f, setup)
	const struct CMUnitTest tests[] = {
		T(test_typer),
		T(test_no_such_vcpu),
		T(test_waker),
		T(test_ctlr_iidr_ids),
		T(test_rd_frame_widths),
		T(test_sgi_enable_per_vcpu),
		T(test_sgi_pending_active_group),
		T(test_priority),
		T(test_config),
		T(test_virtual_timer_programs_board),
		T(test_sgi_frame_widths_and_reserved),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
