/* SPDX-License-Identifier: MIT */
/*
 * A guest's synchronous exception, decoded by the arch layer from ESR_EL2,
 * FAR_EL2 and HPFAR_EL2 into a typed access (decode), then checked and
 * handled by core (validate, act). Arm ARM D17.2.37 "ESR_EL2".
 */
#ifndef FV_TRAP_H
#define FV_TRAP_H

#include <fv/types.h>

struct vcpu;

enum trap_kind {
	TRAP_DATA_ABORT, /* stage-2 fault on a data access */
	TRAP_INSN_ABORT, /* stage-2 fault on an instruction fetch */
	TRAP_HVC,
	TRAP_SMC,
	TRAP_SYSREG, /* trapped MSR/MRS */
	TRAP_WFI,    /* a WFI that would wait (trapped only while a panic is confirmed) */
	TRAP_OTHER,  /* anything else: undefined to the guest */
};

struct trap_mem {
	ipaddr_t ipa;
	uint64_t far; /* the guest's virtual address */
	bool valid;   /* ESR.ISV: the syndrome describes a single load/store */
	bool write;
	unsigned int width; /* bytes: 1, 2, 4, 8 */
	unsigned int reg;   /* transfer register, 31 = XZR */
	bool sign_extend;
	bool sixty_four; /* the register is Xn (else Wn) */
};

struct trap_sysreg {
	uint32_t encoding; /* SYSREG_ENC(op0, op1, crn, crm, op2) */
	bool write;
	unsigned int reg;
};

#define SYSREG_ENC(op0, op1, crn, crm, op2) (((op0) << 14) | ((op1) << 11) | ((crn) << 7) | ((crm) << 3) | (op2))

struct trap {
	enum trap_kind kind;
	uint32_t esr;
	uint32_t ec;
	uint16_t imm; /* HVC/SMC immediate */
	struct trap_mem mem;
	struct trap_sysreg sys;
};

enum trap_outcome {
	TRAP_HANDLED,  /* done: step past the instruction */
	TRAP_REPLAY,   /* done: return to the same instruction */
	TRAP_INJECTED, /* an exception was injected into the guest */
};

/* Core's handler for a decoded guest exception. */
enum trap_outcome trap_handle(struct vcpu *v, const struct trap *t);
#endif
