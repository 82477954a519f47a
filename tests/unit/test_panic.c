// SPDX-License-Identifier: MIT
/*
 * Kernel-panic detection (core/console/panic_watch.c, console.c): every byte a guest writes to its
 * console (here through its emulated PL011's data register, as the guest
 * does) is matched against the line Linux ends a panic report with,
 * "---[ end Kernel panic - not syncing", wherever it starts in the output
 * and however the bytes are spread over time. At the end of that line, when
 * the vCPU that ended it goes back into the guest (run_before_entry), the
 * hypervisor opens a check of the guest's state (test_panic_check.c); here
 * the guest stays in its kernel for the whole check (`confirmed`), and the
 * VM's crash policy applies: restart, stop (the board stays on), or halt
 * the board. Near misses do nothing; a restart forgets a half-seen marker.
 *
 * Two running VMs of two vCPUs, hypervisor messages through the
 * multiplexer as on the board.
 */
#include "helpers.h"
#include <fv/panic_check.h>
#include <fv/panic_watch.h>

#include <stdio.h>
#include <string.h>

#include <plat/layout.h>

#define RAM_SIZE 0x1000000ULL

static struct manifest m;
static struct testbed_memory mem;
static struct vm *vm0, *vm1;

static int setup(void **state)
{
	(void)state;
	vms_create(&m, &mem, 2, 2, RAM_SIZE, true);
	vm0 = &vms[0];
	vm1 = &vms[1];
	vms_boot();
	fake_uart_clear();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	testbed_memory_free(&mem);
	return 0;
}

static void prints(struct vm *vm, const char *s)
{
	assert_true(testbed_guest_prints(&vm->vcpu[0], s));
}

/* vCPU v's CPU goes back into the guest. */
static enum fake_exit enter(struct vcpu *v)
{
	fake.cpu = v->pcpu;
	return FAKE_CATCH(run_before_entry(v));
}

/* What the guest printed did not count as a panic: it runs on, untouched. */
static void still_running(struct vm *vm)
{
	char said[64];

	assert_int_equal(enter(&vm->vcpu[0]), FAKE_EXIT_NONE);
	assert_int_equal(vm->state, VM_STATE_RUNNING);
	assert_int_equal(vm->restart_count, 0);
	snprintf(said, sizeof(said), "%s: the guest kernel panicked", vm->name);
	assert_null(strstr(fake_uart_text(), said));
}

/* What a panicked kernel does: its vCPUs stay at EL1 (panic()'s mdelay loop) for the whole check. */
static enum fake_exit confirmed(struct vm *vm)
{
	for (uint32_t i = 0; i < vm->vcpu_count; i++)
		vm->vcpu[i].regs->pstate = 0x5; /* EL1h, nothing masked */
	return testbed_time_passes(PANIC_CHECK_MS + 2 * PANIC_SAMPLE_MS);
}

static const char panic_end[] =
	"[   12.345678] ---[ end Kernel panic - not syncing: Attempted to kill init! exitcode=0x0000000b ]---";

static void test_acts_at_end_of_line_on_entry(void **state)
{
	(void)state;
	prints(vm0, "[   12.300000] Kernel panic - not syncing: Attempted to kill init! exitcode=0x0000000b\r\n");
	prints(vm0, panic_end);
	/* the marker is complete, its line is not: nothing yet */
	still_running(vm0);
	prints(vm0, "\r");
	still_running(vm0);
	/* the line ends: still nothing until the VM is entered again */
	prints(vm0, "\n");
	assert_int_equal(vm0->state, VM_STATE_RUNNING);
	assert_null(strstr(fake_uart_text(), "panicked"));
	/* its last words are on the console, whole */
	char want[sizeof(panic_end) + 16];
	snprintf(want, sizeof(want), "[vm0] %s\r\n", panic_end);
	assert_non_null(strstr(fake_uart_text(), want));
	/* on entry: a check opens; the guest stays in its kernel: the crash policy, restart by default */
	still_running(vm0);
	assert_int_equal(confirmed(vm0), FAKE_EXIT_NONE);
	assert_non_null(strstr(fake_uart_text(), "[hv] vm0: the guest kernel panicked\r\n"));
	assert_int_equal(vm0->stop_reason, VM_STOP_CRASH);
	assert_int_equal(vm0->state, VM_STATE_RUNNING);
	assert_int_equal(vm0->restart_count, 1);
	assert_non_null(strstr(fake_uart_text(), "[hv] vm0: restarting (restart 1)\r\n"));
	/* once */
	still_running(vm1);
	assert_int_equal(enter(&vm0->vcpu[0]), FAKE_EXIT_NONE);
	assert_int_equal(vm0->restart_count, 1);
}

