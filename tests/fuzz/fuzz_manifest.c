// SPDX-License-Identifier: MIT
/*
 * Fuzzing the one validator of flash images (core/boot/manifest.c): what the
 * hypervisor trusts before it starts anything. The input is either a raw
 * struct manifest (as is, or with magic, version and size fixed and the
 * digest recomputed so the fuzzer gets past the checksum), or the test bed's
 * valid manifest with fuzzed edits: bytes anywhere, counts set to their
 * limits and beyond, addresses and sizes set to edge values; the digest is
 * then recomputed (or not). The board the manifest is checked against is
 * the test bed's QEMU virt, edited the same way within what board_parse can
 * produce. A few input bytes also go through image_linux_parse.
 *
 * Invariants: validation has no side effects and gives the same answer and
 * messages twice; it answers true exactly when it reported nothing, and
 * every report says where and what. Its answer equals that of the rules
 * restated here independently, from manifest.h and the hypervisor's needs,
 * with 128-bit arithmetic so that no range check can wrap: header, limits,
 * images inside the flash and apart, per-VM names, CPUs, memory (inside the
 * board's RAM, outside the hypervisor's and the emulated devices, no two
 * VMs sharing a byte), devices and loads (each inside one RAM region of its
 * VM). The same for manifest_check_board. A manifest and board that pass
 * both can be given to vm_create without harm, and every RAM region of a
 * created VM translates through its stage-2 tables to the right place.
 */
#include <fv/image.h>

#include "fuzz_common.h"

typedef unsigned __int128 u128;

/* ---- the rules, restated ---- */

/* [a, a + as) inside [b, b + bs), none of them empty, in exact arithmetic. */
static bool inside(u128 a, u128 as, u128 b, u128 bs)
{
	return as && bs && a >= b && a + as <= b + bs;
}

static bool apart(u128 a, u128 as, u128 b, u128 bs)
{
	return !as || !bs || a + as <= b || b + bs <= a;
}

static bool name_valid(const char *name)
{
	size_t n = strnlen(name, FV_NAME_MAX);

	if (n == 0 || n == FV_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
		      c == '_' || c == '-'))
			return false;
	}
	return true;
}

static const struct manifest_image *image_of(const struct manifest *m, const struct manifest_load *l)
{
	return l->image < m->image_count && l->image < FV_MAX_IMAGES ? &m->image[l->image] : NULL;
}

static bool load_valid(const struct manifest *m, const struct manifest_vm *vm, const struct manifest_load *l,
		       bool required)
{
	if (l->image == MANIFEST_NO_IMAGE)
		return !required;
	const struct manifest_image *im = image_of(m, l);
	if (!im || l->reserve < im->size)
		return false;
	for (uint32_t r = 0; r < vm->mem_count; r++)
		if (inside(l->ipa, l->reserve, vm->mem[r].ipa, vm->mem[r].size))
			return true;
	return false;
}

static bool emulated(uint32_t kind)
{
	return kind >= DEVICE_GICD && kind <= DEVICE_SP805;
}

