// SPDX-License-Identifier: MIT
/*
 * fvimage: build a Flashvisor flash image from a VM configuration.
 *
 *   fvimage [-o flash.bin] [--hv flashvisor.bin] [-I dir]... config.dts
 *   fvimage --check [-I dir]... config.dts      validate only
 *   fvimage --dump flash.bin                    print an image's manifest
 *
 * Every error names the file, the line, the node and property, and the
 * reason; if there is any, no image is written (the output is written to a
 * temporary file and renamed into place only when complete).
 */
#include <stdio.h>
#include <string.h>

#include <fv/manifest.h>

#include "fvimage.h"

static void usage(void)
{
	fprintf(stderr, "usage: fvimage [-o flash.bin] [--hv flashvisor.bin] [-I dir]... config.dts\n"
			"       fvimage --check [-I dir]... config.dts\n"
			"       fvimage --dump flash.bin\n");
}

int main(int argc, char **argv)
{
	static struct tool tool; /* one per run */
	struct tool *t = &tool;
	const char *out = "flash.bin";
	bool check_only = false;
	static const char *search[16];

	t->diag.report = tool_report;
	t->hv_path = "build/flashvisor.bin";
	t->search = search;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "-o") == 0 && i + 1 < argc)
			out = argv[++i];
		else if (strcmp(a, "--hv") == 0 && i + 1 < argc)
			t->hv_path = argv[++i];
		else if (strcmp(a, "-I") == 0 && i + 1 < argc && t->search_count < 16)
			search[t->search_count++] = argv[++i];
		else if (strcmp(a, "--check") == 0)
			check_only = true;
		else if (strcmp(a, "--dump") == 0 && i + 1 < argc)
			return flash_dump(argv[i + 1]);
		else if (a[0] == '-' || t->config_path) {
			usage();
			return 2;
		} else
			t->config_path = a;
	}
	if (!t->config_path) {
		usage();
		return 2;
	}
	void *fdt = load_config(t);
	if (!fdt)
		return 1;
	if (!load_hv(t))
		return 1;
	config_read(t, fdt);
	if (t->diag.error_count == 0)
		flash_assemble(t);
	if (t->diag.error_count == 0)
		manifest_validate(&t->m, t->m.image_end, &t->diag);
	if (t->diag.error_count) {
		fprintf(stderr, "%s: %u error(s); no image written\n", t->config_path, t->diag.error_count);
		return 1;
	}
	if (check_only) {
		printf("%s: valid\n", t->config_path);
		return 0;
	}
	if (!flash_write(t, out))
		return 1;
	flash_print_summary(t, out);
	return 0;
}
