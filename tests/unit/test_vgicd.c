// SPDX-License-Identifier: MIT
/*
 * The emulated GICv3 distributor (core/vgic/vgicd.c with the register groups of
 * core/vgic/vgic_regs.c), register by register as the GICv3 architecture
 * specification §12.9 defines them for a guest with ARE = 1 and DS = 1:
 * CTLR, TYPER, IIDR, the ID registers, the set/clear bit registers,
 * IPRIORITYR, ICFGR and IROUTER. Interrupts a VM does not own read as zero
 * and ignore writes; a hardware-backed SPI programs the (fake) physical GIC.
 *
 * Two VMs of two vCPUs: VM 0 owns virtio slot 3 (SPI 51), VM 1 slot 4
 * (SPI 52); both have the emulated UART's SPI 33.
 */
#include "helpers.h"

#include <string.h>

#include <plat/layout.h>

#define GICD_CTLR 0x0000
#define GICD_TYPER 0x0004
#define GICD_IIDR 0x0008
#define GICD_STATUSR 0x0010
#define GICD_IGROUPR(n) (0x0080 + 4 * (n))
#define GICD_ISENABLER(n) (0x0100 + 4 * (n))
#define GICD_ICENABLER(n) (0x0180 + 4 * (n))
#define GICD_ISPENDR(n) (0x0200 + 4 * (n))
#define GICD_ICPENDR(n) (0x0280 + 4 * (n))
#define GICD_ISACTIVER(n) (0x0300 + 4 * (n))
#define GICD_ICACTIVER(n) (0x0380 + 4 * (n))
#define GICD_IPRIORITYR(id) (0x0400 + (id))
#define GICD_ICFGR(n) (0x0c00 + 4 * (n))
#define GICD_SGIR 0x0f00
#define GICD_IROUTER(id) (0x6000 + 8 * (id))
#define GICD_PIDR2 0xffe8
#define GICD_CIDR0 0xfff0

#define UART_SPI VBOARD_UART_INTID           /* 33: software, level */
#define VM0_SPI (PLAT_VIRTIO_INTID_BASE + 3) /* 51: hardware, edge */
#define VM1_SPI (PLAT_VIRTIO_INTID_BASE + 4) /* 52 */
#define ABSENT_SPI 40U                       /* no VM has it */
#define BITN(id) (1U << ((id) % 32))

static struct manifest m;
static struct vm *vm0, *vm1;

static int setup(void **state)
{
	(void)state;
	testbed_manifest(&m, 2, 2);
	testbed_add_virtio(&m, 0, 3);
	testbed_add_virtio(&m, 1, 4);
	assert_true(testbed_create_vms(&m));
	vm0 = &vms[0];
	vm1 = &vms[1];
	return 0;
}

static uint64_t rd(struct vm *vm, uint64_t off, unsigned int width)
{
	uint64_t v = 0xdeadbeefdeadbeefULL;

	assert_true(vgicd_read(vm, off, width, &v));
	return v;
}

static void wr(struct vm *vm, uint64_t off, unsigned int width, uint64_t v)
{
	assert_true(vgicd_write(vm, off, width, v));
}

static uint32_t rd32(struct vm *vm, uint64_t off)
{
	uint64_t v = rd(vm, off, 4);

	assert_int_equal(v >> 32, 0);
	return (uint32_t)v;
}

static void clear_requests(void)
{
	for (uint32_t i = 0; i < FV_MAX_CPUS; i++) {
		pcpus[i].requests = 0;
		fake.kicks[i] = 0;
	}
}

static struct virq *spi(struct vm *vm, uint32_t intid)
{
	return &vm->vgic.spi[intid - VGIC_SPI_BASE];
}

/* ---------------- control and identification ---------------- */

