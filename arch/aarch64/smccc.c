// SPDX-License-Identifier: MIT
/*
 * Calls to the firmware below us: QEMU's built-in PSCI 1.1, reached with
 * SMC #0 (SMCCC 1.1, Arm DEN 0028: x0 function id, x1-x3 arguments, x0
 * result; x0-x17 may be clobbered). Only the hypervisor calls it; guests'
 * SMCs trap to us (HCR_EL2.TSC), and reach the firmware only as a speculation
 * workaround the firmware itself offered for that CPU.
 */
#include <arch/sysreg.h>
#include <arch/workaround.h>
#include <fv/arch/cpu.h>
#include <fv/arch/firmware.h>
#include <fv/limits.h>
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

/*
 * What the firmware says about each workaround on one CPU, asked once, on
 * that CPU, the first time a guest there asks (DEN 0028 §7: the answers are
 * per PE). Firmware without SMCCC 1.1 (QEMU's: PSCI_FEATURES(SMCCC_VERSION)
 * is NOT_SUPPORTED) has none of them.
 */
struct firmware_workarounds {
	bool asked;
	int32_t answer[3]; /* ARCH_WORKAROUND_1, _2, _3 */
};

static struct firmware_workarounds firmware[FV_MAX_CPUS];
static const uint32_t workaround_fids[3] = { SMCCC_ARCH_WORKAROUND_1, SMCCC_ARCH_WORKAROUND_2,
					     SMCCC_ARCH_WORKAROUND_3 };

static int32_t firmware_answer(uint32_t fid)
{
	struct firmware_workarounds *f = &firmware[arch_cpu_index()];

	if (!f->asked) {
		bool smccc_1_1 = (int32_t)smc(PSCI_FEATURES, SMCCC_VERSION, 0, 0) >= 0 &&
				 (int32_t)smc(SMCCC_VERSION, 0, 0, 0) >= (int32_t)SMCCC_VERSION_1_1;
		for (uint32_t i = 0; i < 3; i++)
			f->answer[i] = smccc_1_1 ? (int32_t)smc(SMCCC_ARCH_FEATURES, workaround_fids[i], 0, 0)
						 : SMCCC_RET_NOT_SUPPORTED;
		f->asked = true;
	}
	for (uint32_t i = 0; i < 3; i++)
		if (workaround_fids[i] == fid)
			return f->answer[i];
	return SMCCC_RET_NOT_SUPPORTED;
}

static int32_t answer(uint32_t fid)
{
	struct workaround_ids ids = { read_midr_el1(), read_id_aa64pfr0_el1(), read_id_aa64pfr1_el1() };

	return arch_workaround_answer(fid, &ids, firmware_answer(fid));
}

int32_t arch_smccc_workaround_feature(uint32_t fid)
{
	return answer(fid);
}

void arch_smccc_workaround(uint32_t fid, uint64_t arg)
{
	/* 0: required here, and the firmware's to do; otherwise nothing needs doing */
	if (answer(fid) == 0)
		smc(fid, arg, 0, 0);
}
