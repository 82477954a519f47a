/* SPDX-License-Identifier: MIT */
/*
 * Physical interrupts taken at EL2 (core/cpu/irq.c): the virtual timer and
 * board SPIs go to the vGIC of the VM that owns them, the hypervisor timer
 * runs the console and the VMs' timed devices, the board UART feeds the
 * console, the maintenance interrupt refreshes list registers.
 */
#ifndef FV_IRQ_H
#define FV_IRQ_H

/* Take every pending interrupt (from a guest or the idle loop). */
void irq_handle(void);

#endif
