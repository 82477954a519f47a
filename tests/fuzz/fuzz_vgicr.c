// SPDX-License-Identifier: MIT
/*
 * Fuzzing the emulated GICv3 redistributors (core/vgic/vgicr.c, core/vgic/vgic_regs.c)
 * of VMs booted by the test bed. The input is a sequence of reads and writes
 * to the RD_base and SGI_base frames of a vCPU (one past the last vCPU too),
 * offset, width and value decoded from it, interleaved with the vGIC steps of
 * fuzz_vgic.h, whose invariants are checked after every step.
 *
 * The redistributors' own rules (GICv3 architecture specification §12.10,
 * §12.11): a frame beyond the VM's vCPUs, a misaligned access or a width the
 * register does not take fails, and every aligned access of the right width
 * to a vCPU's frame succeeds; an access to vCPU n's frames changes nothing
 * of another vCPU and no SPI; a read has no side effects; GICR_TYPER names
 * vCPU n (processor number and affinity) and only the last vCPU has Last
 * set; GICR_WAKER's sleep bits follow what was written; SGIs always read as
 * edge-triggered and the virtual timer as level; written priorities (5 bits),
 * triggers, groups and enables read back.
 */
#include "fuzz_vgic.h"
#include <fv/gicv3.h>

#define WAKER_SLEEP_BITS (GICR_WAKER_PROCESSOR_SLEEP | GICR_WAKER_CHILDREN_ASLEEP)

/* An offset in the 128 KiB of one vCPU's two frames: mostly registers, sometimes anywhere. */
static uint64_t gicr_offset(struct fuzz_in *in, unsigned int width)
{
	static const uint32_t rd[] = { 0x0000, 0x0004, 0x0008, 0x000c, 0x0010, 0x0014, 0x0040,
				       0x0048, 0x0070, 0x0078, 0x00a0, 0x00b0, 0xffe8 };
	static const uint32_t sgi[] = { 0x0080, 0x0100, 0x0180, 0x0200, 0x0280, 0x0300, 0x0380,
					0x0c00, 0x0c04, 0x0d00, 0x0e00, 0x0084, 0x0104, 0x0c08 };
	uint8_t sel = fuzz_u8(in);
	uint8_t idx = fuzz_u8(in);
	uint64_t off;

	switch (sel % 8) {
	case 0:
	case 1: off = idx & 0x80 ? GICR_ID_START + 4 * (idx % 12) : rd[idx % ARRAY_SIZE(rd)]; break;
	case 2:
	case 3:
	case 4: off = GICR_SGI_FRAME + sgi[idx % ARRAY_SIZE(sgi)]; break;
	case 5: off = GICR_SGI_FRAME + SGI_IPRIORITYR + idx % 0x20; break;
	case 6: off = (idx & 1 ? GICR_SGI_FRAME : 0) + fuzz_u16(in); break;
	default: off = GICR_SGI_FRAME + GICR_ID_START + 4 * (idx % 12); break;
	}
	return fuzz_vgic_align(in, sel, off, width);
}

static bool width_ok(uint64_t off, unsigned int width)
{
	if (off < GICR_SGI_FRAME)
		return width == 4 || (width == 8 && off == GICR_TYPER);
	off -= GICR_SGI_FRAME;
	if (off >= SGI_IPRIORITYR && off < SGI_IPRIORITYR_END)
		return width == 1 || width == 4;
	return width == 4;
}

static uint64_t gicr_read(struct vm *vm, uint32_t n, uint64_t off, unsigned int width)
{
	uint64_t v = ~0ULL;

	FUZZ_CHECK(vgicr_read(vm, n, off, width, &v), "read back of vCPU %u 0x%llx/%u failed", n,
		   (unsigned long long)off, width);
	return v;
}

static void check_read(struct vm *vm, uint32_t n, uint64_t off, unsigned int width, uint64_t v)
{
	const struct vcpu *vc = &vm->vcpu[n];

	if (width < 8)
		FUZZ_CHECK(v >> (8 * width) == 0, "a %u-byte read of 0x%llx returned 0x%llx", width,
			   (unsigned long long)off, (unsigned long long)v);
	if (off == GICR_TYPER || off == GICR_TYPER + 4) {
		uint64_t t = width == 8 ? v
					: gicr_read(vm, n, GICR_TYPER, 4) | gicr_read(vm, n, GICR_TYPER + 4, 4) << 32;
		/* Processor_Number [23:8], Last [4], Affinity_Value [63:32] = Aff3.Aff2.Aff1.Aff0 */
		FUZZ_CHECK(((t >> 8) & 0xffff) == n && (t >> 32) == n, "GICR_TYPER of vCPU %u: 0x%llx", n,
			   (unsigned long long)t);
		FUZZ_CHECK(((t >> 4) & 1) == (n == vm->vcpu_count - 1), "GICR_TYPER.Last of vCPU %u of %u: 0x%llx", n,
			   vm->vcpu_count, (unsigned long long)t);
	} else if (off == GICR_WAKER) {
		FUZZ_CHECK((v & WAKER_SLEEP_BITS) == (vc->vgic.sleep ? WAKER_SLEEP_BITS : 0), "GICR_WAKER 0x%llx",
			   (unsigned long long)v);
	} else if (off == GICR_SGI_FRAME + SGI_ICFGR0) {
		FUZZ_CHECK(v == 0xaaaaaaaaU, "SGIs read as not all edge-triggered: 0x%llx", (unsigned long long)v);
	} else if (off == GICR_SGI_FRAME + SGI_ICFGR1) {
		uint32_t bit = 2 * (PLAT_TIMER_VIRT_INTID - 16) + 1;
		FUZZ_CHECK(!(v & (1ULL << bit)), "the virtual timer reads as edge-triggered: 0x%llx",
			   (unsigned long long)v);
	} else if (off >= GICR_SGI_FRAME + SGI_IPRIORITYR && off < GICR_SGI_FRAME + SGI_IPRIORITYR_END) {
		for (unsigned int i = 0; i < width; i++) {
			uint32_t intid = (uint32_t)(off - GICR_SGI_FRAME - SGI_IPRIORITYR) + i;
			FUZZ_CHECK((uint8_t)(v >> (8 * i)) == vc->vgic.priv[intid].priority, "priority of INTID %u",
				   intid);
		}
	}
}

