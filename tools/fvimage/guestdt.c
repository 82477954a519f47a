// SPDX-License-Identifier: MIT
/*
 * The device tree each VM boots with, written with libfdt's sequential-write
 * API. It describes exactly what the VM is given: its vCPUs (PSCI via HVC),
 * its memory at its guest addresses, the architected timer, each of its
 * devices as its manifest entry says (one writer per kind of fv/devices.h,
 * `<prefix>_dt` below: the virtual GICv3 with one redistributor per vCPU,
 * the PL011 console, the SP805 watchdog, virtio-mmio slots), and /chosen
 * with bootargs, initrd and a KASLR seed that the hypervisor refreshes at
 * every start. Bindings: arm,gic-v3, arm,armv8-timer, arm,pl011, arm,sp805,
 * virtio,mmio, arm,psci-1.0 (Linux Documentation/devicetree/bindings).
 */
#include <libfdt.h>
#include <stdlib.h>
#include <string.h>

#include <fv/vwdt.h>
#include <plat/layout.h>

#include "fvimage.h"

#define PHANDLE_GIC 1
#define PHANDLE_CLK 2
#define PHANDLE_WDT_CLK 3
#define DT_SPACE 65536
#define GIC_SPI 0
#define GIC_PPI 1
#define IRQ_EDGE_RISING 1
#define IRQ_LEVEL_HIGH 4

static int prop_u64_pair(void *fdt, const char *name, uint64_t a, uint64_t b)
{
	fdt64_t v[2] = { cpu_to_fdt64(a), cpu_to_fdt64(b) };
	return fdt_property(fdt, name, v, sizeof(v));
}

static int prop_cells(void *fdt, const char *name, const uint32_t *cells, int n)
{
	fdt32_t v[16];
	for (int i = 0; i < n; i++)
		v[i] = cpu_to_fdt32(cells[i]);
	return fdt_property(fdt, name, v, n * 4);
}

static int node_name(char *buf, size_t size, const char *base, uint64_t addr)
{
	return snprintf(buf, size, "%s@%llx", base, (unsigned long long)addr);
}

static int cpus_node(void *fdt, const struct manifest_vm *vm)
{
	int err = 0;
	char name[32];

	err |= fdt_begin_node(fdt, "cpus");
	err |= fdt_property_u32(fdt, "#address-cells", 1);
	err |= fdt_property_u32(fdt, "#size-cells", 0);
	for (uint32_t i = 0; i < vm->cpu_count; i++) {
		node_name(name, sizeof(name), "cpu", i);
		err |= fdt_begin_node(fdt, name);
		err |= fdt_property_string(fdt, "device_type", "cpu");
		err |= fdt_property_string(fdt, "compatible", "arm,armv8");
		err |= fdt_property_u32(fdt, "reg", i);
		err |= fdt_property_string(fdt, "enable-method", "psci");
		err |= fdt_end_node(fdt);
	}
	err |= fdt_end_node(fdt);
	return err;
}

/* Where a device's node says the console is (the PL011's writer fills it). */
struct dt_ctx {
	char stdout_path[48];
};

static const struct manifest_device *find_device(const struct manifest_vm *vm, uint32_t kind)
{
	for (uint32_t i = 0; i < vm->device_count && i < FV_MAX_VM_DEVICES; i++)
		if (vm->device[i].kind == kind)
			return &vm->device[i];
	return NULL;
}

/* The distributor's node carries the redistributors' window too (arm,gic-v3). */
static int vgicd_dt(void *fdt, const struct manifest_vm *vm, const struct manifest_device *d, struct dt_ctx *c)
{
	int err = 0;
	char name[32];
	const struct manifest_device *r = find_device(vm, DEVICE_GICR);
	fdt64_t reg[4] = { cpu_to_fdt64(d->ipa), cpu_to_fdt64(d->size), cpu_to_fdt64(r ? r->ipa : 0),
			   cpu_to_fdt64(r ? r->size : 0) };

	node_name(name, sizeof(name), "interrupt-controller", d->ipa);
	err |= fdt_begin_node(fdt, name);
	err |= fdt_property_string(fdt, "compatible", "arm,gic-v3");
	err |= fdt_property_u32(fdt, "#interrupt-cells", 3);
	err |= fdt_property(fdt, "interrupt-controller", NULL, 0);
	err |= fdt_property_u32(fdt, "#redistributor-regions", 1);
	err |= fdt_property(fdt, "reg", reg, sizeof(reg));
	err |= fdt_property_u32(fdt, "phandle", PHANDLE_GIC);
	err |= fdt_end_node(fdt);
	return err;
}

static int vgicr_dt(void *fdt, const struct manifest_vm *vm, const struct manifest_device *d, struct dt_ctx *c)
{
	return 0; /* in the distributor's node */
}