static void test_ctlr(void **state)
{
	(void)state;
	/* ARE (bit 4) and DS (bit 6) read as one; the group enables reset to zero */
	assert_int_equal(rd32(vm0, GICD_CTLR), BIT(4) | BIT(6));
	clear_requests();
	wr(vm0, GICD_CTLR, 4, BIT(1));
	assert_int_equal(rd32(vm0, GICD_CTLR), BIT(4) | BIT(6) | BIT(1));
	assert_true(vm0->vgic.enable_grp1);
	assert_false(vm0->vgic.enable_grp0);
	/* every vCPU of the VM re-evaluates what it may deliver; the other VM is not disturbed */
	assert_true(pcpus[0].requests & PCPU_REQ_FLUSH);
	assert_true(pcpus[1].requests & PCPU_REQ_FLUSH);
	assert_int_equal(pcpus[2].requests, 0);
	assert_int_equal(pcpus[3].requests, 0);
	assert_int_equal(rd32(vm1, GICD_CTLR), BIT(4) | BIT(6));
	/* only the enables are writable: ARE and DS stay, RWP never shows */
	wr(vm0, GICD_CTLR, 4, 0xffffffff);
	assert_int_equal(rd32(vm0, GICD_CTLR), BIT(4) | BIT(6) | BIT(1) | BIT(0));
	wr(vm0, GICD_CTLR, 4, 0);
	assert_int_equal(rd32(vm0, GICD_CTLR), BIT(4) | BIT(6));
}

static void test_typer(void **state)
{
	(void)state;
	uint32_t t = rd32(vm0, GICD_TYPER);

	/* ITLinesNumber: 32 * (N + 1) INTIDs, all of them the VM's */
	assert_int_equal(32 * ((t & 0x1f) + 1), VGIC_MAX_INTID);
	/* IDbits: 10 bits (no LPIs), enough for every SPI INTID */
	assert_int_equal((t >> 19) & 0x1f, 9);
	assert_int_equal(t & BIT(17), 0);       /* LPIS */
	assert_int_equal(t & BIT(16), 0);       /* MBIS */
	assert_int_equal(t & BIT(10), 0);       /* SecurityExtn: one security state */
	assert_int_equal(t & BIT(25), BIT(25)); /* No1N: no 1-of-N routing */
	wr(vm0, GICD_TYPER, 4, 0);
	assert_int_equal(rd32(vm0, GICD_TYPER), t); /* read-only */
}

static void test_iidr_and_id_registers(void **state)
{
	(void)state;
	uint32_t iidr = rd32(vm0, GICD_IIDR);

	assert_int_not_equal(iidr, 0);
	assert_int_not_equal(iidr & 0xfff, 0x43b); /* not claiming to be an Arm part */
	wr(vm0, GICD_IIDR, 4, 0);
	assert_int_equal(rd32(vm0, GICD_IIDR), iidr);
	uint32_t pidr2 = rd32(vm0, GICD_PIDR2);
	assert_int_equal((pidr2 >> 4) & 0xf, 3); /* ArchRev: GICv3 */
	assert_true(pidr2 & BIT(3));             /* JEDEC-assigned identity */
	/* the CoreSight component ID preamble */
	assert_int_equal(rd32(vm0, GICD_CIDR0), 0x0d);
	assert_int_equal(rd32(vm0, GICD_CIDR0 + 4), 0xf0);
	assert_int_equal(rd32(vm0, GICD_CIDR0 + 8), 0x05);
	assert_int_equal(rd32(vm0, GICD_CIDR0 + 12), 0xb1);
}

static void test_reserved_and_unimplemented(void **state)
{
	(void)state;
	const uint64_t offs[] = { GICD_STATUSR, 0x000c, 0x0040, GICD_SGIR, 0x0e00, 0x2000, 0x8000, 0xc000, 0xffcc };

	for (uint32_t i = 0; i < ARRAY_SIZE(offs); i++) {
		wr(vm0, offs[i], 4, 0xffffffff);
		assert_int_equal(rd32(vm0, offs[i]), 0);
	}
	assert_int_equal(rd32(vm0, GICD_CTLR), BIT(4) | BIT(6)); /* nothing spilled */
}

