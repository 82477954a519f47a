// SPDX-License-Identifier: MIT
/*
 * Virtual interrupt delivery through list registers (core/vgic/vgic.c; GICv3
 * architecture specification chapter 6 and §12.5 ICH_LR<n>_EL2). The test
 * plays both sides: the hypervisor's sync/flush before entry, and the
 * guest's CPU interface acting on the fake list registers (acknowledge =
 * pending -> active, EOI = active -> invalid).
 *
 * Two VMs of two vCPUs; VM 0 owns virtio slot 3 (hardware SPI 51).
 */
#include "helpers.h"

#include <string.h>

#include <plat/layout.h>

#define UART_SPI VBOARD_UART_INTID
#define HW_SPI (PLAT_VIRTIO_INTID_BASE + 3)
#define VTIMER PLAT_TIMER_VIRT_INTID

#define ST_PENDING 1U
#define ST_ACTIVE 2U

static struct manifest m;
static struct vm *vm0, *vm1;

static int setup(void **state)
{
	(void)state;
	testbed_manifest(&m, 2, 2);
	testbed_add_virtio(&m, 0, 3);
	assert_true(testbed_create_vms(&m));
	vm0 = &vms[0];
	vm1 = &vms[1];
	/* the guests enable group 1, as Linux does */
	assert_true(vgicd_write(vm0, 0, 4, BIT(1)));
	assert_true(vgicd_write(vm1, 0, 4, BIT(1)));
	for (uint32_t i = 0; i < FV_MAX_CPUS; i++) {
		pcpus[i].requests = 0;
		fake.kicks[i] = 0;
	}
	return 0;
}

/* Enable `intid` in group 1 at `prio`, through the registers a guest would use. */
static void enable(struct vm *vm, uint32_t c, uint32_t intid, uint8_t prio)
{
	uint64_t grp;

	if (intid < VGIC_PRIVATE_IRQS) {
		assert_true(vgicr_read(vm, c, 0x10080, 4, &grp));
		assert_true(vgicr_write(vm, c, 0x10080, 4, grp | BIT(intid)));
		assert_true(vgicr_write(vm, c, 0x10400 + intid, 1, prio));
		assert_true(vgicr_write(vm, c, 0x10100, 4, BIT(intid)));
	} else {
		uint64_t n = intid / 32;
		assert_true(vgicd_read(vm, 0x80 + 4 * n, 4, &grp));
		assert_true(vgicd_write(vm, 0x80 + 4 * n, 4, grp | BIT(intid % 32)));
		assert_true(vgicd_write(vm, 0x400 + intid, 1, prio));
		assert_true(vgicd_write(vm, 0x100 + 4 * n, 4, BIT(intid % 32)));
	}
}

/* The hypervisor's step before entering vCPU v: on v's own CPU. */
static void entry(struct vcpu *v)
{
	fake.cpu = v->pcpu;
	vgic_sync_flush(v);
}

static uint64_t *lrs(struct vcpu *v)
{
	return fake.lr[v->pcpu];
}

/* The list register of v holding `intid` in some state, or -1. */
static int lr_of(struct vcpu *v, uint32_t intid)
{
	for (uint32_t n = 0; n < VGIC_MAX_LRS; n++) {
		uint64_t lr = lrs(v)[n];
		if ((lr & LR_STATE_MASK) && (lr & LR_VINTID_MASK) == intid)
			return (int)n;
	}
	return -1;
}

static uint32_t lr_state(struct vcpu *v, int n)
{
	return (uint32_t)(lrs(v)[n] >> 62);
}

/* The guest's CPU interface: set a list register's state. */
static void guest_set(struct vcpu *v, uint32_t intid, uint32_t state)
{
	int n = lr_of(v, intid);

	assert_true(n >= 0);
	lrs(v)[n] = (lrs(v)[n] & ~LR_STATE_MASK) | ((uint64_t)state << 62);
}

static uint32_t lrs_in_use(struct vcpu *v)
{
	uint32_t count = 0;

	for (uint32_t n = 0; n < VGIC_MAX_LRS; n++)
		count += (lrs(v)[n] & LR_STATE_MASK) != 0;
	return count;
}

