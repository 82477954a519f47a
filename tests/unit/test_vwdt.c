// SPDX-License-Identifier: MIT
/*
 * The SP805 watchdog each VM may have (core/dev/vwdt.c, SP805 TRM DDI 0270B),
 * and what the hypervisor does with it (core/boot/hv.c, watchdogs_poll, run by
 * the hypervisor timer). The model: register map and reset values, 32-bit
 * aligned accesses only, the lock, a count that runs down from Load at
 * VWDT_CLOCK_HZ while INTEN is set (time is fake.counter at
 * fake.freq), the interrupt at the first zero (RIS, MIS, the VM's
 * TESTBED_WDT_INTID line through the vGIC), the reset at the second one with
 * RESEN set (reported by vwdt_poll exactly once), IntClr and Load restarting
 * the count. The hypervisor: a hypervisor timer interrupt (queued with
 * fake_raise, taken by irq_handle) raises the guest's interrupt, then
 * applies the VM's crash policy when the watchdog resets; registers that see
 * the reset first have the timer fire at once.
 *
 * Two running VMs of two vCPUs; only VM 0 has a watchdog.
 */
#include "helpers.h"

#include <string.h>
#include <unistd.h>

#include <fv/irq.h>
#include <fv/trap.h>
#include <plat/layout.h>

#define RAM_SIZE 0x1000000ULL

#define LOAD 0x000U
#define VALUE 0x004U
#define CONTROL 0x008U
#define INTCLR 0x00cU
#define RIS 0x010U
#define MIS 0x014U
#define LOCK 0xc00U
#define ITCR 0xf00U
#define ITOP 0xf04U
#define INTEN 1U
#define RESEN 2U
#define UNLOCK_KEY 0x1acce551U

static struct manifest m;
static struct testbed_memory mem;
static struct vm *vm0, *vm1;
static struct vwdt *w;
static uint32_t cpu0; /* the board CPU of VM 0's vCPU 0, which makes the accesses */

static int setup(void **state)
{
	(void)state;
	testbed_manifest(&m, 2, 2);
	testbed_set_ram_size(&m, RAM_SIZE);
	testbed_add_watchdog(&m, 0);
	testbed_redigest(&m);
	assert_true(testbed_create_vms(&m));
	testbed_memory_map(&mem, &m);
	testbed_console_as_hv();
	vm0 = &vms[0];
	vm1 = &vms[1];
	w = vwdt_of(vm0);
	cpu0 = vm0->vcpu[0].pcpu;
	fake.counter = 10 * fake.freq;
	vms_boot();
	fake.cpu = cpu0;
	fake_uart_clear();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	testbed_memory_free(&mem);
	return 0;
}

/* A guest's 32-bit access from VM 0's first CPU. */
static uint32_t rd(uint64_t off)
{
	uint64_t v = 0xdeadbeefcafeULL;

	fake.cpu = cpu0;
	assert_true(vwdt_read(w, off, 4, &v));
	assert_true(v <= 0xffffffffULL);
	return (uint32_t)v;
}

static void wr(uint64_t off, uint32_t v)
{
	fake.cpu = cpu0;
	assert_true(vwdt_write(w, off, 4, v));
}

/* The level of VM 0's watchdog interrupt line at its vGIC. */
static bool line(void)
{
	const struct virq *irq = &vm0->vgic.spi[TESTBED_WDT_INTID - VGIC_SPI_BASE];

	assert_true(irq->exists);
	return irq->level;
}

static bool poll_expired(uint64_t *next)
{
	bool expired = false;

	*next = vwdt_poll(w, fake.counter, &expired);
	return expired;
}

/* Start counting from `load` at the current time, at this counter frequency. */
static void start(uint64_t freq, uint32_t load, uint32_t control)
{
	fake.freq = freq;
	vwdt_reset(w);
	wr(LOAD, load);
	wr(CONTROL, control);
}

/* ---------------- the register file ---------------- */

