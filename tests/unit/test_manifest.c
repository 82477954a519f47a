// SPDX-License-Identifier: MIT
/*
 * The shared image validator (core/boot/manifest.c): one test per rule, each
 * with the accepted and the rejected case, asserting that the error names
 * the place in configuration terms ("/vms/vm1", property "cpus") and says
 * why. manifest_check_board is run against test bed boards that lack what
 * the image needs. Every edit re-digests the manifest unless the test is
 * about the digest, so each case fails for its own reason only.
 */
#include "helpers.h"

#include <stdio.h>
#include <string.h>

#include <fv/board.h>
#include <fv/manifest.h>
#include <plat/layout.h>

static struct manifest m;
static struct testbed_diag d;

static int setup(void **state)
{
	(void)state;
	testbed_manifest(&m, 2, 2);
	return 0;
}

/* True if one reported line starts with "where: prop: " and contains `what`. */
static bool has_line(const char *where, const char *prop, const char *what)
{
	char head[128];
	const char *line = d.text;

	snprintf(head, sizeof(head), "%s: %s: ", where, prop ? prop : "-");
	while (*line) {
		const char *end = strchr(line, '\n');
		size_t n = end ? (size_t)(end - line) : strlen(line);
		char buf[512];
		snprintf(buf, sizeof(buf), "%.*s", (int)n, line);
		if (strncmp(buf, head, strlen(head)) == 0 && strstr(buf, what))
			return true;
		line += n + (end ? 1 : 0);
	}
	return false;
}

static bool validate_raw(uint64_t flash_bytes)
{
	testbed_diag_init(&d);
	return manifest_validate(&m, flash_bytes, &d.d);
}

static bool validate(void)
{
	testbed_redigest(&m);
	return validate_raw(m.image_end);
}

static void expect_ok(void)
{
	if (!validate() || d.d.error_count)
		fail_msg("expected a valid manifest, got:\n%s", d.text);
}

static void expect_error(const char *where, const char *prop, const char *what)
{
	bool ok = validate();

	if (ok || !has_line(where, prop, what))
		fail_msg("expected \"%s: %s: ...%s...\", got (%s):\n%s", where, prop ? prop : "-", what,
			 ok ? "valid" : "invalid", d.text);
}

/* ---------------- the base case and the helpers ---------------- */

static void test_testbed_manifest_is_valid(void **state)
{
	(void)state;
	expect_ok();
	for (uint32_t n = 1; n < FV_MAX_VMS; n++) {
		testbed_manifest(&m, n, 1);
		expect_ok();
	}
	/* eight VMs of 256 MiB do not fit the board's 2 GiB next to the hypervisor */
	testbed_manifest(&m, FV_MAX_VMS, 1);
	expect_error("/vms/vm7", "memory", "is outside the board's RAM");
	testbed_set_ram_size(&m, 0x8000000);
	expect_ok();
	testbed_manifest(&m, 1, FV_MAX_VCPUS);
	expect_ok();
}

static void test_all_errors_are_reported(void **state)
{
	(void)state;
	m.vm[0].on_crash = 9;
	m.vm[1].cpu[1] = m.vm[1].cpu[0];
	m.vm[1].dtb.ipa += 4;
	assert_false(validate());
	assert_int_equal(d.d.error_count, 3);
	assert_true(has_line("/vms/vm0", "on-crash", "unknown policy 9"));
	assert_true(has_line("/vms/vm1", "cpus", "listed twice"));
	assert_true(has_line("/vms/vm1", "dtb", "8-byte aligned"));
}

static void test_diag_without_reporter_counts(void **state)
{
	(void)state;
	struct diag quiet = { NULL, 5 };

	m.vm[0].on_crash = 9;
	testbed_redigest(&m);
	assert_false(manifest_validate(&m, m.image_end, &quiet));
	assert_int_equal(quiet.error_count, 6);
	/* success is judged on new errors only */
	testbed_manifest(&m, 1, 1);
	assert_true(manifest_validate(&m, m.image_end, &quiet));
}

static void test_digest_covers_all_but_itself(void **state)
{
	(void)state;
	uint8_t a[32], b[32];

	manifest_digest(&m, a);
	assert_memory_equal(a, m.sha256, 32);
	memset(m.sha256, 0x5a, sizeof(m.sha256));
	manifest_digest(&m, b);
	assert_memory_equal(a, b, 32);       /* the digest field is not hashed */
	((uint8_t *)&m)[sizeof(m) - 1] ^= 1; /* the last byte is */
	manifest_digest(&m, b);
	assert_memory_not_equal(a, b, 32);
}

