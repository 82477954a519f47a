// SPDX-License-Identifier: MIT
/*
 * Fuzzing what a guest can make the hypervisor do through its exceptions:
 * SMCCC/PSCI calls (core/vm/psci.c, directly and through the trap path), and
 * core/cpu/trap.c's trap_handle with HVC, SMC, trapped system registers, data
 * aborts at any IPA (emulated devices, passthrough windows, RAM, nowhere),
 * instruction aborts and other exceptions, on the test bed's booted VMs.
 * Between steps every CPU handles its requests (parking, restarting,
 * starting vCPUs), and the clock may advance with the hypervisor timer
 * firing (console poll, watchdogs and their crash policies).
 *
 * Invariants, after every step:
 *  - the hypervisor never panics, and the board powers off only when every
 *    VM is off or a VM whose policy is halt-board crashed;
 *  - a step by a vCPU of one VM changes nothing of any other VM (its state,
 *    vCPUs, devices, vGIC, list registers, CPUs' requests and trap frames);
 *  - PSCI answers are the architected ones (PSCI 1.1, DEN 0022F; SMCCC 1.1,
 *    DEN 0028): fixed values for VERSION, MIGRATE_INFO_TYPE, SMCCC_VERSION;
 *    CPU_ON and AFFINITY_INFO as the spec says for the VM's MPIDRs (Aff0 =
 *    vCPU index), with the upper halves of SMC32 arguments ignored;
 *    PSCI_FEATURES agrees with what the calls do; NOT_SUPPORTED for the
 *    rest; only x0 changes, and only the CPU_ON target's power state;
 *  - a trap either completes (no exception injected, only the transfer
 *    register changes, sized and extended as the syndrome says) or injects
 *    the architected exception; an access outside the VM's emulated devices
 *    and its own passthrough windows never completes, and a passthrough
 *    access reaches only the VM's own window;
 *  - a VM that is off has all its vCPUs off and no list register in use;
 *    a guest reset brings the VM back with one more restart;
 *  - the vGIC invariants of fuzz_vgic.h (SGIs written here, interrupts of a
 *    VM restarted here).
 */
#include <fv/irq.h>
#include <fv/psci.h>
#include <fv/trap.h>

#include "fuzz_vgic.h"

#define MPIDR_AFF_MASK 0xff00ffffffULL

static uint32_t current_vm; /* the VM whose vCPU trapped: passthrough must stay in its windows */

static const struct manifest_device *window_of(uint32_t vm, uint64_t pa, unsigned int width)
{
	const struct manifest_vm *cfg = vms[vm].cfg;

	for (uint32_t i = 0; i < cfg->device_count; i++) {
		const struct manifest_device *d = &cfg->device[i];
		if (d->kind == DEVICE_VIRTIO_MMIO && pa >= d->pa && pa - d->pa < d->size &&
		    d->size - (pa - d->pa) >= width)
			return d;
	}
	return NULL;
}

static const struct manifest_device *owned_window(uint64_t pa, unsigned int width)
{
	return window_of(current_vm, pa, width);
}

static uint64_t device_read(uint64_t pa, unsigned int width)
{
	FUZZ_CHECK(owned_window(pa, width), "VM %u read %u bytes at 0x%llx, outside its passthrough windows",
		   current_vm, width, (unsigned long long)pa);
	uint64_t v = pa * 0x9e3779b97f4a7c15ULL;
	return width == 8 ? v : v & ((1ULL << (8 * width)) - 1); /* a load of that width */
}

static void device_write(uint64_t pa, unsigned int width, uint64_t value)
{
	/* A VM's stop resets its own virtio devices (Status, 0x70, = 0), on whichever CPU parks last. */
	for (uint32_t i = 0; i < vm_count; i++) {
		const struct manifest_device *d = window_of(i, pa, width);
		if (d && vms[i].state == VM_STATE_STOPPING && pa - d->pa == 0x70 && width == 4 && value == 0)
			return;
	}
	FUZZ_CHECK(owned_window(pa, width), "VM %u wrote %u bytes at 0x%llx, outside its passthrough windows",
		   current_vm, width, (unsigned long long)pa);
}