static void test_policy_stop_leaves_board_on(void **state)
{
	(void)state;
	m.vm[0].on_crash = VM_ON_CRASH_STOP;
	/* vm1 stopped from the console first: vm0 is the last VM running */
	vm_stop(vm1, VM_STOP_CONSOLE, "stop requested on the console");
	assert_int_equal(testbed_settle(), FAKE_EXIT_NONE);
	prints(vm0, panic_end);
	prints(vm0, "\n");
	assert_int_equal(enter(&vm0->vcpu[0]), FAKE_EXIT_NONE);
	assert_int_equal(confirmed(vm0), FAKE_EXIT_NONE);
	assert_int_equal(vm0->state, VM_STATE_OFF);
	assert_int_equal(vm0->restart_count, 0);
	assert_null(strstr(fake_uart_text(), "powering the board off"));
}

static void test_policy_halt_board(void **state)
{
	(void)state;
	m.vm[1].on_crash = VM_ON_CRASH_HALT_BOARD;
	prints(vm1, panic_end);
	prints(vm1, "\n");
	assert_int_equal(enter(&vm1->vcpu[0]), FAKE_EXIT_NONE);
	assert_int_equal(confirmed(vm1), FAKE_EXIT_BOARD_OFF);
	assert_non_null(strstr(fake_uart_text(), "[hv] vm1: its policy is halt-board: powering the board off\r\n"));
}

static void test_near_misses(void **state)
{
	(void)state;
	static const char *const lines[] = {
		"---[ end Kernel panic - not syncin\n", /* cut short */
		"---[ end Kernel panic - not syncinG\n",
		"--[ end Kernel panic - not syncing\n",  /* a dash short */
		"---[ end kernel panic - not syncing\n", /* lower case */
		"---[ end Kernel panic -  not syncing\n",
		"---[ end Kernel pa\nnic - not syncing\n",                    /* split by a line end */
		"Kernel panic - not syncing: VFS: Unable to mount root fs\n", /* the report's start */
		"---[ end trace 0000000000000000 ]---\n",                     /* an oops, not a panic */
	};

	for (uint32_t i = 0; i < ARRAY_SIZE(lines); i++) {
		prints(vm0, lines[i]);
		still_running(vm0);
	}
	/* a line end after them all completes none of them */
	prints(vm0, "\r\n");
	still_running(vm0);
}

static void test_marker_restarts_inside_near_misses(void **state)
{
	(void)state;
	/* the marker begins again inside a partial match of itself */
	static const char *const lines[] = {
		"---[ end Kernel---[ end Kernel panic - not syncing\n",
		"---[ end Kernel panic - not sync---[ end Kernel panic - not syncing: x ]---\n",
		"----[ end Kernel panic - not syncing\n",
		"-------[ end Kernel panic - not syncing\n",
		"---[ end Kernel panic ---[ end Kernel panic - not syncing ]---\n",
		"---[ end Kernel panic - ---[ end Kernel panic - not syncing\n",
		"--- ---[ end Kernel panic - not syncing\n",
	};

	for (uint32_t i = 0; i < ARRAY_SIZE(lines); i++) {
		prints(vm0, lines[i]);
		assert_int_equal(enter(&vm0->vcpu[0]), FAKE_EXIT_NONE);
		assert_int_equal(confirmed(vm0), FAKE_EXIT_NONE);
		if (vm0->restart_count != i + 1)
			fail_msg("not taken for a panic: \"%s\"", lines[i]);
		assert_int_equal(vm0->state, VM_STATE_RUNNING);
	}
	still_running(vm1);
}

