/* SPDX-License-Identifier: MIT */
/*
 * One accessor per system register (read_<name>, write_<name>). No mrs/msr
 * outside arch/aarch64. GICv3 registers use their S<op0>_<op1>_C<n>_C<m>_<op2>
 * encodings (GICv3 architecture specification §12.1.x) so any assembler
 * takes them.
 */
#ifndef ARCH_SYSREG_H
#define ARCH_SYSREG_H

#include <stdint.h>

#define SYSREG_READ(name, reg)                              \
	static inline uint64_t read_##name(void)            \
	{                                                   \
		uint64_t v;                                 \
		__asm__ volatile("mrs %0, " reg : "=r"(v)); \
		return v;                                   \
	}
#define SYSREG_WRITE(name, reg)                                            \
	static inline void write_##name(uint64_t v)                        \
	{                                                                  \
		__asm__ volatile("msr " reg ", %0" : : "r"(v) : "memory"); \
	}
#define SYSREG_RW(name, reg) SYSREG_READ(name, reg) SYSREG_WRITE(name, reg)

/* identification */
SYSREG_READ(mpidr_el1, "mpidr_el1")
SYSREG_READ(midr_el1, "midr_el1")
SYSREG_READ(id_aa64mmfr0_el1, "id_aa64mmfr0_el1")
SYSREG_READ(id_aa64mmfr1_el1, "id_aa64mmfr1_el1")
SYSREG_READ(id_aa64pfr0_el1, "id_aa64pfr0_el1")
SYSREG_READ(id_aa64dfr0_el1, "id_aa64dfr0_el1")
SYSREG_READ(id_aa64pfr1_el1, "s3_0_c0_c4_1")
SYSREG_READ(id_aa64isar0_el1, "id_aa64isar0_el1")
SYSREG_READ(id_aa64isar1_el1, "id_aa64isar1_el1")
SYSREG_READ(id_aa64isar2_el1, "s3_0_c0_c6_2")
SYSREG_READ(ctr_el0, "ctr_el0")
SYSREG_READ(dczid_el0, "dczid_el0")

/* EL2 control */
SYSREG_RW(hcr_el2, "hcr_el2")
SYSREG_RW(sctlr_el2, "sctlr_el2")
SYSREG_RW(tcr_el2, "tcr_el2")
SYSREG_RW(ttbr0_el2, "ttbr0_el2")
SYSREG_RW(mair_el2, "mair_el2")
SYSREG_RW(vbar_el2, "vbar_el2")
SYSREG_RW(tpidr_el2, "tpidr_el2")
SYSREG_RW(cptr_el2, "cptr_el2")
SYSREG_RW(mdcr_el2, "mdcr_el2")
SYSREG_WRITE(hcrx_el2, "s3_4_c1_c2_2")    /* FEAT_HCX */
SYSREG_WRITE(hfgrtr_el2, "s3_4_c1_c1_4")  /* FEAT_FGT */
SYSREG_WRITE(hfgwtr_el2, "s3_4_c1_c1_5")  /* FEAT_FGT */
SYSREG_WRITE(hfgitr_el2, "s3_4_c1_c1_6")  /* FEAT_FGT */
SYSREG_WRITE(hdfgrtr_el2, "s3_4_c3_c1_4") /* FEAT_FGT */
SYSREG_WRITE(hdfgwtr_el2, "s3_4_c3_c1_5") /* FEAT_FGT */
SYSREG_WRITE(hafgrtr_el2, "s3_4_c3_c1_6") /* FEAT_FGT with FEAT_AMUv1p1 */
SYSREG_WRITE(trfcr_el2, "s3_4_c1_c2_1")   /* FEAT_TRF */
SYSREG_WRITE(oslar_el1, "oslar_el1")
SYSREG_WRITE(osdlr_el1, "osdlr_el1")
SYSREG_RW(vtcr_el2, "vtcr_el2")
SYSREG_RW(vttbr_el2, "vttbr_el2")
SYSREG_RW(vpidr_el2, "vpidr_el2")
SYSREG_RW(vmpidr_el2, "vmpidr_el2")
SYSREG_RW(cnthctl_el2, "cnthctl_el2")
SYSREG_RW(cntvoff_el2, "cntvoff_el2")
SYSREG_RW(cnthp_ctl_el2, "cnthp_ctl_el2")
SYSREG_RW(cnthp_cval_el2, "cnthp_cval_el2")
SYSREG_READ(esr_el2, "esr_el2")
SYSREG_READ(far_el2, "far_el2")
SYSREG_READ(hpfar_el2, "hpfar_el2")
SYSREG_RW(elr_el2, "elr_el2")
SYSREG_RW(zcr_el2, "s3_4_c1_c2_0")
SYSREG_WRITE(vdisr_el2, "s3_4_c12_c1_1")