static void test_find_vm_and_ram(void **state)
{
	(void)state;
	uint64_t pa;

	assert_ptr_equal(manifest_find_vm(&m, "vm1"), &m.vm[1]);
	assert_ptr_equal(manifest_find_vm(&m, "vm0"), &m.vm[0]);
	snprintf(m.vm[2].name, FV_NAME_MAX, "vm2");
	assert_null(manifest_find_vm(&m, "vm2")); /* in the array, beyond vm_count */
	assert_null(manifest_find_vm(&m, "vm"));
	assert_int_equal(manifest_vm_ram_size(&m.vm[0]), 0x10000000);

	struct manifest_vm *v = &m.vm[1];
	v->mem[0] = (struct manifest_mem){ 0x40000000, 0x70000000, 0x100000 };
	v->mem[1] = (struct manifest_mem){ 0x80000000, 0x60000000, 0x200000 };
	v->mem_count = 2;
	assert_int_equal(manifest_vm_ram_size(v), 0x300000);
	assert_true(manifest_vm_ipa_to_pa(v, 0x40000000, 0x100000, &pa));
	assert_int_equal(pa, 0x70000000);
	assert_true(manifest_vm_ipa_to_pa(v, 0x80001000, 4, &pa));
	assert_int_equal(pa, 0x60001000);
	assert_true(manifest_vm_ipa_to_pa(v, 0x801ffffc, 4, &pa));
	assert_int_equal(pa, 0x601ffffc);
	assert_false(manifest_vm_ipa_to_pa(v, 0x801ffffc, 8, &pa));    /* runs past the end */
	assert_false(manifest_vm_ipa_to_pa(v, 0x400ffff0, 0x20, &pa)); /* straddles a gap */
	assert_false(manifest_vm_ipa_to_pa(v, 0x3ffffffc, 4, &pa));
	assert_false(manifest_vm_ipa_to_pa(v, ~0ULL - 1, 4, &pa)); /* wraps */
	assert_false(manifest_vm_ipa_to_pa(v, 0x40000000, 0, &pa));
}

/* ---------------- header ---------------- */

static void test_magic(void **state)
{
	(void)state;
	m.magic ^= 1;
	m.vm[0].cpu_count = 0; /* not looked at: nothing can be trusted */
	expect_error("manifest", NULL, "bad magic");
	assert_int_equal(d.d.error_count, 1);
}

static void test_version(void **state)
{
	(void)state;
	m.version = MANIFEST_VERSION + 1;
	expect_error("manifest", NULL, "version 3, this build reads version 2");
}

static void test_size(void **state)
{
	(void)state;
	m.size = sizeof(m) - 8;
	m.vm[1].cpu_count = 0;
	expect_error("manifest", NULL, "expected");
	assert_false(has_line("/vms/vm1", "cpus", "CPUs")); /* VMs are not trusted either */
}

static void test_checksum(void **state)
{
	(void)state;
	assert_true(validate_raw(m.image_end));
	m.vm[0].entry += 4; /* still a valid entry: only the checksum is wrong */
	assert_false(validate_raw(m.image_end));
	assert_int_equal(d.d.error_count, 1);
	assert_true(has_line("manifest", NULL, "checksum mismatch"));
}

static void test_hypervisor_header(void **state)
{
	(void)state;
	m.hv.magic = 0;
	expect_error("manifest", "hypervisor", "no hypervisor header");
	setup(NULL);
	m.hv.image_size = 0;
	expect_error("manifest", "hypervisor", "exceeds its");
	m.hv.image_size = MANIFEST_FLASH_OFFSET + 1;
	expect_error("manifest", "hypervisor", "exceeds its 2097152-byte slot");
	m.hv.image_size = MANIFEST_FLASH_OFFSET;
	expect_ok();
	m.hv.ram_size = 0;
	expect_error("manifest", "hypervisor", "bad hypervisor RAM region");
	m.hv.ram_base = ~0ULL - 0xfff;
	m.hv.ram_size = 0x2000;
	expect_error("manifest", "hypervisor", "bad hypervisor RAM region");
}

static void test_board_cpus(void **state)
{
	(void)state;
	m.board.cpu_count = FV_MAX_CPUS + 1;
	expect_error("/board", "cpus", "9 board CPUs: must be 1..8");
	m.board.cpu_count = 0;
	expect_error("/board", "cpus", "0 board CPUs");
	m.board.cpu_count = 4; /* just enough for 2 x 2 */
	expect_ok();
	m.board.cpu_count = 3;
	expect_error("/vms/vm1", "cpus", "CPU 3 does not exist: the board has 3 CPUs (0..2)");
}

static void test_board_memory(void **state)
{
	(void)state;
	m.board.ram_size = 0;
	expect_error("/board", "memory", "empty or wrapping");
	m.board.ram_base = ~0ULL - 0xffff;
	m.board.ram_size = 0x20000;
	expect_error("/board", "memory", "empty or wrapping");
	setup(NULL);
	m.hv.ram_base = 0x3ff00000; /* starts below the board's RAM */
	expect_error("/board", "memory", "does not contain the hypervisor's RAM [0x3ff00000, +0x600000)");
	m.hv.ram_base = m.board.ram_base + m.board.ram_size - m.hv.ram_size; /* its last bytes */
	expect_ok();
}