static void test_inject_reaches_a_list_register(void **state)
{
	(void)state;
	struct vcpu *v = &vm0->vcpu[0];

	enable(vm0, 0, 1, 0xa0);
	fake.cpu = 3; /* injected from another CPU: the vCPU's CPU is kicked */
	vgic_inject(vm0, v, 1);
	assert_true(v->vgic.priv[1].pending);
	assert_true(pcpus[v->pcpu].requests & PCPU_REQ_FLUSH);
	assert_int_equal(fake.kicks[v->pcpu], 1);
	assert_int_equal(lr_of(v, 1), -1); /* nothing until the vCPU's CPU flushes */
	entry(v);
	int n = lr_of(v, 1);
	assert_true(n >= 0);
	uint64_t lr = lrs(v)[n];
	assert_int_equal(lr_state(v, n), ST_PENDING);
	assert_int_equal((lr >> LR_PRIORITY_SHIFT) & 0xff, 0xa0);
	assert_true(lr & LR_GROUP1);
	assert_false(lr & LR_HW);
	assert_false(lr & LR_EOI); /* an edge: no need to hear about its EOI */
	assert_true(v->vgic.priv[1].in_lr);
	assert_false(v->vgic.priv[1].pending);
	assert_false(fake.underflow[v->pcpu]);
	/* the other vCPU's list registers are untouched */
	assert_int_equal(lrs_in_use(&vm0->vcpu[1]), 0);
	/* the guest acknowledges it: an entry with nothing else to do leaves the
	 * list register alone (and takes no lock); the next full sync sees it active */
	guest_set(v, 1, ST_ACTIVE);
	entry(v);
	assert_int_equal(lr_state(v, n), ST_ACTIVE);
	assert_true(v->vgic.priv[1].in_lr);
	v->vgic.dirty = true;
	entry(v);
	assert_true(v->vgic.priv[1].active);
	assert_int_equal(lr_state(v, n), ST_ACTIVE);
	/* ... and completes it: the list register is free again */
	guest_set(v, 1, 0);
	entry(v);
	assert_false(v->vgic.priv[1].in_lr);
	assert_false(v->vgic.priv[1].active);
	assert_false(v->vgic.priv[1].pending);
	assert_int_equal(v->vgic.lr_used, 0);
}

static void test_disabled_or_group_off_waits(void **state)
{
	(void)state;
	struct vcpu *v = &vm0->vcpu[0];

	vgic_inject(vm0, v, 2); /* not enabled */
	entry(v);
	assert_int_equal(lr_of(v, 2), -1);
	assert_true(v->vgic.priv[2].pending);
	enable(vm0, 0, 2, 0x80);
	entry(v);
	assert_true(lr_of(v, 2) >= 0);

	/* group 1 switched off at the distributor: nothing more is delivered */
	assert_true(vgicd_write(vm0, 0, 4, 0));
	enable(vm0, 0, 3, 0x80);
	vgic_inject(vm0, v, 3);
	entry(v);
	assert_int_equal(lr_of(v, 3), -1);
	assert_true(vgicd_write(vm0, 0, 4, BIT(1)));
	entry(v);
	assert_true(lr_of(v, 3) >= 0);

	/* a group 0 interrupt while only group 1 is enabled */
	assert_true(vgicr_write(vm0, 0, 0x10100, 4, BIT(4))); /* enabled, group 0 */
	vgic_inject(vm0, v, 4);
	entry(v);
	assert_int_equal(lr_of(v, 4), -1);
	assert_true(vgicd_write(vm0, 0, 4, BIT(0) | BIT(1)));
	entry(v);
	int n = lr_of(v, 4);
	assert_true(n >= 0);
	assert_false(lrs(v)[n] & LR_GROUP1);
}

static void test_absent_interrupts_are_ignored(void **state)
{
	(void)state;
	vgic_inject(vm0, NULL, 40); /* an SPI this VM does not have */
	vgic_inject(vm0, NULL, HW_SPI + 1);
	vgic_inject(vm0, NULL, VGIC_MAX_INTID);
	vgic_inject(vm0, NULL, 1023);
	vgic_inject(vm0, NULL, 5); /* private, but no vCPU named */
	vgic_set_level(vm0, 40, true);
	vgic_set_level(vm0, 5000, true);
	for (uint32_t i = 0; i < VBOARD_SPI_COUNT; i++)
		assert_false(vm0->vgic.spi[i].pending);
	for (uint32_t c = 0; c < 2; c++)
		for (uint32_t i = 0; i < VGIC_PRIVATE_IRQS; i++)
			assert_false(vm0->vcpu[c].vgic.priv[i].pending);
}

static void test_priority_order_and_underflow(void **state)
{
	(void)state;
	struct vcpu *v = &vm0->vcpu[0];
	const uint8_t prio[6] = { 0x80, 0x10, 0x40, 0xf0, 0x20, 0x60 };

	assert_int_equal(fake.lr_count, 4);
	for (uint32_t i = 0; i < 6; i++) {
		enable(vm0, 0, i, prio[i]);
		vgic_inject(vm0, v, i);
	}
	entry(v);
	/* the four most urgent (lowest values) are in the four list registers */
	assert_int_equal(lrs_in_use(v), 4);
	assert_true(lr_of(v, 1) >= 0);
	assert_true(lr_of(v, 4) >= 0);
	assert_true(lr_of(v, 2) >= 0);
	assert_true(lr_of(v, 5) >= 0);
	assert_int_equal(lr_of(v, 0), -1);
	assert_int_equal(lr_of(v, 3), -1);
	assert_true(v->vgic.priv[0].pending);
	assert_true(v->vgic.priv[3].pending);
	/* more waiting than fits: ask to hear when list registers drain */
	assert_true(fake.underflow[v->pcpu]);

	/* the guest handles SGI 1: the next most urgent, SGI 0, takes its place */
	guest_set(v, 1, 0);
	entry(v);
	assert_true(lr_of(v, 0) >= 0);
	assert_int_equal(lr_of(v, 3), -1);
	assert_true(fake.underflow[v->pcpu]);
	guest_set(v, 4, 0);
	entry(v);
	assert_true(lr_of(v, 3) >= 0);
	assert_false(fake.underflow[v->pcpu]); /* nothing left waiting */
}