/* ---- isolation: everything of the other VMs ---- */

struct vm_snap {
	struct vm vm;
	struct vcpu_regs frame[FV_MAX_VCPUS];
	struct pcpu pcpu[FV_MAX_VCPUS];
	uint64_t lr[FV_MAX_VCPUS][VGIC_MAX_LRS];
};

static struct vm_snap snaps[FUZZ_MAX_VMS];

static void snap_take(struct vm_snap *s, const struct vm *vm)
{
	memcpy(&s->vm, vm, sizeof(*vm));
	for (uint32_t i = 0; i < vm->vcpu_count; i++) {
		uint32_t p = vm->vcpu[i].pcpu;
		s->frame[i] = fake.frames[p];
		s->pcpu[i] = pcpus[p];
		memcpy(s->lr[i], fake.lr[p], sizeof(s->lr[i]));
	}
}

static void snap_check(const struct vm_snap *s, const struct vm *vm, uint32_t target)
{
	FUZZ_CHECK(memcmp(&s->vm, vm, sizeof(*vm)) == 0, "a step of VM %u changed VM %u (state %u -> %u)", target,
		   vm->id, s->vm.state, vm->state);
	for (uint32_t i = 0; i < vm->vcpu_count; i++) {
		uint32_t p = vm->vcpu[i].pcpu;
		FUZZ_CHECK(memcmp(&s->frame[i], &fake.frames[p], sizeof(s->frame[i])) == 0 &&
				   memcmp(&s->pcpu[i], &pcpus[p], sizeof(s->pcpu[i])) == 0 &&
				   memcmp(s->lr[i], fake.lr[p], sizeof(s->lr[i])) == 0,
			   "a step of VM %u changed CPU %u of VM %u", target, p, vm->id);
	}
}

/* ---- PSCI, from the specification ---- */

static bool is_smc32(uint32_t fid)
{
	return !(fid & BIT(30));
}

/* The vCPU a PSCI target MPIDR names: Aff0 is the index, the other levels 0. */
static struct vcpu *mpidr_vcpu(struct vm *vm, uint64_t target)
{
	if (target & ~MPIDR_AFF_MASK || target >= vm->vcpu_count)
		return NULL;
	return &vm->vcpu[target];
}

static bool entry_in_ram(const struct vm *vm, uint64_t entry)
{
	for (uint32_t r = 0; r < vm->cfg->mem_count; r++)
		if (range_within(entry, 4, vm->cfg->mem[r].ipa, vm->cfg->mem[r].size))
			return entry % 4 == 0;
	return false;
}

static bool psci_function(uint32_t fid)
{
	static const uint32_t implemented[] = {
		PSCI_VERSION,           PSCI_CPU_SUSPEND_32, PSCI_CPU_SUSPEND_64,   PSCI_CPU_OFF,
		PSCI_CPU_ON_32,         PSCI_CPU_ON_64,      PSCI_AFFINITY_INFO_32, PSCI_AFFINITY_INFO_64,
		PSCI_MIGRATE_INFO_TYPE, PSCI_SYSTEM_OFF,     PSCI_SYSTEM_RESET,     PSCI_FEATURES,
		SMCCC_VERSION,
	};
	for (size_t i = 0; i < ARRAY_SIZE(implemented); i++)
		if (implemented[i] == fid)
			return true;
	return false;
}

