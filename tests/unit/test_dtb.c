// SPDX-License-Identifier: MIT
/*
 * The device tree reader (lib/dtb.c) and board discovery on top of it
 * (core/boot/board.c). Trees are written with the host libfdt's sequential-write
 * API: a QEMU-virt-like board (cpus, memory, GICv3, PL011, timer, 32
 * virtio-mmio transports listed highest address first as QEMU does,
 * cfi-flash, PSCI) and variants with parts missing or broken. Malformed and
 * truncated blobs are read from heap buffers of their exact size, so any
 * read past the end is an AddressSanitizer failure, not a silent pass.
 */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libfdt.h>

#include <fv/board.h>
#include <fv/dtb.h>
#include <plat/layout.h>

#define TREE_MAX 65536

/* What the QEMU-virt-like tree contains; zero means the QEMU default. */
struct tree_opts {
	uint32_t cpus;   /* CPU nodes (default 4) */
	uint32_t virtio; /* virtio-mmio nodes (default 32) */
	bool no_cpus, no_memory, no_gic, no_uart, no_timer, no_flash, no_psci;
	bool disabled_uart_first; /* a disabled PL011 before the real one */
	bool disabled_cpu;        /* one more CPU node, status = "disabled" */
	bool psci_hvc;
	bool devices_on_bus;   /* GIC, UART and virtio under a simple-bus */
	bool two_memory_banks; /* a second, higher bank listed first */
	bool short_timer;      /* only two timer interrupts */
};

static void ok(int rc)
{
	assert_int_equal(rc, 0);
}

static void prop_cells(void *fdt, const char *name, uint32_t count, const uint32_t *cells)
{
	fdt32_t be[32];

	assert_true(count <= 32);
	for (uint32_t i = 0; i < count; i++)
		be[i] = cpu_to_fdt32(cells[i]);
	ok(fdt_property(fdt, name, be, (int)(count * 4)));
}

#define CELLS(fdt, name, ...)                              \
	do {                                               \
		const uint32_t _c[] = { __VA_ARGS__ };     \
		prop_cells(fdt, name, ARRAY_SIZE(_c), _c); \
	} while (0)

static void reg64(void *fdt, uint64_t base, uint64_t size)
{
	CELLS(fdt, "reg", (uint32_t)(base >> 32), (uint32_t)base, (uint32_t)(size >> 32), (uint32_t)size);
}

static void uart_node(void *fdt, uint64_t base, uint32_t spi, bool disabled)
{
	char name[32];

	snprintf(name, sizeof(name), "pl011@%llx", (unsigned long long)base);
	ok(fdt_begin_node(fdt, name));
	ok(fdt_property(fdt, "compatible", "arm,pl011\0arm,primecell", 24));
	reg64(fdt, base, 0x1000);
	CELLS(fdt, "interrupts", 0, spi, 4);
	if (disabled)
		ok(fdt_property_string(fdt, "status", "disabled"));
	ok(fdt_end_node(fdt));
}

static void devices(void *fdt, const struct tree_opts *o)
{
	if (!o->no_gic) {
		ok(fdt_begin_node(fdt, "intc@8000000"));
		ok(fdt_property_string(fdt, "compatible", "arm,gic-v3"));
		CELLS(fdt, "reg", 0, 0x08000000, 0, 0x10000, 0, 0x080a0000, 0, 0xf60000);
		ok(fdt_property_u32(fdt, "#interrupt-cells", 3));
		ok(fdt_property(fdt, "interrupt-controller", NULL, 0));
		ok(fdt_end_node(fdt));
	}
	if (o->disabled_uart_first)
		uart_node(fdt, 0x09040000, 8, true);
	if (!o->no_uart)
		uart_node(fdt, PLAT_UART_BASE, PLAT_UART_INTID - 32, false);
	/* QEMU creates the transports in reverse, so the tree lists the highest first */
	uint32_t n = o->virtio ? o->virtio : 32;
	for (uint32_t i = n; i-- > 0;) {
		char name[32];
		uint64_t base = PLAT_VIRTIO_BASE + i * PLAT_VIRTIO_STRIDE;
		snprintf(name, sizeof(name), "virtio_mmio@%llx", (unsigned long long)base);
		ok(fdt_begin_node(fdt, name));
		ok(fdt_property(fdt, "dma-coherent", NULL, 0));
		CELLS(fdt, "interrupts", 0, PLAT_VIRTIO_INTID_BASE - 32 + i, 1);
		reg64(fdt, base, PLAT_VIRTIO_STRIDE);
		ok(fdt_property_string(fdt, "compatible", "virtio,mmio"));
		ok(fdt_end_node(fdt));
	}
}

