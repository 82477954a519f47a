/* SPDX-License-Identifier: MIT */
/*
 * Checks of image contents, shared by the image tool (before it writes an
 * image) and the hypervisor (before every VM start): the Linux arm64 Image
 * header (Documentation/arch/arm64/booting.rst, "Call the kernel image").
 */
#ifndef FV_IMAGE_H
#define FV_IMAGE_H

#include <fv/manifest.h>

#define LINUX_ARM64_MAGIC 0x644d5241U /* "ARM\x64" at offset 0x38 */
#define LINUX_HEADER_SIZE 64U

struct linux_image_info {
	uint64_t text_offset;
	uint64_t image_size; /* bytes to reserve from the load address, BSS included */
	uint64_t flags;
};

/*
 * Decode and check an arm64 Image header. `size` is the file size. False,
 * with a reason in `why`, if it is not a bootable little-endian arm64 Image.
 */
bool image_linux_parse(const void *data, uint64_t size, struct linux_image_info *info, const char **why);

/* Is `b` a byte of a name we accept for VMs ([A-Za-z0-9._-])? */
bool image_name_char_ok(char c);

#endif