/* What x0 must be after call `fid` with arguments a (already narrowed for SMC32). */
static int64_t psci_expect(struct vm *vm, uint32_t fid, const uint64_t *a)
{
	switch (fid) {
	case PSCI_VERSION: return PSCI_VERSION_1_1;
	case PSCI_CPU_SUSPEND_32:
	case PSCI_CPU_SUSPEND_64:
	case PSCI_CPU_OFF:
	case PSCI_SYSTEM_OFF:
	case PSCI_SYSTEM_RESET: return PSCI_RET_SUCCESS;
	case PSCI_CPU_ON_32:
	case PSCI_CPU_ON_64: {
		struct vcpu *t = mpidr_vcpu(vm, a[1]);
		if (!t)
			return PSCI_RET_INVALID_PARAMETERS;
		if (!entry_in_ram(vm, a[2]))
			return PSCI_RET_INVALID_ADDRESS;
		if (t->power == VCPU_ON)
			return PSCI_RET_ALREADY_ON;
		if (t->power == VCPU_ON_PENDING)
			return PSCI_RET_ON_PENDING;
		return PSCI_RET_SUCCESS;
	}
	case PSCI_AFFINITY_INFO_32:
	case PSCI_AFFINITY_INFO_64: {
		struct vcpu *t = mpidr_vcpu(vm, a[1]);
		if (!t || a[2] != 0)
			return PSCI_RET_INVALID_PARAMETERS;
		return t->power == VCPU_ON           ? PSCI_AFFINITY_ON
		       : t->power == VCPU_ON_PENDING ? PSCI_AFFINITY_ON_PENDING
						     : PSCI_AFFINITY_OFF;
	}
	case PSCI_MIGRATE_INFO_TYPE: return 2; /* no Trusted OS that needs migrating */
	case PSCI_FEATURES: return psci_function((uint32_t)a[1]) ? PSCI_RET_SUCCESS : PSCI_RET_NOT_SUPPORTED;
	case SMCCC_VERSION: return SMCCC_VERSION_1_1;
	default: return PSCI_RET_NOT_SUPPORTED;
	}
}

static uint32_t pick_fid(struct fuzz_in *in)
{
	static const uint32_t fids[] = {
		PSCI_VERSION,          PSCI_CPU_SUSPEND_32,   PSCI_CPU_SUSPEND_64,
		PSCI_CPU_OFF,          PSCI_CPU_ON_32,        PSCI_CPU_ON_64,
		PSCI_AFFINITY_INFO_32, PSCI_AFFINITY_INFO_64, PSCI_MIGRATE_INFO_TYPE,
		PSCI_SYSTEM_OFF,       PSCI_SYSTEM_RESET,     PSCI_FEATURES,
		SMCCC_VERSION,         SMCCC_ARCH_FEATURES,   0x84000005U,
		0x8400000eU,           0xc4000012U,           0x80008000U,
		0x86000000U,
	};
	uint8_t b = fuzz_u8(in);

	return b < 0xe0 ? fids[b % ARRAY_SIZE(fids)] : fuzz_u32(in);
}

static uint64_t pick_arg(struct fuzz_in *in, const struct vm *vm)
{
	uint8_t b = fuzz_u8(in);
	uint64_t hi = b & 0x80 ? (uint64_t)fuzz_u32(in) << 32 : 0; /* garbage an SMC32 call must ignore */

	switch (b % 6) {
	case 0: return hi | (b >> 3) % (vm->vcpu_count + 2);                               /* an MPIDR, or just past */
	case 1: return hi | (vm->cfg->mem[0].ipa + (fuzz_u32(in) % vm->cfg->mem[0].size)); /* somewhere in RAM */
	case 2: return hi | (vm->cfg->mem[0].ipa & ~3ULL);
	case 3: return hi;
	default: return fuzz_u64(in);
	}
}

