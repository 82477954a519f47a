// SPDX-License-Identifier: MIT
/*
 * Where in the user's file is a node or property? dtc can annotate its
 * output with the source position of every node and property
 * ("dtc -O dts -T -T" ends each line with a comment "file:line:col-line:col").
 * We read that listing back and index it by node path and property name,
 * so that errors can say "file:line".
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fvimage.h"

struct srcmap_entry {
	char *node;
	char *prop; /* NULL for the node itself */
	char *where;
};

struct srcmap {
	struct srcmap_entry *e;
	size_t count;
	size_t cap;
};

static void add(struct srcmap *m, const char *node, const char *prop, const char *where)
{
	if (m->count == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 64;
		m->e = realloc(m->e, m->cap * sizeof(*m->e));
		if (!m->e)
			abort();
	}
	m->e[m->count].node = strdup(node);
	m->e[m->count].prop = prop ? strdup(prop) : NULL;
	m->e[m->count].where = strdup(where);
	m->count++;
}

/* "file:line" out of the trailing position comment of a line. */
static bool annotation(const char *line, char *out, size_t size)
{
	const char *c = strstr(line, "/* ");
	if (!c)
		return false;
	c += 3;
	const char *colon1 = strchr(c, ':');
	if (!colon1)
		return false;
	const char *colon2 = strchr(colon1 + 1, ':');
	if (!colon2)
		return false;
	snprintf(out, size, "%.*s", (int)(colon2 - c), c);
	return true;
}

struct srcmap *srcmap_load(const char *dts_path)
{
	char arg[4096];
	char *const argv[] = { "dtc", "-q", "-I",
			       "dts", "-O", "dts",
			       "-T",  "-T", (char *)spawn_path_arg(dts_path, arg, sizeof(arg)),
			       NULL };
	int fd;
	pid_t pid = spawn_argv(argv, &fd, true);
	if (pid < 0)
		return NULL;
	FILE *p = fdopen(fd, "r");
	if (!p) {
		close(fd);
		spawn_wait(pid);
		return NULL;
	}
	struct srcmap *m = calloc(1, sizeof(*m));
	char path[1024] = "";
	size_t depth_len[64];
	int depth = 0;
	char *line = NULL;
	size_t cap = 0;
	while (getline(&line, &cap, p) > 0) {
		char where[512];
		char *s = line;
		while (*s == '\t' || *s == ' ')
			s++;
		char *brace = strstr(s, " {");
		if (brace && (!strchr(s, '=') || strchr(s, '=') > brace)) {
			/* a node opens: "name {" ("/" for the root) */
			if (depth < 64)
				depth_len[depth] = strlen(path);
			depth++;
			*brace = '\0';
			if (strcmp(s, "/") != 0) {
				size_t n = strlen(path);
				snprintf(path + n, sizeof(path) - n, "/%s", s);
			}
			*brace = ' ';
			if (annotation(brace, where, sizeof(where)))
				add(m, path[0] ? path : "/", NULL, where);
		} else if (strncmp(s, "};", 2) == 0) {
			if (depth > 0) {
				depth--;
				if (depth < 64)
					path[depth_len[depth]] = '\0';
			}
		} else if (annotation(s, where, sizeof(where))) {
			/* a property: "name = value;" or "name;" */
			size_t n = strcspn(s, " =;");
			char prop[256];
			snprintf(prop, sizeof(prop), "%.*s", (int)n, s);
			add(m, path[0] ? path : "/", prop, where);
		}
	}
	free(line);
	fclose(p);
	spawn_wait(pid);
	return m;
}

const char *srcmap_find(const struct srcmap *m, const char *node, const char *prop)
{
	if (!m)
		return NULL;
	for (size_t i = 0; i < m->count; i++) {
		const struct srcmap_entry *e = &m->e[i];
		if (strcmp(e->node, node) != 0)
			continue;
		if (prop && e->prop && strcmp(e->prop, prop) == 0)
			return e->where;
	}
	for (size_t i = 0; i < m->count; i++) /* fall back to the node */
		if (!m->e[i].prop && strcmp(m->e[i].node, node) == 0)
			return m->e[i].where;
	return NULL;
}

void srcmap_free(struct srcmap *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->count; i++) {
		free(m->e[i].node);
		free(m->e[i].prop);
		free(m->e[i].where);
	}
	free(m->e);
	free(m);
}
