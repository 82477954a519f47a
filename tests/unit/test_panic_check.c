// SPDX-License-Identifier: MIT
/*
 * Confirming a kernel panic from the guest's state (core/vm/panic_check.c):
 * the end of a panic report on a VM's console only opens a check; for
 * PANIC_CHECK_MS each CPU of the VM watches its own vCPU (EL0 cycles from
 * the fake PMU, a trapped WFI, its mode at each hypervisor timer sample) and
 * the crash policy applies only if none of them ran user space or idled.
 * A forged report costs the VM a check and nothing else; no check is ever
 * armed without a report; a real panic right after a forged one is still
 * acted on.
 *
 * Two running VMs of two vCPUs (vCPU 1 off unless a test starts it), the
 * console as on the board.
 */
#include "helpers.h"

#include <stdio.h>
#include <string.h>

#include <fv/panic_check.h>
#include <fv/trap.h>
#include <plat/layout.h>

#define RAM_SIZE 0x1000000ULL

/* SPSR_EL2 values the guest leaves with (Arm ARM C5.2.19) */
#define AT_EL0 0x0ULL              /* user space, everything unmasked */
#define AT_EL1 0x5ULL              /* EL1h, everything unmasked: panic()'s mdelay loop */
#define AT_EL1_NOIRQ 0xc5ULL       /* EL1h, I and F masked: idle, or an interrupt handler */
#define AT_EL1_ALL_MASKED 0x3c5ULL /* EL1h, DAIF: cpu_park_loop */

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

static const char report_end[] = "[   12.345678] ---[ end Kernel panic - not syncing: sysrq triggered crash ]---\r\n";

/* vCPU v ends a panic report (or prints its text) and goes back into the guest. */
static void reports(struct vcpu *v)
{
	assert_true(testbed_guest_prints(v, report_end));
	assert_int_equal(testbed_settle(), FAKE_EXIT_NONE);
}

static void start_vcpu1(struct vm *vm)
{
	assert_int_equal(vcpu_power_on(&vm->vcpu[1], m.vm[vm->id].entry, 0), 0);
	assert_int_equal(testbed_settle(), FAKE_EXIT_NONE);
	assert_int_equal(vm->vcpu[1].power, VCPU_ON);
}

static enum fake_exit time_passes(uint32_t ms)
{
	return testbed_time_passes(ms);
}

static bool said(const char *what)
{
	return strstr(fake_uart_text(), what) != NULL;
}

static bool watching(uint32_t cpu)
{
	return fake.probe_wfi_trapped[cpu] || fake.probe_counting[cpu];
}

static void untouched(struct vm *vm)
{
	assert_int_equal(vm->state, VM_STATE_RUNNING);
	assert_int_equal(vm->restart_count, 0);
}

static void test_no_check_without_a_report(void **state)
{
	(void)state;
	/* the guests print, take timer interrupts, idle: nothing is watched, nothing armed for it */
	assert_true(testbed_guest_prints(&vm0->vcpu[0],
					 "[    1.000000] Kernel panic - not syncing: (the start of a report)\r\n"));
	assert_true(testbed_guest_prints(&vm1->vcpu[0], "---[ end trace 0000000000000000 ]---\r\n"));
	vm0->vcpu[0].regs->pstate = AT_EL1_NOIRQ;
	assert_int_equal(time_passes(3000), FAKE_EXIT_NONE);
	for (uint32_t cpu = 0; cpu < FV_MAX_CPUS; cpu++) {
		assert_int_equal(fake.probe_starts[cpu], 0);
		assert_false(watching(cpu));
	}
	untouched(vm0);
	untouched(vm1);
}

static void test_text_alone_opens_a_check(void **state)
{
	(void)state;
	struct vcpu *v = &vm0->vcpu[0];

	v->regs->pstate = AT_EL1;
	reports(v);
	/* not acted on: its running vCPU is watched, the other VM's CPUs are not */
	untouched(vm0);
	assert_false(said("panicked"));
	assert_int_equal(fake.probe_starts[v->pcpu], 1);
	assert_true(fake.probe_counting[v->pcpu] && fake.probe_wfi_trapped[v->pcpu]);
	assert_true(fake.hyp_timer[v->pcpu] != 0 &&
		    fake.hyp_timer[v->pcpu] <= fake.counter + PANIC_SAMPLE_MS * (fake.freq / 1000));
	for (uint32_t i = 0; i < 2; i++)
		assert_int_equal(fake.probe_starts[vm1->vcpu[i].pcpu], 0);
	assert_int_equal(fake.probe_starts[vm0->vcpu[1].pcpu], 0); /* off: nothing to watch */
}

