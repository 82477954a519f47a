// SPDX-License-Identifier: MIT
/*
 * The fake architecture for host tests (see include/arch/fake.h).
 */
#include <arch/fake.h>
#include <fv/hv.h>
#include <fv/log.h>
#include <fv/plat.h>
#include <fv/sha256.h>
#include <fv/string.h>
#include <fv/trap.h>
#include <stdio.h>
#include <stdlib.h>

struct fake_hw fake;
const char hv_version[] = "host-test";

void fake_reset(void)
{
	memset(&fake, 0, sizeof(fake));
	fake.lr_count = 4;
	fake.freq = 1000000;
	fake.cpu_on_result = 0;
	for (size_t i = 0; i < ARRAY_SIZE(fake.firmware_workaround); i++)
		fake.firmware_workaround[i] = SMCCC_RET_NOT_SUPPORTED;
}

void fake_map(uint64_t pa, void *host, uint64_t size)
{
	if (fake.region_count == FAKE_MAX_REGIONS)
		abort();
	fake.region[fake.region_count++] = (struct fake_region){ pa, size, host };
}

void fake_raise(uint32_t cpu, uint32_t intid)
{
	if (fake.pending_count[cpu] < FAKE_MAX_PENDING)
		fake.pending_intid[cpu][fake.pending_count[cpu]++] = intid;
}

const char *fake_uart_text(void)
{
	fake.uart[fake.uart_len < FAKE_UART_MAX ? fake.uart_len : FAKE_UART_MAX - 1] = '\0';
	return fake.uart;
}

void fake_uart_clear(void)
{
	fake.uart_len = 0;
	fake.uart[0] = '\0';
}

static __attribute__((noreturn)) void leave(enum fake_exit why)
{
	fake.exit_reason = why;
	if (fake.exit_jmp)
		longjmp(*fake.exit_jmp, 1);
	fprintf(stderr, "fake arch: noreturn path %d taken with no FAKE_CATCH\n", why);
	abort();
}

/* ---- this CPU ---- */
uint32_t arch_cpu_index(void) { return fake.cpu; }
void arch_cpu_relax(void) {}
void arch_wait_irq(void)
{
	if (fake.pending_count[fake.cpu] == 0)
		leave(FAKE_EXIT_IDLE);
}
uint64_t arch_counter(void) { return fake.counter; }
uint64_t arch_counter_freq(void) { return fake.freq; }
void arch_hyp_timer_arm(uint64_t deadline) { fake.hyp_timer[fake.cpu] = deadline; }
void arch_kick_cpu(uint32_t pcpu)
{
	if (pcpu < FV_MAX_CPUS)
		fake.kicks[pcpu]++;
}

/* ---- physical interrupt controller ---- */
static struct fake_irq_state *irq_state(uint32_t intid, uint32_t pcpu)
{
	if (intid < 32)
		return &fake.irq[pcpu < FV_MAX_CPUS ? pcpu : 0][intid];
	return &fake.spi[intid < FAKE_MAX_INTID ? intid : 0];
}

uint32_t arch_irq_ack(void)
{
	uint32_t cpu = fake.cpu;

	if (fake.pending_count[cpu] == 0)
		return 1023;
	uint32_t intid = fake.pending_intid[cpu][0];
	memmove(&fake.pending_intid[cpu][0], &fake.pending_intid[cpu][1],
		(fake.pending_count[cpu] - 1) * sizeof(uint32_t));
	fake.pending_count[cpu]--;
	irq_state(intid, cpu)->active = true;
	return intid;
}

void arch_irq_priority_drop(uint32_t intid)
{
	if (intid < FAKE_MAX_INTID)
		fake.dropped[intid]++;
}

void arch_irq_deactivate(uint32_t intid)
{
	if (intid < FAKE_MAX_INTID)
		fake.deactivated[intid]++;
	irq_state(intid, fake.cpu)->active = false;
}

void arch_irq_enable(uint32_t intid, uint32_t pcpu)
{
	struct fake_irq_state *s = irq_state(intid, pcpu);
	s->enabled = true;
	if (intid >= 32)
		s->route = pcpu;
}

void arch_irq_disable(uint32_t intid, uint32_t pcpu) { irq_state(intid, pcpu)->enabled = false; }
void arch_irq_set_pending(uint32_t intid, uint32_t pcpu, bool p) { irq_state(intid, pcpu)->pending = p; }
void arch_irq_clear_active(uint32_t intid, uint32_t pcpu) { irq_state(intid, pcpu)->active = false; }
void arch_irq_set_edge(uint32_t intid, bool edge) { irq_state(intid, 0)->edge = edge; }