/* ---------------- one bit per interrupt ---------------- */

static void test_enable_software_spi(void **state)
{
	(void)state;
	uint32_t n = UART_SPI / 32;

	assert_int_equal(rd32(vm0, GICD_ISENABLER(n)), 0);
	clear_requests();
	wr(vm0, GICD_ISENABLER(n), 4, BITN(UART_SPI));
	assert_true(spi(vm0, UART_SPI)->enabled);
	assert_true(pcpus[0].requests & PCPU_REQ_FLUSH); /* its target, vCPU 0, looks again */
	/* both registers read the enable state */
	assert_int_equal(rd32(vm0, GICD_ISENABLER(n)) & BITN(UART_SPI), BITN(UART_SPI));
	assert_int_equal(rd32(vm0, GICD_ICENABLER(n)) & BITN(UART_SPI), BITN(UART_SPI));
	/* zero bits do nothing */
	wr(vm0, GICD_ISENABLER(n), 4, 0);
	wr(vm0, GICD_ICENABLER(n), 4, 0);
	assert_true(spi(vm0, UART_SPI)->enabled);
	/* the other VM's UART interrupt is its own */
	assert_false(spi(vm1, UART_SPI)->enabled);
	wr(vm0, GICD_ICENABLER(n), 4, BITN(UART_SPI));
	assert_false(spi(vm0, UART_SPI)->enabled);
	assert_int_equal(rd32(vm0, GICD_ISENABLER(n)), 0);
}

static void test_absent_interrupts_read_zero_ignore_writes(void **state)
{
	(void)state;
	for (uint32_t n = 1; n < VGIC_MAX_INTID / 32; n++) {
		wr(vm0, GICD_ISENABLER(n), 4, 0xffffffff);
		wr(vm0, GICD_ISPENDR(n), 4, 0xffffffff);
		wr(vm0, GICD_IGROUPR(n), 4, 0xffffffff);
	}
	/* only the VM's SPIs (UART 33 and its virtio 51) took the writes */
	assert_int_equal(rd32(vm0, GICD_ISENABLER(1)), BITN(UART_SPI) | BITN(VM0_SPI));
	assert_int_equal(rd32(vm0, GICD_IGROUPR(1)), BITN(UART_SPI) | BITN(VM0_SPI));
	assert_int_equal(rd32(vm0, GICD_ISENABLER(2)), 0);
	assert_int_equal(rd32(vm0, GICD_ISENABLER(3)), 0);
	assert_false(spi(vm0, ABSENT_SPI)->enabled);
	assert_false(spi(vm0, VM1_SPI)->enabled);
	/* software pending for the UART; the hardware SPI went to the physical GIC */
	assert_int_equal(rd32(vm0, GICD_ISPENDR(1)), BITN(UART_SPI));
	assert_true(fake.spi[VM0_SPI].pending);
	assert_true(fake.spi[VM0_SPI].enabled);
	/* VM 1's board interrupt was not touched by VM 0 */
	assert_false(fake.spi[VM1_SPI].enabled);
	assert_false(fake.spi[VM1_SPI].pending);
	/* beyond the VM's INTIDs: RAZ/WI */
	wr(vm0, GICD_ISENABLER(VGIC_MAX_INTID / 32), 4, 0xffffffff);
	assert_int_equal(rd32(vm0, GICD_ISENABLER(VGIC_MAX_INTID / 32)), 0);
	assert_int_equal(rd32(vm0, GICD_ISENABLER(31)), 0);
}

