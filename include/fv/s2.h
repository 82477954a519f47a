/* SPDX-License-Identifier: MIT */
/*
 * Stage-2 translation tables of a VM (Arm ARM D8, "The AArch64 Virtual
 * Memory System Architecture"): 4 KiB granule, 39-bit IPA, walk starting at
 * level 1. Tables come from a fixed per-VM pool; RAM is mapped with 2 MiB
 * blocks where alignment allows, pages elsewhere. Anything unmapped faults
 * to the hypervisor, which emulates it or injects an abort.
 */
#ifndef FV_S2_H
#define FV_S2_H

#include <fv/types.h>

#define S2_POOL_PAGES 64U /* tables per VM: plenty for a few GiB in 2 MiB blocks */
#define S2_PAGE_SIZE 4096U

enum s2_attr {
	S2_NORMAL_RW, /* guest RAM: normal write-back, read/write, executable */
	S2_DEVICE_RW, /* passthrough device: Device-nGnRE, never executable */
	S2_NORMAL_RO, /* a window read directly, written through a trap (e.g. flash) */
};

struct s2_table {
	uint64_t entry[512];
} __attribute__((aligned(4096)));

struct s2 {
	struct s2_table *pool; /* S2_POOL_PAGES tables, the first is the root */
	uint32_t used;
	uint16_t vmid;
};

/* Start an empty stage 2 using `pool` (S2_POOL_PAGES tables). */
void s2_init(struct s2 *s, struct s2_table *pool, uint16_t vmid);
/* Map [ipa, ipa + size) to [pa, pa + size); all 4 KiB aligned. False if out of tables or already mapped. */
bool s2_map(struct s2 *s, ipaddr_t ipa, paddr_t pa, uint64_t size, enum s2_attr attr);
/* Unmap [ipa, ipa + size), 4 KiB aligned, mapped with s2_map in pieces no
 * larger than the range (a block is never split). False, with nothing
 * changed, if part of it is not mapped or would split a block. The caller
 * publishes the change (arch_s2_flush_vmid) before relying on it. */
bool s2_unmap(struct s2 *s, ipaddr_t ipa, uint64_t size);
/* Walk: the physical address an IPA maps to, if mapped. */
bool s2_translate(const struct s2 *s, ipaddr_t ipa, paddr_t *pa);
/* The root table's physical address, for VTTBR_EL2. */
paddr_t s2_root(const struct s2 *s);

/* Descriptor encoding (arch/aarch64/pte.c). */
uint64_t arch_s2_table_desc(paddr_t next);
uint64_t arch_s2_block_desc(paddr_t pa, unsigned int level, enum s2_attr attr);
bool arch_s2_desc_is_table(uint64_t desc, unsigned int level);
bool arch_s2_desc_valid(uint64_t desc);
paddr_t arch_s2_desc_addr(uint64_t desc);
/* Physical address of a hypervisor pointer (identity on target). */
paddr_t arch_ptr_to_phys(const void *p);

#endif
