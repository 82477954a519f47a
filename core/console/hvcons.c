// SPDX-License-Identifier: MIT
/*
 * The hypervisor console: one more stop in the Ctrl-A cycle, after the VMs.
 * A line editor (backspace, Ctrl-U, Ctrl-C) and a few commands to see and
 * steer the VMs: list, restart, stop, start, mem, poweroff, help. Bad input
 * gets a one-line error. Runs on the CPU that takes the UART interrupt.
 */
#include <fv/arch/cpu.h>
#include <fv/arch/firmware.h>
#include <fv/console.h>
#include <fv/fmt.h>
#include <fv/hvcons.h>
#include <fv/lifecycle.h>
#include <fv/log.h>
#include <fv/string.h>
#include <fv/vm.h>

#define LINE_MAX_LEN 80

static char line[LINE_MAX_LEN];
static uint32_t line_len;

/* In one piece: a hypervisor line from another CPU cannot split a prompt. */
static void echo(const char *s)
{
	conmux_puts(&console_mux, CONSOLE_HV_PORT, s);
}

void hvcons_prompt(void)
{
	echo("fv> ");
}

static const char *state_name(uint32_t s)
{
	switch (s) {
	case VM_STATE_OFF: return "off";
	case VM_STATE_BOOTING: return "booting";
	case VM_STATE_RUNNING: return "running";
	case VM_STATE_STOPPING: return "stopping";
	case VM_STATE_FAILED: return "failed";
	default: return "?";
	}
}

static struct vm *find_vm(const char *name)
{
	for (uint32_t i = 0; i < vm_count; i++)
		if (strcmp(vms[i].name, name) == 0)
			return &vms[i];
	return NULL;
}

static void cmd_list(void)
{
	log_line("%-16s %-9s %-8s %9s %8s %8s %10s %7s", "VM", "state", "CPUs", "memory", "uptime", "restarts", "traps",
		 "faults");
	for (uint32_t i = 0; i < vm_count; i++) {
		struct vm *vm = &vms[i];
		char cpus[24];
		size_t at = 0;
		uint64_t traps = 0, faults = 0;
		for (uint32_t c = 0; c < vm->vcpu_count && at + 4 < sizeof(cpus); c++)
			at += (size_t)fmt_snprintf(cpus + at, sizeof(cpus) - at, c ? ",%u" : "%u", vm->vcpu[c].pcpu);
		for (uint32_t c = 0; c < vm->vcpu_count; c++) {
			traps += vm->vcpu[c].stats.traps;
			faults += vm->vcpu[c].stats.aborts;
		}
		uint32_t state = __atomic_load_n(&vm->state, __ATOMIC_ACQUIRE);
		uint64_t up = state == VM_STATE_RUNNING ? (arch_counter() - vm->started_at) / arch_counter_freq() : 0;
		log_line("%-16s %-9s %-8s %5llu MiB %6llu s %8u %10llu %7llu", vm->name, state_name(state), cpus,
			 (unsigned long long)(manifest_vm_ram_size(vm->cfg) >> 20), (unsigned long long)up,
			 vm->restart_count, (unsigned long long)traps, (unsigned long long)faults);
	}
}

static void cmd_vm(const char *verb, const char *arg)
{
	struct vm *vm = find_vm(arg);

	if (!*arg) {
		log_line("%s: which VM? (list shows them)", verb);
		return;
	}
	if (!vm) {
		log_line("%s: no VM called '%s' (list shows them)", verb, arg);
		return;
	}
	uint32_t state = __atomic_load_n(&vm->state, __ATOMIC_ACQUIRE);
	if (strcmp(verb, "start") == 0) {
		if (state != VM_STATE_OFF && state != VM_STATE_FAILED) {
			log_line("start: %s is %s", vm->name, state_name(state));
			return;
		}
		log_line("%s: starting (console)", vm->name);
		vm_request_boot(vm);
		return;
	}
	if (strcmp(verb, "stop") == 0) {
		if (state == VM_STATE_OFF || state == VM_STATE_FAILED)
			log_line("stop: %s is %s", vm->name, state_name(state));
		else
			vm_request_stop(vm, VM_STOP_CONSOLE, "stop requested on the console");
		return;
	}
	if (state != VM_STATE_RUNNING) {
		log_line("%s: %s is %s", verb, vm->name, state_name(state));
		return;
	}
	vm_stop(vm, VM_STOP_CONSOLE_RESTART, "restart requested on the console");
}

static void cmd_mem(void)
{
	log_line("hypervisor RAM: %llu KiB at 0x%llx, all static (no heap)",
		 (unsigned long long)(hv_manifest->hv.ram_size >> 10), (unsigned long long)hv_manifest->hv.ram_base);
	for (uint32_t i = 0; i < vm_count; i++)
		log_line("%s: stage-2 tables %u of %u used", vms[i].name, vms[i].s2.used, S2_POOL_PAGES);
}

static void execute(char *cmd)
{
	char *arg = cmd;

	while (*arg && *arg != ' ')
		arg++;
	if (*arg)
		*arg++ = '\0';
	while (*arg == ' ')
		arg++;
	size_t n = strlen(arg);
	while (n && arg[n - 1] == ' ')
		arg[--n] = '\0';

	if (!*cmd)
		return;
	if (strcmp(cmd, "help") == 0 || strcmp(cmd, "?") == 0) {
		log_line("commands: list | restart VM | stop VM | start VM | mem | poweroff | help");
		log_line("Ctrl-A three times moves input to the next VM");
	} else if (strcmp(cmd, "list") == 0) {
		cmd_list();
	} else if (strcmp(cmd, "restart") == 0 || strcmp(cmd, "stop") == 0 || strcmp(cmd, "start") == 0) {
		cmd_vm(cmd, arg);
	} else if (strcmp(cmd, "mem") == 0) {
		cmd_mem();
	} else if (strcmp(cmd, "poweroff") == 0) {
		log_line("powering the board off (console)");
		arch_board_off();
	} else {
		log_line("unknown command '%s' (help lists them)", cmd);
	}
}

void hvcons_input(uint8_t c)
{
	if (c == '\r' || c == '\n') {
		echo("\r\n");
		line[line_len] = '\0';
		line_len = 0;
		execute(line);
		hvcons_prompt();
	} else if (c == 0x7f || c == 0x08) {
		if (line_len) {
			line_len--;
			echo("\b \b");
		}
	} else if (c == 0x03 || c == 0x15) { /* Ctrl-C, Ctrl-U: drop the line */
		line_len = 0;
		echo("^C\r\n");
		hvcons_prompt();
	} else if (c >= 0x20 && c < 0x7f && line_len + 1 < LINE_MAX_LEN) {
		line[line_len++] = (char)c;
		char s[2] = { (char)c, '\0' };
		echo(s);
	}
}

static void rx(void *ctx, uint8_t c)
{
	hvcons_input(c);
}

static void focus(void *ctx)
{
	hvcons_prompt();
}

void hvcons_attach(void)
{
	struct console_client client = { rx, NULL, focus, NULL };

	console_attach(CONSOLE_HV_PORT, &client);
}
