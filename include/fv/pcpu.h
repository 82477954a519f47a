/* SPDX-License-Identifier: MIT */
/*
 * The board CPUs and the requests between them (core/cpu/pcpu.c). A CPU sets
 * a bit in another CPU's `requests` and kicks it (an SGI); the target handles
 * its requests on its way back into the guest or in its idle loop (run.h).
 * Nothing here calls up into the VM life cycle: this is the bottom of core/.
 */
#ifndef FV_PCPU_H
#define FV_PCPU_H

#include <fv/limits.h>
#include <fv/types.h>

struct vcpu;

struct pcpu {
	uint32_t index;
	uint64_t mpidr;
	bool online;
	struct vcpu *vcpu; /* pinned vCPU, or NULL */
	uint32_t requests; /* PCPU_REQ_*, atomic */
	uint64_t timer_deadline;
};

#define PCPU_REQ_FLUSH BIT(0) /* virtual interrupt state changed */
#define PCPU_REQ_PARK BIT(1)  /* the VM is stopping: leave the guest */
#define PCPU_REQ_START BIT(2) /* the vCPU was switched on (PSCI CPU_ON) */
#define PCPU_REQ_BOOT BIT(3)  /* load the VM's images and boot it */
#define PCPU_REQ_TIMER BIT(4) /* re-evaluate the hypervisor timer */
#define PCPU_REQ_PANIC BIT(5) /* its vCPU just ended a panic report on its console */
#define PCPU_REQ_WATCH BIT(6) /* watch its vCPU: was that panic real? (fv/panic_check.h) */

extern struct pcpu pcpus[FV_MAX_CPUS];
extern uint32_t pcpu_count;

struct pcpu *pcpu_this(void);
void pcpu_request(uint32_t pcpu, uint32_t req);
/* The two halves of a request: post the bits now, kick the CPUs later
 * (a kick may be slow; it is never sent with a lock held). */
void pcpu_post(uint32_t pcpu, uint32_t req);
void pcpu_kick_mask(uint32_t mask);
/* Make this CPU's hypervisor timer fire no later than counter time `at` (0: no-op). */
void pcpu_timer_at(uint64_t at);

#endif
