// SPDX-License-Identifier: MIT
/* fvtest: pick the mode from /chosen/bootargs and run it. */
#include <fv/dtb.h>
#include <fv/string.h>

#include "fvtest.h"

void fvtest_main(const void *dtb);

static const char *bootargs(const void *blob)
{
	struct dtb t;
	uint32_t len;

	if (dtb_open(&t, blob, 0x200000) < 0)
		return "";
	const char *a = dtb_prop(&t, dtb_path(&t, "/chosen"), "bootargs", &len);
	return a && len && a[len - 1] == '\0' ? a : "";
}

static bool has_word(const char *s, const char *w)
{
	size_t n = strlen(w);

	for (; *s; s++)
		if (strncmp(s, w, n) == 0 && (s[n] == ' ' || s[n] == '\0'))
			return true;
	return false;
}

void fvtest_main(const void *dtb)
{
	const char *args = bootargs(dtb);

	print("FVTEST booted, bootargs \"%s\"\n", args);
	if (has_word(args, "fvtest.mode=hygiene"))
		run_hygiene(dtb);
	else if (has_word(args, "fvtest.mode=reset-loop"))
		run_reset_loop();
	else if (has_word(args, "fvtest.mode=bench"))
		run_bench();
	else if (has_word(args, "fvtest.mode=abuse"))
		run_abuse();
	else if (has_word(args, "fvtest.mode=matrix")) {
		/* Wait for the go from whoever drives the test (the other VM must be up). */
		print("FVTEST ready: type g to start\n");
		while ((mmio_read32(UART_BASE + 0x18) & (1U << 4)) || (mmio_read32(UART_BASE) & 0xff) != 'g')
			delay_ms(10);
		run_matrix();
	} else
		print("FVTEST no mode given: idle\n");
	for (;;)
		__asm__ volatile("wfi");
}