static void test_reset_values_and_ids(void **state)
{
	(void)state;
	assert_int_equal(rd(LOAD), 0xffffffffU);
	assert_int_equal(rd(VALUE), 0xffffffffU);
	assert_int_equal(rd(CONTROL), 0);
	assert_int_equal(rd(RIS), 0);
	assert_int_equal(rd(MIS), 0);
	assert_int_equal(rd(LOCK), 0);
	assert_int_equal(rd(ITCR), 0);
	assert_int_equal(rd(ITOP), 0);
	assert_false(line());
	/* PeriphID0-3 spell the SP805 (part 0x805, designer Arm, revision 1): Linux's amba_id 0x00141805 */
	uint32_t periph = 0, cell = 0;
	for (uint32_t i = 0; i < 4; i++) {
		periph |= rd(0xfe0 + 4 * i) << (8 * i);
		cell |= rd(0xff0 + 4 * i) << (8 * i);
	}
	assert_int_equal(periph, 0x00141805U);
	assert_int_equal(cell, 0xb105f00dU); /* PrimeCell ID */
	/* reserved and write-only offsets read as zero */
	const uint64_t zero[] = { INTCLR, 0x018, 0x400, 0xbfc, 0xc04, 0xf08, 0xfdc };
	for (uint32_t i = 0; i < ARRAY_SIZE(zero); i++)
		assert_int_equal(rd(zero[i]), 0);
}

static void test_only_aligned_32_bit_accesses(void **state)
{
	(void)state;
	uint64_t v = 0x1234;
	const unsigned int widths[] = { 1, 2, 8 };

	for (uint32_t i = 0; i < ARRAY_SIZE(widths); i++) {
		assert_false(vwdt_read(w, LOAD, widths[i], &v));
		assert_false(vwdt_write(w, LOAD, widths[i], 5));
		assert_false(vwdt_write(w, CONTROL, widths[i], INTEN));
	}
	for (uint64_t off = 1; off < 4; off++) {
		assert_false(vwdt_read(w, LOAD + off, 4, &v));
		assert_false(vwdt_write(w, LOAD + off, 4, 5));
		assert_false(vwdt_write(w, LOCK + off, 4, 0));
	}
	assert_int_equal(v, 0x1234); /* nothing read */
	assert_int_equal(rd(LOAD), 0xffffffffU);
	assert_int_equal(rd(CONTROL), 0);
	assert_int_equal(rd(LOCK), 0);
}

static void test_write_masks_and_read_only_registers(void **state)
{
	(void)state;
	wr(CONTROL, 0xfffffffcU); /* only INTEN and RESEN exist */
	assert_int_equal(rd(CONTROL), 0);
	wr(ITCR, 0xffffffffU);
	assert_int_equal(rd(ITCR), 1);
	wr(ITOP, 0xffffffffU);
	assert_int_equal(rd(ITOP), 3);
	wr(LOAD, 1234);
	/* Value, RIS, MIS and the IDs ignore writes */
	wr(VALUE, 7);
	wr(RIS, 1);
	wr(MIS, 1);
	wr(0xfe0, 0);
	assert_int_equal(rd(VALUE), 1234);
	assert_int_equal(rd(RIS), 0);
	assert_int_equal(rd(MIS), 0);
	assert_int_equal(rd(0xfe0), 0x05);
	assert_int_equal(rd(LOAD), 1234);
	wr(CONTROL, 0xffffffffU);
	assert_int_equal(rd(CONTROL), INTEN | RESEN);
}

static void test_lock(void **state)
{
	(void)state;
	wr(LOAD, 1500);
	/* anything but the key locks */
	wr(LOCK, UNLOCK_KEY - 1);
	assert_int_equal(rd(LOCK), 1);
	wr(LOAD, 100);
	wr(CONTROL, INTEN | RESEN);
	wr(ITCR, 1);
	wr(ITOP, 3);
	assert_int_equal(rd(LOAD), 1500);
	assert_int_equal(rd(CONTROL), 0);
	assert_int_equal(rd(ITCR), 0);
	assert_int_equal(rd(ITOP), 0);
	/* the key unlocks */
	wr(LOCK, UNLOCK_KEY);
	assert_int_equal(rd(LOCK), 0);
	wr(CONTROL, INTEN);
	assert_int_equal(rd(CONTROL), INTEN);
	/* a locked watchdog keeps counting; IntClr is ignored too */
	wr(LOCK, 0);
	fake.counter += 1501;
	assert_int_equal(rd(RIS), 1);
	wr(INTCLR, 1);
	wr(CONTROL, 0);
	assert_int_equal(rd(RIS), 1);
	assert_int_equal(rd(CONTROL), INTEN);
	assert_true(line());
}

