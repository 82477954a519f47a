/* SPDX-License-Identifier: MIT */
/*
 * The device model: every device of a VM the hypervisor serves (emulated
 * models and passthrough windows alike) is a `struct vdev` in the VM's
 * table, made by its kind (struct vdev_kind, one per file under core/dev/
 * or core/vgic/) from its manifest entry. The trap path finds the device
 * that owns an address in the table and calls its ops; nothing in the trap
 * path knows any device.
 *
 * What a kind provides:
 *   create  make the instance from its manifest entry: state, interrupt
 *           lines, console port... (once, when the VM is created)
 *   reset   back to power-on state (every VM start and restart)
 *   stop    the VM stopped: quiesce anything that still acts on the VM's
 *           memory (a DMA-capable device), before that memory is scrubbed
 *   poll    timed behaviour (the hypervisor timer): returns the counter
 *           time it next needs a look (0: none); sets *crash to a reason
 *           when the device asks for the VM's crash policy (a watchdog)
 * Each is optional but create. Calls to one instance are serialised by the
 * instance's own lock; the table itself never changes after creation.
 */
#ifndef FV_DEVICE_H
#define FV_DEVICE_H

#include <fv/devices.h>
#include <fv/limits.h>
#include <fv/manifest.h>
#include <fv/s2.h>
#include <fv/types.h>

struct vm;

/* Register access: false refuses it (the guest gets an abort, with `refused`
 * or, if the kind has it, refusal()'s reason in the message). */
struct vdev_ops {
	bool (*read)(void *state, uint64_t offset, unsigned int width, uint64_t *value);
	bool (*write)(void *state, uint64_t offset, unsigned int width, uint64_t value);
	const char *refused;
	const char *(*refusal)(void *state, uint64_t offset, unsigned int width);
};

struct vdev;

struct vdev_kind {
	uint32_t kind;       /* enum device_kind */
	uint32_t scan_first; /* how early the trap path looks at it: the most trapped highest, 0 for most */
	const struct vdev_ops *ops;
	bool (*create)(struct vdev *dev, struct vm *vm);
	void (*reset)(void *state);
	void (*stop)(void *state);
	uint64_t (*poll)(void *state, uint64_t now, const char **crash);
};

struct vdev {
	uint64_t base; /* guest-physical window */
	uint64_t last; /* its last byte's offset: size - 1 (the scan reads base and last) */
	uint64_t size;
	const struct vdev_ops *ops;
	void *state; /* set by create */
	const struct vdev_kind *kind;
	const struct manifest_device *cfg;
};

/* A VM's devices, in the order the trap path looks: scan_first, then address;
 * after the last, dev[count], a catch-all that owns every address and
 * refuses every access ("not assigned to this VM"), so the scan needs no
 * end test. */
struct vdev_table {
	uint32_t count;
	struct vdev dev[FV_MAX_VM_DEVICES + 1];
};

/* A create for kinds whose state is the VM itself (the vGIC's frames). */
bool vdev_state_is_vm(struct vdev *dev, struct vm *vm);

/* The kind behind a manifest kind (core/dev/table.c); NULL if none. */
const struct vdev_kind *vdev_kind_of(uint32_t kind);

/* Create every device of the VM's manifest entry; false (logged) if one fails. */
bool vdev_create_all(struct vm *vm);
void vdev_reset_all(struct vm *vm);
void vdev_stop_all(struct vm *vm);
/* Poll the VM's timed devices; the earliest next look (0: none). *crash as for poll. */
uint64_t vdev_poll_all(struct vm *vm, uint64_t now, const char **crash);
/* The state of the VM's first device of `kind`; NULL if it has none. */
void *vdev_state(const struct vm *vm, uint32_t kind);

/*
 * Stage-2 windows a device opens and closes while the VM runs (a flash bank
 * read directly in one mode, trapped in another). The window must lie in
 * the device's own region; the change is visible to every vCPU on return
 * (the TLB invalidation happens under the VM's stage-2 lock). `pa` is the
 * device's own backing (a board flash bank, a buffer of its own): the
 * device answers for it, nothing here knows what else lives there. A
 * device unmaps its windows in its reset, so a restarted VM starts from
 * the trapped state; windows take stage-2 tables from the VM's pool,
 * beyond what the validator counts for its RAM.
 */
bool vdev_map(struct vm *vm, const struct vdev *dev, uint64_t offset, uint64_t pa, uint64_t size, enum s2_attr attr);
bool vdev_unmap(struct vm *vm, const struct vdev *dev, uint64_t offset, uint64_t size);

/* The device whose window holds `ipa`, or the catch-all. A short scan: a VM
 * has a handful of devices and the most trapped come first (docs/performance.md). */
static inline const struct vdev *vdev_lookup(const struct vdev_table *t, uint64_t ipa)
{
	const struct vdev *d = t->dev;

	while (ipa - d->base > d->last)
		d++; /* ends at the catch-all: base 0, last ~0 owns every address */
	return d;
}

/* The device whose window holds `ipa`; NULL if none. */
static inline const struct vdev *vdev_find(const struct vdev_table *t, uint64_t ipa)
{
	const struct vdev *d = vdev_lookup(t, ipa);

	return d == &t->dev[t->count] ? NULL : d;
}

#endif