/* The guest stays in its kernel with IRQs on (and an interrupt handler now and then) for the window. */
static enum fake_exit no_life_for(struct vm *vm, uint32_t ms)
{
	for (uint32_t t = 0; t < ms; t += 4) {
		vm->vcpu[0].regs->pstate = (t % 40) ? AT_EL1 : AT_EL1_NOIRQ;
		enum fake_exit r = time_passes(4);
		if (r != FAKE_EXIT_NONE)
			return r;
	}
	return FAKE_EXIT_NONE;
}

static void test_no_life_for_the_window_is_a_panic_1cpu(void **state)
{
	(void)state;
	reports(&vm0->vcpu[0]);
	assert_int_equal(no_life_for(vm0, PANIC_CHECK_MS - 20), FAKE_EXIT_NONE);
	untouched(vm0); /* not before the window is over */
	assert_int_equal(no_life_for(vm0, 40), FAKE_EXIT_NONE);
	assert_true(said("[hv] vm0: no user space and no idle for 2000 ms after its panic report (0 CPUs parked)\r\n"));
	assert_true(said("[hv] vm0: the guest kernel panicked\r\n"));
	assert_int_equal(vm0->restart_count, 1); /* its policy: restart */
	assert_int_equal(vm0->state, VM_STATE_RUNNING);
	assert_false(watching(vm0->vcpu[0].pcpu));
	untouched(vm1);
}

static void test_no_life_for_the_window_is_a_panic_2cpus(void **state)
{
	(void)state;
	start_vcpu1(vm0);
	/* vCPU 1 parked by IPI_CPU_STOP: DAIF masked, in WFI with nothing it can take */
	struct vcpu *parked = &vm0->vcpu[1];
	parked->regs->pstate = AT_EL1_ALL_MASKED;
	reports(&vm0->vcpu[0]);
	assert_true(watching(parked->pcpu));
	fake.cpu = parked->pcpu;
	struct trap t = { .kind = TRAP_WFI };
	assert_int_equal(trap_handle(parked, &t), TRAP_REPLAY);
	assert_false(fake.probe_wfi_trapped[parked->pcpu]); /* replayed untrapped: it sleeps */
	assert_int_equal(no_life_for(vm0, PANIC_CHECK_MS + 20), FAKE_EXIT_NONE);
	assert_true(said("[hv] vm0: no user space and no idle for 2000 ms after its panic report (1 CPU parked)\r\n"));
	assert_true(said("[hv] vm0: the guest kernel panicked\r\n"));
	assert_int_equal(vm0->restart_count, 1);
	untouched(vm1);
}

static void test_el0_time_means_running(void **state)
{
	(void)state;
	start_vcpu1(vm0);
	reports(&vm0->vcpu[0]);
	/* a few cycles of user space on vCPU 1, between two samples at EL1 */
	assert_int_equal(time_passes(30), FAKE_EXIT_NONE);
	fake.probe_el0_cycles[vm0->vcpu[1].pcpu] = 7;
	assert_int_equal(time_passes(2 * PANIC_SAMPLE_MS), FAKE_EXIT_NONE);
	/* decided at once, not at the end of the window */
	assert_true(said(
		"[hv] vm0: a kernel panic report on its console, but the guest still runs user space: ignored\r\n"));
	assert_false(watching(vm0->vcpu[0].pcpu) || watching(vm0->vcpu[1].pcpu));
	assert_int_equal(time_passes(PANIC_CHECK_MS), FAKE_EXIT_NONE);
	untouched(vm0);
	assert_false(said("panicked"));
}

static void test_el0_sample_without_a_pmu(void **state)
{
	(void)state;
	fake.no_pmu = true;
	struct vcpu *v = &vm0->vcpu[0];
	reports(v);
	assert_false(fake.probe_counting[v->pcpu]);
	assert_true(fake.probe_wfi_trapped[v->pcpu]);
	v->regs->pstate = AT_EL0; /* the next sample finds it in user space */
	assert_int_equal(time_passes(PANIC_CHECK_MS + 20), FAKE_EXIT_NONE);
	assert_true(said("but the guest still runs user space: ignored"));
	untouched(vm0);
	/* without a PMU, samples are all there is: none at EL0, no idle, and it is a panic */
	reports(v);
	assert_int_equal(no_life_for(vm0, PANIC_CHECK_MS + 20), FAKE_EXIT_NONE);
	assert_true(said("[hv] vm0: the guest kernel panicked\r\n"));
}

