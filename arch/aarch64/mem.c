// SPDX-License-Identifier: MIT
/*
 * Memory services: the identity map between physical addresses and
 * hypervisor pointers, cache maintenance to the point of coherency (Arm ARM
 * D7.5 "Cache maintenance instructions"), bulk copy and zeroing, and device
 * access on a guest's behalf.
 */
#include <arch/internal.h>
#include <arch/mmio.h>
#include <arch/sysreg.h>
#include <fv/arch/cpu.h>
#include <fv/arch/mem.h>
#include <fv/limits.h>
#include <fv/s2.h>
#include <fv/sha256.h>
#include <fv/string.h>

void *arch_phys_to_ptr(paddr_t pa)
{
	return (void *)(uintptr_t)pa_addr(pa); /* EL2 maps physical memory 1:1 */
}

paddr_t arch_ptr_to_phys(const void *p)
{
	return pa_init((uint64_t)(uintptr_t)p);
}

static uint64_t dcache_line(void)
{
	return 4ULL << ((read_ctr_el0() >> 16) & 0xf); /* CTR_EL0.DminLine, log2 words */
}

void arch_dcache_clean_inval(void *p, size_t n)
{
	uint64_t line = dcache_line();
	uint64_t a = (uint64_t)(uintptr_t)p & ~(line - 1);
	uint64_t end = (uint64_t)(uintptr_t)p + n;

	dsb_sy(); /* earlier stores first */
	for (; a < end; a += line)
		__asm__ volatile("dc civac, %0" : : "r"(a) : "memory");
	dsb_sy(); /* maintenance complete before anyone relies on it */
}

void arch_icache_invalidate_all(void)
{
	__asm__ volatile("ic ialluis" ::: "memory");
	dsb_ish();
	isb();
}

void arch_zero_pages(void *p, size_t n)
{
	uint64_t dczid = read_dczid_el0();
	uint64_t block = 4ULL << (dczid & 0xf);

	if ((dczid & BIT(4)) || ((uintptr_t)p | n) & (block - 1)) {
		memset(p, 0, n); /* DC ZVA prohibited or misaligned */
		return;
	}
	for (uint8_t *a = p; a < (uint8_t *)p + n; a += block)
		__asm__ volatile("dc zva, %0" : : "r"(a) : "memory");
	dsb_ish();
}

static bool loading[FV_MAX_CPUS]; /* this CPU is loading a VM: FP/SIMD free */

void arch_load_begin(void)
{
	arch_sme_stop(); /* a guest may have left streaming mode on: SIMD would trap */
	loading[arch_cpu_index()] = true;
}

void arch_load_end(void)
{
	arch_fpsimd_zero(); /* nothing of ours in the guest's registers */
	loading[arch_cpu_index()] = false;
}

void arch_copy(void *dst, const void *src, size_t n)
{
	if (loading[arch_cpu_index()] && (((uintptr_t)dst | (uintptr_t)src) & 15) == 0 && n >= 64) {
		size_t bulk = n & ~(size_t)63;
		arch_load_copy(dst, src, bulk);
		dst = (uint8_t *)dst + bulk;
		src = (const uint8_t *)src + bulk;
		n -= bulk;
	}
	if ((((uintptr_t)dst | (uintptr_t)src | n) & 15) == 0) {
		uint64_t *d = dst;
		const uint64_t *s = src;
		for (size_t i = 0; i < n / 8; i += 2) {
			uint64_t a = s[i], b = s[i + 1];
			d[i] = a;
			d[i + 1] = b;
		}
		return;
	}
	memcpy(dst, src, n);
}

uint64_t arch_mmio_read(paddr_t pa, unsigned int width)
{
	uintptr_t a = (uintptr_t)pa_addr(pa);

	switch (width) {
	case 1: return mmio_read8(a);
	case 2: return mmio_read16(a);
	case 4: return mmio_read32(a);
	default: return mmio_read64(a);
	}
}

void arch_mmio_write(paddr_t pa, unsigned int width, uint64_t value)
{
	uintptr_t a = (uintptr_t)pa_addr(pa);

	switch (width) {
	case 1: mmio_write8(a, (uint8_t)value); break;
	case 2: mmio_write16(a, (uint16_t)value); break;
	case 4: mmio_write32(a, (uint32_t)value); break;
	default: mmio_write64(a, value); break;
	}
}

bool arch_sha256_blocks(uint32_t h[8], const uint8_t *data, size_t count)
{
	/* ID_AA64ISAR0_EL1.SHA2 [15:12]: the SHA-256 instructions are there */
	if (!loading[arch_cpu_index()] || ((read_id_aa64isar0_el1() >> 12) & 0xf) == 0)
		return false; /* the portable implementation runs */
	arch_sha256_ce(h, data, count);
	return true;
}
