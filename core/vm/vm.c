// SPDX-License-Identifier: MIT
/*
 * VM life cycle: creation from the manifest, boot on the VM's first CPU,
 * vCPU power (PSCI), and stopping: every CPU of the VM parks its vCPU, the
 * last one to park finishes the stop (restart from pristine images, or off).
 * A stopping VM never waits on another VM, and no CPU waits on another CPU
 * with a lock held.
 */
#include <fv/arch/cpu.h>
#include <fv/arch/firmware.h>
#include <fv/arch/mem.h>
#include <fv/arch/vcpu.h>
#include <fv/hv.h>
#include <fv/log.h>
#include <fv/psci.h>
#include <fv/string.h>
#include <fv/trap.h>
#include <fv/vm.h>

struct vm vms[FV_MAX_VMS];
uint32_t vm_count;
struct pcpu pcpus[FV_MAX_CPUS];
uint32_t pcpu_count;

static struct s2_table s2_pools[FV_MAX_VMS][S2_POOL_PAGES];
static uint32_t vm_parked[FV_MAX_VMS]; /* CPUs of a stopping VM that have parked */

#define MPIDR_RES1 BIT(31)

struct pcpu *pcpu_this(void)
{
	return &pcpus[arch_cpu_index()];
}

void pcpu_post(uint32_t cpu, uint32_t req)
{
	if (cpu < FV_MAX_CPUS)
		__atomic_fetch_or(&pcpus[cpu].requests, req, __ATOMIC_SEQ_CST);
}

void pcpu_kick_mask(uint32_t mask)
{
	uint32_t self = arch_cpu_index();

	for (uint32_t cpu = 0; cpu < FV_MAX_CPUS; cpu++)
		if ((mask & (1U << cpu)) && cpu != self)
			arch_kick_cpu(cpu);
}

void pcpu_request(uint32_t cpu, uint32_t req)
{
	if (cpu >= FV_MAX_CPUS)
		return;
	pcpu_post(cpu, req);
	pcpu_kick_mask(1U << cpu);
}

struct vcpu *vm_vcpu_by_mpidr(struct vm *vm, uint64_t mpidr)
{
	for (uint32_t i = 0; i < vm->vcpu_count; i++)
		if ((vm->vcpu[i].mpidr & ~MPIDR_RES1) == mpidr)
			return &vm->vcpu[i];
	return NULL;
}

