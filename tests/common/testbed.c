// SPDX-License-Identifier: MIT
/* The host test bed (see testbed.h). */
#include "testbed.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fv/hvcons.h>
#include <fv/irq.h>
#include <fv/log.h>
#include <fv/panic_check.h>
#include <fv/pl011.h>
#include <fv/sha256.h>
#include <plat/layout.h>

void testbed_redigest(struct manifest *m)
{
	manifest_digest(m, m->sha256);
}

/* The devices every VM has, as the image tool gives them (without a watchdog). */
static void add_board_devices(struct manifest_vm *vm)
{
	const struct manifest_device defaults[] = {
		{ DEVICE_GICD, 0, 0, VBOARD_GICD_BASE, VBOARD_GICD_SIZE, 0, 0 },
		{ DEVICE_GICR, 0, 0, VBOARD_GICR_BASE, VBOARD_GICR_STRIDE * (vm->cpu_count ? vm->cpu_count : 1), 0, 0 },
		{ DEVICE_PL011, 0, 0, VBOARD_UART_BASE, VBOARD_UART_SIZE, VBOARD_UART_INTID, 0 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(defaults); i++)
		vm->device[vm->device_count++] = defaults[i];
}

void testbed_manifest(struct manifest *m, uint32_t count, uint32_t cpus_each)
{
	memset(m, 0, sizeof(*m));
	m->magic = MANIFEST_MAGIC;
	m->version = MANIFEST_VERSION;
	m->size = sizeof(*m);
	m->hv = (struct hv_header){ HV_HEADER_MAGIC, 0x40000000, 0x600000, 0x10000, MANIFEST_VERSION, 0 };
	m->board = (struct manifest_board){ 0x40000000, 0x80000000, PLAT_FLASH_SIZE, 8, 0 };
	uint64_t at = ALIGN_UP(MANIFEST_FLASH_OFFSET + sizeof(*m), MANIFEST_IMAGE_ALIGN);
	for (uint32_t i = 0; i < 3; i++) {
		struct manifest_image *im = &m->image[i];
		snprintf(im->name, sizeof(im->name), "image%u", i);
		im->offset = at;
		im->size = 0x1000;
		at += 0x1000;
	}
	m->image_count = 3;
	m->image_end = at;
	m->vm_count = count;
	for (uint32_t v = 0; v < count; v++) {
		struct manifest_vm *vm = &m->vm[v];
		snprintf(vm->name, sizeof(vm->name), "vm%u", v);
		vm->boot = VM_BOOT_BARE;
		vm->on_crash = VM_ON_CRASH_RESTART;
		vm->cpu_count = cpus_each;
		for (uint32_t c = 0; c < cpus_each; c++)
			vm->cpu[c] = (uint8_t)(v * cpus_each + c);
		vm->mem_count = 1;
		vm->mem[0].pa = 0x48000000ULL + v * 0x10000000ULL;
		vm->mem[0].ipa = vm->mem[0].pa;
		vm->mem[0].size = 0x10000000;
		vm->kernel = (struct manifest_load){ 0, 0, vm->mem[0].ipa, 0x1000 };
		vm->entry = vm->mem[0].ipa;
		vm->initrd = (struct manifest_load){ 1, 0, vm->mem[0].ipa + 0x400000, 0x1000 };
		vm->dtb = (struct manifest_load){ 2, 0, vm->mem[0].ipa + 0x200000, 0x1000 };
		add_board_devices(vm);
	}
	testbed_redigest(m);
}

void testbed_board(struct board *b, uint32_t cpus)
{
	memset(b, 0, sizeof(*b));
	snprintf(b->model, sizeof(b->model), "test board");
	b->cpu_count = cpus;
	b->cpu_count_seen = cpus;
	for (uint32_t i = 0; i < cpus; i++)
		b->cpu_mpidr[i] = i;
	b->ram_base = 0x40000000;
	b->ram_size = 0x80000000;
	b->gicd_base = PLAT_GICD_BASE;
	b->gicd_size = PLAT_GICD_SIZE;
	b->gicr_base = PLAT_GICR_BASE;
	b->gicr_size = PLAT_GICR_STRIDE * cpus;
	b->uart_base = PLAT_UART_BASE;
	b->uart_intid = PLAT_UART_INTID;
	b->timer_intid[0] = PLAT_TIMER_SEC_PHYS_INTID;
	b->timer_intid[1] = PLAT_TIMER_PHYS_INTID;
	b->timer_intid[2] = PLAT_TIMER_VIRT_INTID;
	b->timer_intid[3] = PLAT_TIMER_HYP_INTID;
	b->flash_size = PLAT_FLASH_SIZE;
	b->virtio_count = FV_VIRTIO_SLOTS;
	for (uint32_t i = 0; i < FV_VIRTIO_SLOTS; i++)
		b->virtio[i] = (struct board_virtio){ PLAT_VIRTIO_BASE + i * PLAT_VIRTIO_STRIDE, PLAT_VIRTIO_STRIDE,
						      PLAT_VIRTIO_INTID_BASE + i };
}

void testbed_add_virtio(struct manifest *m, uint32_t vm, uint32_t slot)
{
	struct manifest_vm *v = &m->vm[vm];
	uint64_t pa = PLAT_VIRTIO_BASE + slot * PLAT_VIRTIO_STRIDE;

	uint32_t at = 0;

	while (at < v->device_count && v->device[at].kind == DEVICE_VIRTIO_MMIO)
		at++;
	for (uint32_t i = v->device_count; i > at; i--)
		v->device[i] = v->device[i - 1];
	v->device[at] = (struct manifest_device){
		DEVICE_VIRTIO_MMIO, slot, pa, pa, PLAT_VIRTIO_STRIDE, PLAT_VIRTIO_INTID_BASE + slot, 0
	};
	v->device_count++;
	v->flags |= VM_FLAG_UNISOLATED_DMA; /* as the config must say */
	testbed_redigest(m);
}

void testbed_drop_virtio(struct manifest *m, uint32_t vm)
{
	struct manifest_vm *v = &m->vm[vm];
	uint32_t kept = 0;

	for (uint32_t i = 0; i < v->device_count; i++)
		if (v->device[i].kind != DEVICE_VIRTIO_MMIO)
			v->device[kept++] = v->device[i];
	v->device_count = kept;
	testbed_redigest(m);
}

struct manifest_device *testbed_device(struct manifest *m, uint32_t vm, uint32_t kind)
{
	for (uint32_t i = 0; i < m->vm[vm].device_count && i < FV_MAX_VM_DEVICES; i++)
		if (m->vm[vm].device[i].kind == kind)
			return &m->vm[vm].device[i];
	return NULL;
}

void testbed_add_watchdog(struct manifest *m, uint32_t vm)
{
	struct manifest_vm *v = &m->vm[vm];

	v->device[v->device_count++] = (struct manifest_device){
		DEVICE_SP805, 0, 0, TESTBED_WDT_BASE, TESTBED_WDT_SIZE, TESTBED_WDT_INTID, 0
	};
	testbed_redigest(m);
}

void testbed_set_ram_size(struct manifest *m, uint64_t size)
{
	for (uint32_t v = 0; v < m->vm_count; v++)
		m->vm[v].mem[0].size = size;
	testbed_redigest(m);
}

void testbed_memory_map(struct testbed_memory *t, struct manifest *m)
{
	memset(t, 0, sizeof(*t));
	t->flash_size = m->image_end;
	t->flash = calloc(1, t->flash_size);
	if (!t->flash)
		abort();
	for (uint32_t i = 0; i < m->image_count; i++) {
		struct manifest_image *im = &m->image[i];
		for (uint64_t k = 0; k < im->size; k++)
			t->flash[im->offset + k] = (uint8_t)(k * 7 + i * 31 + 1);
		sha256(t->flash + im->offset, im->size, im->sha256);
	}
	testbed_redigest(m);
	memcpy(t->flash + MANIFEST_FLASH_OFFSET, m, sizeof(*m));
	fake_map(PLAT_FLASH_BASE, t->flash, t->flash_size);
	for (uint32_t v = 0; v < m->vm_count; v++)
		for (uint32_t r = 0; r < m->vm[v].mem_count; r++) {
			t->ram[v][r] = calloc(1, m->vm[v].mem[r].size);
			if (!t->ram[v][r])
				abort();
			fake_map(m->vm[v].mem[r].pa, t->ram[v][r], m->vm[v].mem[r].size);
		}
}

void testbed_memory_free(struct testbed_memory *t)
{
	free(t->flash);
	for (uint32_t v = 0; v < FV_MAX_VMS; v++)
		for (uint32_t r = 0; r < FV_MAX_VM_MEM; r++)
			free(t->ram[v][r]);
	memset(t, 0, sizeof(*t));
}

bool testbed_create_vms(const struct manifest *m)
{
	fake_reset();
	memset(vms, 0, sizeof(vms));
	memset(pcpus, 0, sizeof(pcpus));
	pcpu_count = FV_MAX_CPUS;
	for (uint32_t i = 0; i < FV_MAX_CPUS; i++) {
		pcpus[i].index = i;
		pcpus[i].mpidr = i;
		pcpus[i].online = true;
	}
	console_init(false);
	panic_check_init();
	hvcons_attach(); /* as hv_main does; the port takes input after testbed_console_as_hv */
	hv_manifest = m;
	vm_count = m->vm_count;
	for (uint32_t i = 0; i < m->vm_count; i++)
		if (!vm_create(&vms[i], i, m, &m->vm[i]))
			return false;
	return true;
}

static void record(struct diag *d, const char *where, const char *prop, const char *what)
{
	struct testbed_diag *h = (struct testbed_diag *)d;
	size_t n = strlen(h->text);
	snprintf(h->text + n, sizeof(h->text) - n, "%s: %s: %s\n", where, prop ? prop : "-", what);
}

void testbed_diag_init(struct testbed_diag *h)
{
	memset(h, 0, sizeof(*h));
	h->d.report = record;
}

void testbed_console_as_hv(void)
{
	console_mux.port[CONSOLE_HV_PORT].takes_input = true;
	log_set_sink(console_log_line);
}

/* Each FAKE_CATCH in a function of its own: gcc warns otherwise (-Wclobbered). */
static enum fake_exit enter_guest(struct vcpu *v)
{
	return FAKE_CATCH(run_before_entry(v));
}

static enum fake_exit idle(void)
{
	return FAKE_CATCH(run_idle());
}

/* One CPU handles its requests; how it left. */
static enum fake_exit settle_cpu(uint32_t cpu)
{
	struct vcpu *v = pcpus[cpu].vcpu;

	fake.cpu = cpu;
	if (v && __atomic_load_n(&v->power, __ATOMIC_SEQ_CST) == VCPU_ON)
		return enter_guest(v);
	return idle();
}

/* From the guest (or the idle loop): this CPU takes a physical interrupt, then goes back. */
static void interrupted(struct vcpu *v)
{
	irq_handle();
	if (v && __atomic_load_n(&v->power, __ATOMIC_SEQ_CST) == VCPU_ON)
		run_before_entry(v);
	else
		run_idle();
}

static enum fake_exit timer_fires(uint32_t cpu)
{
	fake.cpu = cpu;
	fake.hyp_timer[cpu] = 0;
	fake_raise(cpu, PLAT_TIMER_HYP_INTID);
	return FAKE_CATCH(interrupted(pcpus[cpu].vcpu));
}

enum fake_exit testbed_time_passes(uint32_t ms)
{
	uint32_t cpu = fake.cpu;

	for (uint32_t t = 0; t < ms; t++) {
		fake.counter += fake.freq / 1000;
		for (uint32_t c = 0; c < FV_MAX_CPUS; c++) {
			if (!fake.hyp_timer[c] || fake.hyp_timer[c] > fake.counter)
				continue;
			enum fake_exit r = timer_fires(c);
			if (r == FAKE_EXIT_NONE || r == FAKE_EXIT_IDLE)
				r = testbed_settle();
			if (r != FAKE_EXIT_NONE)
				return r;
		}
	}
	fake.cpu = cpu;
	return FAKE_EXIT_NONE;
}

enum fake_exit testbed_settle(void)
{
	uint32_t cpu = fake.cpu;

	for (int round = 0; round < 64; round++) {
		bool any = false;
		for (uint32_t c = 0; c < FV_MAX_CPUS; c++) {
			if (!__atomic_load_n(&pcpus[c].requests, __ATOMIC_SEQ_CST))
				continue;
			any = true;
			enum fake_exit r = settle_cpu(c);
			if (r == FAKE_EXIT_BOARD_OFF || r == FAKE_EXIT_RESET || r == FAKE_EXIT_HALT)
				return r;
		}
		if (!any) {
			fake.cpu = cpu;
			return FAKE_EXIT_NONE;
		}
	}
	fprintf(stderr, "testbed_settle: CPU requests keep coming back\n");
	abort();
}

bool testbed_guest_prints(struct vcpu *v, const char *s)
{
	fake.cpu = v->pcpu;
	for (; *s; s++)
		if (!vpl011_write(vpl011_of(v->vm), UARTDR, 1, (uint8_t)*s))
			return false;
	return true;
}
