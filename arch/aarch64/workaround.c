// SPDX-License-Identifier: MIT
/*
 * SMCCC_ARCH_FEATURES for the speculation workarounds (Arm DEN 0028 §7.5-7.7),
 * answered for the CPU the guest runs on. The firmware below us knows best
 * when it implements a workaround: then its answer stands, and a call that
 * must do something (answer 0) is forwarded to it. When it does not, the
 * hypervisor answers what the CPU itself says:
 *  - WORKAROUND_1: a CPU with FEAT_CSV2 (ID_AA64PFR0_EL1.CSV2 >= 1), or one
 *    of Arm's in-order cores, is not affected: 1, "not required on this
 *    CPU" (the call is then a no-op). Otherwise NOT_SUPPORTED: nothing
 *    below us can mitigate it, and the guest must know.
 *  - WORKAROUND_2: a CPU with FEAT_SSBS (ID_AA64PFR1_EL1.SSBS >= 1) lets the
 *    OS control speculative store bypass itself (PSTATE.SSBS), and an
 *    in-order core is not affected: NOT_REQUIRED. Otherwise NOT_SUPPORTED.
 *  - WORKAROUND_3: FEAT_CSV2_3 (CSV2 >= 3) or an in-order core: 1.
 *    Otherwise NOT_SUPPORTED (a guest then uses its own branch-history
 *    mitigation, as Linux does on the cores it knows).
 * ID_AA64PFR0_EL1.CSV3 (Meltdown) has no firmware workaround: the OS's
 * page-table isolation is its answer.
 */
#include <arch/workaround.h>

#define PFR0_CSV2_SHIFT 56
#define PFR1_SSBS_SHIFT 4
#define MIDR_IMPLEMENTER_SHIFT 24
#define MIDR_PARTNUM_SHIFT 4
#define IMPLEMENTER_ARM 0x41U

/* Cortex-A35, A53, A55: in-order, affected by none of the three (Arm's security advisories). */
static int in_order(uint64_t midr)
{
	uint32_t part = (uint32_t)(midr >> MIDR_PARTNUM_SHIFT) & 0xfff;

	if (((midr >> MIDR_IMPLEMENTER_SHIFT) & 0xff) != IMPLEMENTER_ARM)
		return 0;
	return part == 0xd04 || part == 0xd03 || part == 0xd05;
}

int32_t arch_workaround_answer(uint32_t fid, const struct workaround_ids *ids, int32_t firmware)
{
	uint32_t csv2 = (uint32_t)(ids->pfr0 >> PFR0_CSV2_SHIFT) & 0xf;
	uint32_t ssbs = (uint32_t)(ids->pfr1 >> PFR1_SSBS_SHIFT) & 0xf;
	int safe = in_order(ids->midr);

	switch (fid) {
	case SMCCC_ARCH_WORKAROUND_1:
		if (firmware >= 0)
			return firmware;
		return (csv2 >= 1 || safe) ? 1 : SMCCC_RET_NOT_SUPPORTED;
	case SMCCC_ARCH_WORKAROUND_2:
		if (firmware >= 0 || firmware == SMCCC_RET_NOT_REQUIRED)
			return firmware;
		return (ssbs >= 1 || safe) ? SMCCC_RET_NOT_REQUIRED : SMCCC_RET_NOT_SUPPORTED;
	case SMCCC_ARCH_WORKAROUND_3:
		if (firmware >= 0)
			return firmware;
		return (csv2 >= 3 || safe) ? 1 : SMCCC_RET_NOT_SUPPORTED;
	default: return SMCCC_RET_NOT_SUPPORTED;
	}
}
