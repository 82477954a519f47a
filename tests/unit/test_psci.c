// SPDX-License-Identifier: MIT
/*
 * PSCI 1.1 and SMCCC 1.1 discovery for guests (core/vm/psci.c, Arm DEN 0022F
 * and DEN 0028) and the vCPU power states behind them (core/vm/vm.c): calls
 * are made as a guest makes them, with the function id and arguments in
 * the vCPU's x0..x3 (its trap frame, fake.frames), and the result read from
 * x0. A guest may act on its own vCPUs only; another VM's vCPUs, or CPUs
 * that do not exist, are invalid parameters alike.
 *
 * Two running VMs of two vCPUs (VM 0 on CPUs 0-1, VM 1 on CPUs 2-3), each
 * with vCPU 0 on and vCPU 1 off, as after boot.
 */
#include "helpers.h"

#include <string.h>

#include <fv/psci.h>

#define RAM_ENTRY 0x48100000ULL /* in VM 0's RAM */

static struct manifest m;
static struct vm *vm0, *vm1;

static void clear_requests(void)
{
	for (uint32_t i = 0; i < FV_MAX_CPUS; i++) {
		pcpus[i].requests = 0;
		fake.kicks[i] = 0;
	}
}

static int setup(void **state)
{
	(void)state;
	testbed_manifest(&m, 2, 2);
	assert_true(testbed_create_vms(&m));
	vm0 = &vms[0];
	vm1 = &vms[1];
	for (uint32_t i = 0; i < 2; i++) {
		vms[i].state = VM_STATE_RUNNING;
		vms[i].vcpu[0].power = VCPU_ON;
	}
	clear_requests();
	return 0;
}

/* A guest call on vCPU v; returns x0 as the signed PSCI result. */
static int64_t call(struct vcpu *v, uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3, enum psci_action *action)
{
	fake.cpu = v->pcpu;
	v->regs->x[0] = fid;
	v->regs->x[1] = a1;
	v->regs->x[2] = a2;
	v->regs->x[3] = a3;
	enum psci_action a = psci_handle(v);
	if (action)
		*action = a;
	return (int64_t)v->regs->x[0];
}

static int64_t simple(uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3)
{
	enum psci_action a;
	int64_t r = call(&vm0->vcpu[0], fid, a1, a2, a3, &a);

	assert_int_equal(a, PSCI_CONTINUE);
	return r;
}

/* CPU `pcpu` handles its requests, as on its way into the guest. */
static enum fake_exit cpu_requests(uint32_t pcpu)
{
	fake.cpu = pcpu;
	return FAKE_CATCH(run_requests(&pcpus[pcpu]));
}

static void test_version_and_discovery(void **state)
{
	(void)state;
	assert_int_equal(simple(PSCI_VERSION, 0, 0, 0), PSCI_VERSION_1_1);
	assert_int_equal(simple(SMCCC_VERSION, 0, 0, 0), SMCCC_VERSION_1_1);
	/* an affected CPU (the fake's IDs are 0) under firmware without workarounds */
	assert_int_equal(simple(SMCCC_ARCH_FEATURES, 0x80008000, 0, 0), PSCI_RET_NOT_SUPPORTED);
	assert_int_equal(simple(SMCCC_ARCH_FEATURES, 0x80007fff, 0, 0), PSCI_RET_NOT_SUPPORTED);
	/* the function id is W0: the upper half of X0 is ignored */
	assert_int_equal(simple(0xffffffff00000000ULL | PSCI_VERSION, 0, 0, 0), PSCI_VERSION_1_1);
}

#define MIDR_CORTEX_A57 0x411fd070ULL /* QEMU's -cpu cortex-a57 */
#define MIDR_CORTEX_A53 0x410fd034ULL
#define MIDR_QEMU_MAX 0x000f0510ULL /* -cpu max */
#define PFR0_CSV2(n) ((uint64_t)(n) << 56)
#define PFR1_SSBS(n) ((uint64_t)(n) << 4)

static void set_cpu(uint64_t midr, uint64_t pfr0, uint64_t pfr1)
{
	fake.ids = (struct workaround_ids){ midr, pfr0, pfr1 };
}