/* ---------------- counting ---------------- */

static void test_value_counts_down(void **state)
{
	(void)state;
	/* 62.5 MHz system counter (QEMU's), 1 MHz watchdog clock */
	start(62500000, 1000000, INTEN);
	assert_int_equal(rd(VALUE), 1000000);
	fake.counter += 62500000 / 4; /* 250 ms */
	assert_int_equal(rd(VALUE), 750000);
	fake.counter += 62500000 / 2;
	assert_int_equal(rd(VALUE), 250000);
	assert_int_equal(rd(RIS), 0);
	/* without INTEN the counter stands: Value reads Load */
	wr(CONTROL, 0);
	assert_int_equal(rd(VALUE), 1000000);
	/* at 1 MHz one counter tick is one watchdog tick: down to zero, then reloaded */
	start(1000000, 1999, INTEN);
	fake.counter += 1999;
	assert_int_equal(rd(VALUE), 0);
	assert_int_equal(rd(RIS), 0);
	fake.counter += 1;
	assert_int_equal(rd(VALUE), 1999);
	assert_int_equal(rd(RIS), 1);
	fake.counter += 40;
	assert_int_equal(rd(VALUE), 1959);
}

static void test_first_zero_raises_interrupt(void **state)
{
	(void)state;
	uint64_t next;

	start(1000000, 999, INTEN); /* 1000 ticks to zero */
	uint64_t t0 = fake.counter;
	assert_false(poll_expired(&next));
	assert_int_equal(next, t0 + 1000);
	fake.counter = t0 + 999;
	assert_false(poll_expired(&next));
	assert_false(line());
	fake.counter = t0 + 1000;
	assert_false(poll_expired(&next));
	assert_true(line());
	assert_int_equal(rd(RIS), 1);
	assert_int_equal(rd(MIS), 1);
	/* no RESEN: only silent reloads from here, nothing to wake the hypervisor for */
	assert_int_equal(next, 0);
	fake.counter += 1000000;
	assert_false(poll_expired(&next));
	assert_int_equal(next, 0);
	assert_true(line());
	/* disabling the interrupt masks it; the raw status stays */
	wr(CONTROL, 0);
	assert_false(line());
	assert_int_equal(rd(RIS), 1);
	assert_int_equal(rd(MIS), 0);
	/* and IntClr clears it */
	wr(INTCLR, 0);
	assert_int_equal(rd(RIS), 0);
}

static void test_intclr_clears_and_reloads(void **state)
{
	(void)state;
	uint64_t next;

	start(1000000, 999, INTEN | RESEN);
	fake.counter += 1500;
	assert_int_equal(rd(VALUE), 499); /* the look brings the model up to date */
	assert_true(line());
	wr(INTCLR, 0x5a5a);
	assert_false(line());
	assert_int_equal(rd(RIS), 0);
	assert_int_equal(rd(VALUE), 999); /* the count starts again from Load */
	assert_false(poll_expired(&next));
	assert_int_equal(next, fake.counter + 1000);
	/* so the second zero is a first one again: an interrupt, no reset */
	fake.counter += 1000;
	assert_false(poll_expired(&next));
	assert_true(line());
}

static void test_second_zero_with_resen_resets_once(void **state)
{
	(void)state;
	uint64_t next;

	start(1000000, 999, INTEN | RESEN);
	uint64_t t0 = fake.counter;
	fake.counter = t0 + 1000;
	assert_false(poll_expired(&next));
	assert_true(line());
	assert_int_equal(next, t0 + 2000); /* the reset, unless serviced */
	fake.counter = t0 + 1999;
	assert_false(poll_expired(&next));
	fake.counter = t0 + 2000;
	assert_true(poll_expired(&next));
	assert_int_equal(next, 0);
	/* reported once only */
	fake.counter += 5000;
	assert_false(poll_expired(&next));
	assert_int_equal(next, 0);
	/* once reset, writes are ignored (the VM is being reset), the lock aside */
	wr(INTCLR, 0);
	wr(LOAD, 5);
	wr(CONTROL, 0);
	assert_int_equal(rd(RIS), 1);
	assert_int_equal(rd(LOAD), 999);
	assert_int_equal(rd(CONTROL), INTEN | RESEN);
	/* a reset brings the watchdog back to its power-on state */
	vwdt_reset(w);
	assert_int_equal(rd(CONTROL), 0);
	assert_int_equal(rd(RIS), 0);
	assert_false(line());
	assert_false(poll_expired(&next));
}