bool vm_create(struct vm *vm, uint32_t id, const struct manifest *m, const struct manifest_vm *cfg)
{
	(void)m;
	memset(vm, 0, sizeof(*vm));
	vm->id = id;
	vm->cfg = cfg;
	vm->name = cfg->name;
	vm->vcpu_count = cfg->cpu_count;
	spin_lock_init(&vm->lock);
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
	vgic_spi_declare(vm, VBOARD_UART_INTID, false, false);
	if (cfg->flags & VM_FLAG_WATCHDOG)
		vgic_spi_declare(vm, VBOARD_WDT_INTID, false, false);
	for (uint32_t d = 0; d < cfg->device_count; d++)
		vgic_spi_declare(vm, cfg->device[d].intid, true, true);
	vm->console_port = conmux_add_port(&hv_conmux, vm->name, true);
	vpl011_init(&vm->uart, vm, vm->console_port);
	vwdt_init(&vm->wdt, vm);
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

/* Reset the VM's devices and start vCPU 0 at the kernel; on vCPU 0's CPU. */
static void vm_boot(struct vm *vm)
{
	uint64_t t0 = hv_now_ms();

	if (stopped_while_booting(vm, VM_STATE_BOOTING))
		return;
	if (!vm_load_images(vm)) {
		__atomic_store_n(&vm->state, VM_STATE_FAILED, __ATOMIC_SEQ_CST);
		log_line("%s: not started", vm->name);
		vm_check_board_off();
		return;
	}
	vgic_init(vm);
	for (uint32_t i = 0; i < vm->vcpu_count; i++)
		vm->vcpu[i].power = VCPU_OFF;
	vpl011_reset(&vm->uart);
	vwdt_reset(&vm->wdt);
	vm->panic_match = 0;
	vm->panic_line = false;
	vm->panicked = false;
	struct vcpu *boot = &vm->vcpu[0];
	boot->on_entry = vm->cfg->entry;
	boot->on_context = vm->cfg->dtb.ipa; /* x0 = the device tree */
	vm->started_at = arch_counter();
	if (stopped_while_booting(vm, VM_STATE_RUNNING))
		return;
	boot->power = VCPU_ON_PENDING; /* nothing else runs in the VM yet */
	log_line("%s: images loaded and verified in %llu ms; starting", vm->name,
		 (unsigned long long)(hv_now_ms() - t0));
	vcpu_start(boot);
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
static void vcpu_release(struct vcpu *v)
{
	vgic_vcpu_release(v);
	arch_vtimer_mask();
	__atomic_store_n(&v->power, VCPU_OFF, __ATOMIC_SEQ_CST);
}

void vcpu_power_off(struct vcpu *v)
{
	vcpu_release(v);
	pcpu_idle();
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

/* virtio-mmio's Status register, legacy and 1.x alike: writing 0 resets the device (virtio 1.1 §4.2.2). */
#define VIRTIO_MMIO_STATUS 0x070U

/*
 * A VM's devices stop with it. A virtio device left running keeps queues
 * that point into RAM about to be scrubbed and reloaded, and could write
 * into the next run's images (no SMMU stops it); its reset stops it, and
 * the next run's driver starts it from scratch. Only the VM's own windows.
 */
static void devices_reset(struct vm *vm)
{
	for (uint32_t i = 0; i < vm->cfg->device_count; i++) {
		const struct manifest_device *d = &vm->cfg->device[i];
		if (d->kind == DEVICE_VIRTIO_MMIO)
			arch_mmio_write(pa_init(d->pa + VIRTIO_MMIO_STATUS), 4, 0);
	}
}

/* The last CPU of a stopping VM to park finishes the stop. */
static void vm_stopped(struct vm *vm)
{
	devices_reset(vm);
	conmux_end_line(&hv_conmux, vm->console_port); /* its last words stay on a line of their own */
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
	log_line("%s: off (%llu traps: %llu MMIO, %llu calls; %llu interrupts)", vm->name,
		 (unsigned long long)t.traps, (unsigned long long)t.mmio, (unsigned long long)t.calls,
		 (unsigned long long)t.irqs);
	/* A guest powering itself off may power the board off; a VM stopped by
	 * policy or from the console leaves the board up for the user. */
	if (vm->stop_reason == VM_STOP_POWEROFF)
		vm_check_board_off();
}

static void park(struct pcpu *p)
{
	struct vcpu *v = p->vcpu;

	if (!v)
		return;
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
				 ((reason == VM_STOP_CRASH || reason == VM_STOP_WATCHDOG) &&
				  vm->cfg->on_crash == VM_ON_CRASH_RESTART);
	__atomic_store_n(&vm_parked[vm->id], 0, __ATOMIC_SEQ_CST);
	return true;
}

/* Tell the VM's CPUs to park (after begin_stop, without the lock). */
static void park_all(struct vm *vm, enum vm_stop_reason reason, const char *why)
{
	log_line("%s: %s", vm->name, why);
	if ((reason == VM_STOP_CRASH || reason == VM_STOP_WATCHDOG) &&
	    vm->cfg->on_crash == VM_ON_CRASH_HALT_BOARD) {
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

void pcpu_handle_requests(struct pcpu *p)
{
	uint32_t req = __atomic_exchange_n(&p->requests, 0, __ATOMIC_SEQ_CST);
	struct vcpu *v = p->vcpu;

	if (req & PCPU_REQ_PARK)
		park(p);
	if (req & PCPU_REQ_TIMER)
		hv_console_poll();
	if (!v)
		return;
	if (req & PCPU_REQ_BOOT)
		vm_boot(v->vm); /* returns only if the VM cannot start */
	if ((req & PCPU_REQ_START) && v->power == VCPU_ON_PENDING && v->vm->state == VM_STATE_RUNNING)
		vcpu_start(v);
}

/*
 * Linux ends every panic report with this line, after the stack dump, just
 * before it stops for good (kernel/panic.c). Seeing it, the hypervisor
 * applies the VM's crash policy; a panic that never gets this far is caught
 * by the watchdog.
 */
static const char panic_marker[] = "---[ end Kernel panic - not syncing";

/*
 * After a mismatch: the longest start of the marker that the text seen (the
 * marker's first `match` bytes, then c) still ends with. The marker overlaps
 * itself ("----[" ends with "---[", "panic --" with "--"), so a mismatch
 * need not mean starting over from nothing or from one dash.
 */
static uint32_t panic_fallback(uint32_t match, uint8_t c)
{
	for (uint32_t k = match; k > 0; k--)
		if ((uint8_t)panic_marker[k - 1] == c &&
		    memcmp(panic_marker, panic_marker + match - (k - 1), k - 1) == 0)
			return k;
	return 0;
}

void vm_console_output(struct vm *vm, uint8_t c)
{
	if (c == (uint8_t)panic_marker[vm->panic_match])
		vm->panic_match++;
	else
		vm->panic_match = panic_fallback(vm->panic_match, c);
	if (vm->panic_match == sizeof(panic_marker) - 1) {
		vm->panic_match = 0;
		vm->panic_line = true; /* act at the end of this line */
	}
	if (vm->panic_line && c == '\n') {
		vm->panic_line = false;
		vm->panicked = true; /* acted on outside the UART's lock */
	}
}

void vm_before_entry(struct vcpu *v)
{
	struct pcpu *p = &pcpus[v->pcpu];

	if (v->vm->panicked) {
		v->vm->panicked = false;
		vm_crashed(v->vm, VM_STOP_CRASH, "the guest kernel panicked");
	}
	if (__atomic_load_n(&p->requests, __ATOMIC_SEQ_CST))
		pcpu_handle_requests(p);
	if (v->power != VCPU_ON)
		pcpu_idle();
	vgic_sync_flush(v);
}

void pcpu_idle(void)
{
	struct pcpu *p = pcpu_this();

	for (;;) {
		pcpu_handle_requests(p);
		arch_wait_irq();
		irq_handle();
	}
}
