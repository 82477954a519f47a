/* SPDX-License-Identifier: MIT */
/*
 * The hypervisor's global services: the console (one multiplexer over the
 * board UART), time, and the boot entry points called by the arch layer.
 */
#ifndef FV_HV_H
#define FV_HV_H

#include <fv/conmux.h>
#include <fv/manifest.h>
#include <fv/types.h>

#define HV_CONSOLE_PORT 0U

extern struct conmux hv_conmux;
extern const struct manifest *hv_manifest;

/* Console output of a VM's UART (port): false means "full, try later". */
bool hv_console_putc(uint32_t port, uint8_t c);
bool hv_console_can_put(uint32_t port);
bool hv_console_room(uint32_t port, uint32_t want);
/* Bytes arrived on the board UART (called from its interrupt). */
void hv_console_rx(const uint8_t *bytes, uint32_t count);
/* Time-driven console work; called from the hypervisor timer. */
void hv_console_poll(void);

uint64_t hv_now_ms(void);
/* Make this CPU's hypervisor timer fire no later than counter time `at` (0: no-op). */
void hv_timer_at(uint64_t at);

/* Entry points from the arch layer after its own set-up. */
__attribute__((noreturn)) void hv_main(void);
__attribute__((noreturn)) void hv_secondary_main(uint32_t cpu);

/* The hypervisor's build identity. */
extern const char hv_version[];

#endif
