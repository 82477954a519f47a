// SPDX-License-Identifier: MIT
/*
 * Linux arm64 Image header checks (Documentation/arch/arm64/booting.rst):
 *   0x08 text_offset (LE64), 0x10 image_size (LE64), 0x18 flags (LE64),
 *   0x38 magic "ARM\x64". image_size 0 means a pre-3.17 kernel, which we do
 *   not boot (its size cannot be known). flags bit 0 = big endian.
 */
#include <fv/image.h>

static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

bool image_linux_parse(const void *data, uint64_t size, struct linux_image_info *info, const char **why)
{
	const uint8_t *p = data;

	if (size < LINUX_HEADER_SIZE) {
		*why = "too small to hold an arm64 Image header";
		return false;
	}
	uint32_t magic = (uint32_t)le64(p + 0x38);
	if (magic != LINUX_ARM64_MAGIC) {
		*why = "no arm64 Image magic (\"ARM\\x64\" at offset 0x38): not a raw arm64 Image (a gzipped vmlinuz must be uncompressed first)";
		return false;
	}
	info->text_offset = le64(p + 0x08);
	info->image_size = le64(p + 0x10);
	info->flags = le64(p + 0x18);
	if (info->image_size == 0) {
		*why = "image_size is 0 (a kernel older than 3.17): cannot know how much RAM it needs";
		return false;
	}
	if (info->flags & 1) {
		*why = "big-endian kernel: guests must be little endian";
		return false;
	}
	if (info->image_size < size) {
		*why = "image_size is smaller than the file";
		return false;
	}
	if (info->text_offset % 4096 || info->text_offset >= SZ_2M) {
		*why = "text_offset is not a page multiple below 2 MiB";
		return false;
	}
	return true;
}

bool image_name_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
	       c == '.';
}
