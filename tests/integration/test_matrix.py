# SPDX-License-Identifier: MIT
"""Fault containment (docs/fault-matrix.md): fvtest, a bare-metal guest,
misbehaves in every listed way on its own CPUs while a Linux VM beside it
prints a heartbeat. Each check asserts fvtest's report of the architected
answer it got, and that the hypervisor and the heartbeat never stalled."""
import os
import re
from types import SimpleNamespace

import pytest

import fv

CONFIG = os.path.join(os.path.dirname(__file__), "configs", "matrix.dts")
IMAGE = os.path.join(fv.BUILD, "tests", "matrix.bin")
MAX_HEARTBEAT_GAP = 3.0  # seconds of the Linux VM's own clock between beats


def checks(report, name, minimum=1):
    ok = re.findall(rf"\[fvtest\] FVTEST {name} ok: [^\r\n]*", report)
    bad = re.findall(rf"\[fvtest\] FVTEST {name} FAIL: [^\r\n]*", report)
    assert not bad, "\n".join(bad)
    assert len(ok) >= minimum, f"{name}: {len(ok)} ok lines, want {minimum}"


class TestMatrix:
    CPU = "cortex-a57"

    @pytest.fixture(scope="class")
    def matrix(self, class_boot):
        """The whole matrix, run once: the board, where fvtest's run starts, and its report."""
        fv.build_image(CONFIG, IMAGE, search=[os.path.join(fv.BUILD, "guest"), os.path.join(fv.BUILD, "guests")])
        b = class_boot(IMAGE, cpu=self.CPU)
        b.wait_shells(["linux"], timeout=180)
        b.expect(r"\[fvtest\] FVTEST ready", start=0, timeout=60)
        mark = len(b.out)
        b.run("linux", "(i=0; while true; do i=$((i+1)); echo HB $i $(cut -d' ' -f1 /proc/uptime); sleep 0.2; done) &")
        b.expect_line("linux", r"HB 3 ", timeout=30, start=mark)
        start = len(b.out)
        b.switch_to("fvtest")
        b.send("g")
        b.expect(r"\[fvtest\] FVTEST done: (\d+) failures", timeout=300)
        b.expect(r"\[hv\] fvtest: off", timeout=60)
        end = len(b.out)
        b.expect_line("linux", r"HB \d+ ", timeout=30, start=end)  # still beating after it all
        return SimpleNamespace(board=b, start=start, report=b.text(start))

    def test_other_vm_ram_aborts(self, matrix):
        checks(matrix.report, "ram-other-vm", 2)

    def test_hypervisor_ram_aborts(self, matrix):
        checks(matrix.report, "ram-hypervisor", 2)

    def test_flash_aborts(self, matrix):
        checks(matrix.report, "flash", 2)

    def test_unassigned_mmio_aborts(self, matrix):
        checks(matrix.report, "mmio-unassigned", 5)

    def test_foreign_redistributor_aborts(self, matrix):
        checks(matrix.report, "redistributor-foreign", 1)

    def test_distributor_and_redistributor_random_writes(self, matrix):
        checks(matrix.report, "distributor-random")
        checks(matrix.report, "redistributor-random")

    def test_sgis_reach_only_own_vcpus(self, matrix):
        checks(matrix.report, "sgi-targets")

    def test_psci_on_foreign_cpus_and_bad_entry_points(self, matrix):
        checks(matrix.report, "psci-foreign-cpu", 4)
        checks(matrix.report, "psci-self")
        checks(matrix.report, "psci-bad-entry", 5)
        checks(matrix.report, "psci-own-cpu", 2)

    def test_random_smc_and_hvc(self, matrix):
        checks(matrix.report, "smc-hvc-random", 2)

    def test_trapped_system_registers(self, matrix):
        checks(matrix.report, "sysreg-pmu", 5)
        checks(matrix.report, "sysreg-timer", 2)
        checks(matrix.report, "sysreg-gic")

    def test_debug_trace_amu_ras_registers(self, matrix):
        checks(matrix.report, "sysreg-debug", 4)
        checks(matrix.report, "sysreg-debug-external", 4)
        checks(matrix.report, "sysreg-trace-amu-ras", 4)

    def test_access_forms_without_syndrome(self, matrix):
        checks(matrix.report, "access-forms", 4 * 5 + 1)

    def test_set_way_cache_maintenance(self, matrix):
        checks(matrix.report, "set-way-maintenance")

    def test_interrupt_storms(self, matrix):
        checks(matrix.report, "interrupt-storm-timer")
        checks(matrix.report, "interrupt-storm-uart")

    def test_wfi_wfe_spinning(self, matrix):
        checks(matrix.report, "wfi-wfe-spin")

    def test_guest_stuck_in_exception(self, matrix):
        checks(matrix.report, "stuck-in-exception")

    def test_unrecoverable_fault_applies_policy(self, matrix):
        matrix.board.expect(r"\[hv\] fvtest: vCPU 0 instruction abort at pc 0x9100200 inside its exception "
                            r"vectors: unrecoverable", start=matrix.start)
        matrix.board.expect(r"\[hv\] fvtest: off", start=matrix.start)
        assert "FVTEST vector-loop FAIL" not in matrix.report

    def test_no_failures_reported(self, matrix):
        m = re.search(r"FVTEST done: (\d+) failures", matrix.report)
        assert m and m.group(1) == "0", m.group(0) if m else "no summary"

    def test_heartbeat_never_stalled(self, matrix):
        beats = [(int(m.group(1)), float(m.group(2))) for m in
                 (re.search(r"HB (\d+) (\d+\.\d+)$", l) for l in matrix.board.vm_lines("linux", matrix.start)) if m]
        assert len(beats) >= 5, f"only {len(beats)} heartbeats during the matrix"
        gaps = [b[1] - a[1] for a, b in zip(beats, beats[1:])]
        assert max(gaps) < MAX_HEARTBEAT_GAP, f"heartbeat stalled for {max(gaps):.1f} s: {beats}"
        nums = [n for n, _ in beats]
        assert nums == list(range(nums[0], nums[0] + len(nums))), "heartbeat lines lost"

    def test_hypervisor_and_other_vm_survive(self, matrix):
        b = matrix.board
        status, out = b.run("linux", "kill %1; echo alive")
        assert status == 0 and "alive" in out, out
        b.switch_to("hv")
        mark = len(b.out)
        b.type("list\r")
        b.expect(r"\[hv\] linux +running", start=mark)
        b.expect(r"\[hv\] fvtest +off", start=mark)


class TestMatrixMax(TestMatrix):
    """The same on QEMU's `max` CPU, which has what cortex-a57 lacks and the
    hypervisor must set up or trap: FEAT_HCX, RAS (its error records read as
    zero here), pointer authentication, SVE; Linux must still boot under it."""
    CPU = "max,pauth-impdef=on"
