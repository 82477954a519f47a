/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the libFuzzer harnesses in tests/fuzz/ (each harness is
 * one .c file, so everything here is static): decoding the fuzzer's bytes
 * into values, FUZZ_CHECK for invariants (abort() with a message, which
 * libFuzzer reports as a crash and saves the input), a small machine built
 * from the test bed whose VMs are booted the way the hypervisor boots them
 * (images loaded from a fake flash and their digests checked), a scheduler
 * that lets every CPU handle its requests the way its kick interrupt would,
 * and a checker of what the console multiplexer prints on the board UART.
 */
#ifndef TESTS_FUZZ_COMMON_H
#define TESTS_FUZZ_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fv/log.h>
#include <fv/sha256.h>
#include <plat/layout.h>

#include "testbed.h"

/* An invariant: on violation say which and where, then abort so libFuzzer keeps the input. */
#define FUZZ_CHECK(cond, ...)                                                                            \
	do {                                                                                             \
		if (!(cond)) {                                                                           \
			fprintf(stderr, "%s:%d: invariant violated: %s\n  ", __FILE__, __LINE__, #cond); \
			fprintf(stderr, __VA_ARGS__);                                                    \
			fputc('\n', stderr);                                                             \
			abort();                                                                         \
		}                                                                                        \
	} while (0)

/* ---- decoding the input: once it runs out, every value reads as zero ---- */

struct fuzz_in {
	const uint8_t *p;
	size_t n;
};

static inline uint8_t fuzz_u8(struct fuzz_in *in)
{
	if (!in->n)
		return 0;
	in->n--;
	return *in->p++;
}

static inline uint64_t fuzz_bytes(struct fuzz_in *in, unsigned int count)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < count; i++)
		v |= (uint64_t)fuzz_u8(in) << (8 * i);
	return v;
}

static inline uint16_t fuzz_u16(struct fuzz_in *in)
{
	return (uint16_t)fuzz_bytes(in, 2);
}
static inline uint32_t fuzz_u32(struct fuzz_in *in)
{
	return (uint32_t)fuzz_bytes(in, 4);
}
static inline uint64_t fuzz_u64(struct fuzz_in *in)
{
	return fuzz_bytes(in, 8);
}
static inline bool fuzz_bool(struct fuzz_in *in)
{
	return fuzz_u8(in) & 1;
}
static inline bool fuzz_more(const struct fuzz_in *in)
{
	return in->n > 0;
}

/* A value in [0, n), n <= 256. */
static inline uint32_t fuzz_below(struct fuzz_in *in, uint32_t n)
{
	return n ? fuzz_u8(in) % n : 0;
}

/* An access width the trap decoder can produce (1 << SAS). */
static inline unsigned int fuzz_width(struct fuzz_in *in)
{
	return 1U << (fuzz_u8(in) & 3);
}

/* ---- a booted machine: the test bed's VMs, started from a fake flash ---- */

#define FUZZ_MAX_VMS 3          /* the fake arch maps 8 regions: flash + RAM of each VM */
#define FUZZ_VM_RAM 0x800000ULL /* the test bed's loads end below 8 MiB */
#define FUZZ_MAX_DEVICES 3      /* virtio-mmio slots per VM */
#define FUZZ_SHAPES \
	(FUZZ_MAX_VMS * FV_MAX_CPUS * (FUZZ_MAX_DEVICES + 1) * (FUZZ_MAX_DEVICES + 1) * (FUZZ_MAX_DEVICES + 1))

struct fuzz_machine {
	struct manifest m;
	uint32_t vm_count;
	uint32_t cpus_each;
	int spi_owner[VGIC_MAX_INTID]; /* VM owning a hardware SPI, or -1 */
	bool force_watchdog;           /* every VM gets its SP805, whatever the input says */
	/*
	 * Host memory for the flash and each VM's RAM, kept from one input to
	 * the next: the test bed's images are the same whatever the shape, and
	 * hashing a fresh manifest and flash for every input would be most of
	 * the fuzzer's time. Manifests are kept per shape for the same reason.
	 */
	uint8_t *flash;
	uint8_t *ram[FUZZ_MAX_VMS];
	struct manifest *shape[FUZZ_SHAPES];
};

