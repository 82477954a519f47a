// SPDX-License-Identifier: MIT
/*
 * The SP805 watchdog model (SP805 TRM DDI 0270B, §3.3 register summary):
 *   0x000 WdogLoad  0x004 WdogValue (RO)  0x008 WdogControl (INTEN, RESEN)
 *   0x00c WdogIntClr (WO)  0x010 WdogRIS  0x014 WdogMIS
 *   0xc00 WdogLock (0x1acce551 unlocks, anything else locks; reads 1 if locked)
 *   0xf00 WdogITCR  0xf04 WdogITOP  0xfe0.. peripheral and PrimeCell IDs
 * While locked, writes to every other register are ignored. 32-bit accesses.
 */
#include <fv/arch/cpu.h>
#include <fv/device.h>
#include <fv/pcpu.h>
#include <fv/sp805.h>
#include <fv/virq.h>
#include <fv/vm.h>
#include <fv/vwdt.h>

/* Counter ticks (system counter) per watchdog clock tick, as a ratio. */
static uint64_t to_counter(uint64_t wdog_ticks)
{
	return wdog_ticks * arch_counter_freq() / VWDT_CLOCK_HZ;
}

static uint64_t to_wdog(uint64_t counter_ticks)
{
	return counter_ticks * VWDT_CLOCK_HZ / arch_counter_freq();
}

/* One countdown, from load to zero inclusive; never shorter than VWDT_MIN_TICKS. */
static uint64_t period(const struct vwdt *w)
{
	uint64_t ticks = (uint64_t)w->load + 1;

	return to_counter(ticks < VWDT_MIN_TICKS ? VWDT_MIN_TICKS : ticks);
}

/*
 * When the model next changes by itself: the first zero (interrupt) or, with
 * RESEN, the reset; at once if a reset is asserted but not yet reported;
 * 0 if never (disabled, reported, or only silent reloads ahead: the
 * interrupt is already raised and cannot reset).
 */
static uint64_t next_event(const struct vwdt *w)
{
	if (w->expired)
		return w->reported ? 0 : w->period_start;
	if (!(w->control & WDOG_CONTROL_INTEN) || (w->ris && !(w->control & WDOG_CONTROL_RESEN)))
		return 0;
	return w->period_start + period(w);
}

static void update_line(struct vwdt *w)
{
	virq_set(&w->irq, w->ris && (w->control & WDOG_CONTROL_INTEN));
}

static struct vwdt wdts[FV_MAX_VMS];

struct vwdt *vwdt_of(const struct vm *vm)
{
	return vdev_state(vm, DEVICE_SP805);
}

void vwdt_init(struct vwdt *w, struct vm *vm, uint32_t intid)
{
	spin_lock_init(&w->lock);
	w->vm = vm;
	virq_line_init(&w->irq, vm, intid, false);
	vwdt_reset(w);
}

void vwdt_reset(void *state)
{
	struct vwdt *w = state;

	spin_lock(&w->lock);
	w->load = 0xffffffffU;
	w->control = 0;
	w->ris = false;
	w->locked = false;
	w->expired = false;
	w->reported = false;
	w->itcr = 0;
	w->itop = 0;
	w->period_start = arch_counter();
	update_line(w);
	spin_unlock(&w->lock);
}

/* Bring the model up to `now`; true if the reset output is asserted. */
static bool advance(struct vwdt *w, uint64_t now)
{
	if (!(w->control & WDOG_CONTROL_INTEN) || w->expired)
		return w->expired;
	/* a look with a time read before the count last restarted (the timer's
	 * poll reads the time, then takes the lock) sees no time passed */
	if (now < w->period_start)
		now = w->period_start;
	uint64_t p = period(w);
	/* the zeros reached since the count started: counted, not walked (a late look is not slower) */
	uint64_t zeros = (now - w->period_start) / p;
	if (zeros && !w->ris) {
		w->ris = true; /* first time at zero: interrupt, reload */
		w->period_start += p;
		zeros--;
	}
	if (zeros && (w->control & WDOG_CONTROL_RESEN)) {
		w->expired = true; /* still not serviced: reset */
		w->period_start += p;
	} else {
		w->period_start += zeros * p; /* reloads nobody saw: the interrupt stays raised */
	}
	update_line(w);
	return w->expired;
}