static void test_equal_priority_lowest_intid_first(void **state)
{
	(void)state;
	struct vcpu *v = &vm0->vcpu[0];

	fake.lr_count = 1;
	enable(vm0, 0, 9, 0x40);
	enable(vm0, 0, 7, 0x40);
	enable(vm0, 0, 8, 0x40);
	vgic_inject(vm0, v, 9);
	vgic_inject(vm0, v, 8);
	vgic_inject(vm0, v, 7);
	entry(v);
	assert_int_equal(lrs_in_use(v), 1); /* the CPU's list register count is respected */
	assert_int_equal(lr_of(v, 7), 0);
	assert_true(fake.underflow[v->pcpu]);
}

static void test_level_interrupt_repends_after_eoi(void **state)
{
	(void)state;
	struct vcpu *v = &vm0->vcpu[0];
	struct virq *irq = &vm0->vgic.spi[UART_SPI - VGIC_SPI_BASE];

	enable(vm0, 0, UART_SPI, 0xa0);
	vgic_set_level(vm0, UART_SPI, true);
	assert_true(irq->pending);
	entry(v);
	int n = lr_of(v, UART_SPI);
	assert_true(n >= 0);
	assert_true(lrs(v)[n] & LR_EOI); /* level: its EOI must come back to us */
	assert_false(lrs(v)[n] & LR_HW);
	/* acknowledged, then completed while the line is still high: pending again.
	 * A completed EOI-bit LR is not "empty" to ICH_ELRSR_EL2; the hardware
	 * raises the maintenance interrupt, and that is what resamples the line. */
	guest_set(v, UART_SPI, ST_ACTIVE);
	entry(v);
	guest_set(v, UART_SPI, 0);
	fake.cpu = v->pcpu;
	vgic_maintenance(v);
	n = lr_of(v, UART_SPI);
	assert_true(n >= 0);
	assert_int_equal(lr_state(v, n), ST_PENDING);
	/* the line drops before the guest acknowledges: it is withdrawn */
	vgic_set_level(vm0, UART_SPI, false);
	assert_false(irq->pending);
	entry(v);
	assert_int_equal(lr_of(v, UART_SPI), -1);
	assert_false(irq->in_lr);
	assert_false(irq->pending);
	/* high again, acknowledged, line dropped, then completed: not pending again */
	vgic_set_level(vm0, UART_SPI, true);
	entry(v);
	guest_set(v, UART_SPI, ST_ACTIVE);
	vgic_set_level(vm0, UART_SPI, false);
	entry(v);
	assert_int_equal(lr_state(v, lr_of(v, UART_SPI)), ST_ACTIVE); /* the guest still owns it */
	guest_set(v, UART_SPI, 0);
	fake.cpu = v->pcpu;
	vgic_maintenance(v);
	assert_int_equal(lr_of(v, UART_SPI), -1);
	assert_false(irq->pending);
}

static void test_level_changes_without_edges(void **state)
{
	(void)state;
	struct virq *irq = &vm0->vgic.spi[UART_SPI - VGIC_SPI_BASE];

	/* configured edge-triggered: only a rising edge makes it pending */
	assert_true(vgicd_write(vm0, 0xc08, 4, 2U << (2 * (UART_SPI - 32))));
	vgic_set_level(vm0, UART_SPI, true);
	assert_true(irq->pending);
	irq->pending = false;                /* as if delivered and handled */
	vgic_set_level(vm0, UART_SPI, true); /* no change of level: no edge */
	assert_false(irq->pending);
	vgic_set_level(vm0, UART_SPI, false);
	assert_false(irq->pending);
	vgic_set_level(vm0, UART_SPI, true);
	assert_true(irq->pending);
}

static void test_edge_while_active_is_active_and_pending(void **state)
{
	(void)state;
	struct vcpu *v = &vm0->vcpu[1];

	enable(vm0, 1, 6, 0x50);
	vgic_inject(vm0, v, 6);
	entry(v);
	guest_set(v, 6, ST_ACTIVE);
	vgic_inject(vm0, v, 6);
	entry(v);
	int n = lr_of(v, 6);
	assert_int_equal(lr_state(v, n), ST_ACTIVE | ST_PENDING);
	assert_int_equal(lrs_in_use(v), 1); /* the same list register, not a second copy */
	assert_false(v->vgic.priv[6].pending);
	/* two edges before the guest acknowledges are one interrupt */
	guest_set(v, 6, 0);
	entry(v);
	vgic_inject(vm0, v, 6);
	vgic_inject(vm0, v, 6);
	entry(v);
	assert_int_equal(lrs_in_use(v), 1);
	assert_int_equal(lr_state(v, lr_of(v, 6)), ST_PENDING);
}