static struct fuzz_machine fuzz_machine;

/*
 * Let every CPU with requests handle them, as the kick interrupt makes it do:
 * a CPU running its vCPU on the way back into the guest, an idle CPU in its
 * idle loop. Returns FAKE_EXIT_NONE once nothing is left to do, or how the
 * board stopped (powered off, reset, or a panic).
 */
static inline enum fake_exit fuzz_settle(void)
{
	for (int round = 0; round < 64; round++) {
		bool any = false;
		for (uint32_t c = 0; c < FV_MAX_CPUS; c++) {
			struct pcpu *p = &pcpus[c];
			if (!__atomic_load_n(&p->requests, __ATOMIC_SEQ_CST))
				continue;
			any = true;
			fake.cpu = c;
			struct vcpu *v = p->vcpu;
			enum fake_exit r;
			if (v && __atomic_load_n(&v->power, __ATOMIC_SEQ_CST) == VCPU_ON)
				r = FAKE_CATCH(run_before_entry(v));
			else
				r = FAKE_CATCH(run_idle());
			if (r == FAKE_EXIT_BOARD_OFF || r == FAKE_EXIT_RESET || r == FAKE_EXIT_HALT)
				return r;
		}
		if (!any)
			return FAKE_EXIT_NONE;
	}
	FUZZ_CHECK(false, "CPU requests keep coming back: the machine never settles");
	return FAKE_EXIT_NONE;
}

/* The manifest of one machine shape, built with the test bed (its images' digests from `flash`). */
static inline void fuzz_shape_manifest(struct fuzz_machine *fm, struct manifest *m, const uint32_t *devices)
{
	uint32_t slot = 0;
	struct testbed_diag d;

	testbed_manifest(m, fm->vm_count, fm->cpus_each);
	testbed_set_ram_size(m, FUZZ_VM_RAM);
	for (uint32_t v = 0; v < fm->vm_count; v++)
		for (uint32_t k = 0; k < devices[v]; k++)
			testbed_add_virtio(m, v, slot++);
	if (!fm->flash) {
		/* the images' bytes: a pattern of their own, as the test bed's loader tests use */
		fm->flash = calloc(1, m->image_end);
		FUZZ_CHECK(fm->flash != NULL, "out of memory");
		for (uint32_t i = 0; i < m->image_count; i++)
			for (uint64_t k = 0; k < m->image[i].size; k++)
				fm->flash[m->image[i].offset + k] = (uint8_t)(k * 7 + i * 31 + 1);
	}
	for (uint32_t i = 0; i < m->image_count; i++)
		sha256(fm->flash + m->image[i].offset, m->image[i].size, m->image[i].sha256);
	testbed_redigest(m);
	testbed_diag_init(&d);
	FUZZ_CHECK(manifest_validate(m, m->image_end, &d.d), "the fuzz machine's manifest is invalid: %s", d.text);
}

/*
 * Decode a machine shape from the input (VM count, CPUs each, virtio slots
 * each, list registers per CPU, then each VM's crash policy and whether it
 * has a watchdog), create the VMs with the test bed and boot
 * each one through vm_request_boot, exactly as hv_main does: the images are
 * copied from the fake flash into the VM's RAM and their digests checked.
 */
