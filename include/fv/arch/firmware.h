/* SPDX-License-Identifier: MIT */
/*
 * The board's firmware below the hypervisor (QEMU's PSCI over SMC).
 * Part of the porting layer (docs/porting.md): implemented by arch/aarch64
 * for the hypervisor and by arch/fake for host tests.
 */
#ifndef FV_ARCH_FIRMWARE_H
#define FV_ARCH_FIRMWARE_H

#include <fv/types.h>

int arch_board_cpu_on(uint64_t mpidr, paddr_t entry, uint64_t context);
__attribute__((noreturn)) void arch_board_off(void);
/*
 * SMCCC_ARCH_FEATURES for an ARCH_WORKAROUND_n (fid) as a guest on this CPU
 * is told it (Arm DEN 0028 §7.5-7.7); SMCCC_RET_NOT_SUPPORTED for any other fid.
 */
int32_t arch_smccc_workaround_feature(uint32_t fid);
/* A guest's ARCH_WORKAROUND_n call (arg: WORKAROUND_2's enable flag) on this CPU. */
void arch_smccc_workaround(uint32_t fid, uint64_t arg);
__attribute__((noreturn)) void arch_board_reset(void);

#endif
