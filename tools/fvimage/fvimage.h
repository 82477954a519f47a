/* SPDX-License-Identifier: MIT */
/*
 * fvimage, the flash image tool: reads a VM configuration (device tree
 * source, compiled with dtc, read with libfdt), checks it with the same
 * validator the hypervisor runs, and writes hypervisor + manifest + images.
 */
#ifndef FVIMAGE_H
#define FVIMAGE_H

#include <fv/manifest.h>
#include <stdio.h>
#include <sys/types.h>

#define MAX_BOOTARGS 1024

/* One file to store in flash, in memory until the image is written. */
struct blob {
	char name[FV_NAME_MAX];
	char path[4096];
	uint8_t *data;
	size_t size;
};

struct tool {
	const char *config_path; /* as the user named it */
	const char *hv_path;
	const char **search; /* extra directories for relative image paths */
	int search_count;
	struct manifest m;
	struct blob blob[FV_MAX_IMAGES];
	uint32_t blob_count;
	char bootargs[FV_MAX_VMS][MAX_BOOTARGS];
	struct diag diag;
	struct srcmap *srcmap;
	uint8_t *hv;
	size_t hv_size;
};

/* spawn.c: a helper program run with an argument vector (never a shell).
 * With out_fd, its standard output is a pipe returned there; quiet sends
 * its standard error to /dev/null. -1 if it cannot be started. */
pid_t spawn_argv(char *const argv[], int *out_fd, bool quiet);
/* Its exit status (128 + signal if killed). */
int spawn_wait(pid_t pid);
/* A path as an argument: "./" in front of one that starts with '-'. */
const char *spawn_path_arg(const char *path, char *buf, size_t size);

/* srcmap.c: node path / property -> "file:line" from dtc's annotated output. */
struct srcmap;
struct srcmap *srcmap_load(const char *dts_path);
const char *srcmap_find(const struct srcmap *map, const char *node, const char *prop);
void srcmap_free(struct srcmap *map);

/* config.c */
bool config_read(struct tool *t, const void *fdt);

/* guestdt.c: the device tree a VM boots with. */
bool guestdt_build(struct tool *t, uint32_t vm, uint8_t **out, size_t *size, uint64_t *kaslr_offset);

/* load.c: the configuration (NULL if unreadable, said on stderr) and the hypervisor binary. */
bool load_dtb_ok(const void *fdt, size_t size);
void *load_config(struct tool *t);
bool load_hv(struct tool *t);

/* flash.c: placement, digests and the file written; --dump. */
bool flash_assemble(struct tool *t);
bool flash_write(struct tool *t, const char *out);
void flash_print_summary(const struct tool *t, const char *out);
int flash_dump(const char *path);

/* tool.c: error reports and the blob table, for every other unit of the tool. */
void tool_report(struct diag *d, const char *where, const char *prop, const char *what);
void tool_error(struct tool *t, const char *where, const char *prop, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
uint32_t tool_add_blob(struct tool *t, const char *name, const char *path, uint8_t *data, size_t size);

#endif
