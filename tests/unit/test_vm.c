// SPDX-License-Identifier: MIT
/*
 * The VM life cycle (core/vm/vm.c) on the fake arch: creation from the
 * manifest, boot through the BOOT request on the VM's first CPU, and
 * stopping: vm_stop asks every CPU of the VM to park, the last one to park
 * finishes the stop, and the VM restarts or stays off according to the
 * reason and its on-crash policy. The board powers off
 * (FAKE_EXIT_BOARD_OFF) when a guest powers off the last VM still running.
 *
 * Each board CPU is driven by hand: fake.cpu = n, then the CPU handles its
 * requests as it would on its way back into the guest.
 */
#include "helpers.h"

#include <string.h>

#include <plat/layout.h>

#define RAM_SIZE 0x1000000ULL

static struct manifest m;
static struct testbed_memory mem;
static struct vm *vm0, *vm1;

static void clear_requests(void)
{
	for (uint32_t i = 0; i < FV_MAX_CPUS; i++) {
		pcpus[i].requests = 0;
		fake.kicks[i] = 0;
	}
}

static void create(uint32_t count, uint32_t cpus_each)
{
	vms_create(&m, &mem, count, cpus_each, RAM_SIZE, false);
	vm0 = &vms[0];
	vm1 = &vms[1];
	fake_uart_clear();
}

static int setup(void **state)
{
	(void)state;
	create(2, 2);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	testbed_memory_free(&mem);
	return 0;
}

/* CPU `cpu` handles its requests; how it left. */
static enum fake_exit run(uint32_t cpu)
{
	fake.cpu = cpu;
	return FAKE_CATCH(run_requests(&pcpus[cpu]));
}

/* FAKE_CATCH in functions of their own: in a long test body gcc warns (-Wclobbered). */
static enum fake_exit board_off_check(void)
{
	return FAKE_CATCH(vm_check_board_off());
}

static enum fake_exit stop(struct vm *vm, enum vm_stop_reason reason)
{
	return FAKE_CATCH(vm_stop(vm, reason, "stopped"));
}

static enum fake_exit crashed(struct vm *vm, enum vm_stop_reason reason)
{
	return FAKE_CATCH(vm_crashed(vm, reason, "crashed"));
}

static enum fake_exit before_entry(struct vcpu *v)
{
	fake.cpu = v->pcpu;
	return FAKE_CATCH(run_before_entry(v));
}

/* Boot a VM the way hv_main does, through its first CPU. */
static void boot(struct vm *vm)
{
	vm_request_boot(vm);
	assert_int_equal(run(vm->vcpu[0].pcpu), FAKE_EXIT_RUN);
	assert_int_equal(vm->state, VM_STATE_RUNNING);
}

/* Switch on vCPU n of a running VM and let its CPU start it. */
static void start_vcpu(struct vm *vm, uint32_t n)
{
	assert_int_equal(vcpu_power_on(&vm->vcpu[n], vm->cfg->entry, n), 0);
	assert_int_equal(run(vm->vcpu[n].pcpu), FAKE_EXIT_RUN);
	assert_int_equal(vm->vcpu[n].power, VCPU_ON);
}

