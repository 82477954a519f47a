// SPDX-License-Identifier: MIT
/*
 * Guest exceptions, after the arch layer decoded them (include/fv/trap.h):
 * stage-2 data aborts become accesses to an emulated device, a passthrough
 * window or an abort injected into the guest; HVC and SMC are SMCCC calls
 * (PSCI); trapped system registers are the SGI generators, the PMU, the
 * debug registers (the guest's own done by the arch layer), trace, the
 * activity monitors and the RAS error records.
 * Nothing a guest does here can stop the hypervisor: every path ends in an
 * architected answer to the guest.
 */
#include <fv/arch/mem.h>
#include <fv/arch/vcpu.h>
#include <fv/clock.h>
#include <fv/device.h>
#include <fv/lifecycle.h>
#include <fv/log.h>
#include <fv/panic_check.h>
#include <fv/psci.h>
#include <fv/run.h>
#include <fv/trap.h>

#define SYSREG_ICC_SGI1R SYSREG_ENC(3, 0, 12, 11, 5)
#define SYSREG_ICC_ASGI1R SYSREG_ENC(3, 0, 12, 11, 6)
#define SYSREG_ICC_SGI0R SYSREG_ENC(3, 0, 12, 11, 7)

#define FAULT_LOG_BURST 8U /* messages per VM before rate limiting */
#define FAULT_LOG_WINDOW_MS 1000U

/* Per-VM rate limit for fault messages, so a probing guest cannot flood the console. */
static bool fault_log_ok(struct vm *vm)
{
	uint64_t now = clock_now_ms();

	if (now - vm->fault_log_window >= FAULT_LOG_WINDOW_MS) {
		if (vm->fault_log_suppressed)
			log_line("%s: %u more faults not shown", vm->name, vm->fault_log_suppressed);
		vm->fault_log_window = now;
		vm->fault_log_count = 0;
		vm->fault_log_suppressed = 0;
	}
	if (vm->fault_log_count < FAULT_LOG_BURST) {
		vm->fault_log_count++;
		return true;
	}
	vm->fault_log_suppressed++;
	return false;
}

/*
 * A fault in the guest's own exception vectors cannot be delivered: the
 * abort would land where it came from, forever. That is an unrecoverable
 * guest fault: the VM's crash policy applies.
 */
static bool unrecoverable(struct vcpu *v, const char *what)
{
	if (!arch_guest_in_vectors(v))
		return false;
	log_line("%s: vCPU %u %s at pc 0x%llx inside its exception vectors: unrecoverable", v->vm->name, v->index, what,
		 (unsigned long long)v->regs->pc);
	vm_crashed(v->vm, VM_STOP_CRASH, "an unrecoverable guest fault");
	return true;
}

static enum trap_outcome abort_guest(struct vcpu *v, const struct trap_mem *m, const char *why)
{
	v->stats.aborts++;
	if (unrecoverable(v, "data abort"))
		return TRAP_REPLAY;
	if (fault_log_ok(v->vm))
		log_line("%s: vCPU %u %s 0x%llx (pc 0x%llx): %s; abort injected", v->vm->name, v->index,
			 m->write ? "write to" : "read from", (unsigned long long)ipa_addr(m->ipa),
			 (unsigned long long)v->regs->pc, why);
	arch_inject_data_abort(v, m->far);
	return TRAP_INJECTED;
}

/* Route an access to the device that owns the address (the catch-all if none). */
static bool mmio_dispatch(struct vcpu *v, const struct trap_mem *m, uint64_t *value, const char **why)
{
	uint64_t ipa = ipa_addr(m->ipa);
	const struct vdev *d = vdev_lookup(&v->vm->devs, ipa);
	uint64_t off = ipa - d->base;
	const struct vdev_ops *ops = d->ops;
	if (m->write ? ops->write(d->state, off, m->width, *value) : ops->read(d->state, off, m->width, value))
		return true;
	*why = ops->refusal ? ops->refusal(d->state, off, m->width) : ops->refused;
	return false;
}

