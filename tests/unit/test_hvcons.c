// SPDX-License-Identifier: MIT
/*
 * The hypervisor console (core/console/hvcons.c) as a user at the board UART meets
 * it: bytes arrive through the UART interrupt (irq_handle), Ctrl-A three
 * times moves the focus to it after the VMs, and what it prints goes through
 * the console multiplexer to the fake UART as "[hv] " lines. Covered: the
 * line editor (echo, backspace, Ctrl-C and Ctrl-U, printable characters
 * only, the 79-character limit), and the commands list, restart, stop
 * (also of a VM that is starting or restarting: it stays off once that step
 * is done), start (only from off or failed), mem, poweroff and help, with a
 * one-line error for anything wrong.
 *
 * Three VMs of two vCPUs each, booted the way hv_main boots them; between
 * inputs every CPU handles its requests as its kick interrupt would make it.
 */
#include "helpers.h"

#include <stdio.h>
#include <string.h>

#include <fv/hvcons.h>
#include <fv/irq.h>
#include <fv/trap.h>
#include <plat/layout.h>

#define RAM_SIZE 0x1000000ULL
#define VM_COUNT 3
#define LINE_MAX_CHARS 79 /* hvcons.c keeps 80 bytes with the terminator */

static struct manifest m;
static struct testbed_memory mem;

/* CPU 0 takes the interrupts queued for it (the board UART's is routed there). */
static enum fake_exit interrupts(void)
{
	fake.cpu = 0;
	return FAKE_CATCH(irq_handle());
}

/* Bytes typed at the board UART, taken by CPU 0's UART interrupt. */
static enum fake_exit type_only(const void *bytes, size_t n)
{
	assert_true(n <= sizeof(fake.uart_rx) - fake.uart_rx_len);
	memcpy(fake.uart_rx + fake.uart_rx_len, bytes, n);
	fake.uart_rx_len += (uint32_t)n;
	fake_raise(0, PLAT_UART_INTID);
	return interrupts();
}

/* The same, then every CPU handles the requests the typing made. */
static enum fake_exit type_bytes(const void *bytes, size_t n)
{
	enum fake_exit r = type_only(bytes, n);

	return r != FAKE_EXIT_NONE ? r : testbed_settle();
}

static enum fake_exit type(const char *s)
{
	return type_bytes(s, strlen(s));
}

/* A command line entered at the prompt, carried out: what the UART shows for it. */
static const char *command(const char *line)
{
	char buf[128];

	fake_uart_clear();
	snprintf(buf, sizeof(buf), "%s\r", line);
	assert_int_equal(type(buf), FAKE_EXIT_NONE);
	return fake_uart_text();
}

/*
 * Assert that the console answers `line` (printable only) with its echo and
 * then exactly the one line `want`, before any CPU acts on anything.
 */
static void expect_reply(const char *line, const char *want)
{
	char buf[128], expect[256];

	/* The prompt is still waiting to go out with the echo, unless a line of
	 * the hypervisor's came since and took it out first (in order). */
	bool prompt_waiting = console_mux.port[CONSOLE_HV_PORT].len > 0;
	fake_uart_clear();
	snprintf(buf, sizeof(buf), "%s\r", line);
	assert_int_equal(type_only(buf, strlen(buf)), FAKE_EXIT_NONE);
	snprintf(expect, sizeof(expect), "[hv] %s%s\r\n[hv] %s\r\n", prompt_waiting ? "fv> " : "", line, want);
	assert_string_equal(fake_uart_text(), expect);
	assert_int_equal(testbed_settle(), FAKE_EXIT_NONE);
}

