# SPDX-License-Identifier: MIT
"""The example configurations: every one validates, and the three-VM one
boots (one of its VMs sees its RAM at another address than the board's)."""
import glob
import os
import re

import pytest

import fv

CONFIGS = sorted(glob.glob(os.path.join(fv.ROOT, "configs", "*.dts")))


class TestExampleConfigs:
    def test_every_example_validates(self):
        assert len(CONFIGS) >= 4, CONFIGS
        for c in CONFIGS:
            rc, msg = fv.fvimage(["--check", "--hv", os.path.join(fv.BUILD, "flashvisor.bin"), "-I",
                                  os.path.join(fv.BUILD, "guest"), c])
            assert rc == 0 and "valid" in msg, f"{c}: {msg}"


class TestThreeVms:
    @pytest.fixture(scope="class")
    def board(self, class_boot):
        image = os.path.join(fv.BUILD, "tests", "three-vms.bin")
        fv.build_image(os.path.join(fv.ROOT, "configs", "three-vms.dts"), image)
        b = class_boot(image)
        b.wait_shells(["alpha", "beta", "gamma"], timeout=240)
        return b

    def test_each_vm_has_its_cpus(self, board):
        for vm, cpus in (("alpha", 2), ("beta", 1), ("gamma", 1)):
            status, out = board.run(vm, "nproc")
            assert status == 0 and out[-1] == str(cpus), (vm, out)

    def test_guest_address_differs_from_physical(self, board):
        status, out = board.run("gamma", "ls -d /sys/firmware/devicetree/base/memory@*; grep MemTotal /proc/meminfo")
        assert out[0].endswith("memory@40000000"), out
        kb = int(re.search(r"(\d+) kB", out[1]).group(1))
        assert 90_000 < kb <= 131_072, out
        board.expect(r"\[hv\] gamma: CPUs 3, 128 MiB RAM at 0x70000000", start=0)
        # its RAM works: fill and checksum 64 MiB
        status, out = board.run("gamma", "dd if=/dev/zero bs=1M count=64 2>/dev/null | md5sum")
        assert status == 0 and out[-1].startswith("7f614da9329cd3aebf59b91aadc30bf0"), out