uint64_t vwdt_poll(struct vwdt *w, uint64_t now, bool *expired)
{
	spin_lock(&w->lock);
	/* a register access may have seen the reset first: report it here, once */
	bool fired = advance(w, now) && !w->reported;
	w->reported |= fired;
	*expired = fired;
	uint64_t next = next_event(w);
	spin_unlock(&w->lock);
	return next;
}

static uint32_t id_reg(uint64_t off)
{
	static const uint8_t ids[8] = { 0x05, 0x18, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };

	return ids[(off - WDOG_ID_START) / 4];
}

bool vwdt_read(void *state, uint64_t off, unsigned int width, uint64_t *value)
{
	struct vwdt *w = state;

	if (width != 4 || off % 4)
		return false;
	spin_lock(&w->lock);
	uint64_t now = arch_counter();
	advance(w, now);
	switch (off) {
	case WDOG_LOAD: *value = w->load; break;
	case WDOG_VALUE:
		if (w->control & WDOG_CONTROL_INTEN) {
			uint64_t gone = to_wdog(now - w->period_start);
			*value = gone > w->load ? 0 : w->load - gone;
		} else {
			*value = w->load;
		}
		break;
	case WDOG_CONTROL: *value = w->control; break;
	case WDOG_RIS: *value = w->ris; break;
	case WDOG_MIS: *value = w->ris && (w->control & WDOG_CONTROL_INTEN); break;
	case WDOG_LOCK: *value = w->locked; break;
	case WDOG_ITCR: *value = w->itcr; break;
	case WDOG_ITOP: *value = w->itop; break;
	default: *value = off >= WDOG_ID_START && off < WDOG_ID_START + 0x20 ? id_reg(off) : 0; break;
	}
	uint64_t next = next_event(w); /* the read may have seen the reset: have it reported */
	spin_unlock(&w->lock);
	pcpu_timer_at(next);
	return true;
}

bool vwdt_write(void *state, uint64_t off, unsigned int width, uint64_t value)
{
	struct vwdt *w = state;
	uint32_t v = (uint32_t)value;

	if (width != 4 || off % 4)
		return false;
	spin_lock(&w->lock);
	uint64_t now = arch_counter();
	advance(w, now);
	if (off == WDOG_LOCK) {
		w->locked = v != WDOG_UNLOCK_KEY;
	} else if (!w->locked && !w->expired) {
		switch (off) {
		case WDOG_LOAD:
			w->load = v;
			w->period_start = now; /* the count restarts from the new value */
			break;
		case WDOG_CONTROL:
			if (!(w->control & WDOG_CONTROL_INTEN) && (v & WDOG_CONTROL_INTEN))
				w->period_start = now; /* enabling starts a fresh count */
			w->control = v & (WDOG_CONTROL_INTEN | WDOG_CONTROL_RESEN);
			break;
		case WDOG_INTCLR:
			w->ris = false;
			w->period_start = now; /* clearing reloads the counter */
			break;
		case WDOG_ITCR: w->itcr = v & 1; break;
		case WDOG_ITOP: w->itop = v & 3; break;
		default: break; /* read-only and reserved */
		}
	}
	update_line(w);
	uint64_t next = next_event(w);
	spin_unlock(&w->lock);
	pcpu_timer_at(next); /* this CPU will look again when the count can next reach zero */
	return true;
}

static bool create(struct vdev *dev, struct vm *vm)
{
	struct vwdt *w = &wdts[vm->id];

	vwdt_init(w, vm, dev->cfg->intid);
	dev->state = w;
	return true;
}

static uint64_t poll(void *state, uint64_t now, const char **crash)
{
	bool expired;
	uint64_t next = vwdt_poll(state, now, &expired); /* now may predate a service: advance() */

	if (expired)
		*crash = "its watchdog expired (the guest stopped servicing it)";
	return next;
}

static const struct vdev_ops ops = { vwdt_read, vwdt_write, "bad access size for the watchdog", NULL };

const struct vdev_kind vwdt_kind = {
	.kind = DEVICE_SP805,
	.ops = &ops,
	.create = create,
	.reset = vwdt_reset,
	.poll = poll,
};
