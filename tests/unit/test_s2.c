// SPDX-License-Identifier: MIT
/*
 * Stage-2 table building (core/vm/s2.c) and descriptor encoding
 * (arch/aarch64/pte.c, Arm ARM D8.3 / D8.5): 2 MiB blocks where alignment
 * allows and 4 KiB pages elsewhere, translation by walking the tables,
 * refusal of overlaps, misalignment, addresses beyond the 39-bit IPA space
 * and pool exhaustion. The tables are inspected directly, as the MMU would
 * read them.
 */
#include "helpers.h"

#include <string.h>

#include <fv/s2.h>

static struct s2_table pool[S2_POOL_PAGES];
static struct s2_table other_pool[S2_POOL_PAGES];
static struct s2 s;

/* Descriptor bits (Arm ARM D8.3, D8.5.x stage 2 attributes). */
#define D_VALID BIT(0)
#define D_TABLE BIT(1)
#define D_MEMATTR(d) (((d) >> 2) & 0xf)
#define D_S2AP(d) (((d) >> 6) & 3)
#define D_SH(d) (((d) >> 8) & 3)
#define D_AF BIT(10)
#define D_XN BIT(54)
#define D_ADDR(d) ((d)&0x0000fffffffff000ULL)

static int setup(void **state)
{
	(void)state;
	memset(pool, 0xa5, sizeof(pool)); /* s2_init and allocation must clear what they use */
	s2_init(&s, pool, 7);
	return 0;
}

static bool map(uint64_t ipa, uint64_t pa, uint64_t size, enum s2_attr attr)
{
	return s2_map(&s, ipa_init(ipa), pa_init(pa), size, attr);
}

static uint64_t xlate(uint64_t ipa)
{
	paddr_t pa;

	if (!s2_translate(&s, ipa_init(ipa), &pa))
		return ~0ULL;
	return pa_addr(pa);
}

/* The descriptor that maps `ipa`, and the level it sits at (1..3); 0 if none. */
static uint64_t leaf(uint64_t ipa, unsigned int *level)
{
	const struct s2_table *t = &pool[0];

	for (unsigned int l = 1; l <= 3; l++) {
		uint64_t e = t->entry[(ipa >> (12 + 9 * (3 - l))) & 511];
		if (!(e & D_VALID))
			return 0;
		if (l < 3 && (e & D_TABLE)) {
			t = (const struct s2_table *)(uintptr_t)D_ADDR(e);
			continue;
		}
		*level = l;
		return e;
	}
	return 0;
}

static void test_init(void **state)
{
	(void)state;
	assert_int_equal(s.used, 1);
	assert_int_equal(s.vmid, 7);
	assert_ptr_equal(s.pool, pool);
	assert_int_equal(pa_addr(s2_root(&s)), (uint64_t)(uintptr_t)&pool[0]);
	for (int i = 0; i < 512; i++)
		assert_int_equal(pool[0].entry[i], 0);
	assert_int_equal(xlate(0x40000000), ~0ULL);
}

static void test_map_blocks(void **state)
{
	(void)state;
	unsigned int level;

	assert_true(map(0x40000000, 0x48000000, 4 * SZ_2M, S2_NORMAL_RW));
	assert_int_equal(s.used, 2); /* root + one level-2 table: blocks need no level 3 */
	for (uint64_t off = 0; off < 4 * SZ_2M; off += 0x1234 * 16)
		assert_int_equal(xlate(0x40000000 + off), 0x48000000 + off);
	assert_int_equal(xlate(0x40000000 + 4 * SZ_2M), ~0ULL);
	assert_int_equal(xlate(0x40000000 - 1), ~0ULL);
	uint64_t e = leaf(0x40200000, &level);
	assert_int_equal(level, 2);
	assert_int_equal(e & D_TABLE, 0); /* a block */
	assert_int_equal(D_ADDR(e), 0x48200000);
}

static void test_map_pages(void **state)
{
	(void)state;
	unsigned int level;

	assert_true(map(0x40001000, 0x80003000, 3 * SZ_4K, S2_NORMAL_RW));
	assert_int_equal(s.used, 3); /* root, level 2, level 3 */
	assert_int_equal(xlate(0x40001000), 0x80003000);
	assert_int_equal(xlate(0x40002ffc), 0x80004ffc);
	assert_int_equal(xlate(0x40003abc), 0x80005abc);
	assert_int_equal(xlate(0x40000fff), ~0ULL);
	assert_int_equal(xlate(0x40004000), ~0ULL);
	uint64_t e = leaf(0x40002000, &level);
	assert_int_equal(level, 3);
	assert_true(e & D_TABLE); /* the page encoding at level 3 */
	assert_int_equal(D_ADDR(e), 0x80004000);
}

