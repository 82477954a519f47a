// SPDX-License-Identifier: MIT
/*
 * The device model (include/fv/device.h): a VM's devices come from its
 * manifest entries, wherever those put them; the table is in scan order
 * and the trap path finds each device by address; stage-2 windows open and close at
 * run time inside a device's region only; the validator checks emulated
 * entries against their kind (include/fv/devices.h).
 */
#include "helpers.h"

#include <stdio.h>
#include <string.h>

#include <fv/pl011.h>
#include <fv/sp805.h>
#include <fv/trap.h>
#include <plat/layout.h>

#define RAM_SIZE (4 * SZ_2M)

static struct manifest m;
static struct testbed_memory mem;

static int teardown(void **state)
{
	(void)state;
	testbed_memory_free(&mem);
	return 0;
}

/* A guest access of vCPU 0 of `vm` to guest address `ipa`. */
static enum trap_outcome access(struct vm *vm, uint64_t ipa, unsigned int width, bool write, uint64_t *value)
{
	struct trap t = { .kind = TRAP_DATA_ABORT };
	struct vcpu *v = &vm->vcpu[0];

	fake.cpu = v->pcpu;
	t.mem = (struct trap_mem){ .ipa = ipa_init(ipa),
				   .far = ipa,
				   .valid = true,
				   .write = write,
				   .width = width,
				   .reg = 5,
				   .sixty_four = true };
	v->regs->x[5] = *value;
	enum trap_outcome r = trap_handle(v, &t);
	*value = v->regs->x[5];
	return r;
}

static void test_table_sorted_and_complete(void **state)
{
	(void)state;
	testbed_manifest(&m, 2, 2);
	testbed_set_ram_size(&m, RAM_SIZE);
	testbed_add_watchdog(&m, 0);
	testbed_add_virtio(&m, 0, 4);
	testbed_add_virtio(&m, 0, 1);
	assert_true(testbed_create_vms(&m));
	testbed_memory_map(&mem, &m);

	const struct vdev_table *t = &vms[0].devs;
	assert_int_equal(t->count, 6);
	/* the most trapped first (the UART's flag register, the vGIC), then by address */
	assert_int_equal(t->dev[0].cfg->kind, DEVICE_PL011);
	assert_int_equal(t->dev[1].cfg->kind, DEVICE_GICD);
	assert_int_equal(t->dev[2].cfg->kind, DEVICE_GICR);
	for (uint32_t i = 4; i < t->count; i++)
		assert_true(t->dev[i - 1].base + t->dev[i - 1].size <= t->dev[i].base);
	assert_int_equal(t->dev[3].cfg->kind, DEVICE_SP805);
	assert_int_equal(t->dev[4].cfg->index, 1);
	assert_int_equal(t->dev[5].cfg->index, 4);
	for (uint32_t i = 0; i < t->count; i++) {
		const struct vdev *d = &t->dev[i];
		assert_ptr_equal(vdev_find(t, d->base), d);
		assert_ptr_equal(vdev_find(t, d->base + d->size - 1), d);
		assert_non_null(d->state);
	}
	assert_null(vdev_find(t, 0x09100000));       /* between the SP805 and the virtio slots */
	assert_null(vdev_find(t, PLAT_VIRTIO_BASE)); /* slot 0: not this VM's */
	assert_int_equal(vms[1].devs.count, 3);      /* GICD, GICR, PL011 */
	assert_null(vwdt_of(&vms[1]));
	assert_non_null(vpl011_of(&vms[1]));
}

