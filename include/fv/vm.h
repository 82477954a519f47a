/* SPDX-License-Identifier: MIT */
/*
 * VMs and vCPUs, the objects (core/vm/vm.c). One vCPU per board CPU, pinned
 * for the life of the image: a vCPU's EL1 state lives in its CPU's
 * registers and is never switched, only reset. Their life cycle is in
 * fv/lifecycle.h, the per-CPU loop in fv/run.h, the CPUs in fv/pcpu.h.
 */
#ifndef FV_VM_H
#define FV_VM_H

#include <fv/device.h>
#include <fv/limits.h>
#include <fv/manifest.h>
#include <fv/pcpu.h>
#include <fv/s2.h>
#include <fv/spinlock.h>
#include <fv/vgic.h>

/* Guest general-purpose state saved on every trap (the trap frame). */
struct vcpu_regs {
	uint64_t x[31];
	uint64_t pc;     /* ELR_EL2 */
	uint64_t pstate; /* SPSR_EL2 */
	uint64_t pad;
};

enum vcpu_power {
	VCPU_OFF = 0,
	VCPU_ON_PENDING = 1, /* CPU_ON accepted, not yet running */
	VCPU_ON = 2,
};

struct vcpu_stats {
	uint64_t traps;
	uint64_t mmio;
	uint64_t calls;  /* HVC/SMC */
	uint64_t irqs;   /* physical interrupts taken while it ran */
	uint64_t aborts; /* aborts injected */
};

struct vcpu {
	struct vm *vm;
	uint32_t index;    /* within the VM */
	uint32_t pcpu;     /* board CPU running it */
	uint64_t mpidr;    /* what the guest reads from MPIDR_EL1 */
	uint32_t power;    /* enum vcpu_power, atomic */
	uint64_t on_entry; /* CPU_ON entry point and context id */
	uint64_t on_context;
	struct vcpu_regs *regs; /* the trap frame while in the hypervisor */
	struct vgic_cpu vgic;
	struct vcpu_stats stats;
};

enum vm_state {
	VM_STATE_OFF = 0, /* stopped (poweroff, policy or the console) */
	VM_STATE_BOOTING, /* images being loaded */
	VM_STATE_RUNNING,
	VM_STATE_STOPPING, /* vCPUs being parked for a stop or restart */
	VM_STATE_FAILED,   /* cannot start: a corrupt image */
};

enum vm_stop_reason {
	VM_STOP_POWEROFF,        /* guest PSCI SYSTEM_OFF */
	VM_STOP_RESET,           /* guest PSCI SYSTEM_RESET: restart */
	VM_STOP_CRASH,           /* unrecoverable guest fault: policy */
	VM_STOP_DEVICE,          /* a device asked for the crash policy (a watchdog expired) */
	VM_STOP_CONSOLE,         /* the hypervisor console: stop */
	VM_STOP_CONSOLE_RESTART, /* the hypervisor console: restart */
};

struct vm {
	uint32_t id; /* index; VMID is id + 1 */
	const char *name;
	const struct manifest_vm *cfg;
	uint32_t vcpu_count;
	struct vcpu vcpu[FV_MAX_VCPUS];
	struct s2 s2;
	struct spinlock s2_lock; /* changes to s2 while the VM runs (vdev_map); a leaf */
	struct vgic_dist vgic;
	struct vdev_table devs; /* its devices, sorted by address */
	struct spinlock lock;   /* state transitions */
	uint32_t state;         /* enum vm_state, atomic */
	bool restart_after_stop;
	bool stay_off;        /* a stop was asked for while it was starting */
	uint32_t stop_reason; /* enum vm_stop_reason of the stop under way */
	uint32_t restart_count;
	uint64_t started_at; /* counter value at last start */
	uint32_t console_port;
	uint64_t fault_log_window; /* rate limit of fault messages */
	uint32_t fault_log_count;
	uint32_t fault_log_suppressed;
};

extern struct vm vms[FV_MAX_VMS];
extern uint32_t vm_count;
extern const struct manifest *hv_manifest; /* the flash image's manifest, checked */

/* vCPU lookup by virtual MPIDR affinity; NULL if none. */
struct vcpu *vm_vcpu_by_mpidr(struct vm *vm, uint64_t mpidr);

/* A general-purpose register of the trapped vCPU (31: the zero register). */
static inline uint64_t vcpu_reg(const struct vcpu *v, unsigned int reg)
{
	return reg < 31 ? v->regs->x[reg] : 0;
}

static inline void vcpu_set_reg(struct vcpu *v, unsigned int reg, uint64_t value)
{
	if (reg < 31)
		v->regs->x[reg] = value;
}

#endif
