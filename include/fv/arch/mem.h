/* SPDX-License-Identifier: MIT */
/*
 * Memory: physical access, caches, image copies, device windows and stage-2 TLB maintenance.
 * Part of the porting layer (docs/porting.md): implemented by arch/aarch64
 * for the hypervisor and by arch/fake for host tests.
 */
#ifndef FV_ARCH_MEM_H
#define FV_ARCH_MEM_H

#include <fv/types.h>

/* The hypervisor's pointer to physical memory (identity-mapped on target). */
void *arch_phys_to_ptr(paddr_t pa);
/* Clean (and invalidate) data cache lines covering [p, p + n) to the PoC. */
void arch_dcache_clean_inval(void *p, size_t n);
void arch_icache_invalidate_all(void);
/* Zero `n` bytes of RAM at p (may use DC ZVA); n is a multiple of 4 KiB. */
void arch_zero_pages(void *p, size_t n);
/* Copy for image loads; may use wide loads/stores. */
void arch_copy(void *dst, const void *src, size_t n);
/*
 * Bracket the loading of a VM on this CPU: in between, no guest runs here,
 * so copies and hashing may use the FP/SIMD registers (and the end clears
 * them again).
 */
void arch_load_begin(void);
void arch_load_end(void);

/*
 * Device access on behalf of a guest (passthrough windows), aligned, of 1,
 * 2, 4 or 8 bytes. False if the device answered with an external abort
 * (synchronous, or an SError taken right after the access): the access
 * failed, *value is untouched, and the hypervisor goes on.
 */
bool arch_mmio_read(paddr_t pa, unsigned int width, uint64_t *value);
bool arch_mmio_write(paddr_t pa, unsigned int width, uint64_t value);

/*
 * Map the board's RAM [base, base + size), as its device tree describes it,
 * into the hypervisor's address space, and nothing beyond it (until then,
 * only the hypervisor's own RAM is mapped). Once, by the boot CPU, before
 * any other starts. False if the RAM does not start with the hypervisor's.
 */
bool arch_map_board_ram(paddr_t base, uint64_t size);

/* Stage 2. */
/* Invalidate stage-1 and stage-2 TLB entries of VMID, all CPUs. */
void arch_s2_flush_vmid(uint16_t vmid, paddr_t root);

#endif
