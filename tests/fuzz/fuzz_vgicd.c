// SPDX-License-Identifier: MIT
/*
 * Fuzzing the emulated GICv3 distributor (core/vgic/vgicd.c, core/vgic/vgic_regs.c)
 * of VMs booted by the test bed (1 to 3 VMs, their CPUs, virtio slots with
 * hardware SPIs, 1 to 16 list registers per CPU). The input is a sequence of
 * distributor reads and writes (offset, width and value decoded from it)
 * interleaved with the vGIC steps of fuzz_vgic.h, whose invariants are
 * checked after every step.
 *
 * The distributor's own rules (GICv3 architecture specification §12.9):
 * a misaligned access, or a width the register does not take, fails (the
 * guest gets an abort) and every aligned access of the right width
 * succeeds, reserved ones reading as zero; a read has no side effects and
 * returns no bits beyond its width; the SGI/PPI halves of the bit registers,
 * priorities and trigger registers read as zero (they live in the
 * redistributors), as do all bits of SPIs the VM does not own; what a write
 * sets reads back: priorities (5 bits), routes (IRM and reserved bits zero),
 * triggers, groups, enables and the group enables in GICD_CTLR.
 */
#include "fuzz_vgic.h"
#include <fv/gicv3.h>

#define GICD_ICACTIVER_END GICD_IPRIORITYR /* the bit-per-interrupt groups end there */

/*
 * Where accesses go: a register group and an index in it (mostly the SPIs a
 * VM can have), sometimes anywhere in the 64 KiB frame; mostly aligned.
 */
static uint64_t gicd_offset(struct fuzz_in *in, unsigned int width)
{
	static const uint32_t bitregs[] = { 0x0080, 0x0100, 0x0180, 0x0200, 0x0280, 0x0300, 0x0380 };
	static const uint32_t singles[] = { 0x0000, 0x0004, 0x0008, 0x000c, 0x0010, 0x0040, 0x0048,
					    0x0050, 0x0058, 0x0d00, 0x0e00, 0x0f00, 0x0f10, 0x0f20 };
	uint8_t sel = fuzz_u8(in);
	uint8_t idx = fuzz_u8(in);
	uint64_t off;

	switch (sel % 8) {
	case 0:
	case 1: off = bitregs[(sel >> 3) % ARRAY_SIZE(bitregs)] + 4 * (idx & 0x80 ? idx % 32 : idx % 4); break;
	case 2: off = GICD_IPRIORITYR + (idx & 0x80 ? fuzz_u16(in) % 0x400 : idx % 128); break;
	case 3: off = GICD_ICFGR + 4 * (idx & 0x80 ? idx % 64 : idx % 8); break;
	case 4:
	case 5: off = GICD_IROUTER + 8 * (idx & 0x80 ? fuzz_u16(in) % 1020 : idx % 128) + (sel & 0x80 ? 4 : 0); break;
	case 6: off = idx & 0x80 ? GICD_ID_START + 4 * (idx % 12) : singles[idx % ARRAY_SIZE(singles)]; break;
	default: off = fuzz_u16(in); break;
	}
	return fuzz_vgic_align(in, sel, off, width);
}

static bool width_ok(uint64_t off, unsigned int width)
{
	if (off >= GICD_IPRIORITYR && off < GICD_IPRIORITYR_END)
		return width == 1 || width == 4;
	if (off >= GICD_IROUTER && off < GICD_IROUTER_END)
		return width == 4 || width == 8;
	return width == 4;
}

static const struct virq *spi(const struct vm *vm, uint32_t intid)
{
	return intid >= VGIC_SPI_BASE && intid < VGIC_MAX_INTID ? &vm->vgic.spi[intid - VGIC_SPI_BASE] : NULL;
}

static bool spi_exists(const struct vm *vm, uint32_t intid)
{
	const struct virq *q = spi(vm, intid);

	return q && q->exists;
}

static uint64_t gicd_read(struct vm *vm, uint64_t off, unsigned int width)
{
	uint64_t v = ~0ULL;

	FUZZ_CHECK(vgicd_read(vm, off, width, &v), "read back of 0x%llx/%u failed", (unsigned long long)off, width);
	return v;
}

