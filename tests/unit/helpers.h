/* SPDX-License-Identifier: MIT */
/* Unit tests: cmocka plus the shared test bed. */
#ifndef TESTS_HELPERS_H
#define TESTS_HELPERS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "testbed.h"

/*
 * The board most VM tests start from: `count` VMs of `cpus_each` CPUs and
 * `ram` bytes of RAM each, created as the hypervisor creates them, their RAM
 * and images in host memory (free with testbed_memory_free), the clock at
 * 10 s; with `hv_console`, the console as hv_main sets it up.
 */
static inline void vms_create(struct manifest *m, struct testbed_memory *mem, uint32_t count, uint32_t cpus_each,
			      uint64_t ram, bool hv_console)
{
	testbed_manifest(m, count, cpus_each);
	testbed_set_ram_size(m, ram);
	assert_true(testbed_create_vms(m));
	testbed_memory_map(mem, m);
	if (hv_console)
		testbed_console_as_hv();
	fake.counter = 10 * fake.freq;
}

/* Boot every VM and let the board settle: each one runs. */
static inline void vms_boot(void)
{
	for (uint32_t i = 0; i < vm_count; i++)
		vm_request_boot(&vms[i]);
	assert_int_equal(testbed_settle(), FAKE_EXIT_NONE);
	for (uint32_t i = 0; i < vm_count; i++)
		assert_int_equal(vms[i].state, VM_STATE_RUNNING);
}

#endif
