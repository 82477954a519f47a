/* SPDX-License-Identifier: MIT */
/*
 * The GICv3 distributor and redistributor register maps (GICv3 and GICv4
 * architecture specification, IHI 0069: §12.9 GICD, §12.10 GICR RD_base,
 * §12.11 GICR SGI_base), as this project uses them: single security state
 * (GICD_CTLR.DS = 1) and affinity routing. Shared by the driver of the
 * board's GIC (arch/aarch64/gic.c) and the vGIC every VM sees (core/vgic/vgicd.c,
 * core/vgic/vgicr.c), as pl011.h is for the UART.
 */
#ifndef FV_GICV3_H
#define FV_GICV3_H

#include <fv/types.h>

/* ---- distributor, offsets in its 64 KiB frame ---- */
#define GICD_CTLR 0x0000U
#define GICD_TYPER 0x0004U
#define GICD_IIDR 0x0008U
#define GICD_TYPER2 0x000cU
#define GICD_IGROUPR 0x0080U
#define GICD_ISENABLER 0x0100U
#define GICD_ICENABLER 0x0180U
#define GICD_ISPENDR 0x0200U
#define GICD_ICPENDR 0x0280U
#define GICD_ISACTIVER 0x0300U
#define GICD_ICACTIVER 0x0380U
#define GICD_IPRIORITYR 0x0400U
#define GICD_IPRIORITYR_END 0x0800U
#define GICD_ICFGR 0x0c00U
#define GICD_ICFGR_END 0x0d00U
#define GICD_IROUTER 0x6000U
#define GICD_IROUTER_END 0x7fe0U
#define GICD_ID_START 0xffd0U /* GICD_PIDR4 up to GICD_CIDR3 */

/* GICD_CTLR with DS = 1 */
#define GICD_CTLR_ENABLE_GRP0 BIT(0)
#define GICD_CTLR_ENABLE_GRP1 BIT(1)
#define GICD_CTLR_ARE BIT(4)
#define GICD_CTLR_DS BIT(6)
#define GICD_CTLR_RWP BIT(31)

#define GICD_TYPER_IDBITS_SHIFT 19
#define GICD_TYPER_NO1N BIT(25)

/* ---- redistributor: RD_base frame, then SGI_base frame ---- */
#define GICR_CTLR 0x0000U
#define GICR_IIDR 0x0004U
#define GICR_TYPER 0x0008U
#define GICR_WAKER 0x0014U
#define GICR_ID_START 0xffd0U
#define GICR_SGI_FRAME 0x10000U /* SGI_base, from RD_base */

#define GICR_TYPER_LAST BIT(4)
#define GICR_TYPER_PROCESSOR_SHIFT 8
#define GICR_WAKER_PROCESSOR_SLEEP BIT(1)
#define GICR_WAKER_CHILDREN_ASLEEP BIT(2)

/* offsets in SGI_base */
#define SGI_IGROUPR0 0x0080U
#define SGI_ISENABLER0 0x0100U
#define SGI_ICENABLER0 0x0180U
#define SGI_ISPENDR0 0x0200U
#define SGI_ICPENDR0 0x0280U
#define SGI_ISACTIVER0 0x0300U
#define SGI_ICACTIVER0 0x0380U
#define SGI_IPRIORITYR 0x0400U
#define SGI_IPRIORITYR_END 0x0420U
#define SGI_ICFGR0 0x0c00U
#define SGI_ICFGR1 0x0c04U

#endif