static void test_disabled_while_in_lr_is_taken_back(void **state)
{
	(void)state;
	struct vcpu *v = &vm0->vcpu[0];

	enable(vm0, 0, 9, 0x50);
	vgic_inject(vm0, v, 9);
	entry(v);
	assert_true(lr_of(v, 9) >= 0);
	assert_true(vgicr_write(vm0, 0, 0x10180, 4, BIT(9))); /* ICENABLER0 */
	entry(v);
	assert_int_equal(lr_of(v, 9), -1);
	assert_true(v->vgic.priv[9].pending); /* not lost: still pending */
	assert_true(vgicr_write(vm0, 0, 0x10100, 4, BIT(9)));
	entry(v);
	assert_true(lr_of(v, 9) >= 0);
}

static void test_rerouted_spi_moves_to_new_vcpu(void **state)
{
	(void)state;
	struct vcpu *a = &vm0->vcpu[0], *b = &vm0->vcpu[1];
	struct virq *irq = &vm0->vgic.spi[UART_SPI - VGIC_SPI_BASE];

	enable(vm0, 0, UART_SPI, 0x80);
	vgic_set_level(vm0, UART_SPI, true);
	entry(b);
	assert_int_equal(lr_of(b, UART_SPI), -1); /* routed to vCPU 0 */
	entry(a);
	assert_true(lr_of(a, UART_SPI) >= 0);
	assert_true(vgicd_write(vm0, 0x6000 + 8 * UART_SPI, 8, 1)); /* IROUTER: vCPU 1 */
	assert_true(pcpus[a->pcpu].requests & PCPU_REQ_FLUSH);
	assert_true(pcpus[b->pcpu].requests & PCPU_REQ_FLUSH);
	entry(a);
	assert_int_equal(lr_of(a, UART_SPI), -1);
	assert_true(irq->pending);
	entry(b);
	assert_true(lr_of(b, UART_SPI) >= 0);
	/* routed to an affinity no vCPU has: delivered nowhere */
	guest_set(b, UART_SPI, 0);
	vgic_set_level(vm0, UART_SPI, false);
	entry(b);
	assert_true(vgicd_write(vm0, 0x6000 + 8 * UART_SPI, 8, 0x5));
	vgic_set_level(vm0, UART_SPI, true);
	entry(a);
	entry(b);
	assert_int_equal(lr_of(a, UART_SPI), -1);
	assert_int_equal(lr_of(b, UART_SPI), -1);
	assert_true(irq->pending);
}

static void test_sgi1r_reaches_only_own_vcpus(void **state)
{
	(void)state;
	struct vcpu *v0 = &vm0->vcpu[0];

	/* TargetList = {1}, INTID 3 */
	vgic_sgi1r(v0, (3ULL << 24) | 0x2);
	assert_true(vm0->vcpu[1].vgic.priv[3].pending);
	assert_false(vm0->vcpu[0].vgic.priv[3].pending);
	assert_false(vm1->vcpu[0].vgic.priv[3].pending);
	assert_false(vm1->vcpu[1].vgic.priv[3].pending);
	assert_true(pcpus[vm0->vcpu[1].pcpu].requests & PCPU_REQ_FLUSH);
	assert_int_equal(pcpus[vm1->vcpu[1].pcpu].requests, 0);
	/* target bits of vCPUs the VM does not have reach nobody */
	vgic_sgi1r(v0, (4ULL << 24) | 0xfffc);
	for (uint32_t i = 0; i < FV_MAX_VMS; i++)
		for (uint32_t c = 0; c < vms[i].vcpu_count; c++)
			assert_false(vms[i].vcpu[c].vgic.priv[4].pending);
	/* Aff1, Aff2, Aff3 or RS not zero: no vCPU has that affinity */
	vgic_sgi1r(v0, (5ULL << 24) | (1ULL << 16) | 0x3);
	vgic_sgi1r(v0, (5ULL << 24) | (1ULL << 32) | 0x3);
	vgic_sgi1r(v0, (5ULL << 24) | (1ULL << 48) | 0x3);
	vgic_sgi1r(v0, (5ULL << 24) | (1ULL << 44) | 0x3);
	assert_false(vm0->vcpu[0].vgic.priv[5].pending);
	assert_false(vm0->vcpu[1].vgic.priv[5].pending);
	/* IRM: every vCPU of the VM but the sender, and no other VM's */
	vgic_sgi1r(&vm0->vcpu[1], (6ULL << 24) | BIT(40));
	assert_true(vm0->vcpu[0].vgic.priv[6].pending);
	assert_false(vm0->vcpu[1].vgic.priv[6].pending);
	assert_false(vm1->vcpu[0].vgic.priv[6].pending);
	/* a VM's vCPU 0 targeting "vCPU 1" means its own vCPU 1 */
	vgic_sgi1r(&vm1->vcpu[0], (7ULL << 24) | 0x3);
	assert_true(vm1->vcpu[0].vgic.priv[7].pending);
	assert_true(vm1->vcpu[1].vgic.priv[7].pending);
	assert_false(vm0->vcpu[1].vgic.priv[7].pending);
	/* delivered like any SGI */
	enable(vm0, 1, 3, 0x00);
	entry(&vm0->vcpu[1]);
	assert_true(lr_of(&vm0->vcpu[1], 3) >= 0);
}

