// SPDX-License-Identifier: MIT
/*
 * Memory services: the identity map between physical addresses and
 * hypervisor pointers, cache maintenance to the point of coherency (Arm ARM
 * D7.5 "Cache maintenance instructions"), bulk copy and zeroing, and device
 * access on a guest's behalf.
 */
#include <arch/internal.h>
#include <arch/sysreg.h>
#include <fv/arch/cpu.h>
#include <fv/arch/mem.h>
#include <fv/limits.h>
#include <fv/s2.h>
#include <fv/sha256.h>
#include <fv/string.h>
#include <fv/vm.h>

void *arch_phys_to_ptr(paddr_t pa)
{
	return (void *)(uintptr_t)pa_addr(pa); /* EL2 maps physical memory 1:1 */
}

paddr_t arch_ptr_to_phys(const void *p)
{
	return pa_init((uint64_t)(uintptr_t)p);
}

static uint64_t dcache_line(void)
{
	return 4ULL << ((read_ctr_el0() >> 16) & 0xf); /* CTR_EL0.DminLine, log2 words */
}

void arch_dcache_clean_inval(void *p, size_t n)
{
	uint64_t line = dcache_line();
	uint64_t a = (uint64_t)(uintptr_t)p & ~(line - 1);
	uint64_t end = (uint64_t)(uintptr_t)p + n;

	dsb_sy(); /* earlier stores first */
	for (; a < end; a += line)
		__asm__ volatile("dc civac, %0" : : "r"(a) : "memory");
	dsb_sy(); /* maintenance complete before anyone relies on it */
}

void arch_icache_invalidate_all(void)
{
	__asm__ volatile("ic ialluis" ::: "memory");
	dsb_ish();
	isb();
}

void arch_zero_pages(void *p, size_t n)
{
	uint64_t dczid = read_dczid_el0();
	uint64_t block = 4ULL << (dczid & 0xf);

	if ((dczid & BIT(4)) || ((uintptr_t)p | n) & (block - 1)) {
		memset(p, 0, n); /* DC ZVA prohibited or misaligned */
		return;
	}
	for (uint8_t *a = p; a < (uint8_t *)p + n; a += block)
		__asm__ volatile("dc zva, %0" : : "r"(a) : "memory");
	dsb_ish();
}

static bool loading[FV_MAX_CPUS]; /* this CPU is loading a VM: FP/SIMD free */

void arch_load_begin(void)
{
	arch_sme_stop(); /* a guest may have left streaming mode on: SIMD would trap */
	loading[arch_cpu_index()] = true;
}

void arch_load_end(void)
{
	arch_fpsimd_zero(); /* nothing of ours in the guest's registers */
	loading[arch_cpu_index()] = false;
}

void arch_copy(void *dst, const void *src, size_t n)
{
	if (loading[arch_cpu_index()] && (((uintptr_t)dst | (uintptr_t)src) & 15) == 0 && n >= 64) {
		size_t bulk = n & ~(size_t)63;
		arch_load_copy(dst, src, bulk);
		dst = (uint8_t *)dst + bulk;
		src = (const uint8_t *)src + bulk;
		n -= bulk;
	}
	if ((((uintptr_t)dst | (uintptr_t)src | n) & 15) == 0) {
		uint64_t *d = dst;
		const uint64_t *s = src;
		for (size_t i = 0; i < n / 8; i += 2) {
			uint64_t a = s[i], b = s[i + 1];
			d[i] = a;
			d[i + 1] = b;
		}
		return;
	}
	memcpy(dst, src, n);
}

/*
 * A device access on a guest's behalf may be answered with an external
 * abort (Arm ARM D1.x "External aborts"): synchronously, as a data abort
 * taken at EL2, or asynchronously, as an SError. Either is the device's
 * answer to the guest's access, not a hypervisor bug: while this CPU's guard
 * is up, arch_mmio_guard_fault() records it, steps a synchronous one past
 * the load or store, and the access reports failure. SError is masked at
 * EL2; it is unmasked for an instant after the access (with the access
 * completed first, DSB) so that one the access raised is taken here, inside
 * the guard. One that arrives later is taken on the way back into the
 * guest, as the guest's own (arch_guest_serror).
 */
