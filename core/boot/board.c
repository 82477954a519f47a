// SPDX-License-Identifier: MIT
/*
 * Board discovery from the live device tree (Devicetree Specification v0.4
 * chapters 2-3; bindings: arm,gic-v3, arm,pl011, arm,armv8-timer,
 * virtio,mmio, cfi-flash, arm,psci-*). The hypervisor trusts only the live
 * tree: QEMU edits it when firmware is loaded with -bios.
 */
#include <fv/board.h>
#include <fv/dtb.h>
#include <fv/string.h>

struct cells {
	uint32_t addr;
	uint32_t size;
};

static struct cells node_cells(const struct dtb *t, int node)
{
	struct cells c = { 2, 1 };

	dtb_prop_u32(t, node, "#address-cells", &c.addr);
	dtb_prop_u32(t, node, "#size-cells", &c.size);
	return c;
}

/* The n-th (address, size) pair of a node's reg property. */
static bool reg_at(const struct dtb *t, int node, struct cells c, uint32_t n, uint64_t *addr, uint64_t *size)
{
	uint32_t len;
	const void *v = dtb_prop(t, node, "reg", &len);
	uint32_t pos = n * (c.addr + c.size) * 4;

	if (!v || c.size < 1 || c.addr < 1)
		return false;
	return dtb_read_cells(v, len, &pos, c.addr, addr) && dtb_read_cells(v, len, &pos, c.size, size);
}

/* First interrupt of a GIC-style 3-cell "interrupts" property as an INTID. */
static bool intid_at(const struct dtb *t, int node, uint32_t n, uint32_t *intid)
{
	uint32_t len;
	const uint8_t *v = dtb_prop(t, node, "interrupts", &len);

	if (!v || len < (n + 1) * 12)
		return false;
	uint32_t type = dtb_be32(v + n * 12);
	uint32_t num = dtb_be32(v + n * 12 + 4);
	if (type == 0 && num < 988)
		*intid = num + 32; /* SPI */
	else if (type == 1 && num < 16)
		*intid = num + 16; /* PPI */
	else
		return false;
	return true;
}

static void parse_cpus(struct board *b, const struct dtb *t, struct diag *d)
{
	int cpus = dtb_path(t, "/cpus");
	struct cells c = node_cells(t, cpus);

	if (cpus < 0) {
		diag_error(d, "board /cpus", NULL, "no /cpus node");
		return;
	}
	for (int n = dtb_first_child(t, cpus); n >= 0; n = dtb_next_sibling(t, n)) {
		uint32_t len;
		const char *type = dtb_prop(t, n, "device_type", &len);
		if (!type || len != 4 || memcmp(type, "cpu", 4) != 0 || !dtb_is_enabled(t, n))
			continue;
		const void *reg = dtb_prop(t, n, "reg", &len);
		uint32_t pos = 0;
		uint64_t mpidr;
		if (!reg || !dtb_read_cells(reg, len, &pos, c.addr, &mpidr)) {
			diag_error(d, "board /cpus", NULL, "cpu node without a valid reg");
			continue;
		}
		if (b->cpu_count_seen < BOARD_MAX_CPUS_SEEN)
			b->cpu_count_seen++;
		if (b->cpu_count < FV_MAX_CPUS)
			b->cpu_mpidr[b->cpu_count++] = mpidr;
	}
	if (b->cpu_count == 0)
		diag_error(d, "board /cpus", NULL, "no CPU found");
}

static void parse_memory(struct board *b, const struct dtb *t, struct cells root, struct diag *d)
{
	for (int n = dtb_first_child(t, dtb_root(t)); n >= 0; n = dtb_next_sibling(t, n)) {
		uint32_t len;
		const char *type = dtb_prop(t, n, "device_type", &len);
		uint64_t base, size;
		if (!type || len != 7 || memcmp(type, "memory", 7) != 0)
			continue;
		if (!reg_at(t, n, root, 0, &base, &size) || range_wraps(base, size)) {
			diag_error(d, "board /memory", NULL, "memory node without a valid reg");
			continue;
		}
		/* QEMU virt has one RAM bank; keep the lowest if there are more. */
		if (b->ram_size == 0 || base < b->ram_base) {
			b->ram_base = base;
			b->ram_size = size;
		}
	}
	if (b->ram_size == 0)
		diag_error(d, "board /memory", NULL, "no RAM found");
}