static void test_hardware_timer_ppi(void **state)
{
	(void)state;
	struct vcpu *v = &vm0->vcpu[1];

	enable(vm0, 1, VTIMER, 0x20);
	assert_true(fake.irq[v->pcpu][VTIMER].enabled);
	fake.irq[v->pcpu][VTIMER].active = true; /* taken by the hypervisor */
	vgic_inject_hw(v, VTIMER);
	entry(v);
	int n = lr_of(v, VTIMER);
	assert_true(n >= 0);
	uint64_t lr = lrs(v)[n];
	assert_true(lr & LR_HW);
	assert_int_equal((lr & LR_PINTID_MASK) >> LR_PINTID_SHIFT, VTIMER);
	assert_false(lr & LR_EOI); /* the guest's deactivation goes to the hardware */
	/* the vCPU is released (its VM stops): the physical interrupt is ended */
	uint32_t resets = fake.vgic_resets[v->pcpu];
	vgic_vcpu_release(v);
	assert_false(fake.irq[v->pcpu][VTIMER].active);
	assert_int_equal(lrs_in_use(v), 0);
	assert_int_equal(v->vgic.lr_used, 0);
	assert_false(v->vgic.priv[VTIMER].in_lr);
	assert_int_equal(fake.vgic_resets[v->pcpu], resets + 1);
}

static void test_hardware_spi(void **state)
{
	(void)state;
	struct vcpu *v = &vm0->vcpu[0];

	enable(vm0, 0, HW_SPI, 0x30);
	fake.spi[HW_SPI].active = true;
	vgic_inject_hw(v, HW_SPI);
	entry(v);
	int n = lr_of(v, HW_SPI);
	assert_true(n >= 0);
	assert_true(lrs(v)[n] & LR_HW);
	assert_int_equal((lrs(v)[n] & LR_PINTID_MASK) >> LR_PINTID_SHIFT, HW_SPI);
	/* still active physically: the guest ends it, not the hypervisor */
	assert_true(fake.spi[HW_SPI].active);
	guest_set(v, HW_SPI, ST_ACTIVE);
	entry(v);
	assert_true(lr_of(v, HW_SPI) >= 0);
	vgic_vcpu_release(v);
	assert_false(fake.spi[HW_SPI].active);
}

static void test_hardware_interrupt_not_owned_is_ended(void **state)
{
	(void)state;
	/* VM 1 does not own SPI 51; it must not stay active on the board */
	fake.spi[HW_SPI].active = true;
	vgic_inject_hw(&vm1->vcpu[0], HW_SPI);
	assert_false(fake.spi[HW_SPI].active);
	assert_false(vm1->vgic.spi[HW_SPI - VGIC_SPI_BASE].pending);
	/* nor may a software interrupt be injected as hardware */
	fake.spi[UART_SPI].active = true;
	vgic_inject_hw(&vm0->vcpu[0], UART_SPI);
	assert_false(fake.spi[UART_SPI].active);
	assert_false(vm0->vgic.spi[UART_SPI - VGIC_SPI_BASE].pending);
}

static void test_release_ends_undelivered_hardware(void **state)
{
	(void)state;
	struct vcpu *v = &vm0->vcpu[0];

	/* the timer fired, but the guest had it disabled: taken, never delivered */
	fake.irq[v->pcpu][VTIMER].active = true;
	vgic_inject_hw(v, VTIMER);
	entry(v);
	assert_int_equal(lr_of(v, VTIMER), -1);
	fake.cpu = v->pcpu;
	vgic_vcpu_release(v);
	assert_false(fake.irq[v->pcpu][VTIMER].active);
	/* other CPUs' timers are not touched */
	fake.irq[vm0->vcpu[1].pcpu][VTIMER].active = true;
	vgic_vcpu_release(v);
	assert_true(fake.irq[vm0->vcpu[1].pcpu][VTIMER].active);
}

/*
 * CPU_OFF with interrupts still listed: what the guest never took stays
 * pending (as a redistributor keeps it for a CPU that is off) and reaches the
 * vCPU when it is on again; what it took is over; a level line still high is
 * sampled again; the timer it owns is ended on the board and not replayed.
 */