static void test_private_interrupts_are_not_here(void **state)
{
	(void)state;
	/* With ARE = 1 the distributor's INTID 0..31 registers are RAZ/WI (§12.9) */
	wr(vm0, GICD_ISENABLER(0), 4, 0xffffffff);
	wr(vm0, GICD_ISPENDR(0), 4, 0xffffffff);
	wr(vm0, GICD_IGROUPR(0), 4, 0xffffffff);
	wr(vm0, GICD_ICFGR(1), 4, 0xffffffff);
	for (uint32_t i = 0; i < 4; i++)
		wr(vm0, GICD_IPRIORITYR(4 * i), 4, 0xffffffff);
	for (uint32_t c = 0; c < vm0->vcpu_count; c++)
		for (uint32_t i = 0; i < VGIC_PRIVATE_IRQS; i++) {
			struct virq *p = &vm0->vcpu[c].vgic.priv[i];
			assert_false(p->enabled);
			assert_false(p->pending);
			assert_false(p->group1);
			assert_int_equal(p->priority, 0);
			assert_int_equal(p->edge, i < 16);
		}
	assert_int_equal(rd32(vm0, GICD_ISENABLER(0)), 0);
	assert_int_equal(rd32(vm0, GICD_IPRIORITYR(0)), 0);
	assert_int_equal(rd32(vm0, GICD_ICFGR(0)), 0);
	assert_false(fake.irq[0][PLAT_TIMER_VIRT_INTID].enabled);
}

static void test_enable_hardware_spi(void **state)
{
	(void)state;
	uint32_t n = VM0_SPI / 32;

	wr(vm0, GICD_ISENABLER(n), 4, BITN(VM0_SPI));
	assert_true(fake.spi[VM0_SPI].enabled);
	assert_int_equal(fake.spi[VM0_SPI].route, vm0->vcpu[0].pcpu);
	/* the other VM cannot switch it off */
	wr(vm1, GICD_ICENABLER(n), 4, 0xffffffff);
	assert_true(fake.spi[VM0_SPI].enabled);
	assert_true(spi(vm0, VM0_SPI)->enabled);
	wr(vm0, GICD_ICENABLER(n), 4, BITN(VM0_SPI));
	assert_false(fake.spi[VM0_SPI].enabled);
	/* nor switch it on */
	wr(vm1, GICD_ISENABLER(n), 4, BITN(VM0_SPI));
	assert_false(fake.spi[VM0_SPI].enabled);
	assert_false(spi(vm1, VM0_SPI)->enabled);
}

static void test_pending_software_spi(void **state)
{
	(void)state;
	uint32_t n = UART_SPI / 32;

	wr(vm0, GICD_ISPENDR(n), 4, BITN(UART_SPI));
	assert_true(spi(vm0, UART_SPI)->pending);
	assert_int_equal(rd32(vm0, GICD_ISPENDR(n)), BITN(UART_SPI));
	assert_int_equal(rd32(vm0, GICD_ICPENDR(n)), BITN(UART_SPI));
	/* reading does not clear */
	assert_true(spi(vm0, UART_SPI)->pending);
	wr(vm0, GICD_ICPENDR(n), 4, BITN(UART_SPI));
	assert_false(spi(vm0, UART_SPI)->pending);
	assert_int_equal(rd32(vm0, GICD_ISPENDR(n)), 0);
}

static void test_pending_hardware_spi(void **state)
{
	(void)state;
	uint32_t n = VM0_SPI / 32;
	struct virq *irq = spi(vm0, VM0_SPI);

	/* set-pending goes to the board interrupt, which then arrives like any other */
	wr(vm0, GICD_ISPENDR(n), 4, BITN(VM0_SPI));
	assert_true(fake.spi[VM0_SPI].pending);
	assert_false(irq->pending);
	wr(vm0, GICD_ICPENDR(n), 4, BITN(VM0_SPI));
	assert_false(fake.spi[VM0_SPI].pending);
	/* taken by the hypervisor but not delivered yet: clearing it ends the physical one */
	irq->pending = true;
	fake.spi[VM0_SPI].active = true;
	wr(vm0, GICD_ICPENDR(n), 4, BITN(VM0_SPI));
	assert_false(irq->pending);
	assert_false(fake.spi[VM0_SPI].active);
	/* VM 1 cannot touch it */
	fake.spi[VM0_SPI].pending = true;
	wr(vm1, GICD_ICPENDR(n), 4, 0xffffffff);
	assert_true(fake.spi[VM0_SPI].pending);
}

