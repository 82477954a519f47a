/* SPDX-License-Identifier: MIT */
/*
 * The hypervisor's own translation tables (EL2 stage 1, Arm ARM D8): an
 * identity map, 4 KiB granule, 39-bit VA, walk from level 1. Built by pure
 * functions from a layout, so that the host tests can walk what the
 * hypervisor would use (mmu.c installs it).
 */
#ifndef ARCH_EL2MAP_H
#define ARCH_EL2MAP_H

#include <stdbool.h>
#include <stdint.h>

#define EL2_ATTR_DEVICE 1U /* MAIR_EL2 index: Device-nGnRE */
#define EL2_ATTR_NORMAL 2U /* MAIR_EL2 index: Normal write-back */

struct el2_map {
	uint64_t l1[512];
	uint64_t l2_low[512];   /* the first GiB: flash and devices */
	uint64_t l2_hv[512];    /* the GiB the hypervisor lives in */
	uint64_t l3_hv[2][512]; /* its image, page by page */
	uint64_t l2_tail[512];  /* the GiB where RAM ends, unless that is the hypervisor's */
	uint64_t l3_tail[512];  /* the 2 MiB where RAM ends, if it ends inside one */
} __attribute__((aligned(4096)));

/* Where things are: physical addresses, the image's from the linker. */
struct el2_layout {
	uint64_t flash_end;   /* flash from 0: read-only Normal; then devices up to 1 GiB */
	uint64_t image;       /* the link address: 4 MiB mapped page by page from here */
	uint64_t text_end;    /* [image, text_end) code, read-only and executable */
	uint64_t rodata_end;  /* [text_end, rodata_end) constants; the rest data */
	uint64_t hv_ram_base; /* the RAM the hypervisor owns (2 MiB aligned, in the image's GiB), */
	uint64_t hv_ram_size; /* the board's device tree at its base */
};

/*
 * Fill m (zeroed) with what the hypervisor needs before it knows the board:
 * flash, the devices, and its own RAM, the image page by page.
 */
void el2_map_init(struct el2_map *m, const struct el2_layout *l);
/*
 * Add the board's RAM [base, base + size) as Normal memory, to the page and
 * no further: speculative and prefetching accesses may reach anything
 * mapped Normal, so nothing that is not RAM may be. False if RAM does not
 * start in the hypervisor's GiB, at or below its own RAM, 2 MiB aligned
 * (then nothing is added).
 */
bool el2_map_ram(struct el2_map *m, const struct el2_layout *l, uint64_t base, uint64_t size);

#endif
