// SPDX-License-Identifier: MIT
/* Physical interrupts taken at EL2 (include/fv/irq.h). */
#include <fv/arch/cpu.h>
#include <fv/arch/irq.h>
#include <fv/arch/vcpu.h>
#include <fv/arch/vcpuif.h>
#include <fv/console.h>
#include <fv/irq.h>
#include <fv/lifecycle.h>
#include <fv/log.h>
#include <fv/panic_check.h>
#include <fv/plat.h>

#define HV_SGI_KICK 0U /* also in arch/aarch64/gic.c */

/*
 * The timed devices (a watchdog) of this CPU's VM: their next look, or the
 * crash policy. A device arms the timer of the CPU its guest programmed it
 * from, one of the VM's own, and only those CPUs look at it: a VM's timed
 * devices cost no other VM's CPUs anything.
 */
static void devices_poll(void)
{
	struct vcpu *v = pcpu_this()->vcpu;

	if (!v || __atomic_load_n(&v->vm->state, __ATOMIC_ACQUIRE) != VM_STATE_RUNNING)
		return;
	const char *crash;
	uint64_t next = vdev_poll_all(v->vm, arch_counter(), &crash);
	if (crash)
		vm_crashed(v->vm, VM_STOP_DEVICE, crash);
	else
		pcpu_timer_at(next);
}

static void hyp_timer_fired(void)
{
	struct pcpu *p = pcpu_this();

	p->timer_deadline = 0;
	arch_hyp_timer_arm(0);
	console_poll();
	devices_poll();
	panic_check_poll();
}

static void vtimer_fired(void)
{
	struct vcpu *v = pcpu_this()->vcpu;

	if (v && __atomic_load_n(&v->power, __ATOMIC_ACQUIRE) == VCPU_ON) {
		vgic_inject_hw(v, PLAT_TIMER_VIRT_INTID); /* the guest deactivates it */
		return;
	}
	arch_vtimer_mask();
	arch_irq_deactivate(PLAT_TIMER_VIRT_INTID);
}

/*
 * The GIC maintenance interrupt is level-sensitive: it stays asserted until
 * the list registers are brought up to date, so do that now rather than on
 * the way back into the guest.
 */
static void maintenance(void)
{
	struct vcpu *v = pcpu_this()->vcpu;

	if (v && __atomic_load_n(&v->power, __ATOMIC_ACQUIRE) == VCPU_ON)
		vgic_maintenance(v);
	else
		arch_vgic_underflow_irq(false);
}

void irq_handle(void)
{
	for (;;) {
		if (log_panicked())
			arch_cpu_halt(); /* another CPU panicked and kicked this one */
		uint32_t intid = arch_irq_ack();
		if (intid >= IRQ_SPURIOUS)
			return;
		arch_irq_priority_drop(intid);
		struct vcpu *v = pcpu_this()->vcpu;
		if (v)
			v->stats.irqs++;
		if (intid == PLAT_TIMER_VIRT_INTID) {
			vtimer_fired();
			continue;
		}
		if (vgic_board_irq(intid))
			continue;
		if (intid == HV_SGI_KICK) {
			/* requests are handled on the way back in */
		} else if (intid == PLAT_GIC_MAINT_INTID) {
			maintenance();
		} else if (intid == PLAT_TIMER_HYP_INTID) {
			hyp_timer_fired();
		} else if (intid == PLAT_UART_INTID) {
			uint8_t buf[32];
			uint32_t n;
			while ((n = plat_uart_read(buf, sizeof(buf))) > 0)
				console_rx(buf, n);
		} else {
			log_line("unexpected interrupt %u on CPU %u", intid, arch_cpu_index());
		}
		arch_irq_deactivate(intid);
	}
}
