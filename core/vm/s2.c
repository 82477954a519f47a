// SPDX-License-Identifier: MIT
/*
 * Building a VM's stage-2 tables (Arm ARM D8.2 "Translation process", 4 KiB
 * granule): 39-bit IPA, so the walk starts at level 1 with one 512-entry
 * table; level 1 entries point to level 2 tables (2 MiB blocks), which point
 * to level 3 tables (4 KiB pages) where alignment requires. Tables come from
 * the VM's own pool, so a VM can never use up another's.
 *
 * Tables are built before the VM first runs and never change afterwards, so
 * no break-before-make sequence is needed; arch_s2_flush_vmid publishes them.
 */
#include <fv/s2.h>
#include <fv/string.h>

#define LEVEL_SHIFT(l) (12U + 9U * (3U - (l)))
#define INDEX(ipa, l) (((ipa) >> LEVEL_SHIFT(l)) & 511U)

void s2_init(struct s2 *s, struct s2_table *pool, uint16_t vmid)
{
	s->pool = pool;
	s->used = 1;
	s->vmid = vmid;
	memset(&pool[0], 0, sizeof(pool[0]));
}

paddr_t s2_root(const struct s2 *s)
{
	return arch_ptr_to_phys(&s->pool[0]);
}

static struct s2_table *table_at(const struct s2 *s, uint64_t desc)
{
	uint64_t pa = pa_addr(arch_s2_desc_addr(desc));

	/* Tables only ever come from the pool: find it there rather than trusting a pointer. */
	for (uint32_t i = 0; i < s->used; i++)
		if (pa_addr(arch_ptr_to_phys(&s->pool[i])) == pa)
			return &s->pool[i];
	return NULL;
}

/* The table at `level` + 1 below entry `e`, allocated if absent; NULL if out of tables or a block is in the way. */
static struct s2_table *next_table(struct s2 *s, uint64_t *e, unsigned int level)
{
	if (!arch_s2_desc_valid(*e)) {
		if (s->used == S2_POOL_PAGES)
			return NULL;
		struct s2_table *t = &s->pool[s->used++];
		memset(t, 0, sizeof(*t));
		*e = arch_s2_table_desc(arch_ptr_to_phys(t));
		return t;
	}
	if (!arch_s2_desc_is_table(*e, level))
		return NULL;
	return table_at(s, *e);
}

bool s2_map(struct s2 *s, ipaddr_t ipa, paddr_t pa, uint64_t size, enum s2_attr attr)
{
	uint64_t in = ipa_addr(ipa), out = pa_addr(pa);

	if (!IS_ALIGNED(in | out | size, S2_PAGE_SIZE) || range_wraps(in, size) || size > (1ULL << 39) ||
	    in > (1ULL << 39) - size) /* in + size may wrap to 0 */
		return false;
	while (size) {
		uint64_t *e1 = &s->pool[0].entry[INDEX(in, 1)];
		if (IS_ALIGNED(in | out, SZ_1G) && size >= SZ_1G) {
			/* a 1 GiB block: the shortest walk there is */
			if (arch_s2_desc_valid(*e1))
				return false;
			*e1 = arch_s2_block_desc(pa_init(out), 1, attr);
			in += SZ_1G;
			out += SZ_1G;
			size -= SZ_1G;
			continue;
		}
		struct s2_table *l2 = next_table(s, e1, 1);
		if (!l2)
			return false;
		uint64_t *e2 = &l2->entry[INDEX(in, 2)];
		if (IS_ALIGNED(in | out, SZ_2M) && size >= SZ_2M) {
			if (arch_s2_desc_valid(*e2))
				return false; /* already mapped */
			*e2 = arch_s2_block_desc(pa_init(out), 2, attr);
			in += SZ_2M;
			out += SZ_2M;
			size -= SZ_2M;
			continue;
		}
		struct s2_table *l3 = next_table(s, e2, 2);
		if (!l3)
			return false;
		uint64_t *e3 = &l3->entry[INDEX(in, 3)];
		if (arch_s2_desc_valid(*e3))
			return false;
		*e3 = arch_s2_block_desc(pa_init(out), 3, attr);
		in += S2_PAGE_SIZE;
		out += S2_PAGE_SIZE;
		size -= S2_PAGE_SIZE;
	}
	return true;
}

/* The descriptor that maps `in`, and its level; NULL if unmapped. */
static uint64_t *leaf(const struct s2 *s, uint64_t in, unsigned int *level)
{
	struct s2_table *t = &s->pool[0];

	for (unsigned int l = 1; l <= 3; l++) {
		uint64_t *e = &t->entry[INDEX(in, l)];
		if (!arch_s2_desc_valid(*e))
			return NULL;
		if (l < 3 && arch_s2_desc_is_table(*e, l)) {
			t = table_at(s, *e);
			if (!t)
				return NULL;
			continue;
		}
		*level = l;
		return e;
	}
	return NULL;
}

bool s2_unmap(struct s2 *s, ipaddr_t ipa, uint64_t size)
{
	uint64_t start = ipa_addr(ipa), end = start + size;
	unsigned int level;

	if (!IS_ALIGNED(start | size, S2_PAGE_SIZE) || size > (1ULL << 39) || start > (1ULL << 39) - size)
		return false; /* start + size may wrap to 0 */
	/* check first, then clear: a refused unmap changes nothing */
	for (int pass = 0; pass < 2; pass++)
		for (uint64_t in = start; in < end;) {
			uint64_t *e = leaf(s, in, &level);
			if (!e)
				return false;
			uint64_t span = 1ULL << LEVEL_SHIFT(level);
			if (!IS_ALIGNED(in, span) || end - in < span)
				return false; /* not mapped, or a block reaching outside the range */
			if (pass)
				*e = 0;
			in += span;
		}
	return true;
}

bool s2_translate(const struct s2 *s, ipaddr_t ipa, paddr_t *pa)
{
	uint64_t in = ipa_addr(ipa);
	const struct s2_table *t = &s->pool[0];

	if (in >= (1ULL << 39))
		return false;
	for (unsigned int level = 1; level <= 3; level++) {
		uint64_t e = t->entry[INDEX(in, level)];
		if (!arch_s2_desc_valid(e))
			return false;
		if (level < 3 && arch_s2_desc_is_table(e, level)) {
			t = table_at(s, e);
			if (!t)
				return false;
			continue;
		}
		uint64_t mask = (1ULL << LEVEL_SHIFT(level)) - 1;
		*pa = pa_init(pa_addr(arch_s2_desc_addr(e)) + (in & mask));
		return true;
	}
	return false;
}
