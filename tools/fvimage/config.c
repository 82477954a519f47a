// SPDX-License-Identifier: MIT
/*
 * Reading a VM configuration (see docs/config.md) into a manifest. Every
 * property is checked for its type and meaning here; the relations between
 * VMs (shared CPUs, overlapping memory, devices given twice, sizes) are left
 * to the shared validator, which the hypervisor runs too.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <libfdt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <fv/image.h>
#include <fv/sha256.h>
#include <plat/layout.h>

#include "fvimage.h"

#define KERNEL_DTB_GAP SZ_2M

static const char *const vm_props[] = { "cpus",     "memory",      "guest-address",
					"kernel",   "initrd",      "bootargs",
					"boot",     "virtio-mmio", "isolation-breaking-dma",
					"on-crash", "entry",       NULL };
static const char *const board_props[] = { "cpus", "memory", "model", NULL };

static bool known(const char *const *list, const char *name)
{
	for (; *list; list++)
		if (strcmp(*list, name) == 0)
			return true;
	return false;
}

/* Reject properties and subnodes the format does not define. */
static void check_unknown(struct tool *t, const void *fdt, int node, const char *where, const char *const *props)
{
	int p;
	fdt_for_each_property_offset(p, fdt, node) {
		const char *name;
		fdt_getprop_by_offset(fdt, p, &name, NULL);
		if (!known(props, name) && strcmp(name, "phandle") != 0)
			tool_error(t, where, name, "unknown property (known: see docs/config.md)");
	}
	int c;
	fdt_for_each_subnode(c, fdt, node)
		tool_error(t, where, fdt_get_name(fdt, c, NULL), "unknown node");
}

static bool get_u32_list(struct tool *t, const void *fdt, int node, const char *where, const char *prop, uint32_t *out,
			 uint32_t max, uint32_t *count)
{
	int len;
	const fdt32_t *v = fdt_getprop(fdt, node, prop, &len);
	*count = 0;
	if (!v)
		return false;
	if (len % 4 || len == 0) {
		tool_error(t, where, prop, "expects a list of 32-bit cells, like <0 1>");
		return false;
	}
	if ((uint32_t)len / 4 > max) {
		tool_error(t, where, prop, "%d entries, at most %u", len / 4, max);
		return false;
	}
	for (int i = 0; i < len / 4; i++)
		out[i] = fdt32_to_cpu(v[i]);
	*count = (uint32_t)len / 4;
	return true;
}

/* A list of (64-bit, 64-bit) pairs written as 4 cells each: <hi lo hi lo>. */
static int get_pairs(struct tool *t, const void *fdt, int node, const char *where, const char *prop, uint64_t (*out)[2],
		     int max, int cells_per_item)
{
	int len;
	const fdt32_t *v = fdt_getprop(fdt, node, prop, &len);
	if (!v)
		return -1;
	int item = cells_per_item * 4;
	if (len == 0 || len % item) {
		tool_error(t, where, prop,
			   cells_per_item == 4 ? "expects <base-hi base-lo size-hi size-lo> entries"
					       : "expects <address-hi address-lo> entries");
		return 0;
	}
	int n = len / item;
	if (n > max) {
		tool_error(t, where, prop, "%d entries, at most %d", n, max);
		return 0;
	}
	for (int i = 0; i < n; i++) {
		const fdt32_t *c = v + i * cells_per_item;
		out[i][0] = ((uint64_t)fdt32_to_cpu(c[0]) << 32) | fdt32_to_cpu(c[1]);
		out[i][1] = cells_per_item == 4 ? ((uint64_t)fdt32_to_cpu(c[2]) << 32) | fdt32_to_cpu(c[3]) : 0;
	}
	return n;
}

static const char *get_string(struct tool *t, const void *fdt, int node, const char *where, const char *prop)
{
	int len;
	const char *s = fdt_getprop(fdt, node, prop, &len);
	if (!s)
		return NULL;
	if (len < 1 || s[len - 1] != '\0' || strlen(s) != (size_t)len - 1) {
		tool_error(t, where, prop, "expects one string, like \"text\"");
		return NULL;
	}
	return s;
}