/* ---- virtual CPU interface ---- */
uint32_t arch_lr_count(void) { return fake.lr_count; }
uint64_t arch_lr_read(uint32_t n) { return n < VGIC_MAX_LRS ? fake.lr[fake.cpu][n] : 0; }
void arch_lr_write(uint32_t n, uint64_t v)
{
	if (n < VGIC_MAX_LRS)
		fake.lr[fake.cpu][n] = v;
}
void arch_vgic_underflow_irq(bool enable) { fake.underflow[fake.cpu] = enable; }

uint32_t arch_lr_empty(void)
{
	uint32_t empty = 0;

	/* As ICH_ELRSR_EL2 (GICv3 §12.5.9): a finished interrupt with the EOI
	 * bit (and no HW bit) is not empty until software rewrites the LR. */
	for (uint32_t n = 0; n < VGIC_MAX_LRS; n++) {
		uint64_t lr = fake.lr[fake.cpu][n];
		if (!(lr & LR_STATE_MASK) && ((lr & LR_HW) || !(lr & LR_EOI)))
			empty |= 1U << n;
	}
	return empty;
}
void arch_vgic_reset(void)
{
	memset(fake.lr[fake.cpu], 0, sizeof(fake.lr[fake.cpu]));
	fake.vgic_resets[fake.cpu]++;
}

/* ---- memory ---- */
void *arch_phys_to_ptr(paddr_t pa)
{
	uint64_t a = pa_addr(pa);

	for (uint32_t i = 0; i < fake.region_count; i++)
		if (a >= fake.region[i].pa && a - fake.region[i].pa < fake.region[i].size)
			return fake.region[i].host + (a - fake.region[i].pa);
	return (void *)(uintptr_t)a; /* host pointers stand for themselves */
}

paddr_t arch_ptr_to_phys(const void *p) { return pa_init((uint64_t)(uintptr_t)p); }
void arch_dcache_clean_inval(void *p, size_t n)
{
	(void)p;
	(void)n;
}
void arch_icache_invalidate_all(void) {}
void arch_zero_pages(void *p, size_t n) { memset(p, 0, n); }
void arch_copy(void *dst, const void *src, size_t n) { memcpy(dst, src, n); }
void arch_load_begin(void) {}
void arch_load_end(void) {}

/*
 * The hypervisor maps devices as Device memory, where a misaligned access is
 * an alignment fault whatever SCTLR_EL2.A says (Arm ARM B2.5.2): at EL2 that
 * is the hypervisor's own fault, a panic. The fake does the same.
 */
static void device_access_check(paddr_t pa, unsigned int width)
{
	if ((width != 1 && width != 2 && width != 4 && width != 8) || pa_addr(pa) % width != 0)
		PANIC("alignment fault: %u-byte device access at 0x%llx", width, (unsigned long long)pa_addr(pa));
}

bool arch_mmio_read(paddr_t pa, unsigned int width, uint64_t *value)
{
	device_access_check(pa, width);
	if (fake.mmio_abort)
		return false;
	*value = fake.mmio_read ? fake.mmio_read(pa_addr(pa), width) : 0;
	return true;
}

bool arch_mmio_write(paddr_t pa, unsigned int width, uint64_t value)
{
	device_access_check(pa, width);
	if (fake.mmio_abort)
		return false;
	if (fake.mmio_write)
		fake.mmio_write(pa_addr(pa), width, value);
	return true;
}

bool arch_map_board_ram(paddr_t base, uint64_t size)
{
	(void)base;
	(void)size;
	return true;
}

void arch_s2_flush_vmid(uint16_t vmid, paddr_t root)
{
	(void)vmid;
	(void)root;
	fake.s2_flushes++;
}

bool arch_sha256_blocks(uint32_t h[8], const uint8_t *data, size_t count)
{
	(void)h;
	(void)data;
	(void)count;
	return false;
}

/* ---- vCPUs ---- */
struct vcpu_regs *arch_cpu_frame(uint32_t pcpu) { return &fake.frames[pcpu < FV_MAX_CPUS ? pcpu : 0]; }
void arch_vtimer_mask(void) { fake.vtimer_masks[fake.cpu]++; }
uint64_t arch_random(void) { return 0x0123456789abcdefULL; }

void arch_vcpu_reset(struct vcpu *v)
{
	fake.vcpu_resets[v->pcpu]++;
	v->regs->pstate = 0x3c5;
}

void arch_vcpu_run(struct vcpu *v)
{
	(void)v;
	leave(FAKE_EXIT_RUN);
}

static void inject(enum fake_inject kind, struct vcpu *v, uint64_t far)
{
	fake.last_inject = kind;
	fake.last_inject_far = far;
	fake.inject_count++;
	v->regs->pc = 0xffff000000000000ULL; /* "somewhere in the guest's vectors" */
}