static inline void fuzz_machine_boot(struct fuzz_machine *fm, struct fuzz_in *in)
{
	struct manifest *m = &fm->m;
	uint32_t devices[FUZZ_MAX_VMS] = { 0 };

	fm->vm_count = 1 + fuzz_below(in, FUZZ_MAX_VMS);
	fm->cpus_each = 1 + fuzz_below(in, FV_MAX_CPUS / fm->vm_count);
	uint32_t key = (fm->vm_count - 1) * FV_MAX_CPUS + fm->cpus_each - 1;
	for (uint32_t v = 0; v < fm->vm_count; v++) {
		devices[v] = fuzz_below(in, FUZZ_MAX_DEVICES + 1);
		key = key * (FUZZ_MAX_DEVICES + 1) + devices[v];
	}
	uint32_t lr_count = 1 + fuzz_below(in, VGIC_MAX_LRS);
	FUZZ_CHECK(key < FUZZ_SHAPES, "harness: shape key %u", key);
	if (!fm->shape[key]) {
		fm->shape[key] = malloc(sizeof(*m));
		FUZZ_CHECK(fm->shape[key] != NULL, "out of memory");
		fuzz_shape_manifest(fm, fm->shape[key], devices);
	}
	memcpy(m, fm->shape[key], sizeof(*m));
	/* crash policy and watchdog: valid either way, and not part of the cached shape */
	for (uint32_t v = 0; v < fm->vm_count; v++) {
		uint8_t b = fuzz_u8(in);
		m->vm[v].on_crash = b % 3;
		if ((b & 4) || fm->force_watchdog)
			testbed_add_watchdog(m, v);
	}
	for (uint32_t i = 0; i < VGIC_MAX_INTID; i++)
		fm->spi_owner[i] = -1;
	for (uint32_t v = 0; v < fm->vm_count; v++)
		for (uint32_t k = 0; k < m->vm[v].device_count; k++)
			if (m->vm[v].device[k].kind == DEVICE_VIRTIO_MMIO)
				fm->spi_owner[m->vm[v].device[k].intid] = (int)v;

	FUZZ_CHECK(testbed_create_vms(m), "the test bed could not create the VMs");
	fake.lr_count = lr_count;
	memcpy(fm->flash + MANIFEST_FLASH_OFFSET, m, sizeof(*m));
	fake_map(PLAT_FLASH_BASE, fm->flash, m->image_end);
	for (uint32_t v = 0; v < fm->vm_count; v++) {
		if (!fm->ram[v])
			fm->ram[v] = malloc(FUZZ_VM_RAM);
		FUZZ_CHECK(fm->ram[v] != NULL, "out of memory");
		fake_map(m->vm[v].mem[0].pa, fm->ram[v], FUZZ_VM_RAM);
	}
	for (uint32_t v = 0; v < fm->vm_count; v++)
		vm_request_boot(&vms[v]);
	FUZZ_CHECK(fuzz_settle() == FAKE_EXIT_NONE, "the machine did not boot");
	for (uint32_t v = 0; v < fm->vm_count; v++)
		FUZZ_CHECK(vms[v].state == VM_STATE_RUNNING && vms[v].vcpu[0].power == VCPU_ON,
			   "VM %u did not start (state %u)", v, vms[v].state);
	fake_uart_clear();
}

/* ---- what the console multiplexer prints ---- */

/*
 * Every line on the UART is "[name] " followed by bytes of that one port,
 * ended by '\n' (the port's own newline, or the "\r\n" the multiplexer adds
 * when another port takes the line; the rest of such a split line comes
 * later under "[name]+ "). The checker parses the UART text and
 * matches it, byte by byte, against what each port handed to the
 * multiplexer: the lines of one port, in order, must spell out exactly its
 * accepted bytes (a line ending in "\r\n" may or may not have had the "\r\n"
 * from the port, so a few readings are followed at once), and what is not
 * printed yet must be exactly what the port still buffers. Lines may be of
 * any length: a port holding the line writes straight through.
 */
#define FUZZ_CON_STREAM 65536
#define FUZZ_CON_POS 64
#define FUZZ_CON_TAIL 48

struct fuzz_con_port {
	char name[FV_NAME_MAX];
	uint8_t expect[FUZZ_CON_STREAM]; /* what the port handed over, from byte number `base` on */
	uint64_t base;
	size_t expect_len;
	uint64_t pos[FUZZ_CON_POS]; /* byte numbers the printed output may have got to */
	uint32_t pos_count;
	uint64_t brk[FUZZ_CON_POS]; /* readings before a '\r' that may start the multiplexer's "\r\n" */
	uint32_t brk_count;
	uint64_t split[FUZZ_CON_POS]; /* readings in which the multiplexer ended its last line */
	uint32_t split_count;
	bool whole_lines; /* wrote with conmux_line, which bytes_out does not count */
	bool unchecked;   /* only the line format is checked, not the bytes */
};

enum fuzz_con_state { CON_LINE_START, CON_PREFIX, CON_PREFIX_END, CON_LINE };

