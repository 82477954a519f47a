// SPDX-License-Identifier: MIT
/*
 * Fuzzing the hypervisor's device tree reader (lib/dtb.c) and the board
 * discovery built on it (core/boot/board.c) with arbitrary blobs. Each input runs
 * twice: as it is, and with its header patched to be plausible (magic,
 * version, total size = input size, blocks clamped inside), so that the
 * fuzzer spends its time in the structure block rather than the header.
 *
 * The blob sits in a buffer of exactly its size, so AddressSanitizer reports
 * any read past it. On top of that the harness checks: every node offset is
 * inside the structure block and every name NUL-terminated there; every
 * property value the reader returns lies inside the structure block;
 * sibling and child walks only move forward (so they end); cell reads stay
 * inside their value; board_parse's answer agrees with its reports and a
 * board it accepts is usable (CPUs, RAM, GIC, UART, timer, sorted virtio
 * slots within their limits). Where libfdt's full check accepts the blob, the
 * reader must see exactly the tree libfdt sees: same nodes at the same
 * offsets, same names, same first value for every property name.
 */
#include <libfdt.h>

#include <fv/dtb.h>

#include "fuzz_common.h"

#define WALK_MAX_DEPTH 32

static const char *const prop_names[] = {
	"compatible", "reg",  "status", "device_type", "#address-cells", "#size-cells", "model", "interrupts",
	"method",     "name", "",       "x",
};

static const char *const compat_names[] = {
	"arm,gic-v3", "arm,pl011", "arm,armv8-timer", "virtio,mmio", "cfi-flash", "arm,psci-1.0", "simple-bus", "",
};

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* [p, p + n) inside the structure block of t. */
static bool in_struct(const struct dtb *t, const void *p, uint64_t n)
{
	const uint8_t *s = t->blob + t->struct_off;
	const uint8_t *q = p;

	return q >= s && (uint64_t)(q - s) <= t->struct_size && n <= t->struct_size - (uint64_t)(q - s);
}

static void check_value(const struct dtb *t, const void *v, uint32_t len, const char *what)
{
	FUZZ_CHECK(in_struct(t, v, len),
		   "%s: value of %u bytes at struct offset %td leaves the structure block (%u bytes)", what, len,
		   (const uint8_t *)v - (t->blob + t->struct_off), t->struct_size);
	/* Reading every cell of the value must stay inside it. */
	for (uint32_t cells = 1; cells <= 2; cells++) {
		uint32_t pos = 0, steps = 0;
		uint64_t out;
		while (dtb_read_cells(v, len, &pos, cells, &out)) {
			FUZZ_CHECK(pos <= len && ++steps <= len / 4, "cell reader ran past a %u-byte value", len);
		}
	}
}

static void check_node(const struct dtb *t, int node)
{
	FUZZ_CHECK(node >= 0 && (uint32_t)node < t->struct_size && node % 4 == 0, "node offset %d in a %u-byte block",
		   node, t->struct_size);
	const char *name = dtb_name(t, node);
	if (name) {
		size_t max = t->struct_size - (size_t)(name - (const char *)(t->blob + t->struct_off));
		FUZZ_CHECK(in_struct(t, name, 1) && strnlen(name, max) < max,
			   "node %d: name not terminated in the block", node);
	}
	for (size_t i = 0; i < ARRAY_SIZE(prop_names); i++) {
		uint32_t len = 0;
		const void *v = dtb_prop(t, node, prop_names[i], &len);
		if (v)
			check_value(t, v, len, prop_names[i]);
		uint32_t u;
		if (dtb_prop_u32(t, node, prop_names[i], &u))
			FUZZ_CHECK(v && len >= 4, "a u32 from a %u-byte property", len);
	}
	for (size_t i = 0; i < ARRAY_SIZE(compat_names); i++)
		(void)dtb_is_compatible(t, node, compat_names[i]);
	(void)dtb_is_enabled(t, node);
}

/* Walk every node reachable from `node`; children and siblings only ever move forward. */
static void walk(const struct dtb *t, int node, int depth)
{
	check_node(t, node);
	if (depth == WALK_MAX_DEPTH)
		return;
	int prev = node;
	for (int c = dtb_first_child(t, node); c >= 0; c = dtb_next_sibling(t, c)) {
		FUZZ_CHECK(c > prev, "walk went from %d back to %d", prev, c);
		prev = c;
		walk(t, c, depth + 1);
		const char *name = dtb_name(t, c);
		if (name && strlen(name) < 60) {
			int found = dtb_child(t, node, name);
			FUZZ_CHECK(found >= 0 && found <= c, "child \"%s\" at %d not found by name (%d)", name, c,
				   found);
		}
	}
}

/* Depth of the deepest node libfdt sees, or -1 if it cannot walk the tree. */
static int libfdt_depth(const void *fdt)
{
	int depth = 0, max = 0;

	for (int n = 0; n >= 0; n = fdt_next_node(fdt, n, &depth))
		max = MAX(max, depth);
	return max;
}