/*
 * A file the config names is a plain relative path: names of letters,
 * digits, '.', '_', '-' and '+', separated by '/'; no name "." or "..",
 * none empty, none starting with '-'. So it stays inside the config's
 * folder (or a search directory) and means nothing to any program.
 */
static const char *not_plain(const char *file)
{
	if (file[0] == '\0')
		return "it is empty";
	if (file[0] == '/')
		return "an absolute path: name a file next to the configuration or in a search directory (-I)";
	for (const char *name = file; *name;) {
		size_t n = strcspn(name, "/");
		if (n == 0)
			return "it has an empty name between two '/'";
		if ((n == 1 && name[0] == '.') || (n == 2 && name[0] == '.' && name[1] == '.'))
			return "\".\" and \"..\" are not allowed: the file must lie inside the configuration's folder";
		if (name[0] == '-')
			return "a name may not start with '-'";
		for (size_t i = 0; i < n; i++) {
			char c = name[i];
			if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
			      c == '_' || c == '-' || c == '+'))
				return "only letters, digits, '.', '_', '-', '+' and '/' between names are allowed";
		}
		name += n;
		if (*name == '/' && *++name == '\0')
			return "it ends with '/'";
	}
	return NULL;
}

/* Find an image file: next to the config, else in a search directory. */
static bool resolve(struct tool *t, const char *file, char *out, size_t size)
{
	struct stat st;
	char *dir = strdup(t->config_path);
	char *slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	snprintf(out, size, "%s/%s", slash ? dir : ".", file);
	free(dir);
	if (stat(out, &st) == 0 && S_ISREG(st.st_mode))
		return true;
	for (int i = 0; i < t->search_count; i++) {
		snprintf(out, size, "%s/%s", t->search[i], file);
		if (stat(out, &st) == 0 && S_ISREG(st.st_mode))
			return true;
	}
	return false;
}

static bool read_file(const char *path, uint8_t **data, size_t *size, const char **why)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		*why = strerror(errno);
		return false;
	}
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	if (n <= 0) {
		fclose(f);
		*why = "the file is empty";
		return false;
	}
	if ((uint64_t)n > PLAT_FLASH_SIZE) {
		fclose(f);
		*why = "the file is larger than the whole flash (64 MiB)";
		return false;
	}
	*data = malloc((size_t)n);
	if (!*data || fread(*data, 1, (size_t)n, f) != (size_t)n) {
		fclose(f);
		free(*data);
		*why = "read error";
		return false;
	}
	fclose(f);
	*size = (size_t)n;
	return true;
}

/* Load an image file named by a property; returns its image index or MANIFEST_NO_IMAGE. */
static uint32_t load_image_prop(struct tool *t, const void *fdt, int node, const char *where, const char *prop)
{
	const char *file = get_string(t, fdt, node, where, prop);
	char path[4096];
	const char *why;
	uint8_t *data;
	size_t size;

	if (!file)
		return MANIFEST_NO_IMAGE;
	const char *bad = not_plain(file);
	if (bad) {
		tool_error(t, where, prop, "file name \"%s\" is not a plain relative path: %s", file, bad);
		return MANIFEST_NO_IMAGE;
	}
	if (!resolve(t, file, path, sizeof(path))) {
		tool_error(t, where, prop, "file \"%s\" not found (looked next to the configuration%s)", file,
			   t->search_count ? " and in the search directories" : "");
		return MANIFEST_NO_IMAGE;
	}
	if (!read_file(path, &data, &size, &why)) {
		tool_error(t, where, prop, "cannot read \"%s\": %s", path, why);
		return MANIFEST_NO_IMAGE;
	}
	const char *base = strrchr(file, '/');
	return tool_add_blob(t, base ? base + 1 : file, path, data, size);
}

