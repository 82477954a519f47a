// SPDX-License-Identifier: MIT
/*
 * The hypervisor's printf (lib/fmt.c): every conversion and modifier it
 * documents, field widths and flags, precision of %s, and the snprintf
 * contract: output truncated to the buffer, always terminated, and the
 * return value the length the whole output would have had. The host's
 * snprintf serves as the reference where the two must agree.
 */
#include "helpers.h"

#include <stdio.h>
#include <string.h>

#include <fv/fmt.h>

/* A formatter call the compiler does not format-check (bad specifiers on purpose). */
static int fmt_unchecked(char *buf, size_t size, const char *f, ...)
{
	va_list ap;

	va_start(ap, f);
	int n = fmt_vsnprintf(buf, size, f, ap);
	va_end(ap);
	return n;
}

/* Format into a large buffer, compare with `want`, and with the length returned. */
#define CHECK(want, ...)                                            \
	do {                                                        \
		char _b[256];                                       \
		int _n = fmt_snprintf(_b, sizeof(_b), __VA_ARGS__); \
		assert_string_equal(_b, want);                      \
		assert_int_equal(_n, (int)strlen(want));            \
	} while (0)

/* Same, and the host's snprintf must print the same thing. */
#define CHECK_LIBC(want, ...)                          \
	do {                                           \
		char _r[256];                          \
		snprintf(_r, sizeof(_r), __VA_ARGS__); \
		assert_string_equal(_r, want);         \
		CHECK(want, __VA_ARGS__);              \
	} while (0)

static void test_plain_text_and_percent(void **state)
{
	(void)state;
	CHECK_LIBC("", "%s", "");
	CHECK_LIBC("hello, world", "hello, world");
	CHECK_LIBC("100%", "100%%");
	CHECK_LIBC("%%", "%%%%");
}

static void test_signed_decimal(void **state)
{
	(void)state;
	CHECK_LIBC("0", "%d", 0);
	CHECK_LIBC("42", "%d", 42);
	CHECK_LIBC("-42", "%i", -42);
	CHECK_LIBC("2147483647", "%d", INT32_MAX);
	CHECK_LIBC("-2147483648", "%d", INT32_MIN);
	CHECK_LIBC("-1", "%ld", -1L);
	CHECK_LIBC("9223372036854775807", "%lld", (long long)INT64_MAX);
	CHECK_LIBC("-9223372036854775808", "%lld", (long long)INT64_MIN);
	CHECK_LIBC("-123456789012", "%lli", -123456789012LL);
}

static void test_unsigned_and_hex(void **state)
{
	(void)state;
	CHECK_LIBC("4294967295", "%u", UINT32_MAX);
	CHECK_LIBC("18446744073709551615", "%llu", (unsigned long long)UINT64_MAX);
	CHECK_LIBC("18446744073709551615", "%lu", (unsigned long)UINT64_MAX);
	CHECK_LIBC("deadbeef", "%x", 0xdeadbeefU);
	CHECK_LIBC("DEADBEEF", "%X", 0xdeadbeefU);
	CHECK_LIBC("0", "%x", 0U);
	CHECK_LIBC("123456789abcdef0", "%llx", 0x123456789abcdef0ULL);
	CHECK_LIBC("FFFFFFFFFFFFFFFF", "%llX", ~0ULL);
	CHECK_LIBC("80000000", "%lx", 0x80000000UL);
	/* %x without l takes an unsigned int: the upper half of a 64-bit value is not read */
	CHECK_LIBC("ffffffff", "%x", (unsigned int)-1);
}

static void test_size_t(void **state)
{
	(void)state;
	CHECK_LIBC("0", "%zu", (size_t)0);
	CHECK_LIBC("18446744073709551615", "%zu", SIZE_MAX);
	CHECK_LIBC("1000", "%zx", (size_t)0x1000);
	CHECK_LIBC("-5", "%zd", (ssize_t)-5);
}

static void test_char_string_pointer(void **state)
{
	(void)state;
	CHECK_LIBC("x", "%c", 'x');
	CHECK_LIBC("[a]", "[%c]", 'a');
	CHECK_LIBC("abc", "%s", "abc");
	CHECK_LIBC("", "%s", "");
	CHECK_LIBC("a-b-c", "%s-%s-%s", "a", "b", "c");
	char b[16];
	assert_int_equal(fmt_unchecked(b, sizeof(b), "%s", (const char *)NULL), 6);
	assert_string_equal(b, "(null)");
	CHECK("0x1234", "%p", (void *)0x1234);
	CHECK("0xffff000000000000", "%p", (void *)0xffff000000000000ULL);
}

static void test_widths_and_flags(void **state)
{
	(void)state;
	CHECK_LIBC("   42", "%5d", 42);
	CHECK_LIBC("42   |", "%-5d|", 42);
	CHECK_LIBC("00042", "%05d", 42);
	CHECK_LIBC("  -42", "%5d", -42);
	CHECK_LIBC("-0042", "%05d", -42);
	CHECK_LIBC("-42  |", "%-5d|", -42);
	CHECK_LIBC("0000cafe", "%08x", 0xcafeU);
	CHECK_LIBC("00000000deadbeef", "%016llx", 0xdeadbeefULL);
	CHECK_LIBC("123456", "%3d", 123456); /* width is a minimum */
	CHECK_LIBC("     7", "%*d", 6, 7);
	CHECK_LIBC("7     |", "%-*d|", 6, 7);
	CHECK_LIBC("  abc", "%5s", "abc");
	CHECK_LIBC("abc  |", "%-5s|", "abc");
	CHECK_LIBC("abcdef", "%3s", "abcdef");
	CHECK_LIBC("    hv", "%*s", 6, "hv");
	CHECK_LIBC("0x00001000", "0x%08llx", 0x1000ULL);
}