struct fuzz_con {
	const struct conmux *m;
	struct fuzz_con_port port[CONMUX_MAX_PORTS];
	uint32_t port_count;
	enum fuzz_con_state state;
	char name[FV_NAME_MAX + 1];
	size_t name_len;
	int line_port;
	bool plus; /* "[name]+ ": the rest of a line the multiplexer split */
	bool prev_cr;
	uint8_t tail[FUZZ_CON_TAIL]; /* the last bytes of the open line, for messages */
	uint64_t line_len;
	uint64_t lines; /* complete lines seen */
};

static inline void fuzz_con_init(struct fuzz_con *c, const struct conmux *m)
{
	memset(c, 0, sizeof(*c));
	c->m = m;
	c->port_count = m->port_count;
	for (uint32_t i = 0; i < m->port_count; i++) {
		memcpy(c->port[i].name, m->port[i].name, FV_NAME_MAX);
		c->port[i].pos_count = 1;
		for (uint32_t j = 0; j < i; j++)
			FUZZ_CHECK(strcmp(c->port[i].name, c->port[j].name) != 0, "harness: port names must differ");
	}
	c->state = CON_LINE_START;
	c->line_port = -1;
}

/* Byte number `at` of a port's stream, or -1 past its end. */
static inline int byte_at(const struct fuzz_con_port *p, uint64_t at)
{
	return at >= p->base && at - p->base < p->expect_len ? p->expect[at - p->base] : -1;
}

/* A port handed `n` bytes to the multiplexer (they were accepted). */
static inline void fuzz_con_expect(struct fuzz_con *c, uint32_t port, const void *bytes, size_t n)
{
	struct fuzz_con_port *p = &c->port[port];

	if (p->expect_len + n > FUZZ_CON_STREAM) {
		/* forget what every reading has passed */
		uint64_t low = p->base + p->expect_len;
		for (uint32_t i = 0; i < p->pos_count; i++)
			low = MIN(low, p->pos[i]);
		for (uint32_t i = 0; i < p->brk_count; i++)
			low = MIN(low, p->brk[i]);
		size_t drop = (size_t)(low - p->base);
		memmove(p->expect, p->expect + drop, p->expect_len - drop);
		p->expect_len -= drop;
		p->base = low;
	}
	FUZZ_CHECK(p->expect_len + n <= FUZZ_CON_STREAM, "harness: port %s has %zu bytes unprinted", p->name,
		   p->expect_len);
	memcpy(p->expect + p->expect_len, bytes, n);
	p->expect_len += n;
}

/*
 * The console checker follows bytes through the multiplexer, not through the
 * terminal filter in front of it (fuzz_termfilter does that): the console
 * fuzzers send printable ASCII, LF (which the filter writes as CR LF) and
 * NUL (which it drops), as fuzz_con_plain makes them.
 */
static inline uint8_t fuzz_con_plain(uint8_t b)
{
	return b == '\n' || b == 0 || (b >= 0x20 && b < 0x7f) ? b : (uint8_t)(0x20 + b % 0x5f);
}

/* A port handed the plain byte b to the multiplexer: what the filter makes of it is expected. */
static inline uint32_t fuzz_con_sent(struct fuzz_con *c, uint32_t port, uint8_t b)
{
	if (b == '\n')
		fuzz_con_expect(c, port, "\r\n", 2);
	else if (b)
		fuzz_con_expect(c, port, &b, 1);
	return b == '\n' ? 2 : b ? 1 : 0;
}

/* A port printed a whole line (conmux_line): the text, then the line end. */
static inline void fuzz_con_expect_line(struct fuzz_con *c, uint32_t port, const char *text)
{
	fuzz_con_expect(c, port, text, strlen(text));
	fuzz_con_expect(c, port, "\r\n", 2);
	c->port[port].whole_lines = true;
}

static inline void add_pos(const struct fuzz_con_port *p, uint64_t *out, uint32_t *count, uint64_t v)
{
	for (uint32_t i = 0; i < *count; i++)
		if (out[i] == v)
			return;
	FUZZ_CHECK(*count < FUZZ_CON_POS, "console checker: too many readings of port %s", p->name);
	out[(*count)++] = v;
}