static void test_image_end(void **state)
{
	(void)state;
	uint64_t end = m.image_end;

	m.image_end = MANIFEST_FLASH_OFFSET + sizeof(m) - 1;
	expect_error("manifest", NULL, "inside the manifest");
	m.image_end = end;
	m.board.flash_size = end - 1;
	expect_error("/board", NULL, "the image needs");
	m.board.flash_size = end;
	expect_ok();
	/* the bytes present: exactly enough, then one short */
	testbed_redigest(&m);
	assert_true(validate_raw(end));
	assert_false(validate_raw(end - 1));
	assert_true(has_line("manifest", NULL, "only"));
	assert_true(has_line("manifest", NULL, "(truncated)"));
}

static void test_vm_and_image_counts(void **state)
{
	(void)state;
	m.vm_count = 0;
	expect_error("/vms", NULL, "0 VMs: must be 1..8");
	m.vm_count = FV_MAX_VMS + 1;
	expect_error("/vms", NULL, "9 VMs");
	setup(NULL);
	m.image_count = FV_MAX_IMAGES + 1;
	expect_error("manifest", NULL, "33 images: at most 32");
}

/* ---------------- images ---------------- */

static void test_image_name_and_size(void **state)
{
	(void)state;
	char where[64];
	memset(m.image[1].name, 'x', FV_NAME_MAX);
	/* the message shows what can be shown: the first FV_NAME_MAX - 1 characters */
	snprintf(where, sizeof(where), "image 1 (%.*s)", FV_NAME_MAX - 1, m.image[1].name);
	expect_error(where, NULL, "name is not terminated");
	setup(NULL);
	m.image[2].size = 0;
	expect_error("image 2 (image2)", NULL, "empty image");
}

static void test_image_placement(void **state)
{
	(void)state;
	uint64_t first = m.image[0].offset;

	m.image[0].offset = first + 0x800;
	expect_error("image 0 (image0)", NULL, "bad flash placement");
	m.image[0].offset = first - MANIFEST_IMAGE_ALIGN; /* on the manifest */
	expect_error("image 0 (image0)", NULL, "bad flash placement");
	setup(NULL);
	m.image[2].size += 1; /* runs past image_end */
	expect_error("image 2 (image2)", NULL, "bad flash placement");
	m.image_end += MANIFEST_IMAGE_ALIGN;
	m.board.flash_size = PLAT_FLASH_SIZE;
	m.vm[0].dtb.reserve = m.vm[1].dtb.reserve = 0x2000;
	expect_ok();
}

static void test_image_overlap(void **state)
{
	(void)state;
	m.image[2].offset = m.image[1].offset;
	expect_error("image 2 (image2)", NULL, "overlaps image 1 in flash");
	m.image[2].offset = m.image[1].offset + 0x1000;
	expect_ok();
}

/* ---------------- VM names ---------------- */

static void test_vm_names(void **state)
{
	(void)state;
	m.vm[1].name[0] = '\0';
	expect_error("/vms/#1", NULL, "VM names are 1..31 characters of [A-Za-z0-9._-]");
	snprintf(m.vm[1].name, FV_NAME_MAX, "bad name");
	expect_error("/vms/#1", NULL, "VM names");
	snprintf(m.vm[1].name, FV_NAME_MAX, "linux/a");
	expect_error("/vms/#1", NULL, "VM names");
	memset(m.vm[1].name, 'a', FV_NAME_MAX); /* unterminated */
	expect_error("/vms/#1", NULL, "VM names");
	memset(m.vm[1].name, 'a', FV_NAME_MAX - 1);
	m.vm[1].name[FV_NAME_MAX - 1] = '\0';
	expect_ok();
	snprintf(m.vm[1].name, FV_NAME_MAX, "Linux-B_2.test");
	expect_ok();
	snprintf(m.vm[1].name, FV_NAME_MAX, "hv");
	expect_error("/vms/hv", NULL, "the hypervisor's own name");
	snprintf(m.vm[1].name, FV_NAME_MAX, "vm0");
	expect_error("/vms/vm0", NULL, "a second VM with this name");
	assert_int_equal(d.d.error_count, 1); /* reported once, on the second */
}

/* ---------------- CPUs ---------------- */

static void test_vm_cpu_count(void **state)
{
	(void)state;
	m.vm[1].cpu_count = 0;
	expect_error("/vms/vm1", "cpus", "0 CPUs: a VM needs 1..8");
	m.vm[1].cpu_count = FV_MAX_VCPUS + 1;
	expect_error("/vms/vm1", "cpus", "9 CPUs");
	m.vm[1].cpu_count = 1;
	/* the redistributors' window is one frame per vCPU */
	expect_error("/vms/vm1", "devices", "gicv3-redistributors at 0x80a0000: its window must be 0x20000 bytes");
	testbed_device(&m, 1, DEVICE_GICR)->size = VBOARD_GICR_STRIDE;
	expect_ok();
}

static void test_vm_cpu_exists(void **state)
{
	(void)state;
	m.vm[1].cpu[1] = 8;
	expect_error("/vms/vm1", "cpus", "CPU 8 does not exist: the board has 8 CPUs (0..7)");
	m.vm[1].cpu[1] = 7;
	expect_ok();
}

static void test_vm_cpu_twice(void **state)
{
	(void)state;
	m.vm[0].cpu[1] = m.vm[0].cpu[0];
	expect_error("/vms/vm0", "cpus", "CPU 0 is listed twice");
}