/* Build the tree into buf (TREE_MAX bytes); returns its size. */
static size_t build_tree(void *fdt, const struct tree_opts *o)
{
	uint32_t cpus = o->cpus ? o->cpus : 4;

	ok(fdt_create(fdt, TREE_MAX));
	ok(fdt_finish_reservemap(fdt));
	ok(fdt_begin_node(fdt, ""));
	ok(fdt_property_u32(fdt, "interrupt-parent", 0x8002));
	ok(fdt_property_u32(fdt, "#size-cells", 2));
	ok(fdt_property_u32(fdt, "#address-cells", 2));
	ok(fdt_property_string(fdt, "compatible", "linux,dummy-virt"));
	ok(fdt_property_string(fdt, "model", "linux,dummy-virt"));

	if (!o->no_psci) {
		ok(fdt_begin_node(fdt, "psci"));
		ok(fdt_property_string(fdt, "method", o->psci_hvc ? "hvc" : "smc"));
		ok(fdt_property(fdt, "compatible", "arm,psci-1.0\0arm,psci-0.2\0arm,psci", 35));
		ok(fdt_end_node(fdt));
	}
	if (o->two_memory_banks) {
		ok(fdt_begin_node(fdt, "memory@100000000"));
		reg64(fdt, 0x100000000ULL, 0x40000000);
		ok(fdt_property_string(fdt, "device_type", "memory"));
		ok(fdt_end_node(fdt));
	}
	if (!o->no_memory) {
		ok(fdt_begin_node(fdt, "memory@40000000"));
		reg64(fdt, 0x40000000, 0x80000000);
		ok(fdt_property_string(fdt, "device_type", "memory"));
		ok(fdt_end_node(fdt));
	}
	if (!o->no_flash) {
		ok(fdt_begin_node(fdt, "flash@0"));
		ok(fdt_property_u32(fdt, "bank-width", 4));
		CELLS(fdt, "reg", 0, 0, 0, 0x04000000, 0, 0x04000000, 0, 0x04000000);
		ok(fdt_property_string(fdt, "compatible", "cfi-flash"));
		ok(fdt_end_node(fdt));
	}
	if (!o->no_cpus) {
		ok(fdt_begin_node(fdt, "cpus"));
		ok(fdt_property_u32(fdt, "#size-cells", 0));
		ok(fdt_property_u32(fdt, "#address-cells", 1));
		ok(fdt_begin_node(fdt, "cpu-map"));
		ok(fdt_begin_node(fdt, "socket0"));
		ok(fdt_end_node(fdt));
		ok(fdt_end_node(fdt));
		for (uint32_t i = 0; i < cpus + (o->disabled_cpu ? 1 : 0); i++) {
			char name[16];
			snprintf(name, sizeof(name), "cpu@%u", i);
			ok(fdt_begin_node(fdt, name));
			ok(fdt_property_string(fdt, "enable-method", "psci"));
			CELLS(fdt, "reg", i < 16 ? i : 0x100 + i - 16); /* Aff1 past 16 CPUs */
			ok(fdt_property_string(fdt, "compatible", "arm,cortex-a57"));
			ok(fdt_property_string(fdt, "device_type", "cpu"));
			if (i == cpus)
				ok(fdt_property_string(fdt, "status", "disabled"));
			ok(fdt_end_node(fdt));
		}
		ok(fdt_end_node(fdt));
	}
	if (!o->no_timer) {
		ok(fdt_begin_node(fdt, "timer"));
		if (o->short_timer)
			CELLS(fdt, "interrupts", 1, 13, 0x104, 1, 14, 0x104);
		else
			CELLS(fdt, "interrupts", 1, 13, 0x104, 1, 14, 0x104, 1, 11, 0x104, 1, 10, 0x104);
		ok(fdt_property(fdt, "always-on", NULL, 0));
		ok(fdt_property_string(fdt, "compatible", "arm,armv8-timer"));
		ok(fdt_end_node(fdt));
	}
	if (o->devices_on_bus) {
		ok(fdt_begin_node(fdt, "bus@0"));
		ok(fdt_property(fdt, "compatible", "qemu,platform\0simple-bus", 25));
		ok(fdt_property_u32(fdt, "#size-cells", 2));
		ok(fdt_property_u32(fdt, "#address-cells", 2));
		devices(fdt, o);
		ok(fdt_end_node(fdt));
	} else {
		devices(fdt, o);
	}
	ok(fdt_begin_node(fdt, "chosen"));
	ok(fdt_property_string(fdt, "stdout-path", "/pl011@9000000"));
	ok(fdt_end_node(fdt));
	ok(fdt_end_node(fdt));
	ok(fdt_finish(fdt));
	return fdt_totalsize(fdt);
}