static void expect_workarounds(int64_t wa1, int64_t wa2, int64_t wa3)
{
	assert_int_equal(simple(SMCCC_ARCH_FEATURES, SMCCC_ARCH_WORKAROUND_1, 0, 0), wa1);
	assert_int_equal(simple(SMCCC_ARCH_FEATURES, SMCCC_ARCH_WORKAROUND_2, 0, 0), wa2);
	assert_int_equal(simple(SMCCC_ARCH_FEATURES, SMCCC_ARCH_WORKAROUND_3, 0, 0), wa3);
}

/*
 * SMCCC_ARCH_FEATURES for ARCH_WORKAROUND_1/2/3 (DEN 0028 §7.5-7.7) tells
 * the truth about the CPU the guest runs on: "not required" (1, or
 * NOT_REQUIRED for WORKAROUND_2) where the CPU says it is unaffected
 * (CSV2, SSBS, CSV2_3, an in-order core), NOT_SUPPORTED where it is
 * affected and nothing below can help, and the firmware's answer where it
 * has one, its calls then forwarded to it.
 */
static void test_workarounds_answered_for_the_cpu(void **state)
{
	(void)state;
	/* QEMU's cortex-a57 (no CSV2, no SSBS) under QEMU's firmware (no SMCCC 1.1): affected, unmitigated */
	set_cpu(MIDR_CORTEX_A57, 0, 0);
	expect_workarounds(SMCCC_RET_NOT_SUPPORTED, SMCCC_RET_NOT_SUPPORTED, SMCCC_RET_NOT_SUPPORTED);
	assert_int_equal(simple(SMCCC_ARCH_WORKAROUND_1, 0, 0, 0), SMCCC_RET_NOT_SUPPORTED);

	/* QEMU's max: CSV2 = 2, SSBS = 2 */
	set_cpu(MIDR_QEMU_MAX, PFR0_CSV2(2) | (1ULL << 60), PFR1_SSBS(2));
	expect_workarounds(1, SMCCC_RET_NOT_REQUIRED, SMCCC_RET_NOT_SUPPORTED);
	assert_int_equal(simple(SMCCC_ARCH_WORKAROUND_1, 0, 0, 0), 0); /* a no-op, offered */
	assert_int_equal(simple(SMCCC_ARCH_WORKAROUND_2, 1, 0, 0), 0);
	assert_int_equal(simple(SMCCC_ARCH_WORKAROUND_3, 0, 0, 0), SMCCC_RET_NOT_SUPPORTED);
	assert_int_equal(fake.firmware_workaround_calls, 0);

	/* FEAT_CSV2_3: not affected by branch history injection either */
	set_cpu(MIDR_QEMU_MAX, PFR0_CSV2(3), 0);
	expect_workarounds(1, SMCCC_RET_NOT_SUPPORTED, 1);

	/* an in-order core is affected by none of them, whatever its ID registers say */
	set_cpu(MIDR_CORTEX_A53, 0, 0);
	expect_workarounds(1, SMCCC_RET_NOT_REQUIRED, 1);

	/* firmware that mitigates an affected CPU: its answers stand, its calls reach it */
	set_cpu(MIDR_CORTEX_A57, 0, 0);
	fake.firmware_workaround[0] = 0;
	fake.firmware_workaround[1] = 0;
	fake.firmware_workaround[2] = SMCCC_RET_NOT_SUPPORTED;
	expect_workarounds(0, 0, SMCCC_RET_NOT_SUPPORTED);
	assert_int_equal(simple(SMCCC_ARCH_WORKAROUND_1, 0, 0, 0), 0);
	assert_int_equal(fake.firmware_workaround_calls, 1);
	assert_int_equal(simple(SMCCC_ARCH_WORKAROUND_2, 1, 0, 0), 0);
	assert_int_equal(fake.firmware_workaround_calls, 2);
	assert_int_equal(fake.firmware_workaround_arg, 1);
	/* ... but the firmware's "not required" is not overridden by the CPU's IDs either */
	fake.firmware_workaround[0] = 1;
	set_cpu(MIDR_CORTEX_A57, 0, 0);
	expect_workarounds(1, 0, SMCCC_RET_NOT_SUPPORTED);
	assert_int_equal(simple(SMCCC_ARCH_WORKAROUND_1, 0, 0, 0), 0);
	assert_int_equal(fake.firmware_workaround_calls, 2);
}