static void test_string_precision(void **state)
{
	(void)state;
	CHECK_LIBC("abc", "%.3s", "abcdef");
	CHECK_LIBC("", "%.0s", "abcdef");
	CHECK_LIBC("ab", "%.5s", "ab");
	CHECK_LIBC("vm0", "%.*s", 3, "vm0123");
	CHECK_LIBC("  abc", "%5.3s", "abcdef");
	CHECK_LIBC("abc  |", "%-5.3s|", "abcdef");
	/* A negative precision through '*' means "no precision" */
	CHECK_LIBC("abcdef", "%.*s", -1, "abcdef");
	/* Precision bounds the read: an unterminated array is safe to print */
	char name[4] = { 'n', 'a', 'm', 'e' };
	CHECK("name", "%.*s", 4, name);
}

static void test_many_arguments_in_order(void **state)
{
	(void)state;
	CHECK_LIBC("vm1: CPU 3 at 0x48000000, 256 MiB, -1 x", "%s: CPU %u at 0x%llx, %llu MiB, %d %c", "vm1", 3U,
		   0x48000000ULL, 256ULL, -1, 'x');
}

static void test_truncation(void **state)
{
	(void)state;
	char b[16];

	/* Returns the full length; writes at most size - 1 characters and a NUL */
	memset(b, '#', sizeof(b));
	assert_int_equal(fmt_snprintf(b, 6, "hello, world"), 12);
	assert_string_equal(b, "hello");
	assert_int_equal(b[6], '#'); /* nothing past the buffer given */

	memset(b, '#', sizeof(b));
	assert_int_equal(fmt_snprintf(b, 1, "abc"), 3);
	assert_int_equal(b[0], '\0');
	assert_int_equal(b[1], '#');

	/* size 0: nothing written, not even the terminator; NULL is allowed */
	memset(b, '#', sizeof(b));
	assert_int_equal(fmt_snprintf(b, 0, "abc"), 3);
	assert_int_equal(b[0], '#');
	assert_int_equal(fmt_snprintf(NULL, 0, "%d-%s", 12345, "xyz"), 9);

	/* exactly fitting: all characters and the NUL */
	memset(b, '#', sizeof(b));
	assert_int_equal(fmt_snprintf(b, 4, "abc"), 3);
	assert_string_equal(b, "abc");
	assert_int_equal(b[4], '#');

	/* truncation in the middle of a number, a padded field and a string */
	memset(b, '#', sizeof(b));
	assert_int_equal(fmt_snprintf(b, 5, "%llx", 0x123456789ULL), 9);
	assert_string_equal(b, "1234");
	memset(b, '#', sizeof(b));
	assert_int_equal(fmt_snprintf(b, 4, "%10d", 5), 10);
	assert_string_equal(b, "   ");
	memset(b, '#', sizeof(b));
	assert_int_equal(fmt_snprintf(b, 8, "[%s]", "a long string"), 15);
	assert_string_equal(b, "[a long");
	assert_int_equal(b[8], '#');
}

static void test_truncation_agrees_with_libc(void **state)
{
	(void)state;
	char ours[64], ref[64];

	for (size_t size = 0; size <= 40; size++) {
		memset(ours, 'X', sizeof(ours));
		memset(ref, 'X', sizeof(ref));
		int a = fmt_snprintf(ours, size, "%s=%08x,%-4d|%5s", "key", 0xbeefU, -7, "ab");
		int b = snprintf(ref, size, "%s=%08x,%-4d|%5s", "key", 0xbeefU, -7, "ab");
		assert_int_equal(a, b);
		assert_memory_equal(ours, ref, sizeof(ours));
	}
}

static void test_unknown_conversions_are_printed(void **state)
{
	(void)state;
	char b[32];

	/* An unsupported conversion prints as written, consuming no argument */
	assert_int_equal(fmt_unchecked(b, sizeof(b), "a%qb%d", 5), 5);
	assert_string_equal(b, "a%qb5");
	/* A lone '%' at the end prints and ends the string; nothing past it is read */
	assert_int_equal(fmt_unchecked(b, sizeof(b), "50%"), 3);
	assert_string_equal(b, "50%");
	assert_int_equal(fmt_unchecked(b, sizeof(b), "x%5"), 2);
	assert_string_equal(b, "x%");
	/* '-' overrides '0' (C11 7.21.6.1): padding goes right, in spaces */
	assert_int_equal(fmt_unchecked(b, sizeof(b), "%-05d|", -42), 6);
	assert_string_equal(b, "-42  |");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_text_and_percent),
		cmocka_unit_test(test_signed_decimal),
		cmocka_unit_test(test_unsigned_and_hex),
		cmocka_unit_test(test_size_t),
		cmocka_unit_test(test_char_string_pointer),
		cmocka_unit_test(test_widths_and_flags),
		cmocka_unit_test(test_string_precision),
		cmocka_unit_test(test_many_arguments_in_order),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_truncation_agrees_with_libc),
		cmocka_unit_test(test_unknown_conversions_are_printed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