/* The reader and libfdt must agree on a tree libfdt fully accepts. */
static void compare(const struct dtb *t, const void *fdt, int node, int depth)
{
	const char *ours = dtb_name(t, node);
	const char *theirs = fdt_get_name(fdt, node, NULL);

	FUZZ_CHECK(ours && theirs && strcmp(ours, theirs) == 0, "node %d: name \"%s\", libfdt says \"%s\"", node,
		   ours ? ours : "(none)", theirs ? theirs : "(none)");
	int p;
	fdt_for_each_property_offset(p, fdt, node) {
		const char *name;
		int lib_len;
		fdt_getprop_by_offset(fdt, p, &name, &lib_len);
		const void *first = fdt_getprop(fdt, node, name, &lib_len);
		uint32_t len = 0;
		const void *v = dtb_prop(t, node, name, &len);
		FUZZ_CHECK(v == first && (int)len == lib_len, "node %d property \"%s\": reader %p/%u, libfdt %p/%d",
			   node, name, v, len, first, lib_len);
	}
	int c = dtb_first_child(t, node);
	int lc = fdt_first_subnode(fdt, node);
	while (lc >= 0) {
		FUZZ_CHECK(c == lc, "node %d: next child at %d, libfdt says %d", node, c, lc);
		compare(t, fdt, c, depth + 1);
		c = dtb_next_sibling(t, c);
		lc = fdt_next_subnode(fdt, lc);
	}
	FUZZ_CHECK(c < 0, "node %d: child at %d that libfdt does not see", node, c);
}

static void check_board(const uint8_t *blob, size_t size)
{
	struct board b;
	struct testbed_diag d;

	testbed_diag_init(&d);
	bool ok = board_parse(&b, blob, size, &d.d);
	FUZZ_CHECK(ok == (d.d.error_count == 0), "board_parse says %d with %u errors", ok, d.d.error_count);
	FUZZ_CHECK(memchr(b.model, '\0', sizeof(b.model)) != NULL, "model not terminated");
	FUZZ_CHECK(b.cpu_count <= FV_MAX_CPUS && b.cpu_count <= b.cpu_count_seen &&
			   b.cpu_count_seen <= BOARD_MAX_CPUS_SEEN,
		   "%u CPUs usable, %u seen", b.cpu_count, b.cpu_count_seen);
	FUZZ_CHECK(b.virtio_count <= FV_VIRTIO_SLOTS, "%u virtio slots", b.virtio_count);
	for (uint32_t i = 0; i < b.virtio_count; i++) {
		FUZZ_CHECK(i == 0 || b.virtio[i - 1].base <= b.virtio[i].base, "virtio slots out of order at %u", i);
		FUZZ_CHECK(b.virtio[i].intid >= 16 && b.virtio[i].intid < IRQ_SPURIOUS, "virtio INTID %u",
			   b.virtio[i].intid);
	}
	if (b.uart_base)
		FUZZ_CHECK(b.uart_intid >= 16 && b.uart_intid < IRQ_SPURIOUS, "UART INTID %u", b.uart_intid);
	for (uint32_t i = 0; i < 4; i++)
		FUZZ_CHECK(b.timer_intid[i] == 0 || (b.timer_intid[i] >= 16 && b.timer_intid[i] < IRQ_SPURIOUS),
			   "timer INTID %u", b.timer_intid[i]);
	if (ok) {
		FUZZ_CHECK(b.cpu_count >= 1 && b.ram_size && !range_wraps(b.ram_base, b.ram_size) && b.gicd_base &&
				   b.uart_base && b.timer_intid[2],
			   "board accepted without CPUs, RAM, GIC, UART or timer");
	}
}

static void run(const uint8_t *blob, size_t size)
{
	struct dtb t;

	check_board(blob, size);
	if (dtb_open(&t, blob, size) != 0)
		return;
	FUZZ_CHECK(t.size <= size && range_within(t.struct_off, t.struct_size, 0, t.size),
		   "header accepted with blocks outside");
	walk(&t, dtb_root(&t), 0);
	static const char *const paths[] = {
		"/",
		"/cpus",
		"/memory",
		"/cpus/cpu@0",
		"//cpus//",
		"/a/b/c/d/e/f",
		"/0123456789012345678901234567890123456789012345678901234567890123456789"
	};
	for (size_t i = 0; i < ARRAY_SIZE(paths); i++) {
		int n = dtb_path(&t, paths[i]);
		if (n >= 0)
			check_node(&t, n);
	}
	if (fdt_check_full(blob, size) == 0 && libfdt_depth(blob) < DTB_MAX_DEPTH)
		compare(&t, blob, dtb_root(&t), 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	run(data, size);
	if (size < 40)
		return 0;

	uint8_t *b = malloc(size);
	FUZZ_CHECK(b != NULL, "out of memory");
	memcpy(b, data, size);
	uint32_t off_struct = (dtb_be32(b + 8) % (uint32_t)size) & ~3U;
	uint32_t size_struct = (dtb_be32(b + 36) % ((uint32_t)size - off_struct + 1)) & ~3U;
	uint32_t off_strings = dtb_be32(b + 12) % (uint32_t)size;
	uint32_t size_strings = dtb_be32(b + 32) % ((uint32_t)size - off_strings + 1);
	put_be32(b, DTB_MAGIC);
	put_be32(b + 4, (uint32_t)size);
	put_be32(b + 8, off_struct);
	put_be32(b + 12, off_strings);
	put_be32(b + 20, 17);
	put_be32(b + 24, 16);
	put_be32(b + 32, size_strings);
	put_be32(b + 36, size_struct);
	run(b, size);
	free(b);
	return 0;
}
