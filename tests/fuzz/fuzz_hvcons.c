// SPDX-License-Identifier: MIT
/*
 * Fuzzing the hypervisor's own console (core/console/hvcons.c): a line editor and a
 * command parser anyone at the board's UART can type into. The console is
 * set up as hv_main sets it up (the "hv" port takes input, log lines go
 * through the multiplexer) over the test bed's booted VMs. The input is typed
 * in chunks through console_rx: raw bytes, Ctrl-A (the focus moves to and
 * from the VMs), backspace, Ctrl-C and Ctrl-U, over-long lines, and the
 * commands with right, wrong and missing VM names; between chunks every CPU
 * handles its requests.
 *
 * Invariants: the hypervisor never panics; the board powers off exactly when
 * "poweroff" was entered at the hypervisor console; every VM's state follows
 * the commands as the help text and vm.h describe them (stop a VM: off,
 * also one starting or restarting; restart a running VM: running again, one
 * more restart; start a VM that is off or failed: running; anything else:
 * nothing), line editing included,
 * and no command touches a VM it does not name; bytes typed while a VM has
 * the focus go to that VM's UART and nowhere else; and the UART output stays
 * in whole "[name] " lines.
 */
#include <fv/hvcons.h>

#include "fuzz_common.h"

#define LINE_MAX_LEN 80 /* hvcons.c: 79 characters and the terminator */

static struct fuzz_con con;
static struct fuzz_focus focus;

/* The line editor, as hvcons.c's header comment and help text describe it. */
struct editor {
	char line[LINE_MAX_LEN];
	uint32_t len;
};

static struct editor ed;

struct expect {
	bool poweroff;
	uint32_t now[FUZZ_MAX_VMS];   /* the state later commands of the same typing see */
	uint32_t state[FUZZ_MAX_VMS]; /* once every CPU has handled its requests */
	uint32_t restarts[FUZZ_MAX_VMS];
	bool restarting[FUZZ_MAX_VMS]; /* restarted by this typing, not yet done */
};

