// SPDX-License-Identifier: MIT
/*
 * The flash image fvimage writes: the hypervisor binary at offset 0, the
 * manifest at MANIFEST_FLASH_OFFSET, then every stored file at its
 * MANIFEST_IMAGE_ALIGN boundary (include/fv/manifest.h). flash_assemble adds
 * each VM's device tree and fills in placement and digests; flash_write
 * writes it; flash_dump reads one back for --dump.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <fv/manifest.h>
#include <fv/sha256.h>
#include <plat/layout.h>

#include "fvimage.h"

/* Device trees for every VM, then image placement and digests. */
bool flash_assemble(struct tool *t)
{
	for (uint32_t i = 0; i < t->m.vm_count; i++) {
		uint8_t *dtb;
		size_t size;
		uint64_t kaslr;
		struct manifest_vm *vm = &t->m.vm[i];
		if (!guestdt_build(t, i, &dtb, &size, &kaslr))
			return false;
		char name[FV_NAME_MAX];
		snprintf(name, sizeof(name), "%.*s.dtb", FV_NAME_MAX - 5, vm->name);
		vm->dtb.image = tool_add_blob(t, name, "(generated)", dtb, size);
		vm->kaslr_seed_offset = kaslr;
		if (vm->dtb.image == MANIFEST_NO_IMAGE)
			return false; /* reported: no room for it in the table */
	}
	uint64_t at = ALIGN_UP(MANIFEST_FLASH_OFFSET + sizeof(struct manifest), MANIFEST_IMAGE_ALIGN);
	for (uint32_t i = 0; i < t->blob_count; i++) {
		struct manifest_image *im = &t->m.image[i];
		memcpy(im->name, t->blob[i].name, sizeof(im->name));
		im->offset = at;
		im->size = t->blob[i].size;
		sha256(t->blob[i].data, t->blob[i].size, im->sha256);
		at = ALIGN_UP(at + im->size, MANIFEST_IMAGE_ALIGN);
	}
	t->m.image_count = t->blob_count;
	t->m.image_end = at;
	t->m.magic = MANIFEST_MAGIC;
	t->m.version = MANIFEST_VERSION;
	t->m.size = sizeof(t->m);
	manifest_digest(&t->m, t->m.sha256);
	return true;
}

/* To a temporary file, renamed into place only when all of it is written and synced. */
bool flash_write(struct tool *t, const char *out)
{
	char *tmp;
	if (asprintf(&tmp, "%s.tmp.%d", out, (int)getpid()) < 0)
		return false;
	FILE *f = fopen(tmp, "wb");
	bool ok = f != NULL;
	uint8_t *flash = calloc(1, t->m.image_end);

	if (ok && flash) {
		memcpy(flash, t->hv, t->hv_size);
		memcpy(flash + MANIFEST_FLASH_OFFSET, &t->m, sizeof(t->m));
		for (uint32_t i = 0; i < t->blob_count; i++)
			memcpy(flash + t->m.image[i].offset, t->blob[i].data, t->blob[i].size);
		ok = fwrite(flash, 1, t->m.image_end, f) == t->m.image_end;
		ok = fflush(f) == 0 && ok;
		ok = fsync(fileno(f)) == 0 && ok;
	}
	if (f)
		ok = fclose(f) == 0 && ok;
	if (ok)
		ok = rename(tmp, out) == 0;
	if (!ok) {
		fprintf(stderr, "%s: cannot write the image: %s\n", out, strerror(errno));
		unlink(tmp);
	}
	free(flash);
	free(tmp);
	return ok;
}

void flash_print_summary(const struct tool *t, const char *out)
{
	printf("%s: %llu bytes, %u VM(s), %u image(s)\n", out, (unsigned long long)t->m.image_end, t->m.vm_count,
	       t->m.image_count);
	for (uint32_t i = 0; i < t->m.vm_count; i++) {
		const struct manifest_vm *vm = &t->m.vm[i];
		printf("  %-16s %u CPU(s), %llu MiB, kernel %s%s%s\n", vm->name, vm->cpu_count,
		       (unsigned long long)(manifest_vm_ram_size(vm) >> 20), t->m.image[vm->kernel.image].name,
		       vm->initrd.image != MANIFEST_NO_IMAGE ? ", initrd " : "",
		       vm->initrd.image != MANIFEST_NO_IMAGE ? t->m.image[vm->initrd.image].name : "");
	}
}

/* fvimage --dump: an image's manifest, checked by the shared validator; the exit status. */
int flash_dump(const char *path)
{
	FILE *f = fopen(path, "rb");
	struct manifest m;

	if (!f || fseek(f, MANIFEST_FLASH_OFFSET, SEEK_SET) != 0 || fread(&m, sizeof(m), 1, f) != 1) {
		fprintf(stderr, "%s: no manifest at offset 0x%llx\n", path, (unsigned long long)MANIFEST_FLASH_OFFSET);
		return 1;
	}
	fseek(f, 0, SEEK_END);
	long size = ftell(f);
	fclose(f);
	struct tool t = { .config_path = path };
	t.diag.report = tool_report;
	bool ok = manifest_validate(&m, (uint64_t)size, &t.diag);
	printf("manifest v%u, %u VM(s), %u image(s), %llu bytes: %s\n", m.version, m.vm_count, m.image_count,
	       (unsigned long long)m.image_end, ok ? "valid" : "INVALID");
	for (uint32_t i = 0; i < m.image_count && i < FV_MAX_IMAGES; i++)
		printf("  image %u: %-24.*s offset 0x%08llx size %llu\n", i, FV_NAME_MAX, m.image[i].name,
		       (unsigned long long)m.image[i].offset, (unsigned long long)m.image[i].size);
	for (uint32_t i = 0; i < m.vm_count && i < FV_MAX_VMS; i++)
		printf("  vm %u: %.*s cpus %u mem %llu MiB at 0x%llx (guest 0x%llx)\n", i, FV_NAME_MAX, m.vm[i].name,
		       m.vm[i].cpu_count, (unsigned long long)(m.vm[i].mem[0].size >> 20),
		       (unsigned long long)m.vm[i].mem[0].pa, (unsigned long long)m.vm[i].mem[0].ipa);
	return ok ? 0 : 1;
}