static void test_idle_means_running(void **state)
{
	(void)state;
	start_vcpu1(vm0);
	struct vcpu *idle = &vm0->vcpu[1];
	reports(&vm0->vcpu[0]);
	/* vCPU 1 idles: a WFI with IRQs masked (Linux's cpu_do_idle) that would wait */
	idle->regs->pstate = AT_EL1_NOIRQ;
	fake.cpu = idle->pcpu;
	struct trap t = { .kind = TRAP_WFI };
	assert_int_equal(trap_handle(idle, &t), TRAP_REPLAY);
	assert_false(fake.probe_wfi_trapped[idle->pcpu]);
	assert_int_equal(no_life_for(vm0, PANIC_CHECK_MS + 20), FAKE_EXIT_NONE);
	assert_true(said("[hv] vm0: a kernel panic report on its console, but the guest still idles: ignored\r\n"));
	untouched(vm0);
}

static void test_what_is_no_sign_of_life(void **state)
{
	(void)state;
	start_vcpu1(vm0);
	struct vcpu *v1 = &vm0->vcpu[1];
	reports(&vm0->vcpu[0]);
	/* a WFI with IRQs unmasked is a delay (WFIT in mdelay), not idle; samples with IRQs
	 * masked are as likely interrupt handlers; a sample parked is no life either */
	fake.cpu = v1->pcpu;
	v1->regs->pstate = AT_EL1;
	struct trap t = { .kind = TRAP_WFI };
	assert_int_equal(trap_handle(v1, &t), TRAP_REPLAY);
	for (uint32_t ms = 0; ms < PANIC_CHECK_MS + 20; ms += PANIC_SAMPLE_MS) {
		v1->regs->pstate = (ms / PANIC_SAMPLE_MS) % 2 ? AT_EL1_NOIRQ : AT_EL1_ALL_MASKED;
		vm0->vcpu[0].regs->pstate = AT_EL1_NOIRQ;
		assert_int_equal(time_passes(PANIC_SAMPLE_MS), FAKE_EXIT_NONE);
	}
	/* parked only if so at every look */
	assert_true(said("[hv] vm0: no user space and no idle for 2000 ms after its panic report (0 CPUs parked)\r\n"));
	assert_true(said("[hv] vm0: the guest kernel panicked\r\n"));
}

static void test_halt_board_only_when_confirmed(void **state)
{
	(void)state;
	m.vm[1].on_crash = VM_ON_CRASH_HALT_BOARD;
	struct vcpu *v = &vm1->vcpu[0];
	/* a user process prints the text: the board stays up */
	v->regs->pstate = AT_EL0;
	reports(v);
	assert_int_equal(time_passes(PANIC_CHECK_MS + 20), FAKE_EXIT_NONE);
	untouched(vm1);
	untouched(vm0);
	/* the kernel panics: the board goes off */
	reports(v);
	assert_int_equal(no_life_for(vm1, PANIC_CHECK_MS - 20), FAKE_EXIT_NONE);
	for (uint32_t t = 0; t < 40; t++) {
		v->regs->pstate = AT_EL1;
		enum fake_exit r = time_passes(1);
		if (r == FAKE_EXIT_BOARD_OFF) {
			assert_true(said("[hv] vm1: its policy is halt-board: powering the board off\r\n"));
			return;
		}
		assert_int_equal(r, FAKE_EXIT_NONE);
	}
	fail_msg("the board stayed on");
}

static void test_a_report_during_a_check_is_checked_again(void **state)
{
	(void)state;
	struct vcpu *v = &vm0->vcpu[0];
	/* a process forges the report, and the kernel really panics while that is checked */
	v->regs->pstate = AT_EL0;
	reports(v);
	assert_int_equal(fake.probe_starts[v->pcpu], 1);
	reports(v);
	assert_int_equal(fake.probe_starts[v->pcpu], 1); /* one check at a time */
	assert_int_equal(time_passes(PANIC_SAMPLE_MS + 1), FAKE_EXIT_NONE);
	assert_true(said("but the guest still runs user space: ignored"));
	assert_int_equal(fake.probe_starts[v->pcpu], 2); /* and then one for the second report */
	assert_int_equal(no_life_for(vm0, PANIC_CHECK_MS + 20), FAKE_EXIT_NONE);
	assert_true(said("[hv] vm0: the guest kernel panicked\r\n"));
	assert_int_equal(vm0->restart_count, 1);
}

