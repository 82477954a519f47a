// SPDX-License-Identifier: MIT
/* SHA-256 against the FIPS 180-4 example vectors, incremental and one-shot. */
#include "helpers.h"

#include <stdio.h>
#include <string.h>

#include <fv/sha256.h>

static void hex(const uint8_t d[32], char out[65])
{
	for (int i = 0; i < 32; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

static void check(const char *msg, size_t len, const char *want)
{
	uint8_t d[32];
	char h[65];

	sha256(msg, len, d);
	hex(d, h);
	assert_string_equal(h, want);
}

static void test_vectors(void **state)
{
	(void)state;
	check("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	check("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	check("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56,
	      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

static void test_incremental_matches_one_shot(void **state)
{
	(void)state;
	static uint8_t buf[1000];
	uint8_t a[32], b[32];
	struct sha256 s;

	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 7 + 3);
	sha256(buf, sizeof(buf), a);
	for (size_t step = 1; step < 130; step += 13) {
		sha256_init(&s);
		for (size_t at = 0; at < sizeof(buf); at += step)
			sha256_update(&s, buf + at, at + step <= sizeof(buf) ? step : sizeof(buf) - at);
		sha256_final(&s, b);
		assert_memory_equal(a, b, 32);
	}
}

static void test_million_a(void **state)
{
	(void)state;
	static char buf[1000000];
	memset(buf, 'a', sizeof(buf));
	check(buf, sizeof(buf), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_incremental_matches_one_shot),
		cmocka_unit_test(test_million_a),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
