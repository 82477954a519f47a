// SPDX-License-Identifier: MIT
/*
 * Stopping a VM whatever it is doing (vm_request_stop, core/vm/vm.c), and when
 * the board powers itself off. A VM that is off or failed is left alone; a
 * running one stops; one that is starting, or stopping for a restart, stays
 * off once that step is done, and the stop does not linger to spoil a later
 * start or restart. The board powers off by itself only when the last VM
 * still up was powered off by its own guest (PSCI SYSTEM_OFF); never when
 * the last one was stopped from the console, by the crash policy "stop", or
 * while it was starting.
 *
 * Two VMs of two vCPUs; CPUs handle their requests as their kick interrupt
 * would make them (testbed_settle), or one at a time where the order matters.
 */
#include "helpers.h"

#include <string.h>

#include <fv/psci.h>
#include <fv/trap.h>
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
	fake_uart_clear();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	testbed_memory_free(&mem);
	return 0;
}

static void boot(struct vm *vm)
{
	vm_request_boot(vm);
	assert_int_equal(testbed_settle(), FAKE_EXIT_NONE);
	assert_int_equal(vm->state, VM_STATE_RUNNING);
}

/* Stopped from the console, all the way to off. */
static void console_stop(struct vm *vm)
{
	vm_request_stop(vm, VM_STOP_CONSOLE, "stop requested on the console");
	assert_int_equal(testbed_settle(), FAKE_EXIT_NONE);
	assert_int_equal(vm->state, VM_STATE_OFF);
}

static bool no_requests(void)
{
	for (uint32_t i = 0; i < FV_MAX_CPUS; i++)
		if (pcpus[i].requests)
			return false;
	return true;
}

static enum fake_exit handle(uint32_t cpu)
{
	fake.cpu = cpu;
	return FAKE_CATCH(run_requests(&pcpus[cpu]));
}

/* The guest on vCPU 0 calls PSCI SYSTEM_OFF or SYSTEM_RESET; then every CPU settles. */
static enum fake_exit guest_calls(struct vm *vm, uint32_t fid)
{
	struct vcpu *v = &vm->vcpu[0];
	struct trap t = { .kind = TRAP_HVC };

	fake.cpu = v->pcpu;
	v->regs->x[0] = fid;
	assert_int_equal(trap_handle(v, &t), TRAP_HANDLED);
	return testbed_settle();
}

/* ---------------- each state ---------------- */

static void test_off_and_failed_left_alone(void **state)
{
	(void)state;
	boot(vm1);
	fake_uart_clear();
	vm_request_stop(vm0, VM_STOP_CONSOLE, "stop requested on the console");
	assert_int_equal(vm0->state, VM_STATE_OFF);
	assert_true(no_requests());
	assert_null(strstr(fake_uart_text(), "vm0"));
	/* failed: its image does not verify */
	mem.flash[m.image[0].offset + 3] ^= 0x10;
	vm_request_boot(vm0);
	assert_int_equal(testbed_settle(), FAKE_EXIT_NONE);
	assert_int_equal(vm0->state, VM_STATE_FAILED);
	vm_request_stop(vm0, VM_STOP_CONSOLE, "stop requested on the console");
	assert_int_equal(vm0->state, VM_STATE_FAILED);
	assert_true(no_requests());
	assert_int_equal(testbed_settle(), FAKE_EXIT_NONE);
	assert_int_equal(vm1->state, VM_STATE_RUNNING);
}

static void test_running_stops(void **state)
{
	(void)state;
	m.vm[0].on_crash = VM_ON_CRASH_RESTART; /* a stop is a stop, whatever the crash policy */
	boot(vm0);
	boot(vm1);
	vm_request_stop(vm0, VM_STOP_CONSOLE, "stop requested on the console");
	assert_int_equal(vm0->state, VM_STATE_STOPPING);
	assert_int_equal(vm0->stop_reason, VM_STOP_CONSOLE);
	assert_true(pcpus[vm0->vcpu[0].pcpu].requests & PCPU_REQ_PARK);
	assert_true(pcpus[vm0->vcpu[1].pcpu].requests & PCPU_REQ_PARK);
	assert_false(pcpus[vm1->vcpu[0].pcpu].requests & PCPU_REQ_PARK);
	assert_non_null(strstr(fake_uart_text(), "[hv] vm0: stop requested on the console\r\n"));
	assert_int_equal(testbed_settle(), FAKE_EXIT_NONE);
	assert_int_equal(vm0->state, VM_STATE_OFF);
	assert_int_equal(vm0->restart_count, 0);
	assert_int_equal(vm0->vcpu[0].power, VCPU_OFF);
	assert_int_equal(vm1->state, VM_STATE_RUNNING);
}