/* The description decides: a UART and a watchdog where the manifest puts them, on its SPIs. */
static void test_devices_where_the_description_says(void **state)
{
	(void)state;
	testbed_manifest(&m, 1, 1);
	testbed_set_ram_size(&m, RAM_SIZE);
	struct manifest_device *uart = testbed_device(&m, 0, DEVICE_PL011);
	uart->ipa = 0x09400000;
	uart->intid = 60;
	m.vm[0].device[m.vm[0].device_count++] = (struct manifest_device){
		DEVICE_SP805, 0, 0, 0x09500000, 0x1000, 61, 0
	};
	testbed_redigest(&m);
	struct testbed_diag d;
	testbed_diag_init(&d);
	assert_true(manifest_validate(&m, m.image_end, &d.d));
	assert_true(testbed_create_vms(&m));
	testbed_memory_map(&mem, &m);

	uint64_t v = 0;
	assert_int_equal(access(&vms[0], 0x09400000 + UART_ID_START, 4, false, &v), TRAP_HANDLED);
	assert_int_equal(v, 0x11); /* PL011 PeriphID0 */
	v = 0;
	assert_int_equal(access(&vms[0], 0x09500000 + WDOG_ID_START + 4, 4, false, &v), TRAP_HANDLED);
	assert_int_equal(v, 0x18); /* SP805 PeriphID1 */
	v = 0;
	assert_int_equal(access(&vms[0], VBOARD_UART_BASE, 4, false, &v), TRAP_INJECTED); /* nothing there now */
	assert_non_null(strstr(fake_uart_text(), "not assigned to this VM"));
	/* the last address there is (the scan ends at the catch-all whatever the address) */
	assert_int_equal(access(&vms[0], ~0ULL, 1, false, &v), TRAP_INJECTED);
	assert_int_equal(access(&vms[0], 0, 8, true, &v), TRAP_INJECTED);

	/* the UART's interrupt is the SPI its entry names */
	v = UARTINT_TX;
	assert_int_equal(access(&vms[0], 0x09400000 + UARTIMSC, 4, true, &v), TRAP_HANDLED);
	v = 'x';
	assert_int_equal(access(&vms[0], 0x09400000 + UARTDR, 4, true, &v), TRAP_HANDLED);
	assert_true(vms[0].vgic.spi[60 - VGIC_SPI_BASE].level);
	assert_false(vms[0].vgic.spi[VBOARD_UART_INTID - VGIC_SPI_BASE].exists);
}

/* Each refusal names the device that refused. */
static void test_refusals_name_the_device(void **state)
{
	(void)state;
	static const struct {
		uint64_t ipa;
		unsigned int width;
		const char *why;
	} cases[] = {
		{ VBOARD_GICD_BASE + 1, 2, "bad access size for the distributor" },
		{ VBOARD_GICR_BASE + 1, 2, "bad access size for a redistributor" },
		{ VBOARD_UART_BASE + 1, 2, "bad access size for the UART" },
		{ TESTBED_WDT_BASE, 2, "bad access size for the watchdog" },
		{ PLAT_VIRTIO_BASE + 2 * PLAT_VIRTIO_STRIDE + PLAT_VIRTIO_STRIDE - 2, 4,
		  "access crosses the end of the device window" },
		{ PLAT_VIRTIO_BASE + 2 * PLAT_VIRTIO_STRIDE + 2, 4, "misaligned access to a device register" },
	};

	testbed_manifest(&m, 1, 2);
	testbed_set_ram_size(&m, RAM_SIZE);
	testbed_add_watchdog(&m, 0);
	testbed_add_virtio(&m, 0, 2);
	assert_true(testbed_create_vms(&m));
	testbed_memory_map(&mem, &m);
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		uint64_t v = 0;
		fake_uart_clear();
		fake.counter += 2 * fake.freq; /* past the fault messages' rate limit */
		assert_int_equal(access(&vms[0], cases[i].ipa, cases[i].width, false, &v), TRAP_INJECTED);
		if (!strstr(fake_uart_text(), cases[i].why))
			fail_msg("0x%llx: expected \"%s\", got:\n%s", (unsigned long long)cases[i].ipa, cases[i].why,
				 fake_uart_text());
	}
}

