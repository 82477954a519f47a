// SPDX-License-Identifier: MIT
/*
 * The one validator of flash images, run by the image tool before it writes
 * an image and by the hypervisor before it trusts the flash. It checks
 * internal consistency (manifest_validate) and, in the hypervisor, that the
 * live board can host the image (manifest_check_board). Every error names
 * the place in configuration terms ("/vms/<name>", property) and the reason;
 * validation has no side effects and never stops at the first error.
 */
#include <fv/board.h>
#include <fv/fmt.h>
#include <fv/image.h>
#include <fv/manifest.h>
#include <fv/plat.h>
#include <fv/s2.h>
#include <fv/sha256.h>
#include <fv/string.h>

void diag_error(struct diag *d, const char *where, const char *prop, const char *fmt, ...)
{
	char what[200];
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	d->error_count++;
	if (d->report)
		d->report(d, where, prop, what);
}

void manifest_digest(const struct manifest *m, uint8_t out[32])
{
	static const uint8_t zero[32];
	struct sha256 s;
	size_t at = offsetof(struct manifest, sha256);

	sha256_init(&s);
	sha256_update(&s, m, at);
	sha256_update(&s, zero, sizeof(zero));
	sha256_update(&s, (const uint8_t *)m + at + 32, sizeof(*m) - at - 32);
	sha256_final(&s, out);
}

const struct manifest_vm *manifest_find_vm(const struct manifest *m, const char *name)
{
	for (uint32_t i = 0; i < m->vm_count && i < FV_MAX_VMS; i++)
		if (strncmp(m->vm[i].name, name, FV_NAME_MAX) == 0)
			return &m->vm[i];
	return NULL;
}

uint64_t manifest_vm_ram_size(const struct manifest_vm *vm)
{
	uint64_t total = 0;

	for (uint32_t i = 0; i < vm->mem_count && i < FV_MAX_VM_MEM; i++)
		total += vm->mem[i].size;
	return total;
}

bool manifest_vm_ipa_to_pa(const struct manifest_vm *vm, uint64_t ipa, uint64_t size, uint64_t *pa)
{
	for (uint32_t i = 0; i < vm->mem_count && i < FV_MAX_VM_MEM; i++) {
		const struct manifest_mem *r = &vm->mem[i];
		if (range_within(ipa, size, r->ipa, r->size)) {
			*pa = r->pa + (ipa - r->ipa);
			return true;
		}
	}
	return false;
}

/* A VM's node path in the configuration, "/vms/<name>" (names are checked first). */
static void vm_where(const struct manifest_vm *vm, char *buf, size_t size)
{
	fmt_snprintf(buf, size, "/vms/%.*s", (int)strnlen(vm->name, FV_NAME_MAX - 1), vm->name);
}

static bool name_ok(const char *name)
{
	size_t n = strnlen(name, FV_NAME_MAX);

	if (n == 0 || n == FV_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!image_name_char_ok(name[i]))
			return false;
	return true;
}

