// SPDX-License-Identifier: MIT
/*
 * The board's GICv3, driven by the hypervisor only (GICv3 architecture
 * specification: §12.9 GICD, §12.10-11 GICR, §12.2 ICC, §12.5 ICH). Single
 * security state (GICD_CTLR.DS = 1 on this board), affinity routing, every
 * interrupt in group 1. EOImode = 1: acknowledging drops priority only, so a
 * hardware-backed interrupt stays active until its guest deactivates it
 * through a list register with the HW bit.
 */
#include <arch/internal.h>
#include <arch/mmio.h>
#include <arch/sysreg.h>
#include <fv/arch/cpu.h>
#include <fv/arch/irq.h>
#include <fv/arch/vcpuif.h>
#include <fv/gicv3.h>
#include <fv/log.h>
#include <fv/plat.h>
#include <fv/spinlock.h>
#include <fv/vm.h>

#define ICC_CTLR_EOIMODE BIT(1)
#define ICH_HCR_EN BIT(0)
#define ICH_HCR_UIE BIT(1)

#define HV_PRIORITY 0xa0U
#define HV_SGI_KICK 0U /* core/boot/hv.c */
#define POLL_LIMIT 10000000U

static uintptr_t rd_base[FV_MAX_CPUS]; /* each CPU's redistributor */
static uint32_t lr_count;
static uint64_t ich_hcr[FV_MAX_CPUS]; /* ICH_HCR_EL2 as last written: no read to change it */

static void gicd_wait_rwp(void)
{
	for (uint32_t i = 0; i < POLL_LIMIT; i++)
		if (!(mmio_read32(PLAT_GICD_BASE + GICD_CTLR) & GICD_CTLR_RWP))
			return;
	PANIC("GIC distributor never finished a register write");
}

void arch_gic_dist_init(void)
{
	uint32_t lines = ((mmio_read32(PLAT_GICD_BASE + GICD_TYPER) & 0x1f) + 1) * 32;

	mmio_write32(PLAT_GICD_BASE + GICD_CTLR, 0);
	gicd_wait_rwp();
	for (uint32_t i = 32; i < lines && i < 1020; i += 32) {
		mmio_write32(PLAT_GICD_BASE + GICD_ICENABLER + i / 8, 0xffffffffU);
		mmio_write32(PLAT_GICD_BASE + GICD_ICPENDR + i / 8, 0xffffffffU);
		mmio_write32(PLAT_GICD_BASE + GICD_ICACTIVER + i / 8, 0xffffffffU);
		mmio_write32(PLAT_GICD_BASE + GICD_IGROUPR + i / 8, 0xffffffffU);
	}
	for (uint32_t i = 32; i < lines && i < 1020; i += 4)
		mmio_write32(PLAT_GICD_BASE + GICD_IPRIORITYR + i, HV_PRIORITY * 0x01010101U);
	for (uint32_t i = 32; i < lines && i < 1020; i++)
		mmio_write64(PLAT_GICD_BASE + GICD_IROUTER + 8 * i, 0);
	mmio_write32(PLAT_GICD_BASE + GICD_CTLR, GICD_CTLR_ARE | GICD_CTLR_ENABLE_GRP1);
	gicd_wait_rwp();
}

/* Find the redistributor whose GICR_TYPER affinity matches `mpidr`. */
static uintptr_t find_rd(uint64_t mpidr)
{
	uint64_t aff = (mpidr & 0xffffffULL) | ((mpidr >> 32 & 0xff) << 24);

	for (uintptr_t rd = PLAT_GICR_BASE;; rd += PLAT_GICR_STRIDE) {
		uint64_t typer = mmio_read64(rd + GICR_TYPER);
		if ((typer >> 32) == aff)
			return rd;
		if (typer & GICR_TYPER_LAST)
			return 0;
	}
}