static void test_vm_cpu_shared(void **state)
{
	(void)state;
	m.vm[1].cpu[0] = 1;
	expect_error("/vms/vm1", "cpus", "CPU 1 is already given to /vms/vm0");
	assert_false(has_line("/vms/vm0", "cpus", "already")); /* blamed on the later VM */
}

/* ---------------- memory ---------------- */

static void test_vm_mem_count(void **state)
{
	(void)state;
	m.vm[1].mem_count = 0;
	expect_error("/vms/vm1", "memory", "0 regions: a VM needs 1..4");
	m.vm[1].mem_count = FV_MAX_VM_MEM + 1;
	expect_error("/vms/vm1", "memory", "5 regions");
}

static void test_vm_region_shape(void **state)
{
	(void)state;
	struct manifest_mem *r = &m.vm[1].mem[0];

	r->size = 0;
	expect_error("/vms/vm1", "memory", "is empty, wraps or is not 4 KiB aligned");
	setup(NULL);
	r->pa += 0x800;
	expect_error("/vms/vm1", "memory", "not 4 KiB aligned");
	setup(NULL);
	r->ipa += 0x10;
	expect_error("/vms/vm1", "memory", "not 4 KiB aligned");
	setup(NULL);
	r->size += 0x200;
	expect_error("/vms/vm1", "memory", "not 4 KiB aligned");
	setup(NULL);
	r->pa = ~0ULL - 0xfff;
	expect_error("/vms/vm1", "memory", "wraps");
	setup(NULL);
	r->size -= 0x1000; /* 4 KiB granular is enough */
	expect_ok();
}

static void test_vm_region_in_board_ram(void **state)
{
	(void)state;
	struct manifest_mem *r = &m.vm[1].mem[0];

	r->pa = m.board.ram_base + m.board.ram_size - r->size + 0x1000;
	expect_error("/vms/vm1", "memory", "is outside the board's RAM [0x40000000, 0xbfffffff]");
	r->pa -= 0x1000;
	expect_ok();
}

static void test_vm_region_not_hypervisor(void **state)
{
	(void)state;
	struct manifest_mem *r = &m.vm[0].mem[0];

	r->pa = m.hv.ram_base + m.hv.ram_size - 0x1000;
	expect_error("/vms/vm0", "memory", "overlaps the hypervisor's RAM [0x40000000, 0x405fffff]");
	r->pa += 0x1000;
	r->size = 0x7a00000; /* right after the hypervisor, up to vm1 */
	m.vm[0].kernel.ipa = m.vm[0].entry = r->ipa;
	expect_ok();
}

static void test_vm_region_guest_address(void **state)
{
	(void)state;
	struct manifest_mem *r = &m.vm[1].mem[0];

	r->ipa = (1ULL << FV_IPA_BITS) - r->size + 0x1000;
	expect_error("/vms/vm1", "guest-address", "ends beyond the 39-bit guest address space");
	r->ipa = (1ULL << FV_IPA_BITS) - r->size; /* the very top */
	m.vm[1].kernel.ipa = m.vm[1].entry = r->ipa;
	m.vm[1].dtb.ipa = r->ipa + 0x200000;
	m.vm[1].initrd.ipa = r->ipa + 0x400000;
	expect_ok();
	r->ipa = 0x20000000;
	expect_error("/vms/vm1", "guest-address", "lies in the device area below 0x40000000");
}

static void test_vm_region_covers_device(void **state)
{
	(void)state;
	const uint64_t windows[] = { VBOARD_GICD_BASE, VBOARD_GICR_BASE, VBOARD_UART_BASE, TESTBED_WDT_BASE };
	char what[96];

	for (uint32_t i = 0; i < ARRAY_SIZE(windows); i++) {
		setup(NULL);
		testbed_add_watchdog(&m, 1);
		m.vm[1].mem[0].ipa = windows[i] & ~(SZ_64K - 1);
		m.vm[1].mem[0].size = SZ_64K;
		snprintf(what, sizeof(what), "covers an emulated device at 0x%llx", (unsigned long long)windows[i]);
		expect_error("/vms/vm1", "guest-address", what);
	}
	/* the redistributor window grows with the VM's CPUs */
	setup(NULL);
	m.vm[1].mem[0].ipa = VBOARD_GICR_BASE + 2 * VBOARD_GICR_STRIDE;
	m.vm[1].mem[0].size = SZ_4K;
	assert_false(validate());
	assert_false(has_line("/vms/vm1", "guest-address", "covers an emulated device"));
	m.vm[1].mem[0].ipa -= SZ_4K;
	expect_error("/vms/vm1", "guest-address", "covers an emulated device at 0x80a0000");
}

