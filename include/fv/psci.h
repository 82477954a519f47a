/* SPDX-License-Identifier: MIT */
/*
 * PSCI for guests (Arm DEN 0022 "Power State Coordination Interface",
 * issue F, PSCI 1.1) and the SMCCC discovery calls (Arm DEN 0028, SMCCC 1.1).
 * Guests see a PSCI 1.1 implementation that acts on their own vCPUs only.
 */
#ifndef FV_PSCI_H
#define FV_PSCI_H

#include <fv/types.h>

#define PSCI_VERSION 0x84000000U
#define PSCI_CPU_SUSPEND_32 0x84000001U
#define PSCI_CPU_SUSPEND_64 0xc4000001U
#define PSCI_CPU_OFF 0x84000002U
#define PSCI_CPU_ON_32 0x84000003U
#define PSCI_CPU_ON_64 0xc4000003U
#define PSCI_AFFINITY_INFO_32 0x84000004U
#define PSCI_AFFINITY_INFO_64 0xc4000004U
#define PSCI_MIGRATE_INFO_TYPE 0x84000006U
#define PSCI_SYSTEM_OFF 0x84000008U
#define PSCI_SYSTEM_RESET 0x84000009U
#define PSCI_FEATURES 0x8400000aU
#define SMCCC_VERSION 0x80000000U
#define SMCCC_ARCH_FEATURES 0x80000001U
#define SMCCC_ARCH_WORKAROUND_1 0x80008000U /* CVE-2017-5715, branch target injection */
#define SMCCC_ARCH_WORKAROUND_2 0x80007fffU /* CVE-2018-3639, speculative store bypass */
#define SMCCC_ARCH_WORKAROUND_3 0x80003fffU /* CVE-2017-5715 and CVE-2022-23960 (branch history) */
#define SMCCC_RET_NOT_SUPPORTED (-1)
#define SMCCC_RET_NOT_REQUIRED (-2)

#define PSCI_RET_SUCCESS 0
#define PSCI_RET_NOT_SUPPORTED (-1)
#define PSCI_RET_INVALID_PARAMETERS (-2)
#define PSCI_RET_DENIED (-3)
#define PSCI_RET_ALREADY_ON (-4)
#define PSCI_RET_ON_PENDING (-5)
#define PSCI_RET_INTERNAL_FAILURE (-6)
#define PSCI_RET_NOT_PRESENT (-7)
#define PSCI_RET_DISABLED (-8)
#define PSCI_RET_INVALID_ADDRESS (-9)

#define PSCI_AFFINITY_ON 0
#define PSCI_AFFINITY_OFF 1
#define PSCI_AFFINITY_ON_PENDING 2

#define PSCI_VERSION_1_1 0x00010001U
#define SMCCC_VERSION_1_1 0x00010001U

struct vcpu;

enum psci_action {
	PSCI_CONTINUE, /* return to the guest with x0 set */
	PSCI_VCPU_OFF, /* the calling vCPU is now off */
	PSCI_VM_OFF,   /* the VM powered itself off */
	PSCI_VM_RESET, /* the VM asked for a reset */
};

/*
 * Handle an SMCCC call (function id in x0, arguments x1..x3). Sets the
 * guest's x0 (and x1..x3 as SMCCC 1.1 requires for unknown calls) and says
 * what happens next.
 */
enum psci_action psci_handle(struct vcpu *v);

#endif