static void test_create(void **state)
{
	(void)state;
	testbed_memory_free(&mem);
	testbed_manifest(&m, 2, 2);
	testbed_set_ram_size(&m, RAM_SIZE);
	m.vm[1].cpu[0] = 6; /* vCPUs may sit on any board CPUs */
	m.vm[1].cpu[1] = 4;
	testbed_add_virtio(&m, 1, 9);
	assert_true(testbed_create_vms(&m));
	testbed_memory_map(&mem, &m);
	vm1 = &vms[1];
	assert_int_equal(vm1->id, 1);
	assert_string_equal(vm1->name, "vm1");
	assert_int_equal(vm1->vcpu_count, 2);
	assert_int_equal(vm1->state, VM_STATE_OFF);
	for (uint32_t i = 0; i < 2; i++) {
		struct vcpu *v = &vm1->vcpu[i];
		assert_ptr_equal(v->vm, vm1);
		assert_int_equal(v->index, i);
		assert_int_equal(v->pcpu, m.vm[1].cpu[i]);
		assert_ptr_equal(pcpus[v->pcpu].vcpu, v);
		assert_ptr_equal(v->regs, &fake.frames[v->pcpu]);
		assert_int_equal(v->mpidr, BIT(31) | i);
		assert_int_equal(v->power, VCPU_OFF);
	}
	assert_null(pcpus[5].vcpu); /* a CPU no VM uses */
	/* its RAM is mapped at stage 2, and nothing else is */
	paddr_t pa;
	assert_true(s2_translate(&vm1->s2, ipa_init(m.vm[1].mem[0].ipa + 0x1234), &pa));
	assert_int_equal(pa_addr(pa), m.vm[1].mem[0].pa + 0x1234);
	assert_false(s2_translate(&vm1->s2, ipa_init(m.vm[1].mem[0].ipa + RAM_SIZE), &pa));
	assert_false(s2_translate(&vm1->s2, ipa_init(VBOARD_UART_BASE), &pa));
	assert_false(s2_translate(&vm1->s2, ipa_init(m.vm[0].mem[0].ipa), &pa));
	assert_int_equal(vm1->s2.vmid, 2);
	/* its interrupts: the UART (software, level) and its virtio slot (hardware, edge) */
	struct virq *uart = &vm1->vgic.spi[VBOARD_UART_INTID - VGIC_SPI_BASE];
	struct virq *dev = &vm1->vgic.spi[PLAT_VIRTIO_INTID_BASE + 9 - VGIC_SPI_BASE];
	assert_true(uart->exists && !uart->hw && !uart->edge);
	assert_true(dev->exists && dev->hw && dev->edge);
	assert_true(fake.spi[PLAT_VIRTIO_INTID_BASE + 9].edge);
	assert_false(vms[0].vgic.spi[PLAT_VIRTIO_INTID_BASE + 9 - VGIC_SPI_BASE].exists);
	/* and its console port */
	assert_string_equal(console_mux.port[vm1->console_port].name, "vm1");
	assert_true(console_mux.port[vm1->console_port].takes_input);
}

static void test_boot(void **state)
{
	(void)state;
	fake.cpu = 5;
	vm_request_boot(vm1);
	assert_int_equal(vm1->state, VM_STATE_BOOTING);
	assert_true(pcpus[vm1->vcpu[0].pcpu].requests & PCPU_REQ_BOOT);
	assert_int_equal(fake.kicks[vm1->vcpu[0].pcpu], 1);
	assert_int_equal(run(vm1->vcpu[0].pcpu), FAKE_EXIT_RUN);
	struct vcpu *v = &vm1->vcpu[0];
	assert_int_equal(vm1->state, VM_STATE_RUNNING);
	assert_int_equal(v->power, VCPU_ON);
	assert_int_equal(vm1->vcpu[1].power, VCPU_OFF);
	assert_int_equal(v->regs->pc, m.vm[1].entry);
	assert_int_equal(v->regs->x[0], m.vm[1].dtb.ipa); /* the device tree */
	for (uint32_t i = 1; i < 31; i++)
		assert_int_equal(v->regs->x[i], 0);
	assert_int_equal(fake.vcpu_resets[v->pcpu], 1);
	assert_int_equal(vm1->started_at, fake.counter);
	assert_memory_equal(mem.ram[1][0], mem.flash + m.image[0].offset, m.image[0].size);
	assert_int_equal(vm0->state, VM_STATE_OFF); /* the other VM was not booted */
	/* the vCPU's CPU only reached the guest through its own requests */
	assert_int_equal(run(vm1->vcpu[1].pcpu), FAKE_EXIT_NONE);
}

/*
 * A warm-reset board keeps its RAM: the first start of a VM finds whatever
 * the board's last run (another VM, another firmware) left there, and must
 * not pass it on to the guest. Every start scrubs, the first included.
 */
static void test_first_start_scrubs_ram(void **state)
{
	(void)state;
	uint8_t *left = mem.ram[1][0] + 0x800000;
	uint8_t *last = mem.ram[1][0] + RAM_SIZE - 1;

	*left = 0x5a;
	*last = 0xa5;
	mem.ram[0][0][0x800000] = 0x77;
	vm_request_boot(vm1);
	assert_int_equal(run(vm1->vcpu[0].pcpu), FAKE_EXIT_RUN);
	assert_int_equal(vm1->restart_count, 0);
	assert_int_equal(*left, 0);
	assert_int_equal(*last, 0);
	assert_memory_equal(mem.ram[1][0], mem.flash + m.image[0].offset, m.image[0].size);
	assert_int_equal(mem.ram[0][0][0x800000], 0x77); /* not another VM's RAM */
	assert_non_null(strstr(fake_uart_text(), "(RAM scrubbed in "));
}

