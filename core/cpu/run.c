// SPDX-License-Identifier: MIT
/*
 * The per-CPU loop (include/fv/run.h): requests from other CPUs, the checks
 * on every way back into the guest, vCPU start, and the idle loop of a CPU
 * whose vCPU is off.
 */
#include <fv/arch/cpu.h>
#include <fv/arch/vcpu.h>
#include <fv/console.h>
#include <fv/irq.h>
#include <fv/lifecycle.h>
#include <fv/panic_check.h>
#include <fv/run.h>
#include <fv/string.h>

/* Start vCPU v on this CPU at its pending entry point; never returns. */
static __attribute__((noreturn)) void vcpu_start(struct vcpu *v)
{
	struct vcpu_regs *r = v->regs;

	memset(r, 0, sizeof(*r));
	arch_vcpu_reset(v); /* EL1 state, and PSTATE: EL1h, interrupts masked */
	r->x[0] = v->on_context;
	r->pc = v->on_entry;
	__atomic_store_n(&v->power, VCPU_ON, __ATOMIC_SEQ_CST);
	vgic_sync_flush(v);
	arch_vcpu_run(v);
}

void run_requests(struct pcpu *p)
{
	uint32_t req = __atomic_exchange_n(&p->requests, 0, __ATOMIC_SEQ_CST);
	struct vcpu *v = p->vcpu;

	if ((req & PCPU_REQ_PARK) && v)
		vm_park(v);
	if (req & PCPU_REQ_TIMER)
		console_poll();
	if (!v)
		return;
	if ((req & PCPU_REQ_PANIC) && console_take_panic(v->vm->console_port))
		panic_check_start(v->vm); /* text alone proves nothing: confirm it from the guest's state */
	if (req & PCPU_REQ_WATCH)
		panic_check_open(v);
	if ((req & PCPU_REQ_BOOT) && vm_boot(v->vm))
		vcpu_start(v); /* vCPU 0, at the kernel */
	if ((req & PCPU_REQ_START) && v->power == VCPU_ON_PENDING && v->vm->state == VM_STATE_RUNNING)
		vcpu_start(v);
}

void run_before_entry(struct vcpu *v)
{
	struct pcpu *p = &pcpus[v->pcpu];

	while (__atomic_load_n(&p->requests, __ATOMIC_SEQ_CST))
		run_requests(p); /* one may post another to this CPU (a panic: park) */
	if (v->power != VCPU_ON)
		run_idle();
	vgic_sync_flush(v);
}

void vcpu_power_off(struct vcpu *v)
{
	vcpu_release(v);
	run_idle();
}

void run_idle(void)
{
	struct pcpu *p = pcpu_this();

	for (;;) {
		run_requests(p);
		arch_wait_irq();
		irq_handle();
	}
}