static void test_vm_regions_overlap_each_other(void **state)
{
	(void)state;
	struct manifest_vm *v = &m.vm[1];

	/* split its RAM in two regions that touch: fine */
	v->mem[0].size = 0x8000000;
	v->mem[1] = (struct manifest_mem){ v->mem[0].ipa + 0x8000000, v->mem[0].pa + 0x8000000, 0x8000000 };
	v->mem_count = 2;
	expect_ok();
	v->mem[1].pa -= 0x1000;
	expect_error("/vms/vm1", "memory", "regions 0 and 1 overlap");
	v->mem[1].pa += 0x1000;
	v->mem[1].ipa -= 0x1000;
	expect_error("/vms/vm1", "guest-address", "regions 0 and 1 overlap in guest memory");
}

static void test_vm_regions_overlap_other_vm(void **state)
{
	(void)state;
	m.vm[1].mem[0].pa = m.vm[0].mem[0].pa + m.vm[0].mem[0].size - 0x1000;
	expect_error("/vms/vm1", "memory", "overlaps memory of /vms/vm0 [0x48000000, 0x57ffffff]");
	/* guest addresses may coincide: each VM has its own guest address space */
	setup(NULL);
	m.vm[1].mem[0].ipa = m.vm[0].mem[0].ipa;
	m.vm[1].kernel.ipa = m.vm[1].entry = m.vm[0].kernel.ipa;
	m.vm[1].initrd.ipa = m.vm[0].initrd.ipa;
	m.vm[1].dtb.ipa = m.vm[0].dtb.ipa;
	expect_ok();
}

/* ---------------- devices ---------------- */

static void test_vm_devices_accepted(void **state)
{
	(void)state;
	testbed_add_virtio(&m, 0, 0);
	testbed_add_virtio(&m, 0, 31);
	testbed_add_virtio(&m, 1, 5);
	expect_ok();
}

static void test_vm_device_count(void **state)
{
	(void)state;
	for (uint32_t i = 0; i < FV_MAX_VM_SLOTS; i++)
		testbed_add_virtio(&m, 0, i);
	expect_ok();
	testbed_add_virtio(&m, 0, FV_MAX_VM_SLOTS);
	expect_error("/vms/vm0", "virtio-mmio", "9 devices: at most 8");
	m.vm[0].device_count = FV_MAX_VM_DEVICES + 1;
	expect_error("/vms/vm0", "devices", "17 devices: at most 16");
}

static void test_vm_device_kind_and_slot(void **state)
{
	(void)state;
	testbed_add_virtio(&m, 1, 2);
	m.vm[1].device[0].kind = 7;
	expect_error("/vms/vm1", "devices", "device 0: unknown kind 7");
	m.vm[1].device[0].kind = DEVICE_VIRTIO_MMIO;
	m.vm[1].device[0].index = FV_VIRTIO_SLOTS;
	expect_error("/vms/vm1", "virtio-mmio", "unknown kind or slot 32");
}

static void test_vm_device_matches_board(void **state)
{
	(void)state;
	struct manifest_device *dev = &m.vm[1].device[0];

	testbed_add_virtio(&m, 1, 2);
	dev->pa += PLAT_VIRTIO_STRIDE;
	dev->ipa = dev->pa;
	expect_error("/vms/vm1", "virtio-mmio", "slot 2: window or interrupt do not match the board");
	testbed_add_virtio(&m, 0, 0);
	*dev = m.vm[0].device[0];
	testbed_drop_virtio(&m, 0);
	dev->index = 2;
	dev->pa = dev->ipa = PLAT_VIRTIO_BASE + 2 * PLAT_VIRTIO_STRIDE;
	expect_error("/vms/vm1", "virtio-mmio", "slot 2: window or interrupt"); /* interrupt of slot 0 */
	dev->intid = PLAT_VIRTIO_INTID_BASE + 2;
	expect_ok();
	dev->ipa += 0x10000000;
	expect_error("/vms/vm1", "virtio-mmio", "slot 2: window");
	dev->ipa = dev->pa;
	dev->size = 0x1000;
	expect_error("/vms/vm1", "virtio-mmio", "slot 2: window");
}

/* What the validator accepts, the hypervisor can map: its stage-2 pool is checked too. */
static void test_vm_stage2_pool(void **state)
{
	(void)state;
	struct manifest_vm *vm = &m.vm[1];

	/* guest and physical address 4 KiB apart: no 2 MiB blocks, one level-3 table per 2 MiB */
	vm->mem[0].ipa += 0x1000;
	vm->kernel.ipa += 0x1000;
	vm->entry += 0x1000;
	vm->initrd.ipa += 0x1000;
	vm->dtb.ipa += 0x1000;
	vm->mem[0].size = 0x8000000; /* 128 MiB: 64 such tables, and the root and a level-2 one */
	expect_error("/vms/vm1", "memory",
		     "mapping its RAM takes more than 64 stage-2 tables, the hypervisor has 64 per VM");
	assert_false(testbed_create_vms(&m)); /* and indeed the boot path could not */
	vm->mem[0].size =
		0x7a00000; /* 122 MiB: 62 level-3 tables (it straddles 2 MiB slots), a level-2 one, the root */
	expect_ok();
	assert_true(testbed_create_vms(&m));
}

