// SPDX-License-Identifier: MIT
/*
 * fvimage: build a Flashvisor flash image from a VM configuration.
 *
 *   fvimage [-o flash.bin] [--hv flashvisor.bin] [-I dir]... config.dts
 *   fvimage --check [-I dir]... config.dts      validate only
 *   fvimage --dump flash.bin                    print an image's manifest
 *
 * Every error names the file, the line, the node and property, and the
 * reason; if there is any, no image is written (the output is written to a
 * temporary file and renamed into place only when complete).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <fv/fmt.h>
#include <fv/manifest.h>
#include <fv/sha256.h>
#include <plat/layout.h>

#include "fvimage.h"

/* Compile a .dts with dtc (its errors carry file:line already), or read a .dtb. */
static void *load_config(struct tool *t)
{
	const char *p = t->config_path;
	size_t n = strlen(p);
	char tmp[] = "/tmp/fvimage-XXXXXX";
	void *fdt = NULL;

	if (n > 4 && strcmp(p + n - 4, ".dtb") == 0) {
		FILE *f = fopen(p, "rb");
		if (!f) {
			fprintf(stderr, "%s: cannot open: %s\n", p, strerror(errno));
			return NULL;
		}
		fdt = calloc(1, 1 << 20);
		size_t got = fread(fdt, 1, 1 << 20, f);
		fclose(f);
		/* A .dtb is anyone's: check all of it (names, offsets, nesting) before config_read
		 * looks. Only version 17, what dtc writes: libfdt 1.6's full check crashes on some
		 * pre-16 trees. */
		if (got < 40 || fdt_check_header(fdt) != 0 || fdt_totalsize(fdt) > got || fdt_version(fdt) < 17 ||
		    fdt_check_full(fdt, got) != 0) {
			fprintf(stderr, "%s: not a valid device tree blob\n", p);
			free(fdt);
			return NULL;
		}
		return fdt;
	}
	if (access(p, R_OK) != 0) {
		fprintf(stderr, "%s: cannot open: %s\n", p, strerror(errno));
		return NULL;
	}
	int fd = mkstemp(tmp);
	if (fd < 0)
		return NULL;
	close(fd);
	char *cmd;
	if (asprintf(&cmd, "dtc -q -I dts -O dtb -o '%s' '%s'", tmp, p) < 0)
		return NULL;
	int rc = system(cmd);
	free(cmd);
	if (rc != 0) {
		fprintf(stderr, "%s: the configuration is not valid device tree source (dtc's message above)\n", p);
		unlink(tmp);
		return NULL;
	}
	FILE *f = fopen(tmp, "rb");
	fdt = calloc(1, 1 << 20);
	size_t got = f ? fread(fdt, 1, 1 << 20, f) : 0;
	if (f)
		fclose(f);
	unlink(tmp);
	if (got < 40 || fdt_check_header(fdt) != 0) {
		fprintf(stderr, "%s: dtc produced no usable output\n", p);
		free(fdt);
		return NULL;
	}
	t->srcmap = srcmap_load(p);
	return fdt;
}

static bool load_hv(struct tool *t)
{
	FILE *f = fopen(t->hv_path, "rb");
	struct hv_header h;

	if (!f) {
		fprintf(stderr, "%s: cannot open the hypervisor binary: %s\n", t->hv_path, strerror(errno));
		return false;
	}
	t->hv = malloc(MANIFEST_FLASH_OFFSET + 1);
	t->hv_size = fread(t->hv, 1, MANIFEST_FLASH_OFFSET + 1, f);
	fclose(f);
	if (t->hv_size < HV_HEADER_OFFSET + sizeof(h)) {
		fprintf(stderr, "%s: too small to be a Flashvisor binary\n", t->hv_path);
		return false;
	}
	memcpy(&h, t->hv + HV_HEADER_OFFSET, sizeof(h));
	if (h.magic != HV_HEADER_MAGIC) {
		fprintf(stderr, "%s: no Flashvisor header: not a hypervisor binary\n", t->hv_path);
		return false;
	}
	if (h.version != MANIFEST_VERSION) {
		fprintf(stderr, "%s: reads manifest version %u, this tool writes %u\n", t->hv_path, h.version,
			(unsigned int)MANIFEST_VERSION);
		return false;
	}
	if (t->hv_size > MANIFEST_FLASH_OFFSET) {
		fprintf(stderr, "%s: larger than its %llu-byte slot in flash\n", t->hv_path,
			(unsigned long long)MANIFEST_FLASH_OFFSET);
		return false;
	}
	t->m.hv = h;
	return true;
}

/* Device trees for every VM, then image placement and digests. */
static bool assemble(struct tool *t)
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

static bool write_image(struct tool *t, const char *out)
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

static void print_summary(const struct tool *t, const char *out)
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

static int dump(const char *path)
{
	FILE *f = fopen(path, "rb");
	struct manifest m;
	struct diag d = { NULL, 0 };

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
	(void)d;
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

static void usage(void)
{
	fprintf(stderr, "usage: fvimage [-o flash.bin] [--hv flashvisor.bin] [-I dir]... config.dts\n"
			"       fvimage --check [-I dir]... config.dts\n"
			"       fvimage --dump flash.bin\n");
}

int main(int argc, char **argv)
{
	static struct tool tool; /* one per run */
	struct tool *t = &tool;
	const char *out = "flash.bin";
	bool check_only = false;
	static const char *search[16];

	t->diag.report = tool_report;
	t->hv_path = "build/flashvisor.bin";
	t->search = search;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "-o") == 0 && i + 1 < argc)
			out = argv[++i];
		else if (strcmp(a, "--hv") == 0 && i + 1 < argc)
			t->hv_path = argv[++i];
		else if (strcmp(a, "-I") == 0 && i + 1 < argc && t->search_count < 16)
			search[t->search_count++] = argv[++i];
		else if (strcmp(a, "--check") == 0)
			check_only = true;
		else if (strcmp(a, "--dump") == 0 && i + 1 < argc)
			return dump(argv[i + 1]);
		else if (a[0] == '-' || t->config_path) {
			usage();
			return 2;
		} else
			t->config_path = a;
	}
	if (!t->config_path) {
		usage();
		return 2;
	}
	void *fdt = load_config(t);
	if (!fdt)
		return 1;
	if (!load_hv(t))
		return 1;
	config_read(t, fdt);
	if (t->diag.error_count == 0)
		assemble(t);
	if (t->diag.error_count == 0)
		manifest_validate(&t->m, t->m.image_end, &t->diag);
	if (t->diag.error_count) {
		fprintf(stderr, "%s: %u error(s); no image written\n", t->config_path, t->diag.error_count);
		return 1;
	}
	if (check_only) {
		printf("%s: valid\n", t->config_path);
		return 0;
	}
	if (!write_image(t, out))
		return 1;
	print_summary(t, out);
	return 0;
}