static void test_forged_reports_in_a_loop(void **state)
{
	(void)state;
	struct vcpu *v = &vm0->vcpu[0];
	uint32_t lines = 0, more = 0;
	/* a user process prints the text in a loop for 30 s: a check each time it can, a message each 10 s */
	v->regs->pstate = AT_EL0;
	for (uint32_t t = 0; t < 30000; t += 5) {
		reports(v);
		assert_int_equal(time_passes(5), FAKE_EXIT_NONE);
		for (const char *p = fake_uart_text(); (p = strstr(p, "but the guest still runs user space")); p++)
			lines++;
		more += said("still runs user space: ignored (and ");
		fake_uart_clear(); /* (it holds 64 KiB) */
	}
	assert_true(fake.probe_starts[v->pcpu] > 1000);
	assert_in_range(lines, 3, 4);
	assert_int_equal(more, lines - 1);
	untouched(vm0);
	untouched(vm1);
	for (uint32_t cpu = 0; cpu < FV_MAX_CPUS; cpu++)
		if (cpu != v->pcpu)
			assert_int_equal(fake.probe_starts[cpu], 0);
}

static void test_restart_during_a_check_decides_nothing(void **state)
{
	(void)state;
	reports(&vm0->vcpu[0]);
	vm_stop(vm0, VM_STOP_CONSOLE_RESTART, "restart requested on the console");
	assert_int_equal(testbed_settle(), FAKE_EXIT_NONE);
	assert_int_equal(vm0->restart_count, 1);
	/* the new run idles in its kernel, no user space yet: the old check judges nothing */
	assert_int_equal(no_life_for(vm0, PANIC_CHECK_MS + 20), FAKE_EXIT_NONE);
	assert_false(said("panicked"));
	assert_int_equal(vm0->restart_count, 1);
	assert_false(watching(vm0->vcpu[0].pcpu));
	/* and the next report is checked afresh */
	reports(&vm0->vcpu[0]);
	assert_int_equal(no_life_for(vm0, PANIC_CHECK_MS + 20), FAKE_EXIT_NONE);
	assert_true(said("[hv] vm0: the guest kernel panicked\r\n"));
}

static void test_report_of_the_next_run_during_an_old_check(void **state)
{
	(void)state;
	reports(&vm0->vcpu[0]);
	vm_stop(vm0, VM_STOP_CONSOLE_RESTART, "restart requested on the console");
	assert_int_equal(testbed_settle(), FAKE_EXIT_NONE);
	/* the new run panics while the old run's check is still open: it is checked after it */
	reports(&vm0->vcpu[0]);
	assert_int_equal(no_life_for(vm0, PANIC_CHECK_MS + 20), FAKE_EXIT_NONE);
	assert_false(said("panicked"));
	assert_int_equal(no_life_for(vm0, PANIC_CHECK_MS + 20), FAKE_EXIT_NONE);
	assert_true(said("[hv] vm0: the guest kernel panicked\r\n"));
	assert_int_equal(vm0->restart_count, 2);
}

static void test_stopped_during_a_check(void **state)
{
	(void)state;
	m.vm[0].on_crash = VM_ON_CRASH_HALT_BOARD;
	reports(&vm0->vcpu[0]);
	vm_stop(vm0, VM_STOP_CONSOLE, "stop requested on the console");
	assert_int_equal(testbed_settle(), FAKE_EXIT_NONE);
	assert_int_equal(time_passes(PANIC_CHECK_MS + 20), FAKE_EXIT_NONE);
	assert_int_equal(vm0->state, VM_STATE_OFF);
	assert_false(said("panicked") || said("halt-board"));
	assert_false(watching(vm0->vcpu[0].pcpu));
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_no_check_without_a_report),
		T(test_text_alone_opens_a_check),
		T(test_no_life_for_the_window_is_a_panic_1cpu),
		T(test_no_life_for_the_window_is_a_panic_2cpus),
		T(test_el0_time_means_running),
		T(test_el0_sample_without_a_pmu),
		T(test_idle_means_running),
		T(test_what_is_no_sign_of_life),
		T(test_halt_board_only_when_confirmed),
		T(test_a_report_during_a_check_is_checked_again),
		T(test_forged_reports_in_a_loop),
		T(test_restart_during_a_check_decides_nothing),
		T(test_report_of_the_next_run_during_an_old_check),
		T(test_stopped_during_a_check),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
