// SPDX-License-Identifier: MIT
/*
 * The hypervisor's own address space (EL2 stage 1), built as a table in
 * memory (arch/el2map.h); pure functions, shared by the hypervisor and the
 * host tests. Below RAM, 2 MiB blocks: flash bank 0 as read-only normal
 * memory, the rest as Device-nGnRE. RAM, and only the RAM the board
 * describes, is read/write normal write-back and execute-never (until the
 * board is known, only the hypervisor's own), except the hypervisor's own
 * image, mapped by 4 KiB pages:
 * its code read-only and executable, its constants read-only, its data
 * writable. With SCTLR_EL2.WXN nothing is both writable and executable.
 */
#include <arch/el2map.h>
#include <fv/types.h>

#define PTE_VALID BIT(0)
#define PTE_TABLE BIT(1)
#define PTE_ATTR(i) ((uint64_t)(i) << 2)
#define PTE_AP_RO BIT(7)
#define PTE_AP1_RES1 BIT(6) /* AP[1] is RES1 in a one-VA-range regime */
#define PTE_SH_INNER (3ULL << 8)
#define PTE_AF BIT(10)
#define PTE_XN BIT(54)

static uint64_t block(uint64_t pa, unsigned int attr, uint64_t extra)
{
	uint64_t d = pa | PTE_VALID | PTE_AF | PTE_ATTR(attr) | PTE_AP1_RES1 | extra;

	if (attr == EL2_ATTR_NORMAL)
		d |= PTE_SH_INNER;
	return d;
}

static uint64_t table(const uint64_t *t)
{
	return (uint64_t)(uintptr_t)t | PTE_VALID | PTE_TABLE; /* identity: the table's address is its PA */
}

/* The 4 MiB from the link address, page by page, by what each page holds. */
static void map_image(struct el2_map *m, const struct el2_layout *l)
{
	for (uint64_t t = 0; t < 2; t++) {
		for (uint64_t i = 0; i < 512; i++) {
			uint64_t pa = l->image + t * SZ_2M + i * SZ_4K;
			uint64_t extra = PTE_XN; /* data */
			if (pa < l->text_end)
				extra = PTE_AP_RO; /* code */
			else if (pa < l->rodata_end)
				extra = PTE_AP_RO | PTE_XN;                             /* constants */
			m->l3_hv[t][i] = block(pa, EL2_ATTR_NORMAL, extra) | PTE_TABLE; /* a page descriptor */
		}
		m->l2_hv[(l->image + t * SZ_2M) / SZ_2M % 512] = table(m->l3_hv[t]);
	}
}

void el2_map_init(struct el2_map *m, const struct el2_layout *l)
{
	for (uint64_t i = 0; i < 512; i++) {
		uint64_t pa = i * SZ_2M;
		if (pa < l->flash_end)
			m->l2_low[i] = block(pa, EL2_ATTR_NORMAL, PTE_AP_RO | PTE_XN);
		else
			m->l2_low[i] = block(pa, EL2_ATTR_DEVICE, PTE_XN);
	}
	m->l1[0] = table(m->l2_low);
	/* the GiB holding the image: its own RAM in 2 MiB blocks, the image itself in pages */
	for (uint64_t pa = l->hv_ram_base; pa < l->hv_ram_base + l->hv_ram_size; pa += SZ_2M)
		m->l2_hv[pa / SZ_2M % 512] = block(pa, EL2_ATTR_NORMAL, PTE_XN);
	map_image(m, l);
	m->l1[l->image / SZ_1G] = table(m->l2_hv);
}

/* RAM up to end, from pa (2 MiB aligned) within the 2 MiB block at *slot: the block, or pages. */
static void map_2m(struct el2_map *m, uint64_t *slot, uint64_t pa, uint64_t end)
{
	if (*slot & PTE_VALID)
		return; /* the hypervisor's own, already mapped */
	if (end - pa >= SZ_2M) {
		*slot = block(pa, EL2_ATTR_NORMAL, PTE_XN);
		return;
	}
	for (uint64_t i = 0; i < (end - pa) / SZ_4K; i++)
		m->l3_tail[i] = block(pa + i * SZ_4K, EL2_ATTR_NORMAL, PTE_XN) | PTE_TABLE; /* pages */
	*slot = table(m->l3_tail);
}

/* RAM [pa, end) within one GiB, through that GiB's level-2 table l2. */
static void map_in_gib(struct el2_map *m, uint64_t *l2, uint64_t pa, uint64_t end)
{
	uint64_t gib_end = (pa / SZ_1G + 1) * SZ_1G;

	for (; pa < end && pa < gib_end; pa += SZ_2M)
		map_2m(m, &l2[pa / SZ_2M % 512], pa, end);
}

bool el2_map_ram(struct el2_map *m, const struct el2_layout *l, uint64_t base, uint64_t size)
{
	uint64_t end = base + size;
	uint64_t hv_gib = l->image / SZ_1G;

	/* One tail table of each level suffices when RAM starts in the hypervisor's GiB. */
	if (base % SZ_2M || base / SZ_1G != hv_gib || base > l->hv_ram_base || end < l->hv_ram_base + l->hv_ram_size ||
	    end > (1ULL << 39) || end < base)
		return false;
	end &= ~(SZ_4K - 1); /* a partial page is not mapped */
	map_in_gib(m, m->l2_hv, base, end);
	for (uint64_t gb = hv_gib + 1; gb * SZ_1G < end; gb++) {
		if (end - gb * SZ_1G >= SZ_1G) {
			m->l1[gb] = block(gb * SZ_1G, EL2_ATTR_NORMAL, PTE_XN);
			continue;
		}
		map_in_gib(m, m->l2_tail, gb * SZ_1G, end); /* the last, partial GiB */
		m->l1[gb] = table(m->l2_tail);
	}
	return true;
}