static void check_header(const struct manifest *m, uint64_t flash_bytes, struct diag *d)
{
	uint8_t digest[32];

	if (m->magic != MANIFEST_MAGIC) {
		diag_error(d, "manifest", NULL, "bad magic: not a Flashvisor image");
		return;
	}
	if (m->version != MANIFEST_VERSION)
		diag_error(d, "manifest", NULL, "version %u, this build reads version %u", m->version,
			   MANIFEST_VERSION);
	if (m->size != sizeof(*m))
		diag_error(d, "manifest", NULL, "size %u, expected %u", m->size, (unsigned int)sizeof(*m));
	manifest_digest(m, digest);
	if (memcmp(digest, m->sha256, sizeof(digest)) != 0)
		diag_error(d, "manifest", NULL, "checksum mismatch: the manifest is corrupt");
	if (m->hv.magic != HV_HEADER_MAGIC)
		diag_error(d, "manifest", "hypervisor", "no hypervisor header");
	if (m->hv.image_size == 0 || m->hv.image_size > MANIFEST_FLASH_OFFSET)
		diag_error(d, "manifest", "hypervisor", "hypervisor binary of %llu bytes exceeds its %llu-byte slot",
			   (unsigned long long)m->hv.image_size, (unsigned long long)MANIFEST_FLASH_OFFSET);
	if (m->hv.ram_size == 0 || range_wraps(m->hv.ram_base, m->hv.ram_size))
		diag_error(d, "manifest", "hypervisor", "bad hypervisor RAM region");
	if (m->board.cpu_count == 0 || m->board.cpu_count > FV_MAX_CPUS)
		diag_error(d, "/board", "cpus", "%u board CPUs: must be 1..%u", m->board.cpu_count, FV_MAX_CPUS);
	if (m->board.ram_size == 0 || range_wraps(m->board.ram_base, m->board.ram_size))
		diag_error(d, "/board", "memory", "empty or wrapping board RAM");
	else if (!range_within(m->hv.ram_base, m->hv.ram_size, m->board.ram_base, m->board.ram_size))
		diag_error(d, "/board", "memory", "board RAM does not contain the hypervisor's RAM [0x%llx, +0x%llx)",
			   (unsigned long long)m->hv.ram_base, (unsigned long long)m->hv.ram_size);
	if (m->image_end < MANIFEST_FLASH_OFFSET + sizeof(*m))
		diag_error(d, "manifest", NULL, "image end 0x%llx inside the manifest",
			   (unsigned long long)m->image_end);
	if (m->image_end > m->board.flash_size)
		diag_error(d, "/board", NULL, "the image needs %llu bytes of flash, the board has %llu",
			   (unsigned long long)m->image_end, (unsigned long long)m->board.flash_size);
	if (m->image_end > flash_bytes)
		diag_error(d, "manifest", NULL, "the image is %llu bytes but only %llu are present (truncated)",
			   (unsigned long long)m->image_end, (unsigned long long)flash_bytes);
	if (m->vm_count == 0 || m->vm_count > FV_MAX_VMS)
		diag_error(d, "/vms", NULL, "%u VMs: must be 1..%u", m->vm_count, FV_MAX_VMS);
	if (m->image_count > FV_MAX_IMAGES)
		diag_error(d, "manifest", NULL, "%u images: at most %u", m->image_count, FV_MAX_IMAGES);
}

static void check_images(const struct manifest *m, struct diag *d)
{
	uint32_t count = MIN(m->image_count, FV_MAX_IMAGES);
	uint64_t first = MANIFEST_FLASH_OFFSET + sizeof(*m);

	for (uint32_t i = 0; i < count; i++) {
		const struct manifest_image *im = &m->image[i];
		char where[64];
		fmt_snprintf(where, sizeof(where), "image %u (%.*s)", i, (int)strnlen(im->name, FV_NAME_MAX - 1),
			     im->name);
		if (strnlen(im->name, FV_NAME_MAX) == FV_NAME_MAX)
			diag_error(d, where, NULL, "name is not terminated");
		if (im->size == 0)
			diag_error(d, where, NULL, "empty image");
		if (im->offset % MANIFEST_IMAGE_ALIGN || im->offset < first ||
		    !range_within(im->offset, im->size, 0, m->image_end))
			diag_error(d, where, NULL, "bad flash placement [0x%llx, +0x%llx)",
				   (unsigned long long)im->offset, (unsigned long long)im->size);
		for (uint32_t j = 0; j < i; j++)
			if (ranges_overlap(im->offset, im->size, m->image[j].offset, m->image[j].size))
				diag_error(d, where, NULL, "overlaps image %u in flash", j);
	}
}

static const struct manifest_image *load_image(const struct manifest *m, const struct manifest_load *l)
{
	if (l->image >= MIN(m->image_count, FV_MAX_IMAGES))
		return NULL;
	return &m->image[l->image];
}