static void test_vm_device_needs_the_isolation_flag(void **state)
{
	(void)state;
	testbed_add_virtio(&m, 1, 3);
	expect_ok();
	m.vm[1].flags &= ~(uint32_t)VM_FLAG_UNISOLATED_DMA;
	expect_error("/vms/vm1", "virtio-mmio", "slot 3: a passed-through device can DMA into every VM's memory");
	testbed_drop_virtio(&m, 1);
	expect_ok();
	m.vm[0].flags |= VM_FLAG_UNISOLATED_DMA; /* said without a device: nothing to refuse */
	expect_ok();
}

static void test_vm_device_needs_identity_ram(void **state)
{
	(void)state;
	testbed_add_virtio(&m, 1, 3);
	m.vm[1].mem[0].ipa += 0x10000000;
	m.vm[1].kernel.ipa += 0x10000000;
	m.vm[1].entry += 0x10000000;
	m.vm[1].initrd.ipa += 0x10000000;
	m.vm[1].dtb.ipa += 0x10000000;
	expect_error("/vms/vm1", "guest-address", "virtio slot 3 does DMA to physical addresses");
	testbed_drop_virtio(&m, 1);
	expect_ok(); /* without passthrough devices, RAM may be anywhere */
}

static void test_vm_device_twice_and_shared(void **state)
{
	(void)state;
	testbed_add_virtio(&m, 0, 3);
	testbed_add_virtio(&m, 0, 3);
	expect_error("/vms/vm0", "virtio-mmio", "slot 3 is listed twice");
	setup(NULL);
	testbed_add_virtio(&m, 0, 3);
	testbed_add_virtio(&m, 1, 3);
	expect_error("/vms/vm1", "virtio-mmio", "slot 3 is already given to /vms/vm0");
	assert_false(has_line("/vms/vm0", "virtio-mmio", "already"));
}

/* ---------------- boot ---------------- */

static void test_vm_boot_protocol(void **state)
{
	(void)state;
	m.vm[0].boot = 0;
	expect_error("/vms/vm0", "boot", "unknown boot protocol 0");
	m.vm[0].boot = 3;
	expect_error("/vms/vm0", "boot", "unknown boot protocol 3");
	m.vm[0].boot = VM_BOOT_LINUX;
	expect_ok();
}

static void test_vm_on_crash_and_flags(void **state)
{
	(void)state;
	for (uint32_t p = VM_ON_CRASH_RESTART; p <= VM_ON_CRASH_HALT_BOARD; p++) {
		m.vm[1].on_crash = p;
		expect_ok();
	}
	m.vm[1].on_crash = VM_ON_CRASH_HALT_BOARD + 1;
	expect_error("/vms/vm1", "on-crash", "unknown policy 3");
	setup(NULL);
	m.vm[1].flags = 0x1; /* version 1's watchdog flag: the SP805 is a device entry now */
	expect_error("/vms/vm1", NULL, "unknown flags 0x1");
	m.vm[1].flags = 0x80;
	expect_error("/vms/vm1", NULL, "unknown flags 0x80");
}

static void test_vm_required_loads(void **state)
{
	(void)state;
	m.vm[0].initrd.image = MANIFEST_NO_IMAGE;
	expect_ok(); /* the initrd is optional */
	m.vm[0].kernel.image = MANIFEST_NO_IMAGE;
	expect_error("/vms/vm0", "kernel", "missing");
	setup(NULL);
	m.vm[0].dtb.image = MANIFEST_NO_IMAGE;
	expect_error("/vms/vm0", "dtb", "missing");
}

static void test_vm_load_image_exists(void **state)
{
	(void)state;
	m.vm[1].initrd.image = 3; /* three images: 0..2 */
	expect_error("/vms/vm1", "initrd", "refers to image 3, which does not exist");
	m.vm[1].initrd.image = 2;
	m.vm[1].dtb.image = 1; /* any image may be any load */
	expect_ok();
}

static void test_vm_load_room(void **state)
{
	(void)state;
	m.vm[0].kernel.reserve = m.image[0].size - 1;
	expect_error("/vms/vm0", "kernel", "image0 (4096 bytes) is larger than its room (4095 bytes)");
}

static void test_vm_load_in_ram(void **state)
{
	(void)state;
	struct manifest_vm *v = &m.vm[1];

	v->initrd.ipa = v->mem[0].ipa + v->mem[0].size - v->initrd.reserve + 0x1000;
	expect_error("/vms/vm1", "initrd", "in guest memory, which the VM's memory does not hold (the VM has 256 MiB)");
	v->initrd.ipa -= 0x1000; /* the last bytes of its RAM */
	expect_ok();
	v->dtb.ipa = v->mem[0].ipa - 0x1000;
	expect_error("/vms/vm1", "dtb", "which the VM's memory does not hold");
}

static void test_vm_loads_overlap(void **state)
{
	(void)state;
	struct manifest_vm *v = &m.vm[0];

	v->initrd.ipa = v->dtb.ipa + 0x800;
	expect_error("/vms/vm0", "dtb", "overlaps the initrd in guest memory");
	setup(NULL);
	v->dtb.ipa = v->kernel.ipa + v->kernel.reserve - 8;
	expect_error("/vms/vm0", "dtb", "overlaps the kernel in guest memory");
	v->dtb.ipa = v->kernel.ipa + v->kernel.reserve; /* right after it */
	expect_ok();
	/* a missing initrd overlaps nothing */
	v->initrd.image = MANIFEST_NO_IMAGE;
	v->initrd.ipa = v->kernel.ipa;
	expect_ok();
}