static void test_features(void **state)
{
	(void)state;
	const uint32_t implemented[] = {
		PSCI_VERSION,           PSCI_CPU_SUSPEND_32, PSCI_CPU_SUSPEND_64,   PSCI_CPU_OFF,
		PSCI_CPU_ON_32,         PSCI_CPU_ON_64,      PSCI_AFFINITY_INFO_32, PSCI_AFFINITY_INFO_64,
		PSCI_MIGRATE_INFO_TYPE, PSCI_SYSTEM_OFF,     PSCI_SYSTEM_RESET,     PSCI_FEATURES,
		SMCCC_VERSION,
	};
	const uint32_t absent[] = {
		0x84000005, /* MIGRATE */
		0x84000007, /* MIGRATE_INFO_UP_CPU */
		0x8400000c, /* CPU_DEFAULT_SUSPEND */
		0x8400000e, /* SYSTEM_SUSPEND */
		0xc4000012, /* SYSTEM_RESET2 */
		0x84000099, 0xc2000000, 0,
	};

	for (uint32_t i = 0; i < ARRAY_SIZE(implemented); i++)
		assert_int_equal(simple(PSCI_FEATURES, implemented[i], 0, 0), PSCI_RET_SUCCESS);
	for (uint32_t i = 0; i < ARRAY_SIZE(absent); i++)
		assert_int_equal(simple(PSCI_FEATURES, absent[i], 0, 0), PSCI_RET_NOT_SUPPORTED);
}

static void test_unknown_function(void **state)
{
	(void)state;
	const uint64_t fids[] = { 0x84000099, 0xc4000055, 0x82000001 /* SiP */, 0x86000000, 0xbf000000, 7 };

	for (uint32_t i = 0; i < ARRAY_SIZE(fids); i++) {
		enum psci_action a;
		int64_t r = call(&vm0->vcpu[0], fids[i], 1, RAM_ENTRY, 0, &a);
		assert_int_equal(r, PSCI_RET_NOT_SUPPORTED);
		assert_int_equal(vm0->vcpu[0].regs->x[0], 0xffffffffffffffffULL); /* -1 in X0 */
		assert_int_equal(a, PSCI_CONTINUE);
	}
	assert_int_equal(vm0->vcpu[1].power, VCPU_OFF);
	assert_int_equal(pcpus[1].requests, 0);
}

static void test_simple_calls(void **state)
{
	(void)state;
	assert_int_equal(simple(PSCI_CPU_SUSPEND_64, 0, RAM_ENTRY, 0), PSCI_RET_SUCCESS);
	assert_int_equal(simple(PSCI_CPU_SUSPEND_32, 0x10000, 0, 0), PSCI_RET_SUCCESS);
	assert_int_equal(simple(PSCI_MIGRATE_INFO_TYPE, 0, 0, 0), 2); /* no Trusted OS */
}

static void test_power_actions(void **state)
{
	(void)state;
	enum psci_action a;

	assert_int_equal(call(&vm0->vcpu[0], PSCI_CPU_OFF, 0, 0, 0, &a), PSCI_RET_SUCCESS);
	assert_int_equal(a, PSCI_VCPU_OFF);
	assert_int_equal(call(&vm0->vcpu[0], PSCI_SYSTEM_OFF, 0, 0, 0, &a), PSCI_RET_SUCCESS);
	assert_int_equal(a, PSCI_VM_OFF);
	assert_int_equal(call(&vm0->vcpu[0], PSCI_SYSTEM_RESET, 0, 0, 0, &a), PSCI_RET_SUCCESS);
	assert_int_equal(a, PSCI_VM_RESET);
	/* deciding is psci's job; acting is the caller's: nothing changed yet */
	assert_int_equal(vm0->state, VM_STATE_RUNNING);
	assert_int_equal(vm0->vcpu[0].power, VCPU_ON);
}

