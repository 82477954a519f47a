// SPDX-License-Identifier: MIT
/*
 * The PL011 each VM sees (PrimeCell UART (PL011) TRM r1p5, §3.3 register
 * descriptions). Transmission is instant: a written byte goes to the console
 * multiplexer, and the transmit FIFO only looks full while the multiplexer
 * applies backpressure. The receive FIFO holds what the user typed while
 * the VM had input focus.
 *
 * Interrupts (§3.4): RXIS and RTIS while receive data waits; TXIS while the
 * transmitter has room after a write (cleared when the multiplexer refuses a
 * byte, set again when it has room). The line to the vGIC is (RIS & IMSC).
 * Guests access the registers with 8-, 16- and 32-bit loads and stores.
 */
#include <fv/console.h>
#include <fv/device.h>
#include <fv/log.h>
#include <fv/pl011.h>
#include <fv/virq.h>
#include <fv/vm.h>
#include <fv/vpl011.h>

#define CR_RESET 0x0300U   /* TXE | RXE */
#define IFLS_RESET 0x0012U /* half-full triggers */

/*
 * Drive the interrupt line from (RIS & IMSC). Called with the UART lock held
 * so that the vGIC sees level changes in the order they happened (the vGIC
 * lock nests inside).
 */
static void update_line(struct vpl011 *u)
{
	u->irq_level = (u->ris & u->imsc) != 0;
	virq_set(&u->irq, u->irq_level);
}

static struct vpl011 uarts[FV_MAX_VMS];

struct vpl011 *vpl011_of(const struct vm *vm)
{
	return vdev_state(vm, DEVICE_PL011);
}

/* Typed bytes for the VM; a VM not reading its console is told about now and then. */
static void typed(void *ctx, uint8_t c)
{
	struct vpl011 *u = ctx;

	if (!vpl011_receive(u, c) && u->rx_dropped % 100 == 1)
		log_line("%s: not reading its console: %u typed bytes dropped", u->vm->name, u->rx_dropped);
}

static void tx_room(void *ctx)
{
	vpl011_tx_ready(ctx);
}

void vpl011_init(struct vpl011 *u, struct vm *vm, uint32_t port, uint32_t intid)
{
	spin_lock_init(&u->lock);
	u->vm = vm;
	u->port = port;
	virq_line_init(&u->irq, vm, intid, false);
	vpl011_reset(u);
	struct console_client client = { typed, tx_room, NULL, u };
	console_attach(port, &client);
}

void vpl011_reset(void *state)
{
	struct vpl011 *u = state;

	spin_lock(&u->lock);
	u->cr = CR_RESET;
	u->lcr_h = 0;
	u->ibrd = 0;
	u->fbrd = 0;
	u->ifls = IFLS_RESET;
	u->imsc = 0;
	u->ris = 0;
	u->dmacr = 0;
	u->ilpr = 0;
	u->rx_head = 0;
	u->rx_count = 0;
	update_line(u);
	spin_unlock(&u->lock);
}

static uint32_t flags(struct vpl011 *u)
{
	uint32_t fr = 0;

	if (u->rx_count == 0)
		fr |= UARTFR_RXFE;
	if (u->rx_count == VPL011_RX_FIFO)
		fr |= UARTFR_RXFF;
	if (!console_can_put(u->port))
		fr |= UARTFR_TXFF;
	else if (console_room(u->port, VPL011_TX_FIFO))
		fr |= UARTFR_TXFE;
	return fr;
}

static uint32_t read_dr(struct vpl011 *u)
{
	if (u->rx_count == 0)
		return 0;
	uint8_t c = u->rx[u->rx_head];
	u->rx_head = (u->rx_head + 1) % VPL011_RX_FIFO;
	if (--u->rx_count == 0)
		u->ris &= (uint16_t) ~(UARTINT_RX | UARTINT_RT);
	return c;
}

static uint32_t id_reg(uint64_t off)
{
	static const uint8_t ids[8] = { 0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };

	return ids[(off - UART_ID_START) / 4];
}