static void test_map_mixed_alignment(void **state)
{
	(void)state;
	unsigned int level;

	/* 4 KiB below a 2 MiB boundary, then 2 MiB blocks, then a page tail */
	assert_true(map(SZ_1G + SZ_2M - SZ_4K, 0x60000000 + SZ_2M - SZ_4K, SZ_4K + 2 * SZ_2M + SZ_4K, S2_NORMAL_RW));
	leaf(SZ_1G + SZ_2M - SZ_4K, &level);
	assert_int_equal(level, 3);
	leaf(SZ_1G + SZ_2M, &level);
	assert_int_equal(level, 2);
	leaf(SZ_1G + 2 * SZ_2M + 0x1000, &level);
	assert_int_equal(level, 2);
	leaf(SZ_1G + 3 * SZ_2M, &level);
	assert_int_equal(level, 3);
	assert_int_equal(xlate(SZ_1G + 3 * SZ_2M + 0x10), 0x60000000 + 3 * SZ_2M + 0x10);
	assert_int_equal(xlate(SZ_1G + 3 * SZ_2M + SZ_4K), ~0ULL);
}

static void test_ipa_pa_alignment_differ(void **state)
{
	(void)state;
	unsigned int level;

	/* IPA 2 MiB aligned, PA only 4 KiB aligned: pages throughout */
	assert_true(map(0x40000000, 0x50001000, SZ_2M, S2_NORMAL_RW));
	leaf(0x40000000, &level);
	assert_int_equal(level, 3);
	leaf(0x401ff000, &level);
	assert_int_equal(level, 3);
	assert_int_equal(xlate(0x401ff008), 0x50200008);
}

static void test_map_crossing_1g(void **state)
{
	(void)state;

	/* the range spans two level-1 entries: two level-2 tables */
	assert_true(map(SZ_1G - SZ_2M, 0x80000000, 2 * SZ_2M, S2_NORMAL_RW));
	assert_int_equal(s.used, 3);
	assert_int_equal(xlate(SZ_1G - 8), 0x80000000 + SZ_2M - 8);
	assert_int_equal(xlate(SZ_1G), 0x80000000 + SZ_2M);
}

static void test_refuses_misalignment(void **state)
{
	(void)state;
	assert_false(map(0x40000800, 0x48000000, SZ_4K, S2_NORMAL_RW));
	assert_false(map(0x40000000, 0x48000010, SZ_4K, S2_NORMAL_RW));
	assert_false(map(0x40000000, 0x48000000, SZ_4K + 1, S2_NORMAL_RW));
	assert_int_equal(s.used, 1); /* nothing allocated */
	assert_int_equal(xlate(0x40000000), ~0ULL);
}

static void test_refuses_beyond_ipa_space(void **state)
{
	(void)state;
	uint64_t top = 1ULL << 39;

	assert_false(map(top, 0x40000000, SZ_4K, S2_NORMAL_RW));
	assert_false(map(top - SZ_4K, 0x40000000, 2 * SZ_4K, S2_NORMAL_RW));
	assert_false(map(~0ULL - SZ_4K + 1, 0x40000000, 2 * SZ_4K, S2_NORMAL_RW)); /* wraps */
	assert_int_equal(s.used, 1);
	assert_true(map(top - SZ_2M, 0x40000000, SZ_2M, S2_NORMAL_RW)); /* the very top is fine */
	assert_int_equal(xlate(top - 1), 0x40000000 + SZ_2M - 1);
	assert_int_equal(xlate(top), ~0ULL);
	assert_int_equal(xlate(~0ULL), ~0ULL);
}

static void test_refuses_overlaps(void **state)
{
	(void)state;
	assert_true(map(0x40000000, 0x48000000, SZ_2M, S2_NORMAL_RW));
	assert_true(map(0x40400000, 0x49000000, SZ_4K, S2_NORMAL_RW));
	/* a page inside an existing block */
	assert_false(map(0x40001000, 0x50000000, SZ_4K, S2_NORMAL_RW));
	/* a block over a range that already has a page table */
	assert_false(map(0x40400000, 0x50000000, SZ_2M, S2_NORMAL_RW));
	/* the same block again */
	assert_false(map(0x40000000, 0x48000000, SZ_2M, S2_NORMAL_RW));
	/* the same page again */
	assert_false(map(0x40400000, 0x49000000, SZ_4K, S2_NORMAL_RW));
	/* nothing of the originals changed */
	assert_int_equal(xlate(0x40001000), 0x48001000);
	assert_int_equal(xlate(0x40400000), 0x49000000);
	assert_int_equal(xlate(0x40401000), ~0ULL);
	/* a neighbour is fine */
	assert_true(map(0x40401000, 0x49001000, SZ_4K, S2_NORMAL_RW));
	assert_int_equal(xlate(0x40401234), 0x49001234);
}

