/* SPDX-License-Identifier: MIT */
/*
 * The console service (core/console/console.c): one multiplexer over the
 * board UART (fv/conmux.h) with a port per VM and one for the hypervisor.
 * Whoever serves a port (a VM's PL011, the hypervisor console) attaches as
 * its client and is called back for typed bytes, room to write again, and
 * input focus; the service knows no device. What a VM writes is watched for
 * the end of a Linux panic report (fv/panic_watch.h).
 */
#ifndef FV_CONSOLE_H
#define FV_CONSOLE_H

#include <fv/conmux.h>
#include <fv/types.h>

#define CONSOLE_HV_PORT 0U

struct console_client {
	void (*rx)(void *ctx, uint8_t c); /* a byte typed for the port */
	void (*tx_ready)(void *ctx);      /* room again after a "no room" answer   */
	void (*focus)(void *ctx);         /* input focus just moved to the port */
	void *ctx;
};

extern struct conmux console_mux;

/* The multiplexer and the hypervisor's port (taking input or not), on the board UART. */
void console_init(bool hv_takes_input);
/* A port for a VM; its index. */
uint32_t console_add_port(const char *name);
void console_attach(uint32_t port, const struct console_client *client);
/* Output of a port; never refused (a full buffer goes out at once): false only for no such port. */
bool console_putc(uint32_t port, uint8_t c);
bool console_can_put(uint32_t port);
bool console_room(uint32_t port, uint32_t want);
/* A hypervisor message line (the log's sink). */
void console_log_line(const char *line);
/* End a port's partial line (its VM stopped) and forget its panic watch. */
void console_end_line(uint32_t port);
/* Bytes arrived on the board UART (its interrupt). */
void console_rx(const uint8_t *bytes, uint32_t count);
/* Time-driven work; called from the hypervisor timer. */
void console_poll(void);
/* Whether the port's writer ended a kernel panic report since the last call.
 * The CPU that wrote the report's last byte gets PCPU_REQ_PANIC to ask. */
bool console_take_panic(uint32_t port);

#endif