static void test_s2_unmap(void **state)
{
	(void)state;
	static struct s2_table pool[S2_POOL_PAGES];
	struct s2 s;
	paddr_t pa;

	s2_init(&s, pool, 1);
	assert_true(s2_map(&s, ipa_init(0x10000000), pa_init(0x80000000), 4 * S2_PAGE_SIZE, S2_NORMAL_RO));
	assert_true(s2_map(&s, ipa_init(0x40000000), pa_init(0x90000000), SZ_2M, S2_NORMAL_RW));
	/* a hole in the middle of the pages */
	assert_true(s2_unmap(&s, ipa_init(0x10001000), 2 * S2_PAGE_SIZE));
	assert_true(s2_translate(&s, ipa_init(0x10000000), &pa));
	assert_false(s2_translate(&s, ipa_init(0x10001000), &pa));
	assert_false(s2_translate(&s, ipa_init(0x10002fff), &pa));
	assert_true(s2_translate(&s, ipa_init(0x10003000), &pa));
	assert_int_equal(pa_addr(pa), 0x80003000);
	/* refused, and nothing changed: part of it is not mapped */
	assert_false(s2_unmap(&s, ipa_init(0x10000000), 2 * S2_PAGE_SIZE));
	assert_true(s2_translate(&s, ipa_init(0x10000000), &pa));
	/* refused: it would split a 2 MiB block */
	assert_false(s2_unmap(&s, ipa_init(0x40000000), S2_PAGE_SIZE));
	assert_true(s2_translate(&s, ipa_init(0x40000000), &pa));
	assert_true(s2_unmap(&s, ipa_init(0x40000000), SZ_2M));
	assert_false(s2_translate(&s, ipa_init(0x40001000), &pa));
	/* misaligned and wrapping ranges */
	assert_false(s2_unmap(&s, ipa_init(0x10000800), S2_PAGE_SIZE));
	assert_false(s2_unmap(&s, ipa_init(0xfffffffffffff000ULL), 2 * S2_PAGE_SIZE));
	assert_false(s2_unmap(&s, ipa_init(0x7ffffff000ULL), 0 - 0x7ffffff000ULL)); /* ends at exactly 2^64 */
	assert_false(s2_unmap(&s, ipa_init(0x7ffffff000ULL), 2 * S2_PAGE_SIZE));    /* past the 39-bit space */
	/* mapped again where it was unmapped */
	assert_true(s2_map(&s, ipa_init(0x10001000), pa_init(0x80001000), 2 * S2_PAGE_SIZE, S2_NORMAL_RW));
	assert_true(s2_translate(&s, ipa_init(0x10002000), &pa));
}

/* A device opens a window in its own region only, and every vCPU sees the change at once. */
static void test_device_windows_at_run_time(void **state)
{
	(void)state;
	paddr_t pa;

	testbed_manifest(&m, 1, 2);
	testbed_set_ram_size(&m, RAM_SIZE);
	testbed_add_watchdog(&m, 0);
	assert_true(testbed_create_vms(&m));
	testbed_memory_map(&mem, &m);
	struct vm *vm = &vms[0];
	const struct vdev *wdt = vdev_find(&vm->devs, TESTBED_WDT_BASE);
	assert_non_null(wdt);

	uint32_t flushes = fake.s2_flushes;
	assert_false(vdev_map(vm, wdt, 0x1000, 0x7f000000, S2_PAGE_SIZE, S2_NORMAL_RO)); /* past its end */
	assert_false(vdev_map(vm, wdt, 0, 0x7f000000, 2 * S2_PAGE_SIZE, S2_NORMAL_RO));
	assert_int_equal(fake.s2_flushes, flushes);
	assert_true(vdev_map(vm, wdt, 0, 0x7f000000, S2_PAGE_SIZE, S2_NORMAL_RO));
	assert_int_equal(fake.s2_flushes, flushes + 1);
	assert_true(s2_translate(&vm->s2, ipa_init(TESTBED_WDT_BASE + 0x10), &pa));
	assert_int_equal(pa_addr(pa), 0x7f000010);
	assert_false(vdev_unmap(vm, wdt, 0, 2 * S2_PAGE_SIZE));
	assert_true(vdev_unmap(vm, wdt, 0, S2_PAGE_SIZE));
	assert_int_equal(fake.s2_flushes, flushes + 2);
	assert_false(s2_translate(&vm->s2, ipa_init(TESTBED_WDT_BASE), &pa));
	assert_false(vdev_unmap(vm, wdt, 0, S2_PAGE_SIZE)); /* nothing left to unmap */
}

