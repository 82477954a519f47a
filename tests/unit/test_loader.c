// SPDX-License-Identifier: MIT
/*
 * Loading a VM from flash (core/boot/loader.c): each image is copied from the
 * (fake_map'ed) flash into the VM's RAM at its load address, hashed there
 * and compared with the manifest's SHA-256; a Linux kernel's header is
 * checked; a fresh KASLR seed is planted in the device tree; RAM is
 * scrubbed before every start. A corrupt image keeps that VM from starting.
 */
#include "helpers.h"

#include <stdlib.h>
#include <string.h>

#include <fv/sha256.h>
#include <plat/layout.h>

#define RAM_SIZE 0x1000000ULL /* 16 MiB per VM */

static struct manifest m;
static struct testbed_memory mem;
static struct vm *vm0, *vm1;

static int setup(void **state)
{
	(void)state;
	testbed_manifest(&m, 2, 1);
	testbed_set_ram_size(&m, RAM_SIZE);
	assert_true(testbed_create_vms(&m));
	testbed_memory_map(&mem, &m);
	vm0 = &vms[0];
	vm1 = &vms[1];
	fake_uart_clear();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	testbed_memory_free(&mem);
	return 0;
}

/* Where a load of VM `i` lands in the host buffer of its RAM. */
static uint8_t *ram_at(uint32_t i, uint64_t ipa)
{
	return mem.ram[i][0] + (ipa - m.vm[i].mem[0].ipa);
}

static const uint8_t *flash_image(uint32_t image)
{
	return mem.flash + m.image[image].offset;
}

/* Rewrite part of an image in flash and record its new digest, as the tool would. */
static void rewrite_image(uint32_t image, uint64_t at, const void *bytes, size_t n)
{
	memcpy(mem.flash + m.image[image].offset + at, bytes, n);
	sha256(flash_image(image), m.image[image].size, m.image[image].sha256);
	testbed_redigest(&m);
}

/* What vm_boot does to a VM's RAM before each start. */
static bool load(struct vm *vm)
{
	vm_scrub_ram(vm);
	return vm_load_images(vm);
}

static void test_images_copied_to_load_addresses(void **state)
{
	(void)state;
	const struct manifest_vm *c = vm0->cfg;

	assert_true(load(vm0));
	assert_memory_equal(ram_at(0, c->kernel.ipa), flash_image(c->kernel.image), m.image[c->kernel.image].size);
	assert_memory_equal(ram_at(0, c->initrd.ipa), flash_image(c->initrd.image), m.image[c->initrd.image].size);
	assert_memory_equal(ram_at(0, c->dtb.ipa), flash_image(c->dtb.image), m.image[c->dtb.image].size);
	/* nothing else of its RAM was written */
	assert_int_equal(ram_at(0, c->kernel.ipa)[m.image[0].size], 0);
	assert_int_equal(ram_at(0, c->dtb.ipa)[-1], 0);
	assert_int_equal(mem.ram[0][0][RAM_SIZE - 1], 0);
	/* the other VM's RAM is untouched until it loads its own copy */
	for (uint64_t i = 0; i < RAM_SIZE; i += 0x1000)
		assert_int_equal(mem.ram[1][0][i], 0);
	assert_true(load(vm1));
	assert_memory_equal(ram_at(1, vm1->cfg->kernel.ipa), flash_image(0), m.image[0].size);
}

static void test_flash_is_only_read(void **state)
{
	(void)state;
	uint8_t *copy = malloc(mem.flash_size);

	assert_non_null(copy);
	memcpy(copy, mem.flash, mem.flash_size);
	assert_true(load(vm0));
	assert_true(load(vm1));
	assert_memory_equal(copy, mem.flash, mem.flash_size);
	free(copy);
}

static void test_corrupt_image_refused(void **state)
{
	(void)state;
	static const char *const what[3] = { "kernel image 'image0'", "initrd image 'image1'",
					     "device tree image 'image2'" };

	for (uint32_t i = 0; i < 3; i++) {
		if (i) {
			teardown(NULL);
			setup(NULL);
		}
		mem.flash[m.image[i].offset + m.image[i].size / 2] ^= 0x40; /* one bit of flash rot */
		assert_false(load(vm0));
		assert_non_null(strstr(fake_uart_text(), "vm0: "));
		assert_non_null(strstr(fake_uart_text(), what[i]));
		assert_non_null(strstr(fake_uart_text(), "is corrupt (SHA-256 mismatch)"));
	}
}