static bool vm_valid(const struct manifest *m, uint32_t i)
{
	const struct manifest_vm *vm = &m->vm[i];

	if (!name_valid(vm->name) || strcmp(vm->name, "hv") == 0)
		return false;
	for (uint32_t o = 0; o < i; o++)
		if (strncmp(m->vm[o].name, vm->name, FV_NAME_MAX) == 0)
			return false;
	/* CPUs: 1..FV_MAX_VCPUS, on the board, each used once in the whole image */
	if (vm->cpu_count == 0 || vm->cpu_count > FV_MAX_VCPUS)
		return false;
	for (uint32_t c = 0; c < vm->cpu_count; c++) {
		if (vm->cpu[c] >= m->board.cpu_count)
			return false;
		for (uint32_t o = 0; o <= i; o++)
			for (uint32_t k = 0; k < (o == i ? c : MIN(m->vm[o].cpu_count, FV_MAX_VCPUS)); k++)
				if (m->vm[o].cpu[k] == vm->cpu[c])
					return false;
	}
	/* memory: page-aligned regions in the board's RAM, nobody else's, above the devices */
	if (vm->mem_count == 0 || vm->mem_count > FV_MAX_VM_MEM)
		return false;
	for (uint32_t r = 0; r < vm->mem_count; r++) {
		const struct manifest_mem *mr = &vm->mem[r];
		u128 pa = mr->pa, ipa = mr->ipa, size = mr->size;
		if (!size || (mr->pa | mr->ipa | mr->size) % SZ_4K || pa + size > ((u128)1 << 64) ||
		    ipa + size > ((u128)1 << FV_IPA_BITS) || ipa < PLAT_MMIO_LOW_END)
			return false;
		if (!inside(pa, size, m->board.ram_base, m->board.ram_size) ||
		    !apart(pa, size, m->hv.ram_base, m->hv.ram_size))
			return false;
		for (uint32_t w = 0; w < MIN(vm->device_count, FV_MAX_VM_DEVICES); w++)
			if (emulated(vm->device[w].kind) && !apart(ipa, size, vm->device[w].ipa, vm->device[w].size))
				return false;
		for (uint32_t k = 0; k < r; k++)
			if (!apart(pa, size, vm->mem[k].pa, vm->mem[k].size) ||
			    !apart(ipa, size, vm->mem[k].ipa, vm->mem[k].size))
				return false;
		for (uint32_t o = 0; o < i; o++)
			for (uint32_t k = 0; k < MIN(m->vm[o].mem_count, FV_MAX_VM_MEM); k++)
				if (!apart(pa, size, m->vm[o].mem[k].pa, m->vm[o].mem[k].size))
					return false;
	}
	/* memory: the hypervisor's stage 2 can map it all from its per-VM pool (the boot path's own s2_map) */
	static struct s2_table pool[S2_POOL_PAGES];
	struct s2 s2;
	s2_init(&s2, pool, 1);
	for (uint32_t r = 0; r < vm->mem_count; r++)
		if (!s2_map(&s2, ipa_init(vm->mem[r].ipa), pa_init(vm->mem[r].pa), vm->mem[r].size, S2_NORMAL_RW))
			return false;
	/* devices: board virtio slots as the board has them, each given once, DMA needing
	 * ipa == pa; emulated ones at pa 0 with their kind's window in the device area;
	 * no two overlapping or sharing an interrupt; GICD, GICR, PL011 once each, an
	 * SP805 at most once, at most FV_MAX_VM_SLOTS slots */
	if (vm->device_count > FV_MAX_VM_DEVICES)
		return false;
	uint32_t slots = 0, count[6] = { 0 };
	for (uint32_t k = 0; k < vm->device_count; k++) {
		const struct manifest_device *d = &vm->device[k];
		if (d->kind < DEVICE_VIRTIO_MMIO || d->kind > DEVICE_SP805)
			return false;
		count[d->kind]++;
		if (d->kind == DEVICE_VIRTIO_MMIO) {
			slots++;
			if (d->index >= FV_VIRTIO_SLOTS || !(vm->flags & VM_FLAG_UNISOLATED_DMA))
				return false;
			if (d->pa != PLAT_VIRTIO_BASE + d->index * PLAT_VIRTIO_STRIDE || d->ipa != d->pa ||
			    d->size != PLAT_VIRTIO_STRIDE || d->intid != PLAT_VIRTIO_INTID_BASE + d->index)
				return false;
			for (uint32_t r = 0; r < vm->mem_count; r++)
				if (vm->mem[r].ipa != vm->mem[r].pa)
					return false;
			for (uint32_t o = 0; o <= i; o++)
				for (uint32_t j = 0; j < (o == i ? k : MIN(m->vm[o].device_count, FV_MAX_VM_DEVICES));
				     j++)
					if (m->vm[o].device[j].kind == d->kind && m->vm[o].device[j].index == d->index)
						return false;
		} else {
			u128 want = d->kind == DEVICE_GICD   ? VBOARD_GICD_SIZE
				    : d->kind == DEVICE_GICR ? (u128)VBOARD_GICR_STRIDE * vm->cpu_count
							     : 0x1000;
			if (d->pa || d->index || d->size != want || d->ipa % SZ_4K ||
			    (u128)d->ipa + d->size > PLAT_MMIO_LOW_END)
				return false;
			if ((d->kind == DEVICE_GICD || d->kind == DEVICE_GICR) && d->intid)
				return false;
		}
		if ((d->kind == DEVICE_VIRTIO_MMIO || d->kind == DEVICE_PL011 || d->kind == DEVICE_SP805) &&
		    (d->intid < 32 || d->intid >= 32 + VBOARD_SPI_COUNT))
			return false;
		for (uint32_t j = 0; j < k; j++) {
			if (!apart(d->ipa, d->size, vm->device[j].ipa, vm->device[j].size))
				return false;
			if (d->intid && d->intid == vm->device[j].intid)
				return false;
		}
	}
	if (slots > FV_MAX_VM_SLOTS || count[DEVICE_GICD] != 1 || count[DEVICE_GICR] != 1 || count[DEVICE_PL011] != 1 ||
	    count[DEVICE_SP805] > 1)
		return false;
	/* boot: known protocol, policy and flags; kernel and tree loaded inside the VM, apart */
	if ((vm->boot != VM_BOOT_LINUX && vm->boot != VM_BOOT_BARE) || vm->on_crash > VM_ON_CRASH_HALT_BOARD ||
	    (vm->flags & ~(uint32_t)VM_FLAG_UNISOLATED_DMA))
		return false;
	const struct manifest_load *loads[3] = { &vm->kernel, &vm->initrd, &vm->dtb };
	if (!load_valid(m, vm, &vm->kernel, true) || !load_valid(m, vm, &vm->initrd, false) ||
	    !load_valid(m, vm, &vm->dtb, true))
		return false;
	for (int a = 0; a < 3; a++)
		for (int b = 0; b < a; b++)
			if (loads[a]->image != MANIFEST_NO_IMAGE && loads[b]->image != MANIFEST_NO_IMAGE &&
			    !apart(loads[a]->ipa, loads[a]->reserve, loads[b]->ipa, loads[b]->reserve))
				return false;
	if (vm->kernel.ipa % SZ_4K || vm->dtb.ipa % 8)
		return false;
	if (vm->boot == VM_BOOT_LINUX && vm->entry != vm->kernel.ipa)
		return false;
	if (vm->boot == VM_BOOT_BARE &&
	    !inside(vm->entry, 4, vm->kernel.ipa, vm->kernel.reserve ? vm->kernel.reserve : 1))
		return false;
	const struct manifest_image *dtb = image_of(m, &vm->dtb);
	if (dtb->size > SZ_2M)
		return false;
	/* the loader writes 8 bytes of KASLR seed at this offset of the loaded tree */
	if (vm->kaslr_seed_offset && (vm->kaslr_seed_offset % 4 || !inside(vm->kaslr_seed_offset, 8, 0, dtb->size)))
		return false;
	return true;
}

