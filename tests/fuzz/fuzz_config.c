// SPDX-License-Identifier: MIT
/*
 * Fuzzing the image tool's configuration reader (tools/fvimage/config.c,
 * config_read, on libfdt) with arbitrary device tree blobs that pass the
 * check fvimage makes of a .dtb (load_dtb_ok: header, size, version 17,
 * fdt_check_full). Image files named by the
 * configuration are looked up next to it, in a scratch directory this harness
 * fills with a valid arm64 Image, an initrd and a bare-metal binary. The
 * harness links the tool's own library (all of tools/fvimage but main.c) and
 * watches its reports through the diag hook tool_error reports through.
 *
 * Invariants: config_read answers true exactly when it reported nothing;
 * every report names a place and a reason; whatever it answers, the
 * manifest it filled stays within its limits (counts, terminated names and
 * bootargs), and if it accepts, image indices name loaded files and no
 * device tree is there yet. A
 * configuration it accepts has at least one VM, each with CPUs, memory and a
 * kernel, laid out as the format says (kernel at a 2 MiB boundary plus the
 * Image's text_offset, device tree after it at the next 2 MiB boundary,
 * initrd 2 MiB later). For such a configuration the tool's next steps run
 * too (flash_assemble): each VM's device tree is built and must be one libfdt fully accepts
 * and the hypervisor's own reader sees the same way (its CPUs, its memory,
 * /chosen with the KASLR seed at the offset the manifest will record), and
 * the complete manifest goes through the shared validator, which must not
 * change it.
 */
#define _GNU_SOURCE
#include <libfdt.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fv/dtb.h>
#include <fv/image.h>

#include "../../tools/fvimage/fvimage.h"
#include "fuzz_common.h"

static char scratch[64];
static char config_path[96];
static struct tool tool;
static unsigned int reports;

/* Every report the tool makes comes here: it must name a place and a reason. */
static void count_report(struct diag *d, const char *where, const char *prop, const char *what)
{
	(void)d;
	FUZZ_CHECK(where && *where && what && *what, "a report without a place or a reason (%s: %s)",
		   where ? where : "(null)", prop ? prop : "-");
	reports++;
}

/* ---- the scratch directory ---- */

static void write_file(const char *name, const uint8_t *data, size_t size)
{
	char path[160];

	snprintf(path, sizeof(path), "%s/%s", scratch, name);
	FILE *f = fopen(path, "wb");
	FUZZ_CHECK(f && fwrite(data, 1, size, f) == size && fclose(f) == 0, "cannot write %s", path);
}

static void remove_scratch(void)
{
	static const char *const names[] = { "Image", "initrd.gz", "bare.bin" };
	char path[160];

	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		snprintf(path, sizeof(path), "%s/%s", scratch, names[i]);
		unlink(path);
	}
	rmdir(scratch);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static uint8_t image[4096], initrd[300], bare[64];

	(void)argc;
	(void)argv;
	snprintf(scratch, sizeof(scratch), "/tmp/fv-fuzz-config-XXXXXX");
	FUZZ_CHECK(mkdtemp(scratch) != NULL, "cannot make a scratch directory");
	atexit(remove_scratch);
	/* an arm64 Image header: text_offset 0, image_size 64 KiB, little endian, magic "ARM\x64" */
	image[0x10 + 2] = 0x01;
	memcpy(image + 0x38, "ARM\x64", 4);
	for (size_t i = 0; i < sizeof(initrd); i++)
		initrd[i] = (uint8_t)(i * 13);
	memset(bare, 0xd5, sizeof(bare));
	write_file("Image", image, sizeof(image));
	write_file("initrd.gz", initrd, sizeof(initrd));
	write_file("bare.bin", bare, sizeof(bare));
	snprintf(config_path, sizeof(config_path), "%s/config.dtb", scratch);
	return 0;
}

/* ---- checks ---- */