static enum trap_outcome mmio_handle(struct vcpu *v, const struct trap_mem *m)
{
	uint64_t value = 0;
	const char *why;

	v->stats.mmio++;
	if (!m->valid)
		return abort_guest(v, m, "an access the hypervisor cannot decode (no syndrome: e.g. a load pair)");
	if (m->write) {
		value = vcpu_reg(v, m->reg);
		if (m->width < 8)
			value &= (1ULL << (8 * m->width)) - 1;
	}
	if (!mmio_dispatch(v, m, &value, &why))
		return abort_guest(v, m, why);
	if (!m->write) {
		if (m->sign_extend && m->width < 8) {
			uint64_t sign = 1ULL << (8 * m->width - 1);
			value = (value ^ sign) - sign;
		}
		if (!m->sixty_four)
			value &= 0xffffffffULL;
		vcpu_set_reg(v, m->reg, value);
	}
	return TRAP_HANDLED;
}

static bool is_pmu_reg(uint32_t enc)
{
	uint32_t op0 = enc >> 14, op1 = (enc >> 11) & 7, crn = (enc >> 7) & 15, crm = (enc >> 3) & 15;

	/* PMU (Arm ARM D13.x): op0 3, CRn 9, CRm 12-14 with op1 3 (PM*_EL0) or op1 0
	 * (PMINTEN*_EL1, PMMIR_EL1); and op1 3, CRn 14, CRm 8-15 (PMEV*_EL0). */
	return op0 == 3 &&
	       ((crn == 9 && crm >= 12 && crm <= 14 && (op1 == 3 || op1 == 0)) || (op1 == 3 && crn == 14 && crm >= 8));
}

#define SYSREG_TRFCR_EL1 SYSREG_ENC(3, 0, 1, 2, 1)

/*
 * Registers that trap because what they reach is not the VM's alone
 * (MDCR_EL2.TDA/TDOSA/TDRA/TTRF, CPTR_EL2.TTA/TAM, HCR_EL2.TERR), answered
 * read-as-zero, write-ignored, so that an OS that touches them while it
 * boots (Linux unlocks the OS lock, resets the AMU's EL0 access) goes on:
 *  - op0 2 beyond the guest's own breakpoints, watchpoints and MDSCR_EL1:
 *    the external debugger's registers (OS lock and double lock, the DCC,
 *    claim tags, DBGPRCR_EL1, MDRAR_EL1 reads "no ROM table",
 *    DBGAUTHSTATUS_EL1), and the trace unit (op1 1), which can record EL2;
 *  - TRFCR_EL1: trace filtering reads "prohibited";
 *  - the activity monitors (op0 3, op1 3, CRn 13, CRm 2-15): they count the
 *    CPU's whole time, the hypervisor's included; they read as stopped;
 *  - the RAS error records (op0 3, op1 0, CRn 5, CRm 3-5): ERRIDR_EL1 reads
 *    0, no records (a record's node may be shared with other VMs' CPUs).
 */
static bool is_razwi_reg(uint32_t enc)
{
	uint32_t op0 = enc >> 14, op1 = (enc >> 11) & 7, crn = (enc >> 7) & 15, crm = (enc >> 3) & 15;

	if (op0 == 2)
		return true;
	if (enc == SYSREG_TRFCR_EL1)
		return true;
	if (op0 == 3 && op1 == 3 && crn == 13 && crm >= 2)
		return true;
	return op0 == 3 && op1 == 0 && crn == 5 && crm >= 3 && crm <= 5;
}

static enum trap_outcome sysreg_undefined(struct vcpu *v, const struct trap_sysreg *s)
{
	uint32_t enc = s->encoding;