static void test_vm_kernel_alignment(void **state)
{
	(void)state;
	struct manifest_vm *v = &m.vm[0];

	v->kernel.ipa += 0x800;
	v->entry = v->kernel.ipa;
	expect_error("/vms/vm0", "kernel", "load address 0x48000800 is not 4 KiB aligned");
	v->kernel.ipa += 0x800;
	v->entry = v->kernel.ipa;
	expect_ok();
}

static void test_vm_linux_entry(void **state)
{
	(void)state;
	struct manifest_vm *v = &m.vm[0];

	v->boot = VM_BOOT_LINUX;
	v->entry = v->kernel.ipa + 4;
	expect_error("/vms/vm0", "kernel", "a Linux VM enters its kernel at the load address");
	v->entry = v->kernel.ipa;
	expect_ok();
}

static void test_vm_bare_entry(void **state)
{
	(void)state;
	struct manifest_vm *v = &m.vm[0];

	v->entry = v->kernel.ipa + v->kernel.reserve - 4; /* the last instruction */
	expect_ok();
	v->entry = v->kernel.ipa + v->kernel.reserve - 2;
	expect_error("/vms/vm0", "entry", "is outside the kernel image");
	v->entry = v->kernel.ipa - 4;
	expect_error("/vms/vm0", "entry", "entry 0x47fffffc is outside the kernel image");
}

static void test_vm_dtb_alignment_and_size(void **state)
{
	(void)state;
	struct manifest_vm *v = &m.vm[0];

	v->dtb.ipa += 4;
	expect_error("/vms/vm0", "dtb", "the device tree must be 8-byte aligned");
	v->dtb.ipa += 4;
	expect_ok();

	/* a 2 MiB tree is fine, one byte more is not */
	setup(NULL);
	m.image[2].size = SZ_2M;
	m.image_end = m.image[2].offset + SZ_2M;
	for (uint32_t i = 0; i < 2; i++) {
		m.vm[i].dtb.reserve = SZ_2M + 0x1000;
		m.vm[i].initrd.ipa = m.vm[i].mem[0].ipa + 0x800000;
	}
	expect_ok();
	m.image[2].size = SZ_2M + 1;
	m.image_end += 0x1000;
	expect_error("/vms/vm0", "dtb", "device tree of 2097153 bytes exceeds 2 MiB");
}

static void test_vm_kaslr_seed_offset(void **state)
{
	(void)state;
	struct manifest_vm *v = &m.vm[1];
	uint64_t size = m.image[v->dtb.image].size;

	v->kaslr_seed_offset = size - 8; /* the last 8 bytes */
	expect_ok();
	v->kaslr_seed_offset = size - 4;
	expect_error("/vms/vm1", "dtb", "kaslr-seed offset 0xffc is outside the device tree");
	v->kaslr_seed_offset = 2;
	expect_error("/vms/vm1", "dtb", "kaslr-seed offset 0x2");
	/* an offset so large that offset + 8 wraps to a small number */
	v->kaslr_seed_offset = ~0ULL - 3;
	expect_error("/vms/vm1", "dtb", "kaslr-seed offset 0xfffffffffffffffc is outside the device tree");
	v->kaslr_seed_offset = 0; /* none */
	expect_ok();
}

/* ---------------- the live board ---------------- */

static struct board board;

static bool check_board(void)
{
	testbed_diag_init(&d);
	return manifest_check_board(&m, &board, &d.d);
}

static void expect_board_error(const char *where, const char *prop, const char *what)
{
	bool ok = check_board();

	if (ok || !has_line(where, prop, what))
		fail_msg("expected \"%s: %s: ...%s...\", got (%s):\n%s", where, prop ? prop : "-", what,
			 ok ? "accepted" : "refused", d.text);
}

static void test_board_hosts_image(void **state)
{
	(void)state;
	testbed_board(&board, 8);
	testbed_add_virtio(&m, 0, 31);
	assert_true(check_board());
	assert_int_equal(d.d.error_count, 0);
	/* a board with just the CPUs the image names */
	m.board.cpu_count = 4;
	testbed_board(&board, 4);
	assert_true(check_board());
}

static void test_board_fewer_cpus(void **state)
{
	(void)state;
	testbed_board(&board, 2);
	expect_board_error("board", "cpus", "the image needs 8 CPUs, the board has 2");
	assert_true(has_line("/vms/vm1", "cpus", "CPU 2 does not exist on this board (2 CPUs)"));
	assert_true(has_line("/vms/vm1", "cpus", "CPU 3 does not exist"));
	assert_false(has_line("/vms/vm0", "cpus", "does not exist"));
}