/* Always: counts and strings within bounds. Accepted: every index names a loaded file. */
static void check_limits(const struct tool *t, bool accepted)
{
	const struct manifest *m = &t->m;

	FUZZ_CHECK(m->vm_count <= FV_MAX_VMS && t->blob_count <= FV_MAX_IMAGES, "%u VMs, %u images", m->vm_count,
		   t->blob_count);
	for (uint32_t i = 0; i < t->blob_count; i++)
		FUZZ_CHECK(t->blob[i].data && t->blob[i].size && strnlen(t->blob[i].name, FV_NAME_MAX) < FV_NAME_MAX,
			   "image %u: no data, or its name not terminated", i);
	for (uint32_t i = 0; i < m->vm_count; i++) {
		const struct manifest_vm *vm = &m->vm[i];
		FUZZ_CHECK(strnlen(vm->name, FV_NAME_MAX) < FV_NAME_MAX, "VM %u: name not terminated", i);
		FUZZ_CHECK(vm->cpu_count <= FV_MAX_VCPUS && vm->mem_count <= FV_MAX_VM_MEM &&
				   vm->device_count <= FV_MAX_VM_DEVICES,
			   "VM %u: %u CPUs, %u regions, %u devices", i, vm->cpu_count, vm->mem_count, vm->device_count);
		FUZZ_CHECK(strnlen(t->bootargs[i], MAX_BOOTARGS) < MAX_BOOTARGS, "VM %u: bootargs not terminated", i);
		if (!accepted)
			continue; /* after an error the tool stops: half-read VMs are never used */
		FUZZ_CHECK(vm->kernel.image == MANIFEST_NO_IMAGE || vm->kernel.image < t->blob_count,
			   "VM %u: kernel %u", i, vm->kernel.image);
		FUZZ_CHECK(vm->initrd.image == MANIFEST_NO_IMAGE || vm->initrd.image < t->blob_count,
			   "VM %u: initrd %u", i, vm->initrd.image);
		FUZZ_CHECK(vm->dtb.image == MANIFEST_NO_IMAGE, "VM %u: a device tree before the tool built one", i);
	}
}

static void check_layout(const struct tool *t, uint32_t i)
{
	const struct manifest_vm *vm = &t->m.vm[i];

	FUZZ_CHECK(vm->cpu_count >= 1 && vm->mem_count >= 1 && vm->kernel.image != MANIFEST_NO_IMAGE,
		   "VM %u accepted without CPUs, memory or kernel", i);
	const struct blob *k = &t->blob[vm->kernel.image];
	if (vm->boot == VM_BOOT_LINUX) {
		struct linux_image_info info;
		const char *why;
		FUZZ_CHECK(image_linux_parse(k->data, k->size, &info, &why), "VM %u: Linux kernel accepted: %s", i,
			   why);
		FUZZ_CHECK(vm->kernel.ipa == ALIGN_UP(vm->mem[0].ipa, SZ_2M) + info.text_offset &&
				   vm->kernel.reserve == info.image_size && vm->entry == vm->kernel.ipa,
			   "VM %u: kernel placed at 0x%llx", i, (unsigned long long)vm->kernel.ipa);
	} else {
		FUZZ_CHECK(vm->kernel.ipa == vm->mem[0].ipa && vm->kernel.reserve >= k->size,
			   "VM %u: bare binary placed at 0x%llx", i, (unsigned long long)vm->kernel.ipa);
	}
	FUZZ_CHECK(vm->dtb.ipa % SZ_2M == 0 && vm->dtb.ipa >= vm->kernel.ipa + vm->kernel.reserve,
		   "VM %u: device tree at 0x%llx", i, (unsigned long long)vm->dtb.ipa);
	if (vm->initrd.image != MANIFEST_NO_IMAGE)
		FUZZ_CHECK(vm->initrd.ipa == vm->dtb.ipa + SZ_2M &&
				   vm->initrd.reserve >= t->blob[vm->initrd.image].size,
			   "VM %u: initrd at 0x%llx", i, (unsigned long long)vm->initrd.ipa);
}