static void test_stop_parks_every_cpu(void **state)
{
	(void)state;
	boot(vm0);
	boot(vm1);
	start_vcpu(vm0, 1);
	clear_requests();
	vm_stop(vm0, VM_STOP_POWEROFF, "the guest powered off");
	assert_int_equal(vm0->state, VM_STATE_STOPPING);
	assert_true(pcpus[vm0->vcpu[0].pcpu].requests & PCPU_REQ_PARK);
	assert_true(pcpus[vm0->vcpu[1].pcpu].requests & PCPU_REQ_PARK);
	assert_int_equal(pcpus[vm1->vcpu[0].pcpu].requests, 0);
	assert_int_equal(pcpus[vm1->vcpu[1].pcpu].requests, 0);
	assert_non_null(strstr(fake_uart_text(), "vm0: the guest powered off"));
	/* the first CPU parks: its vCPU is released, the VM is still stopping */
	uint32_t c0 = vm0->vcpu[0].pcpu, c1 = vm0->vcpu[1].pcpu;
	assert_int_equal(run(c0), FAKE_EXIT_NONE);
	assert_int_equal(vm0->vcpu[0].power, VCPU_OFF);
	assert_int_equal(fake.vtimer_masks[c0], 1);
	assert_int_equal(vm0->state, VM_STATE_STOPPING);
	assert_int_equal(vm0->vcpu[1].power, VCPU_ON);
	/* the last one finishes the stop; VM 1 still runs, so the board stays on */
	assert_int_equal(run(c1), FAKE_EXIT_NONE);
	assert_int_equal(vm0->vcpu[1].power, VCPU_OFF);
	assert_int_equal(fake.vtimer_masks[c1], 1);
	assert_int_equal(vm0->state, VM_STATE_OFF);
	assert_non_null(strstr(fake_uart_text(), "vm0: off"));
	assert_int_equal(vm1->state, VM_STATE_RUNNING);
	assert_int_equal(vm1->vcpu[0].power, VCPU_ON);
	/* an off VM's CPUs do not enter a guest */
	assert_int_equal(run(c0), FAKE_EXIT_NONE);
}

static void test_off_vcpus_park_too(void **state)
{
	(void)state;
	boot(vm0); /* vCPU 1 never switched on */
	boot(vm1);
	vm_stop(vm0, VM_STOP_POWEROFF, "off");
	assert_int_equal(run(vm0->vcpu[1].pcpu), FAKE_EXIT_NONE);
	assert_int_equal(vm0->state, VM_STATE_STOPPING);
	assert_int_equal(run(vm0->vcpu[0].pcpu), FAKE_EXIT_NONE);
	assert_int_equal(vm0->state, VM_STATE_OFF);
	/* a vCPU switched on but not yet started is stopped as well */
	vm_stop(vm1, VM_STOP_CONSOLE, "stopped from the console");
	boot(vm0);
	assert_int_equal(vcpu_power_on(&vm0->vcpu[1], vm0->cfg->entry, 0), 0);
	vm_stop(vm0, VM_STOP_POWEROFF, "off");
	assert_int_equal(run(vm0->vcpu[0].pcpu), FAKE_EXIT_NONE);
	uint32_t c1 = vm0->vcpu[1].pcpu;
	enum fake_exit e = run(c1); /* PARK and START together: parked, not started */
	assert_int_not_equal(e, FAKE_EXIT_RUN);
	assert_int_equal(vm0->vcpu[1].power, VCPU_OFF);
}

static void test_last_guest_poweroff_powers_board_off(void **state)
{
	(void)state;
	boot(vm0);
	boot(vm1);
	vm_stop(vm0, VM_STOP_POWEROFF, "off");
	assert_int_equal(run(vm0->vcpu[0].pcpu), FAKE_EXIT_NONE);
	assert_int_equal(run(vm0->vcpu[1].pcpu), FAKE_EXIT_NONE);
	vm_stop(vm1, VM_STOP_POWEROFF, "off");
	assert_int_equal(run(vm1->vcpu[0].pcpu), FAKE_EXIT_NONE);
	assert_int_equal(run(vm1->vcpu[1].pcpu), FAKE_EXIT_BOARD_OFF);
	assert_int_equal(vm1->state, VM_STATE_OFF);
	assert_non_null(strstr(fake_uart_text(), "every VM is off: powering the board off"));
}