/* A load (kernel, initrd, dtb) must sit in one RAM region and hold its image. */
static void check_load(const struct manifest *m, const struct manifest_vm *vm, const char *where, const char *prop,
		       const struct manifest_load *l, bool required, struct diag *d)
{
	uint64_t pa;

	if (l->image == MANIFEST_NO_IMAGE) {
		if (required)
			diag_error(d, where, prop, "missing");
		return;
	}
	const struct manifest_image *im = load_image(m, l);
	if (!im) {
		diag_error(d, where, prop, "refers to image %u, which does not exist", l->image);
		return;
	}
	if (l->reserve < im->size)
		diag_error(d, where, prop, "%.*s (%llu bytes) is larger than its room (%llu bytes)",
			   (int)strnlen(im->name, FV_NAME_MAX - 1), im->name, (unsigned long long)im->size,
			   (unsigned long long)l->reserve);
	if (!manifest_vm_ipa_to_pa(vm, l->ipa, l->reserve, &pa))
		diag_error(
			d, where, prop,
			"%.*s needs [0x%llx, +0x%llx) in guest memory, which the VM's memory does not hold (the VM has %llu MiB)",
			(int)strnlen(im->name, FV_NAME_MAX - 1), im->name, (unsigned long long)l->ipa,
			(unsigned long long)l->reserve, (unsigned long long)(manifest_vm_ram_size(vm) >> 20));
}

static void check_vm_cpus(const struct manifest *m, uint32_t i, const char *where, struct diag *d)
{
	const struct manifest_vm *vm = &m->vm[i];

	if (vm->cpu_count == 0 || vm->cpu_count > FV_MAX_VCPUS) {
		diag_error(d, where, "cpus", "%u CPUs: a VM needs 1..%u", vm->cpu_count, FV_MAX_VCPUS);
		return;
	}
	for (uint32_t c = 0; c < vm->cpu_count; c++) {
		uint32_t cpu = vm->cpu[c];
		if (cpu >= m->board.cpu_count)
			diag_error(d, where, "cpus", "CPU %u does not exist: the board has %u CPUs (0..%u)", cpu,
				   m->board.cpu_count, m->board.cpu_count - 1);
		for (uint32_t k = 0; k < c; k++)
			if (vm->cpu[k] == cpu)
				diag_error(d, where, "cpus", "CPU %u is listed twice", cpu);
		for (uint32_t o = 0; o < i; o++) {
			const struct manifest_vm *other = &m->vm[o];
			for (uint32_t k = 0; k < other->cpu_count && k < FV_MAX_VCPUS; k++)
				if (other->cpu[k] == cpu)
					diag_error(d, where, "cpus", "CPU %u is already given to /vms/%.*s", cpu,
						   (int)strnlen(other->name, FV_NAME_MAX - 1), other->name);
		}
	}
}

static const struct device_kind_info device_kinds[] = {
#define DEVICE_KIND_INFO(name, code, model, prefix, flags, size) { code, model, flags, size },
	DEVICE_KINDS(DEVICE_KIND_INFO)
#undef DEVICE_KIND_INFO
};

const struct device_kind_info *device_kind_info(uint32_t kind)
{
	for (size_t i = 0; i < ARRAY_SIZE(device_kinds); i++)
		if (device_kinds[i].kind == kind)
			return &device_kinds[i];
	return NULL;
}

static uint32_t device_count(const struct manifest_vm *vm)
{
	return vm->device_count < FV_MAX_VM_DEVICES ? vm->device_count : FV_MAX_VM_DEVICES;
}

static bool is_emulated(const struct manifest_device *dev)
{
	const struct device_kind_info *k = device_kind_info(dev->kind);

	return k && !(k->flags & DEVKIND_PASSTHROUGH);
}

/* Add `key` to a set of at most `max` keys; false when it does not fit. */
static bool set_add(uint64_t *set, uint32_t *n, uint32_t max, uint64_t key)
{
	for (uint32_t k = 0; k < *n; k++)
		if (set[k] == key)
			return true;
	if (*n == max)
		return false;
	set[(*n)++] = key;
	return true;
}

/*
 * The stage-2 tables mapping the VM's RAM takes, as core/vm/s2.c maps it: a
 * 1 GiB block where guest and physical address are both 1 GiB aligned and
 * a whole 1 GiB remains, else 2 MiB blocks likewise, else pages. The root,
 * one level-2 table per 1 GiB slot not mapped whole, one level-3 table per
 * 2 MiB slot not mapped whole. Counting stops past S2_POOL_PAGES.
 */