/* What a read returned agrees with the model, from the register layout alone. */
static void check_read(const struct vm *vm, uint64_t off, unsigned int width, uint64_t v)
{
	if (width < 8)
		FUZZ_CHECK(v >> (8 * width) == 0, "a %u-byte read of 0x%llx returned 0x%llx", width,
			   (unsigned long long)off, (unsigned long long)v);
	if (off >= GICD_IGROUPR && off < GICD_ICACTIVER_END) {
		uint32_t first = (uint32_t)(off % 0x80) / 4 * 32;
		for (uint32_t i = 0; i < 32; i++)
			if (v & (1ULL << i))
				FUZZ_CHECK(spi_exists(vm, first + i),
					   "bit register 0x%llx shows INTID %u, not the VM's", (unsigned long long)off,
					   first + i);
	} else if (off >= GICD_IPRIORITYR && off < GICD_IPRIORITYR_END) {
		for (unsigned int i = 0; i < width; i++) {
			uint32_t intid = (uint32_t)(off - GICD_IPRIORITYR) + i;
			uint8_t b = (uint8_t)(v >> (8 * i));
			FUZZ_CHECK(spi_exists(vm, intid) ? b == spi(vm, intid)->priority : b == 0,
				   "priority of INTID %u reads 0x%x", intid, b);
		}
	} else if (off >= GICD_ICFGR && off < GICD_ICFGR_END) {
		uint32_t first = (uint32_t)(off - GICD_ICFGR) / 4 * 16;
		for (uint32_t i = 0; i < 16; i++) {
			uint32_t two = (uint32_t)(v >> (2 * i)) & 3;
			bool edge = spi_exists(vm, first + i) && spi(vm, first + i)->edge;
			FUZZ_CHECK(two == (edge ? 2U : 0U), "trigger of INTID %u reads %u", first + i, two);
		}
	} else if (off == GICD_CTLR) {
		FUZZ_CHECK((v & 1) == vm->vgic.enable_grp0 && ((v >> 1) & 1) == vm->vgic.enable_grp1,
			   "GICD_CTLR 0x%llx", (unsigned long long)v);
		FUZZ_CHECK((v & 0x10) && (v & 0x40), "GICD_CTLR 0x%llx without ARE and DS", (unsigned long long)v);
	} else if (off == GICD_TYPER) {
		FUZZ_CHECK(((v & 0x1f) + 1) * 32 == VGIC_MAX_INTID, "GICD_TYPER.ITLinesNumber %llu for %u INTIDs",
			   (unsigned long long)(v & 0x1f), VGIC_MAX_INTID);
	}
}

