/* SPDX-License-Identifier: MIT */
/*
 * fvtest entry and exception vectors. vCPU 0 enters at _start with x0 = its
 * device tree (Linux boot protocol, as Flashvisor starts bare VMs); other
 * vCPUs enter at secondary_entry through PSCI CPU_ON with x0 = context.
 * Every exception saves the caller-saved registers and calls C, which may
 * step over a faulting instruction by editing ELR_EL1.
 */
	.section .text.start, "ax"
	.global _start
_start:
	ldr	x1, =__bss_start
	ldr	x2, =__bss_end
1:	cmp	x1, x2
	b.hs	2f
	str	xzr, [x1], #8
	b	1b
2:	mrs	x3, vbar_el1		/* as the hypervisor started us, before we set ours */
	ldr	x4, =boot_vbar
	str	x3, [x4]
	ldr	x1, =__stack_top
	mov	sp, x1
	ldr	x1, =vectors
	msr	vbar_el1, x1
	isb
	bl	fvtest_main
3:	wfi
	b	3b

	.global secondary_entry
secondary_entry:
	/* stack for vCPU 1: the lower half */
	ldr	x1, =__stack_base
	add	x1, x1, #0x4000
	mov	sp, x1
	mrs	x3, vbar_el1
	ldr	x4, =boot_vbar
	str	x3, [x4, #8]
	ldr	x1, =vectors
	msr	vbar_el1, x1
	isb
	bl	fvtest_secondary
4:	wfi
	b	4b

.macro entry kind
	.balign	0x80
	sub	sp, sp, #192
	stp	x0, x1, [sp, #0]
	stp	x2, x3, [sp, #16]
	stp	x4, x5, [sp, #32]
	stp	x6, x7, [sp, #48]
	stp	x8, x9, [sp, #64]
	stp	x10, x11, [sp, #80]
	stp	x12, x13, [sp, #96]
	stp	x14, x15, [sp, #112]
	stp	x16, x17, [sp, #128]
	stp	x18, x30, [sp, #144]
	mov	x0, #\kind
	bl	fvtest_exception
	ldp	x0, x1, [sp, #0]
	ldp	x2, x3, [sp, #16]
	ldp	x4, x5, [sp, #32]
	ldp	x6, x7, [sp, #48]
	ldp	x8, x9, [sp, #64]
	ldp	x10, x11, [sp, #80]
	ldp	x12, x13, [sp, #96]
	ldp	x14, x15, [sp, #112]
	ldp	x16, x17, [sp, #128]
	ldp	x18, x30, [sp, #144]
	add	sp, sp, #192
	eret
.endm

	.text
	.balign	0x800
	.global vectors
vectors:
	entry 0		/* EL1t sync */
	entry 1		/* EL1t irq */
	entry 2		/* EL1t fiq */
	entry 3		/* EL1t serror */
	entry 0		/* EL1h sync */
	entry 1		/* EL1h irq */
	entry 2
	entry 3
	entry 0		/* lower EL: not used */
	entry 1
	entry 2
	entry 3
	entry 0
	entry 1
	entry 2
	entry 3
	.ltorg