/* ---------------- the validator on emulated entries ---------------- */

static struct testbed_diag diag;

static bool validate(void)
{
	testbed_redigest(&m);
	testbed_diag_init(&diag);
	return manifest_validate(&m, m.image_end, &diag.d);
}

static void expect_error(const char *what)
{
	bool ok = validate();

	if (ok || !strstr(diag.text, what))
		fail_msg("expected \"%s\", got (%s):\n%s", what, ok ? "valid" : "invalid", diag.text);
}

static void test_validator_on_emulated_devices(void **state)
{
	(void)state;
	struct manifest_device *d;

	testbed_manifest(&m, 2, 2);
	testbed_add_watchdog(&m, 1);
	assert_true(validate());

	testbed_device(&m, 1, DEVICE_PL011)->kind = DEVICE_SP805;
	expect_error("/vms/vm1: devices: 0 pl011 devices: a VM has exactly one");
	expect_error("/vms/vm1: devices: 2 sp805 devices: a VM has at most one");

	testbed_manifest(&m, 2, 2);
	testbed_device(&m, 0, DEVICE_PL011)->pa = PLAT_UART_BASE;
	expect_error(
		"/vms/vm0: devices: pl011 at 0x9000000: its window must be 0x1000 bytes, 4 KiB aligned, below 0x40000000");

	testbed_manifest(&m, 2, 2);
	testbed_device(&m, 0, DEVICE_PL011)->ipa = 0x3ffff000 + 0x800;
	expect_error("pl011 at 0x3ffff800: its window must be");

	testbed_manifest(&m, 2, 2);
	testbed_device(&m, 0, DEVICE_GICD)->intid = 40;
	expect_error("/vms/vm0: devices: gicv3-distributor: it has no interrupt, INTID 40 given");

	testbed_manifest(&m, 2, 2);
	testbed_device(&m, 0, DEVICE_PL011)->intid = 30;
	expect_error("/vms/vm0: devices: pl011: INTID 30 is not an SPI of the VM (32..127)");

	testbed_manifest(&m, 2, 2);
	testbed_add_watchdog(&m, 0);
	d = testbed_device(&m, 0, DEVICE_SP805);
	d->intid = VBOARD_UART_INTID;
	expect_error("/vms/vm0: devices: devices 2 and 3 share INTID 33");
	d->intid = TESTBED_WDT_INTID;
	d->ipa = VBOARD_UART_BASE;
	expect_error("/vms/vm0: devices: device 3 at 0x9000000 overlaps device 2 at 0x9000000");

	/* a RAM region over an emulated device, wherever the description puts it */
	testbed_manifest(&m, 2, 2);
	testbed_device(&m, 1, DEVICE_PL011)->ipa = 0x09400000;
	assert_true(validate());
	m.vm[1].mem[0].ipa = 0x09400000;
	expect_error("covers an emulated device at 0x9400000");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_table_sorted_and_complete, teardown),
		cmocka_unit_test_teardown(test_devices_where_the_description_says, teardown),
		cmocka_unit_test_teardown(test_refusals_name_the_device, teardown),
		cmocka_unit_test(test_s2_unmap),
		cmocka_unit_test_teardown(test_device_windows_at_run_time, teardown),
		cmocka_unit_test(test_validator_on_emulated_devices),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
