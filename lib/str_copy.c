// SPDX-License-Identifier: MIT
/* Bounded string copy shared by hypervisor and host builds. */
#include <fv/string.h>

void str_copy(char *dst, const char *src, size_t size)
{
	size_t n = 0;

	if (!size)
		return;
	while (n + 1 < size && src[n]) {
		dst[n] = src[n];
		n++;
	}
	dst[n] = '\0';
}
