// SPDX-License-Identifier: MIT
/*
 * VM life cycle (include/fv/lifecycle.h): creation from the manifest, boot
 * on the VM's first CPU, vCPU power (PSCI), and stopping: every CPU of the
 * VM parks its vCPU, the last one to park finishes the stop (restart from
 * pristine images, or off). A stopping VM never waits on another VM, and no
 * CPU waits on another CPU with a lock held.
 */
#include <fv/arch/cpu.h>
#include <fv/arch/firmware.h>
#include <fv/arch/mem.h>
#include <fv/arch/vcpu.h>
#include <fv/clock.h>
#include <fv/console.h>
#include <fv/device.h>
#include <fv/lifecycle.h>
#include <fv/log.h>
#include <fv/psci.h>
#include <fv/string.h>

static struct s2_table s2_pools[FV_MAX_VMS][S2_POOL_PAGES];
static uint32_t vm_parked[FV_MAX_VMS]; /* CPUs of a stopping VM that have parked */

#define MPIDR_RES1 BIT(31)

bool vm_create(struct vm *vm, uint32_t id, const struct manifest *m, const struct manifest_vm *cfg)
{
	(void)m;
	memset(vm, 0, sizeof(*vm));
	vm->id = id;
	vm->cfg = cfg;
	vm->name = cfg->name;
	vm->vcpu_count = cfg->cpu_count;
	spin_lock_init(&vm->lock);
	spin_lock_init(&vm->s2_lock);
	s2_init(&vm->s2, s2_pools[id], (uint16_t)(id + 1));
	for (uint32_t r = 0; r < cfg->mem_count; r++) {
		const struct manifest_mem *mr = &cfg->mem[r];
		if (!s2_map(&vm->s2, ipa_init(mr->ipa), pa_init(mr->pa), mr->size, S2_NORMAL_RW)) {
			log_line("%s: cannot map memory region %u: out of stage-2 tables", vm->name, r);
			return false;
		}
	}
	arch_s2_flush_vmid(vm->s2.vmid, s2_root(&vm->s2)); /* the tables are complete: publish them */
	for (uint32_t i = 0; i < vm->vcpu_count; i++) {
		struct vcpu *v = &vm->vcpu[i];
		v->vm = vm;
		v->index = i;
		v->pcpu = cfg->cpu[i];
		v->mpidr = MPIDR_RES1 | i; /* Aff0 = vCPU index */
		v->regs = arch_cpu_frame(v->pcpu);
		pcpus[v->pcpu].vcpu = v;
	}
	spin_lock_init(&vm->vgic.lock); /* once: restarts reset the vGIC under it */
	vgic_init(vm);
	vm->console_port = console_add_port(vm->name);
	if (!vdev_create_all(vm))
		return false;
	vm->state = VM_STATE_OFF;
	return true;
}

void vm_request_boot(struct vm *vm)
{
	spin_lock(&vm->lock);
	__atomic_store_n(&vm->state, VM_STATE_BOOTING, __ATOMIC_SEQ_CST);
	vm->stay_off = false;
	spin_unlock(&vm->lock);
	pcpu_request(vm->vcpu[0].pcpu, PCPU_REQ_BOOT);
}

/*
 * A stop asked for while the VM was starting takes effect now; otherwise the
 * VM moves to `next`. State and stay_off change together under vm.lock, so
 * a stop request cannot slip between the check and the transition.
 */
static bool stopped_while_booting(struct vm *vm, enum vm_state next)
{
	spin_lock(&vm->lock);
	bool stop = vm->stay_off;
	vm->stay_off = false;
	__atomic_store_n(&vm->state, stop ? VM_STATE_OFF : next, __ATOMIC_SEQ_CST);
	spin_unlock(&vm->lock);
	if (stop)
		log_line("%s: off (stopped while starting)", vm->name);
	return stop;
}

/* Scrub the RAM, load the images, reset the vGIC and devices, make vCPU 0 ready at the kernel. */
bool vm_boot(struct vm *vm)
{
	if (stopped_while_booting(vm, VM_STATE_BOOTING))
		return false;
	uint64_t t0 = clock_now_ms();
	vm_scrub_ram(vm);
	uint64_t t1 = clock_now_ms();
	if (!vm_load_images(vm)) {
		__atomic_store_n(&vm->state, VM_STATE_FAILED, __ATOMIC_SEQ_CST);
		log_line("%s: not started", vm->name);
		vm_check_board_off();
		return false;
	}
	vgic_init(vm);
	for (uint32_t i = 0; i < vm->vcpu_count; i++)
		vm->vcpu[i].power = VCPU_OFF;
	vdev_reset_all(vm);
	console_end_line(vm->console_port); /* and a fresh panic watch */
	struct vcpu *boot = &vm->vcpu[0];
	boot->on_entry = vm->cfg->entry;
	boot->on_context = vm->cfg->dtb.ipa; /* x0 = the device tree */
	vm->started_at = arch_counter();
	if (stopped_while_booting(vm, VM_STATE_RUNNING))
		return false;
	boot->power = VCPU_ON_PENDING; /* nothing else runs in the VM yet */
	log_line("%s: images loaded and verified in %llu ms (RAM scrubbed in %llu ms before); starting", vm->name,
		 (unsigned long long)(clock_now_ms() - t1), (unsigned long long)(t1 - t0));
	return true;
}

