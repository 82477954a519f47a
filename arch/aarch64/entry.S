/* SPDX-License-Identifier: MIT */
/*
 * Reset path. The CPU starts here, at EL2, at address 0 of flash bank 0,
 * with the MMU and caches off (PLATFORM.md). Flash is not RAM: nothing is
 * written until the image is copied to its link address in RAM. Then every
 * CPU (the boot CPU now, the others when PSCI CPU_ON starts them at
 * secondary_entry) gets its stack and enters C in arch_cpu_boot.
 */
#include <arch/frame.h>
#include <fv/manifest_version.h>

	.section .text.head, "ax"
	.global _start
_start:
	b	reset
	nop
	/* struct hv_header (include/fv/manifest.h), at HV_HEADER_OFFSET = 8 */
	.quad	0x5253495648534c46	/* "FLSHVISR" */
	.quad	__hv_ram_base
	.quad	__hv_ram_size
	.quad	__hv_image_size
	.word	MANIFEST_VERSION
	.word	0

reset:
	msr	daifset, #0xf
	/* Copy [_start, __data_end) from where we run to where we are linked. */
	adr	x0, _start
	ldr	x1, =_start
	ldr	x2, =__data_end
	sub	x2, x2, x1
	cmp	x0, x1
	b.eq	2f
1:	ldp	x3, x4, [x0], #16
	stp	x3, x4, [x1], #16
	subs	x2, x2, #16
	b.gt	1b
2:	ldr	x0, =__bss_start
	ldr	x1, =__bss_end
3:	stp	xzr, xzr, [x0], #16
	cmp	x0, x1
	b.lo	3b
	/* The copy must reach memory before we fetch instructions from it. */
	dsb	sy
	ic	iallu
	dsb	sy
	isb
	mov	x0, #0
	ldr	x1, =cpu_entry
	br	x1

	.text
	/* PSCI CPU_ON lands here at EL2, MMU off; x0 = our CPU index (context id). */
	.global secondary_entry
secondary_entry:
	msr	daifset, #0xf
cpu_entry:
	/* sp = __stacks_start + (index + 1) * STACK_SIZE - FRAME_SIZE: the trap
	 * frame owns the top FRAME_SIZE bytes of each stack, C runs below it */
	ldr	x1, =__stacks_start
	mov	x2, #STACK_SIZE
	madd	x1, x0, x2, x1
	add	x1, x1, x2
	/* C runs here with the MMU and caches off until arch_mmu_enable, so its
	 * first stack writes go to memory; other CPUs run with caches on and may
	 * hold (speculatively fetched) stale copies of these lines, which a
	 * cacheable read could return later. Invalidate the stack to the point
	 * of coherency before using it (Arm ARM, DC IVAC; the line size from
	 * CTR_EL0.DminLine, in words). */
	mrs	x3, ctr_el0
	ubfx	x3, x3, #16, #4
	mov	x4, #4
	lsl	x4, x4, x3
	sub	x5, x1, x2
5:	dc	ivac, x5
	add	x5, x5, x4
	cmp	x5, x1
	b.lo	5b
	dsb	sy
	sub	sp, x1, #FRAME_SIZE
	mov	x29, #0
	mov	x30, #0
	bl	arch_cpu_boot
4:	wfi
	b	4b

	.ltorg
