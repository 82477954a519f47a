// SPDX-License-Identifier: MIT
/* The VMs and vCPUs (include/fv/vm.h). */
#include <fv/vm.h>

struct vm vms[FV_MAX_VMS];
uint32_t vm_count;
const struct manifest *hv_manifest;

#define MPIDR_RES1 BIT(31)

struct vcpu *vm_vcpu_by_mpidr(struct vm *vm, uint64_t mpidr)
{
	for (uint32_t i = 0; i < vm->vcpu_count; i++)
		if ((vm->vcpu[i].mpidr & ~MPIDR_RES1) == mpidr)
			return &vm->vcpu[i];
	return NULL;
}