bool arch_guest_in_vectors(const struct vcpu *v)
{
	return v->regs->pc >= fake.vbar && v->regs->pc - fake.vbar < 0x800 && fake.vbar;
}

enum arch_debug_access arch_debug_access(uint32_t enc, bool write, uint64_t *value)
{
	uint32_t n = (enc >> 3) & 15, op2 = enc & 7;
	uint64_t *reg;

	if (enc == SYSREG_ENC(2, 0, 0, 2, 2)) {
		reg = &fake.mdscr;
	} else if ((enc >> 7) == SYSREG_ENC(2, 0, 0, 0, 0) >> 7 && op2 >= 4) {
		if (n >= (op2 < 6 ? 6U : 4U))
			return ARCH_DEBUG_ABSENT;
		reg = &fake.debug[op2 - 4][n];
	} else {
		return ARCH_DEBUG_NOT_SELF_HOSTED;
	}
	if (write)
		*reg = *value;
	else
		*value = *reg;
	return ARCH_DEBUG_DONE;
}

void arch_inject_undef(struct vcpu *v) { inject(FAKE_INJECT_UNDEF, v, 0); }
void arch_inject_data_abort(struct vcpu *v, uint64_t far) { inject(FAKE_INJECT_DABT, v, far); }
void arch_inject_prefetch_abort(struct vcpu *v, uint64_t far) { inject(FAKE_INJECT_PABT, v, far); }

/* ---- the guest-activity probe ---- */
bool arch_probe_start(void)
{
	fake.probe_starts[fake.cpu]++;
	if (fake.no_pmu)
		return false;
	fake.probe_counting[fake.cpu] = true;
	fake.probe_el0_cycles[fake.cpu] = 0;
	return true;
}

uint64_t arch_probe_el0_cycles(void) { return fake.probe_el0_cycles[fake.cpu]; }
void arch_probe_stop(void) { fake.probe_counting[fake.cpu] = false; }
void arch_probe_trap_wfi(bool trap) { fake.probe_wfi_trapped[fake.cpu] = trap; }

/* As SPSR_EL2 (Arm ARM C5.2.19): M[4] AArch32, M[3:2] the EL, DAIF in bits 9-6. */
enum probe_mode arch_probe_mode(const struct vcpu *v)
{
	uint64_t ps = v->regs->pstate;

	if ((ps & 0x10) || (ps & 0xc) == 0)
		return PROBE_USER;
	if ((ps & 0x3c0) == 0x3c0)
		return PROBE_ALL_MASKED;
	return (ps & 0x80) ? PROBE_NOIRQ : PROBE_KERNEL;
}

/* ---- board ---- */
int arch_board_cpu_on(uint64_t mpidr, paddr_t entry, uint64_t context)
{
	(void)mpidr;
	(void)entry;
	(void)context;
	fake.cpu_on_calls++;
	return fake.cpu_on_result;
}

static int32_t firmware_answer(uint32_t fid)
{
	switch (fid) {
	case SMCCC_ARCH_WORKAROUND_1: return fake.firmware_workaround[0];
	case SMCCC_ARCH_WORKAROUND_2: return fake.firmware_workaround[1];
	case SMCCC_ARCH_WORKAROUND_3: return fake.firmware_workaround[2];
	default: return SMCCC_RET_NOT_SUPPORTED;
	}
}

int32_t arch_smccc_workaround_feature(uint32_t fid)
{
	return arch_workaround_answer(fid, &fake.ids, firmware_answer(fid));
}

void arch_smccc_workaround(uint32_t fid, uint64_t arg)
{
	if (arch_workaround_answer(fid, &fake.ids, firmware_answer(fid)) != 0)
		return; /* not required here: nothing to do */
	fake.firmware_workaround_calls++;
	fake.firmware_workaround_arg = arg;
}

void arch_board_off(void) { leave(FAKE_EXIT_BOARD_OFF); }
void arch_board_reset(void) { leave(FAKE_EXIT_RESET); }
void arch_cpu_halt(void) { leave(FAKE_EXIT_HALT); }

/* ---- the board UART (plat/) ---- */
void plat_uart_init(void) {}

void plat_uart_write(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (fake.uart_len + 1 < FAKE_UART_MAX)
			fake.uart[fake.uart_len++] = s[i];
}

uint32_t plat_uart_read(uint8_t *buf, uint32_t max)
{
	uint32_t n = fake.uart_rx_len < max ? fake.uart_rx_len : max;

	memcpy(buf, fake.uart_rx, n);
	memmove(fake.uart_rx, fake.uart_rx + n, fake.uart_rx_len - n);
	fake.uart_rx_len -= n;
	return n;
}