static uint32_t s2_tables_needed(const struct manifest_vm *vm)
{
	uint64_t l2[S2_POOL_PAGES], l3[S2_POOL_PAGES];
	uint32_t n2 = 0, n3 = 0;

	for (uint32_t r = 0; r < vm->mem_count; r++) {
		uint64_t in = vm->mem[r].ipa, out = vm->mem[r].pa, size = vm->mem[r].size;
		while (size) {
			uint64_t step;
			if (IS_ALIGNED(in | out, SZ_1G) && size >= SZ_1G) {
				step = SZ_1G;
			} else if (!set_add(l2, &n2, S2_POOL_PAGES, in / SZ_1G)) {
				return S2_POOL_PAGES + 1;
			} else if (IS_ALIGNED(in | out, SZ_2M) && size >= SZ_2M) {
				step = SZ_2M;
			} else if (!set_add(l3, &n3, S2_POOL_PAGES, in / SZ_2M)) {
				return S2_POOL_PAGES + 1;
			} else {
				step = SZ_2M - in % SZ_2M; /* pages to the end of this 2 MiB slot */
				step = step < size ? step : size;
			}
			in += step;
			out += step;
			size -= step;
		}
	}
	return 1 + n2 + n3;
}

static void check_vm_memory(const struct manifest *m, uint32_t i, const char *where, struct diag *d)
{
	const struct manifest_vm *vm = &m->vm[i];
	if (vm->mem_count == 0 || vm->mem_count > FV_MAX_VM_MEM) {
		diag_error(d, where, "memory", "%u regions: a VM needs 1..%u", vm->mem_count, FV_MAX_VM_MEM);
		return;
	}
	uint32_t errors = d->error_count;
	for (uint32_t r = 0; r < vm->mem_count; r++) {
		const struct manifest_mem *mr = &vm->mem[r];
		unsigned long long pa = mr->pa, ipa = mr->ipa, size = mr->size;
		if (size == 0 || !IS_ALIGNED(pa | ipa | size, SZ_4K) || range_wraps(pa, size) ||
		    range_wraps(ipa, size)) {
			diag_error(d, where, "memory",
				   "region [0x%llx, +0x%llx) is empty, wraps or is not 4 KiB aligned", pa, size);
			continue;
		}
		if (!range_within(mr->pa, mr->size, m->board.ram_base, m->board.ram_size))
			diag_error(d, where, "memory",
				   "region [0x%llx, 0x%llx] is outside the board's RAM [0x%llx, 0x%llx]", pa,
				   pa + size - 1, (unsigned long long)m->board.ram_base,
				   (unsigned long long)(m->board.ram_base + m->board.ram_size - 1));
		if (ranges_overlap(mr->pa, mr->size, m->hv.ram_base, m->hv.ram_size))
			diag_error(d, where, "memory",
				   "region [0x%llx, 0x%llx] overlaps the hypervisor's RAM [0x%llx, 0x%llx]", pa,
				   pa + size - 1, (unsigned long long)m->hv.ram_base,
				   (unsigned long long)(m->hv.ram_base + m->hv.ram_size - 1));
		if (size > (1ULL << FV_IPA_BITS) || ipa > (1ULL << FV_IPA_BITS) - size) /* ipa + size may wrap to 0 */
			diag_error(d, where, "guest-address",
				   "region at guest address 0x%llx ends beyond the %u-bit guest address space", ipa,
				   FV_IPA_BITS);
		if (ipa < PLAT_MMIO_LOW_END)
			diag_error(d, where, "guest-address",
				   "region at guest address 0x%llx lies in the device area below 0x%llx", ipa,
				   (unsigned long long)PLAT_MMIO_LOW_END);
		for (uint32_t w = 0; w < device_count(vm); w++)
			if (is_emulated(&vm->device[w]) &&
			    ranges_overlap(ipa, size, vm->device[w].ipa, vm->device[w].size))
				diag_error(d, where, "guest-address",
					   "region at guest address 0x%llx covers an emulated device at 0x%llx", ipa,
					   (unsigned long long)vm->device[w].ipa);
		for (uint32_t k = 0; k < r; k++) {
			if (ranges_overlap(mr->pa, mr->size, vm->mem[k].pa, vm->mem[k].size))
				diag_error(d, where, "memory", "regions %u and %u overlap", k, r);
			if (ranges_overlap(mr->ipa, mr->size, vm->mem[k].ipa, vm->mem[k].size))
				diag_error(d, where, "guest-address", "regions %u and %u overlap in guest memory", k,
					   r);
		}
		for (uint32_t o = 0; o < i; o++) {
			const struct manifest_vm *other = &m->vm[o];
			for (uint32_t k = 0; k < other->mem_count && k < FV_MAX_VM_MEM; k++)
				if (ranges_overlap(mr->pa, mr->size, other->mem[k].pa, other->mem[k].size))
					diag_error(
						d, where, "memory",
						"region [0x%llx, 0x%llx] overlaps memory of /vms/%.*s [0x%llx, 0x%llx]",
						pa, pa + size - 1, (int)strnlen(other->name, FV_NAME_MAX - 1),
						other->name, (unsigned long long)other->mem[k].pa,
						(unsigned long long)(other->mem[k].pa + other->mem[k].size - 1));
		}
	}
	if (d->error_count == errors) { /* regions sane: what mapping them takes */
		uint32_t tables = s2_tables_needed(vm);
		if (tables > S2_POOL_PAGES)
			diag_error(
				d, where, "memory",
				"mapping its RAM takes more than %u stage-2 tables, the hypervisor has %u per VM (align regions to 2 MiB, at the same offset in guest and physical memory)",
				S2_POOL_PAGES, S2_POOL_PAGES);
	}
}

