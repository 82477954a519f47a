// SPDX-License-Identifier: MIT
/*
 * Confirming a guest kernel panic from the guest's state
 * (include/fv/panic_check.h). One check per VM at a time. Each CPU of the
 * VM watches its own vCPU through its own hypervisor timer, so a check
 * costs no other VM anything, and the last of them to close its window
 * decides. What Linux 6.1 does after it prints "---[ end Kernel panic":
 * the panicking CPU sets suppress_printk, enables IRQs and loops in
 * mdelay() for ever (WFE on the timer's event stream); every other CPU got
 * IPI_CPU_STOP before the report ended and sits in cpu_park_loop() with
 * local_daif_mask() (Debug, SError, IRQ and FIQ all masked) doing WFE and
 * WFI. None of them returns to user space or enters the idle loop (a WFI
 * with IRQs masked, Debug and SError not) again.
 */
#include <fv/arch/cpu.h>
#include <fv/arch/probe.h>
#include <fv/clock.h>
#include <fv/lifecycle.h>
#include <fv/log.h>
#include <fv/panic_check.h>
#include <fv/string.h>

/*
 * A check's state is one atomic word, so that the CPU that closes the last
 * window reads every sign of life with it: the board CPUs whose window is
 * open, the signs seen, and whether another report came while it was open
 * (then a fresh check follows a verdict of "running": a real panic right
 * after a forged report is still acted on).
 */
#define CHECK_OPEN_MASK ((1U << FV_MAX_CPUS) - 1)
#define CHECK_EL0 BIT(16)   /* it ran user space */
#define CHECK_IDLE BIT(17)  /* it idled */
#define CHECK_AGAIN BIT(18) /* another report came meanwhile */
#define CHECK_SIGNS (CHECK_EL0 | CHECK_IDLE)

#define IGNORED_LOG_MS 10000U /* a guest that keeps forging reports is told about once per 10 s */

struct check {
	uint32_t state;  /* CHECK_*, board CPU bits; atomic */
	uint32_t parked; /* board CPUs whose vCPU was parked all along (for the message); atomic */
	uint64_t run;    /* the run under check: vm.started_at, and restart_count */
	uint32_t restarts;
	/* the deciding CPU's */
	uint64_t ignored_logged_ms;
	uint32_t ignored_unlogged;
};

/* A CPU's window on its vCPU; touched by that CPU only. */
struct window {
	struct vm *vm;   /* the VM under check; NULL: no window open */
	uint64_t ends;   /* counter value */
	bool counting;   /* its EL0 cycles are counted (the CPU has a PMU) */
	uint32_t looks;  /* samples and trapped WFIs */
	uint32_t masked; /* of them, with DAIF all masked */
};

static struct check checks[FV_MAX_VMS];
static struct window windows[FV_MAX_CPUS];

static uint64_t ticks(uint32_t ms)
{
	return ms * (arch_counter_freq() / 1000);
}

static void sign(struct check *c, uint32_t what)
{
	__atomic_fetch_or(&c->state, what, __ATOMIC_SEQ_CST);
}

void panic_check_init(void)
{
	memset(checks, 0, sizeof(checks));
	memset(windows, 0, sizeof(windows));
}

