// SPDX-License-Identifier: MIT
/*
 * Calls to the firmware below us: QEMU's built-in PSCI 1.1, reached with
 * SMC #0 (SMCCC 1.1, Arm DEN 0028: x0 function id, x1-x3 arguments, x0
 * result; x0-x17 may be clobbered). Only the hypervisor calls it; guests'
 * SMCs trap to us (HCR_EL2.TSC).
 */
#include <fv/arch/cpu.h>
#include <fv/arch/firmware.h>
#include <fv/psci.h>

static int64_t smc(uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3)
{
	register uint64_t x0 __asm__("x0") = fid;
	register uint64_t x1 __asm__("x1") = a1;
	register uint64_t x2 __asm__("x2") = a2;
	register uint64_t x3 __asm__("x3") = a3;

	__asm__ volatile("smc #0"
			 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
			 :
			 : "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13", "x14", "x15", "x16", "x17",
			   "memory");
	return (int64_t)x0;
}

extern char secondary_entry[];

int arch_board_cpu_on(uint64_t mpidr, paddr_t entry, uint64_t context)
{
	(void)entry; /* every secondary starts at secondary_entry */
	/* QEMU 7.2 wants the plain affinity (PLATFORM.md): no bit 31. */
	return (int)smc(PSCI_CPU_ON_64, mpidr & 0xff00ffffffULL, (uint64_t)(uintptr_t)secondary_entry, context);
}

void arch_board_off(void)
{
	smc(PSCI_SYSTEM_OFF, 0, 0, 0);
	arch_cpu_halt();
}

void arch_board_reset(void)
{
	smc(PSCI_SYSTEM_RESET, 0, 0, 0);
	arch_cpu_halt();
}