static uint32_t rng = 2024;

static uint32_t next_rand(void)
{
	rng = rng * 1103515245U + 12345U;
	return rng >> 16;
}

static void test_matches_exactly_the_lines_with_the_marker(void **state)
{
	(void)state;
	/* lines built from pieces of the marker: a panic iff the line holds the marker (strstr) */
	static const char *const pieces[] = {
		"-",
		"--",
		"---[",
		"[",
		" end",
		" Kernel",
		" panic",
		" -",
		" not",
		" syncing",
		" ",
		"x",
		"g",
		"---[ end Kernel panic - not syncin",
		"---[ end Kernel panic ",
		"---[ end",
	};
	const char *marker = "---[ end Kernel panic - not syncing";
	uint32_t hits = 0;
	struct panic_watch w = { 0 };
	bool panicked = false;

	for (uint32_t n = 0; n < 20000; n++) {
		char line[512] = "";
		uint32_t count = 1 + next_rand() % 12;
		for (uint32_t i = 0; i < count; i++)
			strcat(line, pieces[next_rand() % ARRAY_SIZE(pieces)]);
		bool want = strstr(line, marker) != NULL;
		for (const char *p = line; *p; p++)
			assert_false(panic_watch_byte(&w, (uint8_t)*p)); /* not before the line ends */
		panicked = panic_watch_byte(&w, '\n');
		if (panicked != want)
			fail_msg("\"%s\": taken for a panic: %d, holds the marker: %d", line, panicked, want);
		hits += want;
	}
	assert_true(hits > 100); /* the pieces do make the marker, often enough */
	/* any byte may follow the marker, NUL too */
	for (const char *p = marker; *p; p++)
		assert_false(panic_watch_byte(&w, (uint8_t)*p));
	for (uint32_t i = 0; i < 4; i++)
		assert_false(panic_watch_byte(&w, 0));
	assert_true(panic_watch_byte(&w, '\n'));
}

static void test_bytes_spread_over_time(void **state)
{
	(void)state;
	static const char line[] = "---[ end Kernel panic - not syncing: Fatal exception ]---\n";

	/* one byte per entry, the other VM talking in between, time passing */
	for (const char *p = line; *p; p++) {
		char one[2] = { *p, '\0' };
		prints(vm0, one);
		prints(vm1, "-[ en");
		fake.counter += fake.freq / 3;
		if (p[1])
			still_running(vm0);
	}
	assert_int_equal(enter(&vm0->vcpu[0]), FAKE_EXIT_NONE);
	assert_int_equal(confirmed(vm0), FAKE_EXIT_NONE);
	assert_int_equal(vm0->restart_count, 1);
	assert_int_equal(vm1->restart_count, 0);
}

static void test_vms_do_not_share_a_marker(void **state)
{
	(void)state;
	prints(vm0, "---[ end Kernel pan");
	prints(vm1, "ic - not syncing\n");
	prints(vm0, "\n");
	still_running(vm0);
	still_running(vm1);
	/* each VM's own panic is its own */
	prints(vm1, panic_end);
	prints(vm1, "\n");
	still_running(vm0);
	assert_int_equal(enter(&vm1->vcpu[0]), FAKE_EXIT_NONE);
	assert_int_equal(confirmed(vm1), FAKE_EXIT_NONE);
	assert_int_equal(vm1->restart_count, 1);
	assert_int_equal(vm0->restart_count, 0);
}