static void test_board_off_check(void **state)
{
	(void)state;
	/* every VM off or failed: off; any VM booting, running or stopping: on */
	vm0->state = VM_STATE_FAILED;
	vm1->state = VM_STATE_BOOTING;
	assert_int_equal(board_off_check(), FAKE_EXIT_NONE);
	vm1->state = VM_STATE_STOPPING;
	assert_int_equal(board_off_check(), FAKE_EXIT_NONE);
	vm1->state = VM_STATE_RUNNING;
	assert_int_equal(board_off_check(), FAKE_EXIT_NONE);
	vm1->state = VM_STATE_OFF;
	assert_int_equal(board_off_check(), FAKE_EXIT_BOARD_OFF);
	vm0->state = VM_STATE_OFF;
	assert_int_equal(board_off_check(), FAKE_EXIT_BOARD_OFF);
}

static void park_all(struct vm *vm)
{
	for (uint32_t i = 0; i < vm->vcpu_count; i++)
		assert_int_equal(run(vm->vcpu[i].pcpu), FAKE_EXIT_NONE);
}

static void test_guest_reset_restarts(void **state)
{
	(void)state;
	boot(vm0);
	boot(vm1);
	start_vcpu(vm0, 1);
	uint8_t *scratch = mem.ram[0][0] + 0x800000;
	*scratch = 0xaa; /* left by the previous run */
	vm_stop(vm0, VM_STOP_RESET, "the guest asked for a reset");
	assert_true(vm0->restart_after_stop);
	park_all(vm0);
	assert_int_equal(vm0->restart_count, 1);
	assert_int_equal(vm0->state, VM_STATE_BOOTING);
	assert_true(pcpus[vm0->vcpu[0].pcpu].requests & PCPU_REQ_BOOT);
	assert_non_null(strstr(fake_uart_text(), "vm0: restarting (restart 1)"));
	/* vCPU 0's CPU boots it again from pristine images, with scrubbed RAM */
	mem.ram[0][0][0] ^= 0xff; /* the guest overwrote its kernel */
	assert_int_equal(run(vm0->vcpu[0].pcpu), FAKE_EXIT_RUN);
	assert_int_equal(vm0->state, VM_STATE_RUNNING);
	assert_int_equal(vm0->vcpu[0].power, VCPU_ON);
	assert_int_equal(vm0->vcpu[1].power, VCPU_OFF);
	assert_int_equal(fake.frames[vm0->vcpu[0].pcpu].pc, m.vm[0].entry);
	assert_int_equal(*scratch, 0);
	assert_memory_equal(mem.ram[0][0], mem.flash + m.image[0].offset, m.image[0].size);
	assert_int_equal(vm1->state, VM_STATE_RUNNING);
}

/* Stop VM 0 for `reason` with policy `policy`; what state it ends in. */
static uint32_t stop_with(enum vm_stop_reason reason, uint32_t policy)
{
	m.vm[0].on_crash = policy;
	boot(vm0);
	boot(vm1);
	vm_crashed(vm0, reason, "crashed");
	park_all(vm0);
	return vm0->state;
}

static void test_crash_policy_restart(void **state)
{
	(void)state;
	assert_int_equal(stop_with(VM_STOP_CRASH, VM_ON_CRASH_RESTART), VM_STATE_BOOTING);
	assert_int_equal(vm0->restart_count, 1);
}

static void test_crash_policy_stop(void **state)
{
	(void)state;
	assert_int_equal(stop_with(VM_STOP_CRASH, VM_ON_CRASH_STOP), VM_STATE_OFF);
	assert_int_equal(vm0->restart_count, 0);
	assert_false(pcpus[vm0->vcpu[0].pcpu].requests & PCPU_REQ_BOOT);
	assert_int_equal(vm1->state, VM_STATE_RUNNING);
}

static void test_watchdog_follows_crash_policy(void **state)
{
	(void)state;
	assert_int_equal(stop_with(VM_STOP_DEVICE, VM_ON_CRASH_RESTART), VM_STATE_BOOTING);
	teardown(NULL);
	setup(NULL);
	assert_int_equal(stop_with(VM_STOP_DEVICE, VM_ON_CRASH_STOP), VM_STATE_OFF);
}

