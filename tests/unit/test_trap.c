// SPDX-License-Identifier: MIT
/*
 * Guest exceptions after decoding (core/cpu/trap.c): stage-2 data aborts routed
 * to the distributor, a redistributor, the UART or a passthrough virtio
 * window (forwarded through fake.mmio_read/mmio_write), or answered with a
 * data abort injected into the guest (fake.last_inject); loads sign- or
 * zero-extended into Wn/Xn; trapped system registers (ICC_SGI1R, the PMU
 * as RAZ/WI, anything else undefined); HVC/SMC calls into PSCI; and the
 * rate limit on fault messages.
 *
 * Two running VMs of two vCPUs: VM 0 owns virtio slot 3, VM 1 slot 4.
 */
#include "helpers.h"

#include <string.h>

#include <fv/psci.h>
#include <fv/trap.h>
#include <plat/layout.h>

#define SLOT(n) (PLAT_VIRTIO_BASE + (n)*PLAT_VIRTIO_STRIDE)
#define FAR_OF(ipa) (0xffff800000000000ULL | (ipa))

static struct manifest m;
static struct vm *vm0, *vm1;
static struct vcpu *v;

/* What the passthrough device saw. */
static struct {
	uint32_t reads, writes;
	uint64_t pa;
	unsigned int width;
	uint64_t value;
	uint64_t read_value;
} dev;

static uint64_t dev_read(uint64_t pa, unsigned int width)
{
	dev.reads++;
	dev.pa = pa;
	dev.width = width;
	return dev.read_value;
}

static void dev_write(uint64_t pa, unsigned int width, uint64_t value)
{
	dev.writes++;
	dev.pa = pa;
	dev.width = width;
	dev.value = value;
}

static int setup(void **state)
{
	(void)state;
	testbed_manifest(&m, 2, 2);
	testbed_add_virtio(&m, 0, 3);
	testbed_add_virtio(&m, 1, 4);
	assert_true(testbed_create_vms(&m));
	vm0 = &vms[0];
	vm1 = &vms[1];
	for (uint32_t i = 0; i < 2; i++) {
		vms[i].state = VM_STATE_RUNNING;
		vms[i].vcpu[0].power = VCPU_ON;
	}
	v = &vm0->vcpu[0];
	fake.cpu = v->pcpu;
	fake.counter = 5 * fake.freq; /* t = 5 s */
	fake.mmio_read = dev_read;
	fake.mmio_write = dev_write;
	memset(&dev, 0, sizeof(dev));
	for (uint32_t i = 0; i < FV_MAX_CPUS; i++)
		pcpus[i].requests = 0;
	fake_uart_clear();
	return 0;
}

static struct trap mem(uint64_t ipa, unsigned int width, bool write, unsigned int reg)
{
	struct trap t = { .kind = TRAP_DATA_ABORT };

	t.mem = (struct trap_mem){ .ipa = ipa_init(ipa),
				   .far = FAR_OF(ipa),
				   .valid = true,
				   .write = write,
				   .width = width,
				   .reg = reg,
				   .sixty_four = width == 8 };
	return t;
}

static enum trap_outcome load(struct vcpu *c, uint64_t ipa, unsigned int width, unsigned int reg)
{
	struct trap t = mem(ipa, width, false, reg);

	return trap_handle(c, &t);
}

static enum trap_outcome store(struct vcpu *c, uint64_t ipa, unsigned int width, unsigned int reg, uint64_t value)
{
	struct trap t = mem(ipa, width, true, reg);

	vcpu_set_reg(c, reg, value);
	return trap_handle(c, &t);
}

static void expect_abort(enum trap_outcome o, uint64_t ipa)
{
	assert_int_equal(o, TRAP_INJECTED);
	assert_int_equal(fake.last_inject, FAKE_INJECT_DABT);
	assert_int_equal(fake.last_inject_far, FAR_OF(ipa));
}

