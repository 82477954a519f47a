/* SPDX-License-Identifier: MIT */
/*
 * The virtual GICv3 of a VM: a distributor and one redistributor per vCPU,
 * emulated by trapping their MMIO (vgicd.c, vgicr.c), and the delivery of
 * virtual interrupts through this CPU's list registers (vgic.c).
 *
 * All interrupt state of a VM is guarded by the VM's vgic lock. List
 * registers belong to the CPU running the vCPU; only that CPU touches them
 * (vgic_sync_flush), so other CPUs inject by marking an interrupt pending
 * and kicking the vCPU's CPU.
 */
#ifndef FV_VGIC_H
#define FV_VGIC_H

#include <fv/limits.h>
#include <fv/plat.h>
#include <fv/spinlock.h>
#include <fv/types.h>
#include <fv/virq.h>

#define VGIC_PRIVATE_IRQS 32U
#define VGIC_SPI_BASE 32U
#define VGIC_MAX_INTID (VGIC_SPI_BASE + VBOARD_SPI_COUNT) /* exclusive */
#define VGIC_MAX_LRS 16U
#define VGIC_PRIO_MASK 0xf8U /* 5 priority bits, as ICH_VTR_EL2.PRIbits says */

struct virq {
	uint8_t priority;
	bool exists; /* part of this VM: writes to others are ignored */
	bool enabled;
	bool pending; /* latched, not yet in a list register */
	bool active;
	bool level;      /* input line, for level-sensitive software sources */
	bool edge;       /* edge-triggered (else level-sensitive), as GIC*_ICFGR says now */
	bool reset_edge; /* the trigger it was declared with: what every start begins from */
	bool group1;
	bool hw;         /* backed by physical interrupt pintid */
	bool in_lr;      /* held by the list register `lr` of its target vCPU */
	bool unpend;     /* ICPENDR written while it is in a list register: its CPU clears it there */
	bool deactivate; /* ICACTIVER written while it is in a list register: likewise */
	uint8_t lr;
	uint8_t target; /* vCPU index (SPIs: from IROUTER) */
	uint16_t pintid;
	uint64_t route; /* GICD_IROUTER as the guest wrote it */
};

struct vgic_cpu {
	struct virq priv[VGIC_PRIVATE_IRQS]; /* SGIs and PPIs of this vCPU */
	uint16_t lr_intid[VGIC_MAX_LRS];
	uint32_t lr_used; /* bitmap of list registers this vCPU uses */
	bool sleep;       /* GICR_WAKER.ProcessorSleep */
	bool dirty;       /* something it may have to deliver changed since the last flush */
};

struct vgic_dist {
	struct spinlock lock;
	bool enable_grp0;
	bool enable_grp1;
	struct virq spi[VBOARD_SPI_COUNT];
};

struct vm;
struct vcpu;

/* Put a VM's vGIC, its distributor and every vCPU's interface, in its reset
 * state, the same at every start: what the VM owns and each interrupt's
 * declared trigger are kept, everything its guest wrote is gone; the `hw`
 * SPIs it owns are quietened on the board GIC and get their declared trigger
 * back there. Safe while other CPUs reach the VM's vGIC; the lock is set up
 * by vm_create. */
void vgic_init(struct vm *vm);
/* Declare an SPI of this VM: software (emulated device) or hardware-backed. */
void vgic_spi_declare(struct vm *vm, uint32_t intid, bool hw, bool edge);

/* Inject an edge (SGI, edge SPI) or set a level; may be called from any CPU. */
void vgic_inject(struct vm *vm, struct vcpu *v, uint32_t intid);
/* A board SPI arrived: delivered to the VM it was declared for (true), if any. */
bool vgic_board_irq(uint32_t intid);
/* A physical interrupt arrived for this CPU's vCPU (hardware-backed). */
void vgic_inject_hw(struct vcpu *v, uint32_t intid);
/* The guest wrote ICC_SGI1R_EL1 (trapped). */
void vgic_sgi1r(struct vcpu *v, uint64_t value);

/* Move state between this CPU's list registers and the model; before entry. */
void vgic_sync_flush(struct vcpu *v);
/* The maintenance interrupt came: bring the list registers up to date. */
void vgic_maintenance(struct vcpu *v);
/* Release everything the vCPU holds (VM reset): LRs cleared, HW deactivated. */
void vgic_vcpu_release(struct vcpu *v);

/* MMIO models. `offset` is from the frame base; width 1, 2, 4 or 8. */
bool vgicd_read(struct vm *vm, uint64_t offset, unsigned int width, uint64_t *value);
bool vgicd_write(struct vm *vm, uint64_t offset, unsigned int width, uint64_t value);
bool vgicr_read(struct vm *vm, uint32_t vcpu, uint64_t offset, unsigned int width, uint64_t *value);
bool vgicr_write(struct vm *vm, uint32_t vcpu, uint64_t offset, unsigned int width, uint64_t value);

/* Internal to the vGIC files. */
struct virq *vgic_lookup(struct vm *vm, struct vcpu *v, uint32_t intid);
void vgic_kick_target(struct vm *vm, struct virq *irq);
void vgic_kick_all(struct vm *vm);
/* The VM's vGIC lock; unlocking sends the kicks decided while it was held. */
void vgic_lock(struct vm *vm);
void vgic_unlock(struct vm *vm);
uint32_t vgic_route_target(struct vm *vm, uint64_t route);

#endif
