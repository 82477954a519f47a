// SPDX-License-Identifier: MIT
/*
 * A VM's device table (include/fv/device.h): made once from the VM's
 * manifest entry, ordered for the trap path's scan (the most trapped
 * kinds first, then by address), and walked for the life-cycle hooks
 * every device kind may have.
 */
#include <fv/arch/mem.h>
#include <fv/device.h>
#include <fv/log.h>
#include <fv/vm.h>

static bool goes_before(const struct vdev_kind *k, uint64_t base, const struct vdev *other)
{
	if (k->scan_first != other->kind->scan_first)
		return k->scan_first > other->kind->scan_first;
	return base < other->base;
}

static bool unassigned_read(void *state, uint64_t offset, unsigned int width, uint64_t *value)
{
	return false;
}

static bool unassigned_write(void *state, uint64_t offset, unsigned int width, uint64_t value)
{
	return false;
}

static const struct vdev_ops unassigned_ops = { unassigned_read, unassigned_write, "not assigned to this VM", NULL };
static const struct vdev_kind unassigned = { .ops = &unassigned_ops };

bool vdev_create_all(struct vm *vm)
{
	struct vdev_table *t = &vm->devs;
	const struct manifest_vm *cfg = vm->cfg;

	const struct vdev catch_all = { 0, ~0ULL, ~0ULL, &unassigned_ops, NULL, &unassigned, NULL };

	t->count = 0;
	t->dev[0] = catch_all; /* the table ends with it at every step */
	for (uint32_t i = 0; i < cfg->device_count && i < FV_MAX_VM_DEVICES; i++) {
		const struct manifest_device *d = &cfg->device[i];
		const struct vdev_kind *k = vdev_kind_of(d->kind);
		if (!k) {
			log_line("%s: device %u: kind %u has no model in this build", vm->name, i, d->kind);
			return false;
		}
		uint32_t at = t->count++;
		for (; at > 0 && goes_before(k, d->ipa, &t->dev[at - 1]); at--)
			t->dev[at] = t->dev[at - 1];
		t->dev[at] = (struct vdev){ d->ipa, d->size - 1, d->size, k->ops, NULL, k, d };
		t->dev[t->count] = catch_all;
	}
	/* created in table order, where they stay: a device may keep its vdev */
	for (uint32_t i = 0; i < t->count; i++) {
		struct vdev *dev = &t->dev[i];
		if (!dev->kind->create(dev, vm)) {
			log_line("%s: cannot create its %s at 0x%llx", vm->name,
				 device_kind_info(dev->cfg->kind)->model, (unsigned long long)dev->base);
			return false;
		}
	}
	return true;
}

bool vdev_state_is_vm(struct vdev *dev, struct vm *vm)
{
	dev->state = vm;
	return true;
}

void vdev_reset_all(struct vm *vm)
{
	for (uint32_t i = 0; i < vm->devs.count; i++)
		if (vm->devs.dev[i].kind->reset)
			vm->devs.dev[i].kind->reset(vm->devs.dev[i].state);
}

void vdev_stop_all(struct vm *vm)
{
	for (uint32_t i = 0; i < vm->devs.count; i++)
		if (vm->devs.dev[i].kind->stop)
			vm->devs.dev[i].kind->stop(vm->devs.dev[i].state);
}

uint64_t vdev_poll_all(struct vm *vm, uint64_t now, const char **crash)
{
	uint64_t next = 0;

	*crash = NULL;
	for (uint32_t i = 0; i < vm->devs.count; i++) {
		const struct vdev *dev = &vm->devs.dev[i];
		if (!dev->kind->poll)
			continue;
		const char *why = NULL;
		uint64_t at = dev->kind->poll(dev->state, now, &why);
		if (why && !*crash)
			*crash = why;
		if (at && (!next || at < next))
			next = at;
	}
	return next;
}

void *vdev_state(const struct vm *vm, uint32_t kind)
{
	for (uint32_t i = 0; i < vm->devs.count; i++)
		if (vm->devs.dev[i].cfg->kind == kind)
			return vm->devs.dev[i].state;
	return NULL;
}

static bool window_ok(const struct vdev *dev, uint64_t offset, uint64_t size)
{
	return size && offset < dev->size && size <= dev->size - offset;
}

bool vdev_map(struct vm *vm, const struct vdev *dev, uint64_t offset, uint64_t pa, uint64_t size, enum s2_attr attr)
{
	if (!window_ok(dev, offset, size))
		return false;
	spin_lock(&vm->s2_lock);
	bool ok = s2_map(&vm->s2, ipa_init(dev->base + offset), pa_init(pa), size, attr);
	if (ok)
		arch_s2_flush_vmid(vm->s2.vmid, s2_root(&vm->s2));
	spin_unlock(&vm->s2_lock);
	return ok;
}

bool vdev_unmap(struct vm *vm, const struct vdev *dev, uint64_t offset, uint64_t size)
{
	if (!window_ok(dev, offset, size))
		return false;
	spin_lock(&vm->s2_lock);
	bool ok = s2_unmap(&vm->s2, ipa_init(dev->base + offset), size);
	if (ok) /* invalidated before anyone may map the range again (break-before-make) */
		arch_s2_flush_vmid(vm->s2.vmid, s2_root(&vm->s2));
	spin_unlock(&vm->s2_lock);
	return ok;
}