static uint32_t count(const char *hay, const char *needle)
{
	uint32_t n = 0;

	for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

/* ---------------- emulated devices ---------------- */

static void test_distributor(void **state)
{
	(void)state;
	v->regs->x[5] = 0x5555;
	assert_int_equal(load(v, VBOARD_GICD_BASE, 4, 5), TRAP_HANDLED);
	assert_int_equal(v->regs->x[5], BIT(4) | BIT(6)); /* GICD_CTLR: ARE, DS */
	assert_int_equal(store(v, VBOARD_GICD_BASE, 4, 6, 0xffffffff00000002ULL), TRAP_HANDLED);
	assert_true(vm0->vgic.enable_grp1);
	assert_false(vm1->vgic.enable_grp1);
	assert_int_equal(v->stats.mmio, 2);
	assert_int_equal(v->stats.traps, 2);
	assert_int_equal(fake.inject_count, 0);
	/* a halfword access to GICD_CTLR is not allowed: abort */
	expect_abort(load(v, VBOARD_GICD_BASE, 2, 5), VBOARD_GICD_BASE);
	assert_non_null(strstr(fake_uart_text(), "bad access size for the distributor"));
}

static void test_redistributors(void **state)
{
	(void)state;
	uint64_t frame1 = VBOARD_GICR_BASE + VBOARD_GICR_STRIDE;

	assert_int_equal(load(v, frame1 + 8, 8, 9), TRAP_HANDLED); /* vCPU 1's GICR_TYPER */
	assert_true(v->regs->x[9] & BIT(4));                       /* Last */
	assert_int_equal(v->regs->x[9] >> 32, 1);                  /* Aff0 = 1 */
	assert_int_equal(load(v, VBOARD_GICR_BASE + 8, 8, 9), TRAP_HANDLED);
	assert_false(v->regs->x[9] & BIT(4));
	/* the SGI frame of vCPU 1 */
	assert_int_equal(store(v, frame1 + 0x10100, 4, 2, BIT(7)), TRAP_HANDLED);
	assert_true(vm0->vcpu[1].vgic.priv[7].enabled);
	assert_false(vm0->vcpu[0].vgic.priv[7].enabled);
	/* past the VM's last redistributor: nothing there */
	uint64_t beyond = VBOARD_GICR_BASE + 2 * VBOARD_GICR_STRIDE + 8;
	expect_abort(load(v, beyond, 8, 9), beyond);
}

static void test_uart(void **state)
{
	(void)state;
	assert_int_equal(store(v, VBOARD_UART_BASE, 4, 1, 'Z'), TRAP_HANDLED);
	assert_int_equal(store(v, VBOARD_UART_BASE, 1, 1, '\n'), TRAP_HANDLED);
	assert_non_null(strstr(fake_uart_text(), "[vm0] Z\r\n"));
	assert_int_equal(load(v, VBOARD_UART_BASE + 0x18, 4, 3), TRAP_HANDLED); /* FR */
	assert_int_equal(v->regs->x[3], BIT(4) | BIT(7));                       /* RXFE, TXFE */
	assert_int_equal(load(v, VBOARD_UART_BASE + 0xfe0, 4, 3), TRAP_HANDLED);
	assert_int_equal(v->regs->x[3], 0x11);
	expect_abort(load(v, VBOARD_UART_BASE, 8, 3), VBOARD_UART_BASE);
}

/* ---------------- what is not there ---------------- */

static void test_unassigned_address(void **state)
{
	(void)state;
	const uint64_t holes[] = { 0x0c000000,           0x00000000 /* flash */,
				   0x09010000 /* RTC */, VBOARD_GICD_BASE + VBOARD_GICD_SIZE,
				   0x3ffffffc,           1ULL << 38 };

	for (uint32_t i = 0; i < ARRAY_SIZE(holes); i++) {
		v->regs->x[4] = 0x4444;
		expect_abort(load(v, holes[i], 4, 4), holes[i]);
		assert_int_equal(v->regs->x[4], 0x4444); /* the load did not complete */
	}
	assert_int_equal(v->stats.aborts, ARRAY_SIZE(holes));
	assert_int_equal(fake.inject_count, ARRAY_SIZE(holes));
	assert_int_equal(dev.reads + dev.writes, 0);
	assert_non_null(strstr(fake_uart_text(), "vm0: vCPU 0 read from 0xc000000"));
	assert_non_null(strstr(fake_uart_text(), "not assigned to this VM; abort injected"));
	/* a write is refused the same way, and named as a write */
	expect_abort(store(v, 0x0c000000, 4, 4, 1), 0x0c000000);
	assert_non_null(strstr(fake_uart_text(), "vm0: vCPU 0 write to 0xc000000"));
}

static void test_no_syndrome(void **state)
{
	(void)state;
	struct trap t = mem(SLOT(3), 4, false, 1);

	t.mem.valid = false; /* e.g. a load pair: no register to emulate into */
	expect_abort(trap_handle(v, &t), SLOT(3));
	assert_int_equal(dev.reads, 0);
	assert_non_null(strstr(fake_uart_text(), "cannot decode"));
}

/* ---------------- passthrough windows ---------------- */

static void test_passthrough_forwarded(void **state)
{
	(void)state;
	dev.read_value = 0x74726976; /* "virt" */
	assert_int_equal(load(v, SLOT(3) + 0x00, 4, 7), TRAP_HANDLED);
	assert_int_equal(dev.reads, 1);
	assert_int_equal(dev.pa, SLOT(3));
	assert_int_equal(dev.width, 4);
	assert_int_equal(v->regs->x[7], 0x74726976);
	/* a write goes through with the width, only the bytes stored */
	assert_int_equal(store(v, SLOT(3) + 0x70, 4, 8, 0xffffffff0000000fULL), TRAP_HANDLED);
	assert_int_equal(dev.writes, 1);
	assert_int_equal(dev.pa, SLOT(3) + 0x70);
	assert_int_equal(dev.value, 0xf);
	assert_int_equal(store(v, SLOT(3) + 0x100, 1, 8, 0x1ff), TRAP_HANDLED);
	assert_int_equal(dev.width, 1);
	assert_int_equal(dev.value, 0xff);
	assert_int_equal(store(v, SLOT(3) + 0x1f8, 8, 8, 0x0123456789abcdefULL), TRAP_HANDLED);
	assert_int_equal(dev.width, 8);
	assert_int_equal(dev.value, 0x0123456789abcdefULL);
	/* the other VM reaches its own slot */
	assert_int_equal(load(&vm1->vcpu[0], SLOT(4) + 4, 4, 1), TRAP_HANDLED);
	assert_int_equal(dev.pa, SLOT(4) + 4);
}

static void test_passthrough_neighbours_refused(void **state)
{
	(void)state;
	/* slot 4 is VM 1's, slot 2 nobody's: same 4 KiB page as slot 3, still refused */
	expect_abort(load(v, SLOT(4), 4, 1), SLOT(4));
	expect_abort(store(v, SLOT(2) + 0x1fc, 4, 1, 1), SLOT(2) + 0x1fc);
	expect_abort(load(&vm1->vcpu[0], SLOT(3) + 0x70, 4, 1), SLOT(3) + 0x70);
	assert_int_equal(dev.reads + dev.writes, 0);
	/* an access that starts inside the window but runs past it */
	expect_abort(load(v, SLOT(3) + PLAT_VIRTIO_STRIDE - 4, 8, 1), SLOT(3) + PLAT_VIRTIO_STRIDE - 4);
	assert_int_equal(dev.reads, 0);
	assert_non_null(strstr(fake_uart_text(), "crosses the end of the device window"));
	/* the window's last word is fine */
	assert_int_equal(load(v, SLOT(3) + PLAT_VIRTIO_STRIDE - 4, 4, 1), TRAP_HANDLED);
}

/*
 * The device answers the forwarded access with an external abort (a slave
 * or decode error, synchronous or as an SError): the access was the
 * guest's, so the guest gets the abort (a synchronous external abort on
 * its load or store), named, and the hypervisor goes on. The other VM's
 * device is untouched.
 */
static void test_passthrough_device_abort_reaches_the_guest(void **state)
{
	(void)state;
	fake.mmio_abort = true;
	v->regs->x[7] = 0x7777;
	uint64_t pc = v->regs->pc;
	expect_abort(load(v, SLOT(3) + 0x08, 4, 7), SLOT(3) + 0x08); /* no panic (the fake would abort) */
	assert_int_equal(v->regs->x[7], 0x7777);                     /* nothing loaded */
	expect_abort(store(v, SLOT(3) + 0x70, 4, 8, 1), SLOT(3) + 0x70);
	assert_non_null(strstr(fake_uart_text(), "the device answered with an external abort"));
	assert_int_not_equal(v->regs->pc, pc); /* into the guest's vectors, as the fake injects */
	assert_int_equal(vm0->state, VM_STATE_RUNNING);
	/* the device recovers: accesses go through again */
	fake.mmio_abort = false;
	assert_int_equal(load(v, SLOT(3), 4, 7), TRAP_HANDLED);
	assert_int_equal(load(&vm1->vcpu[0], SLOT(4), 4, 1), TRAP_HANDLED);
}

/*
 * A guest may map its slot as Normal memory and make misaligned accesses;
 * forwarded through the hypervisor's Device mapping they would fault at EL2
 * (Arm ARM B2.5.2). They get an abort; nothing reaches the device.
 */
static void test_passthrough_misaligned_refused(void **state)
{
	(void)state;
	expect_abort(load(v, SLOT(3) + 1, 4, 1), SLOT(3) + 1);
	expect_abort(store(v, SLOT(3) + 0x72, 4, 1, 1), SLOT(3) + 0x72);
	expect_abort(load(v, SLOT(3) + 0x104, 8, 1), SLOT(3) + 0x104);
	expect_abort(store(v, SLOT(3) + 0x101, 2, 1, 1), SLOT(3) + 0x101);
	assert_int_equal(dev.reads + dev.writes, 0);
	assert_non_null(strstr(fake_uart_text(), "misaligned access to a device register"));
	/* naturally aligned accesses of every width still go through */
	assert_int_equal(load(v, SLOT(3) + 0x102, 2, 1), TRAP_HANDLED);
	assert_int_equal(load(v, SLOT(3) + 0x103, 1, 1), TRAP_HANDLED);
	assert_int_equal(dev.reads, 2);
}

static void test_load_extension(void **state)
{
	(void)state;
	struct trap t;

	/* LDRSB Xt: sign-extended to 64 bits */
	dev.read_value = 0x80;
	t = mem(SLOT(3), 1, false, 10);
	t.mem.sign_extend = true;
	t.mem.sixty_four = true;
	assert_int_equal(trap_handle(v, &t), TRAP_HANDLED);
	assert_int_equal(v->regs->x[10], 0xffffffffffffff80ULL);
	/* LDRSB Wt: sign-extended to 32 bits, upper half zero */
	t.mem.sixty_four = false;
	assert_int_equal(trap_handle(v, &t), TRAP_HANDLED);
	assert_int_equal(v->regs->x[10], 0xffffff80ULL);
	/* LDRSH Xt */
	dev.read_value = 0x8001;
	t = mem(SLOT(3), 2, false, 10);
	t.mem.sign_extend = true;
	t.mem.sixty_four = true;
	assert_int_equal(trap_handle(v, &t), TRAP_HANDLED);
	assert_int_equal(v->regs->x[10], 0xffffffffffff8001ULL);
	/* LDRSW Xt */
	dev.read_value = 0x80000000;
	t = mem(SLOT(3), 4, false, 10);
	t.mem.sign_extend = true;
	t.mem.sixty_four = true;
	assert_int_equal(trap_handle(v, &t), TRAP_HANDLED);
	assert_int_equal(v->regs->x[10], 0xffffffff80000000ULL);
	/* LDRB: zero-extended; a positive value is unchanged by sign extension */
	dev.read_value = 0x80;
	assert_int_equal(load(v, SLOT(3), 1, 10), TRAP_HANDLED);
	assert_int_equal(v->regs->x[10], 0x80);
	dev.read_value = 0x7f;
	t = mem(SLOT(3), 1, false, 10);
	t.mem.sign_extend = true;
	t.mem.sixty_four = true;
	assert_int_equal(trap_handle(v, &t), TRAP_HANDLED);
	assert_int_equal(v->regs->x[10], 0x7f);
	/* a 32-bit load into Wt clears the upper half of Xt */
	v->regs->x[11] = ~0ULL;
	dev.read_value = 0x12345678;
	assert_int_equal(load(v, SLOT(3), 4, 11), TRAP_HANDLED);
	assert_int_equal(v->regs->x[11], 0x12345678);
}

static void test_zero_register(void **state)
{
	(void)state;
	struct vcpu_regs before;

	/* a load into XZR is discarded */
	dev.read_value = 0xabcdef;
	memcpy(&before, v->regs, sizeof(before));
	assert_int_equal(load(v, SLOT(3), 4, 31), TRAP_HANDLED);
	assert_memory_equal(&before, v->regs, sizeof(before));
	/* a store of XZR stores zero, whatever sp holds */
	v->regs->x[30] = 0x3030;
	struct trap t = mem(SLOT(3), 4, true, 31);
	assert_int_equal(trap_handle(v, &t), TRAP_HANDLED);
	assert_int_equal(dev.value, 0);
	assert_int_equal(vcpu_reg(v, 31), 0);
	vcpu_set_reg(v, 31, 5);
	assert_int_equal(vcpu_reg(v, 31), 0);
	assert_int_equal(v->regs->x[30], 0x3030);
}

/* ---------------- system registers ---------------- */

#define ENC(op0, op1, crn, crm, op2) SYSREG_ENC(op0, op1, crn, crm, op2)

static enum trap_outcome sysreg(struct vcpu *c, uint32_t enc, bool write, unsigned int reg)
{
	struct trap t = { .kind = TRAP_SYSREG };

	t.sys = (struct trap_sysreg){ enc, write, reg };
	return trap_handle(c, &t);
}

static void test_sgi1r(void **state)
{
	(void)state;
	v->regs->x[3] = (2ULL << 24) | 0x2; /* SGI 2 to vCPU 1 */
	assert_int_equal(sysreg(v, ENC(3, 0, 12, 11, 5), true, 3), TRAP_HANDLED);
	assert_true(vm0->vcpu[1].vgic.priv[2].pending);
	assert_false(vm1->vcpu[1].vgic.priv[2].pending);
	/* ICC_SGI1R_EL1 is write-only */
	assert_int_equal(sysreg(v, ENC(3, 0, 12, 11, 5), false, 3), TRAP_INJECTED);
	assert_int_equal(fake.last_inject, FAKE_INJECT_UNDEF);
}

static void test_pmu_is_raz_wi(void **state)
{
	(void)state;
	const uint32_t pmu[] = {
		ENC(3, 3, 9, 12, 0),  /* PMCR_EL0 */
		ENC(3, 3, 9, 12, 1),  /* PMCNTENSET_EL0 */
		ENC(3, 3, 9, 13, 0),  /* PMCCNTR_EL0 */
		ENC(3, 3, 9, 14, 0),  /* PMUSERENR_EL0 */
		ENC(3, 3, 14, 8, 0),  /* PMEVCNTR0_EL0 */
		ENC(3, 3, 14, 15, 7), /* PMCCFILTR_EL0 */
	};

	for (uint32_t i = 0; i < ARRAY_SIZE(pmu); i++) {
		v->regs->x[4] = 0x4444;
		assert_int_equal(sysreg(v, pmu[i], false, 4), TRAP_HANDLED);
		assert_int_equal(v->regs->x[4], 0);
		v->regs->x[4] = 0x4444;
		assert_int_equal(sysreg(v, pmu[i], true, 4), TRAP_HANDLED);
		assert_int_equal(v->regs->x[4], 0x4444);
	}
	assert_int_equal(fake.inject_count, 0);
}

/*
 * What MDCR_EL2.TDA/TDOSA/TDRA/TTRF, CPTR_EL2.TTA/TAM and HCR_EL2.TERR trap:
 * the guest's own breakpoints, watchpoints and MDSCR_EL1 are done on its
 * CPU's registers (the fake keeps them); the external debugger's registers,
 * the trace unit, TRFCR_EL1, the activity monitors and the RAS error
 * records read as zero and ignore writes; a breakpoint the CPU does not
 * have is undefined.
 */
static void test_debug_trace_amu_ras(void **state)
{
	(void)state;
	const uint32_t razwi[] = {
		ENC(2, 0, 1, 0, 4),   /* OSLAR_EL1 */
		ENC(2, 0, 1, 1, 4),   /* OSLSR_EL1 */
		ENC(2, 0, 1, 3, 4),   /* OSDLR_EL1 */
		ENC(2, 0, 1, 4, 4),   /* DBGPRCR_EL1 */
		ENC(2, 0, 1, 0, 0),   /* MDRAR_EL1 */
		ENC(2, 0, 0, 2, 0),   /* MDCCINT_EL1 */
		ENC(2, 3, 0, 1, 0),   /* MDCCSR_EL0 */
		ENC(2, 3, 0, 4, 0),   /* DBGDTR_EL0 */
		ENC(2, 0, 0, 6, 2),   /* OSECCR_EL1 */
		ENC(2, 0, 7, 8, 6),   /* DBGCLAIMSET_EL1 */
		ENC(2, 0, 7, 14, 6),  /* DBGAUTHSTATUS_EL1 */
		ENC(2, 1, 0, 1, 0),   /* TRCPRGCTLR */
		ENC(2, 1, 7, 2, 0),   /* a trace unit ID register */
		ENC(3, 0, 1, 2, 1),   /* TRFCR_EL1 */
		ENC(3, 3, 13, 2, 0),  /* AMCR_EL0 */
		ENC(3, 3, 13, 2, 5),  /* AMCNTENSET0_EL0 */
		ENC(3, 3, 13, 4, 0),  /* AMEVCNTR00_EL0 */
		ENC(3, 3, 13, 15, 7), /* AMEVTYPER115_EL0 */
		ENC(3, 0, 5, 3, 0),   /* ERRIDR_EL1 */
		ENC(3, 0, 5, 3, 1),   /* ERRSELR_EL1 */
		ENC(3, 0, 5, 4, 2),   /* ERXSTATUS_EL1 */
		ENC(3, 0, 5, 5, 3),   /* ERXMISC3_EL1 */
	};

	for (uint32_t i = 0; i < ARRAY_SIZE(razwi); i++) {
		v->regs->x[4] = 0x4444;
		assert_int_equal(sysreg(v, razwi[i], false, 4), TRAP_HANDLED);
		assert_int_equal(v->regs->x[4], 0);
		v->regs->x[4] = 0x4444;
		assert_int_equal(sysreg(v, razwi[i], true, 4), TRAP_HANDLED);
		assert_int_equal(v->regs->x[4], 0x4444);
	}
	assert_int_equal(fake.inject_count, 0);

	/* the guest's own: DBGBVR5_EL1, DBGWCR3_EL1, MDSCR_EL1 */
	const uint32_t own[] = { ENC(2, 0, 0, 5, 4), ENC(2, 0, 0, 3, 7), ENC(2, 0, 0, 2, 2) };
	for (uint32_t i = 0; i < ARRAY_SIZE(own); i++) {
		v->regs->x[5] = 0x1000 + i;
		assert_int_equal(sysreg(v, own[i], true, 5), TRAP_HANDLED);
		v->regs->x[6] = 0;
		assert_int_equal(sysreg(v, own[i], false, 6), TRAP_HANDLED);
		assert_int_equal(v->regs->x[6], 0x1000 + i);
	}
	assert_int_equal(fake.debug[0][5], 0x1000);
	assert_int_equal(fake.mdscr, 0x1002);
	/* the 7th breakpoint and the 5th watchpoint of a CPU with 6 and 4 */
	assert_int_equal(sysreg(v, ENC(2, 0, 0, 6, 5), false, 4), TRAP_INJECTED);
	assert_int_equal(sysreg(v, ENC(2, 0, 0, 4, 6), true, 4), TRAP_INJECTED);
	assert_int_equal(fake.last_inject, FAKE_INJECT_UNDEF);
}

static void test_unknown_sysreg_is_undefined(void **state)
{
	(void)state;
	v->regs->x[4] = 0x4444;
	assert_int_equal(sysreg(v, ENC(3, 0, 15, 0, 0), false, 4), TRAP_INJECTED);
	assert_int_equal(fake.last_inject, FAKE_INJECT_UNDEF);
	assert_int_equal(v->regs->x[4], 0x4444);
	assert_non_null(strstr(fake_uart_text(), "read system register S3_0_C15_C0_0"));
	/* near the PMU encodings, but not them */
	assert_int_equal(sysreg(v, ENC(3, 3, 9, 11, 0), true, 4), TRAP_INJECTED);
	assert_int_equal(sysreg(v, ENC(3, 2, 9, 12, 0), false, 4), TRAP_INJECTED);
	assert_int_equal(fake.inject_count, 3);
}

/* ---------------- calls and other exceptions ---------------- */

static enum trap_outcome call(struct vcpu *c, enum trap_kind kind, uint16_t imm, uint64_t fid)
{
	struct trap t = { .kind = kind, .imm = imm };

	c->regs->x[0] = fid;
	return trap_handle(c, &t);
}

static void test_smccc_calls(void **state)
{
	(void)state;
	assert_int_equal(call(v, TRAP_HVC, 0, PSCI_VERSION), TRAP_HANDLED);
	assert_int_equal(v->regs->x[0], PSCI_VERSION_1_1);
	assert_int_equal(call(v, TRAP_SMC, 0, PSCI_VERSION), TRAP_HANDLED);
	assert_int_equal(v->regs->x[0], PSCI_VERSION_1_1);
	assert_int_equal(v->stats.calls, 2);
	/* a non-zero immediate is not an SMCCC call */
	assert_int_equal(call(v, TRAP_HVC, 1, PSCI_VERSION), TRAP_HANDLED);
	assert_int_equal((int64_t)v->regs->x[0], PSCI_RET_NOT_SUPPORTED);
}

static void test_system_off_and_reset(void **state)
{
	(void)state;
	assert_int_equal(call(v, TRAP_HVC, 0, PSCI_SYSTEM_OFF), TRAP_HANDLED);
	assert_int_equal(vm0->state, VM_STATE_STOPPING);
	assert_false(vm0->restart_after_stop);
	assert_true(pcpus[vm0->vcpu[0].pcpu].requests & PCPU_REQ_PARK);
	assert_true(pcpus[vm0->vcpu[1].pcpu].requests & PCPU_REQ_PARK);
	assert_int_equal(vm1->state, VM_STATE_RUNNING);
	assert_false(pcpus[vm1->vcpu[0].pcpu].requests & PCPU_REQ_PARK);
	assert_int_equal(call(&vm1->vcpu[0], TRAP_SMC, 0, PSCI_SYSTEM_RESET), TRAP_HANDLED);
	assert_int_equal(vm1->state, VM_STATE_STOPPING);
	assert_true(vm1->restart_after_stop);
}

static enum fake_exit cpu_off(struct vcpu *c)
{
	fake.cpu = c->pcpu;
	return FAKE_CATCH(call(c, TRAP_HVC, 0, PSCI_CPU_OFF));
}

static void test_cpu_off_idles_the_cpu(void **state)
{
	(void)state;
	struct vcpu *v1 = &vm0->vcpu[1];

	v1->power = VCPU_ON;
	assert_int_equal(cpu_off(v1), FAKE_EXIT_IDLE);
	assert_int_equal(v1->power, VCPU_OFF);
	assert_int_equal(v->power, VCPU_ON);
}

static void test_instruction_abort_and_other(void **state)
{
	(void)state;
	struct trap t = { .kind = TRAP_INSN_ABORT };

	t.mem.ipa = ipa_init(0x0c000000);
	t.mem.far = 0xffff00000c000000ULL;
	assert_int_equal(trap_handle(v, &t), TRAP_INJECTED);
	assert_int_equal(fake.last_inject, FAKE_INJECT_PABT);
	assert_int_equal(fake.last_inject_far, 0xffff00000c000000ULL);
	assert_non_null(strstr(fake_uart_text(), "instruction fetch from 0xc000000"));
	struct trap o = { .kind = TRAP_OTHER, .ec = 0x07 };
	assert_int_equal(trap_handle(v, &o), TRAP_INJECTED);
	assert_int_equal(fake.last_inject, FAKE_INJECT_UNDEF);
	assert_non_null(strstr(fake_uart_text(), "exception class 0x7"));
	assert_int_equal(v->stats.traps, 2);
}

static void test_fault_messages_rate_limited(void **state)
{
	(void)state;
	for (uint32_t i = 0; i < 20; i++)
		expect_abort(load(v, 0x0c000000 + 4 * i, 4, 1), 0x0c000000 + 4 * i);
	/* every fault got its abort; only the first eight were reported */
	assert_int_equal(fake.inject_count, 20);
	assert_int_equal(count(fake_uart_text(), "abort injected"), 8);
	/* another VM has its own budget */
	expect_abort(load(&vm1->vcpu[0], 0x0c000000, 4, 1), 0x0c000000);
	assert_int_equal(count(fake_uart_text(), "vm1: vCPU 0 read from"), 1);
	/* a second later the count of the unreported ones is given, then reporting resumes */
	fake.counter += fake.freq;
	expect_abort(load(v, 0x0d000000, 4, 1), 0x0d000000);
	assert_non_null(strstr(fake_uart_text(), "vm0: 12 more faults not shown"));
	assert_int_equal(count(fake_uart_text(), "abort injected"), 10);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup(f, setup)
	const struct CMUnitTest tests[] = {
		T(test_distributor),
		T(test_redistributors),
		T(test_uart),
		T(test_unassigned_address),
		T(test_no_syndrome),
		T(test_passthrough_forwarded),
		T(test_passthrough_neighbours_refused),
		T(test_passthrough_misaligned_refused),
		T(test_passthrough_device_abort_reaches_the_guest),
		T(test_load_extension),
		T(test_zero_register),
		T(test_sgi1r),
		T(test_pmu_is_raz_wi),
		T(test_debug_trace_amu_ras),
		T(test_unknown_sysreg_is_undefined),
		T(test_smccc_calls),
		T(test_system_off_and_reset),
		T(test_cpu_off_idles_the_cpu),
		T(test_instruction_abort_and_other),
		T(test_fault_messages_rate_limited),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
