/* SPDX-License-Identifier: MIT */
/*
 * SHA-256 (FIPS 180-4), incremental. Used for image integrity: the tool
 * records a digest of every image and of the manifest, the hypervisor checks
 * them before every VM (re)start. The block function may be replaced by the
 * CPU's SHA-2 instructions (arch_sha256_blocks) where the architecture has them.
 */
#ifndef FV_SHA256_H
#define FV_SHA256_H

#include <fv/types.h>

#define SHA256_DIGEST_SIZE 32
#define SHA256_BLOCK_SIZE 64

struct sha256 {
	uint32_t h[8];
	uint64_t length; /* bytes hashed so far */
	uint8_t buf[SHA256_BLOCK_SIZE];
	uint32_t buf_len;
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t len);
void sha256_final(struct sha256 *s, uint8_t out[SHA256_DIGEST_SIZE]);
void sha256(const void *data, size_t len, uint8_t out[SHA256_DIGEST_SIZE]);

/* The portable block function: `count` 64-byte blocks. */
void sha256_blocks_generic(uint32_t h[8], const uint8_t *data, size_t count);

/*
 * Block function hook: the arch may provide a faster one. Returns false if
 * unavailable, in which case the generic one runs.
 */
bool arch_sha256_blocks(uint32_t h[8], const uint8_t *data, size_t count);

#endif
