// SPDX-License-Identifier: MIT
/*
 * The console service (include/fv/console.h): the multiplexer on the board
 * UART, its timer, input routed to each port's client (with the answers to
 * the terminal queries the multiplexer keeps from the terminal), and the
 * panic watch on what each port writes.
 */
#include <fv/arch/cpu.h>
#include <fv/clock.h>
#include <fv/console.h>
#include <fv/panic_watch.h>
#include <fv/pcpu.h>
#include <fv/plat.h>

struct conmux console_mux;
static struct console_client clients[CONMUX_MAX_PORTS];
/* Each port's watch is fed by its one writer, under that writer's lock. */
static struct panic_watch watches[CONMUX_MAX_PORTS];
static uint32_t console_panics; /* ports with a panic not yet taken; atomic */

static uint64_t now_ms(void)
{
	return clock_now_ms();
}

void console_init(bool hv_takes_input)
{
	conmux_init(&console_mux, plat_uart_write, now_ms);
	conmux_add_port(&console_mux, "hv", hv_takes_input); /* last in the Ctrl-A cycle */
	for (uint32_t i = 0; i < CONMUX_MAX_PORTS; i++) {
		clients[i] = (struct console_client){ 0 };
		watches[i] = (struct panic_watch){ 0 };
	}
	console_panics = 0;
}

uint32_t console_add_port(const char *name)
{
	return conmux_add_port(&console_mux, name, true);
}

void console_attach(uint32_t port, const struct console_client *client)
{
	if (port < CONMUX_MAX_PORTS)
		clients[port] = *client;
}

/* Make sure this CPU's timer will run the multiplexer's idle rules. */
static void arm_timer(uint64_t at_ms)
{
	if (at_ms)
		pcpu_timer_at(at_ms * (arch_counter_freq() / 1000));
}

bool console_putc(uint32_t port, uint8_t c)
{
	bool ok = conmux_putc(&console_mux, port, c);

	if (ok && port < CONMUX_MAX_PORTS && panic_watch_byte(&watches[port], c)) {
		__atomic_fetch_or(&console_panics, 1U << port, __ATOMIC_SEQ_CST);
		/* the writer is the port's VM, on one of its own CPUs (a PL011
		 * store): that CPU acts on it, outside the writer's lock, on its
		 * way back into the guest */
		pcpu_post(pcpu_this()->index, PCPU_REQ_PANIC);
	}
	/* whatever waits goes out within CONMUX_WAIT_MS; a question is answered at once, outside the writer's lock */
	arm_timer(clock_now_ms() + (conmux_asked(&console_mux) ? 1 : CONMUX_WAIT_MS + 1));
	return ok;
}

bool console_can_put(uint32_t port)
{
	return conmux_can_put(&console_mux, port);
}

bool console_room(uint32_t port, uint32_t want)
{
	return conmux_room(&console_mux, port, want);
}

void console_log_line(const char *line)
{
	conmux_line(&console_mux, CONSOLE_HV_PORT, line);
}

void console_end_line(uint32_t port)
{
	conmux_end_line(&console_mux, port); /* its last words stay on a line of their own */
	if (port < CONMUX_MAX_PORTS)
		watches[port] = (struct panic_watch){ 0 };
	__atomic_fetch_and(&console_panics, ~(1U << port), __ATOMIC_SEQ_CST);
}

bool console_take_panic(uint32_t port)
{
	uint32_t bit = 1U << port;

	/* asked only on PCPU_REQ_PANIC: no fast path needed */
	return __atomic_fetch_and(&console_panics, ~bit, __ATOMIC_SEQ_CST) & bit;
}

void console_poll(void)
{
	arm_timer(conmux_poll(&console_mux));
	uint32_t ready = conmux_take_ready(&console_mux);
	for (uint32_t p = 0; ready && p < CONMUX_MAX_PORTS; p++, ready >>= 1)
		if ((ready & 1) && clients[p].tx_ready)
			clients[p].tx_ready(clients[p].ctx);
	uint8_t answer[TERMFILTER_ANSWER_MAX];
	uint32_t port, n;
	while ((n = conmux_answer(&console_mux, &port, answer)))
		for (uint32_t i = 0; i < n && port < CONMUX_MAX_PORTS && clients[port].rx; i++)
			clients[port].rx(clients[port].ctx, answer[i]); /* typed, as a terminal would have */
}

void console_rx(const uint8_t *bytes, uint32_t count)
{
	for (uint32_t i = 0; i < count; i++) {
		struct conmux_input in;
		conmux_input(&console_mux, bytes[i], &in);
		if (in.port >= CONMUX_MAX_PORTS)
			continue;
		const struct console_client *c = &clients[in.port];
		if (in.switched && c->focus)
			c->focus(c->ctx);
		for (uint32_t k = 0; k < in.count && c->rx; k++)
			c->rx(c->ctx, in.bytes[k]);
	}
}