/* What a write set reads back. */
static void check_write(struct vm *vm, uint64_t off, unsigned int width, uint64_t value)
{
	if (off >= GICD_IPRIORITYR && off < GICD_IPRIORITYR_END) {
		uint64_t r = gicd_read(vm, off, width);
		for (unsigned int i = 0; i < width; i++) {
			uint32_t intid = (uint32_t)(off - GICD_IPRIORITYR) + i;
			uint8_t want = spi_exists(vm, intid) ? (uint8_t)(value >> (8 * i)) & VGIC_PRIO_MASK : 0;
			FUZZ_CHECK((uint8_t)(r >> (8 * i)) == want, "priority of INTID %u: wrote 0x%x, reads 0x%x",
				   intid, (uint8_t)(value >> (8 * i)), (uint8_t)(r >> (8 * i)));
		}
	} else if (off >= GICD_IROUTER && off < GICD_IROUTER_END) {
		uint32_t intid = (uint32_t)(off - GICD_IROUTER) / 8;
		uint64_t r = gicd_read(vm, off & ~7ULL, 8);
		if (!spi_exists(vm, intid)) {
			FUZZ_CHECK(r == 0, "route of INTID %u, not the VM's, reads 0x%llx", intid,
				   (unsigned long long)r);
			return;
		}
		uint64_t part = width == 8 ? value : (off % 8 ? value << 32 : value & 0xffffffffULL);
		uint64_t mask = width == 8 ? ~0ULL : (off % 8 ? ~0ULL << 32 : 0xffffffffULL);
		/* Aff3 [39:32], Aff2..Aff0 [23:0] are kept; IRM [31] is RAZ/WI (No1N) and the rest reserved */
		FUZZ_CHECK((r & mask) == (part & mask & 0xff00ffffffULL),
			   "route of INTID %u: wrote 0x%llx, reads 0x%llx", intid, (unsigned long long)value,
			   (unsigned long long)r);
		/* Aff0 is the vCPU index, the other affinity levels are zero */
		uint32_t want = (r & 0xff00ffff00ULL) == 0 && (r & 0xff) < vm->vcpu_count ? (uint32_t)(r & 0xff) : 0xff;
		FUZZ_CHECK(spi(vm, intid)->target == want, "route 0x%llx of INTID %u targets %u, expected %u",
			   (unsigned long long)r, intid, spi(vm, intid)->target, want);
	} else if (off >= GICD_ICFGR && off < GICD_ICFGR_END) {
		uint32_t first = (uint32_t)(off - GICD_ICFGR) / 4 * 16;
		uint64_t r = gicd_read(vm, off, 4);
		for (uint32_t i = 0; i < 16; i++) {
			bool want = spi_exists(vm, first + i) && (value & (2ULL << (2 * i)));
			FUZZ_CHECK(((r >> (2 * i)) & 3) == (want ? 2U : 0U),
				   "trigger of INTID %u: wrote %llu, reads %llu", first + i,
				   (unsigned long long)((value >> (2 * i)) & 3),
				   (unsigned long long)((r >> (2 * i)) & 3));
		}
	} else if (off >= GICD_IGROUPR && off < GICD_ICENABLER + 0x80) {
		uint32_t first = (uint32_t)(off % 0x80) / 4 * 32;
		uint32_t r = (uint32_t)gicd_read(vm, off, 4);
		uint32_t owned = 0;
		for (uint32_t i = 0; i < 32; i++)
			owned |= spi_exists(vm, first + i) ? 1U << i : 0;
		if (off < GICD_ISENABLER)
			FUZZ_CHECK(r == ((uint32_t)value & owned), "IGROUPR 0x%llx: wrote 0x%x, reads 0x%x",
				   (unsigned long long)off, (uint32_t)value, r);
		else if (off < GICD_ICENABLER)
			FUZZ_CHECK((r & (uint32_t)value) == ((uint32_t)value & owned),
				   "ISENABLER 0x%llx: set 0x%x, reads 0x%x", (unsigned long long)off, (uint32_t)value,
				   r);
		else
			FUZZ_CHECK((r & (uint32_t)value) == 0, "ICENABLER 0x%llx: cleared 0x%x, reads 0x%x",
				   (unsigned long long)off, (uint32_t)value, r);
	} else if (off == GICD_CTLR) {
		FUZZ_CHECK(vm->vgic.enable_grp0 == (value & 1) && vm->vgic.enable_grp1 == ((value >> 1) & 1),
			   "GICD_CTLR: wrote 0x%llx", (unsigned long long)value);
	}
}

static void gicd_access(struct fuzz_in *in, uint32_t vi)
{
	struct vm *vm = &vms[vi];
	bool write = fuzz_bool(in);
	unsigned int width = fuzz_width(in);
	uint64_t off = gicd_offset(in, width);
	uint64_t value = fuzz_u64(in);
	bool legal = off % width == 0 && width_ok(off, width);

	fake.cpu = vm->vcpu[fuzz_below(in, vm->vcpu_count)].pcpu;
	if (write) {
		bool ok = vgicd_write(vm, off, width, value);
		FUZZ_CHECK(ok == legal, "%u-byte write to 0x%llx: %s", width, (unsigned long long)off,
			   ok ? "accepted" : "refused");
		if (ok)
			check_write(vm, off, width, value);
		return;
	}
	struct vgic_snap before, after;
	vgic_snap_take(&before, vm);
	uint64_t v = 0x5a5a5a5a5a5a5a5aULL;
	bool ok = vgicd_read(vm, off, width, &v);
	vgic_snap_take(&after, vm);
	before.dist.lock = after.dist.lock; /* the read took the lock, nothing else */
	FUZZ_CHECK(vgic_snap_same(&before, &after, vm->vcpu_count), "a read of 0x%llx changed the vGIC",
		   (unsigned long long)off);
	FUZZ_CHECK(ok == legal, "%u-byte read of 0x%llx: %s", width, (unsigned long long)off,
		   ok ? "accepted" : "refused");
	if (ok)
		check_read(vm, off, width, v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_vgic_run(data, size, gicd_access);
}
