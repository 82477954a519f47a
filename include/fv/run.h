/* SPDX-License-Identifier: MIT */
/*
 * The per-CPU loop (core/cpu/run.c): what a board CPU does between guest
 * exits and while its vCPU is off. Requests from other CPUs (fv/pcpu.h) are
 * handled here, on the way back into the guest or in the idle loop.
 */
#ifndef FV_RUN_H
#define FV_RUN_H

#include <fv/vm.h>

/* Handle a CPU's requests; with the CPU's vCPU trap frame or from idle. */
void run_requests(struct pcpu *p);
/* Called on every return to the guest. */
void run_before_entry(struct vcpu *v);
/* The board CPU's idle loop, when its vCPU is off; never returns. */
__attribute__((noreturn)) void run_idle(void);
/* The calling vCPU switches itself off (PSCI CPU_OFF); never returns. */
__attribute__((noreturn)) void vcpu_power_off(struct vcpu *v);

#endif
