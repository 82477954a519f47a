// SPDX-License-Identifier: MIT
/* The board CPUs, their requests and their hypervisor timers (include/fv/pcpu.h). */
#include <fv/arch/cpu.h>
#include <fv/pcpu.h>

struct pcpu pcpus[FV_MAX_CPUS];
uint32_t pcpu_count;

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

void pcpu_timer_at(uint64_t at)
{
	struct pcpu *p = pcpu_this();

	if (!at)
		return;
	if (p->timer_deadline && p->timer_deadline <= at)
		return;
	p->timer_deadline = at;
	arch_hyp_timer_arm(at);
}