/* psci_handle on its own: the answer, the registers, the CPU_ON target. */
static void direct_call(struct fuzz_in *in, struct vcpu *v)
{
	struct vm *vm = v->vm;
	struct vcpu_regs before;
	uint32_t power[FV_MAX_VCPUS];
	uint64_t a[4];

	a[0] = (uint64_t)(fuzz_bool(in) ? fuzz_u32(in) : 0) << 32 | pick_fid(in);
	for (int i = 1; i < 4; i++)
		a[i] = pick_arg(in, vm);
	for (int i = 0; i < 4; i++)
		v->regs->x[i] = a[i];
	uint32_t fid = (uint32_t)a[0];
	uint64_t narrow[4];
	for (int i = 0; i < 4; i++)
		narrow[i] = is_smc32(fid) ? a[i] & 0xffffffffULL : a[i];
	int64_t want = psci_expect(vm, fid, narrow);
	for (uint32_t i = 0; i < vm->vcpu_count; i++)
		power[i] = vm->vcpu[i].power;
	before = *v->regs;

	fake.cpu = v->pcpu;
	enum psci_action act = psci_handle(v);

	FUZZ_CHECK(v->regs->x[0] == (uint64_t)want,
		   "PSCI 0x%08x (x1 0x%llx x2 0x%llx x3 0x%llx) returned %lld, expected %lld", fid,
		   (unsigned long long)a[1], (unsigned long long)a[2], (unsigned long long)a[3],
		   (long long)v->regs->x[0], (long long)want);
	before.x[0] = v->regs->x[0];
	FUZZ_CHECK(memcmp(&before, v->regs, sizeof(before)) == 0, "PSCI 0x%08x changed registers besides x0", fid);
	enum psci_action want_act = fid == PSCI_CPU_OFF        ? PSCI_VCPU_OFF
				    : fid == PSCI_SYSTEM_OFF   ? PSCI_VM_OFF
				    : fid == PSCI_SYSTEM_RESET ? PSCI_VM_RESET
							       : PSCI_CONTINUE;
	FUZZ_CHECK(act == want_act, "PSCI 0x%08x: action %d, expected %d", fid, act, want_act);
	for (uint32_t i = 0; i < vm->vcpu_count; i++) {
		bool target = (fid == PSCI_CPU_ON_32 || fid == PSCI_CPU_ON_64) && want == PSCI_RET_SUCCESS &&
			      &vm->vcpu[i] == mpidr_vcpu(vm, narrow[1]);
		uint32_t now = vm->vcpu[i].power;
		FUZZ_CHECK(target ? power[i] == VCPU_OFF && now == VCPU_ON_PENDING &&
					    vm->vcpu[i].on_entry == narrow[2] && vm->vcpu[i].on_context == narrow[3]
				  : now == power[i],
			   "PSCI 0x%08x: vCPU %u power %u -> %u", fid, i, power[i], now);
	}
	/* PSCI_FEATURES agrees with the calls themselves (PSCI functions and SMCCC_VERSION). */
	if (((fid & 0xbfffffe0U) == 0x84000000U || fid == SMCCC_VERSION) && fid != PSCI_FEATURES) {
		struct vcpu_regs saved = *v->regs;
		v->regs->x[0] = PSCI_FEATURES;
		v->regs->x[1] = fid;
		psci_handle(v);
		int64_t feat = (int64_t)v->regs->x[0];
		*v->regs = saved;
		FUZZ_CHECK((feat == PSCI_RET_NOT_SUPPORTED) == (want == PSCI_RET_NOT_SUPPORTED),
			   "PSCI_FEATURES(0x%08x) = %lld, but the call returns %lld", fid, (long long)feat,
			   (long long)want);
	}
}

/* ---- traps ---- */

static uint64_t pick_ipa(struct fuzz_in *in, const struct vm *vm)
{
	uint8_t b = fuzz_u8(in);
	uint32_t off = fuzz_u32(in);

	switch (b % 9) {
	case 0: return VBOARD_GICD_BASE + off % (VBOARD_GICD_SIZE + 0x100);
	case 1: return VBOARD_GICR_BASE + off % (VBOARD_GICR_STRIDE * (vm->vcpu_count + 1));
	case 2: return VBOARD_UART_BASE + off % (VBOARD_UART_SIZE + 0x10);
	case 3: return TESTBED_WDT_BASE + off % (TESTBED_WDT_SIZE + 0x10);
	case 4:
	case 5: return PLAT_VIRTIO_BASE + off % (PLAT_VIRTIO_STRIDE * 12); /* its own slots and others' */
	case 6: return vm->cfg->mem[0].ipa + off;
	case 7: return (uint64_t)off << (b >> 4);
	default: return fuzz_u64(in);
	}
}