void panic_check_start(struct vm *vm)
{
	struct check *c = &checks[vm->id];
	uint32_t cpus = 0;

	if (__atomic_load_n(&vm->state, __ATOMIC_ACQUIRE) != VM_STATE_RUNNING)
		return;
	for (uint32_t i = 0; i < vm->vcpu_count; i++)
		if (__atomic_load_n(&vm->vcpu[i].power, __ATOMIC_ACQUIRE) == VCPU_ON)
			cpus |= 1U << vm->vcpu[i].pcpu;
	if (!cpus)
		return;
	/* One check at a time: one under way takes note and is followed by another. */
	for (;;) {
		uint32_t cur = __atomic_load_n(&c->state, __ATOMIC_SEQ_CST);
		if (cur == 0 &&
		    __atomic_compare_exchange_n(&c->state, &cur, cpus, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
			break;
		if (cur != 0 &&
		    ((cur & CHECK_AGAIN) || __atomic_compare_exchange_n(&c->state, &cur, cur | CHECK_AGAIN, false,
									__ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)))
			return;
	}
	__atomic_store_n(&c->parked, 0, __ATOMIC_SEQ_CST);
	c->run = vm->started_at;
	c->restarts = vm->restart_count;
	for (uint32_t cpu = 0; cpu < FV_MAX_CPUS; cpu++)
		if (cpus & (1U << cpu))
			pcpu_post(cpu, PCPU_REQ_WATCH);
	pcpu_kick_mask(cpus);
}

static uint32_t bit_count(uint32_t x)
{
	uint32_t n = 0;

	for (; x; x &= x - 1)
		n++;
	return n;
}

/* The verdict of a check whose windows are all closed, `final` its last state. */
static void decide(struct vm *vm, struct check *c, uint32_t final, uint64_t run, uint32_t restarts)
{
	if (__atomic_load_n(&vm->state, __ATOMIC_ACQUIRE) != VM_STATE_RUNNING || vm->started_at != run ||
	    vm->restart_count != restarts) {
		/* stopped or restarted meanwhile: nothing left to judge, but a report of the new run is */
		if (final & CHECK_AGAIN)
			panic_check_start(vm);
		return;
	}
	if (final & CHECK_SIGNS) {
		uint64_t now = clock_now_ms();
		if (!c->ignored_logged_ms || now - c->ignored_logged_ms >= IGNORED_LOG_MS) {
			const char *how = (final & CHECK_EL0) ? "still runs user space" : "still idles";
			if (c->ignored_unlogged)
				log_line(
					"%s: a kernel panic report on its console, but the guest %s: ignored (and %u more since)",
					vm->name, how, c->ignored_unlogged);
			else
				log_line("%s: a kernel panic report on its console, but the guest %s: ignored",
					 vm->name, how);
			c->ignored_logged_ms = now;
			c->ignored_unlogged = 0;
		} else {
			c->ignored_unlogged++;
		}
		if (final & CHECK_AGAIN)
			panic_check_start(vm);
		return;
	}
	log_line("%s: no user space and no idle for %u ms after its panic report (%u CPU%s parked)", vm->name,
		 PANIC_CHECK_MS, bit_count(c->parked), bit_count(c->parked) == 1 ? "" : "s");
	vm_crashed(vm, VM_STOP_CRASH, "the guest kernel panicked");
}

static void close_window(struct window *w, uint32_t cpu)
{
	struct vm *vm = w->vm;
	struct check *c = &checks[vm->id];

	if (w->counting && arch_probe_el0_cycles())
		sign(c, CHECK_EL0);
	/* DAIF all masked at every look: parked (a live kernel's exception entry is so too, briefly) */
	if (w->looks && w->masked == w->looks)
		__atomic_fetch_or(&c->parked, 1U << cpu, __ATOMIC_SEQ_CST);
	arch_probe_stop();
	arch_probe_trap_wfi(false);
	w->vm = NULL;
	uint64_t run = c->run;
	uint32_t restarts = c->restarts;
	uint32_t was = __atomic_fetch_and(&c->state, ~(1U << cpu), __ATOMIC_SEQ_CST);
	if ((was & CHECK_OPEN_MASK) != 1U << cpu)
		return; /* others are still watching */
	/* The last window: no sign can come any more, only CHECK_AGAIN from a report. */
	decide(vm, c, __atomic_exchange_n(&c->state, 0, __ATOMIC_SEQ_CST), run, restarts);
}

void panic_check_open(struct vcpu *v)
{
	struct window *w = &windows[v->pcpu];
	uint64_t now = arch_counter();

	w->vm = v->vm;
	w->ends = now + ticks(PANIC_CHECK_MS);
	w->counting = arch_probe_start();
	w->looks = 0;
	w->masked = 0;
	arch_probe_trap_wfi(true);
	if (__atomic_load_n(&v->power, __ATOMIC_ACQUIRE) != VCPU_ON)
		close_window(w, v->pcpu); /* it went off meanwhile: nothing to watch */
	else
		pcpu_timer_at(now + ticks(PANIC_SAMPLE_MS));
}

/* What vCPU v's mode at its last exit (a sample, or a trapped WFI) says, for check c. */
static void note_mode(struct check *c, struct window *w, const struct vcpu *v, bool in_wfi)
{
	w->looks++;
	switch (arch_probe_mode(v)) {
	case PROBE_USER: sign(c, CHECK_EL0); break;
	case PROBE_ALL_MASKED: w->masked++; break;
	case PROBE_NOIRQ:
		/* a WFI with IRQs masked is Linux's idle; a sample so is as likely an interrupt handler */
		if (in_wfi)
			sign(c, CHECK_IDLE);
		break;
	case PROBE_KERNEL: break; /* a WFI with IRQs unmasked is a delay (WFIT), not idle */
	}
}

void panic_check_poll(void)
{
	struct pcpu *p = pcpu_this();
	struct window *w = &windows[p->index];
	struct vcpu *v = p->vcpu;

	if (!w->vm)
		return;
	struct check *c = &checks[w->vm->id];
	/* the timer interrupted the guest: its trap frame is where it was */
	if (v && v->vm == w->vm && __atomic_load_n(&v->power, __ATOMIC_ACQUIRE) == VCPU_ON) {
		note_mode(c, w, v, false);
		if (w->counting && arch_probe_el0_cycles())
			sign(c, CHECK_EL0);
	}
	uint64_t now = arch_counter();
	if (now >= w->ends || (__atomic_load_n(&c->state, __ATOMIC_SEQ_CST) & CHECK_SIGNS))
		close_window(w, p->index); /* over, or decided: a running guest is left alone at once */
	else
		pcpu_timer_at(now + ticks(PANIC_SAMPLE_MS) < w->ends ? now + ticks(PANIC_SAMPLE_MS) : w->ends);
}

enum trap_outcome panic_check_wfi(struct vcpu *v)
{
	struct window *w = &windows[v->pcpu];

	/* Replayed, the WFI waits as it would have, untrapped: at most one trap per window. */
	arch_probe_trap_wfi(false);
	if (w->vm == v->vm)
		note_mode(&checks[v->vm->id], w, v, true);
	return TRAP_REPLAY;
}
