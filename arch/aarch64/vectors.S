/* SPDX-License-Identifier: MIT */
/*
 * EL2 exception vectors (Arm ARM D1.10.2, "Exception vectors"). From a
 * guest, the whole register file is saved into the trap frame at the top of
 * this CPU's stack, one C handler runs, and the frame is restored. The asm
 * does nothing else: decoding and handling are in C (trap.c).
 */
#include <arch/frame.h>

.macro save_frame
	sub	sp, sp, #FRAME_SIZE
	stp	x0, x1, [sp, #16 * 0]
	stp	x2, x3, [sp, #16 * 1]
	stp	x4, x5, [sp, #16 * 2]
	stp	x6, x7, [sp, #16 * 3]
	stp	x8, x9, [sp, #16 * 4]
	stp	x10, x11, [sp, #16 * 5]
	stp	x12, x13, [sp, #16 * 6]
	stp	x14, x15, [sp, #16 * 7]
	stp	x16, x17, [sp, #16 * 8]
	stp	x18, x19, [sp, #16 * 9]
	stp	x20, x21, [sp, #16 * 10]
	stp	x22, x23, [sp, #16 * 11]
	stp	x24, x25, [sp, #16 * 12]
	stp	x26, x27, [sp, #16 * 13]
	stp	x28, x29, [sp, #16 * 14]
	mrs	x0, elr_el2
	mrs	x1, spsr_el2
	stp	x30, x0, [sp, #16 * 15]
	str	x1, [sp, #FRAME_PSTATE]
	mov	x0, sp
.endm

.macro vector_entry label
	.balign	0x80
	b	\label
.endm

	.text
	.balign	0x800
	.global	el2_vectors
el2_vectors:
	/* current EL with SP_EL0: never used */
	vector_entry	hv_fault
	vector_entry	hv_fault
	vector_entry	hv_fault
	vector_entry	hv_fault
	/* current EL with SP_EL2: a device's external abort on a guest's
	 * access (arch_hv_fault returns, and so do we), else a hypervisor bug */
	vector_entry	hv_fault
	vector_entry	hv_fault
	vector_entry	hv_fault
	vector_entry	hv_fault
	/* lower EL, AArch64: the guest */
	vector_entry	guest_sync
	vector_entry	guest_irq
	vector_entry	guest_irq	/* FIQ: not used, handled like IRQ */
	vector_entry	guest_serror
	/* lower EL, AArch32: guests are AArch64 at EL1 (HCR_EL2.RW) */
	vector_entry	guest_sync
	vector_entry	guest_irq
	vector_entry	guest_irq
	vector_entry	guest_serror

guest_sync:
	save_frame
	bl	arch_guest_sync
	b	guest_exit

guest_irq:
	save_frame
	bl	arch_guest_irq
	b	guest_exit

guest_serror:
	save_frame
	bl	arch_guest_serror
	b	guest_exit

hv_fault:
	save_frame
	bl	arch_hv_fault
	b	guest_exit	/* restores the frame at SP and returns to EL2 */

/*
 * void arch_guest_enter(struct vcpu_regs *frame): the frame sits at the top
 * of this CPU's stack; load it and enter the guest. SP is left at the top of
 * the stack, ready for the next exception.
 */
	.global	arch_guest_enter
arch_guest_enter:
	mov	sp, x0
guest_exit:
	ldr	x1, [sp, #FRAME_PSTATE]
	ldp	x30, x0, [sp, #16 * 15]
	msr	spsr_el2, x1
	msr	elr_el2, x0
	ldp	x0, x1, [sp, #16 * 0]
	ldp	x2, x3, [sp, #16 * 1]
	ldp	x4, x5, [sp, #16 * 2]
	ldp	x6, x7, [sp, #16 * 3]
	ldp	x8, x9, [sp, #16 * 4]
	ldp	x10, x11, [sp, #16 * 5]
	ldp	x12, x13, [sp, #16 * 6]
	ldp	x14, x15, [sp, #16 * 7]
	ldp	x16, x17, [sp, #16 * 8]
	ldp	x18, x19, [sp, #16 * 9]
	ldp	x20, x21, [sp, #16 * 10]
	ldp	x22, x23, [sp, #16 * 11]
	ldp	x24, x25, [sp, #16 * 12]
	ldp	x26, x27, [sp, #16 * 13]
	ldp	x28, x29, [sp, #16 * 14]
	add	sp, sp, #FRAME_SIZE
	eret
	/* no speculation past eret (Arm's "straight-line speculation" advice) */
	dsb	nsh
	isb

/* Zero the FP/SIMD registers and their control registers: a restarted VM
 * must not see its previous run's values. Called with CPTR_EL2.TFP = 0. */
	.global	arch_fpsimd_zero
arch_fpsimd_zero:
	movi	v0.16b, #0
	movi	v1.16b, #0
	movi	v2.16b, #0
	movi	v3.16b, #0
	movi	v4.16b, #0
	movi	v5.16b, #0
	movi	v6.16b, #0
	movi	v7.16b, #0
	movi	v8.16b, #0
	movi	v9.16b, #0
	movi	v10.16b, #0
	movi	v11.16b, #0
	movi	v12.16b, #0
	movi	v13.16b, #0
	movi	v14.16b, #0
	movi	v15.16b, #0
	movi	v16.16b, #0
	movi	v17.16b, #0
	movi	v18.16b, #0
	movi	v19.16b, #0
	movi	v20.16b, #0
	movi	v21.16b, #0
	movi	v22.16b, #0
	movi	v23.16b, #0
	movi	v24.16b, #0
	movi	v25.16b, #0
	movi	v26.16b, #0
	movi	v27.16b, #0
	movi	v28.16b, #0
	movi	v29.16b, #0
	movi	v30.16b, #0
	movi	v31.16b, #0
	msr	fpcr, xzr
	msr	fpsr, xzr
	ret

/* Zero the SVE predicate registers and FFR (the Z registers' bits above 128
 * are zeroed by arch_fpsimd_zero's writes to the V registers). Only called
 * on a CPU that has SVE, with CPTR_EL2.TZ = 0. */
	.global	arch_sve_pregs_zero
arch_sve_pregs_zero:
	.arch_extension sve
	pfalse	p0.b
	pfalse	p1.b
	pfalse	p2.b
	pfalse	p3.b
	pfalse	p4.b
	pfalse	p5.b
	pfalse	p6.b
	pfalse	p7.b
	pfalse	p8.b
	pfalse	p9.b
	pfalse	p10.b
	pfalse	p11.b
	pfalse	p12.b
	pfalse	p13.b
	pfalse	p14.b
	pfalse	p15.b
	wrffr	p0.b
	ret
