/* SPDX-License-Identifier: MIT */
/*
 * The watchdog each VM has: an emulated Arm SP805 (ARM PrimeCell Watchdog
 * Timer (SP805) Technical Reference Manual, DDI 0270B), which Debian's
 * kernel drives with its sp805_wdt module. The counter runs at
 * VWDT_CLOCK_HZ while INTEN is set; at zero it raises its interrupt
 * and reloads; at zero again with the interrupt still raised and RESEN set,
 * it "resets": the hypervisor applies the VM's crash policy. Time is the
 * system counter; nothing ticks while nobody looks (deadlines are computed).
 */
#ifndef FV_VWDT_H
#define FV_VWDT_H

#include <fv/spinlock.h>
#include <fv/types.h>
#include <fv/virq.h>

#define VWDT_CLOCK_HZ 1000000U /* the SP805's input clock, 1 MHz (the guest DT says so) */
/* The shortest countdown the model runs, in watchdog ticks (1 ms): a Load
 * below it counts as this long, so a guest cannot make its CPUs take a
 * hypervisor timer exit every few microseconds. WdogValue reads 0 from the
 * written Load's end to the clamped period's. */
#define VWDT_MIN_TICKS (VWDT_CLOCK_HZ / 1000U)

struct vm;

struct vwdt {
	struct spinlock lock;
	struct vm *vm;
	struct virq_line irq;
	uint32_t load;
	uint32_t control; /* INTEN bit 0, RESEN bit 1 */
	bool ris;         /* raw interrupt status */
	bool locked;
	bool expired;  /* reset asserted (by whichever look at the count saw it) */
	bool reported; /* ... and reported by vwdt_poll, once */
	uint32_t itcr, itop;
	uint64_t period_start; /* counter value when the count last started from load */
};

/* The model as a device of the VM's table: vwdt_kind (core/dev/vwdt.c). */
void vwdt_init(struct vwdt *w, struct vm *vm, uint32_t intid);
void vwdt_reset(void *w);
bool vwdt_read(void *w, uint64_t offset, unsigned int width, uint64_t *value);
bool vwdt_write(void *w, uint64_t offset, unsigned int width, uint64_t value);
/* A VM's watchdog; NULL if it has none. */
struct vwdt *vwdt_of(const struct vm *vm);
/*
 * Advance to counter time `now`: raise the interrupt or report expiry.
 * Returns the counter time of the next event (0: none). Sets *expired when
 * the reset output was asserted (the caller applies the policy).
 */
uint64_t vwdt_poll(struct vwdt *w, uint64_t now, bool *expired);

#endif
