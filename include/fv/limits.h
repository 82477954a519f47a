/* SPDX-License-Identifier: MIT */
/*
 * Named limits. Static partitioning means static allocation: every table in
 * the hypervisor is an array sized by one of these, and the image tool
 * rejects a configuration that exceeds them, naming the limit.
 */
#ifndef FV_LIMITS_H
#define FV_LIMITS_H

#define FV_MAX_CPUS 8        /* board CPUs the hypervisor can drive */
#define FV_MAX_VMS 8         /* VMs in one image */
#define FV_MAX_VCPUS 8       /* vCPUs of one VM (one per board CPU) */
#define FV_MAX_IMAGES 32     /* distinct files stored in the flash image */
#define FV_MAX_VM_MEM 4      /* RAM regions of one VM */
#define FV_MAX_VM_DEVICES 16 /* devices of one VM, emulated and passthrough */
#define FV_MAX_VM_SLOTS 8    /* board virtio-mmio slots given to one VM */
#define FV_NAME_MAX 32       /* VM and image names, NUL included */
#define FV_VIRTIO_SLOTS 32   /* virtio-mmio transports of the board */
#define FV_IPA_BITS 39       /* guest-physical address space of a VM (stage 2) */

#endif
