// SPDX-License-Identifier: MIT
/*
 * The hypervisor's own address space (EL2 stage 1, Arm ARM D8): an identity
 * map, 4 KiB granule, 39-bit VA, walk from level 1. Below RAM, 2 MiB blocks:
 * flash bank 0 as read-only normal memory, the rest as Device-nGnRE. RAM is
 * read/write normal write-back and execute-never, except the hypervisor's
 * own image, mapped by 4 KiB pages: its code read-only and executable, its
 * constants read-only, its data writable. With SCTLR_EL2.WXN nothing is both
 * writable and executable: a stray write cannot become code.
 */
#include <arch/internal.h>
#include <arch/sysreg.h>
#include <fv/plat.h>
#include <fv/types.h>

#define MAIR_DEVICE_NGNRNE 0x00ULL
#define MAIR_DEVICE_NGNRE 0x04ULL
#define MAIR_NORMAL_WB 0xffULL
#define ATTR_DEVICE 1U /* MAIR index */
#define ATTR_NORMAL 2U

#define PTE_VALID BIT(0)
#define PTE_TABLE BIT(1)
#define PTE_ATTR(i) ((uint64_t)(i) << 2)
#define PTE_AP_RO BIT(7)
#define PTE_AP1_RES1 BIT(6) /* AP[1] is RES1 in a one-VA-range regime */
#define PTE_SH_INNER (3ULL << 8)
#define PTE_AF BIT(10)
#define PTE_XN BIT(54)

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

static uint64_t l1[512] __attribute__((aligned(4096)));
static uint64_t l2_low[512] __attribute__((aligned(4096)));   /* the first GiB: flash and devices */
static uint64_t l2_hv[512] __attribute__((aligned(4096)));    /* the GiB the hypervisor lives in */
static uint64_t l3_hv[2][512] __attribute__((aligned(4096))); /* its image, page by page */

extern char _start[], __text_end[], __rodata_end[];

static uint64_t block(uint64_t pa, unsigned int attr, uint64_t extra)
{
	uint64_t d = pa | PTE_VALID | PTE_AF | PTE_ATTR(attr) | PTE_AP1_RES1 | extra;

	if (attr == ATTR_NORMAL)
		d |= PTE_SH_INNER;
	return d;
}

/* The PA size field (TCR.PS, VTCR.PS) for min(the CPU's PA range, 40 bits). */
uint64_t arch_pa_size_field(void)
{
	uint64_t parange = read_id_aa64mmfr0_el1() & 0xf;

	return parange < 2 ? parange : 2; /* 0: 32 bits, 1: 36, 2: 40 */
}

/* The 4 MiB from the link address, page by page, by what each page holds. */
static void map_image(uint64_t base)
{
	uint64_t text_end = (uint64_t)(uintptr_t)__text_end;
	uint64_t rodata_end = (uint64_t)(uintptr_t)__rodata_end;

	for (uint64_t t = 0; t < 2; t++) {
		for (uint64_t i = 0; i < 512; i++) {
			uint64_t pa = base + t * SZ_2M + i * SZ_4K;
			uint64_t extra = PTE_XN; /* data */
			if (pa < text_end)
				extra = PTE_AP_RO; /* code */
			else if (pa < rodata_end)
				extra = PTE_AP_RO | PTE_XN;                      /* constants */
			l3_hv[t][i] = block(pa, ATTR_NORMAL, extra) | PTE_TABLE; /* a page descriptor */
		}
		l2_hv[(base + t * SZ_2M) / SZ_2M % 512] = (uint64_t)(uintptr_t)l3_hv[t] | PTE_VALID | PTE_TABLE;
	}
}

/* Built once by the boot CPU with its MMU off (plain stores reach memory). */
void arch_mmu_build(uint64_t ram_base, uint64_t ram_size)
{
	for (uint64_t i = 0; i < 512; i++) {
		uint64_t pa = i * SZ_2M;
		if (pa < PLAT_FLASH_BASE + PLAT_FLASH_SIZE)
			l2_low[i] = block(pa, ATTR_NORMAL, PTE_AP_RO | PTE_XN);
		else
			l2_low[i] = block(pa, ATTR_DEVICE, PTE_XN);
	}
	l1[0] = (uint64_t)(uintptr_t)l2_low | PTE_VALID | PTE_TABLE;
	uint64_t image = (uint64_t)(uintptr_t)_start;
	for (uint64_t gb = ram_base / SZ_1G; gb < 512 && gb * SZ_1G < ram_base + ram_size; gb++)
		l1[gb] = block(gb * SZ_1G, ATTR_NORMAL, PTE_XN);
	/* the GiB holding the image: 2 MiB blocks, and pages for the image itself */
	uint64_t gb = image / SZ_1G;
	for (uint64_t i = 0; i < 512; i++)
		l2_hv[i] = block(gb * SZ_1G + i * SZ_2M, ATTR_NORMAL, PTE_XN);
	map_image(image);
	l1[gb] = (uint64_t)(uintptr_t)l2_hv | PTE_VALID | PTE_TABLE;
}

void arch_mmu_enable(void)
{
	write_mair_el2(MAIR_DEVICE_NGNRNE | (MAIR_DEVICE_NGNRE << 8) | (MAIR_NORMAL_WB << 16));
	write_tcr_el2(TCR_EL2_RES1 | TCR_T0SZ_39 | TCR_IRGN0_WB | TCR_ORGN0_WB | TCR_SH0_INNER |
		      (arch_pa_size_field() << TCR_PS_SHIFT));
	write_ttbr0_el2((uint64_t)(uintptr_t)l1);
	/* Table writes done, stale TLB entries gone, before translation starts. */
	dsb_sy();
	__asm__ volatile("tlbi alle2" ::: "memory");
	__asm__ volatile("ic iallu" ::: "memory");
	dsb_sy();
	isb();
	write_sctlr_el2(SCTLR_EL2_RES1 | SCTLR_M | SCTLR_C | SCTLR_SA | SCTLR_I | SCTLR_WXN);
	isb(); /* the new translation regime applies from the next instruction */
}