static void test_any_vcpu(void **state)
{
	(void)state;
	struct vcpu *v1 = &vm0->vcpu[1];

	assert_int_equal(vcpu_power_on(v1, m.vm[0].entry, 0), 0);
	assert_int_equal(testbed_settle(), FAKE_EXIT_NONE);
	assert_int_equal(v1->power, VCPU_ON);
	/* vCPU 1 prints the marker; vCPU 0 prints the line end: one console, one line */
	assert_true(testbed_guest_prints(v1, "---[ end Kernel panic - not syncing: Fatal exception in interrupt ]---"));
	assert_true(testbed_guest_prints(&vm0->vcpu[0], "\n"));
	/* the vCPU that ended the line opens the check on its way back from that write */
	assert_int_equal(enter(v1), FAKE_EXIT_NONE);
	assert_int_equal(fake.probe_starts[v1->pcpu], 0);
	assert_int_equal(enter(&vm0->vcpu[0]), FAKE_EXIT_NONE);
	assert_int_equal(vm0->state, VM_STATE_RUNNING);
	/* of both vCPUs: each CPU watches its own */
	assert_int_equal(testbed_settle(), FAKE_EXIT_NONE);
	assert_int_equal(fake.probe_starts[vm0->vcpu[0].pcpu], 1);
	assert_int_equal(fake.probe_starts[v1->pcpu], 1);
	assert_int_equal(confirmed(vm0), FAKE_EXIT_NONE);
	assert_int_equal(vm0->restart_count, 1);
	assert_int_equal(v1->power, VCPU_OFF); /* the restarted guest brings it up again itself */
}

static void test_restart_forgets_partial_marker(void **state)
{
	(void)state;
	/* the whole marker seen, the line not ended, when the VM restarts for another reason */
	prints(vm0, panic_end);
	prints(vm1, "---[ end Kernel panic - not sy");
	vm_stop(vm0, VM_STOP_RESET, "the guest asked for a reset");
	vm_stop(vm1, VM_STOP_CONSOLE_RESTART, "restart requested on the console");
	assert_int_equal(testbed_settle(), FAKE_EXIT_NONE);
	assert_int_equal(vm0->restart_count, 1);
	assert_int_equal(vm1->restart_count, 1);
	/* the new boot's output does not finish the old boot's line */
	prints(vm0, "\n");
	prints(vm1, "ncing\n");
	assert_int_equal(enter(&vm0->vcpu[0]), FAKE_EXIT_NONE);
	assert_int_equal(enter(&vm1->vcpu[0]), FAKE_EXIT_NONE);
	assert_int_equal(vm0->state, VM_STATE_RUNNING);
	assert_int_equal(vm1->state, VM_STATE_RUNNING);
	assert_int_equal(vm0->restart_count, 1);
	assert_int_equal(vm1->restart_count, 1);
	assert_null(strstr(fake_uart_text(), "panicked"));
}

static void test_panic_while_stopping_is_no_second_stop(void **state)
{
	(void)state;
	/* the guest panics while it is being powered off: the power-off stands */
	m.vm[0].on_crash = VM_ON_CRASH_RESTART;
	vm_stop(vm0, VM_STOP_POWEROFF, "the guest powered off");
	prints(vm0, panic_end);
	prints(vm0, "\n");
	assert_int_equal(enter(&vm0->vcpu[0]), FAKE_EXIT_IDLE);
	assert_int_equal(testbed_settle(), FAKE_EXIT_NONE);
	assert_int_equal(vm0->state, VM_STATE_OFF);
	assert_int_equal(vm0->restart_count, 0);
	assert_int_equal(vm0->stop_reason, VM_STOP_POWEROFF);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_acts_at_end_of_line_on_entry),
		T(test_policy_stop_leaves_board_on),
		T(test_policy_halt_board),
		T(test_near_misses),
		T(test_marker_restarts_inside_near_misses),
		T(test_matches_exactly_the_lines_with_the_marker),
		T(test_bytes_spread_over_time),
		T(test_vms_do_not_share_a_marker),
		T(test_any_vcpu),
		T(test_restart_forgets_partial_marker),
		T(test_panic_while_stopping_is_no_second_stop),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