struct mmio_guard {
	volatile bool active;
	volatile bool aborted;
};

static struct mmio_guard guards[FV_MAX_CPUS];

#define ESR_EC_SHIFT 26
#define EC_DABT_CUR 0x25U
#define EC_SERROR 0x2fU
#define DFSC_SYNC_EXTERNAL 0x10U /* not on a translation table walk */
#define DFSC_SYNC_PARITY 0x18U

bool arch_mmio_guard_fault(struct vcpu_regs *frame, uint64_t esr)
{
	struct mmio_guard *g = &guards[arch_cpu_index()];
	uint32_t ec = (uint32_t)(esr >> ESR_EC_SHIFT) & 0x3f, dfsc = (uint32_t)esr & 0x3f;

	if (!g->active)
		return false;
	if (ec == EC_DABT_CUR && (dfsc == DFSC_SYNC_EXTERNAL || dfsc == DFSC_SYNC_PARITY)) {
		frame->pc += 4; /* past the load or store, which did nothing */
		g->aborted = true;
		return true;
	}
	if (ec == EC_SERROR) {
		g->aborted = true; /* asynchronous: return to where it was taken */
		return true;
	}
	return false;
}

static struct mmio_guard *guard_up(void)
{
	struct mmio_guard *g = &guards[arch_cpu_index()];

	g->aborted = false;
	g->active = true;
	__asm__ volatile("" ::: "memory"); /* the guard is up before the access */
	return g;
}

static bool guard_down(struct mmio_guard *g)
{
	/* The access complete (an error from it reported), then SError briefly unmasked. */
	__asm__ volatile("dsb sy\n\tmsr daifclr, #4\n\tisb\n\tmsr daifset, #4\n\tisb" ::: "memory");
	g->active = false;
	return !g->aborted;
}

bool arch_mmio_read(paddr_t pa, unsigned int width, uint64_t *value)
{
	uintptr_t a = (uintptr_t)pa_addr(pa);
	struct mmio_guard *g = guard_up();
	uint64_t v = 0;

	/* Plain loads with no writeback: a faulting one is skipped and changes nothing. */
	switch (width) {
	case 1: __asm__ volatile("ldrb %w0, [%1]" : "=r"(v) : "r"(a) : "memory"); break;
	case 2: __asm__ volatile("ldrh %w0, [%1]" : "=r"(v) : "r"(a) : "memory"); break;
	case 4: __asm__ volatile("ldr %w0, [%1]" : "=r"(v) : "r"(a) : "memory"); break;
	default: __asm__ volatile("ldr %0, [%1]" : "=r"(v) : "r"(a) : "memory"); break;
	}
	if (!guard_down(g))
		return false;
	*value = v;
	return true;
}

bool arch_mmio_write(paddr_t pa, unsigned int width, uint64_t value)
{
	uintptr_t a = (uintptr_t)pa_addr(pa);
	struct mmio_guard *g = guard_up();

	switch (width) {
	case 1: __asm__ volatile("strb %w0, [%1]" : : "r"(value), "r"(a) : "memory"); break;
	case 2: __asm__ volatile("strh %w0, [%1]" : : "r"(value), "r"(a) : "memory"); break;
	case 4: __asm__ volatile("str %w0, [%1]" : : "r"(value), "r"(a) : "memory"); break;
	default: __asm__ volatile("str %0, [%1]" : : "r"(value), "r"(a) : "memory"); break;
	}
	return guard_down(g);
}

bool arch_sha256_blocks(uint32_t h[8], const uint8_t *data, size_t count)
{
	/* ID_AA64ISAR0_EL1.SHA2 [15:12]: the SHA-256 instructions are there */
	if (!loading[arch_cpu_index()] || ((read_id_aa64isar0_el1() >> 12) & 0xf) == 0)
		return false; /* the portable implementation runs */
	arch_sha256_ce(h, data, count);
	return true;
}