/* The tree the tool writes for a VM, read back by libfdt and by the hypervisor's reader. */
static void check_guest_tree(struct tool *t, uint32_t i, const uint8_t *dtb, size_t size, uint64_t kaslr)
{
	const struct manifest_vm *vm = &t->m.vm[i];
	struct dtb r;

	FUZZ_CHECK(fdt_check_full(dtb, size) == 0, "VM %u: the tool wrote a tree libfdt rejects", i);
	FUZZ_CHECK(dtb_open(&r, dtb, size) == 0, "VM %u: the hypervisor's reader rejects the tool's tree", i);
	int chosen = dtb_path(&r, "/chosen");
	uint32_t len;
	const uint8_t *seed = dtb_prop(&r, chosen, "kaslr-seed", &len);
	FUZZ_CHECK(seed && len == 8 && (uint64_t)(seed - dtb) == kaslr,
		   "VM %u: kaslr-seed at %td, the manifest says %llu", i, seed ? seed - dtb : -1,
		   (unsigned long long)kaslr);
	uint32_t cpus = 0, mems = 0;
	for (int n = dtb_first_child(&r, dtb_path(&r, "/cpus")); n >= 0; n = dtb_next_sibling(&r, n))
		cpus++;
	for (int n = dtb_first_child(&r, dtb_root(&r)); n >= 0; n = dtb_next_sibling(&r, n)) {
		const char *type = dtb_prop(&r, n, "device_type", &len);
		mems += type && len == 7 && memcmp(type, "memory", 7) == 0;
	}
	FUZZ_CHECK(cpus == vm->cpu_count && mems == vm->mem_count, "VM %u: tree has %u CPUs and %u memory nodes", i,
		   cpus, mems);
}

/* The tool's remaining steps: device trees, image placement, digests, the shared validator. */
static void finish_image(struct tool *t)
{
	struct manifest *m = &t->m;

	m->hv = (struct hv_header){ HV_HEADER_MAGIC, 0x40000000, 0x600000, 0x10000, MANIFEST_VERSION, 0 };
	bool placed = flash_assemble(t);
	for (uint32_t i = 0; i < m->vm_count; i++) {
		uint32_t tree = m->vm[i].dtb.image;
		if (tree != MANIFEST_NO_IMAGE)
			check_guest_tree(t, i, t->blob[tree].data, t->blob[tree].size, m->vm[i].kaslr_seed_offset);
	}
	if (!placed)
		return;

	static struct manifest copy;
	struct testbed_diag d;
	memcpy(&copy, m, sizeof(copy));
	testbed_diag_init(&d);
	bool ok = manifest_validate(m, m->image_end, &d.d);
	FUZZ_CHECK(ok == (d.d.error_count == 0) && memcmp(&copy, m, sizeof(copy)) == 0,
		   "the validator on the tool's manifest: %d with %u errors, or it changed it", ok, d.d.error_count);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!load_dtb_ok(data, size)) /* what fvimage refuses before config_read */
		return 0;
	uint8_t *fdt = malloc(size); /* exactly the blob: reads past it are caught */
	FUZZ_CHECK(fdt != NULL, "out of memory");
	memcpy(fdt, data, size);

	memset(&tool, 0, sizeof(tool));
	tool.config_path = config_path;
	tool.diag.report = count_report;
	reports = 0;
	bool ok = config_read(&tool, fdt);
	FUZZ_CHECK(ok == (reports == 0), "config_read said %d with %u reports", ok, reports);
	check_limits(&tool, ok);
	if (ok) {
		FUZZ_CHECK(tool.m.vm_count >= 1, "a configuration without VMs accepted");
		for (uint32_t i = 0; i < tool.m.vm_count; i++)
			check_layout(&tool, i);
		finish_image(&tool);
	}
	for (uint32_t i = 0; i < tool.blob_count; i++)
		free(tool.blob[i].data);
	free(fdt);
	return 0;
}