static void test_active(void **state)
{
	(void)state;
	uint32_t n = UART_SPI / 32;

	/* ISACTIVER is write-ignored: only the guest's acknowledge activates */
	wr(vm0, GICD_ISACTIVER(n), 4, 0xffffffff);
	assert_int_equal(rd32(vm0, GICD_ISACTIVER(n)), 0);
	assert_false(spi(vm0, UART_SPI)->active);
	/* an active interrupt (say, restored by a guest's own state) reads so, and clears */
	spi(vm0, UART_SPI)->active = true;
	assert_int_equal(rd32(vm0, GICD_ISACTIVER(n)), BITN(UART_SPI));
	assert_int_equal(rd32(vm0, GICD_ICACTIVER(n)), BITN(UART_SPI));
	wr(vm0, GICD_ICACTIVER(n), 4, BITN(UART_SPI));
	assert_false(spi(vm0, UART_SPI)->active);
	/* hardware: clearing active deactivates the physical interrupt */
	spi(vm0, VM0_SPI)->active = true;
	fake.spi[VM0_SPI].active = true;
	wr(vm1, GICD_ICACTIVER(n), 4, 0xffffffff); /* not VM 1's */
	assert_true(fake.spi[VM0_SPI].active);
	wr(vm0, GICD_ICACTIVER(n), 4, BITN(VM0_SPI));
	assert_false(spi(vm0, VM0_SPI)->active);
	assert_false(fake.spi[VM0_SPI].active);
}

static void test_group(void **state)
{
	(void)state;
	uint32_t n = UART_SPI / 32;

	wr(vm0, GICD_IGROUPR(n), 4, BITN(UART_SPI) | BITN(ABSENT_SPI));
	assert_true(spi(vm0, UART_SPI)->group1);
	assert_int_equal(rd32(vm0, GICD_IGROUPR(n)), BITN(UART_SPI));
	/* a plain bit: writing zero sets group 0 again */
	wr(vm0, GICD_IGROUPR(n), 4, 0);
	assert_false(spi(vm0, UART_SPI)->group1);
}

/* ---------------- priorities, configuration, routing ---------------- */

static void test_priority(void **state)
{
	(void)state;
	/* byte access; five priority bits implemented */
	wr(vm0, GICD_IPRIORITYR(UART_SPI), 1, 0xff);
	assert_int_equal(rd(vm0, GICD_IPRIORITYR(UART_SPI), 1), 0xf8);
	assert_int_equal(spi(vm0, UART_SPI)->priority, 0xf8);
	/* word access covers four INTIDs; absent ones read zero */
	wr(vm0, GICD_IPRIORITYR(32), 4, 0x11223344);
	assert_int_equal(rd32(vm0, GICD_IPRIORITYR(32)), 0x00003000);
	assert_int_equal(rd(vm0, GICD_IPRIORITYR(33), 1), 0x30);
	wr(vm0, GICD_IPRIORITYR(VM0_SPI), 1, 0xa0);
	assert_int_equal(rd32(vm0, GICD_IPRIORITYR(48)), 0xa0000000); /* 51 is byte 3 */
	/* the other VM's priorities are separate */
	assert_int_equal(rd(vm1, GICD_IPRIORITYR(UART_SPI), 1), 0);
	/* 16- and 64-bit accesses are not allowed here */
	uint64_t v;
	assert_false(vgicd_read(vm0, GICD_IPRIORITYR(32), 2, &v));
	assert_false(vgicd_write(vm0, GICD_IPRIORITYR(32), 2, 0));
	assert_false(vgicd_read(vm0, GICD_IPRIORITYR(32), 8, &v));
	assert_false(vgicd_write(vm0, GICD_IPRIORITYR(32), 8, 0));
	assert_int_equal(rd(vm0, GICD_IPRIORITYR(33), 1), 0x30);
	/* misaligned word */
	assert_false(vgicd_read(vm0, GICD_IPRIORITYR(33), 4, &v));
}

