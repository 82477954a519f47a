// SPDX-License-Identifier: MIT
/*
 * Loading a VM from flash, before every start: scrub its RAM; copy each
 * image (kernel, initrd, device tree) into place, hash the copy in RAM and
 * compare with the manifest's SHA-256, check the kernel header, plant a fresh
 * KASLR seed in the device tree, and clean the data cache to the point of
 * coherency (the guest starts with its MMU and caches off: Linux arm64
 * booting.rst). A mismatch keeps this VM from starting and nothing else.
 * The flash is only ever read.
 */
#include <fv/arch/mem.h>
#include <fv/arch/vcpu.h>
#include <fv/image.h>
#include <fv/lifecycle.h>
#include <fv/log.h>
#include <fv/plat.h>
#include <fv/sha256.h>
#include <fv/string.h>
#include <fv/vm.h>

#define CHUNK 0x10000U /* copy and hash in 64 KiB steps */

static void *guest_ptr(const struct vm *vm, uint64_t ipa, uint64_t size)
{
	uint64_t pa;

	if (!manifest_vm_ipa_to_pa(vm->cfg, ipa, size, &pa))
		return NULL;
	return arch_phys_to_ptr(pa_init(pa));
}

/* Copy one image to its load address and check its digest. */
static bool load_one(struct vm *vm, const char *what, const struct manifest_load *l)
{
	const struct manifest_image *im = &hv_manifest->image[l->image];
	const uint8_t *src = arch_phys_to_ptr(pa_init(PLAT_FLASH_BASE + im->offset));
	uint8_t *dst = guest_ptr(vm, l->ipa, l->reserve);
	uint8_t digest[SHA256_DIGEST_SIZE];
	struct sha256 h;

	if (!dst) {
		log_line("%s: %s %s does not fit its memory", vm->name, what, im->name); /* validated: cannot happen */
		return false;
	}
	sha256_init(&h);
	for (uint64_t off = 0; off < im->size; off += CHUNK) {
		size_t n = (size_t)MIN((uint64_t)CHUNK, im->size - off);
		arch_copy(dst + off, src + off, n);
		sha256_update(&h, dst + off, n); /* hash what the guest will run */
	}
	sha256_final(&h, digest);
	if (memcmp(digest, im->sha256, sizeof(digest)) != 0) {
		log_line("%s: %s image '%s' is corrupt (SHA-256 mismatch)", vm->name, what, im->name);
		return false;
	}
	arch_dcache_clean_inval(dst, im->size);
	return true;
}

static bool check_kernel(struct vm *vm)
{
	const struct manifest_image *im = &hv_manifest->image[vm->cfg->kernel.image];
	const void *hdr = guest_ptr(vm, vm->cfg->kernel.ipa, im->size);
	struct linux_image_info info;
	const char *why;

	if (!image_linux_parse(hdr, im->size, &info, &why)) {
		log_line("%s: kernel '%s': %s", vm->name, im->name, why);
		return false;
	}
	if ((vm->cfg->kernel.ipa - info.text_offset) % SZ_2M || info.image_size > vm->cfg->kernel.reserve) {
		log_line("%s: kernel '%s' needs %llu bytes at a 2 MiB boundary + 0x%llx", vm->name, im->name,
			 (unsigned long long)info.image_size, (unsigned long long)info.text_offset);
		return false;
	}
	return true;
}

/* Write a fresh /chosen/kaslr-seed value (8 bytes, big endian) into the loaded tree. */
static void plant_kaslr_seed(struct vm *vm)
{
	if (!vm->cfg->kaslr_seed_offset)
		return;
	uint8_t *p = guest_ptr(vm, vm->cfg->dtb.ipa + vm->cfg->kaslr_seed_offset, 8);
	uint64_t seed = arch_random();
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(seed >> (56 - 8 * i));
	arch_dcache_clean_inval(p, 8);
}

/*
 * Nothing of a previous run survives into a start: not a restart's, not a
 * start's after a stop or a load that failed half way, and not the first
 * start's either, since a warm reset of the board leaves RAM as the last run
 * (of any VM, or another firmware) had it.
 */
void vm_scrub_ram(struct vm *vm)
{
	for (uint32_t r = 0; r < vm->cfg->mem_count; r++) {
		const struct manifest_mem *mr = &vm->cfg->mem[r];
		void *p = arch_phys_to_ptr(pa_init(mr->pa));
		arch_zero_pages(p, mr->size);
		arch_dcache_clean_inval(p, mr->size);
	}
}

static bool load(struct vm *vm)
{
	const struct manifest_vm *c = vm->cfg;

	if (!load_one(vm, "kernel", &c->kernel))
		return false;
	if (c->boot == VM_BOOT_LINUX && !check_kernel(vm))
		return false;
	if (c->initrd.image != MANIFEST_NO_IMAGE && !load_one(vm, "initrd", &c->initrd))
		return false;
	if (!load_one(vm, "device tree", &c->dtb))
		return false;
	plant_kaslr_seed(vm);
	arch_icache_invalidate_all();
	return true;
}

bool vm_load_images(struct vm *vm)
{
	arch_load_begin();
	bool ok = load(vm);
	arch_load_end();
	return ok;
}
