/* SPDX-License-Identifier: MIT */
/*
 * Basic types shared by the hypervisor, the host tool and the host tests.
 *
 * Addresses come in three kinds that must never be mixed: physical addresses
 * of the board (paddr_t), guest-physical addresses of a VM, the input of
 * stage-2 translation (ipaddr_t), and hypervisor virtual addresses (vaddr_t).
 * Each is a one-member struct so that passing a guest address where a
 * physical one is expected is a compile error, not a partitioning bug.
 */
#ifndef FV_TYPES_H
#define FV_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
	uint64_t pa;
} paddr_t;

typedef struct {
	uint64_t ipa;
} ipaddr_t;

typedef struct {
	uintptr_t va;
} vaddr_t;

static inline paddr_t pa_init(uint64_t v)
{
	return (paddr_t){ v };
}

static inline ipaddr_t ipa_init(uint64_t v)
{
	return (ipaddr_t){ v };
}

static inline uint64_t pa_addr(paddr_t a)
{
	return a.pa;
}

static inline uint64_t ipa_addr(ipaddr_t a)
{
	return a.ipa;
}

static inline paddr_t pa_add(paddr_t a, uint64_t off)
{
	return (paddr_t){ a.pa + off };
}

static inline ipaddr_t ipa_add(ipaddr_t a, uint64_t off)
{
	return (ipaddr_t){ a.ipa + off };
}

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define ALIGN_UP(x, a) (((x) + ((a)-1)) & ~((uint64_t)(a)-1))
#define IS_ALIGNED(x, a) (((x) & ((uint64_t)(a)-1)) == 0)
#define BIT(n) (1ULL << (n))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

#define SZ_4K 0x1000ULL
#define SZ_64K 0x10000ULL
#define SZ_2M 0x200000ULL
#define SZ_1G 0x40000000ULL

/* True if [base, base + size) wraps around the 64-bit address space. */
static inline bool range_wraps(uint64_t base, uint64_t size)
{
	return size != 0 && base + size - 1 < base;
}

/* True if the non-empty ranges [a, a + as) and [b, b + bs) share a byte. */
static inline bool ranges_overlap(uint64_t a, uint64_t as, uint64_t b, uint64_t bs)
{
	return as != 0 && bs != 0 && a <= b + bs - 1 && b <= a + as - 1;
}

/* True if [inner, inner + is) lies inside [outer, outer + os). */
static inline bool range_within(uint64_t inner, uint64_t is, uint64_t outer, uint64_t os)
{
	return is != 0 && !range_wraps(inner, is) && inner >= outer && inner - outer <= os &&
	       is <= os - (inner - outer);
}

#endif
