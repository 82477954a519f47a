// SPDX-License-Identifier: MIT
/*
 * A fault the guest takes while executing its own exception vectors
 * (core/cpu/trap.c): a stage-2 data or instruction abort with the PC inside
 * [VBAR_EL1, VBAR_EL1 + 0x800) (fake.vbar) cannot be delivered, since the
 * injected abort would land in the vectors again, forever. It is an
 * unrecoverable guest fault: no abort is injected, and the VM's crash
 * policy applies (restart, stop, halt-board). Outside the vectors the same
 * fault is an abort injected into the guest; and accesses the hypervisor can
 * complete are fine from anywhere. (Whether the PC is in the vectors is the
 * arch layer's call; the fake compares with fake.vbar.)
 *
 * Two booted VMs of two vCPUs; CPUs settle as their kick interrupt would
 * make them.
 */
#include "helpers.h"

#include <string.h>

#include <fv/psci.h>
#include <fv/trap.h>
#include <plat/layout.h>

#define RAM_SIZE 0x1000000ULL
#define VBAR 0xffff800010010800ULL
#define HOLE 0x0c000000ULL /* nothing there */

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
	fake.vbar = VBAR;
	fake_uart_clear();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	testbed_memory_free(&mem);
	return 0;
}

static struct trap abort_at(enum trap_kind kind, uint64_t ipa, bool write)
{
	struct trap t = { .kind = kind };

	t.mem = (struct trap_mem){ .ipa = ipa_init(ipa),
				   .far = 0xffff000000000000ULL | ipa,
				   .valid = true,
				   .write = write,
				   .width = 4,
				   .reg = 1 };
	return t;
}

/* vCPU 0 of `vm`, at `pc`, takes the trap. */
static enum trap_outcome fault(struct vm *vm, uint64_t pc, const struct trap *t)
{
	struct vcpu *v = &vm->vcpu[0];

	fake.cpu = v->pcpu;
	v->regs->pc = pc;
	return trap_handle(v, t);
}

static enum fake_exit fault_caught(struct vm *vm, uint64_t pc, const struct trap *t)
{
	return FAKE_CATCH(fault(vm, pc, t));
}

static void test_data_abort_in_vectors(void **state)
{
	(void)state;
	struct trap t = abort_at(TRAP_DATA_ABORT, HOLE, false);

	/* the synchronous exception vector of the current EL */
	assert_int_equal(fault(vm0, VBAR + 0x200, &t), TRAP_REPLAY);
	assert_int_equal(fake.inject_count, 0);
	assert_int_equal(fake.last_inject, FAKE_INJECT_NONE);
	assert_int_equal(vm0->vcpu[0].stats.aborts, 1);
	assert_int_equal(vm0->state, VM_STATE_STOPPING);
	assert_int_equal(vm0->stop_reason, VM_STOP_CRASH);
	const char *out = fake_uart_text();
	assert_non_null(strstr(out, "[hv] vm0: vCPU 0 data abort at pc 0xffff800010010a00 inside its exception "
				    "vectors: unrecoverable\r\n"));
	assert_non_null(strstr(out, "[hv] vm0: an unrecoverable guest fault\r\n"));
	assert_null(strstr(out, "abort injected"));
	/* the default policy: restart */
	assert_int_equal(testbed_settle(), FAKE_EXIT_NONE);
	assert_int_equal(vm0->state, VM_STATE_RUNNING);
	assert_int_equal(vm0->restart_count, 1);
	assert_int_equal(vm1->state, VM_STATE_RUNNING);
	assert_int_equal(vm1->restart_count, 0);
}

static void test_instruction_abort_in_vectors(void **state)
{
	(void)state;
	struct trap t = abort_at(TRAP_INSN_ABORT, HOLE, false);

	assert_int_equal(fault(vm1, VBAR + 0x400, &t), TRAP_REPLAY);
	assert_int_equal(fake.inject_count, 0);
	assert_int_equal(vm1->state, VM_STATE_STOPPING);
	assert_int_equal(vm1->stop_reason, VM_STOP_CRASH);
	assert_non_null(strstr(fake_uart_text(), "vm1: vCPU 0 instruction abort at pc 0xffff800010010c00 inside"));
	assert_int_equal(testbed_settle(), FAKE_EXIT_NONE);
	assert_int_equal(vm1->restart_count, 1);
	assert_int_equal(vm0->restart_count, 0);
}

static void test_vector_table_bounds(void **state)
{
	(void)state;
	struct trap d = abort_at(TRAP_DATA_ABORT, HOLE, true);
	struct trap i = abort_at(TRAP_INSN_ABORT, HOLE, false);

	/* just before and just after the 2 KiB table: an ordinary fault, injected */
	assert_int_equal(fault(vm0, VBAR - 4, &d), TRAP_INJECTED);
	assert_int_equal(fake.last_inject, FAKE_INJECT_DABT);
	assert_int_equal(fault(vm0, VBAR + 0x800, &d), TRAP_INJECTED);
	assert_int_equal(fault(vm0, VBAR + 0x800, &i), TRAP_INJECTED);
	assert_int_equal(fake.last_inject, FAKE_INJECT_PABT);
	assert_int_equal(fake.inject_count, 3);
	assert_int_equal(vm0->state, VM_STATE_RUNNING);
	/* the table's last instruction is inside */
	assert_int_equal(fault(vm0, VBAR + 0x7fc, &d), TRAP_REPLAY);
	assert_int_equal(fake.inject_count, 3);
	assert_int_equal(vm0->state, VM_STATE_STOPPING);
}

