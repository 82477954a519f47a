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
__attribute__((noreturn)) void arch_board_reset(void);

#endif