static void test_corrupt_vm_not_started(void **state)
{
	(void)state;
	/* VM 1 is running; VM 0's kernel is corrupt */
	vm1->state = VM_STATE_RUNNING;
	mem.flash[m.image[0].offset] ^= 1;
	vm_request_boot(vm0);
	fake.cpu = vm0->vcpu[0].pcpu;
	assert_int_equal(FAKE_CATCH(run_requests(&pcpus[fake.cpu])), FAKE_EXIT_NONE);
	assert_int_equal(vm0->state, VM_STATE_FAILED);
	assert_int_equal(vm0->vcpu[0].power, VCPU_OFF);
	assert_int_equal(fake.vcpu_resets[fake.cpu], 0); /* never entered */
	assert_non_null(strstr(fake_uart_text(), "vm0: not started"));
	assert_int_equal(vm1->state, VM_STATE_RUNNING); /* nothing else is affected */
}

static void test_only_vm_corrupt_powers_board_off(void **state)
{
	(void)state;
	testbed_memory_free(&mem);
	testbed_manifest(&m, 1, 1);
	testbed_set_ram_size(&m, RAM_SIZE);
	assert_true(testbed_create_vms(&m));
	testbed_memory_map(&mem, &m);
	mem.flash[m.image[2].offset + 7] ^= 0x80;
	vm_request_boot(&vms[0]);
	fake.cpu = vms[0].vcpu[0].pcpu;
	/* nothing can ever run: the board goes off rather than idling forever */
	assert_int_equal(FAKE_CATCH(run_requests(&pcpus[fake.cpu])), FAKE_EXIT_BOARD_OFF);
	assert_int_equal(vms[0].state, VM_STATE_FAILED);
}

static void test_no_initrd(void **state)
{
	(void)state;
	m.vm[0].initrd.image = MANIFEST_NO_IMAGE;
	testbed_redigest(&m);
	assert_true(load(vm0));
	for (uint64_t i = 0; i < 0x1000; i++)
		assert_int_equal(ram_at(0, m.vm[0].initrd.ipa)[i], 0);
	/* and a corrupt initrd image no longer matters to it */
	mem.flash[m.image[1].offset] ^= 1;
	assert_true(load(vm0));
}

/* An arm64 Image header for the kernel image (booting.rst). */
static void linux_kernel(uint64_t text_offset, uint64_t image_size, uint64_t flags)
{
	uint8_t h[64] = { 0 };

	for (int i = 0; i < 8; i++) {
		h[0x08 + i] = (uint8_t)(text_offset >> (8 * i));
		h[0x10 + i] = (uint8_t)(image_size >> (8 * i));
		h[0x18 + i] = (uint8_t)(flags >> (8 * i));
	}
	memcpy(h + 0x38, "ARM\x64", 4);
	rewrite_image(0, 0, h, sizeof(h));
	m.vm[0].boot = VM_BOOT_LINUX;
	testbed_redigest(&m);
}

static void test_linux_kernel_header(void **state)
{
	(void)state;
	linux_kernel(0, m.image[0].size, 0xa);
	assert_true(load(vm0));
	teardown(NULL);
	/* not an Image at all */
	setup(NULL);
	m.vm[0].boot = VM_BOOT_LINUX;
	testbed_redigest(&m);
	assert_false(load(vm0));
	assert_non_null(strstr(fake_uart_text(), "vm0: kernel 'image0': no arm64 Image magic"));
	teardown(NULL);
	/* big-endian */
	setup(NULL);
	linux_kernel(0, m.image[0].size, 1);
	assert_false(load(vm0));
	assert_non_null(strstr(fake_uart_text(), "big-endian"));
	teardown(NULL);
	/* a bare binary is not checked */
	setup(NULL);
	linux_kernel(0, m.image[0].size, 1);
	m.vm[0].boot = VM_BOOT_BARE;
	testbed_redigest(&m);
	assert_true(load(vm0));
}

