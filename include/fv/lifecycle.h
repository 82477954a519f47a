/* SPDX-License-Identifier: MIT */
/*
 * VM life cycle (core/vm/lifecycle.c): creation from the manifest, boot on
 * the VM's first CPU, vCPU power (PSCI), and stopping: every CPU of the VM
 * parks its vCPU, the last one to park finishes the stop (restart from
 * pristine images, or off). The per-CPU loop (fv/run.h) calls in here; this
 * never calls the loop.
 */
#ifndef FV_LIFECYCLE_H
#define FV_LIFECYCLE_H

#include <fv/vm.h>

/* Create VM `id` from its manifest entry (stage 2, vGIC, devices, console port). */
bool vm_create(struct vm *vm, uint32_t id, const struct manifest *m, const struct manifest_vm *cfg);
/* Request a (re)boot of a VM on its first CPU. */
void vm_request_boot(struct vm *vm);
/* Load and reset the VM for a start, on vCPU 0's CPU: true if vCPU 0 is to start now. */
bool vm_boot(struct vm *vm);
/* Stop a VM: park its vCPUs; then restart it, or leave it off, per `reason`. */
void vm_stop(struct vm *vm, enum vm_stop_reason reason, const char *why);
/* Stop a VM whatever it is doing; one starting or restarting stops once it can. */
void vm_request_stop(struct vm *vm, enum vm_stop_reason reason, const char *why);
/* A VM crashed (unrecoverable fault, watchdog, panic): apply its policy. */
void vm_crashed(struct vm *vm, enum vm_stop_reason reason, const char *why);
/* This CPU's vCPU leaves its stopping VM (PCPU_REQ_PARK). */
void vm_park(struct vcpu *v);
/* Switch a vCPU on (PSCI CPU_ON): a PSCI return code. */
int vcpu_power_on(struct vcpu *v, uint64_t entry, uint64_t context);
/* This CPU's vCPU stops running (CPU_OFF, or its VM stops). */
void vcpu_release(struct vcpu *v);
/* Power the board off if no VM is running or starting. */
void vm_check_board_off(void);

/* Zero a VM's RAM, every byte, before each start (core/boot/loader.c). */
void vm_scrub_ram(struct vm *vm);
/* Load and verify a VM's images into its (scrubbed) RAM (core/boot/loader.c). */
bool vm_load_images(struct vm *vm);

#endif
