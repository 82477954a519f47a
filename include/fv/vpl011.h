/* SPDX-License-Identifier: MIT */
/*
 * The PL011 UART every VM sees (ARM PrimeCell UART (PL011) Technical
 * Reference Manual, r1p5, chapter 3). Transmitted bytes go to the console
 * multiplexer; received bytes come from it when the VM has input focus.
 * Interrupts are level-sensitive: (RIS & IMSC) != 0 drives the VM's UART SPI.
 */
#ifndef FV_VPL011_H
#define FV_VPL011_H

#include <fv/spinlock.h>
#include <fv/types.h>
#include <fv/virq.h>

#define VPL011_RX_FIFO 256U /* deeper than a PL011: absorbs a paste while the guest is busy */
#define VPL011_TX_FIFO 16U  /* the FIFO depth a PL011 r1p5 has (PeriphID2 revision 1) */

struct vm;

struct vpl011 {
	struct spinlock lock;
	struct vm *vm;
	struct virq_line irq;
	uint32_t port; /* console port */
	uint16_t cr, lcr_h, ibrd, fbrd, ifls, imsc, ris, dmacr, ilpr;
	uint8_t rx[VPL011_RX_FIFO];
	uint32_t rx_head, rx_count;
	uint32_t rx_dropped;
	bool irq_level;
};

/* The model as a device of the VM's table: vpl011_kind (core/dev/vpl011.c). */
void vpl011_init(struct vpl011 *u, struct vm *vm, uint32_t port, uint32_t intid);
void vpl011_reset(void *u);
bool vpl011_read(void *u, uint64_t offset, unsigned int width, uint64_t *value);
bool vpl011_write(void *u, uint64_t offset, unsigned int width, uint64_t value);
/* A VM's UART; NULL if it has none. */
struct vpl011 *vpl011_of(const struct vm *vm);
/* A byte typed for this VM. False if the receive FIFO was full (dropped). */
bool vpl011_receive(struct vpl011 *u, uint8_t c);
/* The multiplexer has room again for this port's output. */
void vpl011_tx_ready(struct vpl011 *u);

#endif
