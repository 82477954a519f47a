/* SPDX-License-Identifier: MIT */
/*
 * Confirming a guest kernel panic from the guest's state (core/vm/panic_check.c).
 * The text that ends a Linux panic report on a VM's console
 * (fv/panic_watch.h) only opens a check: any user process can print that
 * text. For PANIC_CHECK_MS every CPU of the VM then watches its vCPU
 * (fv/arch/probe.h): time spent at EL0, a WFI that would wait with IRQs
 * masked (Linux's idle), and its mode at a sample every PANIC_SAMPLE_MS.
 * Once Linux has printed that line it never runs user space or idles again
 * (kernel/panic.c: the panicking CPU spins in mdelay() with IRQs enabled,
 * the others are parked with DAIF masked), so a VM in which none of that is
 * seen over the window has panicked and its crash policy applies; a VM in
 * which any of it is seen is running, and nothing happens to it. Nothing is
 * armed while no check is open.
 */
#ifndef FV_PANIC_CHECK_H
#define FV_PANIC_CHECK_H

#include <fv/trap.h>
#include <fv/vm.h>

#define PANIC_CHECK_MS 2000U
#define PANIC_SAMPLE_MS 10U

/* No check open anywhere (boot; host tests, between boards). */
void panic_check_init(void);
/* A panic report ended on vm's console: open a check on each of its running vCPUs
 * (PCPU_REQ_WATCH); if one is open already, another follows it. */
void panic_check_start(struct vm *vm);
/* PCPU_REQ_WATCH: this CPU starts watching its vCPU v. */
void panic_check_open(struct vcpu *v);
/* This CPU's hypervisor timer fired: sample, and close the window when it is over. */
void panic_check_poll(void);
/* The guest executed a WFI that would wait (trapped only during a check). */
enum trap_outcome panic_check_wfi(struct vcpu *v);

#endif
