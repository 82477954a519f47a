// SPDX-License-Identifier: MIT
/*
 * Stage-2 descriptor encoding, VMSAv8-64 with a 4 KiB granule (Arm ARM
 * D8.3 "Translation table descriptor formats", D8.5 stage 2 attributes).
 * Pure functions: shared by the hypervisor and the host tests.
 */
#include <fv/s2.h>

#define DESC_VALID BIT(0)
#define DESC_TABLE BIT(1) /* table at levels 0-2, page at level 3 */
#define DESC_ADDR_MASK 0x0000fffffffff000ULL
#define S2_MEMATTR_SHIFT 2
#define S2_MEMATTR_NORMAL_WB 0xfULL /* outer and inner write-back cacheable */
#define S2_MEMATTR_DEVICE_NGNRE 0x1ULL
#define S2_AP_RW (3ULL << 6)
#define S2_AP_RO (1ULL << 6)
#define S2_SH_INNER (3ULL << 8)
#define S2_AF BIT(10)
#define S2_XN BIT(54)

uint64_t arch_s2_table_desc(paddr_t next)
{
	return (pa_addr(next) & DESC_ADDR_MASK) | DESC_TABLE | DESC_VALID;
}

uint64_t arch_s2_block_desc(paddr_t pa, unsigned int level, enum s2_attr attr)
{
	uint64_t d = (pa_addr(pa) & DESC_ADDR_MASK) | DESC_VALID | S2_AF;

	if (level == 3)
		d |= DESC_TABLE; /* the page descriptor encoding */
	d |= attr == S2_NORMAL_RO ? S2_AP_RO : S2_AP_RW;
	if (attr == S2_DEVICE_RW)
		d |= (S2_MEMATTR_DEVICE_NGNRE << S2_MEMATTR_SHIFT) | S2_XN;
	else
		d |= (S2_MEMATTR_NORMAL_WB << S2_MEMATTR_SHIFT) | S2_SH_INNER;
	return d;
}

bool arch_s2_desc_valid(uint64_t desc)
{
	return desc & DESC_VALID;
}

bool arch_s2_desc_is_table(uint64_t desc, unsigned int level)
{
	return level < 3 && (desc & (DESC_VALID | DESC_TABLE)) == (DESC_VALID | DESC_TABLE);
}

paddr_t arch_s2_desc_addr(uint64_t desc)
{
	return pa_init(desc & DESC_ADDR_MASK);
}
