/* SPDX-License-Identifier: MIT */
/*
 * What a board provides to the hypervisor (docs/porting.md): its memory map
 * and interrupt numbers (plat/<board>/include/plat/layout.h, shared with the
 * image tool) and its console UART (plat/<board>/, its .c files). Board-specific code
 * stays behind this header.
 */
#ifndef FV_PLAT_H
#define FV_PLAT_H

#include <fv/types.h>
#include <plat/layout.h>

/* The board UART: early output, and input drained from its interrupt. */
void plat_uart_init(void);
void plat_uart_write(const char *s, size_t n);
/* Drain received bytes; returns how many were stored. */
uint32_t plat_uart_read(uint8_t *buf, uint32_t max);

#endif
