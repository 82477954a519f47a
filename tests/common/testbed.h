/* SPDX-License-Identifier: MIT */
/*
 * A test bed for host tests and fuzzers: a board, a valid manifest, and VMs
 * created the way the hypervisor creates them, on the fake arch. No test
 * framework here, so fuzzers can use it too.
 */
#ifndef TESTS_TESTBED_H
#define TESTS_TESTBED_H

#include <arch/fake.h>
#include <fv/board.h>
#include <fv/clock.h>
#include <fv/console.h>
#include <fv/hv.h>
#include <fv/lifecycle.h>
#include <fv/manifest.h>
#include <fv/run.h>
#include <fv/vm.h>
#include <fv/vpl011.h>
#include <fv/vwdt.h>

/* Where the image tool puts a VM's SP805 (testbed_add_watchdog). */
#define TESTBED_WDT_BASE 0x090c0000ULL
#define TESTBED_WDT_SIZE 0x1000ULL
#define TESTBED_WDT_INTID 42U

/* A manifest for `count` VMs with `cpus_each` CPUs, 256 MiB each from 0x48000000,
 * sharing one kernel, initrd and dtb image, digest filled in: it validates.
 * Each VM has the emulated GICv3 and PL011 (device entries after its virtio
 * slots), no watchdog. */
void testbed_manifest(struct manifest *m, uint32_t count, uint32_t cpus_each);
/* A board matching QEMU virt with `cpus` CPUs and 2 GiB RAM. */
void testbed_board(struct board *b, uint32_t cpus);
/* Reset the fake arch and the hypervisor's globals, then create the manifest's VMs.
 * Returns false if a VM could not be created. */
bool testbed_create_vms(const struct manifest *m);
/* Recompute a manifest's digest after editing it. */
void testbed_redigest(struct manifest *m);

/* Give VM `vm` the board's virtio-mmio slot `slot`: window and interrupt as
 * on QEMU virt, at the same guest address. Redigests the manifest. */
void testbed_add_virtio(struct manifest *m, uint32_t vm, uint32_t slot);
/* Take VM `vm`'s virtio slots away; redigests. */
void testbed_drop_virtio(struct manifest *m, uint32_t vm);
/* VM `vm`'s first device of `kind` (enum device_kind); NULL if none. */
struct manifest_device *testbed_device(struct manifest *m, uint32_t vm, uint32_t kind);
/* Give VM `vm` its SP805 watchdog, where the image tool puts it; redigests. */
void testbed_add_watchdog(struct manifest *m, uint32_t vm);
/* Give every VM `size` bytes of RAM (its one region); redigests. */
void testbed_set_ram_size(struct manifest *m, uint64_t size);

/* Host memory standing in for the board flash and the VMs' RAM. */
struct testbed_memory {
	uint8_t *flash;
	uint64_t flash_size;
	uint8_t *ram[FV_MAX_VMS][FV_MAX_VM_MEM];
};
/*
 * Fill every image with its own byte pattern in a host "flash", record the
 * images' SHA-256 in the manifest (and redigest it), copy the manifest to
 * its flash offset, then fake_map the flash at PLAT_FLASH_BASE and every VM
 * RAM region. Call after testbed_create_vms (which resets the fake arch).
 */
void testbed_memory_map(struct testbed_memory *t, struct manifest *m);
void testbed_memory_free(struct testbed_memory *t);

/*
 * The console as hv_main sets it up: the "hv" port takes input (the last
 * stop of the Ctrl-A cycle) and hypervisor messages go through the
 * multiplexer instead of straight to the UART. Call after testbed_create_vms.
 */
void testbed_console_as_hv(void);

/* vCPU v writes s to its VM's PL011 data register, one byte store each, on its own CPU.
 * False if a store was refused. */
bool testbed_guest_prints(struct vcpu *v, const char *s);
/*
 * Let every CPU with requests handle them, as its kick interrupt makes it do:
 * a CPU whose vCPU is on, on its way back into the guest (run_before_entry);
 * any other in its idle loop. Repeats until no CPU has requests left, and
 * returns FAKE_EXIT_NONE, or how the board stopped (powered off, reset,
 * halted). Aborts if the requests never stop coming.
 */
enum fake_exit testbed_settle(void);
/*
 * Time passes, `ms` milliseconds in steps of one: each CPU whose hypervisor
 * timer is due takes its interrupt (from the guest if its vCPU is on, with
 * the vCPU's trap frame as it is), then every CPU settles. FAKE_EXIT_NONE,
 * or how the board stopped.
 */
enum fake_exit testbed_time_passes(uint32_t ms);

/* A diag that records messages; `text` holds them all, newline-separated. */
struct testbed_diag {
	struct diag d;
	char text[8192];
};
void testbed_diag_init(struct testbed_diag *h);

#endif