/* EL1 state of the vCPU (reset on VM start, written when injecting) */
SYSREG_RW(sctlr_el1, "sctlr_el1")
SYSREG_RW(tcr_el1, "tcr_el1")
SYSREG_RW(ttbr0_el1, "ttbr0_el1")
SYSREG_RW(ttbr1_el1, "ttbr1_el1")
SYSREG_RW(mair_el1, "mair_el1")
SYSREG_RW(amair_el1, "amair_el1")
SYSREG_RW(vbar_el1, "vbar_el1")
SYSREG_RW(contextidr_el1, "contextidr_el1")
SYSREG_RW(tpidr_el1, "tpidr_el1")
SYSREG_RW(tpidr_el0, "tpidr_el0")
SYSREG_RW(tpidrro_el0, "tpidrro_el0")
SYSREG_RW(sp_el1, "sp_el1")
SYSREG_RW(sp_el0, "sp_el0")
SYSREG_RW(elr_el1, "elr_el1")
SYSREG_RW(spsr_el1, "spsr_el1")
SYSREG_RW(esr_el1, "esr_el1")
SYSREG_RW(far_el1, "far_el1")
SYSREG_RW(afsr0_el1, "afsr0_el1")
SYSREG_RW(afsr1_el1, "afsr1_el1")
SYSREG_RW(par_el1, "par_el1")
SYSREG_RW(cpacr_el1, "cpacr_el1")
SYSREG_RW(csselr_el1, "csselr_el1")
SYSREG_RW(cntkctl_el1, "cntkctl_el1")
SYSREG_RW(mdscr_el1, "mdscr_el1")
SYSREG_RW(cntv_ctl_el0, "cntv_ctl_el0")
SYSREG_RW(cntv_cval_el0, "cntv_cval_el0")
SYSREG_RW(actlr_el1, "actlr_el1")
SYSREG_WRITE(disr_el1, "s3_0_c12_c1_1") /* FEAT_RAS */
/* self-hosted debug (the breakpoint and watchpoint registers: vcpu_reset.c) */
SYSREG_WRITE(mdccint_el1, "s2_0_c0_c2_0")
/* FEAT_PAuth keys */
SYSREG_WRITE(apiakeylo_el1, "s3_0_c2_c1_0")
SYSREG_WRITE(apiakeyhi_el1, "s3_0_c2_c1_1")
SYSREG_WRITE(apibkeylo_el1, "s3_0_c2_c1_2")
SYSREG_WRITE(apibkeyhi_el1, "s3_0_c2_c1_3")
SYSREG_WRITE(apdakeylo_el1, "s3_0_c2_c2_0")
SYSREG_WRITE(apdakeyhi_el1, "s3_0_c2_c2_1")
SYSREG_WRITE(apdbkeylo_el1, "s3_0_c2_c2_2")
SYSREG_WRITE(apdbkeyhi_el1, "s3_0_c2_c2_3")
SYSREG_WRITE(apgakeylo_el1, "s3_0_c2_c3_0")
SYSREG_WRITE(apgakeyhi_el1, "s3_0_c2_c3_1")
/* FEAT_SVE and FEAT_SME */
SYSREG_WRITE(zcr_el1, "s3_0_c1_c2_0")
SYSREG_WRITE(svcr, "s3_3_c4_c2_2")
SYSREG_WRITE(smcr_el1, "s3_0_c1_c2_6")
SYSREG_WRITE(smpri_el1, "s3_0_c1_c2_4")
SYSREG_WRITE(tpidr2_el0, "s3_3_c13_c0_5")

