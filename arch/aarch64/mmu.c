// SPDX-License-Identifier: MIT
/*
 * Installing the hypervisor's own address space (EL2 stage 1, Arm ARM D8),
 * as arch/aarch64/el2map.c builds it.
 */
#include <arch/el2map.h>
#include <arch/internal.h>
#include <arch/sysreg.h>
#include <fv/arch/mem.h>
#include <fv/plat.h>
#include <fv/types.h>

#define MAIR_DEVICE_NGNRNE 0x00ULL
#define MAIR_DEVICE_NGNRE 0x04ULL
#define MAIR_NORMAL_WB 0xffULL

#define TCR_T0SZ_39 25ULL
#define TCR_IRGN0_WB (1ULL << 8)
#define TCR_ORGN0_WB (1ULL << 10)
#define TCR_SH0_INNER (3ULL << 12)
#define TCR_PS_SHIFT 16
#define TCR_EL2_RES1 (BIT(31) | BIT(23))

#define SCTLR_M BIT(0)
#define SCTLR_C BIT(2)
#define SCTLR_SA BIT(3)
#define SCTLR_I BIT(12)
#define SCTLR_WXN BIT(19)
#define SCTLR_EL2_RES1 0x30c50830ULL

static struct el2_map el2_map;

extern char _start[], __text_end[], __rodata_end[], __hv_ram_base[], __hv_ram_size[];

/* The PA size field (TCR.PS, VTCR.PS) for min(the CPU's PA range, 40 bits). */
uint64_t arch_pa_size_field(void)
{
	uint64_t parange = read_id_aa64mmfr0_el1() & 0xf;

	return parange < 2 ? parange : 2; /* 0: 32 bits, 1: 36, 2: 40 */
}

static struct el2_layout layout(void)
{
	return (struct el2_layout){
		.flash_end = PLAT_FLASH_BASE + PLAT_FLASH_SIZE,
		.image = (uint64_t)(uintptr_t)_start,
		.text_end = (uint64_t)(uintptr_t)__text_end,
		.rodata_end = (uint64_t)(uintptr_t)__rodata_end,
		.hv_ram_base = (uint64_t)(uintptr_t)__hv_ram_base,
		.hv_ram_size = (uint64_t)(uintptr_t)__hv_ram_size,
	};
}

/* Built once by the boot CPU with its MMU off (plain stores reach memory). */
void arch_mmu_build(void)
{
	struct el2_layout l = layout();

	el2_map_init(&el2_map, &l);
}

/*
 * Called once, by the boot CPU, with its MMU on and before any other CPU
 * starts. Entries go from invalid to valid only, so no TLB entry can be
 * stale (a translation fault is never cached): the table writes need only
 * reach the table walker (DSB) before an access relies on them (ISB).
 */
bool arch_map_board_ram(paddr_t base, uint64_t size)
{
	struct el2_layout l = layout();

	if (!el2_map_ram(&el2_map, &l, pa_addr(base), size))
		return false;
	dsb_ishst();
	isb();
	return true;
}

void arch_mmu_enable(void)
{
	write_mair_el2(MAIR_DEVICE_NGNRNE | (MAIR_DEVICE_NGNRE << 8) | (MAIR_NORMAL_WB << 16));
	write_tcr_el2(TCR_EL2_RES1 | TCR_T0SZ_39 | TCR_IRGN0_WB | TCR_ORGN0_WB | TCR_SH0_INNER |
		      (arch_pa_size_field() << TCR_PS_SHIFT));
	write_ttbr0_el2((uint64_t)(uintptr_t)el2_map.l1);
	/* Table writes done, stale TLB entries gone, before translation starts. */
	dsb_sy();
	__asm__ volatile("tlbi alle2" ::: "memory");
	__asm__ volatile("ic iallu" ::: "memory");
	dsb_sy();
	isb();
	write_sctlr_el2(SCTLR_EL2_RES1 | SCTLR_M | SCTLR_C | SCTLR_SA | SCTLR_I | SCTLR_WXN);
	isb(); /* the new translation regime applies from the next instruction */
}
