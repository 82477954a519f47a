/* SPDX-License-Identifier: MIT */
/*
 * The porting layer: what core/ needs from the architecture. Implemented by
 * arch/aarch64 for the hypervisor and by arch/fake for host tests, where
 * "hardware" is a struct the tests inspect.
 */
#ifndef FV_ARCH_H
#define FV_ARCH_H

#include <fv/types.h>

struct vcpu;
struct vm;

/* ---- this CPU ---- */
uint32_t arch_cpu_index(void);
void arch_cpu_relax(void);
/* Wait (interrupts masked) until an interrupt is pending; irq_handle takes it. */
void arch_wait_irq(void);
uint64_t arch_counter(void);      /* the system counter (CNTPCT) */
uint64_t arch_counter_freq(void); /* ticks per second */
/* Arm this CPU's hypervisor timer for `deadline` (counter value); 0 disarms. */
void arch_hyp_timer_arm(uint64_t deadline);
/* Ask CPU `pcpu` to look at its requests (a hypervisor SGI). */
void arch_kick_cpu(uint32_t pcpu);

/* ---- the physical interrupt controller ---- */
#define IRQ_SPURIOUS 1020U /* INTIDs 1020..1023 are special */
uint32_t arch_irq_ack(void);              /* ICC_IAR1: the highest pending INTID */
void arch_irq_priority_drop(uint32_t intid);  /* ICC_EOIR1 (EOImode 1) */
void arch_irq_deactivate(uint32_t intid);     /* ICC_DIR */
void arch_irq_enable(uint32_t intid, uint32_t pcpu);  /* SPI: also routes it to pcpu */
void arch_irq_disable(uint32_t intid, uint32_t pcpu);
void arch_irq_set_pending(uint32_t intid, uint32_t pcpu, bool pending);
void arch_irq_clear_active(uint32_t intid, uint32_t pcpu);
void arch_irq_set_edge(uint32_t intid, bool edge);

/* ---- GIC virtual CPU interface of this CPU (ICH_*_EL2) ---- */
uint32_t arch_lr_count(void);
uint64_t arch_lr_read(uint32_t n);
void arch_lr_write(uint32_t n, uint64_t value);
/* Request a maintenance interrupt when at most one LR holds an interrupt. */
void arch_vgic_underflow_irq(bool enable);
/* Bitmap of list registers holding no interrupt (ICH_ELRSR_EL2). */
uint32_t arch_lr_empty(void);
/* Reset the virtual CPU interface (LRs, active priorities, VMCR). */
void arch_vgic_reset(void);

/* ICH_LR<n>_EL2 fields (GICv3 architecture specification §12.5.x). */
#define LR_VINTID_MASK 0xffffffffULL
#define LR_PINTID_SHIFT 32
#define LR_PINTID_MASK (0x3ffULL << LR_PINTID_SHIFT)
#define LR_EOI BIT(41)
#define LR_PRIORITY_SHIFT 48
#define LR_GROUP1 BIT(60)
#define LR_HW BIT(61)
#define LR_STATE_PENDING BIT(62)
#define LR_STATE_ACTIVE BIT(63)
#define LR_STATE_MASK (LR_STATE_PENDING | LR_STATE_ACTIVE)

/* ---- memory ---- */
/* The hypervisor's pointer to physical memory (identity-mapped on target). */
void *arch_phys_to_ptr(paddr_t pa);
/* Clean (and invalidate) data cache lines covering [p, p + n) to the PoC. */
void arch_dcache_clean_inval(void *p, size_t n);
void arch_icache_invalidate_all(void);
/* Zero `n` bytes of RAM at p (may use DC ZVA); n is a multiple of 4 KiB. */
void arch_zero_pages(void *p, size_t n);
/* Copy for image loads; may use wide loads/stores. */
void arch_copy(void *dst, const void *src, size_t n);
/*
 * Bracket the loading of a VM on this CPU: in between, no guest runs here,
 * so copies and hashing may use the FP/SIMD registers (and the end clears
 * them again).
 */
void arch_load_begin(void);
void arch_load_end(void);

/* ---- device access on behalf of a guest (passthrough windows) ---- */
uint64_t arch_mmio_read(paddr_t pa, unsigned int width);
void arch_mmio_write(paddr_t pa, unsigned int width, uint64_t value);

/* ---- stage 2 ---- */
/* Invalidate stage-1 and stage-2 TLB entries of VMID, all CPUs. */
void arch_s2_flush_vmid(uint16_t vmid, paddr_t root);

/* ---- vCPUs ---- */
/* The trap frame of board CPU `pcpu` (fixed: the top of its stack). */
struct vcpu_regs *arch_cpu_frame(uint32_t pcpu);
/* Mask this CPU's virtual timer (its vCPU is off). */
void arch_vtimer_mask(void);
/* A random 64-bit value for KASLR seeds (RNDR if present, else a counter mix). */
uint64_t arch_random(void);
/* Put this CPU's EL1 state in its reset condition for v, and v's PSTATE (EL1h, DAIF set). */
void arch_vcpu_reset(struct vcpu *v);
/* Enter (or return to) the guest on this CPU; never returns. */
__attribute__((noreturn)) void arch_vcpu_run(struct vcpu *v);
/* Is the guest executing its own EL1 exception vectors (a fault there recurses)? */
bool arch_guest_in_vectors(const struct vcpu *v);
/* Exceptions injected into the guest (Arm ARM D1.10, "Exception entry"). */
void arch_inject_undef(struct vcpu *v);
void arch_inject_data_abort(struct vcpu *v, uint64_t far);
void arch_inject_prefetch_abort(struct vcpu *v, uint64_t far);

/* ---- the board, through the firmware below us (QEMU's PSCI over SMC) ---- */
int arch_board_cpu_on(uint64_t mpidr, paddr_t entry, uint64_t context);
__attribute__((noreturn)) void arch_board_off(void);
__attribute__((noreturn)) void arch_board_reset(void);
/* Stop this CPU for good, interrupts masked (panic path). */
__attribute__((noreturn)) void arch_cpu_halt(void);

#endif