static void test_first_vector_entry_is_inside(void **state)
{
	(void)state;
	struct trap t = abort_at(TRAP_DATA_ABORT, HOLE, false);

	assert_int_equal(fault(vm0, VBAR, &t), TRAP_REPLAY);
	assert_int_equal(fake.inject_count, 0);
	assert_int_equal(vm0->state, VM_STATE_STOPPING);
}

static void test_policy_stop(void **state)
{
	(void)state;
	struct trap t = abort_at(TRAP_DATA_ABORT, HOLE, false);

	m.vm[0].on_crash = VM_ON_CRASH_STOP;
	vm_request_stop(vm1, VM_STOP_CONSOLE, "stop requested on the console");
	assert_int_equal(testbed_settle(), FAKE_EXIT_NONE);
	/* vm0 is the last VM: stopped by its policy, the board stays on */
	assert_int_equal(fault(vm0, VBAR + 0x80, &t), TRAP_REPLAY);
	assert_int_equal(testbed_settle(), FAKE_EXIT_NONE);
	assert_int_equal(vm0->state, VM_STATE_OFF);
	assert_int_equal(vm0->restart_count, 0);
	assert_int_equal(fake.inject_count, 0);
}

static void test_policy_halt_board(void **state)
{
	(void)state;
	struct trap t = abort_at(TRAP_INSN_ABORT, HOLE, false);

	m.vm[1].on_crash = VM_ON_CRASH_HALT_BOARD;
	assert_int_equal(fault_caught(vm1, VBAR + 0x600, &t), FAKE_EXIT_BOARD_OFF);
	assert_int_equal(fake.inject_count, 0);
	assert_non_null(strstr(fake_uart_text(), "vm1: its policy is halt-board: powering the board off"));
}

static void test_completed_accesses_fine_in_vectors(void **state)
{
	(void)state;
	/* the guest's vectors print to the UART and read the distributor: emulated, no fault */
	struct trap uart = abort_at(TRAP_DATA_ABORT, VBOARD_UART_BASE, true);
	vm0->vcpu[0].regs->x[1] = '!';
	assert_int_equal(fault(vm0, VBAR + 0x200, &uart), TRAP_HANDLED);
	struct trap gicd = abort_at(TRAP_DATA_ABORT, VBOARD_GICD_BASE + 4, false);
	assert_int_equal(fault(vm0, VBAR + 0x280, &gicd), TRAP_HANDLED);
	/* and make a PSCI call */
	struct trap hvc = { .kind = TRAP_HVC };
	vm0->vcpu[0].regs->x[0] = PSCI_VERSION;
	assert_int_equal(fault(vm0, VBAR + 0x200, &hvc), TRAP_HANDLED);
	assert_int_equal(vm0->vcpu[0].regs->x[0], PSCI_VERSION_1_1);
	assert_int_equal(fake.inject_count, 0);
	assert_int_equal(vm0->state, VM_STATE_RUNNING);
	assert_int_equal(vm0->vcpu[0].stats.aborts, 0);
	/* an access it cannot decode is still a fault, and in the vectors an unrecoverable one */
	struct trap pair = abort_at(TRAP_DATA_ABORT, VBOARD_UART_BASE, false);
	pair.mem.valid = false;
	assert_int_equal(fault(vm0, VBAR + 0x200, &pair), TRAP_REPLAY);
	assert_int_equal(fake.inject_count, 0);
	assert_int_equal(vm0->state, VM_STATE_STOPPING);
}

static void test_fault_while_already_stopping(void **state)
{
	(void)state;
	struct trap t = abort_at(TRAP_DATA_ABORT, HOLE, false);

	/* stopped from the console, a vCPU faults in its vectors before it parks: the stop stands */
	vm_request_stop(vm0, VM_STOP_CONSOLE, "stop requested on the console");
	assert_int_equal(fault(vm0, VBAR + 0x200, &t), TRAP_REPLAY);
	assert_int_equal(fake.inject_count, 0);
	assert_int_equal(vm0->stop_reason, VM_STOP_CONSOLE);
	assert_int_equal(testbed_settle(), FAKE_EXIT_NONE);
	assert_int_equal(vm0->state, VM_STATE_OFF);
	assert_int_equal(vm0->restart_count, 0);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_data_abort_in_vectors),
		T(test_instruction_abort_in_vectors),
		T(test_vector_table_bounds),
		T(test_first_vector_entry_is_inside),
		T(test_policy_stop),
		T(test_policy_halt_board),
		T(test_completed_accesses_fine_in_vectors),
		T(test_fault_while_already_stopping),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