static void test_config(void **state)
{
	(void)state;
	/* ICFGR2 covers 32..47: the UART is level-sensitive */
	assert_int_equal(rd32(vm0, GICD_ICFGR(2)), 0);
	wr(vm0, GICD_ICFGR(2), 4, 0xffffffff);
	assert_int_equal(rd32(vm0, GICD_ICFGR(2)), 2U << (2 * (UART_SPI - 32)));
	assert_true(spi(vm0, UART_SPI)->edge);
	wr(vm0, GICD_ICFGR(2), 4, 0);
	assert_false(spi(vm0, UART_SPI)->edge);
	/* ICFGR3 covers 48..63: virtio transports are edge, and the board follows */
	uint32_t bit = 2U << (2 * (VM0_SPI - 48));
	assert_int_equal(rd32(vm0, GICD_ICFGR(3)), bit);
	wr(vm0, GICD_ICFGR(3), 4, 0);
	assert_false(spi(vm0, VM0_SPI)->edge);
	assert_false(fake.spi[VM0_SPI].edge);
	wr(vm0, GICD_ICFGR(3), 4, bit);
	assert_true(fake.spi[VM0_SPI].edge);
	/* the other VM reconfigures its own, not this one */
	assert_int_equal(rd32(vm1, GICD_ICFGR(3)), 2U << (2 * (VM1_SPI - 48)));
	wr(vm1, GICD_ICFGR(3), 4, 0);
	assert_false(fake.spi[VM1_SPI].edge);
	assert_true(fake.spi[VM0_SPI].edge);
	assert_true(spi(vm0, VM0_SPI)->edge);
}

static void test_router(void **state)
{
	(void)state;
	struct virq *irq = spi(vm0, UART_SPI);

	assert_int_equal(rd(vm0, GICD_IROUTER(UART_SPI), 8), 0);
	/* Aff0 = 1: vCPU 1 */
	clear_requests();
	wr(vm0, GICD_IROUTER(UART_SPI), 8, 1);
	assert_int_equal(irq->target, 1);
	assert_int_equal(rd(vm0, GICD_IROUTER(UART_SPI), 8), 1);
	assert_true(pcpus[0].requests & PCPU_REQ_FLUSH); /* the old target lets go */
	assert_true(pcpus[1].requests & PCPU_REQ_FLUSH); /* the new one takes it */
	/* IRM is RAZ/WI (No1N); Aff3..Aff0 are kept, bits 40..63 are RES0 */
	wr(vm0, GICD_IROUTER(UART_SPI), 8, 0xffffffff80000000ULL);
	assert_int_equal(rd(vm0, GICD_IROUTER(UART_SPI), 8), 0xff00000000ULL);
	/* 32-bit halves */
	wr(vm0, GICD_IROUTER(UART_SPI), 4, 0x1);
	wr(vm0, GICD_IROUTER(UART_SPI) + 4, 4, 0x0);
	assert_int_equal(rd(vm0, GICD_IROUTER(UART_SPI), 8), 1);
	assert_int_equal(irq->target, 1);
	wr(vm0, GICD_IROUTER(UART_SPI) + 4, 4, 0x2);
	assert_int_equal(rd(vm0, GICD_IROUTER(UART_SPI), 4), 1);
	assert_int_equal(rd(vm0, GICD_IROUTER(UART_SPI) + 4, 4), 2);
	/* an affinity no vCPU has: nobody is the target */
	assert_true(irq->target >= vm0->vcpu_count);
	wr(vm0, GICD_IROUTER(UART_SPI), 8, 0);
	assert_int_equal(irq->target, 0);
	/* no byte or halfword access */
	uint64_t v;
	assert_false(vgicd_read(vm0, GICD_IROUTER(UART_SPI), 2, &v));
	assert_false(vgicd_write(vm0, GICD_IROUTER(UART_SPI), 1, 1));
	assert_int_equal(irq->target, 0);
}

