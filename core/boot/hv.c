// SPDX-License-Identifier: MIT
/*
 * The hypervisor proper: boot (board discovery, manifest checks, VM
 * creation, secondary CPUs), the console services over the multiplexer, and
 * the physical interrupt dispatcher. Nothing here assumes a single VM.
 */
#include <fv/arch/cpu.h>
#include <fv/arch/firmware.h>
#include <fv/arch/irq.h>
#include <fv/arch/mem.h>
#include <fv/arch/vcpu.h>
#include <fv/arch/vcpuif.h>
#include <fv/board.h>
#include <fv/fmt.h>
#include <fv/hv.h>
#include <fv/hvcons.h>
#include <fv/log.h>
#include <fv/string.h>
#include <fv/trap.h>
#include <fv/vm.h>
#include <fv/plat.h>

#define HV_SGI_KICK 0U /* also in arch/aarch64/gic.c */

struct conmux hv_conmux;
const struct manifest *hv_manifest;
static struct board board;
static struct vm *spi_owner[VGIC_MAX_INTID]; /* board SPIs passed through to a VM */

uint64_t hv_now_ms(void)
{
	return arch_counter() / (arch_counter_freq() / 1000);
}

/* ---- console ---- */

static void console_sink(const char *line)
{
	conmux_line(&hv_conmux, HV_CONSOLE_PORT, line);
}

static void notify_tx_ready(void)
{
	uint32_t ready = conmux_take_ready(&hv_conmux);

	for (uint32_t i = 0; i < vm_count; i++)
		if (ready & (1U << vms[i].console_port))
			vpl011_tx_ready(&vms[i].uart);
}

void hv_timer_at(uint64_t at)
{
	struct pcpu *p = pcpu_this();

	if (!at)
		return;
	if (p->timer_deadline && p->timer_deadline <= at)
		return;
	p->timer_deadline = at;
	arch_hyp_timer_arm(at);
}

/* Make sure this CPU's timer will run the multiplexer's idle rules. */
static void arm_console_timer(uint64_t at_ms)
{
	if (at_ms)
		hv_timer_at(at_ms * (arch_counter_freq() / 1000));
}

bool hv_console_putc(uint32_t port, uint8_t c)
{
	bool ok = conmux_putc(&hv_conmux, port, c);

	arm_console_timer(hv_now_ms() + CONMUX_IDLE_MS + 1);
	return ok;
}

bool hv_console_can_put(uint32_t port)
{
	return conmux_can_put(&hv_conmux, port);
}

bool hv_console_room(uint32_t port, uint32_t want)
{
	return conmux_room(&hv_conmux, port, want);
}

void hv_console_poll(void)
{
	uint64_t next = conmux_poll(&hv_conmux);

	arm_console_timer(next);
	notify_tx_ready();
}

void hv_console_rx(const uint8_t *bytes, uint32_t count)
{
	for (uint32_t i = 0; i < count; i++) {
		struct conmux_input in;
		conmux_input(&hv_conmux, bytes[i], &in);
		if (in.port == HV_CONSOLE_PORT) {
			if (in.switched)
				hvcons_prompt();
			for (uint32_t k = 0; k < in.count; k++)
				hvcons_input(in.bytes[k]);
			continue;
		}
		for (uint32_t v = 0; v < vm_count; v++) {
			if (vms[v].console_port != in.port)
				continue;
			for (uint32_t k = 0; k < in.count; k++)
				if (!vpl011_receive(&vms[v].uart, in.bytes[k]) && vms[v].uart.rx_dropped % 100 == 1)
					log_line("%s: not reading its console: %u typed bytes dropped", vms[v].name,
						 vms[v].uart.rx_dropped);
		}
	}
}

/* ---- interrupts ---- */

/* Watchdogs of running VMs: raise their interrupt, or apply the crash policy. */
static void watchdogs_poll(void)
{
	uint64_t now = arch_counter();

	for (uint32_t i = 0; i < vm_count; i++) {
		struct vm *vm = &vms[i];
		bool expired;
		if (__atomic_load_n(&vm->state, __ATOMIC_ACQUIRE) != VM_STATE_RUNNING)
			continue;
		uint64_t next = vwdt_poll(&vm->wdt, now, &expired);
		if (expired)
			vm_crashed(vm, VM_STOP_WATCHDOG, "its watchdog expired (the guest stopped servicing it)");
		else
			hv_timer_at(next);
	}
}

static void hyp_timer_fired(void)
{
	struct pcpu *p = pcpu_this();

	p->timer_deadline = 0;
	arch_hyp_timer_arm(0);
	hv_console_poll();
	watchdogs_poll();
}