static int vm_named(const char *name)
{
	for (uint32_t i = 0; i < vm_count; i++)
		if (strcmp(vms[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* A command line entered: what must happen to the VMs. */
static void command(struct expect *e, char *text)
{
	char *arg = strchr(text, ' ');

	if (arg)
		*arg++ = '\0';
	else
		arg = text + strlen(text);
	while (*arg == ' ')
		arg++;
	size_t n = strlen(arg);
	while (n && arg[n - 1] == ' ')
		arg[--n] = '\0';
	if (strcmp(text, "poweroff") == 0) {
		e->poweroff = true;
		return;
	}
	int v = vm_named(arg);
	if (v < 0)
		return;
	/* a stop or start completes only when the VM's CPUs get to it: until then it is under way */
	uint32_t s = e->now[v];
	if (strcmp(text, "start") == 0 && (s == VM_STATE_OFF || s == VM_STATE_FAILED)) {
		e->now[v] = VM_STATE_BOOTING;
		e->state[v] = VM_STATE_RUNNING;
	} else if (strcmp(text, "stop") == 0 && s != VM_STATE_OFF && s != VM_STATE_FAILED) {
		/* running: it stops; starting or restarting: it stays off once that is done (vm.h) */
		if (s == VM_STATE_RUNNING)
			e->now[v] = VM_STATE_STOPPING;
		e->state[v] = VM_STATE_OFF;
		if (e->restarting[v])
			e->restarts[v]--;
		e->restarting[v] = false;
	} else if (strcmp(text, "restart") == 0 && s == VM_STATE_RUNNING) {
		e->now[v] = VM_STATE_STOPPING;
		e->restarts[v]++;
		e->restarting[v] = true;
	}
}

static void edit(struct expect *e, uint8_t c)
{
	if (c == '\r' || c == '\n') {
		ed.line[ed.len] = '\0';
		ed.len = 0;
		command(e, ed.line);
	} else if (c == 0x7f || c == 0x08) {
		if (ed.len)
			ed.len--;
	} else if (c == 0x03 || c == 0x15) {
		ed.len = 0;
	} else if (c >= 0x20 && c < 0x7f && ed.len + 1 < LINE_MAX_LEN) {
		ed.line[ed.len++] = (char)c;
	}
}

/* Some typing: mostly words of the command language, sometimes anything. */
static uint32_t chunk(struct fuzz_in *in, uint8_t *out, uint32_t max)
{
	static const char *const words[] = {
		"list\r",     "restart ",     "stop ",         "start ",
		"mem\r",      "help\r",       "?\r",           "poweroff",
		"vm0",        "vm1",          "vm2",           "vm3",
		" ",          "\r",           "\x7f",          "\x03",
		"\x15",       "\x01\x01\x01", "\x01",          "restart vm0\r",
		"stop vm1\r", "start vm1\r",  "stop  vm0  \r", "0123456789abcdefghijklmnopqrstuvwxyz",
	};
	uint32_t n = 0;
	uint32_t parts = 1 + fuzz_below(in, 6);

	for (uint32_t p = 0; p < parts; p++) {
		uint8_t b = fuzz_u8(in);
		if (b < 0xc0) {
			const char *w = words[b % ARRAY_SIZE(words)];
			for (; *w && n < max; w++)
				out[n++] = (uint8_t)*w;
		} else if (n < max) {
			out[n++] = fuzz_u8(in);
		}
	}
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct uart_seen {
		uint32_t state, restarts, rx_count, rx_dropped;
	} uart[FUZZ_MAX_VMS];

	fuzz_machine_boot(&fuzz_machine, &in);
	fuzz_con_init(&con, &console_mux);
	con.port[CONSOLE_HV_PORT].unchecked = true;           /* echo, prompts and messages: format only */
	console_mux.port[CONSOLE_HV_PORT].takes_input = true; /* as hv_main adds it */
	log_set_sink(fuzz_console_sink);
	fake.cpu = 0;
	conmux_set_focus(&console_mux, CONSOLE_HV_PORT);
	hvcons_input(0x15); /* hvcons keeps its line between inputs: start empty */
	focus = (struct fuzz_focus){ console_mux.focus, 0 };
	memset(&ed, 0, sizeof(ed));

	while (fuzz_more(&in)) {
		uint8_t typed[128];
		uint32_t n = chunk(&in, typed, sizeof(typed));
		struct expect e = { false };
		for (uint32_t i = 0; i < vm_count; i++) {
			e.now[i] = e.state[i] = vms[i].state;
			e.restarts[i] = vms[i].restart_count;
			uart[i] = (struct uart_seen){ vms[i].state, vms[i].restart_count, vpl011_of(&vms[i])->rx_count,
						      vpl011_of(&vms[i])->rx_dropped };
		}
		uint32_t to_vm[FUZZ_MAX_VMS] = { 0 };
		for (uint32_t i = 0; i < n; i++) {
			struct conmux_input want;
			fuzz_focus_expect(&focus, &console_mux, typed[i], &want);
			for (uint32_t k = 0; k < want.count; k++) {
				if (want.port == CONSOLE_HV_PORT)
					edit(&e, want.bytes[k]);
				for (uint32_t v = 0; v < vm_count; v++)
					to_vm[v] += vms[v].console_port == want.port;
			}
			if (e.poweroff)
				break; /* nothing after it is read */
		}

		fake.cpu = 0;
		enum fake_exit r = FAKE_CATCH(console_rx(typed, n));
		if (r == FAKE_EXIT_NONE)
			r = fuzz_settle();
		FUZZ_CHECK(r != FAKE_EXIT_HALT && r != FAKE_EXIT_RESET, "the hypervisor stopped (%d)", r);
		FUZZ_CHECK((r == FAKE_EXIT_BOARD_OFF) == e.poweroff, "the board %s after typing \"%.*s\"",
			   r == FAKE_EXIT_BOARD_OFF ? "powered off" : "stayed on", (int)n, (const char *)typed);
		if (e.poweroff)
			return 0;
		for (uint32_t v = 0; v < vm_count; v++) {
			FUZZ_CHECK(vms[v].state == e.state[v] && vms[v].restart_count == e.restarts[v],
				   "VM %u: state %u with %u restarts, the commands say %u with %u (typed \"%.*s\")", v,
				   vms[v].state, vms[v].restart_count, e.state[v], e.restarts[v], (int)n,
				   (const char *)typed);
			/* (a VM booted meanwhile starts with an empty receive FIFO) */
			bool booted = uart[v].state != VM_STATE_RUNNING || uart[v].restarts != vms[v].restart_count;
			uint32_t got = vpl011_of(&vms[v])->rx_count - uart[v].rx_count +
				       vpl011_of(&vms[v])->rx_dropped - uart[v].rx_dropped;
			FUZZ_CHECK(vms[v].state != VM_STATE_RUNNING || booted || got == to_vm[v],
				   "VM %u received %u typed bytes, %u were for it", v, got, to_vm[v]);
		}
		fuzz_con_check(&con);
	}
	return 0;
}