static int timer_and_psci(void *fdt)
{
	int err = 0;
	/* secure phys, non-secure phys, virtual, hypervisor: PPIs 13, 14, 11, 10 */
	const uint32_t irqs[12] = { GIC_PPI, PLAT_TIMER_SEC_PHYS_INTID - 16, IRQ_LEVEL_HIGH,
				    GIC_PPI, PLAT_TIMER_PHYS_INTID - 16,     IRQ_LEVEL_HIGH,
				    GIC_PPI, PLAT_TIMER_VIRT_INTID - 16,     IRQ_LEVEL_HIGH,
				    GIC_PPI, PLAT_TIMER_HYP_INTID - 16,      IRQ_LEVEL_HIGH };

	err |= fdt_begin_node(fdt, "timer");
	err |= fdt_property_string(fdt, "compatible", "arm,armv8-timer");
	err |= prop_cells(fdt, "interrupts", irqs, 12);
	err |= fdt_property(fdt, "always-on", NULL, 0);
	err |= fdt_end_node(fdt);

	static const char psci_compat[] = "arm,psci-1.0\0arm,psci-0.2";
	err |= fdt_begin_node(fdt, "psci");
	err |= fdt_property(fdt, "compatible", psci_compat, sizeof(psci_compat));
	err |= fdt_property_string(fdt, "method", "hvc");
	err |= fdt_end_node(fdt);
	return err;
}

/* The APB clock of the PrimeCell devices, and the PL011's reference clock. */
static int apb_clock(void *fdt)
{
	int err = 0;

	err |= fdt_begin_node(fdt, "apb-pclk");
	err |= fdt_property_string(fdt, "compatible", "fixed-clock");
	err |= fdt_property_u32(fdt, "#clock-cells", 0);
	err |= fdt_property_u32(fdt, "clock-frequency", PLAT_UART_CLOCK_HZ);
	err |= fdt_property_string(fdt, "clock-output-names", "clk24mhz");
	err |= fdt_property_u32(fdt, "phandle", PHANDLE_CLK);
	err |= fdt_end_node(fdt);
	return err;
}

static int vpl011_dt(void *fdt, const struct manifest_vm *vm, const struct manifest_device *d, struct dt_ctx *c)
{
	int err = 0;
	char name[32];
	static const char compat[] = "arm,pl011\0arm,primecell";
	static const char clock_names[] = "uartclk\0apb_pclk";
	const uint32_t irq[3] = { GIC_SPI, d->intid - 32, IRQ_LEVEL_HIGH };
	const uint32_t clocks[2] = { PHANDLE_CLK, PHANDLE_CLK };

	node_name(name, sizeof(name), "pl011", d->ipa);
	snprintf(c->stdout_path, sizeof(c->stdout_path), "/%s", name);
	err |= fdt_begin_node(fdt, name);
	err |= fdt_property(fdt, "compatible", compat, sizeof(compat));
	err |= prop_u64_pair(fdt, "reg", d->ipa, d->size);
	err |= prop_cells(fdt, "interrupts", irq, 3);
	err |= prop_cells(fdt, "clocks", clocks, 2);
	err |= fdt_property(fdt, "clock-names", clock_names, sizeof(clock_names));
	err |= fdt_end_node(fdt);
	return err;
}

static int vwdt_dt(void *fdt, const struct manifest_vm *vm, const struct manifest_device *d, struct dt_ctx *c)
{
	int err = 0;
	char name[32];
	static const char compat[] = "arm,sp805\0arm,primecell";
	static const char clock_names[] = "wdog_clk\0apb_pclk";
	const uint32_t irq[3] = { GIC_SPI, d->intid - 32, IRQ_LEVEL_HIGH };
	const uint32_t clocks[2] = { PHANDLE_WDT_CLK, PHANDLE_CLK };

	err |= fdt_begin_node(fdt, "wdt-clk");
	err |= fdt_property_string(fdt, "compatible", "fixed-clock");
	err |= fdt_property_u32(fdt, "#clock-cells", 0);
	err |= fdt_property_u32(fdt, "clock-frequency", VWDT_CLOCK_HZ);
	err |= fdt_property_string(fdt, "clock-output-names", "wdtclk");
	err |= fdt_property_u32(fdt, "phandle", PHANDLE_WDT_CLK);
	err |= fdt_end_node(fdt);

	node_name(name, sizeof(name), "watchdog", d->ipa);
	err |= fdt_begin_node(fdt, name);
	err |= fdt_property(fdt, "compatible", compat, sizeof(compat));
	err |= prop_u64_pair(fdt, "reg", d->ipa, d->size);
	err |= prop_cells(fdt, "interrupts", irq, 3);
	err |= prop_cells(fdt, "clocks", clocks, 2);
	err |= fdt_property(fdt, "clock-names", clock_names, sizeof(clock_names));
	err |= fdt_end_node(fdt);
	return err;
}

