/* SPDX-License-Identifier: MIT */
/* Boot (core/boot/hv.c): the entry points the arch layer calls after its own set-up. */
#ifndef FV_HV_H
#define FV_HV_H

#include <fv/types.h>

__attribute__((noreturn)) void hv_main(void);
__attribute__((noreturn)) void hv_secondary_main(uint32_t cpu);

/* The hypervisor's build identity. */
extern const char hv_version[];

#endif
