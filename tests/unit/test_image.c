// SPDX-License-Identifier: MIT
/*
 * Linux arm64 Image header checks (core/boot/image.c) against headers built as
 * Documentation/arch/arm64/booting.rst lays them out: code0/code1, then
 * text_offset, image_size and flags as little-endian 64-bit values, and the
 * magic "ARM\x64" at 0x38. Each refusal must give its own reason.
 */
#include "helpers.h"

#include <string.h>

#include <fv/image.h>

static uint8_t img[4096];

static void put_le64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* A header for a kernel of `size` bytes of file and `image_size` bytes in RAM. */
static void make_header(uint64_t text_offset, uint64_t image_size, uint64_t flags)
{
	memset(img, 0, sizeof(img));
	img[0] = 0x4d; /* code0: "MZ" + a branch, as an EFI-stub kernel has */
	img[1] = 0x5a;
	put_le64(img + 0x08, text_offset);
	put_le64(img + 0x10, image_size);
	put_le64(img + 0x18, flags);
	memcpy(img + 0x38, "ARM\x64", 4);
	memcpy(img + 0x3c, "PE\0\0", 4); /* the PE header offset field, irrelevant */
}

static void expect_refused(uint64_t size, const char *reason)
{
	struct linux_image_info info;
	const char *why = NULL;

	assert_false(image_linux_parse(img, size, &info, &why));
	assert_non_null(why);
	assert_non_null(strstr(why, reason));
}

static void test_accepts_a_modern_kernel(void **state)
{
	(void)state;
	struct linux_image_info info;
	const char *why = NULL;

	/* Debian arm64: text_offset 0, image_size larger than the file (BSS), flags 0xa */
	make_header(0, 0x2000000, 0xa);
	assert_true(image_linux_parse(img, 0x1800000, &info, &why));
	assert_int_equal(info.text_offset, 0);
	assert_int_equal(info.image_size, 0x2000000);
	assert_int_equal(info.flags, 0xa);
	/* the file may be exactly image_size bytes */
	assert_true(image_linux_parse(img, 0x2000000, &info, &why));
	/* the old 0x80000 text offset is a page multiple below 2 MiB */
	make_header(0x80000, 0x1000000, 0);
	assert_true(image_linux_parse(img, 0x1000000, &info, &why));
	assert_int_equal(info.text_offset, 0x80000);
	/* 64 bytes is a whole header */
	make_header(0, 0x1000, 0);
	assert_true(image_linux_parse(img, LINUX_HEADER_SIZE, &info, &why));
}

static void test_fields_are_little_endian(void **state)
{
	(void)state;
	struct linux_image_info info;
	const char *why;

	make_header(0x1000, 0x0123456789abc000ULL, 0x0e);
	assert_true(image_linux_parse(img, 0x10000, &info, &why));
	assert_int_equal(info.text_offset, 0x1000);
	assert_int_equal(info.image_size, 0x0123456789abc000ULL);
	assert_int_equal(info.flags, 0x0e);
}

static void test_too_small(void **state)
{
	(void)state;
	make_header(0, 0x1000, 0);
	expect_refused(LINUX_HEADER_SIZE - 1, "too small");
	expect_refused(0, "too small");
}

static void test_magic(void **state)
{
	(void)state;
	make_header(0, 0x100000, 0);
	img[0x3b] = 0x65;
	expect_refused(0x1000, "no arm64 Image magic");
	/* a gzip file, as /boot/vmlinuz is on Debian */
	memset(img, 0, sizeof(img));
	img[0] = 0x1f;
	img[1] = 0x8b;
	expect_refused(0x1000, "gzipped vmlinuz must be uncompressed");
	/* the magic at the wrong place does not count */
	make_header(0, 0x100000, 0);
	memset(img + 0x38, 0, 4);
	memcpy(img + 0x34, "ARM\x64", 4);
	expect_refused(0x1000, "magic");
}

static void test_image_size_zero(void **state)
{
	(void)state;
	make_header(0x80000, 0, 0);
	expect_refused(0x1000, "image_size is 0");
}

static void test_big_endian(void **state)
{
	(void)state;
	make_header(0, 0x100000, 1);
	expect_refused(0x1000, "big-endian");
	make_header(0, 0x100000, 0xe); /* the other flags are fine */
	struct linux_image_info info;
	const char *why;
	assert_true(image_linux_parse(img, 0x1000, &info, &why));
}

static void test_image_size_smaller_than_file(void **state)
{
	(void)state;
	make_header(0, 0x100000, 0);
	expect_refused(0x100001, "image_size is smaller than the file");
}

static void test_text_offset(void **state)
{
	(void)state;
	make_header(0x800, 0x100000, 0);
	expect_refused(0x1000, "text_offset is not a page multiple below 2 MiB");
	make_header(SZ_2M, 0x400000, 0);
	expect_refused(0x1000, "text_offset");
	make_header(SZ_2M - 0x1000, 0x400000, 0);
	struct linux_image_info info;
	const char *why;
	assert_true(image_linux_parse(img, 0x1000, &info, &why));
}

static void test_name_chars(void **state)
{
	(void)state;
	const char *good = "abcxyzABCXYZ0189-_.";
	const char *bad = " /\\:@#\"'\t\n*?[]{}()~!$%^&+=,;<>|`";

	for (const char *c = good; *c; c++)
		assert_true(image_name_char_ok(*c));
	for (const char *c = bad; *c; c++)
		assert_false(image_name_char_ok(*c));
	assert_false(image_name_char_ok('\0'));
	assert_false(image_name_char_ok((char)0xc3)); /* UTF-8 lead byte */
	/* of all 256 byte values, only letters, digits and "-_." */
	uint32_t count = 0;
	for (int c = 0; c < 256; c++)
		count += image_name_char_ok((char)c);
	assert_int_equal(count, 26 + 26 + 10 + 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accepts_a_modern_kernel),
		cmocka_unit_test(test_fields_are_little_endian),
		cmocka_unit_test(test_too_small),
		cmocka_unit_test(test_magic),
		cmocka_unit_test(test_image_size_zero),
		cmocka_unit_test(test_big_endian),
		cmocka_unit_test(test_image_size_smaller_than_file),
		cmocka_unit_test(test_text_offset),
		cmocka_unit_test(test_name_chars),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