static uint32_t count(const char *hay, const char *needle)
{
	uint32_t n = 0;

	for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

static int setup(void **state)
{
	(void)state;
	hvcons_input(0x15);                                /* drop whatever line an earlier test left in the editor */
	vms_create(&m, &mem, VM_COUNT, 2, RAM_SIZE, true); /* t = 10 s */
	vms_boot();
	/* Ctrl-A three times per VM: past vm0, vm1 and vm2 to the hypervisor */
	assert_int_equal(console_mux.focus, vms[0].console_port);
	for (uint32_t i = 0; i < VM_COUNT; i++)
		assert_int_equal(type("\x01\x01\x01"), FAKE_EXIT_NONE);
	assert_int_equal(console_mux.focus, CONSOLE_HV_PORT);
	fake_uart_clear();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	testbed_memory_free(&mem);
	return 0;
}

/* ---------------- focus and the line editor ---------------- */

/* Time passes (200 ms) and CPU 0's hypervisor timer fires: idle partial lines go out. */
static void idle_200ms(void)
{
	fake.counter += fake.freq / 5;
	fake_raise(0, PLAT_TIMER_HYP_INTID);
	assert_int_equal(interrupts(), FAKE_EXIT_NONE);
}

static void test_focus_cycle_reaches_console(void **state)
{
	(void)state;
	/* the prompt the console printed when the focus arrived goes out once the line is idle */
	idle_200ms();
	assert_string_equal(fake_uart_text(), "[hv] fv> ");
	/* on from the console: back to the first VM, whose input it is then */
	fake_uart_clear();
	assert_int_equal(type("\x01\x01\x01"), FAKE_EXIT_NONE);
	assert_int_equal(console_mux.focus, vms[0].console_port);
	assert_string_equal(fake_uart_text(), "\r\n[hv] input goes to vm0 now (Ctrl-A three times switches)\r\n");
	assert_int_equal(type("poweroff\r"), FAKE_EXIT_NONE); /* vm0's, not the console's */
	assert_int_equal(vpl011_of(&vms[0])->rx_count, strlen("poweroff\r"));
	/* round again to the console: it announces itself, then its prompt */
	for (uint32_t i = 0; i < VM_COUNT; i++)
		assert_int_equal(type("\x01\x01\x01"), FAKE_EXIT_NONE);
	assert_non_null(strstr(fake_uart_text(), "[hv] input goes to hv now"));
	fake_uart_clear();
	idle_200ms();
	assert_string_equal(fake_uart_text(), "[hv] fv> ");
	/* with the prompt out, typing is echoed at once */
	assert_int_equal(type("he"), FAKE_EXIT_NONE);
	assert_string_equal(fake_uart_text(), "[hv] fv> he");
	for (uint32_t i = 0; i < VM_COUNT; i++)
		assert_int_equal(vms[i].state, VM_STATE_RUNNING);
}

static void test_echo_and_help(void **state)
{
	(void)state;
	const char *out = command("help");

	assert_string_equal(out, "[hv] fv> help\r\n"
				 "[hv] commands: list | restart VM | stop VM | start VM | mem | poweroff | help\r\n"
				 "[hv] Ctrl-A three times moves input to the next VM\r\n");
	/* "?" is help too */
	const char *want = "[hv] fv> ?\r\n[hv] commands: list | restart VM";
	assert_int_equal(strncmp(command("?"), want, strlen(want)), 0);
}

static void test_empty_line_does_nothing(void **state)
{
	(void)state;
	assert_string_equal(command(""), "[hv] fv> \r\n");
	assert_string_equal(command("   "), "[hv] fv>    \r\n");
	for (uint32_t i = 0; i < VM_COUNT; i++)
		assert_int_equal(vms[i].state, VM_STATE_RUNNING);
}

static void test_backspace(void **state)
{
	(void)state;
	/* both DEL and BS erase the last character, on screen too */
	assert_string_equal(command("hx\x7f"
				    "ex\x08lp"),
			    "[hv] fv> hx\b \bex\b \blp\r\n"
			    "[hv] commands: list | restart VM | stop VM | start VM | mem | poweroff | help\r\n"
			    "[hv] Ctrl-A three times moves input to the next VM\r\n");
	/* at the start of the line there is nothing to erase, and nothing is echoed */
	assert_string_equal(command("\x7f\x7f\x08"
				    "frob"),
			    "[hv] fv> frob\r\n[hv] unknown command 'frob' (help lists them)\r\n");
	/* erasing a whole command, and more: eight characters go, and only eight */
	const char *out = command("stop vm0\x7f\x7f\x7f\x7f\x7f\x7f\x7f\x7f\x7f\x7f"
				  "zap");
	assert_int_equal(count(out, "\b \b"), 8);
	assert_non_null(strstr(out, "\b \bzap\r\n[hv] unknown command 'zap' (help lists them)\r\n"));
	assert_int_equal(vms[0].state, VM_STATE_RUNNING);
}

static void test_ctrl_c_and_ctrl_u_drop_the_line(void **state)
{
	(void)state;
	fake_uart_clear();
	assert_int_equal(type("stop vm0\x03"), FAKE_EXIT_NONE);
	assert_string_equal(fake_uart_text(), "[hv] fv> stop vm0^C\r\n");
	assert_int_equal(vms[0].state, VM_STATE_RUNNING);
	/* the next line starts empty */
	assert_string_equal(command("frob"), "[hv] fv> frob\r\n[hv] unknown command 'frob' (help lists them)\r\n");
	fake_uart_clear();
	assert_int_equal(type("stop vm1\x15"), FAKE_EXIT_NONE);
	assert_string_equal(fake_uart_text(), "[hv] fv> stop vm1^C\r\n");
	assert_string_equal(command("frob"), "[hv] fv> frob\r\n[hv] unknown command 'frob' (help lists them)\r\n");
	for (uint32_t i = 0; i < VM_COUNT; i++)
		assert_int_equal(vms[i].state, VM_STATE_RUNNING);
}

static void test_only_printable_characters(void **state)
{
	(void)state;
	/* tab, escape, other control bytes and bytes >= 0x7f other than DEL: neither kept nor echoed */
	static const uint8_t typed[] = { 'f', '\t', 'r', 0x1b, 'o', 0x80, 0xff, 0x02, 'b', 0x00, 0x7e, '\r' };

	fake_uart_clear();
	assert_int_equal(type_bytes(typed, sizeof(typed)), FAKE_EXIT_NONE);
	assert_string_equal(fake_uart_text(), "[hv] fv> frob~\r\n[hv] unknown command 'frob~' (help lists them)\r\n");
}

static void test_line_length_limit(void **state)
{
	(void)state;
	char line[128], want[160];

	/* 79 characters are kept; the 80th and later ones are dropped, echo included */
	memset(line, 'x', 100);
	line[100] = '\0';
	snprintf(want, sizeof(want), "unknown command '%.*s' (help lists them)", LINE_MAX_CHARS, line);
	fake_uart_clear();
	assert_int_equal(type(line), FAKE_EXIT_NONE);
	assert_int_equal(type("\r"), FAKE_EXIT_NONE);
	char expect[320];
	snprintf(expect, sizeof(expect), "[hv] fv> %.*s\r\n[hv] %s\r\n", LINE_MAX_CHARS, line, want);
	assert_string_equal(fake_uart_text(), expect);
	/* the boundary: the VM name as characters 76-79 is read, as 80-82 it is not */
	snprintf(line, sizeof(line), "stop%74sv", "");
	assert_int_equal(strlen(line), LINE_MAX_CHARS);
	assert_non_null(strstr(command(line), "[hv] stop: no VM called 'v' (list shows them)\r\n"));
	snprintf(line, sizeof(line), "stop%75svm0", "");
	assert_non_null(strstr(command(line), "[hv] stop: which VM? (list shows them)\r\n"));
	assert_int_equal(vms[0].state, VM_STATE_RUNNING);
	/* a full line still takes backspace, and then a character again */
	memset(line, 'y', LINE_MAX_CHARS);
	line[LINE_MAX_CHARS] = '\0';
	assert_int_equal(type(line), FAKE_EXIT_NONE);
	assert_int_equal(type("z\x7fz"), FAKE_EXIT_NONE);
	snprintf(want, sizeof(want), "unknown command '%.*sz' (help lists them)", LINE_MAX_CHARS - 1, line);
	assert_non_null(strstr(command(""), want));
}

/* ---------------- list ---------------- */

struct token {
	size_t start, end; /* [start, end) within the line */
};

/* Split a table line at runs of spaces. */
static uint32_t tokens(const char *s, size_t n, struct token *t, uint32_t max)
{
	uint32_t count = 0;

	for (size_t i = 0; i < n;) {
		if (s[i] == ' ') {
			i++;
			continue;
		}
		size_t j = i;
		while (j < n && s[j] != ' ')
			j++;
		assert_true(count < max);
		t[count++] = (struct token){ i, j };
		i = j;
	}
	return count;
}

/* Line `n` (0 = first) of the output, without its "[hv] " prefix and CR LF. */
static size_t output_line(const char *out, uint32_t n, const char **line)
{
	for (uint32_t i = 0; i < n; i++) {
		out = strstr(out, "\r\n");
		assert_non_null(out);
		out += 2;
	}
	assert_int_equal(strncmp(out, "[hv] ", 5), 0);
	out += 5;
	const char *end = strstr(out, "\r\n");
	assert_non_null(end);
	*line = out;
	return (size_t)(end - out);
}

static bool token_is(const char *line, struct token t, const char *want)
{
	return t.end - t.start == strlen(want) && strncmp(line + t.start, want, t.end - t.start) == 0;
}

/* Check one row of the table: every value under its column (left or right aligned). */
static void check_row(const char *header, const struct token *h, const char *row, size_t n, const char *name,
		      const char *state, const char *cpus, uint64_t mib, uint64_t uptime, uint32_t restarts,
		      uint64_t traps, uint64_t faults)
{
	struct token t[16];
	char num[5][24];

	(void)header;
	assert_int_equal(tokens(row, n, t, 16), 10);
	/* left aligned: VM, state, CPUs */
	assert_true(token_is(row, t[0], name));
	assert_int_equal(t[0].start, h[0].start);
	assert_true(token_is(row, t[1], state));
	assert_int_equal(t[1].start, h[1].start);
	assert_true(token_is(row, t[2], cpus));
	assert_int_equal(t[2].start, h[2].start);
	/* right aligned: memory ("N MiB"), uptime ("N s"), restarts, traps, faults */
	snprintf(num[0], sizeof(num[0]), "%llu", (unsigned long long)mib);
	snprintf(num[1], sizeof(num[1]), "%llu", (unsigned long long)uptime);
	snprintf(num[2], sizeof(num[2]), "%u", restarts);
	snprintf(num[3], sizeof(num[3]), "%llu", (unsigned long long)traps);
	snprintf(num[4], sizeof(num[4]), "%llu", (unsigned long long)faults);
	assert_true(token_is(row, t[3], num[0]));
	assert_true(token_is(row, t[4], "MiB"));
	assert_int_equal(t[4].end, h[3].end);
	assert_true(token_is(row, t[5], num[1]));
	assert_true(token_is(row, t[6], "s"));
	assert_int_equal(t[6].end, h[4].end);
	for (uint32_t i = 0; i < 3; i++) {
		assert_true(token_is(row, t[7 + i], num[2 + i]));
		assert_int_equal(t[7 + i].end, h[5 + i].end);
	}
}

static void test_list(void **state)
{
	(void)state;
	/* vm1 restarted at t = 20 s, vm2 stopped; vm0 has been up since t = 10 s */
	fake.counter = 20 * fake.freq;
	assert_non_null(strstr(command("restart vm1"), "vm1: restarting (restart 1)"));
	assert_non_null(strstr(command("stop vm2"), "vm2: off"));
	vms[0].vcpu[0].stats.traps += 5;
	vms[0].vcpu[1].stats.traps += 7;
	vms[0].vcpu[1].stats.aborts += 3;
	vms[1].vcpu[0].stats.traps += 1000000;
	vms[1].vcpu[0].stats.aborts += 1;
	vms[1].vcpu[1].stats.aborts += 1;
	fake.counter = 39 * fake.freq + fake.freq / 2; /* t = 39.5 s */

	const char *out = command("list");
	const char *header, *row;
	size_t n = output_line(out, 1, &header);
	struct token h[16];
	assert_int_equal(tokens(header, n, h, 16), 8);
	const char *names[] = { "VM", "state", "CPUs", "memory", "uptime", "restarts", "traps", "faults" };
	for (uint32_t i = 0; i < 8; i++)
		assert_true(token_is(header, h[i], names[i]));

	uint64_t traps0 = vms[0].vcpu[0].stats.traps + vms[0].vcpu[1].stats.traps;
	uint64_t traps1 = vms[1].vcpu[0].stats.traps + vms[1].vcpu[1].stats.traps;
	n = output_line(out, 2, &row);
	check_row(header, h, row, n, "vm0", "running", "0,1", RAM_SIZE >> 20, 29, 0, traps0, 3);
	n = output_line(out, 3, &row);
	check_row(header, h, row, n, "vm1", "running", "2,3", RAM_SIZE >> 20, 19, 1, traps1, 2);
	n = output_line(out, 4, &row);
	check_row(header, h, row, n, "vm2", "off", "4,5", RAM_SIZE >> 20, 0, 0,
		  vms[2].vcpu[0].stats.traps + vms[2].vcpu[1].stats.traps, 0);
	/* echo, header and one row per VM: nothing else */
	assert_int_equal(count(out, "\r\n"), 2 + VM_COUNT);
}

/* The state column of VM `vm` in a list typed now, before any CPU acts. */
static bool listed_as(uint32_t vm, const char *want)
{
	struct token t[16];
	const char *row;

	fake_uart_clear();
	assert_int_equal(type_only("list\r", 5), FAKE_EXIT_NONE);
	size_t n = output_line(fake_uart_text(), 2 + vm, &row);
	assert_true(tokens(row, n, t, 16) >= 2);
	return token_is(row, t[1], want);
}

static void test_list_shows_every_state(void **state)
{
	(void)state;
	assert_true(listed_as(0, "running"));
	/* stopping: asked to stop, its CPUs not there yet */
	vm_stop(&vms[0], VM_STOP_CONSOLE, "test");
	assert_true(listed_as(0, "stopping"));
	assert_int_equal(testbed_settle(), FAKE_EXIT_NONE);
	assert_true(listed_as(0, "off"));
	/* booting: asked to start, its first CPU not there yet */
	vm_request_boot(&vms[0]);
	assert_true(listed_as(0, "booting"));
	assert_int_equal(testbed_settle(), FAKE_EXIT_NONE);
	assert_true(listed_as(0, "running"));
	/* failed: its kernel does not verify */
	assert_non_null(strstr(command("stop vm1"), "vm1: off"));
	mem.flash[m.image[0].offset] ^= 1;
	assert_non_null(strstr(command("start vm1"), "vm1: not started"));
	assert_int_equal(vms[1].state, VM_STATE_FAILED);
	assert_true(listed_as(1, "failed"));
	assert_true(listed_as(2, "running"));
}

/* ---------------- commands on VMs ---------------- */

static void test_restart(void **state)
{
	(void)state;
	uint8_t *ram = mem.ram[0][0];

	ram[0] ^= 0xff; /* the guest changed its kernel */
	const char *out = command("restart vm0");
	assert_non_null(strstr(out, "[hv] vm0: restart requested on the console\r\n"));
	assert_non_null(strstr(out, "[hv] vm0: restarting (restart 1)\r\n"));
	assert_int_equal(vms[0].state, VM_STATE_RUNNING);
	assert_int_equal(vms[0].restart_count, 1);
	assert_memory_equal(ram, mem.flash + m.image[0].offset, m.image[0].size); /* reloaded */
	for (uint32_t i = 1; i < VM_COUNT; i++) {
		assert_int_equal(vms[i].state, VM_STATE_RUNNING);
		assert_int_equal(vms[i].restart_count, 0);
	}
	/* only a running VM restarts */
	assert_non_null(strstr(command("stop vm1"), "vm1: off"));
	expect_reply("restart vm1", "restart: vm1 is off");
	assert_int_equal(vms[1].state, VM_STATE_OFF);
	assert_int_equal(vms[1].restart_count, 0);
}

static void test_stop_running(void **state)
{
	(void)state;
	const char *out = command("stop vm1");

	assert_non_null(strstr(out, "[hv] vm1: stop requested on the console\r\n"));
	assert_non_null(strstr(out, "[hv] vm1: off ("));
	assert_int_equal(vms[1].state, VM_STATE_OFF);
	assert_int_equal(vms[1].vcpu[0].power, VCPU_OFF);
	assert_int_equal(vms[0].state, VM_STATE_RUNNING);
	assert_int_equal(vms[2].state, VM_STATE_RUNNING);
	/* an off VM: a one-line answer, nothing else */
	expect_reply("stop vm1", "stop: vm1 is off");
	/* spaces around the name do not matter */
	assert_non_null(strstr(command("stop   vm2  "), "vm2: off"));
	assert_int_equal(vms[2].state, VM_STATE_OFF);
}

static void test_stop_every_vm_leaves_board_on(void **state)
{
	(void)state;
	/* the board powers itself off only when the last guest powers off, not for the console */
	for (uint32_t i = 0; i < VM_COUNT; i++) {
		char line[32];
		snprintf(line, sizeof(line), "stop vm%u", i);
		command(line);
		assert_int_equal(vms[i].state, VM_STATE_OFF);
	}
	assert_null(strstr(fake_uart_text(), "powering the board off"));
	/* and the console still answers */
	assert_non_null(strstr(command("list"), "vm2              off"));
	assert_non_null(strstr(command("start vm2"), "vm2: starting (console)"));
	assert_int_equal(vms[2].state, VM_STATE_RUNNING);
}

static void test_stop_while_restarting(void **state)
{
	(void)state;
	/* stop right behind restart: the VM is still stopping for the restart */
	fake_uart_clear();
	assert_int_equal(type("restart vm0\rstop vm0\r"), FAKE_EXIT_NONE);
	const char *out = fake_uart_text();
	assert_non_null(strstr(out, "[hv] vm0: stop requested on the console; it stops as soon as it can\r\n"));
	assert_int_equal(vms[0].state, VM_STATE_OFF);
	assert_int_equal(vms[0].restart_count, 0);
	assert_null(strstr(out, "restarting"));
	/* its CPUs idle: the VM does not come back by itself */
	assert_int_equal(testbed_settle(), FAKE_EXIT_NONE);
	assert_int_equal(vms[0].state, VM_STATE_OFF);
	assert_int_equal(pcpus[vms[0].vcpu[0].pcpu].requests, 0);
}

static enum fake_exit handle(uint32_t cpu)
{
	fake.cpu = cpu;
	return FAKE_CATCH(run_requests(&pcpus[cpu]));
}

static void test_stop_while_booting(void **state)
{
	(void)state;
	/* stopped, started, and stopped again before its CPU got to load it */
	command("stop vm1");
	fake_uart_clear();
	assert_int_equal(type("start vm1\rstop vm1\r"), FAKE_EXIT_NONE);
	const char *out = fake_uart_text();
	assert_non_null(strstr(out, "[hv] vm1: starting (console)\r\n"));
	assert_non_null(strstr(out, "[hv] vm1: stop requested on the console; it stops as soon as it can\r\n"));
	assert_non_null(strstr(out, "[hv] vm1: off (stopped while starting)\r\n"));
	assert_null(strstr(out, "images loaded"));
	assert_int_equal(vms[1].state, VM_STATE_OFF);
	assert_int_equal(vms[1].vcpu[0].power, VCPU_OFF);

	/* the same in the middle of a restart: its CPUs parked, the reboot not yet done */
	vm_stop(&vms[2], VM_STOP_CONSOLE_RESTART, "restart requested on the console");
	assert_int_equal(handle(vms[2].vcpu[1].pcpu), FAKE_EXIT_NONE);
	assert_int_equal(handle(vms[2].vcpu[0].pcpu), FAKE_EXIT_NONE);
	assert_int_equal(vms[2].state, VM_STATE_BOOTING);
	assert_non_null(strstr(command("stop vm2"), "it stops as soon as it can"));
	assert_int_equal(vms[2].state, VM_STATE_OFF);
	assert_int_equal(vms[2].vcpu[0].power, VCPU_OFF);
	/* started again later, it runs and restarts as usual */
	assert_non_null(strstr(command("start vm2"), "vm2: images loaded"));
	assert_int_equal(vms[2].state, VM_STATE_RUNNING);
	uint32_t restarts = vms[2].restart_count;
	command("restart vm2");
	assert_int_equal(vms[2].state, VM_STATE_RUNNING);
	assert_int_equal(vms[2].restart_count, restarts + 1);
}

static void test_start(void **state)
{
	(void)state;
	/* not from running, booting or stopping */
	expect_reply("start vm0", "start: vm0 is running");
	vm_stop(&vms[0], VM_STOP_CONSOLE, "test");
	expect_reply("start vm0", "start: vm0 is stopping");
	assert_int_equal(testbed_settle(), FAKE_EXIT_NONE);
	assert_int_equal(vms[0].state, VM_STATE_OFF);
	vm_request_boot(&vms[0]);
	expect_reply("start vm0", "start: vm0 is booting");
	assert_int_equal(testbed_settle(), FAKE_EXIT_NONE);
	assert_int_equal(vms[0].restart_count, 0);
	/* from off */
	command("stop vm0");
	const char *out = command("start vm0");
	assert_non_null(strstr(out, "[hv] vm0: starting (console)\r\n"));
	assert_non_null(strstr(out, "[hv] vm0: images loaded and verified"));
	assert_int_equal(vms[0].state, VM_STATE_RUNNING);
	assert_int_equal(fake.frames[vms[0].vcpu[0].pcpu].pc, m.vm[0].entry);
}

static void test_start_failed(void **state)
{
	(void)state;
	command("stop vm0");
	mem.flash[m.image[1].offset + 7] ^= 0x40; /* the initrd in flash went bad */
	assert_non_null(strstr(command("start vm0"), "vm0: not started"));
	assert_int_equal(vms[0].state, VM_STATE_FAILED);
	expect_reply("stop vm0", "stop: vm0 is failed");
	expect_reply("restart vm0", "restart: vm0 is failed");
	/* the flash mended, a failed VM may be started again */
	mem.flash[m.image[1].offset + 7] ^= 0x40;
	assert_non_null(strstr(command("start vm0"), "vm0: images loaded"));
	assert_int_equal(vms[0].state, VM_STATE_RUNNING);
}

static void test_mem(void **state)
{
	(void)state;
	char want[128];
	const char *out = command("mem");

	snprintf(want, sizeof(want), "[hv] hypervisor RAM: %llu KiB at 0x%llx, all static (no heap)\r\n",
		 (unsigned long long)(m.hv.ram_size >> 10), (unsigned long long)m.hv.ram_base);
	assert_non_null(strstr(out, want));
	for (uint32_t i = 0; i < VM_COUNT; i++) {
		assert_true(vms[i].s2.used > 0);
		snprintf(want, sizeof(want), "[hv] vm%u: stage-2 tables %u of %u used\r\n", i, vms[i].s2.used,
			 S2_POOL_PAGES);
		assert_non_null(strstr(out, want));
	}
	assert_int_equal(count(out, "\r\n"), 2 + VM_COUNT);
}

static void test_poweroff(void **state)
{
	(void)state;
	fake_uart_clear();
	/* the board goes off at once; what was typed after it is never read */
	assert_int_equal(type("poweroff\rstop vm0\r"), FAKE_EXIT_BOARD_OFF);
	assert_non_null(strstr(fake_uart_text(), "[hv] powering the board off (console)\r\n"));
	assert_null(strstr(fake_uart_text(), "stop vm0"));
	assert_int_equal(vms[0].state, VM_STATE_RUNNING);
}

static void test_bad_input_one_line(void **state)
{
	(void)state;
	expect_reply("frob", "unknown command 'frob' (help lists them)");
	expect_reply("poweroffx", "unknown command 'poweroffx' (help lists them)");
	expect_reply("LIST", "unknown command 'LIST' (help lists them)");
	expect_reply("stop", "stop: which VM? (list shows them)");
	expect_reply("start   ", "start: which VM? (list shows them)");
	expect_reply("restart", "restart: which VM? (list shows them)");
	expect_reply("stop vm9", "stop: no VM called 'vm9' (list shows them)");
	expect_reply("start vm", "start: no VM called 'vm' (list shows them)");
	expect_reply("restart vm0 vm1", "restart: no VM called 'vm0 vm1' (list shows them)");
	for (uint32_t i = 0; i < VM_COUNT; i++) {
		assert_int_equal(vms[i].state, VM_STATE_RUNNING);
		assert_int_equal(vms[i].restart_count, 0);
	}
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_focus_cycle_reaches_console),
		T(test_echo_and_help),
		T(test_empty_line_does_nothing),
		T(test_backspace),
		T(test_ctrl_c_and_ctrl_u_drop_the_line),
		T(test_only_printable_characters),
		T(test_line_length_limit),
		T(test_list),
		T(test_list_shows_every_state),
		T(test_restart),
		T(test_stop_running),
		T(test_stop_every_vm_leaves_board_on),
		T(test_stop_while_restarting),
		T(test_stop_while_booting),
		T(test_start),
		T(test_start_failed),
		T(test_mem),
		T(test_poweroff),
		T(test_bad_input_one_line),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