static void test_without_resen_never_resets(void **state)
{
	(void)state;
	uint64_t next;

	start(1000000, 999, INTEN);
	for (uint32_t i = 0; i < 50; i++) {
		fake.counter += 777;
		assert_false(poll_expired(&next));
	}
	/* RESEN set later: the next zero with the interrupt still raised resets */
	wr(CONTROL, INTEN | RESEN);
	assert_int_equal(rd(RIS), 1);
	assert_false(poll_expired(&next));
	assert_true(next > fake.counter && next <= fake.counter + 1000); /* the next zero */
	fake.counter = next;
	assert_true(poll_expired(&next));
}

static void test_serviced_watchdog_never_resets(void **state)
{
	(void)state;
	uint64_t next;

	/* Linux's sp805_wdt pings by unlocking, writing Load and IntClr, and locking again */
	start(1000000, 999, INTEN | RESEN);
	wr(LOCK, 0);
	for (uint32_t i = 0; i < 200; i++) {
		fake.counter += 1500; /* past one zero, short of the second */
		assert_false(poll_expired(&next));
		wr(LOCK, UNLOCK_KEY);
		wr(LOAD, 999);
		wr(INTCLR, 1);
		wr(LOCK, 1);
		assert_false(line());
	}
	/* forgotten: two zeros later it resets */
	fake.counter += 2000;
	assert_true(poll_expired(&next));
}

/*
 * The timer's poll reads the time, then takes the watchdog's lock; a guest
 * that services the watchdog between the two must not have the poll see its
 * count from before the service (the subtraction wrapped: a false reset,
 * and the VM's crash policy, halt-board included).
 */
static void test_poll_from_before_a_service_sees_no_time(void **state)
{
	(void)state;
	uint64_t next;

	start(1000000, 999, INTEN | RESEN);
	fake.counter += 1500; /* past one zero: the interrupt is raised */
	uint64_t stale = fake.counter;
	fake.counter += 10;
	wr(LOAD, 999); /* serviced, after the poll read the time */
	wr(INTCLR, 1);
	bool expired = false;
	next = vwdt_poll(w, stale, &expired);
	assert_false(expired);
	assert_false(line());
	assert_true(next > fake.counter); /* its next event is still ahead */
	fake.counter += 1500;
	assert_false(poll_expired(&next)); /* one zero since the service: interrupt only */
	assert_true(line());
}

static void test_load_restarts_the_count(void **state)
{
	(void)state;
	uint64_t next;

	start(1000000, 999, INTEN | RESEN);
	fake.counter += 900;
	wr(LOAD, 4999);
	assert_int_equal(rd(VALUE), 4999);
	assert_false(poll_expired(&next));
	assert_int_equal(next, fake.counter + 5000);
	fake.counter += 4999;
	assert_int_equal(rd(RIS), 0);
	fake.counter += 1;
	assert_int_equal(rd(RIS), 1);
}

static void test_disabling_stops_counting(void **state)
{
	(void)state;
	uint64_t next;

	start(1000000, 999, INTEN | RESEN);
	fake.counter += 700;
	wr(CONTROL, RESEN);
	assert_false(poll_expired(&next));
	assert_int_equal(next, 0);
	fake.counter += 100ULL * 1000000; /* 100 s with the counter stopped */
	assert_false(poll_expired(&next));
	assert_int_equal(rd(RIS), 0);
	assert_int_equal(rd(VALUE), 999);
	/* enabling again starts a fresh count from Load */
	wr(CONTROL, INTEN | RESEN);
	assert_false(poll_expired(&next));
	assert_int_equal(next, fake.counter + 1000);
	fake.counter += 999;
	assert_int_equal(rd(RIS), 0);
	fake.counter += 1;
	assert_int_equal(rd(RIS), 1);
}