int vcpu_power_on(struct vcpu *v, uint64_t entry, uint64_t context)
{
	int ret = PSCI_RET_SUCCESS;

	spin_lock(&v->vm->lock);
	if (v->vm->state != VM_STATE_RUNNING) {
		ret = PSCI_RET_DENIED;
	} else if (v->power == VCPU_ON) {
		ret = PSCI_RET_ALREADY_ON;
	} else if (v->power == VCPU_ON_PENDING) {
		ret = PSCI_RET_ON_PENDING;
	} else {
		v->on_entry = entry;
		v->on_context = context;
		__atomic_store_n(&v->power, VCPU_ON_PENDING, __ATOMIC_SEQ_CST);
	}
	spin_unlock(&v->vm->lock);
	if (ret == PSCI_RET_SUCCESS)
		pcpu_request(v->pcpu, PCPU_REQ_START);
	return ret;
}

/* This CPU's vCPU stops running (CPU_OFF, or its VM stops). */
void vcpu_release(struct vcpu *v)
{
	vgic_vcpu_release(v);
	arch_vtimer_mask();
	__atomic_store_n(&v->power, VCPU_OFF, __ATOMIC_SEQ_CST);
}

void vm_check_board_off(void)
{
	for (uint32_t i = 0; i < vm_count; i++) {
		uint32_t s = __atomic_load_n(&vms[i].state, __ATOMIC_SEQ_CST);
		if (s != VM_STATE_OFF && s != VM_STATE_FAILED)
			return;
	}
	log_line("every VM is off: powering the board off");
	arch_board_off();
}

/* The last CPU of a stopping VM to park finishes the stop. */
static void vm_stopped(struct vm *vm)
{
	vdev_stop_all(vm); /* nothing may act on its RAM once it is scrubbed or reloaded */
	console_end_line(vm->console_port);
	spin_lock(&vm->lock);
	bool restart = vm->restart_after_stop && !vm->stay_off;
	vm->stay_off = false;
	if (restart)
		vm->restart_count++;
	__atomic_store_n(&vm->state, restart ? VM_STATE_BOOTING : VM_STATE_OFF, __ATOMIC_SEQ_CST);
	spin_unlock(&vm->lock);
	if (restart) {
		log_line("%s: restarting (restart %u)", vm->name, vm->restart_count);
		pcpu_request(vm->vcpu[0].pcpu, PCPU_REQ_BOOT);
		return;
	}
	struct vcpu_stats t = { 0 };
	for (uint32_t i = 0; i < vm->vcpu_count; i++) {
		t.traps += vm->vcpu[i].stats.traps;
		t.mmio += vm->vcpu[i].stats.mmio;
		t.calls += vm->vcpu[i].stats.calls;
		t.irqs += vm->vcpu[i].stats.irqs;
	}
	log_line("%s: off (%llu traps: %llu MMIO, %llu calls; %llu interrupts)", vm->name, (unsigned long long)t.traps,
		 (unsigned long long)t.mmio, (unsigned long long)t.calls, (unsigned long long)t.irqs);
	/* A guest powering itself off may power the board off; a VM stopped by
	 * policy or from the console leaves the board up for the user. */
	if (vm->stop_reason == VM_STOP_POWEROFF)
		vm_check_board_off();
}

void vm_park(struct vcpu *v)
{
	if (v->power != VCPU_OFF)
		vcpu_release(v);
	struct vm *vm = v->vm;
	if (__atomic_add_fetch(&vm_parked[vm->id], 1, __ATOMIC_SEQ_CST) == vm->vcpu_count)
		vm_stopped(vm);
}

/* RUNNING -> STOPPING; called with vm.lock held. False if not running. */
static bool begin_stop(struct vm *vm, enum vm_stop_reason reason)
{
	if (vm->state != VM_STATE_RUNNING)
		return false; /* already stopping, off or failed */
	__atomic_store_n(&vm->state, VM_STATE_STOPPING, __ATOMIC_SEQ_CST);
	vm->stop_reason = reason;
	vm->restart_after_stop = reason == VM_STOP_RESET || reason == VM_STOP_CONSOLE_RESTART ||
				 ((reason == VM_STOP_CRASH || reason == VM_STOP_DEVICE) &&
				  vm->cfg->on_crash == VM_ON_CRASH_RESTART);
	__atomic_store_n(&vm_parked[vm->id], 0, __ATOMIC_SEQ_CST);
	return true;
}

/* Tell the VM's CPUs to park (after begin_stop, without the lock). */
static void park_all(struct vm *vm, enum vm_stop_reason reason, const char *why)
{
	log_line("%s: %s", vm->name, why);
	if ((reason == VM_STOP_CRASH || reason == VM_STOP_DEVICE) && vm->cfg->on_crash == VM_ON_CRASH_HALT_BOARD) {
		log_line("%s: its policy is halt-board: powering the board off", vm->name);
		arch_board_off();
	}
	for (uint32_t i = 0; i < vm->vcpu_count; i++)
		pcpu_request(vm->vcpu[i].pcpu, PCPU_REQ_PARK);
}

void vm_stop(struct vm *vm, enum vm_stop_reason reason, const char *why)
{
	spin_lock(&vm->lock);
	bool stopping = begin_stop(vm, reason);
	spin_unlock(&vm->lock);
	if (stopping)
		park_all(vm, reason, why);
}

void vm_request_stop(struct vm *vm, enum vm_stop_reason reason, const char *why)
{
	spin_lock(&vm->lock);
	uint32_t state = vm->state;
	bool starting = state == VM_STATE_BOOTING || state == VM_STATE_STOPPING;
	if (starting)
		vm->stay_off = true; /* starting or restarting: off once that step is done */
	bool stopping = !starting && begin_stop(vm, reason);
	spin_unlock(&vm->lock);
	if (starting)
		log_line("%s: %s; it stops as soon as it can", vm->name, why);
	else if (stopping)
		park_all(vm, reason, why);
}

void vm_crashed(struct vm *vm, enum vm_stop_reason reason, const char *why)
{
	vm_stop(vm, reason, why);
}