static void read_board(struct tool *t, const void *fdt)
{
	int node = fdt_path_offset(fdt, "/board");
	uint32_t cpus[1] = { 0 }, n;
	uint64_t mem[1][2] = { { 0 } };

	if (node < 0) {
		tool_error(t, "/", "board", "missing node /board (the board's CPUs and memory)");
		return;
	}
	check_unknown(t, fdt, node, "/board", board_props);
	const char *model = get_string(t, fdt, node, "/board", "model");
	if (model && strcmp(model, PLAT_NAME) != 0)
		tool_error(t, "/board", "model", "\"%s\": this build is for \"%s\"", model, PLAT_NAME);
	if (!get_u32_list(t, fdt, node, "/board", "cpus", cpus, 1, &n))
		tool_error(t, "/board", "cpus", "missing: how many CPUs the board has, like <4>");
	else
		t->m.board.cpu_count = cpus[0];
	if (get_pairs(t, fdt, node, "/board", "memory", mem, 1, 4) == 1) {
		t->m.board.ram_base = mem[0][0];
		t->m.board.ram_size = mem[0][1];
	} else if (!fdt_getprop(fdt, node, "memory", NULL)) {
		tool_error(t, "/board", "memory", "missing: the board's RAM, like <0x0 0x40000000 0x0 0x80000000>");
	}
	t->m.board.flash_size = PLAT_FLASH_SIZE;
}

static uint32_t enum_prop(struct tool *t, const void *fdt, int node, const char *where, const char *prop,
			  const char *const *names, uint32_t dflt)
{
	const char *s = get_string(t, fdt, node, where, prop);
	if (!s)
		return dflt;
	for (uint32_t i = 0; names[i]; i++)
		if (names[i][0] && strcmp(names[i], s) == 0)
			return i;
	char list[128] = "";
	for (uint32_t i = 0; names[i]; i++)
		if (names[i][0])
			snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s\"%s\"", list[0] ? ", " : "",
				 names[i]);
	tool_error(t, where, prop, "\"%s\" is not one of %s", s, list);
	return dflt;
}

/*
 * The emulated devices every VM's board has, where QEMU's virt board has
 * them (fv/devices.h lists the kinds). Each is a manifest device entry: the
 * hypervisor creates its model from it, the guest DT describes it from it.
 * The SP805 sits in a window the board leaves free, on an unused SPI.
 */
#define BOARD_WDT_BASE 0x090c0000ULL
#define BOARD_WDT_INTID 42U

static void add_board_devices(struct manifest_vm *vm)
{
	uint32_t cpus = vm->cpu_count ? vm->cpu_count : 1;
	const struct manifest_device defaults[] = {
		{ DEVICE_GICD, 0, 0, VBOARD_GICD_BASE, VBOARD_GICD_SIZE, 0, 0 },
		{ DEVICE_GICR, 0, 0, VBOARD_GICR_BASE, VBOARD_GICR_STRIDE * cpus, 0, 0 },
		{ DEVICE_PL011, 0, 0, VBOARD_UART_BASE, VBOARD_UART_SIZE, VBOARD_UART_INTID, 0 },
		{ DEVICE_SP805, 0, 0, BOARD_WDT_BASE, 0x1000, BOARD_WDT_INTID, 0 },
	};

	for (size_t i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++)
		vm->device[vm->device_count++] = defaults[i];
}

