// SPDX-License-Identifier: MIT
/*
 * Hypervisor messages: formatted into one line, then handed to the sink
 * (the console multiplexer, or the raw UART before it exists). A panic
 * prints where it happened and stops every CPU, loudly, never silently.
 */
#include <fv/arch/cpu.h>
#include <fv/fmt.h>
#include <fv/log.h>
#include <fv/pcpu.h>
#include <fv/plat.h>
#include <fv/string.h>

static void early_sink(const char *line)
{
	plat_uart_write("[hv] ", 5);
	plat_uart_write(line, strlen(line));
	plat_uart_write("\r\n", 2);
}

static void (*sink)(const char *line) = early_sink;

void log_set_sink(void (*s)(const char *line))
{
	sink = s ? s : early_sink;
}

void log_vline(const char *fmt, va_list ap)
{
	char line[LOG_LINE_MAX];

	fmt_vsnprintf(line, sizeof(line), fmt, ap);
	sink(line);
}

void log_line(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vline(fmt, ap);
	va_end(ap);
}

static bool panicked;

bool log_panicked(void)
{
	return __atomic_load_n(&panicked, __ATOMIC_ACQUIRE);
}

void panic_at(const char *file, int line, const char *fmt, ...)
{
	char msg[LOG_LINE_MAX];
	va_list ap;
	bool first = !__atomic_exchange_n(&panicked, true, __ATOMIC_ACQ_REL);

	va_start(ap, fmt);
	fmt_vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* Straight to the UART: the multiplexer's lock may be what is broken. */
	log_set_sink(early_sink);
	log_line("PANIC on CPU %u at %s:%d: %s", arch_cpu_index(), file, line, msg);
	if (first) {
		log_line("the hypervisor has stopped; power-cycle the board");
		/* A broken invariant may have harmed any VM: every CPU stops, each
		 * as it takes this kick (irq_handle); none is waited for. */
		pcpu_kick_mask(~0U);
	}
	arch_cpu_halt();
}
