// SPDX-License-Identifier: MIT
/*
 * Fuzzing the SP805 watchdog every VM may have (core/dev/vwdt.c) together with
 * what acts on it: the hypervisor timer of the VM's CPUs (core/cpu/irq.c,
 * devices_poll) and the crash
 * policies (vm.c). The test bed's VMs all get a watchdog; the system counter
 * runs at a frequency from the input. The input is a sequence of register
 * accesses (offset, width, value; loads short and long, the unlock key), the
 * clock moving on with no one looking, one CPU's hypervisor timer firing,
 * and "run the machine" steps that fire every armed hypervisor timer in
 * order up to some time.
 *
 * Each watchdog is checked against a model of the SP805 (TRM DDI 0270B §2,
 * §3.3, as vwdt.h describes it) that computes the count arithmetically:
 * accesses fail exactly when not 32-bit and aligned; LOAD, CONTROL, RIS,
 * MIS, LOCK, ITCR, ITOP, the IDs and the counting-down VALUE read as the
 * model says; writes are ignored while locked; the interrupt line is
 * RIS & INTEN; the reset output is asserted at the second zero without an
 * interrupt clear while RESEN is set, and then the VM's crash policy is
 * applied by the next hypervisor poll at the latest, and never earlier, and
 * only to that VM. A watchdog that has nothing left to do (disabled, or
 * interrupt raised without RESEN) must not keep the hypervisor timer firing:
 * with no one writing, each watchdog changes at most twice, so a run of the
 * machine fires each CPU's timer at most that often per watchdog. And a look
 * hours late costs no more than a timely one (libFuzzer's -timeout).
 */
#include <fv/irq.h>
#include <fv/sp805.h>
#include <fv/trap.h>
#include <fv/vwdt.h>

#include "fuzz_common.h"

struct wdt_model {
	uint32_t load, control, itcr, itop;
	bool ris, locked, expired;
	uint64_t start; /* counter time the current count started from load */
};

static struct wdt_model model[FUZZ_MAX_VMS];

static uint64_t period(const struct wdt_model *w)
{
	uint64_t ticks = (uint64_t)w->load + 1;

	return MAX(ticks, (uint64_t)VWDT_MIN_TICKS) * fake.freq / VWDT_CLOCK_HZ;
}

static void model_reset(struct wdt_model *w)
{
	*w = (struct wdt_model){ .load = 0xffffffffU, .start = fake.counter };
}

/* Zeros reached since the count started: the first raises the interrupt, the next one (RESEN) resets. */
static void model_advance(struct wdt_model *w, uint64_t now)
{
	if (!(w->control & WDOG_CONTROL_INTEN) || w->expired)
		return;
	uint64_t p = period(w);
	uint64_t zeros = (now - w->start) / p;
	if (zeros && !w->ris) {
		w->ris = true;
		w->start += p;
		zeros--;
	}
	if (zeros && (w->control & WDOG_CONTROL_RESEN)) {
		w->expired = true;
		w->start += p;
	} else {
		w->start += zeros * p;
	}
}

static uint32_t model_read(struct wdt_model *w, uint64_t off)
{
	static const uint8_t ids[8] = { 0x05, 0x18, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };

	switch (off) {
	case WDOG_LOAD: return w->load;
	case WDOG_VALUE: {
		if (!(w->control & WDOG_CONTROL_INTEN))
			return w->load;
		uint64_t gone = (fake.counter - w->start) * VWDT_CLOCK_HZ / fake.freq;
		return gone > w->load ? 0 : (uint32_t)(w->load - gone);
	}
	case WDOG_CONTROL: return w->control;
	case WDOG_RIS: return w->ris;
	case WDOG_MIS: return w->ris && (w->control & WDOG_CONTROL_INTEN);
	case WDOG_LOCK: return w->locked;
	case WDOG_ITCR: return w->itcr;
	case WDOG_ITOP: return w->itop;
	default: return off >= WDOG_ID_START && off < WDOG_ID_START + 0x20 ? ids[(off - WDOG_ID_START) / 4] : 0;
	}
}

static void model_write(struct wdt_model *w, uint64_t off, uint32_t v)
{
	if (off == WDOG_LOCK) {
		w->locked = v != WDOG_UNLOCK_KEY;
		return;
	}
	if (w->locked || w->expired)
		return;
	switch (off) {
	case WDOG_LOAD:
		w->load = v;
		w->start = fake.counter;
		break;
	case WDOG_CONTROL:
		if (!(w->control & WDOG_CONTROL_INTEN) && (v & WDOG_CONTROL_INTEN))
			w->start = fake.counter;
		w->control = v & (WDOG_CONTROL_INTEN | WDOG_CONTROL_RESEN);
		break;
	case WDOG_INTCLR:
		w->ris = false;
		w->start = fake.counter;
		break;
	case WDOG_ITCR: w->itcr = v & 1; break;
	case WDOG_ITOP: w->itop = v & 3; break;
	default: break;
	}
}