/* Inside an emulated device of the VM, or one of its own passthrough windows? */
static bool ipa_served(const struct vm *vm, uint64_t ipa, unsigned int width)
{
	if (ipa - VBOARD_GICD_BASE < VBOARD_GICD_SIZE || ipa - VBOARD_GICR_BASE < VBOARD_GICR_STRIDE * vm->vcpu_count ||
	    ipa - VBOARD_UART_BASE < VBOARD_UART_SIZE)
		return true;
	for (uint32_t i = 0; i < vm->cfg->device_count; i++) {
		const struct manifest_device *d = &vm->cfg->device[i];
		if (d->kind == DEVICE_SP805 && ipa - d->ipa < d->size)
			return true;
		if (d->kind == DEVICE_VIRTIO_MMIO && ipa >= d->ipa && ipa - d->ipa < d->size &&
		    d->size - (ipa - d->ipa) >= width)
			return true;
	}
	return false;
}

static bool is_sgi_reg(uint32_t enc)
{
	return enc == SYSREG_ENC(3, 0, 12, 11, 5) || enc == SYSREG_ENC(3, 0, 12, 11, 6) ||
	       enc == SYSREG_ENC(3, 0, 12, 11, 7);
}

static void decode_trap(struct fuzz_in *in, struct vcpu *v, struct trap *t)
{
	memset(t, 0, sizeof(*t));
	switch (fuzz_below(in, 8)) {
	case 0:
	case 1:
		t->kind = fuzz_bool(in) ? TRAP_HVC : TRAP_SMC;
		t->imm = fuzz_u8(in) < 0xf0 ? 0 : fuzz_u16(in);
		v->regs->x[0] = (uint64_t)(fuzz_u8(in) < 0x10 ? fuzz_u32(in) : 0) << 32 | pick_fid(in);
		for (int i = 1; i < 4; i++)
			v->regs->x[i] = pick_arg(in, v->vm);
		break;
	case 2:
	case 3:
	case 4: {
		struct trap_mem *m = &t->mem;
		t->kind = TRAP_DATA_ABORT;
		m->width = fuzz_width(in);
		m->ipa = ipa_init(pick_ipa(in, v->vm));
		m->far = fuzz_bool(in) ? ipa_addr(m->ipa) : fuzz_u64(in);
		uint8_t f = fuzz_u8(in);
		m->valid = f != 0xff;
		m->write = f & 1;
		m->sign_extend = f & 2;
		m->sixty_four = m->width == 8 || (f & 4);
		m->reg = (f >> 3) & 31;
		v->regs->x[m->reg < 31 ? m->reg : 0] = fuzz_u64(in);
		break;
	}
	case 5: {
		static const uint32_t regs[] = {
			SYSREG_ENC(3, 0, 12, 11, 5), SYSREG_ENC(3, 0, 12, 11, 6), SYSREG_ENC(3, 0, 12, 11, 7),
			SYSREG_ENC(3, 3, 9, 12, 0),  SYSREG_ENC(3, 3, 9, 13, 0),  SYSREG_ENC(3, 0, 9, 14, 1),
			SYSREG_ENC(3, 3, 14, 8, 0),  SYSREG_ENC(3, 3, 14, 15, 7), SYSREG_ENC(3, 0, 1, 0, 0),
		};
		uint8_t b = fuzz_u8(in);
		t->kind = TRAP_SYSREG;
		t->sys.encoding = b < 0xc0 ? regs[b % ARRAY_SIZE(regs)] : fuzz_u16(in) & 0xffff;
		t->sys.write = fuzz_bool(in);
		t->sys.reg = fuzz_below(in, 32);
		if (t->sys.reg < 31)
			v->regs->x[t->sys.reg] = fuzz_u64(in);
		break;
	}
	case 6:
		t->kind = TRAP_INSN_ABORT;
		t->mem.ipa = ipa_init(pick_ipa(in, v->vm));
		t->mem.far = fuzz_u64(in);
		break;
	default:
		t->kind = TRAP_OTHER;
		t->ec = fuzz_u8(in) & 0x3f;
		break;
	}
}