static int passthrough_dt(void *fdt, const struct manifest_vm *vm, const struct manifest_device *d, struct dt_ctx *c)
{
	int err = 0;
	char name[40];
	const uint32_t irq[3] = { GIC_SPI, d->intid - 32, IRQ_EDGE_RISING };

	node_name(name, sizeof(name), "virtio_mmio", d->ipa);
	err |= fdt_begin_node(fdt, name);
	err |= fdt_property_string(fdt, "compatible", "virtio,mmio");
	err |= prop_u64_pair(fdt, "reg", d->ipa, d->size);
	err |= prop_cells(fdt, "interrupts", irq, 3);
	err |= fdt_property(fdt, "dma-coherent", NULL, 0);
	err |= fdt_end_node(fdt);
	return err;
}

typedef int dt_writer(void *fdt, const struct manifest_vm *vm, const struct manifest_device *d, struct dt_ctx *c);

static const struct {
	uint32_t kind;
	dt_writer *write;
} dt_writers[] = {
#define DT_WRITER(name, code, model, prefix, flags, size) { DEVICE_##name, prefix##_dt },
	DEVICE_KINDS(DT_WRITER)
#undef DT_WRITER
};

/* Every device's node, in the order the manifest lists them. */
static int devices(void *fdt, const struct manifest_vm *vm, struct dt_ctx *c)
{
	int err = apb_clock(fdt);

	for (uint32_t i = 0; i < vm->device_count && i < FV_MAX_VM_DEVICES; i++)
		for (size_t k = 0; k < sizeof(dt_writers) / sizeof(dt_writers[0]); k++)
			if (dt_writers[k].kind == vm->device[i].kind)
				err |= dt_writers[k].write(fdt, vm, &vm->device[i], c);
	return err;
}

static int memory(void *fdt, const struct manifest_vm *vm)
{
	int err = 0;
	char name[40];

	for (uint32_t i = 0; i < vm->mem_count; i++) {
		node_name(name, sizeof(name), "memory", vm->mem[i].ipa);
		err |= fdt_begin_node(fdt, name);
		err |= fdt_property_string(fdt, "device_type", "memory");
		err |= prop_u64_pair(fdt, "reg", vm->mem[i].ipa, vm->mem[i].size);
		err |= fdt_end_node(fdt);
	}
	return err;
}

static int chosen(void *fdt, struct tool *t, uint32_t index, const char *stdout_path)
{
	const struct manifest_vm *vm = &t->m.vm[index];
	int err = 0;

	err |= fdt_begin_node(fdt, "chosen");
	err |= fdt_property_string(fdt, "bootargs", t->bootargs[index]);
	err |= fdt_property_string(fdt, "stdout-path", stdout_path);
	if (vm->initrd.image != MANIFEST_NO_IMAGE) {
		uint64_t start = vm->initrd.ipa, end = start + t->blob[vm->initrd.image].size;
		err |= fdt_property_u64(fdt, "linux,initrd-start", start);
		err |= fdt_property_u64(fdt, "linux,initrd-end", end);
	}
	err |= fdt_property_u64(fdt, "kaslr-seed", 0); /* the hypervisor writes a fresh one */
	err |= fdt_end_node(fdt);
	return err;
}

bool guestdt_build(struct tool *t, uint32_t index, uint8_t **out, size_t *size, uint64_t *kaslr_offset)
{
	const struct manifest_vm *vm = &t->m.vm[index];
	void *fdt = calloc(1, DT_SPACE);
	char model[80];
	struct dt_ctx ctx = { "" };
	int err = 0;

	err |= fdt_create(fdt, DT_SPACE);
	err |= fdt_finish_reservemap(fdt);
	err |= fdt_begin_node(fdt, "");
	err |= fdt_property_string(fdt, "compatible", "flashvisor,vm");
	snprintf(model, sizeof(model), "Flashvisor VM %s", vm->name);
	err |= fdt_property_string(fdt, "model", model);
	err |= fdt_property_u32(fdt, "#address-cells", 2);
	err |= fdt_property_u32(fdt, "#size-cells", 2);
	err |= fdt_property_u32(fdt, "interrupt-parent", PHANDLE_GIC);
	err |= cpus_node(fdt, vm);
	err |= memory(fdt, vm);
	err |= timer_and_psci(fdt);
	err |= devices(fdt, vm, &ctx);
	err |= chosen(fdt, t, index, ctx.stdout_path);
	err |= fdt_end_node(fdt);
	err |= fdt_finish(fdt);
	if (err) {
		tool_error(t, "/vms", vm->name, "cannot build the VM's device tree (libfdt error)");
		free(fdt);
		return false;
	}
	int chosen_node = fdt_path_offset(fdt, "/chosen");
	int len;
	const void *seed = fdt_getprop(fdt, chosen_node, "kaslr-seed", &len);
	*kaslr_offset = seed && len == 8 ? (uint64_t)((const uint8_t *)seed - (const uint8_t *)fdt) : 0;
	*size = fdt_totalsize(fdt);
	*out = fdt;
	return true;
}