static uint64_t wdt_offset(struct fuzz_in *in)
{
	static const uint32_t regs[] = { WDOG_LOAD, WDOG_VALUE, WDOG_CONTROL, WDOG_INTCLR, WDOG_RIS, WDOG_MIS,
					 WDOG_LOCK, WDOG_ITCR,  WDOG_ITOP,    0x018,       0xbfc,    0xf08 };
	uint8_t b = fuzz_u8(in);

	if (b >= 0xf0)
		return fuzz_u16(in) % TESTBED_WDT_SIZE;
	uint64_t off = b & 0x80 ? WDOG_ID_START + 4 * (b % 8) : regs[b % ARRAY_SIZE(regs)];
	return off + (b & 0x40 ? fuzz_u8(in) % 4 : 0);
}

static uint32_t wdt_value(struct fuzz_in *in)
{
	switch (fuzz_below(in, 6)) {
	case 0: return WDOG_UNLOCK_KEY;
	case 1: return fuzz_below(in, 16); /* a short count */
	case 2: return fuzz_u16(in);
	case 3: return WDOG_CONTROL_INTEN | WDOG_CONTROL_RESEN;
	default: return fuzz_u32(in);
	}
}

static void access(struct fuzz_in *in, uint32_t vi)
{
	struct vm *vm = &vms[vi];
	struct wdt_model *w = &model[vi];
	bool write = fuzz_bool(in);
	unsigned int width = fuzz_u8(in) < 0xe0 ? 4 : fuzz_width(in);
	uint64_t off = wdt_offset(in);
	uint32_t v = wdt_value(in);
	bool legal = width == 4 && off % 4 == 0;

	fake.cpu = vm->vcpu[0].pcpu;
	model_advance(w, fake.counter);
	if (write) {
		FUZZ_CHECK(vwdt_write(vwdt_of(vm), off, width, v) == legal, "%u-byte write to 0x%llx", width,
			   (unsigned long long)off);
		if (legal)
			model_write(w, off, v);
		return;
	}
	uint64_t got = 0;
	FUZZ_CHECK(vwdt_read(vwdt_of(vm), off, width, &got) == legal, "%u-byte read of 0x%llx", width,
		   (unsigned long long)off);
	if (legal && !(w->expired && off == WDOG_VALUE)) /* the count after a reset is no one's business */
		FUZZ_CHECK(got == model_read(w, off), "VM %u: register 0x%llx reads 0x%llx, the SP805 says 0x%x", vi,
			   (unsigned long long)off, (unsigned long long)got, model_read(w, off));
}

/* The hypervisor timer of CPU c fires now. */
static enum fake_exit fire(uint32_t c)
{
	fake.cpu = c;
	fake_raise(c, PLAT_TIMER_HYP_INTID);
	enum fake_exit r = FAKE_CATCH(irq_handle());
	return r != FAKE_EXIT_NONE ? r : fuzz_settle();
}

/* Run the machine up to `until`: every armed hypervisor timer fires in time order. */
static enum fake_exit run_until(uint64_t until, uint32_t *firings)
{
	for (;;) {
		uint64_t soonest = 0;
		uint32_t cpu = 0;
		for (uint32_t c = 0; c < FV_MAX_CPUS; c++)
			if (fake.hyp_timer[c] && (!soonest || fake.hyp_timer[c] < soonest)) {
				soonest = fake.hyp_timer[c];
				cpu = c;
			}
		if (!soonest || soonest > until)
			break;
		/* each watchdog changes at most twice (interrupt, reset) with no one writing; every CPU
		 * that polled may hold a timer for the same change */
		FUZZ_CHECK(++*firings <= (2 * vm_count + 2) * FV_MAX_CPUS,
			   "the hypervisor timer fired %u times before %llu: a watchdog keeps it busy", *firings,
			   (unsigned long long)until);
		fake.counter = MAX(fake.counter, soonest);
		for (uint32_t i = 0; i < vm_count; i++)
			model_advance(&model[i], fake.counter);
		enum fake_exit r = fire(cpu);
		if (r != FAKE_EXIT_NONE)
			return r;
	}
	fake.counter = MAX(fake.counter, until);
	return FAKE_EXIT_NONE;
}