static bool manifest_valid(const struct manifest *m, uint64_t flash_bytes)
{
	uint8_t digest[32];
	const u128 manifest_end = MANIFEST_FLASH_OFFSET + sizeof(*m);

	if (m->magic != MANIFEST_MAGIC || m->version != MANIFEST_VERSION || m->size != sizeof(*m))
		return false;
	manifest_digest(m, digest);
	if (memcmp(digest, m->sha256, 32) != 0)
		return false;
	if (m->hv.magic != HV_HEADER_MAGIC || !m->hv.image_size || m->hv.image_size > MANIFEST_FLASH_OFFSET)
		return false;
	if (m->board.cpu_count == 0 || m->board.cpu_count > FV_MAX_CPUS)
		return false;
	if (!inside(m->board.ram_base, m->board.ram_size, 0, (u128)1 << 64) ||
	    !inside(m->hv.ram_base, m->hv.ram_size, m->board.ram_base, m->board.ram_size))
		return false;
	if (m->image_end < manifest_end || m->image_end > m->board.flash_size || m->image_end > flash_bytes)
		return false;
	if (m->vm_count == 0 || m->vm_count > FV_MAX_VMS || m->image_count > FV_MAX_IMAGES)
		return false;
	for (uint32_t i = 0; i < m->image_count; i++) {
		const struct manifest_image *im = &m->image[i];
		if (strnlen(im->name, FV_NAME_MAX) == FV_NAME_MAX || im->offset % MANIFEST_IMAGE_ALIGN ||
		    im->offset < manifest_end || !inside(im->offset, im->size, 0, m->image_end))
			return false;
		for (uint32_t j = 0; j < i; j++)
			if (!apart(im->offset, im->size, m->image[j].offset, m->image[j].size))
				return false;
	}
	for (uint32_t i = 0; i < m->vm_count; i++)
		if (!vm_valid(m, i))
			return false;
	return true;
}