static void test_zero_load(void **state)
{
	(void)state;
	uint64_t next;

	/* Load 0 counts as the shortest period the model runs (1 ms), not one tick */
	start(1000000, 0, INTEN | RESEN);
	assert_int_equal(rd(VALUE), 0);
	assert_int_equal(rd(LOAD), 0); /* as written */
	fake.counter += 1;
	assert_int_equal(rd(RIS), 0);
	assert_false(poll_expired(&next));
	assert_int_equal(next, fake.counter - 1 + VWDT_MIN_TICKS); /* the timer waits the whole 1 ms */
	fake.counter += VWDT_MIN_TICKS - 1;
	assert_int_equal(rd(RIS), 1);
	fake.counter += VWDT_MIN_TICKS - 1;
	assert_false(poll_expired(&next));
	fake.counter += 1;
	assert_true(poll_expired(&next));
	/* a load at the minimum runs as written */
	start(1000000, VWDT_MIN_TICKS - 1, INTEN);
	fake.counter += VWDT_MIN_TICKS - 1;
	assert_int_equal(rd(RIS), 0);
	fake.counter += 1;
	assert_int_equal(rd(RIS), 1);
}

static void test_late_look_costs_no_more(void **state)
{
	(void)state;
	uint64_t next;

	/*
	 * The interrupt raised, no RESEN: from then on only silent reloads, one per
	 * millisecond (the shortest period). A look a year later (a guest that
	 * reads Value once in a while) must answer as fast as a timely one; the
	 * alarm fails the test if it does not.
	 */
	start(1000000, 0, INTEN);
	fake.counter += VWDT_MIN_TICKS;
	assert_int_equal(rd(RIS), 1);
	alarm(10);
	fake.counter += 365ULL * 24 * 3600 * 1000000;
	assert_int_equal(rd(VALUE), 0);
	assert_false(poll_expired(&next));
	fake.counter += 3;
	assert_false(poll_expired(&next));
	alarm(0);
	assert_int_equal(next, 0);
	assert_int_equal(rd(RIS), 1);
	/* and the count keeps its phase: Load 9999, a look 10^12 + 3 ticks later is 3 into a count */
	start(1000000, 9999, INTEN);
	fake.counter += 10000;
	assert_int_equal(rd(RIS), 1);
	alarm(10);
	fake.counter += 1000000000000ULL + 3;
	assert_int_equal(rd(VALUE), 9996);
	alarm(0);
}

/* ---------------- a guest's accesses ---------------- */

static enum trap_outcome guest_access(struct vm *vm, uint64_t off, unsigned int width, bool write, uint64_t value)
{
	struct trap t = { .kind = TRAP_DATA_ABORT };
	struct vcpu *v = &vm->vcpu[0];

	fake.cpu = v->pcpu;
	t.mem = (struct trap_mem){ .ipa = ipa_init(TESTBED_WDT_BASE + off),
				   .far = TESTBED_WDT_BASE + off,
				   .valid = true,
				   .write = write,
				   .width = width,
				   .reg = 3,
				   .sixty_four = true };
	v->regs->x[3] = value;
	return trap_handle(v, &t);
}

static void test_guest_reaches_its_watchdog_only(void **state)
{
	(void)state;
	assert_int_equal(guest_access(vm0, 0xfe4, 4, false, 0), TRAP_HANDLED);
	assert_int_equal(vm0->vcpu[0].regs->x[3], 0x18);
	assert_int_equal(guest_access(vm0, LOAD, 4, true, 0xffffffff00000777ULL), TRAP_HANDLED);
	assert_int_equal(w->load, 0x777);
	assert_int_equal(fake.inject_count, 0);
	/* a halfword access is refused with an abort */
	assert_int_equal(guest_access(vm0, LOAD, 2, false, 0), TRAP_INJECTED);
	assert_int_equal(fake.last_inject, FAKE_INJECT_DABT);
	/* a VM without a watchdog has nothing at that address */
	assert_int_equal(guest_access(vm1, 0xfe0, 4, false, 0), TRAP_INJECTED);
	assert_int_equal(fake.inject_count, 2);
	assert_null(vwdt_of(vm1));
}

/* ---------------- the hypervisor's side ---------------- */