/* What the trap did, from the registers and the exception injected, before the CPUs moved on. */
static void check_trap(struct vcpu *v, const struct trap *t, enum trap_outcome out, const struct vcpu_regs *before,
		       uint32_t injects_before)
{
	struct vcpu_regs now = *v->regs;
	bool injected = fake.inject_count != injects_before;
	uint32_t vm_state = v->vm->state;

	FUZZ_CHECK(fake.inject_count - injects_before <= 1, "two exceptions injected by one trap");
	FUZZ_CHECK(injected == (out == TRAP_INJECTED), "outcome %d with %s injected", out,
		   injected ? "an exception" : "nothing");
	if (out == TRAP_REPLAY) {
		/* only a fault inside the guest's own vectors: the crash policy applies */
		FUZZ_CHECK(fake.vbar && before->pc - fake.vbar < 0x800 && vm_state != VM_STATE_RUNNING,
			   "replayed a trap outside the guest's vectors (pc 0x%llx, vbar 0x%llx, VM state %u)",
			   (unsigned long long)before->pc, (unsigned long long)fake.vbar, vm_state);
		FUZZ_CHECK(t->kind == TRAP_DATA_ABORT || t->kind == TRAP_INSN_ABORT, "replayed trap kind %d", t->kind);
		return;
	}
	if (out == TRAP_INJECTED) {
		enum fake_inject want = t->kind == TRAP_DATA_ABORT   ? FAKE_INJECT_DABT
					: t->kind == TRAP_INSN_ABORT ? FAKE_INJECT_PABT
								     : FAKE_INJECT_UNDEF;
		FUZZ_CHECK(fake.last_inject == want, "trap kind %d injected %d", t->kind, fake.last_inject);
		if (t->kind == TRAP_DATA_ABORT || t->kind == TRAP_INSN_ABORT)
			FUZZ_CHECK(fake.last_inject_far == t->mem.far, "abort injected with the wrong FAR");
		now.pc = before->pc;
		FUZZ_CHECK(memcmp(&now, before, sizeof(now)) == 0, "an injected exception also changed registers");
		FUZZ_CHECK(t->kind != TRAP_HVC && t->kind != TRAP_SMC, "an SMCCC call injected an exception");
		if (t->kind == TRAP_SYSREG)
			FUZZ_CHECK(!is_sgi_reg(t->sys.encoding) || !t->sys.write, "an SGI register write was refused");
		return;
	}
	FUZZ_CHECK(now.pc == before->pc, "a handled trap moved the pc itself");
	switch (t->kind) {
	case TRAP_DATA_ABORT: {
		const struct trap_mem *m = &t->mem;
		FUZZ_CHECK(m->valid, "an access without a syndrome was emulated");
		FUZZ_CHECK(ipa_served(v->vm, ipa_addr(m->ipa), m->width),
			   "VM %u: %u-byte access to 0x%llx completed, outside its devices and windows", v->vm->id,
			   m->width, (unsigned long long)ipa_addr(m->ipa));
		if (!m->write && m->reg < 31) {
			uint64_t x = now.x[m->reg];
			if (!m->sixty_four)
				FUZZ_CHECK(x >> 32 == 0, "a W-register load left upper bits 0x%llx",
					   (unsigned long long)x);
			if (m->width < 8 && !m->sign_extend)
				FUZZ_CHECK(x >> (8 * m->width) == 0, "a %u-byte load returned 0x%llx", m->width,
					   (unsigned long long)x);
			if (m->width < 8 && m->sign_extend && m->sixty_four) {
				uint64_t top = x >> (8 * m->width - 1);
				FUZZ_CHECK(top == 0 || top == ~0ULL >> (8 * m->width - 1),
					   "a sign-extended load returned 0x%llx", (unsigned long long)x);
			}
			now.x[m->reg] = before->x[m->reg];
		}
		FUZZ_CHECK(memcmp(&now, before, sizeof(now)) == 0, "an MMIO access changed other registers");
		break;
	}
	case TRAP_SYSREG:
		if (!t->sys.write && t->sys.reg < 31) {
			FUZZ_CHECK(now.x[t->sys.reg] == 0,
				   "a trapped register read as 0x%llx (PMU registers read as zero)",
				   (unsigned long long)now.x[t->sys.reg]);
			now.x[t->sys.reg] = before->x[t->sys.reg];
		}
		FUZZ_CHECK(memcmp(&now, before, sizeof(now)) == 0, "a system register trap changed other registers");
		break;
	case TRAP_HVC:
	case TRAP_SMC:
		if (t->imm)
			FUZZ_CHECK(now.x[0] == (uint64_t)(int64_t)PSCI_RET_NOT_SUPPORTED, "HVC/SMC #%u answered 0x%llx",
				   t->imm, (unsigned long long)now.x[0]);
		now.x[0] = before->x[0];
		FUZZ_CHECK(memcmp(&now, before, sizeof(now)) == 0, "an SMCCC call changed registers besides x0");
		break;
	default: FUZZ_CHECK(false, "trap kind %d completed without an exception", t->kind);
	}
}