void arch_gic_cpu_init(uint32_t cpu)
{
	uintptr_t rd = find_rd(read_mpidr_el1());

	if (!rd)
		PANIC("no redistributor for CPU %u", cpu);
	rd_base[cpu] = rd;
	mmio_write32(rd + GICR_WAKER, mmio_read32(rd + GICR_WAKER) & ~(uint32_t)GICR_WAKER_PROCESSOR_SLEEP);
	for (uint32_t i = 0; i < POLL_LIMIT && (mmio_read32(rd + GICR_WAKER) & GICR_WAKER_CHILDREN_ASLEEP); i++)
		;
	uintptr_t sgi = rd + GICR_SGI_FRAME;
	mmio_write32(sgi + GICD_ICENABLER, 0xffffffffU);
	mmio_write32(sgi + GICD_ICPENDR, 0xffffffffU);
	mmio_write32(sgi + GICD_ICACTIVER, 0xffffffffU);
	mmio_write32(sgi + GICD_IGROUPR, 0xffffffffU);
	for (uint32_t i = 0; i < 32; i += 4)
		mmio_write32(sgi + GICD_IPRIORITYR + i, HV_PRIORITY * 0x01010101U);
	mmio_write32(sgi + GICD_ISENABLER, BIT(HV_SGI_KICK) | BIT(PLAT_GIC_MAINT_INTID) | BIT(PLAT_TIMER_HYP_INTID));

	write_icc_sre_el2(0xf); /* SRE, DFB, DIB, and EL1 may use its system registers */
	isb();
	write_icc_pmr_el1(0xff);
	write_icc_bpr1_el1(0);
	write_icc_ctlr_el1(ICC_CTLR_EOIMODE);
	write_icc_igrpen1_el1(1);
	lr_count = (uint32_t)(read_ich_vtr_el2() & 0x1f) + 1;
	write_ich_vmcr_el2(0);
	ich_hcr[cpu] = ICH_HCR_EN;
	write_ich_hcr_el2(ICH_HCR_EN);
	isb();
}

uint32_t arch_lr_count(void)
{
	return lr_count < VGIC_MAX_LRS ? lr_count : VGIC_MAX_LRS;
}

uint32_t arch_irq_ack(void)
{
	uint32_t intid = (uint32_t)read_icc_iar1_el1();

	dsb_sy(); /* the acknowledge completes before we look at device state */
	return intid;
}

void arch_irq_priority_drop(uint32_t intid)
{
	write_icc_eoir1_el1(intid);
	isb();
}

void arch_irq_deactivate(uint32_t intid)
{
	write_icc_dir_el1(intid);
	isb();
}

/* The register block holding `intid`'s bit: the distributor, or a CPU's SGI frame. */
static uintptr_t bank(uint32_t intid, uint32_t pcpu)
{
	if (intid >= 32)
		return PLAT_GICD_BASE;
	return rd_base[pcpu < FV_MAX_CPUS ? pcpu : 0] + GICR_SGI_FRAME;
}

static void set_bit_reg(uint32_t reg, uint32_t intid, uint32_t pcpu)
{
	uintptr_t base = bank(intid, pcpu);

	if (base == GICR_SGI_FRAME) /* that CPU's redistributor is not known yet */
		return;
	mmio_write32(base + reg + (intid / 32) * 4, 1U << (intid % 32));
}

static bool test_bit_reg(uint32_t reg, uint32_t intid, uint32_t pcpu)
{
	uintptr_t base = bank(intid, pcpu);

	if (base == GICR_SGI_FRAME)
		return false;
	return mmio_read32(base + reg + (intid / 32) * 4) & (1U << (intid % 32));
}

void arch_irq_enable(uint32_t intid, uint32_t pcpu)
{
	if (intid >= 32 && pcpu < pcpu_count) {
		uint64_t m = pcpus[pcpu].mpidr;
		mmio_write64(PLAT_GICD_BASE + GICD_IROUTER + 8 * intid, m & 0xff00ffffffULL);
	}
	set_bit_reg(GICD_ISENABLER, intid, pcpu);
}

void arch_irq_disable(uint32_t intid, uint32_t pcpu)
{
	set_bit_reg(GICD_ICENABLER, intid, pcpu);
}

void arch_irq_set_pending(uint32_t intid, uint32_t pcpu, bool pending)
{
	set_bit_reg(pending ? GICD_ISPENDR : GICD_ICPENDR, intid, pcpu);
}

void arch_irq_clear_active(uint32_t intid, uint32_t pcpu)
{
	set_bit_reg(GICD_ICACTIVER, intid, pcpu);
}

/*
 * One GICD_ICFGR word holds the trigger of 16 SPIs, which may belong to
 * different VMs configuring them at the same moment: the read-modify-write
 * is serialised board-wide (innermost lock: under a VM's vGIC lock). And
 * changing Int_config while the interrupt is enabled is UNPREDICTABLE (GICv3
 * architecture specification, the GICD_ICFGR<n> description), so it is
 * disabled around the change, the disable seen to complete first (RWP).
 */
static struct spinlock icfgr_lock = SPINLOCK_INIT;

void arch_irq_set_edge(uint32_t intid, bool edge)
{
	if (intid < 32)
		return;
	uintptr_t reg = PLAT_GICD_BASE + GICD_ICFGR + (intid / 16) * 4;
	uint32_t bit = 2U << (2 * (intid % 16));

	spin_lock(&icfgr_lock);
	uint32_t v = mmio_read32(reg);
	uint32_t want = edge ? v | bit : v & ~bit;
	if (want != v) {
		bool enabled = test_bit_reg(GICD_ISENABLER, intid, 0);
		if (enabled) {
			set_bit_reg(GICD_ICENABLER, intid, 0);
			gicd_wait_rwp();
		}
		mmio_write32(reg, want);
		if (enabled)
			set_bit_reg(GICD_ISENABLER, intid, 0);
	}
	spin_unlock(&icfgr_lock);
}

