// SPDX-License-Identifier: MIT
/*
 * The two services every step of fvimage uses: reporting an error at a
 * place of the configuration (node, property) and keeping the table of
 * files to store in flash. This is the leaf of the tool: it calls nothing
 * of it but srcmap_find, so config.c, guestdt.c and the rest can call it
 * without calling back into main.c, and a test or fuzzer links the same
 * code the tool runs.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "fvimage.h"

/* The report of the command line: "file:line: node: prop: reason" on stderr. */
void tool_report(struct diag *d, const char *where, const char *prop, const char *what)
{
	struct tool *t = (struct tool *)((char *)d - offsetof(struct tool, diag));
	const char *pos = srcmap_find(t->srcmap, where, prop);

	if (pos)
		fprintf(stderr, "%s: ", pos);
	else
		fprintf(stderr, "%s: ", t->config_path);
	if (prop)
		fprintf(stderr, "%s: %s: %s\n", where, prop, what);
	else
		fprintf(stderr, "%s: %s\n", where, what);
}

/* Counts the error, then hands it to whoever reports for this run (t->diag.report). */
void tool_error(struct tool *t, const char *where, const char *prop, const char *fmt, ...)
{
	char what[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	t->diag.error_count++;
	if (t->diag.report)
		t->diag.report(&t->diag, where, prop, what);
}

/* Takes ownership of data; returns the file's image index, or MANIFEST_NO_IMAGE (reported). */
uint32_t tool_add_blob(struct tool *t, const char *name, const char *path, uint8_t *data, size_t size)
{
	/* Each file is stored once, however many VMs load it. */
	for (uint32_t i = 0; i < t->blob_count; i++) {
		if (t->blob[i].size == size && memcmp(t->blob[i].data, data, size) == 0) {
			free(data);
			return i;
		}
	}
	if (t->blob_count == FV_MAX_IMAGES) {
		tool_error(t, "/vms", NULL, "more than %u distinct images", FV_MAX_IMAGES);
		free(data);
		return MANIFEST_NO_IMAGE;
	}
	struct blob *b = &t->blob[t->blob_count];
	snprintf(b->name, sizeof(b->name), "%.*s", FV_NAME_MAX - 1, name);
	snprintf(b->path, sizeof(b->path), "%s", path);
	b->data = data;
	b->size = size;
	return t->blob_count++;
}