/* A vCPU of a running VM traps; then its CPU goes back into the guest and every CPU does its requests. */
static enum fake_exit trap_step(struct fuzz_in *in, struct vcpu *v)
{
	struct trap t;
	struct vcpu_regs before;
	volatile enum trap_outcome out = TRAP_HANDLED;

	decode_trap(in, v, &t);
	before = *v->regs;
	bool call = (t.kind == TRAP_HVC || t.kind == TRAP_SMC) && !t.imm;
	uint32_t fid = (uint32_t)before.x[0];
	uint64_t narrow[4];
	for (int i = 0; i < 4; i++)
		narrow[i] = is_smc32(fid) ? before.x[i] & 0xffffffffULL : before.x[i];
	int64_t want = call ? psci_expect(v->vm, fid, narrow) : 0;
	uint32_t injects = fake.inject_count;
	uint32_t restarts = v->vm->restart_count;
	fake.cpu = v->pcpu;
	current_vm = v->vm->id;
	enum fake_exit r = FAKE_CATCH(out = trap_handle(v, &t));
	if (r == FAKE_EXIT_NONE) {
		check_trap(v, &t, out, &before, injects);
		if (call)
			FUZZ_CHECK(v->regs->x[0] == (uint64_t)want, "trapped PSCI 0x%08x returned %lld, expected %lld",
				   fid, (long long)v->regs->x[0], (long long)want);
		if (out == TRAP_HANDLED)
			v->regs->pc += 4;
		if (v->power == VCPU_ON)
			r = FAKE_CATCH(run_before_entry(v));
	} else {
		/* only CPU_OFF leaves through the idle loop */
		FUZZ_CHECK(r == FAKE_EXIT_IDLE || r == FAKE_EXIT_RUN || r == FAKE_EXIT_BOARD_OFF,
			   "trap kind %d left with %d", t.kind, r);
		FUZZ_CHECK(r == FAKE_EXIT_BOARD_OFF || v->power != VCPU_ON || r == FAKE_EXIT_RUN,
			   "trap kind %d left its vCPU on", t.kind);
	}
	if (r == FAKE_EXIT_BOARD_OFF || r == FAKE_EXIT_HALT || r == FAKE_EXIT_RESET)
		return r;
	r = fuzz_settle();
	if (r == FAKE_EXIT_NONE && call && fid == PSCI_SYSTEM_RESET)
		FUZZ_CHECK(v->vm->state == VM_STATE_RUNNING && v->vm->restart_count == restarts + 1,
			   "after a guest reset VM %u is in state %u with %u restarts (was %u)", v->vm->id,
			   v->vm->state, v->vm->restart_count, restarts);
	return r;
}

/* The clock moves on and this CPU's hypervisor timer fires: console poll, watchdogs. */
static enum fake_exit timer_step(struct fuzz_in *in)
{
	fake.counter += fuzz_u32(in) % (8 * fake.freq);
	fake.cpu = fuzz_below(in, FV_MAX_CPUS);
	fake_raise(fake.cpu, PLAT_TIMER_HYP_INTID);
	enum fake_exit r = FAKE_CATCH(irq_handle());
	if (r != FAKE_EXIT_NONE)
		return r;
	return fuzz_settle();
}

