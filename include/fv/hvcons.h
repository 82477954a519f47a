/* SPDX-License-Identifier: MIT */
/* The hypervisor's own console commands (core/console/hvcons.c). */
#ifndef FV_HVCONS_H
#define FV_HVCONS_H

#include <stdint.h>

/* A byte typed while the hypervisor console has input focus. */
void hvcons_input(uint8_t c);
/* Print the prompt (focus just arrived). */
void hvcons_prompt(void);
/* Serve the hypervisor's console port. */
void hvcons_attach(void);

#endif
