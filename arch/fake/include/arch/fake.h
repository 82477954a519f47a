/* SPDX-License-Identifier: MIT */
/*
 * The fake architecture: the porting layer (the headers of include/fv/arch/) implemented
 * on the host, so that core logic (vGIC, PSCI, console multiplexer, stage 2,
 * image checks, VM life cycle) runs in unit tests and fuzzers under
 * sanitizers. "Hardware" is the struct below, which tests set up and
 * inspect. Functions that never return on the target (entering a guest,
 * powering the board off) longjmp to fake.exit_jmp if a test armed it.
 */
#ifndef ARCH_FAKE_H
#define ARCH_FAKE_H

#include <setjmp.h>

#include <arch/workaround.h>
#include <fv/arch/cpu.h>
#include <fv/arch/firmware.h>
#include <fv/arch/irq.h>
#include <fv/arch/mem.h>
#include <fv/arch/probe.h>
#include <fv/arch/vcpu.h>
#include <fv/arch/vcpuif.h>
#include <fv/limits.h>
#include <fv/vgic.h>
#include <fv/vm.h>

#define FAKE_MAX_INTID 1024
#define FAKE_MAX_PENDING 64
#define FAKE_MAX_REGIONS 8
#define FAKE_UART_MAX 65536

enum fake_exit {
	FAKE_EXIT_NONE = 0,
	FAKE_EXIT_RUN = 1,       /* arch_vcpu_run */
	FAKE_EXIT_BOARD_OFF = 2, /* arch_board_off */
	FAKE_EXIT_RESET = 3,     /* arch_board_reset */
	FAKE_EXIT_HALT = 4,      /* arch_cpu_halt (panic) */
	FAKE_EXIT_IDLE = 5,      /* arch_wait_irq with nothing pending */
};

enum fake_inject {
	FAKE_INJECT_NONE = 0,
	FAKE_INJECT_UNDEF,
	FAKE_INJECT_DABT,
	FAKE_INJECT_PABT,
};

struct fake_irq_state {
	bool enabled;
	bool pending;
	bool active;
	bool edge;
	uint32_t route; /* pcpu for SPIs */
};

struct fake_region {
	uint64_t pa;
	uint64_t size;
	uint8_t *host;
};

struct fake_hw {
	uint32_t cpu;     /* arch_cpu_index() */
	uint64_t counter; /* arch_counter() */
	uint64_t freq;    /* arch_counter_freq(), default 1 MHz */
	uint64_t hyp_timer[FV_MAX_CPUS];
	uint32_t kicks[FV_MAX_CPUS];
	struct fake_irq_state irq[FV_MAX_CPUS][32]; /* private, per CPU */
	struct fake_irq_state spi[FAKE_MAX_INTID];
	uint32_t lr_count; /* default 4, as on the reference board */
	uint64_t lr[FV_MAX_CPUS][VGIC_MAX_LRS];
	bool underflow[FV_MAX_CPUS];
	uint32_t vgic_resets[FV_MAX_CPUS];
	/* physical interrupts waiting to be acknowledged, per CPU */
	uint32_t pending_intid[FV_MAX_CPUS][FAKE_MAX_PENDING];
	uint32_t pending_count[FV_MAX_CPUS];
	uint32_t deactivated[FAKE_MAX_INTID];
	uint32_t dropped[FAKE_MAX_INTID];
	struct fake_region region[FAKE_MAX_REGIONS];
	uint32_t region_count;
	uint64_t (*mmio_read)(uint64_t pa, unsigned int width);
	void (*mmio_write)(uint64_t pa, unsigned int width, uint64_t value);
	bool mmio_abort; /* every device access is answered with an external abort */
	uint32_t s2_flushes;
	uint32_t vcpu_resets[FV_MAX_CPUS];
	uint32_t vtimer_masks[FV_MAX_CPUS];
	uint64_t vbar; /* the guest's VBAR_EL1 (0: none) */
	enum fake_inject last_inject;
	uint64_t last_inject_far;
	uint32_t inject_count;
	uint32_t cpu_on_calls;
	int cpu_on_result;
	/* this CPU's ID registers and what the firmware says about ARCH_WORKAROUND_1..3
	 * (fake_reset: NOT_SUPPORTED, as QEMU's firmware); calls forwarded to it */
	struct workaround_ids ids;
	/* this CPU's self-hosted debug registers: MDSCR_EL1, then DBGBVR, DBGBCR,
	 * DBGWVR, DBGWCR <n> (6 breakpoints, 4 watchpoints, as a Cortex-A57) */
	uint64_t mdscr;
	uint64_t debug[4][16];
	int32_t firmware_workaround[3];
	uint32_t firmware_workaround_calls;
	uint64_t firmware_workaround_arg;
	char uart[FAKE_UART_MAX];
	size_t uart_len;
	uint8_t uart_rx[256];
	uint32_t uart_rx_len;
	struct vcpu_regs frames[FV_MAX_CPUS];
	/* the guest-activity probe (fv/arch/probe.h) */
	bool no_pmu;                            /* the CPUs have no cycle counter */
	bool probe_counting[FV_MAX_CPUS];       /* EL0 cycles being counted */
	uint64_t probe_el0_cycles[FV_MAX_CPUS]; /* what the counter reads; tests add to it */
	bool probe_wfi_trapped[FV_MAX_CPUS];    /* HCR_EL2.TWI */
	uint32_t probe_starts[FV_MAX_CPUS];
	jmp_buf *exit_jmp; /* where noreturn functions go, if set */
	enum fake_exit exit_reason;
};

extern struct fake_hw fake;

/* Reset all fake hardware to power-on state (lr_count 4, freq 1 MHz). */
void fake_reset(void);
/* Make [pa, pa + size) of "physical memory" refer to host memory. */
void fake_map(uint64_t pa, void *host, uint64_t size);
/* Queue a physical interrupt for CPU cpu's next arch_irq_ack. */
void fake_raise(uint32_t cpu, uint32_t intid);
/* What the board UART printed so far, NUL-terminated. */
const char *fake_uart_text(void);
void fake_uart_clear(void);

/* Run an expression that may call a noreturn arch function; returns the exit reason. */
#define FAKE_CATCH(stmt)                            \
	({                                          \
		jmp_buf _jb;                        \
		jmp_buf *_saved = fake.exit_jmp;    \
		enum fake_exit _r = FAKE_EXIT_NONE; \
		fake.exit_jmp = &_jb;               \
		fake.exit_reason = FAKE_EXIT_NONE;  \
		if (setjmp(_jb) == 0) {             \
			stmt;                       \
		} else {                            \
			_r = fake.exit_reason;      \
		}                                   \
		fake.exit_jmp = _saved;             \
		_r;                                 \
	})

#endif