/* One byte of the open line of port p: advance every reading it fits. */
static inline void line_byte(struct fuzz_con *c, struct fuzz_con_port *p, uint8_t b)
{
	uint64_t next[FUZZ_CON_POS];
	uint32_t count = 0;

	if (p->unchecked)
		return;
	c->tail[c->line_len++ % FUZZ_CON_TAIL] = b;
	for (uint32_t i = 0; i < p->pos_count; i++)
		if (byte_at(p, p->pos[i]) == b)
			add_pos(p, next, &count, p->pos[i] + 1); /* the port's own byte */
	if (b == '\n') {
		p->split_count = 0;
		if (c->prev_cr)
			for (uint32_t i = 0; i < p->brk_count; i++) {
				add_pos(p, next, &count, p->brk[i]); /* the multiplexer ended the line */
				add_pos(p, p->split, &p->split_count, p->brk[i]);
			}
		p->brk_count = 0;
	} else if (b == '\r') {
		memcpy(p->brk, p->pos, sizeof(p->pos[0]) * p->pos_count);
		p->brk_count = p->pos_count;
	} else {
		p->brk_count = 0;
	}
	if (count == 0 && p->brk_count == 0) {
		char tail[FUZZ_CON_TAIL + 1];
		uint64_t n = MIN(c->line_len, (uint64_t)FUZZ_CON_TAIL);
		for (uint64_t i = 0; i < n; i++) {
			uint8_t t = c->tail[(c->line_len - n + i) % FUZZ_CON_TAIL];
			tail[i] = t >= 0x20 && t < 0x7f ? (char)t : '.';
		}
		tail[n] = '\0';
		FUZZ_CHECK(false, "line %llu of port [%s], byte %llu, is not the port's next output (line ends \"%s\")",
			   (unsigned long long)c->lines, p->name, (unsigned long long)c->line_len, tail);
	}
	memcpy(p->pos, next, sizeof(next[0]) * count);
	p->pos_count = count;
	c->prev_cr = b == '\r';
}

static inline void fuzz_con_byte(struct fuzz_con *c, uint8_t b)
{
	switch (c->state) {
	case CON_LINE_START:
		FUZZ_CHECK(b == '[', "a line starts with 0x%02x, not a \"[name] \" prefix", b);
		c->state = CON_PREFIX;
		c->name_len = 0;
		c->plus = false;
		return;
	case CON_PREFIX:
		if (b != ']') {
			FUZZ_CHECK(c->name_len < FV_NAME_MAX, "a line prefix longer than any port name");
			c->name[c->name_len++] = (char)b;
			return;
		}
		c->name[c->name_len] = '\0';
		c->line_port = -1;
		for (uint32_t i = 0; i < c->port_count; i++)
			if (strcmp(c->port[i].name, c->name) == 0)
				c->line_port = (int)i;
		FUZZ_CHECK(c->line_port >= 0, "a line prefixed [%s], which is no port", c->name);
		c->state = CON_PREFIX_END;
		return;
	case CON_PREFIX_END: {
		if (b == '+' && !c->plus) {
			c->plus = true;
			return;
		}
		FUZZ_CHECK(b == ' ', "prefix [%s]%s not followed by a space", c->name, c->plus ? "+" : "");
		struct fuzz_con_port *p = &c->port[c->line_port];
		if (c->plus && !p->unchecked) {
			/* a continuation: the port's last line was one the multiplexer cut short */
			FUZZ_CHECK(p->split_count > 0, "[%s]+ continues a line that was not split", p->name);
			memcpy(p->pos, p->split, sizeof(p->split[0]) * p->split_count);
			p->pos_count = p->split_count;
		} else if (!p->unchecked && !p->whole_lines) {
			/* a new line: the last one was not cut short (only a line of the port's
			 * own through conmux_line ends without "+"), so its CR LF was the port's */
			uint32_t k = 0;
			for (uint32_t i = 0; i < p->pos_count; i++) {
				bool cut = false;
				for (uint32_t j = 0; j < p->split_count; j++)
					cut |= p->pos[i] == p->split[j];
				if (!cut)
					p->pos[k++] = p->pos[i];
			}
			p->pos_count = k;
		}
		c->state = CON_LINE;
		c->line_len = 0;
		c->prev_cr = false;
		p->brk_count = 0;
		return;
	}
	case CON_LINE:
		line_byte(c, &c->port[c->line_port], b);
		if (b == '\n') {
			c->lines++;
			c->state = CON_LINE_START;
		}
		return;
	}
}

