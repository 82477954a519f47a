# SPDX-License-Identifier: MIT
"""Fault containment (docs/fault-matrix.md): fvtest, a bare-metal guest,
misbehaves in every listed way on its own CPUs while a Linux VM beside it
prints a heartbeat. Each check asserts fvtest's report of the architected
answer it got, and that the hypervisor and the heartbeat never stalled."""
import os
import re

import fv
from base import BaseSuite

CONFIG = os.path.join(os.path.dirname(__file__), "configs", "matrix.dts")
IMAGE = os.path.join(fv.BUILD, "tests", "matrix.bin")
MAX_HEARTBEAT_GAP = 3.0  # seconds of the Linux VM's own clock between beats


class MatrixSuite(BaseSuite):
    def set_up(self):
        fv.build_image(CONFIG, IMAGE, search=[os.path.join(fv.BUILD, "guest"), os.path.join(fv.BUILD, "guests")])
        b = self.boot(IMAGE)
        b.wait_shells(["linux"], timeout=180)
        b.expect(r"\[fvtest\] FVTEST ready", start=0, timeout=60)
        mark = len(b.out)
        b.run("linux", "(i=0; while true; do i=$((i+1)); echo HB $i $(cut -d' ' -f1 /proc/uptime); sleep 0.2; done) &")
        b.expect_line("linux", r"HB 3 ", timeout=30, start=mark)
        self.start = len(b.out)
        b.switch_to("fvtest")
        b.send("g")
        b.expect(r"\[fvtest\] FVTEST done: (\d+) failures", timeout=300)
        b.expect(r"\[hv\] fvtest: off", timeout=60)
        self.end = len(b.out)
        b.expect_line("linux", r"HB \d+ ", timeout=30, start=self.end)  # still beating after it all
        self.report = b.text(self.start)

    def checks(self, name, minimum=1):
        ok = re.findall(rf"\[fvtest\] FVTEST {name} ok: [^\r\n]*", self.report)
        bad = re.findall(rf"\[fvtest\] FVTEST {name} FAIL: [^\r\n]*", self.report)
        assert not bad, "\n".join(bad)
        assert len(ok) >= minimum, f"{name}: {len(ok)} ok lines, want {minimum}"

    def check_other_vm_ram_aborts(self):
        self.checks("ram-other-vm", 2)

    def check_hypervisor_ram_aborts(self):
        self.checks("ram-hypervisor", 2)

    def check_flash_aborts(self):
        self.checks("flash", 2)

    def check_unassigned_mmio_aborts(self):
        self.checks("mmio-unassigned", 5)

    def check_foreign_redistributor_aborts(self):
        self.checks("redistributor-foreign", 1)

    def check_distributor_and_redistributor_random_writes(self):
        self.checks("distributor-random")
        self.checks("redistributor-random")

    def check_sgis_reach_only_own_vcpus(self):
        self.checks("sgi-targets")

    def check_psci_on_foreign_cpus_and_bad_entry_points(self):
        self.checks("psci-foreign-cpu", 4)
        self.checks("psci-self")
        self.checks("psci-bad-entry", 5)
        self.checks("psci-own-cpu", 2)

    def check_random_smc_and_hvc(self):
        self.checks("smc-hvc-random", 2)

    def check_trapped_system_registers(self):
        self.checks("sysreg-pmu", 5)
        self.checks("sysreg-timer", 2)
        self.checks("sysreg-gic")

    def check_set_way_cache_maintenance(self):
        self.checks("set-way-maintenance")

    def check_interrupt_storms(self):
        self.checks("interrupt-storm-timer")
        self.checks("interrupt-storm-uart")

    def check_wfi_wfe_spinning(self):
        self.checks("wfi-wfe-spin")

    def check_guest_stuck_in_exception(self):
        self.checks("stuck-in-exception")

    def check_unrecoverable_fault_applies_policy(self):
        self.board.expect(r"\[hv\] fvtest: vCPU 0 instruction abort at pc 0x9100200 inside its exception "
                          r"vectors: unrecoverable", start=self.start)
        self.board.expect(r"\[hv\] fvtest: off", start=self.start)
        assert "FVTEST vector-loop FAIL" not in self.report

    def check_no_failures_reported(self):
        m = re.search(r"FVTEST done: (\d+) failures", self.report)
        assert m and m.group(1) == "0", m.group(0) if m else "no summary"

    def check_heartbeat_never_stalled(self):
        beats = [(int(m.group(1)), float(m.group(2))) for m in
                 (re.search(r"HB (\d+) (\d+\.\d+)$", l) for l in self.board.vm_lines("linux", self.start)) if m]
        assert len(beats) >= 5, f"only {len(beats)} heartbeats during the matrix"
        gaps = [b[1] - a[1] for a, b in zip(beats, beats[1:])]
        assert max(gaps) < MAX_HEARTBEAT_GAP, f"heartbeat stalled for {max(gaps):.1f} s: {beats}"
        nums = [n for n, _ in beats]
        assert nums == list(range(nums[0], nums[0] + len(nums))), "heartbeat lines lost"

    def check_hypervisor_and_other_vm_survive(self):
        b = self.board
        status, out = b.run("linux", "kill %1; echo alive")
        assert status == 0 and "alive" in out, out
        b.switch_to("hv")
        mark = len(b.out)
        b.type("list\r")
        b.expect(r"\[hv\] linux +running", start=mark)
        b.expect(r"\[hv\] fvtest +off", start=mark)
