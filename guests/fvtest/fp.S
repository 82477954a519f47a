/* SPDX-License-Identifier: MIT */
/*
 * fvtest's FP/SIMD registers, for the restart-hygiene check (hygiene.c):
 * fold all of them into one value, or fill them with a pattern. The caller
 * has enabled FP/SIMD at EL1 (CPACR_EL1.FPEN).
 */
	.text

/* uint64_t fp_fold(void): V0-V31 (both halves) xor-folded, rotated by index. */
	.global	fp_fold
fp_fold:
	mov	x0, #0
	.irp	n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	ror	x0, x0, #7
	fmov	x1, d\n
	mov	x2, v\n\().d[1]
	eor	x0, x0, x1
	eor	x0, x0, x2, ror #32
	.endr
	ret

/* void fp_fill(uint64_t pattern): every V register gets the pattern. */
	.global	fp_fill
fp_fill:
	.irp	n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	dup	v\n\().2d, x0
	.endr
	ret