static void test_booting_stays_off(void **state)
{
	(void)state;
	boot(vm1);
	uint32_t cpu = vm0->vcpu[0].pcpu;
	uint32_t resets = fake.vcpu_resets[cpu];

	vm_request_boot(vm0);
	vm_request_stop(vm0, VM_STOP_CONSOLE, "stop requested on the console");
	assert_int_equal(vm0->state, VM_STATE_BOOTING); /* until its CPU gets to it */
	assert_non_null(
		strstr(fake_uart_text(), "[hv] vm0: stop requested on the console; it stops as soon as it can\r\n"));
	assert_int_equal(testbed_settle(), FAKE_EXIT_NONE);
	assert_int_equal(vm0->state, VM_STATE_OFF);
	assert_int_equal(fake.vcpu_resets[cpu], resets); /* no guest was entered */
	assert_int_equal(vm0->vcpu[0].power, VCPU_OFF);
	assert_non_null(strstr(fake_uart_text(), "[hv] vm0: off (stopped while starting)\r\n"));
	assert_null(strstr(fake_uart_text(), "vm0: images loaded"));
	assert_int_equal(vm1->state, VM_STATE_RUNNING);
}

static void test_stopping_for_restart_stays_off(void **state)
{
	(void)state;
	static const enum vm_stop_reason restarts[] = { VM_STOP_RESET, VM_STOP_CONSOLE_RESTART, VM_STOP_CRASH,
							VM_STOP_DEVICE };

	m.vm[0].on_crash = VM_ON_CRASH_RESTART;
	boot(vm1);
	for (uint32_t i = 0; i < ARRAY_SIZE(restarts); i++) {
		boot(vm0);
		vm_stop(vm0, restarts[i], "restarting");
		assert_true(vm0->restart_after_stop);
		vm_request_stop(vm0, VM_STOP_CONSOLE, "stop requested on the console");
		assert_int_equal(vm0->state, VM_STATE_STOPPING);
		assert_int_equal(testbed_settle(), FAKE_EXIT_NONE);
		assert_int_equal(vm0->state, VM_STATE_OFF);
		assert_int_equal(vm0->restart_count, 0);
		assert_true(no_requests());
	}
	assert_null(strstr(fake_uart_text(), "vm0: restarting ("));
}

static void test_restart_between_park_and_boot_stays_off(void **state)
{
	(void)state;
	boot(vm0);
	boot(vm1);
	vm_stop(vm0, VM_STOP_RESET, "the guest asked for a reset");
	/* both CPUs parked: the restart has begun, the images are not loaded yet */
	assert_int_equal(handle(vm0->vcpu[1].pcpu), FAKE_EXIT_NONE);
	assert_int_equal(handle(vm0->vcpu[0].pcpu), FAKE_EXIT_NONE);
	assert_int_equal(vm0->state, VM_STATE_BOOTING);
	assert_int_equal(vm0->restart_count, 1);
	vm_request_stop(vm0, VM_STOP_CONSOLE, "stop requested on the console");
	assert_int_equal(testbed_settle(), FAKE_EXIT_NONE);
	assert_int_equal(vm0->state, VM_STATE_OFF);
	assert_int_equal(vm0->vcpu[0].power, VCPU_OFF);
}

static void test_stop_does_not_linger(void **state)
{
	(void)state;
	boot(vm1);
	/* stopped while starting, then started: it runs, and a reset restarts it */
	vm_request_boot(vm0);
	vm_request_stop(vm0, VM_STOP_CONSOLE, "stop requested on the console");
	assert_int_equal(testbed_settle(), FAKE_EXIT_NONE);
	boot(vm0);
	assert_int_equal(guest_calls(vm0, PSCI_SYSTEM_RESET), FAKE_EXIT_NONE);
	assert_int_equal(vm0->state, VM_STATE_RUNNING);
	assert_int_equal(vm0->restart_count, 1);
	/* stopped while stopping for a restart, then started: the same */
	vm_stop(vm0, VM_STOP_RESET, "the guest asked for a reset");
	vm_request_stop(vm0, VM_STOP_CONSOLE, "stop requested on the console");
	assert_int_equal(testbed_settle(), FAKE_EXIT_NONE);
	assert_int_equal(vm0->state, VM_STATE_OFF);
	boot(vm0);
	assert_int_equal(guest_calls(vm0, PSCI_SYSTEM_RESET), FAKE_EXIT_NONE);
	assert_int_equal(vm0->state, VM_STATE_RUNNING);
	assert_int_equal(vm0->restart_count, 2);
}