static void check_write(struct vm *vm, uint32_t n, uint64_t off, unsigned int width, uint64_t value)
{
	if (off == GICR_WAKER) {
		uint64_t r = gicr_read(vm, n, off, 4);
		FUZZ_CHECK((r & WAKER_SLEEP_BITS) == (value & 2 ? WAKER_SLEEP_BITS : 0),
			   "GICR_WAKER: wrote 0x%llx, reads 0x%llx", (unsigned long long)value, (unsigned long long)r);
		return;
	}
	if (off < GICR_SGI_FRAME)
		return;
	uint64_t s = off - GICR_SGI_FRAME;
	if (s >= SGI_IPRIORITYR && s < SGI_IPRIORITYR_END) {
		uint64_t r = gicr_read(vm, n, off, width);
		for (unsigned int i = 0; i < width; i++)
			FUZZ_CHECK((uint8_t)(r >> (8 * i)) == ((uint8_t)(value >> (8 * i)) & VGIC_PRIO_MASK),
				   "priority of INTID %llu: wrote 0x%x, reads 0x%x",
				   (unsigned long long)(s - SGI_IPRIORITYR + i), (uint8_t)(value >> (8 * i)),
				   (uint8_t)(r >> (8 * i)));
	} else if (s == SGI_ICFGR1) {
		uint64_t r = gicr_read(vm, n, off, 4);
		for (uint32_t i = 0; i < 16; i++) {
			bool want = 16 + i != PLAT_TIMER_VIRT_INTID && (value & (2ULL << (2 * i)));
			FUZZ_CHECK(((r >> (2 * i)) & 3) == (want ? 2U : 0U),
				   "trigger of PPI %u: wrote %llu, reads %llu", 16 + i,
				   (unsigned long long)((value >> (2 * i)) & 3),
				   (unsigned long long)((r >> (2 * i)) & 3));
		}
	} else if (s == SGI_IGROUPR0) {
		FUZZ_CHECK(gicr_read(vm, n, off, 4) == (uint32_t)value, "IGROUPR0: wrote 0x%x", (uint32_t)value);
	} else if (s == SGI_ISENABLER0) {
		uint32_t r = (uint32_t)gicr_read(vm, n, off, 4);
		FUZZ_CHECK((r & (uint32_t)value) == (uint32_t)value, "ISENABLER0: set 0x%x, reads 0x%x",
			   (uint32_t)value, r);
	} else if (s == SGI_ICENABLER0) {
		uint32_t r = (uint32_t)gicr_read(vm, n, off, 4);
		FUZZ_CHECK((r & (uint32_t)value) == 0, "ICENABLER0: cleared 0x%x, reads 0x%x", (uint32_t)value, r);
	}
}

static void gicr_access(struct fuzz_in *in, uint32_t vi)
{
	struct vm *vm = &vms[vi];
	bool write = fuzz_bool(in);
	uint32_t n = fuzz_below(in, vm->vcpu_count + 1); /* one past the last: no frame */
	unsigned int width = fuzz_width(in);
	uint64_t off = gicr_offset(in, width);
	uint64_t value = fuzz_u64(in);
	bool legal = n < vm->vcpu_count && off % width == 0 && width_ok(off, width);
	struct vgic_snap before, after;

	fake.cpu = vm->vcpu[fuzz_below(in, vm->vcpu_count)].pcpu;
	vgic_snap_take(&before, vm);
	bool ok = write ? vgicr_write(vm, n, off, width, value) : vgicr_read(vm, n, off, width, &value);
	vgic_snap_take(&after, vm);
	FUZZ_CHECK(ok == legal, "%u-byte %s of vCPU %u offset 0x%llx: %s", width, write ? "write" : "read", n,
		   (unsigned long long)off, ok ? "accepted" : "refused");
	/* No SPI, and no other vCPU, is touched through vCPU n's frames. */
	FUZZ_CHECK(memcmp(before.dist.spi, after.dist.spi, sizeof(before.dist.spi)) == 0 &&
			   before.dist.enable_grp0 == after.dist.enable_grp0 &&
			   before.dist.enable_grp1 == after.dist.enable_grp1,
		   "an access to vCPU %u's redistributor changed the distributor", n);
	for (uint32_t i = 0; i < vm->vcpu_count; i++)
		FUZZ_CHECK(i == n || memcmp(&before.cpu[i], &after.cpu[i], sizeof(before.cpu[i])) == 0,
			   "an access to vCPU %u's redistributor changed vCPU %u", n, i);
	if (!write || !ok) {
		before.dist.lock = after.dist.lock; /* the access took the lock, nothing else */
		FUZZ_CHECK(vgic_snap_same(&before, &after, vm->vcpu_count),
			   "a %s of vCPU %u offset 0x%llx changed the vGIC", write ? "refused write" : "read", n,
			   (unsigned long long)off);
	}
	if (ok && write)
		check_write(vm, n, off, width, value);
	else if (ok)
		check_read(vm, n, off, width, value);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_vgic_run(data, size, gicr_access);
}