/* Can this live board host a valid manifest? */
static bool board_fits(const struct manifest *m, const struct board *b)
{
	if (b->cpu_count < m->board.cpu_count ||
	    !inside(m->board.ram_base, m->board.ram_size, b->ram_base, b->ram_size))
		return false;
	if (b->flash_size && b->flash_size < m->image_end)
		return false;
	if (b->gicd_base != PLAT_GICD_BASE || b->gicr_base != PLAT_GICR_BASE ||
	    b->gicr_size < PLAT_GICR_STRIDE * b->cpu_count)
		return false;
	if (b->uart_base != PLAT_UART_BASE || b->uart_intid != PLAT_UART_INTID ||
	    b->timer_intid[1] != PLAT_TIMER_PHYS_INTID || b->timer_intid[2] != PLAT_TIMER_VIRT_INTID ||
	    b->timer_intid[3] != PLAT_TIMER_HYP_INTID)
		return false;
	for (uint32_t i = 0; i < m->vm_count; i++) {
		const struct manifest_vm *vm = &m->vm[i];
		for (uint32_t c = 0; c < vm->cpu_count; c++)
			if (vm->cpu[c] >= b->cpu_count)
				return false;
		for (uint32_t r = 0; r < vm->mem_count; r++)
			if (!inside(vm->mem[r].pa, vm->mem[r].size, b->ram_base, b->ram_size))
				return false;
		for (uint32_t k = 0; k < vm->device_count; k++) {
			bool found = emulated(vm->device[k].kind);
			for (uint32_t s = 0; s < b->virtio_count; s++)
				found |= b->virtio[s].base == vm->device[k].pa &&
					 b->virtio[s].intid == vm->device[k].intid;
			if (!found)
				return false;
		}
	}
	return true;
}

/* ---- building inputs ---- */

static uint64_t edge_value(struct fuzz_in *in, uint64_t now)
{
	switch (fuzz_below(in, 16)) {
	case 0: return 0;
	case 1: return 1;
	case 2: return ~0ULL;
	case 3: return ~0ULL - SZ_4K + 1;
	case 4: return ~0ULL - 7; /* aligned, and + 8 wraps */
	case 5: return ~0ULL - 3;
	case 6: return 1ULL << FV_IPA_BITS;
	case 7: return now + SZ_4K;
	case 8: return now - SZ_4K;
	case 9: return now + 8;
	case 10: return now - 8;
	case 11: return now ^ (1ULL << fuzz_below(in, 64));
	case 12: return SZ_2M;
	case 13: return now * 2;
	case 14: return -now;
	default: return fuzz_u64(in);
	}
}

static uint32_t edge_count(struct fuzz_in *in, uint32_t limit)
{
	switch (fuzz_below(in, 7)) {
	case 0: return 0;
	case 1: return 1;
	case 2: return limit - 1;
	case 3: return limit;
	case 4: return limit + 1;
	case 5: return ~0U;
	default: return fuzz_u8(in);
	}
}

