/* SPDX-License-Identifier: MIT */
/*
 * VMs, vCPUs and the board CPUs that run them. One vCPU per board CPU,
 * pinned for the life of the image: a vCPU's EL1 state lives in its CPU's
 * registers and is never switched, only reset.
 *
 * Cross-CPU work goes through requests: a CPU sets a bit in another CPU's
 * `requests` and kicks it (an SGI); the target handles its requests on its
 * way back into the guest (vm_before_entry) or in its idle loop.
 */
#ifndef FV_VM_H
#define FV_VM_H

#include <fv/limits.h>
#include <fv/manifest.h>
#include <fv/s2.h>
#include <fv/spinlock.h>
#include <fv/vgic.h>
#include <fv/vpl011.h>
#include <fv/vwdt.h>

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
	uint64_t calls; /* HVC/SMC */
	uint64_t irqs;  /* physical interrupts taken while it ran */
	uint64_t aborts; /* aborts injected */
};

struct vcpu {
	struct vm *vm;
	uint32_t index;   /* within the VM */
	uint32_t pcpu;    /* board CPU running it */
	uint64_t mpidr;   /* what the guest reads from MPIDR_EL1 */
	uint32_t power;   /* enum vcpu_power, atomic */
	uint64_t on_entry;   /* CPU_ON entry point and context id */
	uint64_t on_context;
	struct vcpu_regs *regs; /* the trap frame while in the hypervisor */
	struct vgic_cpu vgic;
	struct vcpu_stats stats;
};

enum vm_state {
	VM_STATE_OFF = 0,    /* stopped (poweroff, policy or the console) */
	VM_STATE_BOOTING,    /* images being loaded */
	VM_STATE_RUNNING,
	VM_STATE_STOPPING,   /* vCPUs being parked for a stop or restart */
	VM_STATE_FAILED,     /* cannot start: a corrupt image */
};

enum vm_stop_reason {
	VM_STOP_POWEROFF,  /* guest PSCI SYSTEM_OFF */
	VM_STOP_RESET,     /* guest PSCI SYSTEM_RESET: restart */
	VM_STOP_CRASH,     /* unrecoverable guest fault: policy */
	VM_STOP_WATCHDOG,  /* the virtual watchdog fired: policy */
	VM_STOP_CONSOLE,   /* the hypervisor console: stop */
	VM_STOP_CONSOLE_RESTART, /* the hypervisor console: restart */
};

struct vm {
	uint32_t id;      /* index; VMID is id + 1 */
	const char *name;
	const struct manifest_vm *cfg;
	uint32_t vcpu_count;
	struct vcpu vcpu[FV_MAX_VCPUS];
	struct s2 s2;
	struct vgic_dist vgic;
	struct vpl011 uart;
	struct vwdt wdt;
	struct spinlock lock; /* state transitions */
	uint32_t state;       /* enum vm_state, atomic */
	bool restart_after_stop;
	bool stay_off;        /* a stop was asked for while it was starting */
	uint32_t stop_reason; /* enum vm_stop_reason of the stop under way */
	uint32_t restart_count;
	bool ram_used;        /* its RAM holds a previous run's data: scrub before the next */
	uint64_t started_at;  /* counter value at last start */
	uint32_t console_port;
	uint32_t panic_match;   /* bytes of the panic marker seen on its console */
	bool panic_line;        /* ... all of it: act at the end of the line */
	bool panicked;          /* the guest printed the end of a kernel panic */
	uint64_t fault_log_window; /* rate limit of fault messages */
	uint32_t fault_log_count;
	uint32_t fault_log_suppressed;
};

struct pcpu {
	uint32_t index;
	uint64_t mpidr;
	bool online;
	struct vcpu *vcpu; /* pinned vCPU, or NULL */
	uint32_t requests; /* PCPU_REQ_*, atomic */
	uint64_t timer_deadline;
};

#define PCPU_REQ_FLUSH BIT(0)   /* virtual interrupt state changed */
#define PCPU_REQ_PARK BIT(1)    /* the VM is stopping: leave the guest */
#define PCPU_REQ_START BIT(2)   /* the vCPU was switched on (PSCI CPU_ON) */
#define PCPU_REQ_BOOT BIT(3)    /* load the VM's images and boot it */
#define PCPU_REQ_TIMER BIT(4)   /* re-evaluate the hypervisor timer */

extern struct vm vms[FV_MAX_VMS];
extern uint32_t vm_count;
extern struct pcpu pcpus[FV_MAX_CPUS];
extern uint32_t pcpu_count;

/* Create VM `id` from its manifest entry (stage 2, vGIC, devices). */
bool vm_create(struct vm *vm, uint32_t id, const struct manifest *m, const struct manifest_vm *cfg);
/* Request a (re)boot of a VM on its first CPU. */
void vm_request_boot(struct vm *vm);
/* Stop a VM: park its vCPUs; then restart it, or leave it off, per `reason`. */
void vm_stop(struct vm *vm, enum vm_stop_reason reason, const char *why);
/* Stop a VM whatever it is doing; one starting or restarting stops once it can. */
void vm_request_stop(struct vm *vm, enum vm_stop_reason reason, const char *why);
/* A VM crashed (unrecoverable fault, watchdog): apply its policy. */
void vm_crashed(struct vm *vm, enum vm_stop_reason reason, const char *why);
/* Handle a CPU's requests; called with the CPU's vCPU trap frame or from idle. */
void pcpu_handle_requests(struct pcpu *p);
void pcpu_request(uint32_t pcpu, uint32_t req);
/* The two halves of a request: post the bits now, kick the CPUs later
 * (a kick may be slow; it is never sent with a lock held). */
void pcpu_post(uint32_t pcpu, uint32_t req);
void pcpu_kick_mask(uint32_t mask);
struct pcpu *pcpu_this(void);
/* Called on every return to the guest. */
void vm_before_entry(struct vcpu *v);
/* The board CPU's idle loop, when its vCPU is off; never returns. */
__attribute__((noreturn)) void pcpu_idle(void);
/* vCPU lookup by virtual MPIDR affinity; NULL if none. */
struct vcpu *vm_vcpu_by_mpidr(struct vm *vm, uint64_t mpidr);
/* Switch a vCPU on (PSCI CPU_ON): a PSCI return code. */
int vcpu_power_on(struct vcpu *v, uint64_t entry, uint64_t context);
/* The calling vCPU switches itself off (PSCI CPU_OFF); never returns. */
__attribute__((noreturn)) void vcpu_power_off(struct vcpu *v);

/* A byte the VM wrote to its console (watched for a kernel panic). */
void vm_console_output(struct vm *vm, uint8_t c);

/* Power the board off if no VM is running or starting. */
void vm_check_board_off(void);

/* Load and verify a VM's images into its RAM (loader.c). */
bool vm_load_images(struct vm *vm);

#endif
