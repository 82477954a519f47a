/* SPDX-License-Identifier: MIT */
/*
 * Layout of the trap frame (struct vcpu_regs) as the assembly sees it.
 * Checked against the C struct with static_asserts in cpu.c.
 */
#ifndef ARCH_FRAME_H
#define ARCH_FRAME_H

#define FRAME_X0 0
#define FRAME_PC 248
#define FRAME_PSTATE 256
#define FRAME_SIZE 272

#define STACK_SIZE 0x4000 /* per CPU; the trap frame sits at its top */

#define HV_LINK_ADDR 0x40200000

#endif
