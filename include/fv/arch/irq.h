/* SPDX-License-Identifier: MIT */
/*
 * The board's interrupt controller, as the hypervisor takes physical interrupts.
 * Part of the porting layer (docs/porting.md): implemented by arch/aarch64
 * for the hypervisor and by arch/fake for host tests.
 */
#ifndef FV_ARCH_IRQ_H
#define FV_ARCH_IRQ_H

#include <fv/types.h>

#define IRQ_SPURIOUS 1020U                           /* INTIDs 1020..1023 are special */
uint32_t arch_irq_ack(void);                         /* ICC_IAR1: the highest pending INTID */
void arch_irq_priority_drop(uint32_t intid);         /* ICC_EOIR1 (EOImode 1) */
void arch_irq_deactivate(uint32_t intid);            /* ICC_DIR */
void arch_irq_enable(uint32_t intid, uint32_t pcpu); /* SPI: also routes it to pcpu */
void arch_irq_disable(uint32_t intid, uint32_t pcpu);
void arch_irq_set_pending(uint32_t intid, uint32_t pcpu, bool pending);
void arch_irq_clear_active(uint32_t intid, uint32_t pcpu);
void arch_irq_set_edge(uint32_t intid, bool edge);

#endif