static void test_second_stop_request_changes_nothing(void **state)
{
	(void)state;
	boot(vm0);
	boot(vm1);
	vm_request_stop(vm0, VM_STOP_CONSOLE, "stop requested on the console");
	vm_request_stop(vm0, VM_STOP_CONSOLE, "stop requested on the console");
	assert_int_equal(vm0->stop_reason, VM_STOP_CONSOLE);
	assert_int_equal(testbed_settle(), FAKE_EXIT_NONE);
	assert_int_equal(vm0->state, VM_STATE_OFF);
	/* and the next start is not stopped by the leftover of the second request */
	boot(vm0);
	assert_int_equal(vm0->vcpu[0].power, VCPU_ON);
}

/* ---------------- when the board powers itself off ---------------- */

static void test_last_guest_poweroff_powers_board_off(void **state)
{
	(void)state;
	boot(vm0);
	boot(vm1);
	/* the first guest's power-off leaves the board on for the other VM */
	assert_int_equal(guest_calls(vm0, PSCI_SYSTEM_OFF), FAKE_EXIT_NONE);
	assert_int_equal(vm0->state, VM_STATE_OFF);
	assert_null(strstr(fake_uart_text(), "powering the board off"));
	/* the last one's powers the board off */
	assert_int_equal(guest_calls(vm1, PSCI_SYSTEM_OFF), FAKE_EXIT_BOARD_OFF);
	assert_int_equal(vm1->state, VM_STATE_OFF);
	assert_non_null(strstr(fake_uart_text(), "[hv] every VM is off: powering the board off\r\n"));
}

static void test_last_guest_poweroff_after_console_stop(void **state)
{
	(void)state;
	boot(vm0);
	boot(vm1);
	console_stop(vm1);
	assert_int_equal(guest_calls(vm0, PSCI_SYSTEM_OFF), FAKE_EXIT_BOARD_OFF);
}

static void test_console_stop_of_last_vm_leaves_board_on(void **state)
{
	(void)state;
	boot(vm0);
	boot(vm1);
	assert_int_equal(guest_calls(vm0, PSCI_SYSTEM_OFF), FAKE_EXIT_NONE);
	console_stop(vm1);
	assert_null(strstr(fake_uart_text(), "powering the board off"));
	/* the user may start one again */
	boot(vm1);
}

static void test_console_stop_while_starting_leaves_board_on(void **state)
{
	(void)state;
	boot(vm1);
	console_stop(vm1);
	vm_request_boot(vm0);
	vm_request_stop(vm0, VM_STOP_CONSOLE, "stop requested on the console");
	assert_int_equal(testbed_settle(), FAKE_EXIT_NONE);
	assert_int_equal(vm0->state, VM_STATE_OFF);
	/* and while stopping for a restart */
	boot(vm0);
	vm_stop(vm0, VM_STOP_RESET, "the guest asked for a reset");
	vm_request_stop(vm0, VM_STOP_CONSOLE, "stop requested on the console");
	assert_int_equal(testbed_settle(), FAKE_EXIT_NONE);
	assert_int_equal(vm0->state, VM_STATE_OFF);
	assert_null(strstr(fake_uart_text(), "powering the board off"));
}

static void test_crash_policy_stop_of_last_vm_leaves_board_on(void **state)
{
	(void)state;
	static const enum vm_stop_reason crashes[] = { VM_STOP_CRASH, VM_STOP_DEVICE };

	m.vm[0].on_crash = VM_ON_CRASH_STOP;
	boot(vm1);
	console_stop(vm1);
	for (uint32_t i = 0; i < ARRAY_SIZE(crashes); i++) {
		boot(vm0);
		vm_crashed(vm0, crashes[i], "crashed");
		assert_int_equal(testbed_settle(), FAKE_EXIT_NONE);
		assert_int_equal(vm0->state, VM_STATE_OFF);
		assert_int_equal(vm0->restart_count, 0);
	}
	assert_null(strstr(fake_uart_text(), "powering the board off"));
}