static void test_cpu_on_own_vcpu(void **state)
{
	(void)state;
	struct vcpu *t = &vm0->vcpu[1];

	assert_int_equal(simple(PSCI_CPU_ON_64, 1, RAM_ENTRY, 0xc0ffee), PSCI_RET_SUCCESS);
	assert_int_equal(t->power, VCPU_ON_PENDING);
	assert_int_equal(t->on_entry, RAM_ENTRY);
	assert_int_equal(t->on_context, 0xc0ffee);
	assert_true(pcpus[t->pcpu].requests & PCPU_REQ_START);
	assert_int_equal(fake.kicks[t->pcpu], 1);
	/* a second call before it runs */
	assert_int_equal(simple(PSCI_CPU_ON_64, 1, RAM_ENTRY + 8, 0), PSCI_RET_ON_PENDING);
	assert_int_equal(t->on_entry, RAM_ENTRY);
	assert_int_equal(simple(PSCI_AFFINITY_INFO_64, 1, 0, 0), PSCI_AFFINITY_ON_PENDING);
	/* its CPU takes the request: the vCPU starts at the entry with x0 = context */
	assert_int_equal(cpu_requests(t->pcpu), FAKE_EXIT_RUN);
	assert_int_equal(t->power, VCPU_ON);
	assert_int_equal(fake.frames[t->pcpu].pc, RAM_ENTRY);
	assert_int_equal(fake.frames[t->pcpu].x[0], 0xc0ffee);
	for (uint32_t i = 1; i < 31; i++)
		assert_int_equal(fake.frames[t->pcpu].x[i], 0);
	assert_int_equal(fake.vcpu_resets[t->pcpu], 1);
	assert_int_equal(simple(PSCI_AFFINITY_INFO_64, 1, 0, 0), PSCI_AFFINITY_ON);
	assert_int_equal(simple(PSCI_CPU_ON_64, 1, RAM_ENTRY, 0), PSCI_RET_ALREADY_ON);
	/* the caller itself is on */
	assert_int_equal(simple(PSCI_CPU_ON_64, 0, RAM_ENTRY, 0), PSCI_RET_ALREADY_ON);
	/* the caller's own registers held only the result */
	assert_int_equal(fake.frames[vm0->vcpu[0].pcpu].x[0], (uint64_t)(int64_t)PSCI_RET_ALREADY_ON);
}

static void test_cpu_on_foreign_or_missing(void **state)
{
	(void)state;
	/* VM 1's vCPUs run on board CPUs 2 and 3; VM 0 cannot name them */
	const uint64_t targets[] = { 2, 3, 7, 0x100, 0x10000, 0xff00000000ULL, pcpus[2].mpidr, pcpus[3].mpidr };

	for (uint32_t i = 0; i < ARRAY_SIZE(targets); i++)
		assert_int_equal(simple(PSCI_CPU_ON_64, targets[i], RAM_ENTRY, 0), PSCI_RET_INVALID_PARAMETERS);
	assert_int_equal(vm1->vcpu[0].power, VCPU_ON);
	assert_int_equal(vm1->vcpu[1].power, VCPU_OFF);
	for (uint32_t i = 0; i < FV_MAX_CPUS; i++)
		assert_int_equal(pcpus[i].requests, 0);
	/* VM 0 switching on "MPIDR 1" is its own vCPU 1, never VM 1's */
	assert_int_equal(simple(PSCI_CPU_ON_64, 1, RAM_ENTRY, 0), PSCI_RET_SUCCESS);
	assert_int_equal(vm0->vcpu[1].power, VCPU_ON_PENDING);
	assert_int_equal(vm1->vcpu[1].power, VCPU_OFF);
	assert_int_equal(pcpus[vm1->vcpu[1].pcpu].requests, 0);
	/* bits outside the affinity fields (RES1 bit 31, U, MT, bits 40+) */
	assert_int_equal(simple(PSCI_CPU_ON_64, BIT(31) | 1, RAM_ENTRY, 0), PSCI_RET_INVALID_PARAMETERS);
	assert_int_equal(simple(PSCI_CPU_ON_64, BIT(40) | 1, RAM_ENTRY, 0), PSCI_RET_INVALID_PARAMETERS);
	assert_int_equal(simple(PSCI_CPU_ON_64, BIT(24) | 1, RAM_ENTRY, 0), PSCI_RET_INVALID_PARAMETERS);
}

