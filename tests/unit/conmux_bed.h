/* SPDX-License-Identifier: MIT */
/*
 * The console multiplexer tests' bench (test_conmux.c, test_conmux_lines.c):
 * a multiplexer with ports "hv", "a" and "b" writing to a captured UART
 * (`out`, `out_len`), and a clock the test moves (`clock_ms`).
 */
#ifndef TESTS_CONMUX_BED_H
#define TESTS_CONMUX_BED_H

#include <string.h>

#include <fv/conmux.h>

static char out[1 << 20];
static size_t out_len;
static uint64_t clock_ms;
static struct conmux m;
static uint32_t hv, pa, pb;

static void capture(const char *s, size_t n)
{
	assert_true(out_len + n < sizeof(out));
	memcpy(out + out_len, s, n);
	out_len += n;
	out[out_len] = '\0';
}

static uint64_t now(void)
{
	return clock_ms;
}

/* Nothing written yet, the clock at `start_ms`; "a" and "b" take input, "hv" if `hv_input`. */
static void bed_init(uint64_t start_ms, bool hv_input)
{
	out_len = 0;
	out[0] = '\0';
	clock_ms = start_ms;
	conmux_init(&m, capture, now);
	hv = conmux_add_port(&m, "hv", hv_input);
	pa = conmux_add_port(&m, "a", true);
	pb = conmux_add_port(&m, "b", true);
}

/* Port `port` writes `s`, every byte taken. */
static void put(uint32_t port, const char *s)
{
	for (; *s; s++)
		assert_true(conmux_putc(&m, port, (uint8_t)*s));
}

#endif