/* Place kernel, device tree and initrd in the VM's first RAM region. */
static void layout(struct tool *t, struct manifest_vm *vm, const char *where)
{
	const struct manifest_mem *ram = &vm->mem[0];
	uint64_t base = ALIGN_UP(ram->ipa, SZ_2M);
	struct blob *k = vm->kernel.image != MANIFEST_NO_IMAGE ? &t->blob[vm->kernel.image] : NULL;

	if (!k)
		return;
	if (vm->boot == VM_BOOT_LINUX) {
		struct linux_image_info info;
		const char *why;
		if (!image_linux_parse(k->data, k->size, &info, &why)) {
			tool_error(t, where, "kernel", "%s: %s", k->path, why);
			return;
		}
		vm->kernel.ipa = base + info.text_offset;
		vm->kernel.reserve = info.image_size;
		vm->entry = vm->kernel.ipa;
	} else {
		base = ram->ipa;
		vm->kernel.ipa = base;
		vm->kernel.reserve = ALIGN_UP(k->size, SZ_4K);
		if (!vm->entry)
			vm->entry = base;
		else
			vm->entry += base; /* "entry" is an offset into the binary */
	}
	vm->dtb.ipa = ALIGN_UP(vm->kernel.ipa + vm->kernel.reserve, SZ_2M);
	vm->dtb.reserve = SZ_2M;
	if (vm->initrd.image != MANIFEST_NO_IMAGE) {
		vm->initrd.ipa = vm->dtb.ipa + KERNEL_DTB_GAP;
		vm->initrd.reserve = ALIGN_UP(t->blob[vm->initrd.image].size, SZ_4K);
	}
}

static void read_vm(struct tool *t, const void *fdt, int node, uint32_t index)
{
	static const char *const boots[] = { "", "linux", "bare", NULL };
	static const char *const crash[] = { "restart", "stop", "halt-board", NULL };
	struct manifest_vm *vm = &t->m.vm[index];
	const char *name = fdt_get_name(fdt, node, NULL);
	char where[FV_NAME_MAX + 64];
	uint32_t list[FV_MAX_VM_SLOTS + 1] = { 0 }, n;
	uint64_t mem[FV_MAX_VM_MEM][2] = { { 0 } }, ipa[FV_MAX_VM_MEM][2] = { { 0 } };

	snprintf(where, sizeof(where), "/vms/%s", name);
	if (strlen(name) >= FV_NAME_MAX) {
		tool_error(t, where, NULL, "VM name longer than %d characters", FV_NAME_MAX - 1);
		return;
	}
	snprintf(vm->name, sizeof(vm->name), "%s", name);
	check_unknown(t, fdt, node, where, vm_props);
	vm->boot = enum_prop(t, fdt, node, where, "boot", boots, VM_BOOT_LINUX);
	vm->on_crash = enum_prop(t, fdt, node, where, "on-crash", crash, VM_ON_CRASH_RESTART);

	uint32_t cpus[FV_MAX_VCPUS + 1] = { 0 };
	if (!get_u32_list(t, fdt, node, where, "cpus", cpus, FV_MAX_VCPUS, &n)) {
		if (!fdt_getprop(fdt, node, "cpus", NULL))
			tool_error(t, where, "cpus", "missing: the board CPUs this VM runs on, like <0 1>");
	} else {
		vm->cpu_count = n;
		for (uint32_t i = 0; i < n; i++) {
			if (cpus[i] > 255) {
				tool_error(t, where, "cpus", "CPU %u does not exist", cpus[i]);
				vm->cpu[i] = 255;
			} else {
				vm->cpu[i] = (uint8_t)cpus[i];
			}
		}
	}

	int nm = get_pairs(t, fdt, node, where, "memory", mem, FV_MAX_VM_MEM, 4);
	if (nm < 0)
		tool_error(t, where, "memory",
			   "missing: physical RAM for this VM, like <0x0 0x48000000 0x0 0x10000000>");
	int ni = get_pairs(t, fdt, node, where, "guest-address", ipa, FV_MAX_VM_MEM, 2);
	if (ni > 0 && ni != nm)
		tool_error(t, where, "guest-address", "%d addresses for %d memory regions", ni, nm);
	for (int i = 0; i < nm; i++) {
		vm->mem[i].pa = mem[i][0];
		vm->mem[i].size = mem[i][1];
		vm->mem[i].ipa = ni == nm ? ipa[i][0] : mem[i][0];
	}
	vm->mem_count = nm > 0 ? (uint32_t)nm : 0;

	add_board_devices(vm);
	int flag_len;
	if (fdt_getprop(fdt, node, "isolation-breaking-dma", &flag_len)) {
		if (flag_len != 0)
			tool_error(t, where, "isolation-breaking-dma",
				   "a flag: write it with no value, like isolation-breaking-dma;");
		vm->flags |= VM_FLAG_UNISOLATED_DMA;
	}
	if (get_u32_list(t, fdt, node, where, "virtio-mmio", list, FV_MAX_VM_SLOTS, &n)) {
		for (uint32_t i = 0; i < n; i++) {
			uint64_t pa = PLAT_VIRTIO_BASE + (uint64_t)list[i] * PLAT_VIRTIO_STRIDE;
			vm->device[vm->device_count++] = (struct manifest_device){ DEVICE_VIRTIO_MMIO,
										   list[i],
										   pa,
										   pa,
										   PLAT_VIRTIO_STRIDE,
										   PLAT_VIRTIO_INTID_BASE + list[i],
										   0 };
		}
	}

	uint32_t entry[1] = { 0 };
	if (get_u32_list(t, fdt, node, where, "entry", entry, 1, &n)) {
		if (vm->boot != VM_BOOT_BARE)
			tool_error(t, where, "entry", "only a bare-metal VM (boot = \"bare\") sets its entry offset");
		vm->entry = entry[0];
	}
	vm->kernel.image = load_image_prop(t, fdt, node, where, "kernel");
	if (vm->kernel.image == MANIFEST_NO_IMAGE && !fdt_getprop(fdt, node, "kernel", NULL))
		tool_error(t, where, "kernel", "missing: the kernel (or bare-metal binary) file");
	vm->initrd.image = load_image_prop(t, fdt, node, where, "initrd");
	vm->dtb.image = MANIFEST_NO_IMAGE;
	const char *args = get_string(t, fdt, node, where, "bootargs");
	if (args && strlen(args) >= MAX_BOOTARGS)
		tool_error(t, where, "bootargs", "longer than %d characters", MAX_BOOTARGS - 1);
	else if (args)
		snprintf(t->bootargs[index], MAX_BOOTARGS, "%s", args);
	if (vm->mem_count)
		layout(t, vm, where);
}