/* timers and counters */
SYSREG_READ(cntpct_el0, "cntpct_el0")
SYSREG_READ(cntfrq_el0, "cntfrq_el0")

/* the PMU, the hypervisor's own (guests' accesses trap) */
SYSREG_RW(pmcr_el0, "pmcr_el0")
SYSREG_RW(pmccntr_el0, "pmccntr_el0")
SYSREG_RW(pmccfiltr_el0, "pmccfiltr_el0")
SYSREG_WRITE(pmcntenset_el0, "pmcntenset_el0")
SYSREG_WRITE(pmcntenclr_el0, "pmcntenclr_el0")

/* GICv3 physical CPU interface, as EL2 sees it */
SYSREG_READ(icc_iar1_el1, "s3_0_c12_c12_0")
SYSREG_WRITE(icc_eoir1_el1, "s3_0_c12_c12_1")
SYSREG_WRITE(icc_dir_el1, "s3_0_c12_c11_1")
SYSREG_RW(icc_pmr_el1, "s3_0_c4_c6_0")
SYSREG_RW(icc_bpr1_el1, "s3_0_c12_c12_3")
SYSREG_RW(icc_ctlr_el1, "s3_0_c12_c12_4")
SYSREG_RW(icc_igrpen1_el1, "s3_0_c12_c12_7")
SYSREG_WRITE(icc_sgi1r_el1, "s3_0_c12_c11_5")
SYSREG_RW(icc_sre_el2, "s3_4_c12_c9_5")

/* GICv3 virtual CPU interface control */
SYSREG_RW(ich_hcr_el2, "s3_4_c12_c11_0")
SYSREG_READ(ich_vtr_el2, "s3_4_c12_c11_1")
SYSREG_READ(ich_misr_el2, "s3_4_c12_c11_2")
SYSREG_READ(ich_eisr_el2, "s3_4_c12_c11_3")
SYSREG_READ(ich_elrsr_el2, "s3_4_c12_c11_5")
SYSREG_RW(ich_vmcr_el2, "s3_4_c12_c11_7")
SYSREG_RW(ich_ap0r0_el2, "s3_4_c12_c8_0")
SYSREG_RW(ich_ap0r1_el2, "s3_4_c12_c8_1")
SYSREG_RW(ich_ap0r2_el2, "s3_4_c12_c8_2")
SYSREG_RW(ich_ap0r3_el2, "s3_4_c12_c8_3")
SYSREG_RW(ich_ap1r0_el2, "s3_4_c12_c9_0")
SYSREG_RW(ich_ap1r1_el2, "s3_4_c12_c9_1")
SYSREG_RW(ich_ap1r2_el2, "s3_4_c12_c9_2")
SYSREG_RW(ich_ap1r3_el2, "s3_4_c12_c9_3")

/* List registers: ICH_LR<n>_EL2, n = 0..15 (§12.5.x). */
uint64_t read_ich_lr(unsigned int n);
void write_ich_lr(unsigned int n, uint64_t v);

static inline void isb(void)
{
	__asm__ volatile("isb" ::: "memory");
}

static inline void dsb_sy(void)
{
	__asm__ volatile("dsb sy" ::: "memory");
}

static inline void dsb_ish(void)
{
	__asm__ volatile("dsb ish" ::: "memory");
}

static inline void dsb_ishst(void)
{
	__asm__ volatile("dsb ishst" ::: "memory");
}

static inline void dsb_nsh(void)
{
	__asm__ volatile("dsb nsh" ::: "memory");
}

#endif
