// SPDX-License-Identifier: MIT
/*
 * Boot: board discovery, manifest checks, the console, VM creation,
 * secondary CPUs; then every CPU enters its loop (fv/run.h). Nothing here
 * assumes a single VM.
 */
#include <fv/arch/cpu.h>
#include <fv/arch/firmware.h>
#include <fv/arch/irq.h>
#include <fv/arch/mem.h>
#include <fv/board.h>
#include <fv/console.h>
#include <fv/fmt.h>
#include <fv/hv.h>
#include <fv/hvcons.h>
#include <fv/lifecycle.h>
#include <fv/log.h>
#include <fv/panic_check.h>
#include <fv/plat.h>
#include <fv/run.h>

static struct board board;

static void report(struct diag *d, const char *where, const char *prop, const char *what)
{
	(void)d;
	if (prop)
		log_line("error: %s: %s: %s", where, prop, what);
	else
		log_line("error: %s: %s", where, what);
}

static __attribute__((noreturn)) void refuse(const char *why)
{
	log_line("refusing to start: %s", why);
	log_line("powering the board off");
	arch_board_off();
}

static void describe_vm(const struct vm *vm)
{
	const struct manifest_vm *c = vm->cfg;
	char cpus[48];
	size_t at = 0;
	uint32_t emulated = 0;

	for (uint32_t i = 0; i < c->cpu_count && at + 4 < sizeof(cpus); i++)
		at += (size_t)fmt_snprintf(cpus + at, sizeof(cpus) - at, i ? ",%u" : "%u", c->cpu[i]);
	for (uint32_t i = 0; i < c->device_count; i++)
		emulated += !(device_kind_info(c->device[i].kind)->flags & DEVKIND_PASSTHROUGH);
	log_line("%s: CPUs %s, %llu MiB RAM at 0x%llx, kernel %s, %u emulated and %u passthrough device(s)", vm->name,
		 cpus, (unsigned long long)(manifest_vm_ram_size(c) >> 20), (unsigned long long)c->mem[0].pa,
		 hv_manifest->image[c->kernel.image].name, emulated, c->device_count - emulated);
	if (c->flags & VM_FLAG_UNISOLATED_DMA)
		log_line("%s: NOT ISOLATED: its passthrough devices can DMA into any VM's memory and the hypervisor's "
			 "(isolation-breaking-dma)",
			 vm->name);
}

static void start_cpus(void)
{
	for (uint32_t i = 1; i < board.cpu_count; i++) {
		if (!pcpus[i].vcpu)
			continue; /* a CPU no VM uses stays off */
		int rc = arch_board_cpu_on(board.cpu_mpidr[i], pa_init(0), i);
		if (rc != 0)
			log_line("CPU %u (MPIDR 0x%llx) did not start: PSCI error %d", i,
				 (unsigned long long)board.cpu_mpidr[i], rc);
	}
}

void hv_main(void)
{
	struct diag d = { report, 0 };
	const struct hv_header *self = arch_phys_to_ptr(pa_init(PLAT_FLASH_BASE + HV_HEADER_OFFSET));

	log_line("Flashvisor %s", hv_version);
	if (!board_parse(&board, arch_phys_to_ptr(pa_init(PLAT_DTB_ADDR)), PLAT_DTB_MAX, &d))
		refuse("the board's device tree lacks what the hypervisor needs");
	if (!arch_map_board_ram(pa_init(board.ram_base), board.ram_size))
		refuse("the board's RAM does not start with the hypervisor's");
	log_line("board: %s, %u CPUs, %llu MiB RAM at 0x%llx, %u virtio-mmio slots", board.model, board.cpu_count_seen,
		 (unsigned long long)(board.ram_size >> 20), (unsigned long long)board.ram_base, board.virtio_count);
	if (board.cpu_count_seen > board.cpu_count)
		log_line("board: only the first %u CPUs are used (FV_MAX_CPUS)", board.cpu_count);
	pcpu_count = board.cpu_count;
	for (uint32_t i = 0; i < pcpu_count; i++) {
		pcpus[i].index = i;
		pcpus[i].mpidr = board.cpu_mpidr[i];
	}
	pcpus[0].online = true;

	hv_manifest = arch_phys_to_ptr(pa_init(PLAT_FLASH_BASE + MANIFEST_FLASH_OFFSET));
	uint64_t flash = board.flash_size ? board.flash_size : PLAT_FLASH_SIZE;
	if (!manifest_validate(hv_manifest, flash, &d))
		refuse("the flash image's manifest is invalid");
	if (hv_manifest->hv.ram_base != self->ram_base || hv_manifest->hv.ram_size != self->ram_size)
		refuse("the manifest was made for another hypervisor build");
	if (!manifest_check_board(hv_manifest, &board, &d))
		refuse("this board cannot host the image");

	console_init(true); /* the hypervisor console: last in the Ctrl-A cycle */
	hvcons_attach();
	log_set_sink(console_log_line);
	vm_count = hv_manifest->vm_count;
	panic_check_init();
	for (uint32_t i = 0; i < vm_count; i++) {
		if (!vm_create(&vms[i], i, hv_manifest, &hv_manifest->vm[i]))
			refuse("a VM could not be created");
		describe_vm(&vms[i]);
	}
	log_line("console: every line is prefixed with its VM's name; press Ctrl-A three times to switch input");
	conmux_set_focus(&console_mux, vms[0].console_port);
	start_cpus();
	arch_irq_enable(PLAT_UART_INTID, 0);
	for (uint32_t i = 0; i < vm_count; i++)
		vm_request_boot(&vms[i]);
	run_idle();
}

void hv_secondary_main(uint32_t cpu)
{
	pcpus[cpu].online = true;
	run_idle();
}
