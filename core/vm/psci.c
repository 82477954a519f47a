// SPDX-License-Identifier: MIT
/*
 * PSCI 1.1 for guests (Arm DEN 0022F) and SMCCC 1.1 discovery (Arm DEN 0028).
 * A guest may act only on its own vCPUs: a target outside its VM is an
 * invalid parameter, exactly as a CPU that does not exist would be.
 * Decode (function id, arguments) -> validate -> act; the result goes in x0.
 */
#include <fv/arch/firmware.h>
#include <fv/lifecycle.h>
#include <fv/psci.h>

#define MPIDR_AFF_MASK 0xff00ffffffULL

static bool psci_implemented(uint32_t fid)
{
	switch (fid) {
	case PSCI_VERSION:
	case PSCI_CPU_SUSPEND_32:
	case PSCI_CPU_SUSPEND_64:
	case PSCI_CPU_OFF:
	case PSCI_CPU_ON_32:
	case PSCI_CPU_ON_64:
	case PSCI_AFFINITY_INFO_32:
	case PSCI_AFFINITY_INFO_64:
	case PSCI_MIGRATE_INFO_TYPE:
	case PSCI_SYSTEM_OFF:
	case PSCI_SYSTEM_RESET:
	case PSCI_FEATURES:
	case SMCCC_VERSION: return true;
	default: return false;
	}
}

/* Is [entry, entry + 4) guest RAM? A CPU_ON entry point anywhere else is refused. */
static bool entry_ok(const struct vm *vm, uint64_t entry)
{
	uint64_t pa;

	return entry % 4 == 0 && manifest_vm_ipa_to_pa(vm->cfg, entry, 4, &pa);
}

static int64_t cpu_on(struct vcpu *v, uint64_t target, uint64_t entry, uint64_t context, bool is32)
{
	if (is32) {
		target &= 0xffffffffULL;
		entry &= 0xffffffffULL;
		context &= 0xffffffffULL;
	}
	if (target & ~MPIDR_AFF_MASK)
		return PSCI_RET_INVALID_PARAMETERS;
	struct vcpu *t = vm_vcpu_by_mpidr(v->vm, target);
	if (!t)
		return PSCI_RET_INVALID_PARAMETERS;
	if (!entry_ok(v->vm, entry))
		return PSCI_RET_INVALID_ADDRESS;
	return vcpu_power_on(t, entry, context);
}

static int64_t affinity_info(struct vcpu *v, uint64_t target, uint64_t level, bool is32)
{
	if (is32) {
		/* SMC32: both arguments are W registers (DEN 0022F §5.2.1) */
		target &= 0xffffffffULL;
		level &= 0xffffffffULL;
	}
	if (level != 0 || (target & ~MPIDR_AFF_MASK))
		return PSCI_RET_INVALID_PARAMETERS;
	struct vcpu *t = vm_vcpu_by_mpidr(v->vm, target);
	if (!t)
		return PSCI_RET_INVALID_PARAMETERS;
	switch (__atomic_load_n(&t->power, __ATOMIC_ACQUIRE)) {
	case VCPU_ON: return PSCI_AFFINITY_ON;
	case VCPU_ON_PENDING: return PSCI_AFFINITY_ON_PENDING;
	default: return PSCI_AFFINITY_OFF;
	}
}

/* A workaround call is made only where discovery offered it (DEN 0028 §7.5-7.7). */
static int64_t workaround(uint32_t fid, uint64_t arg)
{
	int32_t offered = arch_smccc_workaround_feature(fid);

	if (offered < 0 && offered != SMCCC_RET_NOT_REQUIRED)
		return SMCCC_RET_NOT_SUPPORTED;
	arch_smccc_workaround(fid, arg);
	return 0;
}

enum psci_action psci_handle(struct vcpu *v)
{
	uint32_t fid = (uint32_t)vcpu_reg(v, 0);
	uint64_t a1 = vcpu_reg(v, 1), a2 = vcpu_reg(v, 2), a3 = vcpu_reg(v, 3);
	int64_t ret;
	enum psci_action action = PSCI_CONTINUE;

	switch (fid) {
	case PSCI_VERSION: ret = PSCI_VERSION_1_1; break;
	case PSCI_CPU_SUSPEND_32:
	case PSCI_CPU_SUSPEND_64:
		/* Any state may be entered as a shallower one (DEN 0022F §5.4.2):
		 * we return at once, as from a standby state woken immediately. */
		ret = PSCI_RET_SUCCESS;
		break;
	case PSCI_CPU_OFF:
		ret = PSCI_RET_SUCCESS;
		action = PSCI_VCPU_OFF;
		break;
	case PSCI_CPU_ON_32:
	case PSCI_CPU_ON_64: ret = cpu_on(v, a1, a2, a3, fid == PSCI_CPU_ON_32); break;
	case PSCI_AFFINITY_INFO_32:
	case PSCI_AFFINITY_INFO_64: ret = affinity_info(v, a1, a2, fid == PSCI_AFFINITY_INFO_32); break;
	case PSCI_MIGRATE_INFO_TYPE:
		ret = 2; /* no Trusted OS that needs migrating */
		break;
	case PSCI_SYSTEM_OFF:
		ret = PSCI_RET_SUCCESS;
		action = PSCI_VM_OFF;
		break;
	case PSCI_SYSTEM_RESET:
		ret = PSCI_RET_SUCCESS;
		action = PSCI_VM_RESET;
		break;
	case PSCI_FEATURES: ret = psci_implemented((uint32_t)a1) ? PSCI_RET_SUCCESS : PSCI_RET_NOT_SUPPORTED; break;
	case SMCCC_VERSION: ret = SMCCC_VERSION_1_1; break;
	case SMCCC_ARCH_FEATURES:
		/* The speculation workarounds, answered for this CPU; nothing else exists. */
		ret = arch_smccc_workaround_feature((uint32_t)a1);
		break;
	case SMCCC_ARCH_WORKAROUND_1:
	case SMCCC_ARCH_WORKAROUND_2:
	case SMCCC_ARCH_WORKAROUND_3: ret = workaround(fid, a1); break;
	default: ret = PSCI_RET_NOT_SUPPORTED; break;
	}
	vcpu_set_reg(v, 0, (uint64_t)ret);
	return action;
}
