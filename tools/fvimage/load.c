// SPDX-License-Identifier: MIT
/*
 * What fvimage reads before it checks anything: the configuration (device
 * tree source compiled with dtc, whose errors carry file:line already, or a
 * compiled .dtb, which is anyone's and checked whole before config_read
 * looks) and the hypervisor binary with its header.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <libfdt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <fv/manifest.h>
#include <plat/layout.h>

#include "fvimage.h"

#define CONFIG_MAX_SIZE (1 << 20)

/*
 * A .dtb from outside: check all of it (names, offsets, nesting) before
 * config_read looks. Only version 17, what dtc writes: libfdt 1.6's full
 * check crashes on some pre-16 trees.
 */
bool load_dtb_ok(const void *fdt, size_t size)
{
	return size >= 40 && fdt_check_header(fdt) == 0 && fdt_totalsize(fdt) <= size && fdt_version(fdt) >= 17 &&
	       fdt_check_full(fdt, size) == 0;
}

static void *load_dtb(const char *p)
{
	FILE *f = fopen(p, "rb");
	if (!f) {
		fprintf(stderr, "%s: cannot open: %s\n", p, strerror(errno));
		return NULL;
	}
	void *fdt = calloc(1, CONFIG_MAX_SIZE);
	size_t got = fread(fdt, 1, CONFIG_MAX_SIZE, f);
	fclose(f);
	if (!load_dtb_ok(fdt, got)) {
		fprintf(stderr, "%s: not a valid device tree blob\n", p);
		free(fdt);
		return NULL;
	}
	return fdt;
}

/* Compile a .dts with dtc (its errors carry file:line already), or read a .dtb. */
void *load_config(struct tool *t)
{
	const char *p = t->config_path;
	size_t n = strlen(p);
	char tmp[] = "/tmp/fvimage-XXXXXX";

	if (n > 4 && strcmp(p + n - 4, ".dtb") == 0)
		return load_dtb(p);
	if (access(p, R_OK) != 0) {
		fprintf(stderr, "%s: cannot open: %s\n", p, strerror(errno));
		return NULL;
	}
	int fd = mkstemp(tmp);
	if (fd < 0)
		return NULL;
	close(fd);
	char arg[4096];
	char *const argv[] = {
		"dtc", "-q", "-I", "dts", "-O", "dtb", "-o", tmp, (char *)spawn_path_arg(p, arg, sizeof(arg)), NULL
	};
	pid_t pid = spawn_argv(argv, NULL, false);
	if (pid < 0) {
		fprintf(stderr, "%s: cannot run dtc (the device tree compiler): %s\n", p, strerror(errno));
		unlink(tmp);
		return NULL;
	}
	if (spawn_wait(pid) != 0) {
		fprintf(stderr, "%s: the configuration is not valid device tree source (dtc's message above)\n", p);
		unlink(tmp);
		return NULL;
	}
	FILE *f = fopen(tmp, "rb");
	void *fdt = calloc(1, CONFIG_MAX_SIZE);
	size_t got = f ? fread(fdt, 1, CONFIG_MAX_SIZE, f) : 0;
	if (f)
		fclose(f);
	unlink(tmp);
	if (got < 40 || fdt_check_header(fdt) != 0) {
		fprintf(stderr, "%s: dtc produced no usable output\n", p);
		free(fdt);
		return NULL;
	}
	t->srcmap = srcmap_load(p);
	return fdt;
}

bool load_hv(struct tool *t)
{
	FILE *f = fopen(t->hv_path, "rb");
	struct hv_header h;

	if (!f) {
		fprintf(stderr, "%s: cannot open the hypervisor binary: %s\n", t->hv_path, strerror(errno));
		return false;
	}
	t->hv = malloc(MANIFEST_FLASH_OFFSET + 1);
	t->hv_size = fread(t->hv, 1, MANIFEST_FLASH_OFFSET + 1, f);
	fclose(f);
	if (t->hv_size < HV_HEADER_OFFSET + sizeof(h)) {
		fprintf(stderr, "%s: too small to be a Flashvisor binary\n", t->hv_path);
		return false;
	}
	memcpy(&h, t->hv + HV_HEADER_OFFSET, sizeof(h));
	if (h.magic != HV_HEADER_MAGIC) {
		fprintf(stderr, "%s: no Flashvisor header: not a hypervisor binary\n", t->hv_path);
		return false;
	}
	if (h.version != MANIFEST_VERSION) {
		fprintf(stderr, "%s: reads manifest version %u, this tool writes %u\n", t->hv_path, h.version,
			(unsigned int)MANIFEST_VERSION);
		return false;
	}
	if (t->hv_size > MANIFEST_FLASH_OFFSET) {
		fprintf(stderr, "%s: larger than its %llu-byte slot in flash\n", t->hv_path,
			(unsigned long long)MANIFEST_FLASH_OFFSET);
		return false;
	}
	t->m.hv = h;
	return true;
}