	if (fault_log_ok(v->vm))
		log_line("%s: vCPU %u %s system register S%u_%u_C%u_C%u_%u (pc 0x%llx): undefined", v->vm->name,
			 v->index, s->write ? "wrote" : "read", enc >> 14, (enc >> 11) & 7, (enc >> 7) & 15,
			 (enc >> 3) & 15, enc & 7, (unsigned long long)v->regs->pc);
	arch_inject_undef(v);
	return TRAP_INJECTED;
}

static enum trap_outcome sysreg_handle(struct vcpu *v, const struct trap_sysreg *s)
{
	uint32_t enc = s->encoding;
	uint64_t value = s->write ? vcpu_reg(v, s->reg) : 0;

	if (enc == SYSREG_ICC_SGI1R || enc == SYSREG_ICC_ASGI1R || enc == SYSREG_ICC_SGI0R) {
		if (!s->write) {
			arch_inject_undef(v);
			return TRAP_INJECTED;
		}
		vgic_sgi1r(v, vcpu_reg(v, s->reg));
		return TRAP_HANDLED;
	}
	switch (arch_debug_access(enc, s->write, &value)) {
	case ARCH_DEBUG_DONE:
		if (!s->write)
			vcpu_set_reg(v, s->reg, value);
		return TRAP_HANDLED;
	case ARCH_DEBUG_ABSENT: return sysreg_undefined(v, s);
	case ARCH_DEBUG_NOT_SELF_HOSTED: break;
	}
	/* No PMU is described to guests; its registers read as zero, writes are ignored. */
	if (is_pmu_reg(enc) || is_razwi_reg(enc)) {
		if (!s->write)
			vcpu_set_reg(v, s->reg, 0);
		return TRAP_HANDLED;
	}
	return sysreg_undefined(v, s);
}

static enum trap_outcome smccc_handle(struct vcpu *v, const struct trap *t)
{
	v->stats.calls++;
	if (t->imm != 0) {
		/* SMCCC uses immediate 0; other immediates are not calls we know */
		vcpu_set_reg(v, 0, (uint64_t)(int64_t)PSCI_RET_NOT_SUPPORTED);
		return TRAP_HANDLED;
	}
	switch (psci_handle(v)) {
	case PSCI_CONTINUE: return TRAP_HANDLED;
	case PSCI_VCPU_OFF: vcpu_power_off(v); return TRAP_HANDLED; /* not reached */
	case PSCI_VM_OFF: vm_stop(v->vm, VM_STOP_POWEROFF, "the guest powered off"); return TRAP_HANDLED;
	case PSCI_VM_RESET: vm_stop(v->vm, VM_STOP_RESET, "the guest asked for a reset"); return TRAP_HANDLED;
	}
	return TRAP_HANDLED;
}

enum trap_outcome trap_handle(struct vcpu *v, const struct trap *t)
{
	v->stats.traps++;
	switch (t->kind) {
	case TRAP_DATA_ABORT: return mmio_handle(v, &t->mem);
	case TRAP_INSN_ABORT:
		v->stats.aborts++;
		if (unrecoverable(v, "instruction abort"))
			return TRAP_REPLAY;
		if (fault_log_ok(v->vm))
			log_line("%s: vCPU %u instruction fetch from 0x%llx (not RAM of this VM): abort injected",
				 v->vm->name, v->index, (unsigned long long)ipa_addr(t->mem.ipa));
		arch_inject_prefetch_abort(v, t->mem.far);
		return TRAP_INJECTED;
	case TRAP_HVC:
	case TRAP_SMC: return smccc_handle(v, t);
	case TRAP_SYSREG: return sysreg_handle(v, &t->sys);
	case TRAP_WFI: return panic_check_wfi(v);
	case TRAP_OTHER: break;
	}
	if (fault_log_ok(v->vm))
		log_line("%s: vCPU %u exception class 0x%x at pc 0x%llx: undefined", v->vm->name, v->index, t->ec,
			 (unsigned long long)v->regs->pc);
	arch_inject_undef(v);
	return TRAP_INJECTED;
}
