/* SPDX-License-Identifier: MIT */
/*
 * What a guest is told about the firmware's speculation workarounds
 * (SMCCC_ARCH_WORKAROUND_1/2/3, Arm DEN 0028 §7.5-7.7) on one CPU, from
 * that CPU's ID registers and the firmware's own answer. A pure function:
 * shared by the hypervisor and the host tests.
 */
#ifndef ARCH_WORKAROUND_H
#define ARCH_WORKAROUND_H

#include <fv/psci.h> /* the function ids and return codes */

/* The ID registers that say whether a CPU needs a workaround. */
struct workaround_ids {
	uint64_t midr;
	uint64_t pfr0; /* ID_AA64PFR0_EL1: CSV2 */
	uint64_t pfr1; /* ID_AA64PFR1_EL1: SSBS */
};

/*
 * The SMCCC_ARCH_FEATURES answer for workaround fid on this CPU, given
 * firmware, the firmware's own answer (SMCCC_RET_NOT_SUPPORTED if it has
 * no SMCCC 1.1). Non-negative (and NOT_REQUIRED for WORKAROUND_2) means
 * the guest may make the call; 0 means the call must reach the firmware.
 */
int32_t arch_workaround_answer(uint32_t fid, const struct workaround_ids *ids, int32_t firmware);

#endif
