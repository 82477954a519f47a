/* SPDX-License-Identifier: MIT */
/*
 * Every kind of device a VM can have, listed once. The image tool reads this
 * list to write each device's guest device-tree node (tools/fvimage/guestdt.c,
 * `<prefix>_dt`) and the validator (core/boot/manifest.c) to check each
 * manifest device entry; the hypervisor to create the device's model
 * (core/dev/table.c, `<prefix>_kind` in the device's own file). What one VM
 * has is the list of device entries in its manifest (struct manifest_device):
 * that is the one description both sides read. docs/devices.md walks through
 * adding a device.
 *
 * X(NAME, code, model, prefix, flags, size)
 *   NAME    DEVICE_<NAME>, the kind in a manifest entry
 *   code    its number in the flash format (never reused)
 *   model   its name in messages
 *   prefix  of its functions: <prefix>_kind (hypervisor), <prefix>_dt (tool)
 *   flags   DEVKIND_*
 *   size    its register window (per vCPU with DEVKIND_PER_VCPU)
 */
#ifndef FV_DEVICES_H
#define FV_DEVICES_H

#include <fv/types.h>
#include <plat/layout.h>

#define DEVKIND_PASSTHROUGH BIT(0) /* a board device window: pa is the board's, the rest is checked against it */
#define DEVKIND_REQUIRED BIT(1)    /* every VM has exactly one */
#define DEVKIND_SINGLE BIT(2)      /* at most one per VM */
#define DEVKIND_IRQ BIT(3)         /* drives an SPI of its own */
#define DEVKIND_PER_VCPU BIT(4)    /* the window is `size` per vCPU */

#define DEVICE_KINDS(X)                                                                                      \
	X(VIRTIO_MMIO, 1, "virtio-mmio", passthrough, DEVKIND_PASSTHROUGH | DEVKIND_IRQ, PLAT_VIRTIO_STRIDE) \
	X(GICD, 2, "gicv3-distributor", vgicd, DEVKIND_REQUIRED, VBOARD_GICD_SIZE)                           \
	X(GICR, 3, "gicv3-redistributors", vgicr, DEVKIND_REQUIRED | DEVKIND_PER_VCPU, VBOARD_GICR_STRIDE)   \
	X(PL011, 4, "pl011", vpl011, DEVKIND_REQUIRED | DEVKIND_IRQ, 0x1000ULL)                              \
	X(SP805, 5, "sp805", vwdt, DEVKIND_SINGLE | DEVKIND_IRQ, 0x1000ULL)

enum device_kind {
#define DEVICE_KIND_ENUM(name, code, model, prefix, flags, size) DEVICE_##name = (code),
	DEVICE_KINDS(DEVICE_KIND_ENUM)
#undef DEVICE_KIND_ENUM
};

struct device_kind_info {
	uint32_t kind;
	const char *model;
	uint32_t flags;
	uint64_t size;
};

/* What the list says of a kind; NULL for a kind it does not have. */
const struct device_kind_info *device_kind_info(uint32_t kind);

#endif