/* A board window given to the VM: one of the board's virtio-mmio slots. */
static void check_passthrough(const struct manifest *m, uint32_t i, uint32_t k, const char *where, struct diag *d)
{
	const struct manifest_vm *vm = &m->vm[i];
	const struct manifest_device *dev = &vm->device[k];

	if (!(vm->flags & VM_FLAG_UNISOLATED_DMA))
		diag_error(d, where, "virtio-mmio",
			   "slot %u: a passed-through device can DMA into every VM's memory and the hypervisor's; "
			   "the VM must say it breaks isolation (isolation-breaking-dma)",
			   dev->index);
	if (dev->index >= FV_VIRTIO_SLOTS) {
		diag_error(d, where, "virtio-mmio", "device %u: unknown kind or slot %u (slots are 0..%u)", k,
			   dev->index, FV_VIRTIO_SLOTS - 1);
		return;
	}
	if (dev->pa != PLAT_VIRTIO_BASE + dev->index * PLAT_VIRTIO_STRIDE || dev->ipa != dev->pa ||
	    dev->size != PLAT_VIRTIO_STRIDE || dev->intid != PLAT_VIRTIO_INTID_BASE + dev->index)
		diag_error(d, where, "virtio-mmio", "slot %u: window or interrupt do not match the board", dev->index);
	for (uint32_t r = 0; r < vm->mem_count && r < FV_MAX_VM_MEM; r++)
		if (vm->mem[r].ipa != vm->mem[r].pa)
			diag_error(
				d, where, "guest-address",
				"virtio slot %u does DMA to physical addresses: the VM's memory must be at its physical address",
				dev->index);
	for (uint32_t j = 0; j < k; j++)
		if (vm->device[j].kind == dev->kind && vm->device[j].index == dev->index)
			diag_error(d, where, "virtio-mmio", "slot %u is listed twice", dev->index);
	for (uint32_t o = 0; o < i; o++) {
		const struct manifest_vm *other = &m->vm[o];
		for (uint32_t j = 0; j < device_count(other); j++)
			if (other->device[j].kind == dev->kind && other->device[j].index == dev->index)
				diag_error(d, where, "virtio-mmio", "slot %u is already given to /vms/%.*s", dev->index,
					   (int)strnlen(other->name, FV_NAME_MAX - 1), other->name);
	}
}