bool config_read(struct tool *t, const void *fdt)
{
	unsigned int errors = t->diag.error_count;
	int root = fdt_path_offset(fdt, "/");

	if (fdt_node_check_compatible(fdt, root, "flashvisor,config-1") != 0)
		tool_error(t, "/", "compatible", "must be \"flashvisor,config-1\"");
	int p;
	fdt_for_each_property_offset(p, fdt, root) {
		const char *name;
		fdt_getprop_by_offset(fdt, p, &name, NULL);
		if (strcmp(name, "compatible") != 0)
			tool_error(t, "/", name, "unknown property");
	}
	int c;
	fdt_for_each_subnode(c, fdt, root) {
		const char *name = fdt_get_name(fdt, c, NULL);
		if (strcmp(name, "board") != 0 && strcmp(name, "vms") != 0)
			tool_error(t, "/", name, "unknown node (expected /board and /vms)");
	}
	read_board(t, fdt);
	int vms = fdt_path_offset(fdt, "/vms");
	if (vms < 0) {
		tool_error(t, "/", "vms", "missing node /vms with one node per VM");
		return false;
	}
	uint32_t count = 0;
	fdt_for_each_subnode(c, fdt, vms) {
		if (count == FV_MAX_VMS) {
			tool_error(t, "/vms", NULL, "more than %u VMs", FV_MAX_VMS);
			break;
		}
		read_vm(t, fdt, c, count++);
	}
	if (count == 0)
		tool_error(t, "/vms", NULL, "no VM configured");
	t->m.vm_count = count;
	return t->diag.error_count == errors;
}