/* A heap copy of exactly `size` bytes, so reads past it are caught. */
static uint8_t *exact_copy(const void *blob, size_t size)
{
	uint8_t *p = malloc(size ? size : 1);

	assert_non_null(p);
	memcpy(p, blob, size);
	return p;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint8_t tree[TREE_MAX];

/* ---------------- the reader ---------------- */

static void open_default(struct dtb *t, const struct tree_opts *o)
{
	size_t n = build_tree(tree, o);

	assert_int_equal(dtb_open(t, tree, n), 0);
}

static void test_open_checks_header(void **state)
{
	(void)state;
	struct tree_opts o = { 0 };
	struct dtb t;
	size_t n = build_tree(tree, &o);
	uint8_t *b;

	assert_int_equal(dtb_open(&t, tree, n), 0);
	assert_int_equal(t.size, n);
	assert_int_equal(dtb_open(&t, tree, 39), DTB_ERR_TRUNCATED);
	assert_int_equal(dtb_open(&t, tree, n - 1), DTB_ERR_TRUNCATED); /* totalsize beyond the buffer */

	b = exact_copy(tree, n);
	b[0] ^= 1;
	assert_int_equal(dtb_open(&t, b, n), DTB_ERR_BADMAGIC);
	memcpy(b, tree, n);
	put_be32(b + 20, 16); /* version 16 */
	assert_int_equal(dtb_open(&t, b, n), DTB_ERR_BADVERSION);
	memcpy(b, tree, n);
	put_be32(b + 24, 18); /* last compatible version newer than we read */
	assert_int_equal(dtb_open(&t, b, n), DTB_ERR_BADVERSION);
	memcpy(b, tree, n);
	put_be32(b + 4, 20); /* totalsize smaller than the header */
	assert_int_equal(dtb_open(&t, b, n), DTB_ERR_TRUNCATED);
	memcpy(b, tree, n);
	put_be32(b + 36, (uint32_t)n); /* structure block past the end */
	assert_int_equal(dtb_open(&t, b, n), DTB_ERR_TRUNCATED);
	memcpy(b, tree, n);
	put_be32(b + 8, 0xfffffff0U); /* structure offset wraps */
	assert_int_equal(dtb_open(&t, b, n), DTB_ERR_TRUNCATED);
	memcpy(b, tree, n);
	put_be32(b + 36, dtb_be32(b + 36) - 2); /* unaligned structure size */
	assert_int_equal(dtb_open(&t, b, n), DTB_ERR_TRUNCATED);
	memcpy(b, tree, n);
	put_be32(b + 32, (uint32_t)n); /* strings block past the end */
	assert_int_equal(dtb_open(&t, b, n), DTB_ERR_TRUNCATED);
	memcpy(b, tree, n);
	put_be32(b + dtb_be32(b + 8), 4); /* first token a NOP, not the root node */
	assert_int_equal(dtb_open(&t, b, n), DTB_ERR_BADSTRUCT);
	free(b);
}

static void test_walk_children_and_siblings(void **state)
{
	(void)state;
	struct tree_opts o = { .virtio = 2 };
	struct dtb t;
	const char *want[] = { "psci",
			       "memory@40000000",
			       "flash@0",
			       "cpus",
			       "timer",
			       "intc@8000000",
			       "pl011@9000000",
			       "virtio_mmio@a000200",
			       "virtio_mmio@a000000",
			       "chosen" };
	uint32_t i = 0;

	open_default(&t, &o);
	assert_int_equal(dtb_root(&t), 0);
	assert_string_equal(dtb_name(&t, 0), "");
	for (int n = dtb_first_child(&t, 0); n >= 0; n = dtb_next_sibling(&t, n)) {
		assert_true(i < ARRAY_SIZE(want));
		assert_string_equal(dtb_name(&t, n), want[i]);
		i++;
	}
	assert_int_equal(i, ARRAY_SIZE(want));
	/* a leaf has no children; the last child has no sibling */
	int chosen = dtb_path(&t, "/chosen");
	assert_true(chosen > 0);
	assert_int_equal(dtb_first_child(&t, chosen), DTB_ERR_NOTFOUND);
	assert_int_equal(dtb_next_sibling(&t, chosen), DTB_ERR_NOTFOUND);
	/* offsets that are not nodes */
	assert_int_equal(dtb_first_child(&t, -1), DTB_ERR_NOTFOUND);
	assert_int_equal(dtb_next_sibling(&t, 4), DTB_ERR_NOTFOUND);
	assert_null(dtb_name(&t, -3));
	assert_null(dtb_name(&t, 1 << 20));
}

static void test_child_and_path_lookup(void **state)
{
	(void)state;
	struct tree_opts o = { .cpus = 2 };
	struct dtb t;

	open_default(&t, &o);
	int cpus = dtb_path(&t, "/cpus");
	assert_true(cpus > 0);
	assert_string_equal(dtb_name(&t, cpus), "cpus");
	/* "cpu" matches cpu@N, never "cpus" or "cpu-map" */
	int c0 = dtb_child(&t, cpus, "cpu");
	assert_true(c0 > 0);
	assert_string_equal(dtb_name(&t, c0), "cpu@0");
	assert_int_equal(dtb_child(&t, 0, "cpu"), DTB_ERR_NOTFOUND);
	assert_string_equal(dtb_name(&t, dtb_path(&t, "/cpus/cpu@1")), "cpu@1");
	assert_int_equal(dtb_path(&t, "/cpus/cpu@2"), DTB_ERR_NOTFOUND);
	/* a unit address in the request must match exactly */
	assert_string_equal(dtb_name(&t, dtb_path(&t, "/memory")), "memory@40000000");
	assert_string_equal(dtb_name(&t, dtb_path(&t, "/memory@40000000")), "memory@40000000");
	assert_int_equal(dtb_path(&t, "/memory@4000000"), DTB_ERR_NOTFOUND);
	assert_int_equal(dtb_path(&t, "/mem"), DTB_ERR_NOTFOUND);
	/* paths: extra slashes are harmless, a relative path is not a path */
	assert_int_equal(dtb_path(&t, "/"), 0);
	assert_int_equal(dtb_path(&t, "//cpus/"), cpus);
	assert_int_equal(dtb_path(&t, "cpus"), DTB_ERR_NOTFOUND);
	assert_int_equal(dtb_path(&t, "/cpus/cpu-map/socket0/nothing"), DTB_ERR_NOTFOUND);
	assert_true(dtb_path(&t, "/cpus/cpu-map/socket0") > 0);
	/* a component longer than any node name */
	char longpath[128];
	memset(longpath, 'a', sizeof(longpath));
	longpath[0] = '/';
	longpath[sizeof(longpath) - 1] = '\0';
	assert_int_equal(dtb_path(&t, longpath), DTB_ERR_NOTFOUND);
}

static void test_properties(void **state)
{
	(void)state;
	struct tree_opts o = { 0 };
	struct dtb t;
	uint32_t len, v;

	open_default(&t, &o);
	const char *model = dtb_prop(&t, 0, "model", &len);
	assert_non_null(model);
	assert_int_equal(len, strlen("linux,dummy-virt") + 1);
	assert_string_equal(model, "linux,dummy-virt");
	assert_null(dtb_prop(&t, 0, "no-such-property", &len));
	assert_null(dtb_prop(&t, 0, "mode", &len)); /* a prefix of a name is not the name */
	assert_null(dtb_prop(&t, 0, "model-x", &len));
	assert_null(dtb_prop(&t, -1, "model", &len));
	/* properties of a child are not the parent's */
	assert_null(dtb_prop(&t, 0, "device_type", &len));
	assert_non_null(dtb_prop(&t, dtb_path(&t, "/memory"), "device_type", NULL));

	assert_true(dtb_prop_u32(&t, 0, "#address-cells", &v));
	assert_int_equal(v, 2);
	assert_true(dtb_prop_u32(&t, dtb_path(&t, "/cpus"), "#size-cells", &v));
	assert_int_equal(v, 0);
	v = 77;
	/* an empty property has no cell */
	assert_false(dtb_prop_u32(&t, dtb_path(&t, "/timer"), "always-on", &v));
	assert_int_equal(v, 77);
	assert_non_null(dtb_prop(&t, dtb_path(&t, "/timer"), "always-on", &len));
	assert_int_equal(len, 0);
}

static void test_compatible_and_status(void **state)
{
	(void)state;
	struct tree_opts o = { .disabled_uart_first = true };
	struct dtb t;

	open_default(&t, &o);
	int psci = dtb_path(&t, "/psci");
	assert_true(dtb_is_compatible(&t, psci, "arm,psci-1.0"));
	assert_true(dtb_is_compatible(&t, psci, "arm,psci-0.2")); /* not the first string */
	assert_true(dtb_is_compatible(&t, psci, "arm,psci"));
	assert_false(dtb_is_compatible(&t, psci, "arm,psci-1")); /* a prefix is not a match */
	assert_false(dtb_is_compatible(&t, dtb_path(&t, "/chosen"), "arm,psci"));

	int sec = dtb_path(&t, "/pl011@9040000");
	int uart = dtb_path(&t, "/pl011@9000000");
	assert_false(dtb_is_enabled(&t, sec));
	assert_true(dtb_is_enabled(&t, uart)); /* no status property */
}

static void test_status_values(void **state)
{
	(void)state;
	const char *values[] = { "okay", "ok", "disabled", "fail", "okay-ish" };
	const bool enabled[] = { true, true, false, false, false };

	for (uint32_t i = 0; i < ARRAY_SIZE(values); i++) {
		struct dtb t;
		ok(fdt_create(tree, TREE_MAX));
		ok(fdt_finish_reservemap(tree));
		ok(fdt_begin_node(tree, ""));
		ok(fdt_begin_node(tree, "dev"));
		ok(fdt_property_string(tree, "status", values[i]));
		ok(fdt_end_node(tree));
		ok(fdt_end_node(tree));
		ok(fdt_finish(tree));
		assert_int_equal(dtb_open(&t, tree, fdt_totalsize(tree)), 0);
		assert_int_equal(dtb_is_enabled(&t, dtb_path(&t, "/dev")), enabled[i]);
	}
}

static void test_unterminated_compatible(void **state)
{
	(void)state;
	struct dtb t;

	ok(fdt_create(tree, TREE_MAX));
	ok(fdt_finish_reservemap(tree));
	ok(fdt_begin_node(tree, ""));
	ok(fdt_property(tree, "compatible", "arm,pl011", 9)); /* no NUL */
	ok(fdt_end_node(tree));
	ok(fdt_finish(tree));
	assert_int_equal(dtb_open(&t, tree, fdt_totalsize(tree)), 0);
	assert_false(dtb_is_compatible(&t, 0, "arm,pl011"));
	assert_false(dtb_is_compatible(&t, 0, "arm,pl01"));
}

static void test_read_cells(void **state)
{
	(void)state;
	const uint8_t v[12] = { 0, 0, 0, 1, 0x80, 0, 0, 2, 0xde, 0xad, 0xbe, 0xef };
	uint32_t pos = 0;
	uint64_t out;

	assert_true(dtb_read_cells(v, 12, &pos, 2, &out));
	assert_int_equal(out, 0x0000000180000002ULL);
	assert_int_equal(pos, 8);
	assert_true(dtb_read_cells(v, 12, &pos, 1, &out));
	assert_int_equal(out, 0xdeadbeef);
	assert_int_equal(pos, 12);
	out = 5;
	assert_false(dtb_read_cells(v, 12, &pos, 1, &out)); /* nothing left */
	assert_int_equal(out, 5);
	assert_int_equal(pos, 12);
	pos = 8;
	assert_false(dtb_read_cells(v, 12, &pos, 2, &out)); /* only one cell left */
	assert_int_equal(pos, 8);
	pos = 0;
	assert_false(dtb_read_cells(v, 12, &pos, 0, &out));
	assert_false(dtb_read_cells(v, 12, &pos, 3, &out));
	pos = 100;
	assert_false(dtb_read_cells(v, 12, &pos, 1, &out));
}

static void test_deep_nesting_is_bounded(void **state)
{
	(void)state;
	struct dtb t;

	ok(fdt_create(tree, TREE_MAX));
	ok(fdt_finish_reservemap(tree));
	ok(fdt_begin_node(tree, ""));
	for (int i = 0; i < DTB_MAX_DEPTH + 4; i++)
		ok(fdt_begin_node(tree, "n"));
	for (int i = 0; i < DTB_MAX_DEPTH + 4; i++)
		ok(fdt_end_node(tree));
	ok(fdt_begin_node(tree, "after"));
	ok(fdt_end_node(tree));
	ok(fdt_end_node(tree));
	ok(fdt_finish(tree));
	assert_int_equal(dtb_open(&t, tree, fdt_totalsize(tree)), 0);
	int n = dtb_first_child(&t, 0);
	assert_string_equal(dtb_name(&t, n), "n");
	/* skipping a node nested deeper than DTB_MAX_DEPTH is refused, not recursed */
	assert_true(dtb_next_sibling(&t, n) < 0);
	assert_true(dtb_path(&t, "/after") < 0);
}

/* A property whose declared length runs past the structure block. */
static void test_property_length_past_block(void **state)
{
	(void)state;
	struct dtb t;
	uint32_t len = 0;

	ok(fdt_create(tree, TREE_MAX));
	ok(fdt_finish_reservemap(tree));
	ok(fdt_begin_node(tree, ""));
	ok(fdt_property_u32(tree, "a", 1));
	ok(fdt_end_node(tree));
	ok(fdt_finish(tree));
	size_t n = fdt_totalsize(tree);
	uint8_t *b = exact_copy(tree, n);
	uint32_t soff = dtb_be32(b + 8);
	/* root: BEGIN_NODE, "" padded to 4; then PROP len nameoff */
	assert_int_equal(dtb_be32(b + soff + 8), 3);
	put_be32(b + soff + 12, 0x10000);
	assert_int_equal(dtb_open(&t, b, n), 0);
	assert_null(dtb_prop(&t, 0, "a", &len));
	uint32_t v;
	assert_false(dtb_prop_u32(&t, 0, "a", &v));
	free(b);
}

/* A structure block that ends inside a property token, at the end of the blob. */
static void test_property_token_cut_at_end(void **state)
{
	(void)state;
	uint8_t raw[52] = { 0 };
	struct dtb t;
	struct testbed_diag d;
	struct board bd;

	put_be32(raw + 0, DTB_MAGIC);
	put_be32(raw + 4, sizeof(raw)); /* totalsize */
	put_be32(raw + 8, 40);          /* off_dt_struct */
	put_be32(raw + 12, 52);         /* off_dt_strings */
	put_be32(raw + 16, 40);         /* off_mem_rsvmap */
	put_be32(raw + 20, 17);
	put_be32(raw + 24, 16);
	put_be32(raw + 32, 0);  /* size_dt_strings */
	put_be32(raw + 36, 12); /* size_dt_struct: BEGIN_NODE "" PROP */
	put_be32(raw + 40, 1);
	put_be32(raw + 48, 3);
	uint8_t *b = exact_copy(raw, sizeof(raw));
	assert_int_equal(dtb_open(&t, b, sizeof(raw)), 0);
	assert_null(dtb_prop(&t, 0, "model", NULL));
	assert_true(dtb_first_child(&t, 0) < 0);
	testbed_diag_init(&d);
	assert_false(board_parse(&bd, b, sizeof(raw), &d.d));
	free(b);
}

/* ---------------- the board ---------------- */

static bool parse(struct board *b, const struct tree_opts *o, struct testbed_diag *d)
{
	size_t n = build_tree(tree, o);

	testbed_diag_init(d);
	return board_parse(b, tree, n, &d->d);
}

static void test_board_qemu_virt(void **state)
{
	(void)state;
	struct tree_opts o = { 0 };
	struct testbed_diag d;
	struct board b;

	assert_true(parse(&b, &o, &d));
	assert_int_equal(d.d.error_count, 0);
	assert_string_equal(b.model, "linux,dummy-virt");
	assert_int_equal(b.cpu_count, 4);
	assert_int_equal(b.cpu_count_seen, 4);
	for (uint32_t i = 0; i < 4; i++)
		assert_int_equal(b.cpu_mpidr[i], i);
	assert_int_equal(b.ram_base, 0x40000000);
	assert_int_equal(b.ram_size, 0x80000000);
	assert_int_equal(b.gicd_base, PLAT_GICD_BASE);
	assert_int_equal(b.gicd_size, PLAT_GICD_SIZE);
	assert_int_equal(b.gicr_base, PLAT_GICR_BASE);
	assert_int_equal(b.gicr_size, 0xf60000);
	assert_int_equal(b.uart_base, PLAT_UART_BASE);
	assert_int_equal(b.uart_intid, PLAT_UART_INTID);
	assert_int_equal(b.timer_intid[0], PLAT_TIMER_SEC_PHYS_INTID);
	assert_int_equal(b.timer_intid[1], PLAT_TIMER_PHYS_INTID);
	assert_int_equal(b.timer_intid[2], PLAT_TIMER_VIRT_INTID);
	assert_int_equal(b.timer_intid[3], PLAT_TIMER_HYP_INTID);
	assert_int_equal(b.flash_base, 0);
	assert_int_equal(b.flash_size, PLAT_FLASH_SIZE); /* bank 0 only */
	assert_true(b.psci_smc);
	/* virtio slots in ascending address order whatever the tree's order */
	assert_int_equal(b.virtio_count, FV_VIRTIO_SLOTS);
	for (uint32_t i = 0; i < FV_VIRTIO_SLOTS; i++) {
		assert_int_equal(b.virtio[i].base, PLAT_VIRTIO_BASE + i * PLAT_VIRTIO_STRIDE);
		assert_int_equal(b.virtio[i].size, PLAT_VIRTIO_STRIDE);
		assert_int_equal(b.virtio[i].intid, PLAT_VIRTIO_INTID_BASE + i);
	}
}

static void test_board_agrees_with_testbed_board(void **state)
{
	(void)state;
	struct tree_opts o = { .cpus = 8 };
	struct testbed_diag d;
	struct board parsed, bed;
	struct manifest m;

	assert_true(parse(&parsed, &o, &d));
	testbed_board(&bed, 8);
	testbed_manifest(&m, 2, 2);
	/* the parsed board hosts what the test bed's board hosts */
	testbed_diag_init(&d);
	assert_true(manifest_check_board(&m, &parsed, &d.d));
	assert_int_equal(parsed.cpu_count, bed.cpu_count);
	assert_int_equal(parsed.virtio_count, bed.virtio_count);
	assert_memory_equal(parsed.virtio, bed.virtio, sizeof(bed.virtio));
}

static void test_board_more_cpus_than_supported(void **state)
{
	(void)state;
	struct tree_opts o = { .cpus = FV_MAX_CPUS + 4, .disabled_cpu = true };
	struct testbed_diag d;
	struct board b;

	assert_true(parse(&b, &o, &d));
	assert_int_equal(b.cpu_count, FV_MAX_CPUS);
	assert_int_equal(b.cpu_count_seen, FV_MAX_CPUS + 4); /* the disabled one is not counted */
	for (uint32_t i = 0; i < FV_MAX_CPUS; i++)
		assert_int_equal(b.cpu_mpidr[i], i);
}

static void test_board_disabled_cpu_skipped(void **state)
{
	(void)state;
	struct tree_opts o = { .cpus = 2, .disabled_cpu = true };
	struct testbed_diag d;
	struct board b;

	assert_true(parse(&b, &o, &d));
	assert_int_equal(b.cpu_count, 2);
	assert_int_equal(b.cpu_count_seen, 2);
}

static void test_board_skips_disabled_uart(void **state)
{
	(void)state;
	struct tree_opts o = { .disabled_uart_first = true };
	struct testbed_diag d;
	struct board b;

	assert_true(parse(&b, &o, &d));
	assert_int_equal(b.uart_base, PLAT_UART_BASE);
	assert_int_equal(b.uart_intid, PLAT_UART_INTID);
}

static void test_board_devices_under_simple_bus(void **state)
{
	(void)state;
	struct tree_opts o = { .devices_on_bus = true, .virtio = 3 };
	struct testbed_diag d;
	struct board b;

	assert_true(parse(&b, &o, &d));
	assert_int_equal(b.gicd_base, PLAT_GICD_BASE);
	assert_int_equal(b.uart_base, PLAT_UART_BASE);
	assert_int_equal(b.virtio_count, 3);
	assert_int_equal(b.virtio[0].base, PLAT_VIRTIO_BASE);
	assert_int_equal(b.virtio[2].base, PLAT_VIRTIO_BASE + 2 * PLAT_VIRTIO_STRIDE);
}

static void test_board_lowest_memory_bank(void **state)
{
	(void)state;
	struct tree_opts o = { .two_memory_banks = true };
	struct testbed_diag d;
	struct board b;

	assert_true(parse(&b, &o, &d));
	assert_int_equal(b.ram_base, 0x40000000);
	assert_int_equal(b.ram_size, 0x80000000);
}

static void test_board_psci_method(void **state)
{
	(void)state;
	struct tree_opts o = { .psci_hvc = true };
	struct testbed_diag d;
	struct board b;

	assert_true(parse(&b, &o, &d));
	assert_false(b.psci_smc);
	o.psci_hvc = false;
	o.no_psci = true;
	assert_true(parse(&b, &o, &d));
	assert_false(b.psci_smc);
}

static void test_board_no_flash_node(void **state)
{
	(void)state;
	struct tree_opts o = { .no_flash = true };
	struct testbed_diag d;
	struct board b;

	assert_true(parse(&b, &o, &d)); /* optional: the hypervisor assumes QEMU's size */
	assert_int_equal(b.flash_size, 0);
}

/* Each required part missing: board_parse fails and names the part. */
static void expect_missing(struct tree_opts o, const char *where, const char *what)
{
	struct testbed_diag d;
	struct board b;

	assert_false(parse(&b, &o, &d));
	assert_true(d.d.error_count >= 1);
	assert_non_null(strstr(d.text, where));
	assert_non_null(strstr(d.text, what));
}

static void test_board_missing_parts(void **state)
{
	(void)state;
	expect_missing((struct tree_opts){ .no_cpus = true }, "board /cpus", "no /cpus node");
	expect_missing((struct tree_opts){ .no_memory = true }, "board /memory", "no RAM found");
	expect_missing((struct tree_opts){ .no_gic = true }, "board GIC", "no GICv3 found");
	expect_missing((struct tree_opts){ .no_uart = true }, "board UART", "no PL011 UART found");
	expect_missing((struct tree_opts){ .no_timer = true }, "board timer", "no architected timer");
	expect_missing((struct tree_opts){ .short_timer = true }, "board timer", "timer interrupt 2 missing");
}

static void test_board_counts_errors_from_nonzero(void **state)
{
	(void)state;
	struct tree_opts o = { 0 };
	struct testbed_diag d;
	struct board b;
	size_t n = build_tree(tree, &o);

	/* a diag that already holds errors: success is judged on new ones only */
	testbed_diag_init(&d);
	d.d.error_count = 3;
	assert_true(board_parse(&b, tree, n, &d.d));
	assert_int_equal(d.d.error_count, 3);
}

static void test_board_rejects_garbage(void **state)
{
	(void)state;
	struct testbed_diag d;
	struct board b;
	uint8_t junk[256];

	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (uint8_t)(i * 37 + 11);
	testbed_diag_init(&d);
	assert_false(board_parse(&b, junk, sizeof(junk), &d.d));
	assert_non_null(strstr(d.text, "board device tree"));
	assert_non_null(strstr(d.text, "not a valid device tree"));
	testbed_diag_init(&d);
	assert_false(board_parse(&b, junk, 10, &d.d));
}

/*
 * Truncate a valid board tree at every 4-byte boundary, with the header
 * claiming exactly what is left (the worst case: the reader believes the
 * header), and parse it from an exact-size buffer. Never a crash or a read
 * past the end; the full tree is the only one that may be complete.
 */
static void test_board_truncated_everywhere(void **state)
{
	(void)state;
	struct tree_opts o = { .cpus = 2, .virtio = 4 };
	size_t n = build_tree(tree, &o);
	uint32_t soff = dtb_be32(tree + 8), ssize = dtb_be32(tree + 36);
	uint32_t stroff = dtb_be32(tree + 12), strsize = dtb_be32(tree + 32);

	for (size_t cut = soff + 4; cut < n; cut += 4) {
		uint8_t *b = exact_copy(tree, cut);
		struct testbed_diag d;
		struct board bd;
		put_be32(b + 4, (uint32_t)cut);
		put_be32(b + 36, (uint32_t)MIN((size_t)ssize, (cut - soff) & ~(size_t)3));
		if (cut < stroff)
			put_be32(b + 32, 0);
		else
			put_be32(b + 32, (uint32_t)MIN((size_t)strsize, cut - stroff));
		testbed_diag_init(&d);
		bool complete = board_parse(&bd, b, cut, &d.d);
		if (cut < stroff)
			assert_false(complete); /* no property names: nothing can be found */
		free(b);
	}
}

/* Corrupt bytes of the structure and strings blocks one at a time: never a crash. */
static void test_board_corrupted_bytes(void **state)
{
	(void)state;
	struct tree_opts o = { .cpus = 2, .virtio = 2 };
	size_t n = build_tree(tree, &o);
	const uint8_t values[] = { 0x00, 0xff, 0x01, 0x03, 0x80 };
	uint32_t parsed = 0;

	for (size_t at = 0; at < n; at += 3) {
		for (uint32_t k = 0; k < ARRAY_SIZE(values); k++) {
			uint8_t *b = exact_copy(tree, n);
			struct testbed_diag d;
			struct board bd;
			b[at] = values[k];
			testbed_diag_init(&d);
			if (board_parse(&bd, b, n, &d.d)) {
				parsed++;
				assert_true(bd.cpu_count >= 1 && bd.cpu_count <= FV_MAX_CPUS);
				assert_true(bd.virtio_count <= FV_VIRTIO_SLOTS);
			}
			free(b);
		}
	}
	assert_true(parsed > 0); /* many corruptions (names, values) still parse */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_checks_header),
		cmocka_unit_test(test_walk_children_and_siblings),
		cmocka_unit_test(test_child_and_path_lookup),
		cmocka_unit_test(test_properties),
		cmocka_unit_test(test_compatible_and_status),
		cmocka_unit_test(test_status_values),
		cmocka_unit_test(test_unterminated_compatible),
		cmocka_unit_test(test_read_cells),
		cmocka_unit_test(test_deep_nesting_is_bounded),
		cmocka_unit_test(test_property_length_past_block),
		cmocka_unit_test(test_property_token_cut_at_end),
		cmocka_unit_test(test_board_qemu_virt),
		cmocka_unit_test(test_board_agrees_with_testbed_board),
		cmocka_unit_test(test_board_more_cpus_than_supported),
		cmocka_unit_test(test_board_disabled_cpu_skipped),
		cmocka_unit_test(test_board_skips_disabled_uart),
		cmocka_unit_test(test_board_devices_under_simple_bus),
		cmocka_unit_test(test_board_lowest_memory_bank),
		cmocka_unit_test(test_board_psci_method),
		cmocka_unit_test(test_board_no_flash_node),
		cmocka_unit_test(test_board_missing_parts),
		cmocka_unit_test(test_board_counts_errors_from_nonzero),
		cmocka_unit_test(test_board_rejects_garbage),
		cmocka_unit_test(test_board_truncated_everywhere),
		cmocka_unit_test(test_board_corrupted_bytes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