static void parse_devices(struct board *b, const struct dtb *t, int parent, struct cells c, struct diag *d, int depth)
{
	for (int n = dtb_first_child(t, parent); n >= 0; n = dtb_next_sibling(t, n)) {
		uint64_t base, size;
		if (!dtb_is_enabled(t, n))
			continue;
		if (dtb_is_compatible(t, n, "arm,gic-v3")) {
			if (!reg_at(t, n, c, 0, &b->gicd_base, &b->gicd_size) ||
			    !reg_at(t, n, c, 1, &b->gicr_base, &b->gicr_size))
				diag_error(d, "board GIC", NULL,
					   "arm,gic-v3 node without distributor and redistributor reg");
		} else if (dtb_is_compatible(t, n, "arm,pl011") && b->uart_base == 0) {
			if (reg_at(t, n, c, 0, &base, &size) && intid_at(t, n, 0, &b->uart_intid))
				b->uart_base = base;
		} else if (dtb_is_compatible(t, n, "arm,armv8-timer")) {
			for (uint32_t i = 0; i < 4; i++)
				if (!intid_at(t, n, i, &b->timer_intid[i]))
					diag_error(d, "board timer", NULL, "timer interrupt %u missing", i);
		} else if (dtb_is_compatible(t, n, "virtio,mmio")) {
			uint32_t intid;
			if (b->virtio_count < FV_VIRTIO_SLOTS && reg_at(t, n, c, 0, &base, &size) &&
			    intid_at(t, n, 0, &intid)) {
				/* insertion sort by address: slot n is the n-th lowest */
				uint32_t i = b->virtio_count++;
				while (i > 0 && b->virtio[i - 1].base > base) {
					b->virtio[i] = b->virtio[i - 1];
					i--;
				}
				b->virtio[i] = (struct board_virtio){ base, size, intid };
			}
		} else if (dtb_is_compatible(t, n, "cfi-flash")) {
			if (reg_at(t, n, c, 0, &base, &size)) {
				b->flash_base = base;
				b->flash_size = size;
			}
		} else if (dtb_is_compatible(t, n, "arm,psci-0.2") || dtb_is_compatible(t, n, "arm,psci-1.0")) {
			uint32_t len;
			const char *m = dtb_prop(t, n, "method", &len);
			b->psci_smc = m && len == 4 && memcmp(m, "smc", 4) == 0;
		} else if (depth < 2 && (dtb_is_compatible(t, n, "simple-bus"))) {
			parse_devices(b, t, n, node_cells(t, n), d, depth + 1);
		}
	}
}

bool board_parse(struct board *b, const void *blob, size_t avail, struct diag *d)
{
	struct dtb t;
	unsigned int errors = d->error_count;

	memset(b, 0, sizeof(*b));
	int rc = dtb_open(&t, blob, avail);
	if (rc < 0) {
		diag_error(d, "board device tree", NULL, "not a valid device tree (error %d)", rc);
		return false;
	}
	int root = dtb_root(&t);
	struct cells rc_cells = node_cells(&t, root);
	uint32_t len;
	const char *model = dtb_prop(&t, root, "model", &len);
	if (model)
		str_copy(b->model, model, MIN(sizeof(b->model), (size_t)len + 1));
	else
		str_copy(b->model, "unknown board", sizeof(b->model));
	parse_cpus(b, &t, d);
	parse_memory(b, &t, rc_cells, d);
	parse_devices(b, &t, root, rc_cells, d, 0);
	if (b->gicd_base == 0)
		diag_error(d, "board GIC", NULL, "no GICv3 found");
	if (b->uart_base == 0)
		diag_error(d, "board UART", NULL, "no PL011 UART found");
	if (b->timer_intid[2] == 0)
		diag_error(d, "board timer", NULL, "no architected timer found");
	return d->error_count == errors;
}