static void test_poweroff_ignores_crash_policy(void **state)
{
	(void)state;
	m.vm[0].on_crash = VM_ON_CRASH_RESTART;
	m.vm[1].on_crash = VM_ON_CRASH_RESTART;
	boot(vm0);
	boot(vm1);
	/* a stop from the console is a stop, whatever the policy */
	vm_stop(vm1, VM_STOP_CONSOLE, "console");
	park_all(vm1);
	assert_int_equal(vm1->state, VM_STATE_OFF);
	assert_int_equal(vm1->restart_count, 0);
	/* so is the guest's own power-off; it was the last VM: the board goes off */
	vm_stop(vm0, VM_STOP_POWEROFF, "off");
	assert_int_equal(run(vm0->vcpu[0].pcpu), FAKE_EXIT_NONE);
	assert_int_equal(run(vm0->vcpu[1].pcpu), FAKE_EXIT_BOARD_OFF);
	assert_int_equal(vm0->state, VM_STATE_OFF);
	assert_int_equal(vm0->restart_count, 0);
}

static void test_crash_policy_halt_board(void **state)
{
	(void)state;
	m.vm[0].on_crash = VM_ON_CRASH_HALT_BOARD;
	boot(vm0);
	boot(vm1);
	assert_int_equal(crashed(vm0, VM_STOP_CRASH), FAKE_EXIT_BOARD_OFF);
	assert_non_null(strstr(fake_uart_text(), "its policy is halt-board"));
	/* a guest's own reset or power-off is not a crash */
	teardown(NULL);
	setup(NULL);
	m.vm[0].on_crash = VM_ON_CRASH_HALT_BOARD;
	boot(vm0);
	boot(vm1);
	assert_int_equal(stop(vm0, VM_STOP_RESET), FAKE_EXIT_NONE);
	park_all(vm0);
	assert_int_equal(vm0->state, VM_STATE_BOOTING);
}

static void test_stop_only_when_running(void **state)
{
	(void)state;
	/* an off VM: nothing to stop */
	vm_stop(vm0, VM_STOP_POWEROFF, "off");
	assert_int_equal(vm0->state, VM_STATE_OFF);
	for (uint32_t i = 0; i < FV_MAX_CPUS; i++)
		assert_false(pcpus[i].requests & PCPU_REQ_PARK);
	/* a second stop while stopping does not change the first one's outcome */
	boot(vm0);
	boot(vm1);
	vm_stop(vm0, VM_STOP_RESET, "reset");
	vm_stop(vm0, VM_STOP_POWEROFF, "off");
	assert_true(vm0->restart_after_stop);
	park_all(vm0);
	assert_int_equal(vm0->state, VM_STATE_BOOTING);
	assert_int_equal(vm0->restart_count, 1);
	/* a booting VM is not stopped either */
	vm_stop(vm0, VM_STOP_POWEROFF, "off");
	assert_int_equal(vm0->state, VM_STATE_BOOTING);
}

static void test_stop_of_one_vcpu_vm(void **state)
{
	(void)state;
	testbed_memory_free(&mem);
	create(3, 1);
	boot(&vms[0]);
	boot(&vms[1]);
	boot(&vms[2]);
	vm_stop(&vms[1], VM_STOP_RESET, "reset");
	/* on its way back into the guest, its CPU parks it, idles, and boots it again */
	assert_int_equal(before_entry(&vms[1].vcpu[0]), FAKE_EXIT_RUN);
	assert_int_equal(vms[1].state, VM_STATE_RUNNING);
	assert_int_equal(vms[1].restart_count, 1);
	for (uint32_t i = 0; i < 3; i++) {
		if (i == 1)
			continue;
		assert_int_equal(vms[i].state, VM_STATE_RUNNING);
		assert_int_equal(vms[i].restart_count, 0);
	}
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_create),
		T(test_boot),
		T(test_first_start_scrubs_ram),
		T(test_stop_parks_every_cpu),
		T(test_off_vcpus_park_too),
		T(test_last_guest_poweroff_powers_board_off),
		T(test_board_off_check),
		T(test_guest_reset_restarts),
		T(test_crash_policy_restart),
		T(test_crash_policy_stop),
		T(test_watchdog_follows_crash_policy),
		T(test_poweroff_ignores_crash_policy),
		T(test_crash_policy_halt_board),
		T(test_stop_only_when_running),
		T(test_stop_of_one_vcpu_vm),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
