// SPDX-License-Identifier: MIT
/*
 * The guest's self-hosted debug registers (Arm ARM D2 "AArch64 Self-hosted
 * Debug"): MDSCR_EL1 and the breakpoint and watchpoint registers. They trap
 * (MDCR_EL2.TDA, which also traps the registers an external debugger uses,
 * answered by core) and are done here on this CPU's own registers, which are
 * the vCPU's: one vCPU per CPU. What could make a debug event match at EL2
 * (DBGBCR/DBGWCR HMC, and SSC with it) is cleared; with MDCR_EL2.TDE = 0 no
 * debug exception is taken from EL2 anyway (Arm ARM D2.1.x, "the debug
 * target Exception level"), so this is a second wall.
 */
#include <arch/sysreg.h>
#include <fv/arch/vcpu.h>
#include <fv/trap.h>

#define DFR0_BRPS_SHIFT 12
#define DFR0_WRPS_SHIFT 20
#define DBGXCR_HMC BIT(13)
#define DBGXCR_SSC (3ULL << 14)
#define MDSCR_SS BIT(0)
#define MDSCR_TDCC BIT(12)
#define MDSCR_KDE BIT(13)
#define MDSCR_MDE BIT(15)
#define MDSCR_GUEST (MDSCR_SS | MDSCR_TDCC | MDSCR_KDE | MDSCR_MDE)
#define SYSREG_MDSCR_EL1 SYSREG_ENC(2, 0, 0, 2, 2)

/* DBG<kind><n>_EL1 for n = 0..15, read or written through *value. */
#define DBG_CASE(kind, n)                                                                          \
	case n:                                                                                    \
		if (write)                                                                         \
			__asm__ volatile("msr dbg" kind #n "_el1, %0" : : "r"(*value) : "memory"); \
		else                                                                               \
			__asm__ volatile("mrs %0, dbg" kind #n "_el1" : "=r"(*value));             \
		break;
#define DBG_SWITCH(kind, n)        \
	switch (n) {               \
		DBG_CASE(kind, 0)  \
		DBG_CASE(kind, 1)  \
		DBG_CASE(kind, 2)  \
		DBG_CASE(kind, 3)  \
		DBG_CASE(kind, 4)  \
		DBG_CASE(kind, 5)  \
		DBG_CASE(kind, 6)  \
		DBG_CASE(kind, 7)  \
		DBG_CASE(kind, 8)  \
		DBG_CASE(kind, 9)  \
		DBG_CASE(kind, 10) \
		DBG_CASE(kind, 11) \
		DBG_CASE(kind, 12) \
		DBG_CASE(kind, 13) \
		DBG_CASE(kind, 14) \
		DBG_CASE(kind, 15) \
	default: break;            \
	}

static void mdscr_access(bool write, uint64_t *value)
{
	if (write) {
		uint64_t keep = read_mdscr_el1() & ~MDSCR_GUEST;
		write_mdscr_el1(keep | (*value & MDSCR_GUEST));
	} else {
		*value = read_mdscr_el1() & MDSCR_GUEST;
	}
}

enum arch_debug_access arch_debug_access(uint32_t enc, bool write, uint64_t *value)
{
	uint32_t op0 = enc >> 14, op1 = (enc >> 11) & 7, crn = (enc >> 7) & 15, n = (enc >> 3) & 15, op2 = enc & 7;
	uint64_t dfr0 = read_id_aa64dfr0_el1();

	if (enc == SYSREG_MDSCR_EL1) {
		mdscr_access(write, value);
		return ARCH_DEBUG_DONE;
	}
	/* DBGBVR<n> (op2 4), DBGBCR<n> (5), DBGWVR<n> (6), DBGWCR<n> (7): op0 2, op1 0, CRn 0, CRm n */
	if (op0 != 2 || op1 != 0 || crn != 0 || op2 < 4)
		return ARCH_DEBUG_NOT_SELF_HOSTED;
	uint32_t count = (uint32_t)((dfr0 >> (op2 < 6 ? DFR0_BRPS_SHIFT : DFR0_WRPS_SHIFT)) & 0xf) + 1;
	if (n >= count)
		return ARCH_DEBUG_ABSENT;
	if (write && (op2 == 5 || op2 == 7))
		*value &= ~(DBGXCR_HMC | DBGXCR_SSC);
	switch (op2) {
	case 4: DBG_SWITCH("bvr", n) break;
	case 5: DBG_SWITCH("bcr", n) break;
	case 6: DBG_SWITCH("wvr", n) break;
	default: DBG_SWITCH("wcr", n) break;
	}
	return ARCH_DEBUG_DONE;
}
