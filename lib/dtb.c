// SPDX-License-Identifier: MIT
/*
 * Flattened device tree reader (see include/fv/dtb.h and the Devicetree
 * Specification v0.4, chapter 5 "Flattened Devicetree (DTB) Format").
 * The structure block is a token stream: BEGIN_NODE name, PROP len nameoff
 * value, END_NODE, NOP, END; everything 4-byte aligned.
 */
#include <fv/dtb.h>
#include <fv/string.h>

#define TOK_BEGIN_NODE 1U
#define TOK_END_NODE 2U
#define TOK_PROP 3U
#define TOK_NOP 4U
#define TOK_END 9U

#define HDR_SIZE 40U

int dtb_open(struct dtb *t, const void *blob, size_t avail)
{
	const uint8_t *b = blob;

	if (avail < HDR_SIZE)
		return DTB_ERR_TRUNCATED;
	if (dtb_be32(b) != DTB_MAGIC)
		return DTB_ERR_BADMAGIC;
	uint32_t total = dtb_be32(b + 4);
	uint32_t off_struct = dtb_be32(b + 8);
	uint32_t off_strings = dtb_be32(b + 12);
	uint32_t version = dtb_be32(b + 20);
	uint32_t last_compat = dtb_be32(b + 24);
	uint32_t size_strings = dtb_be32(b + 32);
	uint32_t size_struct = dtb_be32(b + 36);

	if (version < 17 || last_compat > 17)
		return DTB_ERR_BADVERSION;
	if (total < HDR_SIZE || total > avail)
		return DTB_ERR_TRUNCATED;
	if (!range_within(off_struct, size_struct, 0, total) || (off_struct & 3) || (size_struct & 3))
		return DTB_ERR_TRUNCATED;
	if (size_strings && !range_within(off_strings, size_strings, 0, total))
		return DTB_ERR_TRUNCATED;
	t->blob = b;
	t->size = total;
	t->struct_off = off_struct;
	t->struct_size = size_struct;
	t->strings_off = off_strings;
	t->strings_size = size_strings;
	if (size_struct < 4 || dtb_be32(b + off_struct) != TOK_BEGIN_NODE)
		return DTB_ERR_BADSTRUCT;
	return 0;
}

/* The token at structure offset `off`, or TOK_END past the end. */
static uint32_t tok_at(const struct dtb *t, uint32_t off)
{
	if (off > t->struct_size - 4 || (off & 3))
		return 0; /* invalid: not a token */
	return dtb_be32(t->blob + t->struct_off + off);
}

/* Length of the NUL-terminated node name at `off`, or -1 if unterminated. */
static int name_len(const struct dtb *t, uint32_t off)
{
	const char *s = (const char *)t->blob + t->struct_off;

	for (uint32_t i = off; i < t->struct_size; i++)
		if (s[i] == '\0')
			return (int)(i - off);
	return -1;
}

/*
 * Offset just past the token at `off` (and its payload), or -1 if malformed.
 * For BEGIN_NODE this is the first token inside the node.
 */
static int64_t tok_next(const struct dtb *t, uint32_t off)
{
	uint32_t tok = tok_at(t, off);

	switch (tok) {
	case TOK_BEGIN_NODE: {
		int n = name_len(t, off + 4);
		if (n < 0)
			return -1;
		return ALIGN_UP((uint64_t)off + 4 + (uint64_t)n + 1, 4);
	}
	case TOK_PROP: {
		if (off + 12 > t->struct_size)
			return -1;
		uint32_t len = dtb_be32(t->blob + t->struct_off + off + 4);
		uint64_t end = (uint64_t)off + 12 + len;
		if (end > t->struct_size)
			return -1;
		return (int64_t)ALIGN_UP(end, 4);
	}
	case TOK_END_NODE:
	case TOK_NOP: return off + 4;
	default: return -1;
	}
}

/* Skip past the END_NODE that closes the node starting at `node`. */
static int64_t skip_node(const struct dtb *t, uint32_t node)
{
	int depth = 0;
	int64_t off = node;

	/* Bounded: each step advances at least 4 bytes inside struct_size. */
	while (off >= 0 && (uint64_t)off < t->struct_size) {
		uint32_t tok = tok_at(t, (uint32_t)off);
		if (tok == TOK_BEGIN_NODE) {
			if (++depth > DTB_MAX_DEPTH)
				return -1;
		} else if (tok == TOK_END_NODE) {
			if (--depth == 0)
				return off + 4;
		} else if (tok != TOK_PROP && tok != TOK_NOP) {
			return -1;
		}
		off = tok_next(t, (uint32_t)off);
	}
	return -1;
}

int dtb_root(const struct dtb *t)
{
	(void)t;
	return 0;
}

/* First BEGIN_NODE among the tokens from `off` at this level, skipping props. */
static int node_at_level(const struct dtb *t, int64_t off)
{
	while (off >= 0 && (uint64_t)off < t->struct_size) {
		uint32_t tok = tok_at(t, (uint32_t)off);
		if (tok == TOK_BEGIN_NODE)
			return (int)off;
		if (tok != TOK_PROP && tok != TOK_NOP)
			return DTB_ERR_NOTFOUND;
		off = tok_next(t, (uint32_t)off);
	}
	return off < 0 ? DTB_ERR_BADSTRUCT : DTB_ERR_NOTFOUND;
}