static void vtimer_fired(void)
{
	struct vcpu *v = pcpu_this()->vcpu;

	if (v && __atomic_load_n(&v->power, __ATOMIC_ACQUIRE) == VCPU_ON) {
		vgic_inject_hw(v, PLAT_TIMER_VIRT_INTID); /* the guest deactivates it */
		return;
	}
	arch_vtimer_mask();
	arch_irq_deactivate(PLAT_TIMER_VIRT_INTID);
}

/*
 * The GIC maintenance interrupt is level-sensitive: it stays asserted until
 * the list registers are brought up to date, so do that now rather than on
 * the way back into the guest.
 */
static void maintenance(void)
{
	struct vcpu *v = pcpu_this()->vcpu;

	if (v && __atomic_load_n(&v->power, __ATOMIC_ACQUIRE) == VCPU_ON)
		vgic_maintenance(v);
	else
		arch_vgic_underflow_irq(false);
}

void irq_handle(void)
{
	for (;;) {
		if (log_panicked())
			arch_cpu_halt(); /* another CPU panicked and kicked this one */
		uint32_t intid = arch_irq_ack();
		if (intid >= IRQ_SPURIOUS)
			return;
		arch_irq_priority_drop(intid);
		struct vcpu *v = pcpu_this()->vcpu;
		if (v)
			v->stats.irqs++;
		if (intid == PLAT_TIMER_VIRT_INTID) {
			vtimer_fired();
			continue;
		}
		if (intid < VGIC_MAX_INTID && spi_owner[intid]) {
			struct vm *owner = spi_owner[intid];
			vgic_inject_hw(&owner->vcpu[0], intid); /* the guest deactivates it */
			continue;
		}
		if (intid == HV_SGI_KICK) {
			/* requests are handled on the way back in */
		} else if (intid == PLAT_GIC_MAINT_INTID) {
			maintenance();
		} else if (intid == PLAT_TIMER_HYP_INTID) {
			hyp_timer_fired();
		} else if (intid == PLAT_UART_INTID) {
			uint8_t buf[32];
			uint32_t n;
			while ((n = plat_uart_read(buf, sizeof(buf))) > 0)
				hv_console_rx(buf, n);
		} else {
			log_line("unexpected interrupt %u on CPU %u", intid, arch_cpu_index());
		}
		arch_irq_deactivate(intid);
	}
}

/* ---- boot ---- */

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

	for (uint32_t i = 0; i < c->cpu_count && at + 4 < sizeof(cpus); i++)
		at += (size_t)fmt_snprintf(cpus + at, sizeof(cpus) - at, i ? ",%u" : "%u", c->cpu[i]);
	log_line("%s: CPUs %s, %llu MiB RAM at 0x%llx, kernel %s, %u device(s)", vm->name, cpus,
		 (unsigned long long)(manifest_vm_ram_size(c) >> 20), (unsigned long long)c->mem[0].pa,
		 hv_manifest->image[c->kernel.image].name, c->device_count);
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
	log_line("board: %s, %u CPUs, %llu MiB RAM at 0x%llx, %u virtio-mmio slots", board.model,
		 board.cpu_count_seen, (unsigned long long)(board.ram_size >> 20),
		 (unsigned long long)board.ram_base, board.virtio_count);
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

	conmux_init(&hv_conmux, plat_uart_write, hv_now_ms);
	conmux_add_port(&hv_conmux, "hv", true); /* the hypervisor console: last in the Ctrl-A cycle */
	log_set_sink(console_sink);
	vm_count = hv_manifest->vm_count;
	for (uint32_t i = 0; i < vm_count; i++) {
		if (!vm_create(&vms[i], i, hv_manifest, &hv_manifest->vm[i]))
			refuse("a VM could not be created");
		for (uint32_t k = 0; k < vms[i].cfg->device_count; k++)
			spi_owner[vms[i].cfg->device[k].intid] = &vms[i];
		describe_vm(&vms[i]);
	}
	log_line("console: every line is prefixed with its VM's name; press Ctrl-A three times to switch input");
	conmux_set_focus(&hv_conmux, vms[0].console_port);
	start_cpus();
	arch_irq_enable(PLAT_UART_INTID, 0);
	for (uint32_t i = 0; i < vm_count; i++)
		vm_request_boot(&vms[i]);
	pcpu_idle();
}

void hv_secondary_main(uint32_t cpu)
{
	pcpus[cpu].online = true;
	pcpu_idle();
}