static void test_linux_kernel_placement(void **state)
{
	(void)state;
	/* needs more RAM than its load reserves (BSS) */
	linux_kernel(0, m.vm[0].kernel.reserve + 0x1000, 0);
	assert_false(load(vm0));
	assert_non_null(strstr(fake_uart_text(), "needs"));
	teardown(NULL);
	/* text_offset puts its 2 MiB base off a 2 MiB boundary */
	setup(NULL);
	linux_kernel(0x1000, m.image[0].size, 0);
	assert_false(load(vm0));
	assert_non_null(strstr(fake_uart_text(), "at a 2 MiB boundary + 0x1000"));
	teardown(NULL);
	/* the same offset with a matching load address is fine */
	setup(NULL);
	linux_kernel(0x1000, m.image[0].size, 0);
	m.vm[0].kernel.ipa += 0x1000;
	m.vm[0].entry = m.vm[0].kernel.ipa;
	testbed_redigest(&m);
	assert_true(load(vm0));
	assert_memory_equal(ram_at(0, m.vm[0].kernel.ipa), flash_image(0), m.image[0].size);
}

static void test_kaslr_seed_planted(void **state)
{
	(void)state;
	const uint8_t want[8] = { 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef }; /* arch_random(), big endian */

	m.vm[0].kaslr_seed_offset = 0x100;
	testbed_redigest(&m);
	assert_true(load(vm0));
	const uint8_t *dtb = ram_at(0, m.vm[0].dtb.ipa);
	assert_memory_equal(dtb + 0x100, want, 8);
	/* the rest of the tree is as in flash */
	assert_memory_equal(dtb, flash_image(2), 0x100);
	assert_memory_equal(dtb + 0x108, flash_image(2) + 0x108, m.image[2].size - 0x108);
	/* VM 1 has no seed offset: its tree is untouched */
	assert_true(load(vm1));
	assert_memory_equal(ram_at(1, m.vm[1].dtb.ipa), flash_image(2), m.image[2].size);
}

static void test_every_start_scrubs_ram(void **state)
{
	(void)state;
	uint8_t *secret = ram_at(0, m.vm[0].mem[0].ipa + 0x800000);

	*secret = 0x5a; /* a warm-reset board keeps its RAM */
	assert_true(load(vm0));
	assert_int_equal(*secret, 0); /* the first start scrubs too */
	*secret = 0x5a;
	assert_true(load(vm0));
	assert_int_equal(*secret, 0); /* nothing of the previous run survives */
	assert_int_equal(mem.ram[0][0][RAM_SIZE - 1], 0);
	assert_memory_equal(ram_at(0, m.vm[0].kernel.ipa), flash_image(0), m.image[0].size);
	/* the other VM's RAM is not scrubbed by VM 0's restart */
	mem.ram[1][0][0x800000] = 0x77;
	assert_true(load(vm0));
	assert_int_equal(mem.ram[1][0][0x800000], 0x77);
}

/* Stopped (console, poweroff, a failed load) and started again: no restart counted, RAM scrubbed all the same. */
static void test_start_after_stop_scrubs_ram(void **state)
{
	(void)state;
	uint8_t *secret = ram_at(0, m.vm[0].mem[0].ipa + 0x900000);

	assert_true(load(vm0));
	*secret = 0xa5; /* what the first run left behind */
	assert_int_equal(vm0->restart_count, 0);
	assert_true(load(vm0));
	assert_int_equal(*secret, 0);
	/* a load that failed half way leaves images behind: the next start scrubs them */
	uint8_t *rot = mem.flash + m.image[1].offset + m.image[1].size / 2;
	*rot ^= 0x40; /* the initrd is corrupt: the kernel was copied, the initrd refused */
	*secret = 0xa5;
	assert_false(load(vm0));
	*rot ^= 0x40;
	assert_true(load(vm0));
	assert_int_equal(*secret, 0);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_images_copied_to_load_addresses),
		T(test_flash_is_only_read),
		T(test_corrupt_image_refused),
		T(test_corrupt_vm_not_started),
		T(test_only_vm_corrupt_powers_board_off),
		T(test_no_initrd),
		T(test_linux_kernel_header),
		T(test_linux_kernel_placement),
		T(test_kaslr_seed_planted),
		T(test_every_start_scrubs_ram),
		T(test_start_after_stop_scrubs_ram),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