static void test_poweroff_while_another_vm_restarts(void **state)
{
	(void)state;
	boot(vm0);
	boot(vm1);
	/* vm1 is between stop and start when vm0's guest powers off: not the last VM up */
	vm_stop(vm1, VM_STOP_RESET, "the guest asked for a reset");
	assert_int_equal(handle(vm1->vcpu[1].pcpu), FAKE_EXIT_NONE);
	assert_int_equal(handle(vm1->vcpu[0].pcpu), FAKE_EXIT_NONE);
	assert_int_equal(vm1->state, VM_STATE_BOOTING);
	assert_int_equal(guest_calls(vm0, PSCI_SYSTEM_OFF), FAKE_EXIT_NONE);
	assert_int_equal(vm0->state, VM_STATE_OFF);
	assert_int_equal(vm1->state, VM_STATE_RUNNING);
	/* vm1 stopping (for a reset) when vm0 powers off: the same */
	boot(vm0);
	vm_stop(vm1, VM_STOP_RESET, "the guest asked for a reset");
	fake.cpu = vm0->vcpu[0].pcpu;
	struct trap t = { .kind = TRAP_HVC };
	vm0->vcpu[0].regs->x[0] = PSCI_SYSTEM_OFF;
	assert_int_equal(trap_handle(&vm0->vcpu[0], &t), TRAP_HANDLED);
	assert_int_equal(handle(vm0->vcpu[1].pcpu), FAKE_EXIT_NONE);
	assert_int_equal(handle(vm0->vcpu[0].pcpu), FAKE_EXIT_NONE);
	assert_int_equal(vm0->state, VM_STATE_OFF);
	assert_int_equal(testbed_settle(), FAKE_EXIT_NONE);
	assert_int_equal(vm1->state, VM_STATE_RUNNING);
}

static void test_poweroff_beside_a_failed_vm(void **state)
{
	(void)state;
	boot(vm0);
	mem.flash[m.image[2].offset] ^= 0x01; /* the device tree both VMs load: vm1 cannot start */
	vm_request_boot(vm1);
	assert_int_equal(testbed_settle(), FAKE_EXIT_NONE);
	assert_int_equal(vm1->state, VM_STATE_FAILED);
	/* a failed VM is not up: vm0 was the last */
	assert_int_equal(guest_calls(vm0, PSCI_SYSTEM_OFF), FAKE_EXIT_BOARD_OFF);
}

/* ---------------- devices ---------------- */

static struct {
	uint64_t pa[8];
	uint64_t value[8];
	uint32_t count;
} dev_writes;

static void record_write(uint64_t pa, unsigned int width, uint64_t value)
{
	assert_int_equal(width, 4);
	assert_true(dev_writes.count < 8);
	dev_writes.pa[dev_writes.count] = pa;
	dev_writes.value[dev_writes.count++] = value;
}

#define SLOT_STATUS(n) (PLAT_VIRTIO_BASE + (n)*PLAT_VIRTIO_STRIDE + 0x70)

/* A stop or a restart resets the VM's own virtio devices (Status = 0), no one else's. */
static void test_stop_and_restart_reset_own_devices(void **state)
{
	(void)state;
	testbed_memory_free(&mem);
	testbed_manifest(&m, 2, 2);
	testbed_set_ram_size(&m, RAM_SIZE);
	testbed_add_virtio(&m, 0, 5);
	testbed_add_virtio(&m, 0, 6);
	testbed_add_virtio(&m, 1, 7);
	assert_true(testbed_create_vms(&m));
	testbed_memory_map(&mem, &m);
	memset(&dev_writes, 0, sizeof(dev_writes));
	fake.mmio_write = record_write;
	boot(vm0);
	boot(vm1);
	assert_int_equal(dev_writes.count, 0);
	console_stop(vm0);
	assert_int_equal(dev_writes.count, 2);
	assert_int_equal(dev_writes.pa[0], SLOT_STATUS(5));
	assert_int_equal(dev_writes.pa[1], SLOT_STATUS(6));
	assert_int_equal(dev_writes.value[0] | dev_writes.value[1], 0);
	assert_int_equal(guest_calls(vm1, PSCI_SYSTEM_RESET), FAKE_EXIT_NONE);
	assert_int_equal(vm1->state, VM_STATE_RUNNING);
	assert_int_equal(vm1->restart_count, 1);
	assert_int_equal(dev_writes.count, 3);
	assert_int_equal(dev_writes.pa[2], SLOT_STATUS(7));
	assert_int_equal(dev_writes.value[2], 0);
	fake.mmio_write = NULL;
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_off_and_failed_left_alone),
		T(test_running_stops),
		T(test_booting_stays_off),
		T(test_stopping_for_restart_stays_off),
		T(test_restart_between_park_and_boot_stays_off),
		T(test_stop_does_not_linger),
		T(test_second_stop_request_changes_nothing),
		T(test_last_guest_poweroff_powers_board_off),
		T(test_last_guest_poweroff_after_console_stop),
		T(test_console_stop_of_last_vm_leaves_board_on),
		T(test_console_stop_while_starting_leaves_board_on),
		T(test_crash_policy_stop_of_last_vm_leaves_board_on),
		T(test_poweroff_while_another_vm_restarts),
		T(test_poweroff_beside_a_failed_vm),
		T(test_stop_and_restart_reset_own_devices),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
