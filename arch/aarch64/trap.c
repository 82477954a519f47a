// SPDX-License-Identifier: MIT
/*
 * From the vectors to core: decode ESR_EL2 into a typed trap (Arm ARM
 * D17.2.37 ESR_EL2; ISS encodings for EC 0x16, 0x17, 0x18, 0x20, 0x24), let
 * core handle it, apply the outcome, then run the pre-entry work.
 */
#include <arch/internal.h>
#include <arch/sysreg.h>
#include <fv/arch/cpu.h>
#include <fv/irq.h>
#include <fv/lifecycle.h>
#include <fv/log.h>
#include <fv/run.h>
#include <fv/trap.h>

#define EC_WFX 0x01U
#define EC_HVC64 0x16U
#define EC_SMC64 0x17U
#define EC_SYS64 0x18U
#define EC_IABT_LOW 0x20U
#define EC_DABT_LOW 0x24U

#define ISS_ISV BIT(24)
#define ISS_SAS_SHIFT 22
#define ISS_SSE BIT(21)
#define ISS_SRT_SHIFT 16
#define ISS_SF BIT(15)
#define ISS_S1PTW BIT(7)
#define ISS_WNR BIT(6)
#define ISS_FSC_MASK 0x3fU
#define ESR_IL BIT(25) /* the trapped instruction is 32 bits (else a 16-bit T32 one) */

#define SPSR_AARCH32 BIT(4) /* SPSR_EL2.M[4]: the guest was in AArch32 (EL0 only: HCR_EL2.RW = 1) */
#define SPSR_T BIT(5)       /* ... in T32 state */
#define SPSR_IT_LO_SHIFT 25 /* IT[1:0] */
#define SPSR_IT_HI_SHIFT 10 /* IT[7:2] */

static struct vcpu *current_vcpu(struct vcpu_regs *frame)
{
	struct vcpu *v = pcpu_this()->vcpu;

	if (!v || v->regs != frame)
		PANIC("guest exception on CPU %u, which runs no vCPU", arch_cpu_index());
	return v;
}

static void decode_abort(struct trap *t, uint32_t iss)
{
	uint64_t far = read_far_el2();
	uint64_t hpfar = read_hpfar_el2();

	/* HPFAR_EL2.FIPA [43:4] holds IPA [51:12]; FAR_EL2 gives the offset in the page. */
	t->mem.ipa = ipa_init(((hpfar >> 4) << 12) | (far & 0xfff));
	t->mem.far = far;
	t->mem.valid = (iss & ISS_ISV) && !(iss & ISS_S1PTW);
	t->mem.write = iss & ISS_WNR;
	t->mem.width = 1U << ((iss >> ISS_SAS_SHIFT) & 3);
	t->mem.reg = (iss >> ISS_SRT_SHIFT) & 31;
	t->mem.sign_extend = iss & ISS_SSE;
	t->mem.sixty_four = iss & ISS_SF;
}

static void decode(struct trap *t, uint64_t esr)
{
	uint32_t iss = (uint32_t)(esr & 0x1ffffff);

	t->esr = (uint32_t)esr;
	t->ec = (uint32_t)(esr >> 26) & 0x3f;
	switch (t->ec) {
	case EC_HVC64:
		t->kind = TRAP_HVC;
		t->imm = (uint16_t)iss;
		break;
	case EC_SMC64:
		t->kind = TRAP_SMC;
		t->imm = (uint16_t)iss;
		break;
	case EC_SYS64:
		t->kind = TRAP_SYSREG;
		/* Op0 [21:20], Op2 [19:17], Op1 [16:14], CRn [13:10], Rt [9:5], CRm [4:1], Dir [0] (1 = read) */
		t->sys.encoding = SYSREG_ENC((iss >> 20) & 3, (iss >> 14) & 7, (iss >> 10) & 15, (iss >> 1) & 15,
					     (iss >> 17) & 7);
		t->sys.write = !(iss & 1);
		t->sys.reg = (iss >> 5) & 31;
		break;
	case EC_WFX:
		/* ISS.TI [1:0]: 00 WFI, 01 WFE, 10 WFIT, 11 WFET; only WFI and WFIT are trapped (TWI) */
		t->kind = (iss & 1) ? TRAP_OTHER : TRAP_WFI;
		break;
	case EC_DABT_LOW:
		t->kind = TRAP_DATA_ABORT;
		decode_abort(t, iss);
		break;
	case EC_IABT_LOW:
		t->kind = TRAP_INSN_ABORT;
		decode_abort(t, iss);
		break;
	default: t->kind = TRAP_OTHER; break;
	}
}

/*
 * Step past the trapped instruction: 2 or 4 bytes as ESR_EL2.IL says (a
 * 16-bit T32 load or store from AArch32 EL0 can take a stage-2 abort), and
 * in T32 on through an IT block as the instruction would have (Arm ARM,
 * the ITAdvance() pseudocode).
 */
static void step_past(struct vcpu_regs *frame, uint32_t esr)
{
	uint64_t ps = frame->pstate;

	frame->pc += (esr & ESR_IL) ? 4 : 2;
	if (!(ps & SPSR_AARCH32) || !(ps & SPSR_T))
		return;
	uint32_t it = (uint32_t)((ps >> SPSR_IT_LO_SHIFT) & 3) | (uint32_t)(((ps >> SPSR_IT_HI_SHIFT) & 0x3f) << 2);
	if (it == 0)
		return;
	it = (it & 7) == 0 ? 0 : (it & 0xe0) | ((it << 1) & 0x1f);
	ps &= ~((3ULL << SPSR_IT_LO_SHIFT) | (0x3fULL << SPSR_IT_HI_SHIFT));
	frame->pstate = ps | ((uint64_t)(it & 3) << SPSR_IT_LO_SHIFT) | ((uint64_t)(it >> 2) << SPSR_IT_HI_SHIFT);
}

void arch_guest_sync(struct vcpu_regs *frame)
{
	struct vcpu *v = current_vcpu(frame);
	struct trap t = { 0 };

	uint32_t esr = (uint32_t)read_esr_el2();

	decode(&t, esr);
	enum trap_outcome out = trap_handle(v, &t);
	/* HVC returns to the next instruction by itself; trapped SMC, MSR/MRS
	 * and data aborts return to the trapping one (ELR_EL2 points at it). */
	if (out == TRAP_HANDLED && t.kind != TRAP_HVC)
		step_past(frame, esr);
	run_before_entry(v);
}

void arch_guest_irq(struct vcpu_regs *frame)
{
	struct vcpu *v = current_vcpu(frame);

	irq_handle();
	run_before_entry(v);
}

void arch_guest_serror(struct vcpu_regs *frame)
{
	struct vcpu *v = current_vcpu(frame);

	log_line("%s: vCPU %u: SError (ESR 0x%llx) at pc 0x%llx", v->vm->name, v->index,
		 (unsigned long long)read_esr_el2(), (unsigned long long)frame->pc);
	vm_crashed(v->vm, VM_STOP_CRASH, "an unrecoverable error (SError)");
	run_before_entry(v);
}

/* An exception taken at EL2: a device's answer to a guest's access (then back to it), else a bug. */
void arch_hv_fault(struct vcpu_regs *frame)
{
	if (arch_mmio_guard_fault(frame, read_esr_el2()))
		return;
	PANIC("hypervisor exception: ESR 0x%llx ELR 0x%llx FAR 0x%llx", (unsigned long long)read_esr_el2(),
	      (unsigned long long)frame->pc, (unsigned long long)read_far_el2());
}