static void test_cpu_on_bad_entry(void **state)
{
	(void)state;
	const struct manifest_mem *r = &vm0->cfg->mem[0];
	const uint64_t bad[] = {
		r->ipa - 4,               /* just below its RAM */
		r->ipa + r->size,         /* just past it */
		0x09000000,               /* the UART */
		0x0a000000,               /* a virtio window */
		vm1->cfg->mem[0].ipa,     /* another VM's RAM (as VM 1 sees it) */
		RAM_ENTRY + 2,            /* misaligned */
		RAM_ENTRY | (1ULL << 40), /* a 64-bit address beyond its RAM */
		~0ULL - 3,
	};

	for (uint32_t i = 0; i < ARRAY_SIZE(bad); i++) {
		assert_int_equal(simple(PSCI_CPU_ON_64, 1, bad[i], 0), PSCI_RET_INVALID_ADDRESS);
		assert_int_equal(vm0->vcpu[1].power, VCPU_OFF);
		assert_int_equal(pcpus[1].requests, 0);
	}
	/* its first and last instruction slots are fine */
	assert_int_equal(simple(PSCI_CPU_ON_64, 1, r->ipa + r->size - 4, 0), PSCI_RET_SUCCESS);
	/* a bad target is reported before a bad address */
	assert_int_equal(simple(PSCI_CPU_ON_64, 5, 0, 0), PSCI_RET_INVALID_PARAMETERS);
}

static void test_cpu_on_32_bit_arguments(void **state)
{
	(void)state;
	struct vcpu *t = &vm0->vcpu[1];

	/* SMC32: only the low 32 bits of each argument count */
	assert_int_equal(simple(PSCI_CPU_ON_32, 0xdead000000000001ULL, 0x12345678ULL << 32 | RAM_ENTRY,
				0xffffffff87654321ULL),
			 PSCI_RET_SUCCESS);
	assert_int_equal(t->on_entry, RAM_ENTRY);
	assert_int_equal(t->on_context, 0x87654321);
	/* the same arguments as SMC64 are refused */
	assert_int_equal(simple(PSCI_AFFINITY_INFO_64, 0xdead000000000001ULL, 0, 0), PSCI_RET_INVALID_PARAMETERS);
	assert_int_equal(simple(PSCI_AFFINITY_INFO_32, 0xdead000000000001ULL, 0, 0), PSCI_AFFINITY_ON_PENDING);
}

static void test_affinity_info(void **state)
{
	(void)state;
	assert_int_equal(simple(PSCI_AFFINITY_INFO_64, 0, 0, 0), PSCI_AFFINITY_ON);
	assert_int_equal(simple(PSCI_AFFINITY_INFO_64, 1, 0, 0), PSCI_AFFINITY_OFF);
	assert_int_equal(simple(PSCI_AFFINITY_INFO_32, 1, 0, 0), PSCI_AFFINITY_OFF);
	/* only affinity level 0 exists */
	assert_int_equal(simple(PSCI_AFFINITY_INFO_64, 0, 1, 0), PSCI_RET_INVALID_PARAMETERS);
	assert_int_equal(simple(PSCI_AFFINITY_INFO_64, 0, 3, 0), PSCI_RET_INVALID_PARAMETERS);
	/* nonexistent or another VM's */
	assert_int_equal(simple(PSCI_AFFINITY_INFO_64, 2, 0, 0), PSCI_RET_INVALID_PARAMETERS);
	assert_int_equal(simple(PSCI_AFFINITY_INFO_64, BIT(31), 0, 0), PSCI_RET_INVALID_PARAMETERS);
	/* VM 1 sees its own vCPUs */
	assert_int_equal(call(&vm1->vcpu[0], PSCI_AFFINITY_INFO_64, 1, 0, 0, NULL), PSCI_AFFINITY_OFF);
}