/* A device the hypervisor emulates: its window where the list says, in the VM's device area. */
static void check_emulated(const struct manifest_vm *vm, const struct manifest_device *dev,
			   const struct device_kind_info *k, const char *where, struct diag *d)
{
	uint64_t size = k->flags & DEVKIND_PER_VCPU ? k->size * (vm->cpu_count ? vm->cpu_count : 1) : k->size;

	if (dev->pa != 0 || dev->index != 0 || dev->size != size || !IS_ALIGNED(dev->ipa, SZ_4K) ||
	    range_wraps(dev->ipa, dev->size) || dev->ipa + dev->size > PLAT_MMIO_LOW_END)
		diag_error(d, where, "devices",
			   "%s at 0x%llx: its window must be 0x%llx bytes, 4 KiB aligned, below 0x%llx", k->model,
			   (unsigned long long)dev->ipa, (unsigned long long)size,
			   (unsigned long long)PLAT_MMIO_LOW_END);
	if (!(k->flags & DEVKIND_IRQ) && dev->intid != 0)
		diag_error(d, where, "devices", "%s: it has no interrupt, INTID %u given", k->model, dev->intid);
}

static void check_vm_devices(const struct manifest *m, uint32_t i, const char *where, struct diag *d)
{
	const struct manifest_vm *vm = &m->vm[i];
	uint32_t slots = 0, seen[ARRAY_SIZE(device_kinds)] = { 0 };

	if (vm->device_count > FV_MAX_VM_DEVICES) {
		diag_error(d, where, "devices", "%u devices: at most %u", vm->device_count, FV_MAX_VM_DEVICES);
		return;
	}
	for (uint32_t k = 0; k < vm->device_count; k++) {
		const struct manifest_device *dev = &vm->device[k];
		const struct device_kind_info *info = device_kind_info(dev->kind);
		if (!info) {
			diag_error(d, where, "devices", "device %u: unknown kind %u", k, dev->kind);
			continue;
		}
		seen[info - device_kinds]++;
		if (info->flags & DEVKIND_PASSTHROUGH) {
			slots++;
			check_passthrough(m, i, k, where, d);
		} else {
			check_emulated(vm, dev, info, where, d);
		}
		if ((info->flags & DEVKIND_IRQ) && (dev->intid < 32 || dev->intid >= 32 + VBOARD_SPI_COUNT))
			diag_error(d, where, "devices", "%s: INTID %u is not an SPI of the VM (%u..%u)", info->model,
				   dev->intid, 32U, 32U + VBOARD_SPI_COUNT - 1);
		for (uint32_t j = 0; j < k; j++) {
			const struct manifest_device *o = &vm->device[j];
			if (ranges_overlap(dev->ipa, dev->size, o->ipa, o->size))
				diag_error(d, where, "devices", "device %u at 0x%llx overlaps device %u at 0x%llx", k,
					   (unsigned long long)dev->ipa, j, (unsigned long long)o->ipa);
			if (dev->intid && dev->intid == o->intid)
				diag_error(d, where, "devices", "devices %u and %u share INTID %u", j, k, dev->intid);
		}
	}
	if (slots > FV_MAX_VM_SLOTS)
		diag_error(d, where, "virtio-mmio", "%u devices: at most %u", slots, FV_MAX_VM_SLOTS);
	for (size_t n = 0; n < ARRAY_SIZE(device_kinds); n++) {
		const struct device_kind_info *info = &device_kinds[n];
		if ((info->flags & DEVKIND_REQUIRED) && seen[n] != 1)
			diag_error(d, where, "devices", "%u %s devices: a VM has exactly one", seen[n], info->model);
		else if ((info->flags & DEVKIND_SINGLE) && seen[n] > 1)
			diag_error(d, where, "devices", "%u %s devices: a VM has at most one", seen[n], info->model);
	}
}