int dtb_first_child(const struct dtb *t, int node)
{
	if (node < 0 || tok_at(t, (uint32_t)node) != TOK_BEGIN_NODE)
		return DTB_ERR_NOTFOUND;
	return node_at_level(t, tok_next(t, (uint32_t)node));
}

int dtb_next_sibling(const struct dtb *t, int node)
{
	if (node < 0 || tok_at(t, (uint32_t)node) != TOK_BEGIN_NODE)
		return DTB_ERR_NOTFOUND;
	return node_at_level(t, skip_node(t, (uint32_t)node));
}

const char *dtb_name(const struct dtb *t, int node)
{
	if (node < 0 || tok_at(t, (uint32_t)node) != TOK_BEGIN_NODE || name_len(t, (uint32_t)node + 4) < 0)
		return NULL;
	return (const char *)t->blob + t->struct_off + node + 4;
}

static bool name_matches(const char *node_name, const char *want)
{
	size_t n = strlen(want);

	if (strncmp(node_name, want, n) != 0)
		return false;
	return node_name[n] == '\0' || (node_name[n] == '@' && !memchr(want, '@', n));
}

int dtb_child(const struct dtb *t, int node, const char *name)
{
	for (int c = dtb_first_child(t, node); c >= 0; c = dtb_next_sibling(t, c)) {
		const char *n = dtb_name(t, c);
		if (n && name_matches(n, name))
			return c;
	}
	return DTB_ERR_NOTFOUND;
}

int dtb_path(const struct dtb *t, const char *path)
{
	int node = dtb_root(t);
	char part[64];

	if (path[0] != '/')
		return DTB_ERR_NOTFOUND;
	while (*path) {
		while (*path == '/')
			path++;
		if (!*path)
			break;
		size_t n = 0;
		while (path[n] && path[n] != '/')
			n++;
		if (n >= sizeof(part))
			return DTB_ERR_NOTFOUND;
		memcpy(part, path, n);
		part[n] = '\0';
		node = dtb_child(t, node, part);
		if (node < 0)
			return node;
		path += n;
	}
	return node;
}

const void *dtb_prop(const struct dtb *t, int node, const char *name, uint32_t *len)
{
	if (node < 0 || tok_at(t, (uint32_t)node) != TOK_BEGIN_NODE)
		return NULL;
	int64_t off = tok_next(t, (uint32_t)node);
	while (off >= 0 && (uint64_t)off < t->struct_size) {
		uint32_t tok = tok_at(t, (uint32_t)off);
		/* Check the token fits the block before reading its length and name. */
		int64_t next = tok_next(t, (uint32_t)off);
		if (next < 0)
			return NULL;
		if (tok == TOK_PROP) {
			const uint8_t *p = t->blob + t->struct_off + off;
			uint32_t plen = dtb_be32(p + 4);
			uint32_t nameoff = dtb_be32(p + 8);
			if (nameoff < t->strings_size) {
				const char *pname = (const char *)t->blob + t->strings_off + nameoff;
				size_t want = strlen(name);
				if (want < t->strings_size - nameoff && memcmp(pname, name, want + 1) == 0) {
					if (len)
						*len = plen;
					return p + 12;
				}
			}
		} else if (tok != TOK_NOP) {
			return NULL;
		}
		off = next;
	}
	return NULL;
}

bool dtb_prop_u32(const struct dtb *t, int node, const char *name, uint32_t *out)
{
	uint32_t len;
	const void *v = dtb_prop(t, node, name, &len);

	if (!v || len < 4)
		return false;
	*out = dtb_be32(v);
	return true;
}

bool dtb_is_compatible(const struct dtb *t, int node, const char *compat)
{
	uint32_t len;
	const char *v = dtb_prop(t, node, "compatible", &len);
	size_t want = strlen(compat);

	if (!v)
		return false;
	for (uint32_t i = 0; i < len;) {
		size_t n = strnlen(v + i, len - i);
		if (n == want && memcmp(v + i, compat, n) == 0 && i + n < len)
			return true;
		i += (uint32_t)n + 1;
	}
	return false;
}

bool dtb_is_enabled(const struct dtb *t, int node)
{
	uint32_t len;
	const char *v = dtb_prop(t, node, "status", &len);

	if (!v)
		return true;
	return (len == 5 && memcmp(v, "okay", 5) == 0) || (len == 3 && memcmp(v, "ok", 3) == 0);
}

bool dtb_read_cells(const void *val, uint32_t len, uint32_t *pos, uint32_t cells, uint64_t *out)
{
	const uint8_t *v = val;
	uint64_t r = 0;

	if (cells < 1 || cells > 2 || *pos > len || len - *pos < cells * 4)
		return false;
	for (uint32_t i = 0; i < cells; i++)
		r = (r << 32) | dtb_be32(v + *pos + i * 4);
	*pos += cells * 4;
	*out = r;
	return true;
}