static void test_release_keeps_what_was_never_taken(void **state)
{
	(void)state;
	struct vcpu *v = &vm0->vcpu[1];

	enable(vm0, 1, 2, 0x40); /* an SGI */
	enable(vm0, 1, 3, 0x40); /* another, which the guest takes */
	enable(vm0, 1, VTIMER, 0x20);
	assert_true(vgicd_write(vm0, 0x6000 + 8 * UART_SPI, 8, 1)); /* IROUTER: vCPU 1 */
	enable(vm0, 1, UART_SPI, 0x50);
	vgic_inject(vm0, v, 2);
	vgic_inject(vm0, v, 3);
	vgic_set_level(vm0, UART_SPI, true);
	fake.irq[v->pcpu][VTIMER].active = true;
	vgic_inject_hw(v, VTIMER);
	entry(v);
	assert_int_equal(lrs_in_use(v), 4);
	guest_set(v, 3, ST_ACTIVE);
	guest_set(v, UART_SPI, ST_ACTIVE);
	fake.cpu = v->pcpu;
	vgic_vcpu_release(v);
	assert_int_equal(lrs_in_use(v), 0);
	assert_true(v->vgic.priv[2].pending);
	assert_false(v->vgic.priv[3].pending || v->vgic.priv[3].active);
	assert_true(vm0->vgic.spi[UART_SPI - VGIC_SPI_BASE].pending); /* the line is still high */
	assert_false(v->vgic.priv[VTIMER].pending);
	assert_false(fake.irq[v->pcpu][VTIMER].active);
	/* on again (CPU_ON): the SGI and the UART come back, the old timer tick does not */
	v->power = VCPU_ON;
	entry(v);
	assert_true(lr_of(v, 2) >= 0);
	assert_true(lr_of(v, UART_SPI) >= 0);
	assert_int_equal(lr_of(v, 3), -1);
	assert_int_equal(lr_of(v, VTIMER), -1);
}

static void test_vgic_init_resets_hardware_spis(void **state)
{
	(void)state;
	enable(vm0, 0, HW_SPI, 0x30);
	fake.spi[HW_SPI].active = true;
	fake.spi[HW_SPI].pending = true;
	vm0->vgic.spi[HW_SPI - VGIC_SPI_BASE].pending = true;
	vgic_init(vm0); /* a restart */
	struct virq *irq = &vm0->vgic.spi[HW_SPI - VGIC_SPI_BASE];
	assert_false(fake.spi[HW_SPI].enabled);
	assert_false(fake.spi[HW_SPI].active);
	assert_false(fake.spi[HW_SPI].pending);
	assert_true(irq->exists && irq->hw && irq->edge); /* what the VM owns survives */
	assert_false(irq->enabled || irq->pending || irq->group1);
	assert_int_equal(irq->priority, 0);
	assert_false(vm0->vgic.enable_grp1);
	/* software SPIs keep existing too */
	assert_true(vm0->vgic.spi[UART_SPI - VGIC_SPI_BASE].exists);
	assert_false(vm0->vgic.spi[40 - VGIC_SPI_BASE].exists);
}

/* ---------------- a restart begins where the first start did ---------------- */

static void assert_virq_same(const struct virq *a, const struct virq *b, uint32_t intid)
{
	if (a->priority != b->priority || a->exists != b->exists || a->enabled != b->enabled ||
	    a->pending != b->pending || a->active != b->active || a->level != b->level || a->edge != b->edge ||
	    a->group1 != b->group1 || a->hw != b->hw || a->in_lr != b->in_lr || a->target != b->target ||
	    a->pintid != b->pintid || a->route != b->route)
		fail_msg("INTID %u differs from the first start", intid);
}

/* Everything of a VM's vGIC a guest can see, and the board state behind it. */
struct vgic_snapshot {
	bool grp0, grp1;
	struct virq spi[VBOARD_SPI_COUNT];
	struct virq priv[2][VGIC_PRIVATE_IRQS];
	uint32_t lr_used[2];
	bool sleep[2];
	uint64_t lr[2][VGIC_MAX_LRS];
	struct fake_irq_state board_spi;
};

static void snapshot(struct vgic_snapshot *s)
{
	memset(s, 0, sizeof(*s));
	s->grp0 = vm0->vgic.enable_grp0;
	s->grp1 = vm0->vgic.enable_grp1;
	memcpy(s->spi, vm0->vgic.spi, sizeof(s->spi));
	for (uint32_t c = 0; c < 2; c++) {
		memcpy(s->priv[c], vm0->vcpu[c].vgic.priv, sizeof(s->priv[c]));
		s->lr_used[c] = vm0->vcpu[c].vgic.lr_used;
		s->sleep[c] = vm0->vcpu[c].vgic.sleep;
		memcpy(s->lr[c], lrs(&vm0->vcpu[c]), sizeof(s->lr[c]));
	}
	s->board_spi = fake.spi[HW_SPI];
}