static void check_vm_boot(const struct manifest *m, const struct manifest_vm *vm, const char *where, struct diag *d)
{
	const struct manifest_load *loads[3] = { &vm->kernel, &vm->initrd, &vm->dtb };
	static const char *const props[3] = { "kernel", "initrd", "dtb" };

	if (vm->boot != VM_BOOT_LINUX && vm->boot != VM_BOOT_BARE)
		diag_error(d, where, "boot", "unknown boot protocol %u", vm->boot);
	if (vm->on_crash > VM_ON_CRASH_HALT_BOARD)
		diag_error(d, where, "on-crash", "unknown policy %u", vm->on_crash);
	if (vm->flags & ~(uint32_t)VM_FLAG_UNISOLATED_DMA)
		diag_error(d, where, NULL, "unknown flags 0x%x", vm->flags & ~(uint32_t)VM_FLAG_UNISOLATED_DMA);
	check_load(m, vm, where, "kernel", &vm->kernel, true, d);
	check_load(m, vm, where, "initrd", &vm->initrd, false, d);
	check_load(m, vm, where, "dtb", &vm->dtb, true, d);
	for (int a = 0; a < 3; a++)
		for (int b = 0; b < a; b++)
			if (loads[a]->image != MANIFEST_NO_IMAGE && loads[b]->image != MANIFEST_NO_IMAGE &&
			    ranges_overlap(loads[a]->ipa, loads[a]->reserve, loads[b]->ipa, loads[b]->reserve))
				diag_error(d, where, props[a], "overlaps the %s in guest memory", props[b]);
	if (vm->kernel.ipa % SZ_4K)
		diag_error(d, where, "kernel", "load address 0x%llx is not 4 KiB aligned",
			   (unsigned long long)vm->kernel.ipa);
	if (vm->boot == VM_BOOT_LINUX && vm->entry != vm->kernel.ipa)
		diag_error(d, where, "kernel", "a Linux VM enters its kernel at the load address");
	if (vm->boot == VM_BOOT_BARE &&
	    !range_within(vm->entry, 4, vm->kernel.ipa, vm->kernel.reserve ? vm->kernel.reserve : 1))
		diag_error(d, where, "entry", "entry 0x%llx is outside the kernel image",
			   (unsigned long long)vm->entry);
	if (vm->dtb.ipa % 8)
		diag_error(d, where, "dtb", "the device tree must be 8-byte aligned");
	const struct manifest_image *dtb = load_image(m, &vm->dtb);
	if (dtb && dtb->size > SZ_2M)
		diag_error(d, where, "dtb", "device tree of %llu bytes exceeds 2 MiB", (unsigned long long)dtb->size);
	if (vm->kaslr_seed_offset &&
	    (!dtb || vm->kaslr_seed_offset % 4 || dtb->size < 8 || vm->kaslr_seed_offset > dtb->size - 8))
		diag_error(d, where, "dtb", "kaslr-seed offset 0x%llx is outside the device tree",
			   (unsigned long long)vm->kaslr_seed_offset);
}

bool manifest_validate(const struct manifest *m, uint64_t flash_bytes, struct diag *d)
{
	unsigned int errors = d->error_count;

	check_header(m, flash_bytes, d);
	if (d->error_count != errors && (m->magic != MANIFEST_MAGIC || m->size != sizeof(*m)))
		return false; /* nothing below can be trusted */
	check_images(m, d);
	for (uint32_t i = 0; i < MIN(m->vm_count, FV_MAX_VMS); i++) {
		const struct manifest_vm *vm = &m->vm[i];
		char where[FV_NAME_MAX + 8];
		if (!name_ok(vm->name)) {
			fmt_snprintf(where, sizeof(where), "/vms/#%u", i);
			diag_error(d, where, NULL, "VM names are 1..%u characters of [A-Za-z0-9._-]", FV_NAME_MAX - 1);
			continue;
		}
		vm_where(vm, where, sizeof(where));
		if (strcmp(vm->name, "hv") == 0)
			diag_error(d, where, NULL, "\"hv\" is the hypervisor's own name on the console");
		for (uint32_t o = 0; o < i; o++)
			if (strncmp(m->vm[o].name, vm->name, FV_NAME_MAX) == 0)
				diag_error(d, where, NULL, "a second VM with this name");
		check_vm_cpus(m, i, where, d);
		check_vm_memory(m, i, where, d);
		check_vm_devices(m, i, where, d);
		check_vm_boot(m, vm, where, d);
	}
	return d->error_count == errors;
}