static void test_router_absent_and_private(void **state)
{
	(void)state;
	wr(vm0, GICD_IROUTER(ABSENT_SPI), 8, 1);
	assert_int_equal(rd(vm0, GICD_IROUTER(ABSENT_SPI), 8), 0);
	assert_int_equal(spi(vm0, ABSENT_SPI)->route, 0);
	/* IROUTER<n> for n < 32 is reserved */
	wr(vm0, GICD_IROUTER(5), 8, 1);
	assert_int_equal(rd(vm0, GICD_IROUTER(5), 8), 0);
	/* VM 0's board interrupt is not VM 1's to route */
	wr(vm1, GICD_IROUTER(VM0_SPI), 8, 1);
	assert_int_equal(spi(vm0, VM0_SPI)->route, 0);
	assert_int_equal(rd(vm1, GICD_IROUTER(VM0_SPI), 8), 0);
}

static void test_router_moves_hardware_spi(void **state)
{
	(void)state;
	wr(vm0, GICD_ISENABLER(VM0_SPI / 32), 4, BITN(VM0_SPI));
	assert_int_equal(fake.spi[VM0_SPI].route, vm0->vcpu[0].pcpu);
	wr(vm0, GICD_IROUTER(VM0_SPI), 8, 1);
	assert_int_equal(fake.spi[VM0_SPI].route, vm0->vcpu[1].pcpu);
	/* routed nowhere: the board interrupt stays where it was */
	wr(vm0, GICD_IROUTER(VM0_SPI), 8, 7);
	assert_int_equal(fake.spi[VM0_SPI].route, vm0->vcpu[1].pcpu);
	/* a disabled one is routed when it is enabled */
	wr(vm0, GICD_ICENABLER(VM0_SPI / 32), 4, BITN(VM0_SPI));
	wr(vm0, GICD_IROUTER(VM0_SPI), 8, 0);
	wr(vm0, GICD_ISENABLER(VM0_SPI / 32), 4, BITN(VM0_SPI));
	assert_int_equal(fake.spi[VM0_SPI].route, vm0->vcpu[0].pcpu);
}

static void test_bad_accesses(void **state)
{
	(void)state;
	uint64_t v = 0x1234;

	assert_false(vgicd_read(vm0, GICD_CTLR, 8, &v));
	assert_false(vgicd_read(vm0, GICD_CTLR, 2, &v));
	assert_false(vgicd_read(vm0, GICD_CTLR, 1, &v));
	assert_false(vgicd_write(vm0, GICD_CTLR, 8, 3));
	assert_false(vgicd_write(vm0, GICD_CTLR, 2, 3));
	assert_false(vgicd_write(vm0, GICD_ISENABLER(1), 1, 0xff));
	assert_false(vgicd_write(vm0, GICD_ISENABLER(1) + 2, 4, 0xffff)); /* misaligned */
	assert_false(vgicd_read(vm0, GICD_TYPER + 2, 4, &v));
	assert_false(vgicd_read(vm0, GICD_IROUTER(40) + 4, 8, &v));
	/* none of them had an effect */
	assert_false(vm0->vgic.enable_grp0 || vm0->vgic.enable_grp1);
	assert_false(spi(vm0, UART_SPI)->enabled);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup(f, setup)
	const struct CMUnitTest tests[] = {
		T(test_ctlr),
		T(test_typer),
		T(test_iidr_and_id_registers),
		T(test_reserved_and_unimplemented),
		T(test_enable_software_spi),
		T(test_absent_interrupts_read_zero_ignore_writes),
		T(test_private_interrupts_are_not_here),
		T(test_enable_hardware_spi),
		T(test_pending_software_spi),
		T(test_pending_hardware_spi),
		T(test_active),
		T(test_group),
		T(test_priority),
		T(test_config),
		T(test_router),
		T(test_router_absent_and_private),
		T(test_router_moves_hardware_spi),
		T(test_bad_accesses),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
