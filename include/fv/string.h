/* SPDX-License-Identifier: MIT */
/*
 * The C library subset the hypervisor implements itself (lib/string.c).
 * Host builds use the C library's versions under the same names.
 */
#ifndef FV_STRING_H
#define FV_STRING_H

#include <stddef.h>

#ifdef FV_HOST
#include <string.h>
#else
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
void *memchr(const void *s, int c, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
#endif

/* Copy at most size - 1 bytes and always terminate (size > 0). */
void str_copy(char *dst, const char *src, size_t size);

#endif