bool manifest_check_board(const struct manifest *m, const struct board *b, struct diag *d)
{
	unsigned int errors = d->error_count;

	if (b->cpu_count < m->board.cpu_count)
		diag_error(d, "board", "cpus", "the image needs %u CPUs, the board has %u", m->board.cpu_count,
			   b->cpu_count);
	if (!range_within(m->board.ram_base, m->board.ram_size, b->ram_base, b->ram_size))
		diag_error(d, "board", "memory", "the image needs RAM [0x%llx, 0x%llx], the board has [0x%llx, 0x%llx]",
			   (unsigned long long)m->board.ram_base,
			   (unsigned long long)(m->board.ram_base + m->board.ram_size - 1),
			   (unsigned long long)b->ram_base, (unsigned long long)(b->ram_base + b->ram_size - 1));
	if (b->flash_size && b->flash_size < m->image_end)
		diag_error(d, "board", "flash", "the image is %llu bytes, flash bank 0 holds %llu",
			   (unsigned long long)m->image_end, (unsigned long long)b->flash_size);
	if (b->gicd_base != PLAT_GICD_BASE || b->gicr_base != PLAT_GICR_BASE ||
	    b->gicr_size < PLAT_GICR_STRIDE * b->cpu_count)
		diag_error(d, "board", "GIC", "GICv3 at 0x%llx/0x%llx, this build expects 0x%llx/0x%llx",
			   (unsigned long long)b->gicd_base, (unsigned long long)b->gicr_base,
			   (unsigned long long)PLAT_GICD_BASE, (unsigned long long)PLAT_GICR_BASE);
	if (b->uart_base != PLAT_UART_BASE || b->uart_intid != PLAT_UART_INTID)
		diag_error(d, "board", "UART", "PL011 at 0x%llx (INTID %u), this build expects 0x%llx (INTID %u)",
			   (unsigned long long)b->uart_base, b->uart_intid, (unsigned long long)PLAT_UART_BASE,
			   PLAT_UART_INTID);
	if (b->timer_intid[1] != PLAT_TIMER_PHYS_INTID || b->timer_intid[2] != PLAT_TIMER_VIRT_INTID ||
	    b->timer_intid[3] != PLAT_TIMER_HYP_INTID)
		diag_error(d, "board", "timer", "timer interrupts %u/%u/%u, this build expects %u/%u/%u",
			   b->timer_intid[1], b->timer_intid[2], b->timer_intid[3], PLAT_TIMER_PHYS_INTID,
			   PLAT_TIMER_VIRT_INTID, PLAT_TIMER_HYP_INTID);
	for (uint32_t i = 0; i < MIN(m->vm_count, FV_MAX_VMS); i++) {
		const struct manifest_vm *vm = &m->vm[i];
		char where[FV_NAME_MAX + 8];
		vm_where(vm, where, sizeof(where));
		for (uint32_t c = 0; c < vm->cpu_count && c < FV_MAX_VCPUS; c++)
			if (vm->cpu[c] >= b->cpu_count)
				diag_error(d, where, "cpus", "CPU %u does not exist on this board (%u CPUs)",
					   vm->cpu[c], b->cpu_count);
		for (uint32_t r = 0; r < vm->mem_count && r < FV_MAX_VM_MEM; r++)
			if (!range_within(vm->mem[r].pa, vm->mem[r].size, b->ram_base, b->ram_size))
				diag_error(d, where, "memory", "region [0x%llx, +0x%llx) is not RAM on this board",
					   (unsigned long long)vm->mem[r].pa, (unsigned long long)vm->mem[r].size);
		for (uint32_t k = 0; k < device_count(vm); k++) {
			const struct manifest_device *dev = &vm->device[k];
			bool found = false;
			if (is_emulated(dev))
				continue;
			for (uint32_t v = 0; v < b->virtio_count; v++)
				if (b->virtio[v].base == dev->pa && b->virtio[v].intid == dev->intid)
					found = true;
			if (!found)
				diag_error(d, where, "virtio-mmio", "slot %u (0x%llx, INTID %u) is not on this board",
					   dev->index, (unsigned long long)dev->pa, dev->intid);
		}
	}
	return d->error_count == errors;
}