/* A 64-bit field of VM `v` (any VM if v < 0) or of the header, picked by the input. */
static uint64_t *field64(struct manifest *m, struct fuzz_in *in, int v)
{
	struct manifest_vm *vm = &m->vm[v >= 0 ? (uint32_t)v : fuzz_below(in, FV_MAX_VMS)];
	uint32_t k = fuzz_below(in, 4);

	switch (fuzz_below(in, 16)) {
	case 0: return &m->image_end;
	case 1: return fuzz_bool(in) ? &m->board.ram_base : &m->board.ram_size;
	case 2: return fuzz_bool(in) ? &m->hv.ram_base : &m->hv.ram_size;
	case 3: return &m->board.flash_size;
	case 4: return &vm->mem[k].pa;
	case 5: return &vm->mem[k].ipa;
	case 6: return &vm->mem[k].size;
	case 7: return &vm->kernel.ipa;
	case 8: return &vm->kernel.reserve;
	case 9: return &vm->dtb.ipa;
	case 10: return &vm->dtb.reserve;
	case 11: return fuzz_bool(in) ? &vm->initrd.ipa : &vm->initrd.reserve;
	case 12: return &vm->entry;
	case 13: return &vm->kaslr_seed_offset;
	case 14: return fuzz_bool(in) ? &m->image[k].offset : &m->image[k].size;
	default: return fuzz_bool(in) ? &vm->device[k].pa : &vm->device[k].size;
	}
}

static uint32_t *field32(struct manifest *m, struct fuzz_in *in, uint32_t *limit)
{
	struct manifest_vm *vm = &m->vm[fuzz_below(in, FV_MAX_VMS)];

	switch (fuzz_below(in, 12)) {
	case 0: *limit = FV_MAX_VMS; return &m->vm_count;
	case 1: *limit = FV_MAX_IMAGES; return &m->image_count;
	case 2: *limit = FV_MAX_CPUS; return &m->board.cpu_count;
	case 3: *limit = FV_MAX_VCPUS; return &vm->cpu_count;
	case 4: *limit = FV_MAX_VM_MEM; return &vm->mem_count;
	case 5: *limit = FV_MAX_VM_DEVICES; return &vm->device_count;
	case 6: *limit = 3; return &vm->boot;
	case 7: *limit = 3; return &vm->on_crash;
	case 8: *limit = 4; return &vm->flags;
	case 9: *limit = 3; return &vm->kernel.image;
	case 10: *limit = 3; return fuzz_bool(in) ? &vm->initrd.image : &vm->dtb.image;
	default: *limit = FV_VIRTIO_SLOTS; return fuzz_bool(in) ? &vm->device[0].index : &vm->device[0].intid;
	}
}

