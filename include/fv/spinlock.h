/* SPDX-License-Identifier: MIT */
/*
 * A ticket spinlock: fair between CPUs, so that one vCPU hammering a shared
 * model (the console, a distributor) cannot starve another CPU. Built on the
 * compiler's atomics, so the same code runs in host tests.
 *
 * The hypervisor never takes interrupts while running (PSTATE.I is masked on
 * every exception entry), so a lock holder cannot be preempted on its CPU.
 * Lock order, outermost first (never take an earlier lock while holding a
 * later one):  vm.lock > vpl011.lock > conmux.lock > vgic.lock >
 * icfgr_lock (arch/aarch64/gic.c, the board GIC's shared trigger words) > log.
 */
#ifndef FV_SPINLOCK_H
#define FV_SPINLOCK_H

#include <stdint.h>

struct spinlock {
	uint16_t next;
	uint16_t owner;
};

#define SPINLOCK_INIT \
	{             \
		0, 0  \
	}

void arch_cpu_relax(void);

static inline void spin_lock(struct spinlock *l)
{
	uint16_t ticket = __atomic_fetch_add(&l->next, 1, __ATOMIC_RELAXED);

	while (__atomic_load_n(&l->owner, __ATOMIC_ACQUIRE) != ticket)
		arch_cpu_relax();
}

static inline void spin_unlock(struct spinlock *l)
{
	__atomic_store_n(
		&l->owner, (uint16_t)(l->owner + 1),
		__ATOMIC_RELEASE); /* NOLINT(clang-analyzer-core.NullDereference): a false path through vgic_lookup */
}

static inline void spin_lock_init(struct spinlock *l)
{
	l->next = 0;
	l->owner = 0;
}

#endif