static void test_pool_exhaustion(void **state)
{
	(void)state;
	uint32_t mapped = 0;

	/* each page 1 GiB apart needs its own level-2 and level-3 table */
	for (uint64_t i = 0; i < 64; i++) {
		if (!map(i * SZ_1G + SZ_4K, 0x40000000 + i * SZ_4K, SZ_4K, S2_NORMAL_RW))
			break;
		mapped++;
	}
	assert_int_equal(mapped, (S2_POOL_PAGES - 1) / 2);
	assert_true(s.used <= S2_POOL_PAGES);
	/* what was mapped still translates; the failure left nothing half-visible */
	for (uint64_t i = 0; i < mapped; i++)
		assert_int_equal(xlate(i * SZ_1G + SZ_4K + 8), 0x40000000 + i * SZ_4K + 8);
	assert_int_equal(xlate((uint64_t)mapped * SZ_1G + SZ_4K), ~0ULL);
	/* a mapping that needs no new table still works */
	assert_true(map(SZ_4K * 2, 0x70000000, SZ_4K, S2_NORMAL_RW));
	assert_int_equal(xlate(SZ_4K * 2), 0x70000000);
	/* another VM's pool is its own */
	struct s2 o;
	s2_init(&o, other_pool, 8);
	assert_true(s2_map(&o, ipa_init(0x40000000), pa_init(0x90000000), SZ_2M, S2_NORMAL_RW));
	for (uint32_t i = 0; i < S2_POOL_PAGES; i++)
		assert_false(pa_addr(s2_root(&o)) == (uint64_t)(uintptr_t)&pool[i]);
}

static void test_attributes(void **state)
{
	(void)state;
	unsigned int level;

	assert_true(map(0x40000000, 0x48000000, SZ_2M, S2_NORMAL_RW));
	assert_true(map(0x0a000000, 0x0a000000, SZ_4K, S2_DEVICE_RW));
	uint64_t ram = leaf(0x40000000, &level);
	uint64_t dev = leaf(0x0a000000, &level);
	/* RAM: normal write-back, inner shareable, read/write, executable, accessed */
	assert_int_equal(D_MEMATTR(ram), 0xf);
	assert_int_equal(D_SH(ram), 3);
	assert_int_equal(D_S2AP(ram), 3);
	assert_true(ram & D_AF);
	assert_false(ram & D_XN);
	/* a device: Device-nGnRE, never executable, read/write */
	assert_int_equal(D_MEMATTR(dev), 0x1);
	assert_true(dev & D_XN);
	assert_int_equal(D_S2AP(dev), 3);
	assert_true(dev & D_AF);
}

static void test_descriptor_encoding(void **state)
{
	(void)state;
	uint64_t t = arch_s2_table_desc(pa_init(0x12345678f000ULL));

	assert_int_equal(t & 3, 3);
	assert_true(arch_s2_desc_valid(t));
	assert_true(arch_s2_desc_is_table(t, 1));
	assert_true(arch_s2_desc_is_table(t, 2));
	assert_false(arch_s2_desc_is_table(t, 3)); /* at level 3 the same bits are a page */
	assert_int_equal(pa_addr(arch_s2_desc_addr(t)), 0x12345678f000ULL);

	uint64_t b = arch_s2_block_desc(pa_init(0x40200000), 2, S2_NORMAL_RW);
	assert_int_equal(b & 3, 1);
	assert_false(arch_s2_desc_is_table(b, 2));
	assert_int_equal(pa_addr(arch_s2_desc_addr(b)), 0x40200000);
	uint64_t p = arch_s2_block_desc(pa_init(0x40201000), 3, S2_DEVICE_RW);
	assert_int_equal(p & 3, 3);
	assert_int_equal(pa_addr(arch_s2_desc_addr(p)), 0x40201000);
	/* address bits outside [47:12] never leak into attributes */
	uint64_t odd = arch_s2_block_desc(pa_init(0xffff000040201fffULL), 3, S2_NORMAL_RW);
	assert_int_equal(pa_addr(arch_s2_desc_addr(odd)), 0x40201000);
	assert_int_equal(odd & ~0x0000fffffffff000ULL,
			 arch_s2_block_desc(pa_init(0x40201000), 3, S2_NORMAL_RW) & ~0x0000fffffffff000ULL);
	assert_false(arch_s2_desc_valid(0));
	assert_false(arch_s2_desc_valid(0xfffffffffffffffeULL));
}

int main(void)
{
#define T(f) cmocka_unit_test_setup(f, setup)
	const struct CMUnitTest tests[] = {
		T(test_init),
		T(test_map_blocks),
		T(test_map_pages),
		T(test_map_mixed_alignment),
		T(test_ipa_pa_alignment_differ),
		T(test_map_crossing_1g),
		T(test_refuses_misalignment),
		T(test_refuses_beyond_ipa_space),
		T(test_refuses_overlaps),
		T(test_pool_exhaustion),
		T(test_attributes),
		T(test_descriptor_encoding),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