static void check_board_off(void)
{
	bool all_off = true, halt = false;

	for (uint32_t i = 0; i < vm_count; i++) {
		const struct vm *vm = &vms[i];
		all_off &= vm->state == VM_STATE_OFF || vm->state == VM_STATE_FAILED;
		halt |= vm->cfg->on_crash == VM_ON_CRASH_HALT_BOARD &&
			(vm->stop_reason == VM_STOP_CRASH || vm->stop_reason == VM_STOP_DEVICE) &&
			vm->state == VM_STATE_STOPPING;
	}
	FUZZ_CHECK(all_off || halt, "the board powered off with a VM still running and no halt-board crash");
}

static void check_vms(void)
{
	for (uint32_t i = 0; i < vm_count; i++) {
		const struct vm *vm = &vms[i];
		FUZZ_CHECK(vm->state <= VM_STATE_FAILED, "VM %u in state %u", i, vm->state);
		for (uint32_t c = 0; c < vm->vcpu_count; c++) {
			const struct vcpu *v = &vm->vcpu[c];
			FUZZ_CHECK(v->power <= VCPU_ON, "VM %u vCPU %u power %u", i, c, v->power);
			if (vm->state == VM_STATE_OFF || vm->state == VM_STATE_FAILED) {
				FUZZ_CHECK(v->power == VCPU_OFF, "VM %u is off, vCPU %u is not", i, c);
				FUZZ_CHECK(v->vgic.lr_used == 0, "VM %u is off, vCPU %u holds list registers", i, c);
			}
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };

	fuzz_vgic_boot(&in);
	fake.mmio_read = device_read;
	fake.mmio_write = device_write;
	fake.vbar = fuzz_bool(&in) ? vms[0].cfg->mem[0].ipa + 0x800 : 0;
	while (fuzz_more(&in)) {
		struct vcpu *on[FV_MAX_VMS * FV_MAX_VCPUS];
		uint32_t count = 0;
		for (uint32_t i = 0; i < vm_count; i++)
			for (uint32_t c = 0; c < vms[i].vcpu_count; c++)
				if (vms[i].vcpu[c].power == VCPU_ON && vms[i].state == VM_STATE_RUNNING)
					on[count++] = &vms[i].vcpu[c];
		uint8_t op = fuzz_u8(&in);
		struct vcpu *v = count ? on[fuzz_below(&in, count)] : NULL;
		uint32_t target = v ? v->vm->id : FV_MAX_VMS;
		bool everyone = !v || op % 8 == 6; /* the timer step may touch every VM */

		for (uint32_t i = 0; i < vm_count; i++)
			snap_take(&snaps[i], &vms[i]);
		fuzz_vgic_before();
		enum fake_exit r = FAKE_EXIT_NONE;
		if (everyone) {
			r = timer_step(&in);
		} else {
			switch (op % 8) {
			case 0:
				direct_call(&in, v);
				r = fuzz_settle();
				break;
			case 7:
				/* the guest runs on: somewhere, or inside its exception vectors */
				v->regs->pc = fake.vbar && fuzz_bool(&in) ? fake.vbar + fuzz_below(&in, 0x80) * 16
									  : fuzz_u64(&in);
				break;
			default: r = trap_step(&in, v); break;
			}
		}
		fake_uart_clear();
		FUZZ_CHECK(r != FAKE_EXIT_HALT, "the hypervisor panicked");
		FUZZ_CHECK(r != FAKE_EXIT_RESET, "the board was reset");
		if (r == FAKE_EXIT_BOARD_OFF) {
			check_board_off();
			return 0;
		}
		check_vms();
		if (!everyone) {
			for (uint32_t i = 0; i < vm_count; i++)
				if (i != target)
					snap_check(&snaps[i], &vms[i], target);
			fuzz_vgic_check(target);
		} else {
			fuzz_vgic_before(); /* every VM may have moved: check each on its own */
			fuzz_vgic_check(FV_MAX_VMS);
		}
	}
	return 0;
}