void arch_kick_cpu(uint32_t pcpu)
{
	if (pcpu >= pcpu_count)
		return;
	uint64_t m = pcpus[pcpu].mpidr;
	uint64_t v = ((uint64_t)HV_SGI_KICK << 24) | (((m >> 8) & 0xff) << 16) | (((m >> 16) & 0xff) << 32) |
		     (((m >> 32) & 0xff) << 48) | (1ULL << (m & 0xf));
	/* Requests written before the SGI that announces them (Arm ARM B2.3). */
	dsb_ish();
	write_icc_sgi1r_el1(v);
	isb();
}

uint64_t arch_lr_read(uint32_t n)
{
	return read_ich_lr(n);
}

void arch_lr_write(uint32_t n, uint64_t value)
{
	write_ich_lr(n, value);
}

static void set_ich_hcr(uint64_t value)
{
	uint32_t cpu = arch_cpu_index();

	if (ich_hcr[cpu] == value)
		return;
	ich_hcr[cpu] = value;
	write_ich_hcr_el2(value);
}

void arch_vgic_underflow_irq(bool enable)
{
	set_ich_hcr(enable ? ICH_HCR_EN | ICH_HCR_UIE : ICH_HCR_EN);
}

uint32_t arch_lr_empty(void)
{
	return (uint32_t)read_ich_elrsr_el2();
}
/*
 * The virtual CPU interface as a CPU out of reset has it: no list register
 * holds anything, no priority is active (ICH_AP0R<n>/AP1R<n>: as many as
 * ICH_VTR_EL2.PREbits implies, GICv3 §12.5.1-2), and ICH_VMCR_EL2 (the
 * guest's PMR, BPRs, group enables, EOImode) is zero.
 */
void arch_vgic_reset(void)
{
	uint32_t pre_bits = (uint32_t)((read_ich_vtr_el2() >> 26) & 7) + 1;

	for (uint32_t n = 0; n < arch_lr_count(); n++)
		write_ich_lr(n, 0);
	write_ich_ap0r0_el2(0);
	write_ich_ap1r0_el2(0);
	if (pre_bits >= 6) {
		write_ich_ap0r1_el2(0);
		write_ich_ap1r1_el2(0);
	}
	if (pre_bits == 7) {
		write_ich_ap0r2_el2(0);
		write_ich_ap0r3_el2(0);
		write_ich_ap1r2_el2(0);
		write_ich_ap1r3_el2(0);
	}
	write_ich_vmcr_el2(0);
	ich_hcr[arch_cpu_index()] = ICH_HCR_EN;
	write_ich_hcr_el2(ICH_HCR_EN);
	isb();
}

#define LR_CASE(n, crm, op2)                                                   \
	case n:                                                                \
		__asm__ volatile("mrs %0, s3_4_c12_" #crm "_" #op2 : "=r"(v)); \
		break;
#define LR_WCASE(n, crm, op2) \
	case n: __asm__ volatile("msr s3_4_c12_" #crm "_" #op2 ", %0" : : "r"(v)); break;

uint64_t read_ich_lr(unsigned int n)
{
	uint64_t v = 0;

	switch (n) {
		LR_CASE(0, c12, 0)
		LR_CASE(1, c12, 1)
		LR_CASE(2, c12, 2)
		LR_CASE(3, c12, 3)
		LR_CASE(4, c12, 4)
		LR_CASE(5, c12, 5)
		LR_CASE(6, c12, 6)
		LR_CASE(7, c12, 7)
		LR_CASE(8, c13, 0)
		LR_CASE(9, c13, 1)
		LR_CASE(10, c13, 2)
		LR_CASE(11, c13, 3)
		LR_CASE(12, c13, 4)
		LR_CASE(13, c13, 5)
		LR_CASE(14, c13, 6)
		LR_CASE(15, c13, 7)
	}
	return v;
}

void write_ich_lr(unsigned int n, uint64_t v)
{
	switch (n) {
		LR_WCASE(0, c12, 0)
		LR_WCASE(1, c12, 1)
		LR_WCASE(2, c12, 2)
		LR_WCASE(3, c12, 3)
		LR_WCASE(4, c12, 4)
		LR_WCASE(5, c12, 5)
		LR_WCASE(6, c12, 6)
		LR_WCASE(7, c12, 7)
		LR_WCASE(8, c13, 0)
		LR_WCASE(9, c13, 1)
		LR_WCASE(10, c13, 2)
		LR_WCASE(11, c13, 3)
		LR_WCASE(12, c13, 4)
		LR_WCASE(13, c13, 5)
		LR_WCASE(14, c13, 6)
		LR_WCASE(15, c13, 7)
	}
}
