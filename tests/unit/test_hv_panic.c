// SPDX-License-Identifier: MIT
/*
 * A hypervisor panic (core/console/log.c, panic_at) stops the whole board, not only
 * the CPU that found the broken invariant: it says where, kicks every other
 * CPU, and each halts at its next interrupt (core/boot/hv.c, irq_handle) instead
 * of going back into its guest. The panic state cannot be undone, so this
 * binary holds one test.
 */
#include "helpers.h"

#include <string.h>

#include <fv/irq.h>
#include <fv/log.h>
#include <fv/trap.h>

#define RAM_SIZE 0x1000000ULL

static struct manifest m;
static struct testbed_memory mem;

static void halts_on_kick(uint32_t cpu)
{
	fake.cpu = cpu;
	fake_raise(cpu, 0);
	assert_int_equal(FAKE_CATCH(irq_handle()), FAKE_EXIT_HALT);
}

static void test_panic_stops_every_cpu(void **state)
{
	(void)state;
	vms_create(&m, &mem, 2, 2, RAM_SIZE, true);
	vms_boot();
	fake_uart_clear();
	for (uint32_t c = 0; c < FV_MAX_CPUS; c++)
		fake.kicks[c] = 0;

	/* before: an interrupt on CPU 2 is handled, the CPU goes back to its guest */
	fake.cpu = 2;
	fake_raise(2, PLAT_TIMER_VIRT_INTID);
	assert_int_equal(FAKE_CATCH(irq_handle()), FAKE_EXIT_NONE);
	assert_false(log_panicked());

	fake.cpu = 1;
	assert_int_equal(FAKE_CATCH(PANIC("invariant %d broken", 7)), FAKE_EXIT_HALT);
	assert_true(log_panicked());
	const char *out = fake_uart_text();
	assert_non_null(strstr(out, "[hv] PANIC on CPU 1 at tests/unit/test_hv_panic.c:"));
	assert_non_null(strstr(out, ": invariant 7 broken\r\n"));
	assert_non_null(strstr(out, "[hv] the hypervisor has stopped; power-cycle the board\r\n"));
	for (uint32_t c = 0; c < FV_MAX_CPUS; c++)
		assert_int_equal(fake.kicks[c], c == 1 ? 0 : 1);

	/* the others halt as they take the kick: from a guest or from idle */
	halts_on_kick(0);
	halts_on_kick(2);
	halts_on_kick(3);
	/* a second panic is printed, but does not kick again */
	fake.cpu = 3;
	assert_int_equal(FAKE_CATCH(PANIC("second")), FAKE_EXIT_HALT);
	assert_int_equal(fake.kicks[0], 1);
	testbed_memory_free(&mem);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_panic_stops_every_cpu),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
