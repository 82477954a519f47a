// SPDX-License-Identifier: MIT
/*
 * The hypervisor's own address space (arch/aarch64/el2map.c, EL2 stage 1,
 * Arm ARM D8.3): the tables are built for the reference layout and walked
 * as the MMU would. Flash is read-only Normal memory, the devices below
 * RAM are Device memory, the image's code is the only executable memory
 * and is read-only; and Normal memory covers exactly the RAM the board
 * describes, nothing beyond it (speculative and prefetching accesses may
 * reach anything mapped Normal).
 */
#include "helpers.h"

#include <string.h>

#include <arch/el2map.h>

#define D_VALID BIT(0)
#define D_TABLE BIT(1)
#define D_ATTR(d) (((d) >> 2) & 7)
#define D_RO BIT(7)
#define D_XN BIT(54)
#define D_ADDR(d) ((d)&0x0000fffffffff000ULL)

#define HV_IMAGE 0x40200000ULL
#define HV_RAM_SIZE 0x00600000ULL

static struct el2_map m;
static const struct el2_layout layout = {
	.flash_end = 0x04000000ULL,
	.image = HV_IMAGE,
	.text_end = HV_IMAGE + 0x10000,
	.rodata_end = HV_IMAGE + 0x14000,
	.hv_ram_base = 0x40000000ULL,
	.hv_ram_size = HV_RAM_SIZE,
};

/* The descriptor that maps va (0 if none), checked to map it to itself. */
static uint64_t walk(uint64_t va)
{
	const uint64_t *t = m.l1;
	unsigned int shift = 30;

	for (int level = 1; level <= 3; level++, shift -= 9) {
		uint64_t d = t[(va >> shift) & 511];
		if (!(d & D_VALID))
			return 0;
		if (level == 3 || !(d & D_TABLE)) {
			uint64_t size = 1ULL << shift;
			assert_int_equal(D_ADDR(d) & ~(size - 1), va & ~(size - 1)); /* identity */
			return d;
		}
		t = (const uint64_t *)(uintptr_t)D_ADDR(d);
	}
	return 0;
}

static bool normal(uint64_t va)
{
	uint64_t d = walk(va);

	return d && D_ATTR(d) == EL2_ATTR_NORMAL;
}

static void board(uint64_t ram_size)
{
	memset(&m, 0, sizeof(m));
	el2_map_init(&m, &layout);
	assert_true(el2_map_ram(&m, &layout, 0x40000000ULL, ram_size));
}

static void test_kinds_of_memory(void **state)
{
	(void)state;
	board(0x80000000ULL);
	uint64_t d = walk(0);
	assert_int_equal(D_ATTR(d), EL2_ATTR_NORMAL); /* flash */
	assert_true(d & D_RO && d & D_XN);
	d = walk(0x09000000); /* the UART */
	assert_int_equal(D_ATTR(d), EL2_ATTR_DEVICE);
	assert_true(d & D_XN);
	d = walk(HV_IMAGE); /* code */
	assert_true(d & D_RO);
	assert_false(d & D_XN);
	d = walk(HV_IMAGE + 0x10000); /* constants */
	assert_true(d & D_RO && d & D_XN);
	d = walk(HV_IMAGE + 0x20000); /* data */
	assert_false(d & D_RO);
	assert_true(d & D_XN);
	d = walk(0x40000000); /* the board's device tree, RAM */
	assert_true(normal(0x40000000) && !(d & D_RO) && d & D_XN);
	/* nothing else is executable */
	for (uint64_t va = 0; va < 0x100000000ULL; va += SZ_2M)
		if (va < HV_IMAGE || va >= HV_IMAGE + 0x400000)
			assert_true(!walk(va) || walk(va) & D_XN);
}

/* The 2 GiB board of the tests: Normal memory ends where its RAM does. */
static void test_normal_memory_is_the_boards_ram(void **state)
{
	(void)state;
	board(0x80000000ULL);
	assert_true(normal(0x40000000));
	assert_true(normal(0xbffff000));
	assert_int_equal(walk(0xc0000000), 0);
	assert_int_equal(walk(0x3ffffff000ULL), 0); /* below 256 GiB, where the old map still said Normal */
	assert_int_equal(walk(0x7fc0000000ULL), 0);
}

/* RAM that ends inside the hypervisor's GiB, and RAM that ends off a 2 MiB boundary. */
static void test_partial_blocks(void **state)
{
	(void)state;
	board(0x20000000ULL); /* 512 MiB */
	assert_true(normal(0x5ffff000));
	assert_int_equal(walk(0x60000000), 0);
	assert_int_equal(walk(0x7ffff000), 0);

	board(0x40000000ULL + 0x300000 + 0x1000); /* 1 GiB + 3 MiB + 4 KiB */
	assert_true(normal(0x7ffff000));
	assert_true(normal(0x80000000));
	assert_true(normal(0x80300000)); /* the last page */
	assert_int_equal(walk(0x80301000), 0);
	assert_int_equal(walk(0x80400000), 0);
	assert_int_equal(walk(0xc0000000), 0);

	board(0x100000000ULL + 0x200000); /* 4 GiB + 2 MiB: whole GiBs as blocks, then a block */
	assert_true(normal(0x13ffff000ULL));
	assert_true(normal(0x1401ff000ULL));
	assert_int_equal(walk(0x140200000ULL), 0);
}

/* Before the board is known: only the hypervisor's own RAM. */
static void test_before_the_board(void **state)
{
	(void)state;
	memset(&m, 0, sizeof(m));
	el2_map_init(&m, &layout);
	assert_true(normal(0x40000000));
	assert_true(normal(0x40000000 + HV_RAM_SIZE - 0x1000));
	assert_int_equal(walk(0x40000000 + HV_RAM_SIZE), 0);
	assert_int_equal(walk(0x80000000), 0);
	/* RAM that does not start with the hypervisor's cannot be described */
	assert_false(el2_map_ram(&m, &layout, 0x80000000ULL, 0x40000000ULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kinds_of_memory),
		cmocka_unit_test(test_normal_memory_is_the_boards_ram),
		cmocka_unit_test(test_partial_blocks),
		cmocka_unit_test(test_before_the_board),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