/* CPU `cpu`'s hypervisor timer fires now; then every CPU handles its requests. */
static enum fake_exit timer_fires(uint32_t cpu)
{
	fake.cpu = cpu;
	fake_raise(cpu, PLAT_TIMER_HYP_INTID);
	enum fake_exit r = FAKE_CATCH(irq_handle());
	if (r != FAKE_EXIT_NONE)
		return r;
	return testbed_settle();
}

/* The guest arms its watchdog: 1000 ticks to the interrupt, 2000 to the reset. */
static uint64_t arm_guest_watchdog(void)
{
	uint64_t t0 = fake.counter;

	wr(LOAD, 999);
	wr(CONTROL, INTEN | RESEN);
	/* the write set this CPU's hypervisor timer for the first zero */
	assert_int_equal(fake.hyp_timer[cpu0], t0 + 1000);
	assert_int_equal(pcpus[cpu0].timer_deadline, t0 + 1000);
	return t0;
}

static void test_timer_raises_interrupt_then_restarts(void **state)
{
	(void)state;
	m.vm[0].on_crash = VM_ON_CRASH_RESTART;
	uint64_t t0 = arm_guest_watchdog();

	fake.counter = t0 + 1000;
	assert_int_equal(timer_fires(cpu0), FAKE_EXIT_NONE);
	assert_int_equal(vm0->state, VM_STATE_RUNNING);
	assert_true(line());
	assert_int_equal(fake.hyp_timer[cpu0], t0 + 2000); /* armed again, for the reset */
	assert_int_equal(fake.deactivated[PLAT_TIMER_HYP_INTID], 1);

	fake.counter = t0 + 2000;
	assert_int_equal(timer_fires(cpu0), FAKE_EXIT_NONE);
	assert_non_null(strstr(fake_uart_text(), "[hv] vm0: its watchdog expired"));
	assert_int_equal(vm0->stop_reason, VM_STOP_DEVICE);
	assert_int_equal(vm0->state, VM_STATE_RUNNING); /* restarted */
	assert_int_equal(vm0->restart_count, 1);
	assert_non_null(strstr(fake_uart_text(), "[hv] vm0: restarting (restart 1)"));
	/* a fresh watchdog for the fresh boot */
	assert_int_equal(rd(CONTROL), 0);
	assert_int_equal(rd(RIS), 0);
	assert_false(line());
	assert_int_equal(vm1->state, VM_STATE_RUNNING);
	assert_int_equal(vm1->restart_count, 0);
}

/* A VM's watchdog costs only its own CPUs: another VM's timer never looks at it. */
static void test_only_its_own_cpus_poll_a_watchdog(void **state)
{
	(void)state;
	uint64_t t0 = arm_guest_watchdog();

	for (uint32_t c = 0; c < FV_MAX_CPUS; c++)
		if (c != cpu0)
			assert_int_equal(fake.hyp_timer[c], 0); /* no other CPU was armed for it */
	fake.counter = t0 + 5000;                               /* long expired; another VM's CPU's timer fires */
	assert_int_equal(timer_fires(vm1->vcpu[1].pcpu), FAKE_EXIT_NONE);
	assert_int_equal(vm0->restart_count, 0);
	assert_int_equal(vm0->state, VM_STATE_RUNNING);
	assert_int_equal(fake.hyp_timer[vm1->vcpu[1].pcpu], 0); /* and it was not re-armed for vm0 */
	/* a CPU of the VM's own, even one other than the one it was armed on, acts */
	assert_int_equal(timer_fires(vm0->vcpu[1].pcpu), FAKE_EXIT_NONE);
	assert_int_equal(vm0->restart_count, 1);
	assert_int_equal(vm1->restart_count, 0);
}

static void test_timer_stop_policy_leaves_board_on(void **state)
{
	(void)state;
	m.vm[0].on_crash = VM_ON_CRASH_STOP;
	/* VM 0 is the last VM running */
	vm_stop(vm1, VM_STOP_CONSOLE, "stopped");
	assert_int_equal(testbed_settle(), FAKE_EXIT_NONE);
	assert_int_equal(vm1->state, VM_STATE_OFF);
	uint64_t t0 = arm_guest_watchdog();

	fake.counter = t0 + 2000;
	assert_int_equal(timer_fires(cpu0), FAKE_EXIT_NONE);
	assert_int_equal(vm0->state, VM_STATE_OFF);
	assert_int_equal(vm0->restart_count, 0);
	assert_null(strstr(fake_uart_text(), "powering the board off"));
	/* off, its watchdog is not looked at again, whatever it says */
	fake.counter += 100000;
	assert_int_equal(timer_fires(cpu0), FAKE_EXIT_NONE);
	assert_int_equal(vm0->state, VM_STATE_OFF);
	assert_int_equal(vm0->restart_count, 0);
}

