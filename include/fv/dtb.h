/* SPDX-License-Identifier: MIT */
/*
 * A read-only flattened device tree reader for the hypervisor, which must
 * read the live board tree QEMU leaves in RAM and has no C library to link
 * libfdt against. Every read is bounds-checked against the blob's declared
 * and actual size: a corrupt tree yields an error, never a wild read.
 * (The host tool uses libfdt; this reader is fuzzed against arbitrary input.)
 *
 * Nodes are named by their offset in the structure block (int >= 0);
 * negative values are errors.
 */
#ifndef FV_DTB_H
#define FV_DTB_H

#include <fv/types.h>

#define DTB_MAGIC 0xd00dfeedU
#define DTB_MAX_DEPTH 16

enum dtb_error {
	DTB_ERR_NOTFOUND = -1,
	DTB_ERR_BADMAGIC = -2,
	DTB_ERR_TRUNCATED = -3,
	DTB_ERR_BADSTRUCT = -4,
	DTB_ERR_BADVERSION = -5,
};

struct dtb {
	const uint8_t *blob;
	uint32_t size; /* totalsize, checked against the buffer */
	uint32_t struct_off;
	uint32_t struct_size;
	uint32_t strings_off;
	uint32_t strings_size;
};

/* Check the header; `avail` is how many bytes of `blob` may be read. */
int dtb_open(struct dtb *t, const void *blob, size_t avail);

/* The root node's offset. */
int dtb_root(const struct dtb *t);
/* First child / next sibling of a node, or DTB_ERR_NOTFOUND. */
int dtb_first_child(const struct dtb *t, int node);
int dtb_next_sibling(const struct dtb *t, int node);
/* A node's name ("cpu@0"), or NULL. */
const char *dtb_name(const struct dtb *t, int node);
/* A child by name; "cpus" matches "cpus" only, "memory" matches "memory@..." too. */
int dtb_child(const struct dtb *t, int node, const char *name);
/* A node by absolute path ("/cpus"). */
int dtb_path(const struct dtb *t, const char *path);

/* A property's value and length, or NULL. */
const void *dtb_prop(const struct dtb *t, int node, const char *name, uint32_t *len);
/* Big-endian cell access, bounds-checked: false if out of range. */
bool dtb_prop_u32(const struct dtb *t, int node, const char *name, uint32_t *out);
/* True if the node's "compatible" string list contains `compat`. */
bool dtb_is_compatible(const struct dtb *t, int node, const char *compat);
/* True unless the node has status = something other than "okay"/"ok". */
bool dtb_is_enabled(const struct dtb *t, int node);

/* Read `cells` (1 or 2) big-endian 32-bit cells at *pos of a property value. */
bool dtb_read_cells(const void *val, uint32_t len, uint32_t *pos, uint32_t cells, uint64_t *out);

static inline uint32_t dtb_be32(const void *p)
{
	const uint8_t *b = p;
	/* callers pass open trees: p is never NULL */
	/* NOLINTNEXTLINE(clang-analyzer-core.NullDereference) */
	return ((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16) | ((uint32_t)b[2] << 8) | b[3];
}

#endif