/*
 * Feed what the UART printed since the last call, then check that each port's
 * accepted bytes are exactly its printed ones followed by what it buffers.
 */
static inline void fuzz_con_check(struct fuzz_con *c)
{
	const char *text = fake_uart_text();

	for (size_t i = 0; i < fake.uart_len; i++)
		fuzz_con_byte(c, (uint8_t)text[i]);
	fake_uart_clear();
	FUZZ_CHECK(c->m->port_count == c->port_count, "ports appeared or vanished");
	for (uint32_t pi = 0; pi < c->port_count; pi++) {
		const struct fuzz_con_port *p = &c->port[pi];
		const struct conmux_port *mp = &c->m->port[pi];
		uint64_t end = p->base + p->expect_len;
		bool ok = false;
		FUZZ_CHECK(mp->len <= CONMUX_BUF, "port %s buffers %u bytes", p->name, mp->len);
		if (p->unchecked)
			continue;
		for (uint32_t i = 0; i < p->pos_count && !ok; i++) {
			uint64_t at = p->pos[i];
			ok = end - at == mp->len && memcmp(p->expect + (at - p->base), mp->buf, mp->len) == 0;
		}
		FUZZ_CHECK(ok,
			   "port %s: printed + buffered bytes differ from what it wrote (%llu written, %u buffered)",
			   p->name, (unsigned long long)end, mp->len);
		FUZZ_CHECK(p->whole_lines || mp->bytes_out + mp->len == end,
			   "port %s: %llu out + %u buffered != %llu written", p->name,
			   (unsigned long long)mp->bytes_out, mp->len, (unsigned long long)end);
	}
	/* The line holder (if any) is the port whose line is open, and it buffers nothing. */
	if (c->m->owner >= 0) {
		FUZZ_CHECK(c->state == CON_LINE && c->line_port == c->m->owner, "owner %d but the open line is %d",
			   c->m->owner, c->state == CON_LINE ? c->line_port : -1);
		FUZZ_CHECK(c->m->port[c->m->owner].len == 0, "the line holder buffers bytes");
	} else {
		FUZZ_CHECK(c->state == CON_LINE_START, "no port holds the line, yet one is open on the UART");
	}
}

/* Hypervisor messages through the multiplexer, as hv_main sets them up (the test bed leaves
 * them on the early sink, which writes straight to the UART). */
static inline void fuzz_console_sink(const char *line)
{
	conmux_line(&console_mux, CONSOLE_HV_PORT, line);
}

/* ---- input focus: Ctrl-A three times moves it to the next port taking input ---- */

struct fuzz_focus {
	uint32_t focus;
	uint32_t ctrl_a; /* Ctrl-A typed in a row */
};

/* What conmux_input must answer for byte `b`, from the rules in conmux.h alone. */
static inline void fuzz_focus_expect(struct fuzz_focus *f, const struct conmux *m, uint8_t b, struct conmux_input *want)
{
	memset(want, 0, sizeof(*want));
	if (b == CONMUX_SWITCH_CHAR) {
		if (++f->ctrl_a == CONMUX_SWITCH_COUNT) {
			f->ctrl_a = 0;
			for (uint32_t i = 1; i <= m->port_count; i++) {
				uint32_t next = (f->focus + i) % m->port_count;
				if (m->port[next].takes_input) {
					f->focus = next;
					break;
				}
			}
			want->switched = true;
		}
	} else {
		for (uint32_t i = 0; i < f->ctrl_a; i++)
			want->bytes[want->count++] = CONMUX_SWITCH_CHAR;
		f->ctrl_a = 0;
		want->bytes[want->count++] = b;
	}
	want->port = f->focus;
}

/* The line the multiplexer prints on port 0 when the focus moves (core/conmux.c, announce_focus). */
static inline void fuzz_focus_line(const struct conmux *m, uint32_t focus, char *buf, size_t size)
{
	snprintf(buf, size, "input goes to %s now (Ctrl-A three times switches)", m->port[focus].name);
}

#endif
