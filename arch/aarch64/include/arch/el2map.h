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
} __attribute__((aligned(4096)));

/* Where things are: physical addresses, the image's from the linker. */
struct el2_layout {
	uint64_t flash_end;  /* flash from 0: read-only Normal; then devices up to 1 GiB */
	uint64_t image;      /* the link address: 4 MiB mapped page by page from here */
	uint64_t text_end;   /* [image, text_end) code, read-only and executable */
	uint64_t rodata_end; /* [text_end, rodata_end) constants; the rest data */
};

/* Fill m: flash, devices, the image, and RAM [ram_base, ram_base + ram_size) as Normal memory. */
void el2_map_build(struct el2_map *m, const struct el2_layout *l, uint64_t ram_base, uint64_t ram_size);

#endif