static void test_board_less_ram(void **state)
{
	(void)state;
	testbed_board(&board, 8);
	board.ram_size = 0x10000000; /* 256 MiB from 0x40000000 */
	expect_board_error("board", "memory",
			   "the image needs RAM [0x40000000, 0xbfffffff], the board has [0x40000000, 0x4fffffff]");
	assert_true(has_line("/vms/vm0", "memory", "region [0x48000000, +0x10000000) is not RAM on this board"));
	assert_true(has_line("/vms/vm1", "memory", "region [0x58000000"));
	testbed_board(&board, 8);
	board.ram_base = 0x80000000;
	expect_board_error("board", "memory", "the board has [0x80000000");
}

static void test_board_smaller_flash(void **state)
{
	(void)state;
	testbed_board(&board, 8);
	board.flash_size = m.image_end - 1;
	expect_board_error("board", "flash", "flash bank 0 holds");
	board.flash_size = m.image_end;
	assert_true(check_board());
	board.flash_size = 0; /* not described: not checked */
	assert_true(check_board());
}

static void test_board_gic_uart_timer(void **state)
{
	(void)state;
	testbed_board(&board, 8);
	board.gicd_base += 0x10000;
	expect_board_error("board", "GIC", "GICv3 at 0x8010000/0x80a0000, this build expects 0x8000000/0x80a0000");
	testbed_board(&board, 8);
	board.gicr_size = PLAT_GICR_STRIDE * 7; /* one redistributor short */
	expect_board_error("board", "GIC", "this build expects");
	testbed_board(&board, 8);
	board.uart_base = 0x09040000;
	expect_board_error("board", "UART", "PL011 at 0x9040000 (INTID 33), this build expects 0x9000000 (INTID 33)");
	testbed_board(&board, 8);
	board.uart_intid = 34;
	expect_board_error("board", "UART", "(INTID 34)");
	testbed_board(&board, 8);
	board.timer_intid[2] = 28;
	expect_board_error("board", "timer", "timer interrupts 30/28/26, this build expects 30/27/26");
	testbed_board(&board, 8);
	board.timer_intid[0] = 0; /* the secure timer is not used */
	assert_true(check_board());
}

static void test_board_missing_virtio_slot(void **state)
{
	(void)state;
	testbed_add_virtio(&m, 0, 1);
	testbed_add_virtio(&m, 1, 5);
	testbed_board(&board, 8);
	board.virtio_count = 5; /* slots 0..4 */
	expect_board_error("/vms/vm1", "virtio-mmio", "slot 5 (0xa000a00, INTID 53) is not on this board");
	assert_false(has_line("/vms/vm0", "virtio-mmio", "not on this board"));
	testbed_board(&board, 8);
	board.virtio[5].intid = 99; /* the window is there, its interrupt is another */
	expect_board_error("/vms/vm1", "virtio-mmio", "slot 5");
}

int main(void)
{
#define T(f) cmocka_unit_test_setup(f, setup)
	const struct CMUnitTest tests[] = {
		T(test_testbed_manifest_is_valid),
		T(test_all_errors_are_reported),
		T(test_diag_without_reporter_counts),
		T(test_digest_covers_all_but_itself),
		T(test_find_vm_and_ram),
		T(test_magic),
		T(test_version),
		T(test_size),
		T(test_checksum),
		T(test_hypervisor_header),
		T(test_board_cpus),
		T(test_board_memory),
		T(test_image_end),
		T(test_vm_and_image_counts),
		T(test_image_name_and_size),
		T(test_image_placement),
		T(test_image_overlap),
		T(test_vm_names),
		T(test_vm_cpu_count),
		T(test_vm_cpu_exists),
		T(test_vm_cpu_twice),
		T(test_vm_cpu_shared),
		T(test_vm_mem_count),
		T(test_vm_region_shape),
		T(test_vm_region_in_board_ram),
		T(test_vm_region_not_hypervisor),
		T(test_vm_region_guest_address),
		T(test_vm_region_covers_device),
		T(test_vm_regions_overlap_each_other),
		T(test_vm_regions_overlap_other_vm),
		T(test_vm_devices_accepted),
		T(test_vm_stage2_pool),
		T(test_vm_device_needs_the_isolation_flag),
		T(test_vm_device_count),
		T(test_vm_device_kind_and_slot),
		T(test_vm_device_matches_board),
		T(test_vm_device_needs_identity_ram),
		T(test_vm_device_twice_and_shared),
		T(test_vm_boot_protocol),
		T(test_vm_on_crash_and_flags),
		T(test_vm_required_loads),
		T(test_vm_load_image_exists),
		T(test_vm_load_room),
		T(test_vm_load_in_ram),
		T(test_vm_loads_overlap),
		T(test_vm_kernel_alignment),
		T(test_vm_linux_entry),
		T(test_vm_bare_entry),
		T(test_vm_dtb_alignment_and_size),
		T(test_vm_kaslr_seed_offset),
		T(test_board_hosts_image),
		T(test_board_fewer_cpus),
		T(test_board_less_ram),
		T(test_board_smaller_flash),
		T(test_board_gic_uart_timer),
		T(test_board_missing_virtio_slot),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