bool vpl011_read(void *state, uint64_t off, unsigned int width, uint64_t *value)
{
	struct vpl011 *u = state;
	uint32_t v = 0;

	if (width > 4 || off % width || (off & 3) + width > 4)
		return false;
	uint64_t reg = off & ~3ULL;
	spin_lock(&u->lock);
	switch (reg) {
	case UARTDR: v = read_dr(u); break;
	case UARTRSR: v = 0; break;
	case UARTFR: v = flags(u); break;
	case UARTILPR: v = u->ilpr; break;
	case UARTIBRD: v = u->ibrd; break;
	case UARTFBRD: v = u->fbrd; break;
	case UARTLCR_H: v = u->lcr_h; break;
	case UARTCR: v = u->cr; break;
	case UARTIFLS: v = u->ifls; break;
	case UARTIMSC: v = u->imsc; break;
	case UARTRIS: v = u->ris; break;
	case UARTMIS: v = u->ris & u->imsc; break;
	case UARTDMACR: v = u->dmacr; break;
	default:
		if (reg >= UART_ID_START && reg < UART_ID_START + 0x20)
			v = id_reg(reg);
		break; /* reserved and write-only (ICR): read as zero */
	}
	update_line(u);
	spin_unlock(&u->lock);
	*value = (v >> (8 * (off & 3))) & (width == 4 ? 0xffffffffU : (1U << (8 * width)) - 1);
	return true;
}

bool vpl011_write(void *state, uint64_t off, unsigned int width, uint64_t value)
{
	struct vpl011 *u = state;

	if (width > 4 || off % width || (off & 3) + width > 4)
		return false;
	uint64_t reg = off & ~3ULL;
	uint16_t v = (uint16_t)(value << (8 * (off & 3)));
	spin_lock(&u->lock);
	switch (reg) {
	case UARTDR:
		console_putc(u->port, (uint8_t)v); /* never refused: a full buffer goes out at once */
		/* TXIS promises room for a FIFO's worth: Linux then writes that many
		 * bytes without looking at TXFF. Without room it comes back later. */
		if (console_room(u->port, VPL011_TX_FIFO))
			u->ris |= UARTINT_TX;
		else
			u->ris &= (uint16_t)~UARTINT_TX;
		break;
	case UARTRSR: break; /* clears error flags, which we never raise */
	case UARTILPR: u->ilpr = v & 0xff; break;
	case UARTIBRD: u->ibrd = v; break;
	case UARTFBRD: u->fbrd = v & 0x3f; break;
	case UARTLCR_H: u->lcr_h = v & 0xff; break;
	case UARTCR: u->cr = v; break;
	case UARTIFLS: u->ifls = v & 0x3f; break;
	case UARTIMSC: u->imsc = v & UARTINT_ALL; break;
	case UARTICR: u->ris &= (uint16_t) ~(v & UARTINT_ALL); break;
	case UARTDMACR: u->dmacr = v & 0x7; break;
	default: break; /* read-only and reserved: write ignored */
	}
	update_line(u);
	spin_unlock(&u->lock);
	return true;
}

bool vpl011_receive(struct vpl011 *u, uint8_t c)
{
	bool ok = false;

	spin_lock(&u->lock);
	if (u->rx_count < VPL011_RX_FIFO) {
		u->rx[(u->rx_head + u->rx_count) % VPL011_RX_FIFO] = c;
		u->rx_count++;
		u->ris |= UARTINT_RX | UARTINT_RT;
		ok = true;
	} else {
		u->rx_dropped++;
	}
	update_line(u);
	spin_unlock(&u->lock);
	return ok;
}

void vpl011_tx_ready(struct vpl011 *u)
{
	spin_lock(&u->lock);
	u->ris |= UARTINT_TX;
	update_line(u);
	spin_unlock(&u->lock);
}

static bool create(struct vdev *dev, struct vm *vm)
{
	struct vpl011 *u = &uarts[vm->id];

	vpl011_init(u, vm, vm->console_port, dev->cfg->intid);
	dev->state = u;
	return true;
}

static const struct vdev_ops ops = { vpl011_read, vpl011_write, "bad access size for the UART", NULL };

const struct vdev_kind vpl011_kind = {
	.kind = DEVICE_PL011,
	.scan_first = 3, /* see docs/performance.md */
	.ops = &ops,
	.create = create,
	.reset = vpl011_reset,
};
