/* SPDX-License-Identifier: MIT */
/* Time for the whole hypervisor: the system counter, in milliseconds. */
#ifndef FV_CLOCK_H
#define FV_CLOCK_H

#include <fv/arch/cpu.h>

static inline uint64_t clock_now_ms(void)
{
	return arch_counter() / (arch_counter_freq() / 1000);
}

#endif