struct vm_seen {
	uint32_t state, restarts;
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint64_t freqs[] = { 1000000, 62500000, 24000000, 100000000 };
	struct fuzz_in in = { data, size };

	fuzz_machine.force_watchdog = true;
	fuzz_machine_boot(&fuzz_machine, &in);
	fake.freq = freqs[fuzz_below(&in, ARRAY_SIZE(freqs))];
	for (uint32_t i = 0; i < vm_count; i++) {
		vwdt_reset(vwdt_of(&vms[i])); /* started at the new frequency */
		model_reset(&model[i]);
	}
	while (fuzz_more(&in)) {
		struct vm_seen seen[FUZZ_MAX_VMS];
		for (uint32_t i = 0; i < vm_count; i++)
			seen[i] = (struct vm_seen){ vms[i].state, vms[i].restart_count };
		uint32_t vi = fuzz_below(&in, vm_count);
		enum fake_exit r = FAKE_EXIT_NONE;
		int polled = -2; /* -2: no poll; -1: every VM's CPUs polled; else the one VM whose CPU polled */
		uint32_t firings = 0;

		switch (fuzz_below(&in, 8)) {
		default:
			if (vms[vi].state == VM_STATE_RUNNING)
				access(&in, vi);
			break;
		case 4: /* time passes, nobody looks (the timer is late, or has nothing to wait for): moments to hours */
			switch (fuzz_below(&in, 3)) {
			case 0: fake.counter += fuzz_u16(&in); break;
			case 1: fake.counter += fuzz_u32(&in) % (4 * fake.freq); break;
			default: fake.counter += (uint64_t)fuzz_u32(&in) << 8; break;
			}
			break;
		case 5:
			for (uint32_t i = 0; i < vm_count; i++)
				model_advance(&model[i], fake.counter);
			{
				/* one CPU's timer: it looks at its own VM's watchdog only */
				uint32_t c = fuzz_below(&in, FV_MAX_CPUS);
				r = fire(c);
				polled = pcpus[c].vcpu ? (int)pcpus[c].vcpu->vm->id : -2;
				break;
			}
		case 6:
		case 7:
			r = run_until(fake.counter + fuzz_u32(&in) % (8 * fake.freq), &firings);
			polled = -1; /* every armed timer fired: each watchdog's CPU has one */
			break;
		}
		FUZZ_CHECK(r != FAKE_EXIT_HALT && r != FAKE_EXIT_RESET, "the hypervisor stopped (%d)", r);
		for (uint32_t i = 0; i < vm_count; i++) {
			struct vm *vm = &vms[i];
			bool stopped = vm->restart_count != seen[i].restarts ||
				       (seen[i].state == VM_STATE_RUNNING && vm->state != VM_STATE_RUNNING);
			FUZZ_CHECK(!stopped || model[i].expired,
				   "VM %u stopped (state %u, restarts %u) though its watchdog has not expired", i,
				   vm->state, vm->restart_count);
			FUZZ_CHECK(!stopped || vm->stop_reason == VM_STOP_DEVICE, "VM %u stopped for reason %u", i,
				   vm->stop_reason);
			if (r == FAKE_EXIT_BOARD_OFF)
				continue;
			FUZZ_CHECK(!(polled == -1 || polled == (int)i) || !model[i].expired ||
					   seen[i].state != VM_STATE_RUNNING || stopped,
				   "VM %u: its watchdog reset at %llu, a poll at %llu left it running", i,
				   (unsigned long long)model[i].start, (unsigned long long)fake.counter);
			if (stopped)
				model_reset(&model[i]); /* restarted (watchdog reset at boot) or off */
			if (vm->state == VM_STATE_RUNNING) {
				const struct virq *line = &vm->vgic.spi[TESTBED_WDT_INTID - VGIC_SPI_BASE];
				model_advance(&model[i], fake.counter);
				FUZZ_CHECK(line->level ==
						   (vwdt_of(vm)->ris && (vwdt_of(vm)->control & WDOG_CONTROL_INTEN)),
					   "VM %u: watchdog line %d, RIS %d INTEN %d", i, line->level, vwdt_of(vm)->ris,
					   vwdt_of(vm)->control & WDOG_CONTROL_INTEN);
			}
		}
		if (r == FAKE_EXIT_BOARD_OFF) {
			bool halt = false;
			for (uint32_t i = 0; i < vm_count; i++)
				halt |= model[i].expired && vms[i].cfg->on_crash == VM_ON_CRASH_HALT_BOARD;
			FUZZ_CHECK(halt, "the board powered off without a halt-board watchdog expiry");
			return 0;
		}
	}
	return 0;
}
