/* SPDX-License-Identifier: MIT */
/*
 * The reference board, QEMU virt (AArch64, virtualization=on, secure=off,
 * gic-version=3), and the board each VM sees. Shared by the hypervisor and
 * the image tool, so that the guest device trees the tool writes describe
 * exactly the devices the hypervisor emulates. The hypervisor checks the live
 * board tree against the physical half of this file at boot.
 * Facts: ../shared/PLATFORM.md; QEMU hw/arm/virt.c memory map.
 */
#ifndef PLAT_LAYOUT_H
#define PLAT_LAYOUT_H

#define PLAT_NAME "qemu-virt"

/* ---- the physical board ---- */
#define PLAT_FLASH_BASE 0x00000000ULL
#define PLAT_FLASH_SIZE 0x04000000ULL /* bank 0, 64 MiB */
#define PLAT_RAM_BASE 0x40000000ULL
#define PLAT_DTB_ADDR 0x40000000ULL      /* QEMU's board tree at the base of RAM */
#define PLAT_RAM_MAX_END 0x4000000000ULL /* RAM ends by 256 GiB: higher are PCIe windows */
#define PLAT_DTB_MAX 0x00100000ULL
#define PLAT_GICD_BASE 0x08000000ULL
#define PLAT_GICD_SIZE 0x00010000ULL
#define PLAT_GICR_BASE 0x080a0000ULL
#define PLAT_GICR_STRIDE 0x00020000ULL /* RD_base + SGI_base frames per CPU */
#define PLAT_UART_BASE 0x09000000ULL
#define PLAT_UART_INTID 33U
#define PLAT_UART_CLOCK_HZ 24000000U
#define PLAT_VIRTIO_BASE 0x0a000000ULL
#define PLAT_VIRTIO_STRIDE 0x200ULL
#define PLAT_VIRTIO_INTID_BASE 48U      /* slot n raises SPI 16 + n */
#define PLAT_MMIO_LOW_END 0x40000000ULL /* devices and flash live below RAM */

/* Architected timer PPIs (INTIDs). */
#define PLAT_TIMER_SEC_PHYS_INTID 29U
#define PLAT_TIMER_PHYS_INTID 30U
#define PLAT_TIMER_VIRT_INTID 27U
#define PLAT_TIMER_HYP_INTID 26U
#define PLAT_GIC_MAINT_INTID 25U

/* ---- the board each VM sees (guest-physical addresses) ---- */
#define VBOARD_GICD_BASE PLAT_GICD_BASE
#define VBOARD_GICD_SIZE PLAT_GICD_SIZE
#define VBOARD_GICR_BASE PLAT_GICR_BASE
#define VBOARD_GICR_STRIDE PLAT_GICR_STRIDE
#define VBOARD_UART_BASE PLAT_UART_BASE /* an emulated PL011, one per VM */
#define VBOARD_UART_SIZE 0x1000ULL
#define VBOARD_UART_INTID PLAT_UART_INTID
#define VBOARD_SPI_COUNT 96U /* INTIDs 32..127 exist in every VM */

#endif