static void assert_snapshot_same(const struct vgic_snapshot *a, const struct vgic_snapshot *b)
{
	assert_int_equal(a->grp0, b->grp0);
	assert_int_equal(a->grp1, b->grp1);
	for (uint32_t i = 0; i < VBOARD_SPI_COUNT; i++)
		assert_virq_same(&a->spi[i], &b->spi[i], VGIC_SPI_BASE + i);
	for (uint32_t c = 0; c < 2; c++) {
		for (uint32_t i = 0; i < VGIC_PRIVATE_IRQS; i++)
			assert_virq_same(&a->priv[c][i], &b->priv[c][i], i);
		assert_int_equal(a->lr_used[c], b->lr_used[c]);
		assert_int_equal(a->sleep[c], b->sleep[c]);
		assert_memory_equal(a->lr[c], b->lr[c], sizeof(a->lr[c]));
	}
	assert_int_equal(a->board_spi.enabled, b->board_spi.enabled);
	assert_int_equal(a->board_spi.pending, b->board_spi.pending);
	assert_int_equal(a->board_spi.active, b->board_spi.active);
	assert_int_equal(a->board_spi.edge, b->board_spi.edge);
}

/*
 * A guest leaves its vGIC as untidy as it can through its registers
 * (trigger configuration of SPIs, its hardware SPI and a PPI, priorities,
 * groups, enables, routes, pending and active interrupts, one acknowledged
 * and never finished); its vCPUs are released as a stop releases them and
 * the VM restarts: the vGIC is as the first start had it, board included.
 */
static void test_restart_equals_first_start(void **state)
{
	(void)state;
	struct vgic_snapshot first, again;

	vgic_init(vm0); /* the first start (vm_boot) */
	snapshot(&first);
	assert_true(first.board_spi.edge); /* virtio interrupts are edge-triggered */
	assert_true(vgicd_write(vm0, 0, 4, BIT(1) | BIT(0)));
	enable(vm0, 0, 2, 0x10);
	enable(vm0, 0, 3, 0x20);
	enable(vm0, 1, 20, 0x30); /* a PPI */
	enable(vm0, 0, UART_SPI, 0x40);
	enable(vm0, 0, HW_SPI, 0x50);
	/* ICFGR: the UART's SPI to edge, the hardware SPI to level, PPI 20 to edge */
	assert_true(vgicd_write(vm0, 0xc00 + UART_SPI / 16 * 4, 4, 2U << (2 * (UART_SPI % 16))));
	assert_true(vgicd_write(vm0, 0xc00 + HW_SPI / 16 * 4, 4, 0));
	assert_true(vgicr_write(vm0, 1, 0x10c04, 4, 2U << (2 * (20 % 16))));
	assert_false(fake.spi[HW_SPI].edge);
	assert_true(vgicd_write(vm0, 0x6000 + 8 * UART_SPI, 8, 1)); /* IROUTER: vCPU 1 */
	assert_true(vgicr_write(vm0, 0, 0x14, 4, 0));               /* WAKER: awake */
	/* SGI 2 acknowledged and never finished, SGI 3 and the PPI left pending */
	vgic_inject(vm0, &vm0->vcpu[0], 2);
	entry(&vm0->vcpu[0]);
	guest_set(&vm0->vcpu[0], 2, ST_ACTIVE);
	vgic_inject(vm0, &vm0->vcpu[0], 3);
	vgic_inject(vm0, &vm0->vcpu[1], 20);
	vgic_board_irq(HW_SPI);
	fake.spi[HW_SPI].active = true;
	entry(&vm0->vcpu[1]);

	for (uint32_t c = 0; c < 2; c++) { /* the stop: each CPU parks its vCPU */
		fake.cpu = vm0->vcpu[c].pcpu;
		vgic_vcpu_release(&vm0->vcpu[c]);
	}
	vgic_init(vm0); /* the restart (vm_boot again) */
	snapshot(&again);
	assert_snapshot_same(&first, &again);
}

/* ---------------- list registers held elsewhere, and full ---------------- */

/*
 * GICR_ICPENDR0 written by vCPU 0 for an SGI that sits pending in vCPU 1's
 * list register: the pending state goes (GICv3 §12.11.x: the write clears
 * it wherever it is); it reads as gone at once, and vCPU 1's CPU takes it
 * out of its list register before the guest can acknowledge it.
 */
static void test_icpendr_reaches_another_vcpus_list_register(void **state)
{
	(void)state;
	struct vcpu *v1 = &vm0->vcpu[1];
	uint64_t pend;

	enable(vm0, 1, 2, 0x40);
	vgic_inject(vm0, v1, 2);
	entry(v1);
	assert_true(lr_of(v1, 2) >= 0);
	fake.cpu = vm0->vcpu[0].pcpu; /* vCPU 0's trap */
	assert_true(vgicr_write(vm0, 1, 0x10280, 4, BIT(2)));
	assert_true(vgicr_read(vm0, 1, 0x10200, 4, &pend));
	assert_int_equal(pend & BIT(2), 0);
	assert_true(pcpus[v1->pcpu].requests & PCPU_REQ_FLUSH); /* vCPU 1 is told */
	entry(v1);
	assert_int_equal(lr_of(v1, 2), -1);
	assert_false(v1->vgic.priv[2].pending);
	entry(v1);
	assert_int_equal(lr_of(v1, 2), -1); /* and it does not come back */
}

