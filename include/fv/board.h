/* SPDX-License-Identifier: MIT */
/*
 * The board as read from the live device tree QEMU leaves at the base of RAM
 * (core/boot/board.c). Only what the hypervisor needs: CPUs, RAM, GIC, UART,
 * timer interrupts, the flash and the virtio-mmio transports.
 */
#ifndef FV_BOARD_H
#define FV_BOARD_H

#include <fv/limits.h>
#include <fv/manifest.h>
#include <fv/types.h>

#define BOARD_MAX_CPUS_SEEN 64 /* CPUs counted; the first FV_MAX_CPUS are usable */

struct board_virtio {
	uint64_t base;
	uint64_t size;
	uint32_t intid;
};

struct board {
	char model[64];
	uint32_t cpu_count;      /* CPUs the hypervisor can drive (<= FV_MAX_CPUS) */
	uint32_t cpu_count_seen; /* CPUs the tree lists */
	uint64_t cpu_mpidr[FV_MAX_CPUS];
	uint64_t ram_base;
	uint64_t ram_size;
	uint64_t gicd_base, gicd_size;
	uint64_t gicr_base, gicr_size;
	uint64_t uart_base;
	uint32_t uart_intid;
	uint32_t timer_intid[4];         /* secure phys, phys, virt, hyp (INTIDs) */
	uint64_t flash_base, flash_size; /* bank 0 */
	uint32_t virtio_count;
	struct board_virtio virtio[FV_VIRTIO_SLOTS]; /* ascending address = slot */
	bool psci_smc;
};

/* Parse the board tree; reports what is missing or malformed. */
bool board_parse(struct board *b, const void *blob, size_t avail, struct diag *d);

#endif
