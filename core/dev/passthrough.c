// SPDX-License-Identifier: MIT
/*
 * A board device window given to one VM (today: a virtio-mmio slot). The
 * slot shares its 4 KiB page with other VMs' slots, so it is trapped,
 * checked to lie inside this VM's window, and forwarded unchanged; its
 * interrupt is the board's, delivered to the VM under the same INTID.
 */
#include <fv/arch/mem.h>
#include <fv/device.h>
#include <fv/virq.h>
#include <fv/vm.h>

/* virtio-mmio's Status register, legacy and 1.x alike: writing 0 resets the device (virtio 1.1 §4.2.2). */
#define VIRTIO_MMIO_STATUS 0x070U

/* Inside the slot's window and aligned: safe to forward (refusal() says why not). */
static bool forwardable(const struct manifest_device *d, uint64_t off, unsigned int width)
{
	return off + width <= d->size && off % width == 0;
}

/*
 * Forwarded through the hypervisor's Device mapping, a misaligned access
 * would be an alignment fault at EL2 (Arm ARM B2.5.2). The window is
 * aligned, so the offset's alignment is the address's. An access that was
 * forwarded and still failed was answered by the device with an external
 * abort, which is the guest's: it gets it as its own load or store's.
 */
static const char *refusal(void *state, uint64_t off, unsigned int width)
{
	const struct manifest_device *d = state;

	if (forwardable(d, off, width))
		return "the device answered with an external abort";
	if (off + width > d->size)
		return "access crosses the end of the device window";
	return "misaligned access to a device register";
}

static bool pt_read(void *state, uint64_t off, unsigned int width, uint64_t *value)
{
	const struct manifest_device *d = state;

	return forwardable(d, off, width) && arch_mmio_read(pa_init(d->pa + off), width, value);
}

static bool pt_write(void *state, uint64_t off, unsigned int width, uint64_t value)
{
	const struct manifest_device *d = state;

	return forwardable(d, off, width) && arch_mmio_write(pa_init(d->pa + off), width, value);
}

static bool pt_create(struct vdev *dev, struct vm *vm)
{
	dev->state = (void *)dev->cfg;
	virq_passthrough(vm, dev->cfg->intid, true); /* delivered to this VM from now on */
	return true;
}

/*
 * A VM's devices stop with it. A virtio device left running keeps queues
 * that point into RAM about to be scrubbed and reloaded, and could write
 * into the next run's images (no SMMU stops it); its reset stops it, and
 * the next run's driver starts it from scratch.
 */
static void pt_stop(void *state)
{
	const struct manifest_device *d = state;

	/* a device that aborts the reset cannot be stopped any further: the VM stops anyway */
	(void)arch_mmio_write(pa_init(d->pa + VIRTIO_MMIO_STATUS), 4, 0);
}

static const struct vdev_ops pt_ops = { pt_read, pt_write, NULL, refusal };

const struct vdev_kind passthrough_kind = {
	.kind = DEVICE_VIRTIO_MMIO,
	.ops = &pt_ops,
	.create = pt_create,
	.stop = pt_stop,
};