/*
 * GICD_ICACTIVER written by vCPU 0 for a hardware SPI vCPU 1's guest has
 * acknowledged: it is no longer active, in the list register nor on the
 * board (the guest will never deactivate it now, so the hypervisor does).
 */
static void test_icactiver_reaches_another_vcpus_list_register(void **state)
{
	(void)state;
	struct vcpu *v1 = &vm0->vcpu[1];
	uint64_t active;

	assert_true(vgicd_write(vm0, 0x6000 + 8 * HW_SPI, 8, 1)); /* IROUTER: vCPU 1 */
	enable(vm0, 0, HW_SPI, 0x30);
	fake.spi[HW_SPI].active = true;
	assert_true(vgic_board_irq(HW_SPI));
	entry(v1);
	guest_set(v1, HW_SPI, ST_ACTIVE);
	entry(v1);
	fake.cpu = vm0->vcpu[0].pcpu;
	assert_true(vgicd_write(vm0, 0x380 + HW_SPI / 32 * 4, 4, BIT(HW_SPI % 32)));
	assert_true(vgicd_read(vm0, 0x300 + HW_SPI / 32 * 4, 4, &active));
	assert_int_equal(active & BIT(HW_SPI % 32), 0);
	entry(v1);
	assert_int_equal(lr_of(v1, HW_SPI), -1);
	assert_false(fake.spi[HW_SPI].active);
	assert_false(vm0->vgic.spi[HW_SPI - VGIC_SPI_BASE].active);
}

/*
 * Every list register full of pending interrupts (4 on this board) and a
 * more urgent one arrives: it displaces the least urgent, which waits in the
 * model (with the underflow interrupt asked for) and comes back once there
 * is room. An active interrupt is never displaced, nor one of equal priority.
 */
static void test_higher_priority_displaces_lower_when_full(void **state)
{
	(void)state;
	struct vcpu *v = &vm0->vcpu[0];
	const uint8_t prio[4] = { 0x80, 0x90, 0xa0, 0xb0 };

	for (uint32_t i = 0; i < 4; i++) {
		enable(vm0, 0, 1 + i, prio[i]);
		vgic_inject(vm0, v, 1 + i);
	}
	entry(v);
	assert_int_equal(lrs_in_use(v), 4);
	assert_false(fake.underflow[v->pcpu]);
	enable(vm0, 0, 9, 0xb0); /* as urgent as the least urgent: waits */
	vgic_inject(vm0, v, 9);
	entry(v);
	assert_int_equal(lr_of(v, 9), -1);
	assert_true(fake.underflow[v->pcpu]);
	enable(vm0, 0, 8, 0x10); /* more urgent than all: SGI 4 (0xb0) makes room */
	vgic_inject(vm0, v, 8);
	entry(v);
	assert_true(lr_of(v, 8) >= 0);
	assert_int_equal(lr_of(v, 4), -1);
	assert_true(v->vgic.priv[4].pending);
	assert_true(lr_of(v, 1) >= 0 && lr_of(v, 2) >= 0 && lr_of(v, 3) >= 0);
	assert_int_equal(lrs_in_use(v), 4);
	assert_true(fake.underflow[v->pcpu]);
	/* the guest takes all four: active ones stay whatever comes */
	for (uint32_t id = 1; id <= 8; id++)
		if (lr_of(v, id) >= 0)
			guest_set(v, id, ST_ACTIVE);
	enable(vm0, 0, 10, 0x00);
	vgic_inject(vm0, v, 10);
	entry(v);
	assert_int_equal(lr_of(v, 10), -1);
	assert_int_equal(lrs_in_use(v), 4);
	/* SGI 8 finished: the most urgent waiting one gets its register */
	guest_set(v, 8, 0);
	entry(v);
	assert_true(lr_of(v, 10) >= 0);
	assert_int_equal(lr_of(v, 4), -1);
	assert_true(v->vgic.priv[4].pending && v->vgic.priv[9].pending);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup(f, setup)
	const struct CMUnitTest tests[] = {
		T(test_inject_reaches_a_list_register),
		T(test_disabled_or_group_off_waits),
		T(test_absent_interrupts_are_ignored),
		T(test_priority_order_and_underflow),
		T(test_equal_priority_lowest_intid_first),
		T(test_level_interrupt_repends_after_eoi),
		T(test_level_changes_without_edges),
		T(test_edge_while_active_is_active_and_pending),
		T(test_disabled_while_in_lr_is_taken_back),
		T(test_rerouted_spi_moves_to_new_vcpu),
		T(test_sgi1r_reaches_only_own_vcpus),
		T(test_hardware_timer_ppi),
		T(test_hardware_spi),
		T(test_hardware_interrupt_not_owned_is_ended),
		T(test_release_ends_undelivered_hardware),
		T(test_release_keeps_what_was_never_taken),
		T(test_vgic_init_resets_hardware_spis),
		T(test_restart_equals_first_start),
		T(test_icpendr_reaches_another_vcpus_list_register),
		T(test_icactiver_reaches_another_vcpus_list_register),
		T(test_higher_priority_displaces_lower_when_full),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