static void test_cpu_on_denied_while_stopping(void **state)
{
	(void)state;
	vm0->state = VM_STATE_STOPPING;
	assert_int_equal(simple(PSCI_CPU_ON_64, 1, RAM_ENTRY, 0), PSCI_RET_DENIED);
	assert_int_equal(vm0->vcpu[1].power, VCPU_OFF);
	assert_int_equal(pcpus[1].requests, 0);
	/* a start request that arrives after the stop began does not start it */
	vm0->state = VM_STATE_RUNNING;
	assert_int_equal(simple(PSCI_CPU_ON_64, 1, RAM_ENTRY, 0), PSCI_RET_SUCCESS);
	vm0->state = VM_STATE_STOPPING;
	assert_int_equal(cpu_requests(1), FAKE_EXIT_NONE);
	assert_int_equal(vm0->vcpu[1].power, VCPU_ON_PENDING);
}

static void test_cpu_off_and_on_again(void **state)
{
	(void)state;
	struct vcpu *t = &vm0->vcpu[1];

	assert_int_equal(simple(PSCI_CPU_ON_64, 1, RAM_ENTRY, 0), PSCI_RET_SUCCESS);
	assert_int_equal(cpu_requests(1), FAKE_EXIT_RUN);
	/* vCPU 1 switches itself off: its CPU goes idle */
	enum psci_action a;
	assert_int_equal(call(t, PSCI_CPU_OFF, 0, 0, 0, &a), PSCI_RET_SUCCESS);
	assert_int_equal(a, PSCI_VCPU_OFF);
	uint32_t resets = fake.vgic_resets[1];
	fake.cpu = 1;
	assert_int_equal(FAKE_CATCH(vcpu_power_off(t)), FAKE_EXIT_IDLE);
	assert_int_equal(t->power, VCPU_OFF);
	assert_int_equal(fake.vtimer_masks[1], 1);
	assert_int_equal(fake.vgic_resets[1], resets + 1);
	assert_int_equal(simple(PSCI_AFFINITY_INFO_64, 1, 0, 0), PSCI_AFFINITY_OFF);
	/* and may be switched on again, at a new entry */
	assert_int_equal(simple(PSCI_CPU_ON_64, 1, RAM_ENTRY + 0x100, 7), PSCI_RET_SUCCESS);
	assert_int_equal(cpu_requests(1), FAKE_EXIT_RUN);
	assert_int_equal(fake.frames[1].pc, RAM_ENTRY + 0x100);
	assert_int_equal(fake.frames[1].x[0], 7);
}

static void test_vcpu_by_mpidr(void **state)
{
	(void)state;
	assert_ptr_equal(vm_vcpu_by_mpidr(vm0, 0), &vm0->vcpu[0]);
	assert_ptr_equal(vm_vcpu_by_mpidr(vm0, 1), &vm0->vcpu[1]);
	assert_null(vm_vcpu_by_mpidr(vm0, 2));
	assert_ptr_equal(vm_vcpu_by_mpidr(vm1, 1), &vm1->vcpu[1]);
	/* what the guest reads from MPIDR_EL1 has the RES1 bit 31 */
	assert_int_equal(vm0->vcpu[1].mpidr, BIT(31) | 1);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup(f, setup)
	const struct CMUnitTest tests[] = {
		T(test_version_and_discovery),
		T(test_workarounds_answered_for_the_cpu),
		T(test_features),
		T(test_unknown_function),
		T(test_simple_calls),
		T(test_power_actions),
		T(test_cpu_on_own_vcpu),
		T(test_cpu_on_foreign_or_missing),
		T(test_cpu_on_bad_entry),
		T(test_cpu_on_32_bit_arguments),
		T(test_affinity_info),
		T(test_cpu_on_denied_while_stopping),
		T(test_cpu_off_and_on_again),
		T(test_vcpu_by_mpidr),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