/* The test bed's valid manifest (with virtio slots, Linux or bare VMs), then edits. */
static void template_manifest(struct manifest *m, struct fuzz_in *in)
{
	uint32_t count = 1 + fuzz_below(in, FV_MAX_VMS);
	uint32_t cpus = 1 + fuzz_below(in, FV_MAX_CPUS / count);
	uint8_t shape = fuzz_u8(in);

	testbed_manifest(m, count, cpus);
	for (uint32_t v = 0; v < count && v < (shape & 7); v++)
		testbed_add_virtio(m, v, v * 3);
	if (shape & 8)
		testbed_set_ram_size(m, SZ_2M * 4);
	if (shape & 0x10) {
		/* two adjacent RAM regions per VM, the loads in the first */
		for (uint32_t v = 0; v < count; v++) {
			struct manifest_vm *vm = &m->vm[v];
			uint64_t half = vm->mem[0].size / 2;
			vm->mem[0].size = half;
			vm->mem[1] = (struct manifest_mem){ vm->mem[0].ipa + half, vm->mem[0].pa + half, half };
			vm->mem_count = 2;
		}
	}
	if (shape & 0x20)
		for (uint32_t v = 0; v < count; v++)
			m->vm[v].boot = VM_BOOT_LINUX, m->vm[v].entry = m->vm[v].kernel.ipa;
	uint32_t edits = fuzz_below(in, 8);
	for (uint32_t e = 0; e < edits; e++) {
		switch (fuzz_below(in, 6)) {
		case 5: {
			/* a region right at, inside or just outside another one's edges (same VM or not) */
			struct manifest_vm *a = &m->vm[fuzz_below(in, count)];
			struct manifest_vm *b = fuzz_bool(in) ? a : &m->vm[fuzz_below(in, count)];
			struct manifest_mem *ra = &a->mem[fuzz_below(in, FV_MAX_VM_MEM)];
			const struct manifest_mem *rb = &b->mem[fuzz_below(in, FV_MAX_VM_MEM)];
			bool pa = fuzz_bool(in);
			uint64_t base = pa ? rb->pa : rb->ipa;
			static const int64_t pages[] = { 0, 1, -1 };
			uint64_t at = fuzz_bool(in) ? base + rb->size : base - ra->size; /* touching either end */
			at += (uint64_t)pages[fuzz_below(in, 3)] * SZ_4K;
			*(pa ? &ra->pa : &ra->ipa) = at;
			break;
		}
		case 4: {
			/* one field takes another's value: overlaps, duplicates, equal ends */
			int v = fuzz_bool(in) ? (int)fuzz_below(in, count) : -1; /* mostly within one VM */
			uint64_t *from = field64(m, in, v);
			uint64_t *to = field64(m, in, v);
			*to = *from + (fuzz_bool(in) ? 0 : SZ_4K);
			break;
		}
		case 0: {
			uint32_t at = fuzz_u16(in) % sizeof(*m);
			uint32_t n = 1 + fuzz_below(in, 8);
			for (uint32_t i = 0; i < n && at + i < sizeof(*m); i++)
				((uint8_t *)m)[at + i] = fuzz_u8(in);
			break;
		}
		case 1: {
			uint32_t limit;
			uint32_t *f = field32(m, in, &limit);
			*f = edge_count(in, limit);
			break;
		}
		default: {
			uint64_t *f = field64(m, in, -1);
			*f = edge_value(in, *f);
			break;
		}
		}
	}
	if (!(shape & 0x80))
		testbed_redigest(m);
}

static void edit_board(struct board *b, struct fuzz_in *in)
{
	uint32_t edits = fuzz_below(in, 4);

	for (uint32_t e = 0; e < edits; e++) {
		switch (fuzz_below(in, 8)) {
		case 0: b->cpu_count = fuzz_below(in, FV_MAX_CPUS + 1); break;
		case 1: b->ram_base = edge_value(in, b->ram_base); break;
		case 2: b->ram_size = edge_value(in, b->ram_size); break;
		case 3: b->flash_size = edge_value(in, b->flash_size); break;
		case 4: b->virtio_count = fuzz_below(in, FV_VIRTIO_SLOTS + 1); break;
		case 5: b->gicr_size = edge_value(in, b->gicr_size); break;
		case 6: b->uart_intid = fuzz_u8(in); break;
		default: b->timer_intid[fuzz_below(in, 4)] = fuzz_u8(in); break;
		}
	}
	if (range_wraps(b->ram_base, b->ram_size))
		b->ram_size = 0; /* board_parse never returns wrapping RAM */
}

/* ---- the checks ---- */

static bool validate(const struct manifest *m, uint64_t flash_bytes, struct testbed_diag *d)
{
	testbed_diag_init(d);
	bool ok = manifest_validate(m, flash_bytes, &d->d);
	FUZZ_CHECK(ok == (d->d.error_count == 0), "manifest_validate said %d with %u errors", ok, d->d.error_count);
	/* every report is "where: prop: what" with a where and a what */
	for (const char *line = d->text; *line;) {
		const char *end = strchr(line, '\n');
		if (!end && strlen(d->text) == sizeof(d->text) - 1)
			break; /* the test bed keeps 8 KiB of messages: the last one was cut short */
		FUZZ_CHECK(end && line[0] != ':' && end[-1] != ' ', "a report without a place or a reason: \"%.*s\"",
			   end ? (int)(end - line) : 40, line);
		line = end + 1;
	}
	return ok;
}