static void test_timer_halt_board_policy(void **state)
{
	(void)state;
	m.vm[0].on_crash = VM_ON_CRASH_HALT_BOARD;
	uint64_t t0 = arm_guest_watchdog();

	fake.counter = t0 + 1000;
	assert_int_equal(timer_fires(cpu0), FAKE_EXIT_NONE);
	fake.counter = t0 + 2000;
	assert_int_equal(timer_fires(cpu0), FAKE_EXIT_BOARD_OFF);
	assert_non_null(strstr(fake_uart_text(), "vm0: its policy is halt-board: powering the board off"));
}

static void test_reset_seen_by_a_register_first(void **state)
{
	(void)state;
	uint64_t t0 = arm_guest_watchdog();

	/* the hypervisor timer was late; the guest reads Value first, and sees the reset */
	fake.counter = t0 + 2500;
	pcpus[cpu0].timer_deadline = 0;
	fake.hyp_timer[cpu0] = 0;
	rd(VALUE);
	assert_true(w->expired);
	assert_int_equal(vm0->state, VM_STATE_RUNNING);
	/* it asked for the timer at once */
	assert_true(fake.hyp_timer[cpu0] != 0 && fake.hyp_timer[cpu0] <= fake.counter);
	assert_int_equal(timer_fires(cpu0), FAKE_EXIT_NONE);
	assert_int_equal(vm0->restart_count, 1);
	assert_int_equal(vm0->stop_reason, VM_STOP_DEVICE);
}

static void test_stopped_vm_watchdog_ignored(void **state)
{
	(void)state;
	uint64_t t0 = arm_guest_watchdog();

	/* stopped from the console with its watchdog counting */
	vm_stop(vm0, VM_STOP_CONSOLE, "stopped");
	assert_int_equal(testbed_settle(), FAKE_EXIT_NONE);
	fake.counter = t0 + 10000;
	assert_int_equal(timer_fires(cpu0), FAKE_EXIT_NONE);
	assert_int_equal(vm0->state, VM_STATE_OFF);
	assert_int_equal(vm0->restart_count, 0);
	assert_null(strstr(fake_uart_text(), "watchdog expired"));
	/* started again, it has a fresh watchdog and runs on */
	vm_request_boot(vm0);
	assert_int_equal(testbed_settle(), FAKE_EXIT_NONE);
	assert_int_equal(vm0->state, VM_STATE_RUNNING);
	assert_int_equal(rd(CONTROL), 0);
	fake.counter += 10000000;
	assert_int_equal(timer_fires(cpu0), FAKE_EXIT_NONE);
	assert_int_equal(vm0->state, VM_STATE_RUNNING);
	assert_int_equal(vm0->restart_count, 0);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_reset_values_and_ids),
		T(test_only_aligned_32_bit_accesses),
		T(test_write_masks_and_read_only_registers),
		T(test_lock),
		T(test_value_counts_down),
		T(test_first_zero_raises_interrupt),
		T(test_intclr_clears_and_reloads),
		T(test_second_zero_with_resen_resets_once),
		T(test_without_resen_never_resets),
		T(test_serviced_watchdog_never_resets),
		T(test_poll_from_before_a_service_sees_no_time),
		T(test_load_restarts_the_count),
		T(test_disabling_stops_counting),
		T(test_zero_load),
		T(test_late_look_costs_no_more),
		T(test_guest_reaches_its_watchdog_only),
		T(test_timer_raises_interrupt_then_restarts),
		T(test_only_its_own_cpus_poll_a_watchdog),
		T(test_timer_stop_policy_leaves_board_on),
		T(test_timer_halt_board_policy),
		T(test_reset_seen_by_a_register_first),
		T(test_stopped_vm_watchdog_ignored),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
