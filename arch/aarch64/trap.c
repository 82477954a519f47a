// SPDX-License-Identifier: MIT
/*
 * From the vectors to core: decode ESR_EL2 into a typed trap (Arm ARM
 * D17.2.37 ESR_EL2; ISS encodings for EC 0x16, 0x17, 0x18, 0x20, 0x24), let
 * core handle it, apply the outcome, then run the pre-entry work.
 */
#include <arch/internal.h>
#include <arch/sysreg.h>
#include <fv/arch.h>
#include <fv/log.h>
#include <fv/trap.h>
#include <fv/vm.h>

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
	case EC_DABT_LOW:
		t->kind = TRAP_DATA_ABORT;
		decode_abort(t, iss);
		break;
	case EC_IABT_LOW:
		t->kind = TRAP_INSN_ABORT;
		decode_abort(t, iss);
		break;
	default:
		t->kind = TRAP_OTHER;
		break;
	}
}

void arch_guest_sync(struct vcpu_regs *frame)
{
	struct vcpu *v = current_vcpu(frame);
	struct trap t = { 0 };

	decode(&t, read_esr_el2());
	enum trap_outcome out = trap_handle(v, &t);
	/* HVC returns to the next instruction by itself; trapped SMC, MSR/MRS
	 * and data aborts return to the trapping one (ELR_EL2 points at it). */
	if (out == TRAP_HANDLED && t.kind != TRAP_HVC)
		frame->pc += 4;
	vm_before_entry(v);
}

void arch_guest_irq(struct vcpu_regs *frame)
{
	struct vcpu *v = current_vcpu(frame);

	irq_handle();
	vm_before_entry(v);
}

void arch_guest_serror(struct vcpu_regs *frame)
{
	struct vcpu *v = current_vcpu(frame);

	log_line("%s: vCPU %u: SError (ESR 0x%llx) at pc 0x%llx", v->vm->name, v->index,
		 (unsigned long long)read_esr_el2(), (unsigned long long)frame->pc);
	vm_crashed(v->vm, VM_STOP_CRASH, "an unrecoverable error (SError)");
	vm_before_entry(v);
}

void arch_hv_fault(struct vcpu_regs *frame)
{
	PANIC("hypervisor exception: ESR 0x%llx ELR 0x%llx FAR 0x%llx", (unsigned long long)read_esr_el2(),
	      (unsigned long long)frame->pc, (unsigned long long)read_far_el2());
}