/* Created VMs map their RAM where the manifest says (stage 2). */
static void check_created(const struct manifest *m)
{
	/* whatever the validator and the board check accept, the boot path sets up */
	FUZZ_CHECK(testbed_create_vms(m), "a manifest the validator accepts: the hypervisor could not create its VMs");
	for (uint32_t i = 0; i < m->vm_count; i++) {
		const struct manifest_vm *cfg = &m->vm[i];
		for (uint32_t r = 0; r < cfg->mem_count; r++) {
			uint64_t ends[2] = { 0, cfg->mem[r].size - SZ_4K };
			for (int e = 0; e < 2; e++) {
				paddr_t pa;
				FUZZ_CHECK(s2_translate(&vms[i].s2, ipa_init(cfg->mem[r].ipa + ends[e]), &pa) &&
						   pa_addr(pa) == cfg->mem[r].pa + ends[e],
					   "VM %u region %u: IPA 0x%llx does not map to 0x%llx", i, r,
					   (unsigned long long)(cfg->mem[r].ipa + ends[e]),
					   (unsigned long long)(cfg->mem[r].pa + ends[e]));
			}
		}
	}
}

static void check_image_header(const uint8_t *data, size_t size)
{
	struct linux_image_info info;
	const char *why = NULL;
	uint8_t *copy = malloc(size ? size : 1);

	FUZZ_CHECK(copy != NULL, "out of memory");
	memcpy(copy, data, size);
	bool ok = image_linux_parse(copy, size, &info, &why);
	FUZZ_CHECK(ok || (why && *why), "an Image header refused without a reason");
	if (ok)
		FUZZ_CHECK(size >= LINUX_HEADER_SIZE && info.image_size >= size && info.text_offset % 4096 == 0 &&
				   info.text_offset < SZ_2M && !(info.flags & 1),
			   "an unbootable Image header accepted");
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct manifest m, copy;
	struct fuzz_in in = { data, size };
	static struct testbed_diag d1, d2;
	struct board b;

	check_image_header(data, MIN(size, (size_t)LINUX_HEADER_SIZE + 8));
	uint8_t mode = fuzz_u8(&in);
	memset(&m, 0, sizeof(m));
	if (mode & 2) {
		template_manifest(&m, &in);
	} else {
		size_t n = MIN(in.n, sizeof(m));
		memcpy(&m, in.p, n);
		in.p += n;
		in.n -= n;
		if (mode & 1) {
			m.magic = MANIFEST_MAGIC;
			m.version = MANIFEST_VERSION;
			m.size = sizeof(m);
			testbed_redigest(&m);
		}
	}
	uint64_t flash = mode & 4 ? fuzz_u64(&in) : m.image_end;

	memcpy(&copy, &m, sizeof(m));
	bool ok = validate(&m, flash, &d1);
	FUZZ_CHECK(memcmp(&copy, &m, sizeof(m)) == 0, "manifest_validate changed the manifest");
	FUZZ_CHECK(validate(&m, flash, &d2) == ok && strcmp(d1.text, d2.text) == 0,
		   "manifest_validate is not repeatable");
	bool want = manifest_valid(&m, flash);
	FUZZ_CHECK(ok == want, "manifest_validate says %s, the rules say %s; its reports:\n%s",
		   ok ? "valid" : "invalid", want ? "valid" : "invalid", d1.text);
	if (!ok)
		return 0;

	testbed_board(&b, m.board.cpu_count);
	if (mode & 8)
		edit_board(&b, &in);
	testbed_diag_init(&d1);
	bool fits = manifest_check_board(&m, &b, &d1.d);
	FUZZ_CHECK(fits == (d1.d.error_count == 0), "manifest_check_board said %d with %u errors", fits,
		   d1.d.error_count);
	FUZZ_CHECK(memcmp(&copy, &m, sizeof(m)) == 0, "manifest_check_board changed the manifest");
	FUZZ_CHECK(fits == board_fits(&m, &b), "manifest_check_board says %d, the rules say %d; its reports:\n%s", fits,
		   !fits, d1.text);
	if (fits)
		check_created(&m);
	return 0;
}
