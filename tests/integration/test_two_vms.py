# SPDX-License-Identifier: MIT
"""The default board: two Linux VMs on 2 + 2 CPUs, booted together from
power-on, each on its own console, linux-a owning a virtio-blk disk.
Checks what a user sees: banner, shells, input routing, CPUs and memory,
the timer, the disk, isolation (memory, MMIO, distributor), poweroff."""
import hashlib
import os
import re
import time
from types import SimpleNamespace

import pytest

import fv

CONFIG = os.path.join(os.path.dirname(__file__), "configs", "two-vms.dts")
IMAGE = os.path.join(fv.BUILD, "tests", "two-vms.bin")
DISK_MB = 8


def intr_count(lines, name):
    for line in lines:
        if name in line:
            return sum(int(x) for x in line.split()[1:3])
    raise AssertionError(f"no {name} in /proc/interrupts: {lines}")


class TestTwoVms:
    @pytest.fixture(scope="class")
    def disk(self):
        """linux-a's disk, DISK_MB of a known pattern: its path and the MD5 of its first 4 MiB."""
        path = os.path.join(fv.BUILD, "tests", "disk-a.img")
        data = bytes((i * 131 + 7) & 0xff for i in range(256)) * (DISK_MB * 4096)
        with open(path, "wb") as f:
            f.write(data)
        return SimpleNamespace(path=path, md5=hashlib.md5(data[: 4 << 20]).hexdigest())

    @pytest.fixture(scope="class")
    def board(self, class_boot, disk):
        fv.build_image(CONFIG, IMAGE)
        b = class_boot(IMAGE, extra=["-drive", f"if=none,id=d0,format=raw,file={disk.path}",
                                     "-device", "virtio-blk-device,drive=d0"])
        b.wait_shells(["linux-a", "linux-b"], timeout=180)
        return b

    def test_banner_names_version_cpus_memory(self, board):
        b = board
        b.expect(r"\[hv\] Flashvisor \S+", start=0)
        b.expect(r"\[hv\] board: .*4 CPUs, 2048 MiB RAM", start=0)
        b.expect(r"\[hv\] linux-a: CPUs 0,1, 256 MiB", start=0)
        b.expect(r"\[hv\] linux-b: CPUs 2,3, 256 MiB", start=0)
        b.expect(r"\[hv\] console: .*Ctrl-A three times", start=0)

    def test_banner_says_which_vm_is_not_isolated(self, board):
        # linux-a is given board slot 31 with isolation-breaking-dma; linux-b nothing
        b = board
        b.expect(r"\[hv\] linux-a: CPUs 0,1, .*4 emulated and 1 passthrough device\(s\)", start=0)
        b.expect(r"\[hv\] linux-a: NOT ISOLATED: its passthrough devices can DMA", start=0)
        b.expect(r"\[hv\] linux-b: CPUs 2,3, .*4 emulated and 0 passthrough device\(s\)", start=0)
        assert "linux-b: NOT ISOLATED" not in b.text(0), "linux-b was called unisolated"

    def test_both_vms_boot_in_parallel(self, board):
        text = board.text()
        first = {vm: text.index(f"[{vm}] [    0.000000] Booting Linux") for vm in ("linux-a", "linux-b")}
        shell = {vm: re.search(rf"\[{vm}\] {vm}:[^\r\n]*# ", text).start() for vm in ("linux-a", "linux-b")}
        # each kernel started before the other reached its shell
        assert first["linux-a"] < shell["linux-b"] and first["linux-b"] < shell["linux-a"], (first, shell)

    def test_lines_are_prefixed_and_never_interleaved(self, board):
        for line in board.text().splitlines():
            line = line.strip("\r")
            if not line:
                continue
            assert re.match(r"^\[(hv|linux-a|linux-b)\]\+? ", line), f"unprefixed line: {line!r}"
            assert not re.search(r".\[(linux-a|linux-b|hv)\] \[ +\d+\.\d+\]", line), f"interleaved: {line!r}"

    def test_shell_answers_typed_command(self, board):
        status, out = board.run("linux-a", "echo $((6 * 7))")
        assert status == 0 and "42" in out, out
        status, out = board.run("linux-b", "echo $((6 * 8))")
        assert status == 0 and "48" in out, out

    def test_ctrl_c_reaches_the_guest(self, board):
        b = board
        b.switch_to("linux-b")
        mark = len(b.out)
        b.type("sleep 100; echo slept $?\r")
        time.sleep(2)
        t0 = time.time()
        b.send(b"\x03")
        b.prompt("linux-b", start=mark + 10, timeout=20)
        assert time.time() - t0 < 15, "Ctrl-C did not interrupt the command"
        assert "slept" not in "\n".join(b.vm_lines("linux-b", mark)[1:]), "the command ran to completion"
        status, out = b.run("linux-b", "echo after")
        assert status == 0 and "after" in out

    def test_each_vm_sees_its_cpus_and_memory(self, board):
        for vm, base in (("linux-a", "48000000"), ("linux-b", "58000000")):
            _, out = board.run(vm, "nproc; grep MemTotal /proc/meminfo; ls /sys/firmware/devicetree/base | grep -c memory@; ls -d /sys/firmware/devicetree/base/memory@*")
            assert out[0] == "2", (vm, out)
            kb = int(re.search(r"(\d+) kB", out[1]).group(1))
            assert 200_000 < kb <= 262_144, (vm, out)
            assert out[2] == "1" and out[3].endswith(f"memory@{base}"), (vm, out)

    def test_timer_ticks(self, board):
        _, one = board.run("linux-a", "cat /proc/interrupts")
        time.sleep(1)
        _, two = board.run("linux-a", "cat /proc/interrupts")
        assert intr_count(two, "arch_timer") > intr_count(one, "arch_timer"), (one, two)

    def test_input_goes_to_one_vm_only(self, board):
        status, _ = board.run("linux-b", "echo typed-in-b > /tmp/where")
        assert status == 0
        status, out = board.run("linux-a", "cat /tmp/where")
        assert status != 0, f"linux-a saw input typed for linux-b: {out}"
        status, out = board.run("linux-b", "cat /tmp/where")
        assert status == 0 and out == ["typed-in-b"], out

    def test_disk_readable_in_its_vm(self, board, disk):
        status, out = board.run("linux-a", "dd if=/dev/vda bs=1M count=4 2>/dev/null | md5sum")
        assert status == 0 and out and out[0].split()[0] == disk.md5, (out, disk.md5)

    def test_disk_absent_in_other_vm(self, board):
        status, out = board.run("linux-b", "ls /sys/bus/virtio/devices/ | wc -l; ls /dev/vda")
        assert status != 0 and out[0] == "0", out
        status, out = board.run("linux-b", "ls /sys/firmware/devicetree/base | grep -c virtio")
        assert out == ["0"], out

    def test_neighbouring_virtio_slots_unreachable(self, board):
        # slot 31 (linux-a's disk) from linux-b; slot 30 shares slot 31's page, given to nobody
        for vm, addr in (("linux-b", "0x0a003e00"), ("linux-a", "0x0a003c00"), ("linux-a", "0x0a003dfc")):
            status, out = board.run(vm, f"devmem {addr} 32")
            assert status != 0 and any("Bus error" in l for l in out), (vm, addr, out)
            board.expect(rf"\[hv\] {vm}: vCPU \d read from 0x{int(addr, 16):x} ", start=0)
        # and linux-a still reads its own slot's magic ("virt") and version
        status, out = board.run("linux-a", "devmem 0x0a003e00 32; devmem 0x0a003e04 32")
        assert status == 0 and out[0].lower() == "0x74726976" and out[1] in ("0x00000001", "0x00000002"), out

    def test_probe_of_other_vm_memory_gets_bus_error_while_other_runs(self, board):
        b = board
        mark = len(b.out)
        b.run("linux-a", "(i=0; while [ $i -lt 1000 ]; do i=$((i+1)); echo HB $i; sleep 0.3; done) &")
        b.expect_line("linux-a", r"HB 2$", timeout=20, start=mark)
        mark = len(b.out)
        for addr in ("0x48000000", "0x48001000", "0x40200000", "0x00000000", "0x09100000"):
            status, out = b.run("linux-b", f"devmem {addr} 32")
            assert status != 0, (addr, out)
            assert any("Bus error" in line for line in out), (addr, out)
        last = int([re.search(r"HB (\d+)$", l).group(1) for l in b.vm_lines("linux-a", mark)
                    if re.search(r"HB (\d+)$", l)][-1])
        b.expect_line("linux-a", rf"HB {last + 2}$", timeout=20)
        b.expect(r"\[hv\] linux-b: vCPU \d read from 0x48000000 .*not assigned to this VM", start=mark)
        b.run("linux-a", "kill %1")

    def test_distributor_writes_for_foreign_interrupts_change_nothing(self, board, disk):
        b = board
        # INTID 79 (SPI 47) is linux-a's disk; from linux-b: disable, set pending, route, priority
        for cmd in ("devmem 0x08000188 32 0x8000", "devmem 0x08000208 32 0x8000",
                    "devmem 0x08006278 64 0x3", "devmem 0x0800044c 32 0xffffffff"):
            status, _ = b.run("linux-b", cmd)
            assert status == 0, cmd
        status, out = b.run("linux-b", "devmem 0x08000108 32")
        assert out[-1].lower() == "0x00000000", f"linux-b sees foreign interrupt state: {out}"
        _, before = b.run("linux-a", "cat /proc/interrupts")
        status, out = b.run("linux-a", "echo 3 > /proc/sys/vm/drop_caches; dd if=/dev/vda bs=1M count=4 2>/dev/null | md5sum")
        assert status == 0 and out[-1].split()[0] == disk.md5, out
        _, after = b.run("linux-a", "cat /proc/interrupts")
        assert intr_count(after, "virtio0") > intr_count(before, "virtio0"), (before, after)

    def test_endless_line_does_not_silence_other_vm(self, board):
        b = board
        mark = len(b.out)
        b.run("linux-b", "(i=0; while [ $i -lt 100 ]; do i=$((i+1)); echo HB $i; sleep 0.2; done) &")
        b.expect_line("linux-b", r"HB 2$", timeout=20, start=mark)
        # 400 KB on one line from linux-a: linux-b's lines keep coming meanwhile
        b.switch_to("linux-a")
        flood = len(b.out)
        b.type("yes abcdefgh | tr -d '\\n' | head -c 400000; echo; echo FLOOD-DONE\r")
        b.expect_line("linux-a", r"^FLOOD-DONE$", timeout=300, start=flood)
        during = [l for l in b.vm_lines("linux-b", flood) if re.search(r"HB \d+$", l)]
        assert len(during) >= 3, f"linux-b was silenced while linux-a streamed: {during}"
        # a cut falls anywhere in "abcdefgh": a piece of the flood starts with any of its letters
        chunks = sum(1 for l in b.text(flood).splitlines() if re.match(r"\[linux-a\]\+ [a-h]{8}", l))
        assert chunks >= 2, "linux-a's endless line was never split for the others"
        b.prompt("linux-a", start=flood)

    def test_slow_writer_does_not_hold_the_console(self, board):
        """linux-a writes a "Q" every few tens of ms and never a newline; linux-b's
        lines still come out while it does (no byte waits on a neighbour for
        more than 50 ms), and linux-a's line goes on in "[linux-a]+ " pieces."""
        b = board
        mark = len(b.out)
        b.run("linux-b", "(sleep 4; i=0; while [ $i -lt 15 ]; do echo DRIBBLE-HB $i; usleep 200000; i=$((i+1)); done) &")
        # linux-a's first byte goes out alone (it then holds the line), then one every 10-30 ms
        b.run("linux-a", "(sleep 1; printf Q; sleep 0.5; i=0; while [ $i -lt 400 ]; do printf Q; usleep 10000; "
                         "i=$((i+1)); done) &")
        b.expect_line("linux-b", r"^DRIBBLE-HB 14$", timeout=60, start=mark)
        b.drain(0.5)
        last_q = b.out.rfind(b"Q")
        shown = b.out[mark:last_q].count(b"DRIBBLE-HB")
        assert b.out[mark:last_q].count(b"Q") > 20, "linux-a's dribble did not run alongside"
        assert shown >= 10, f"only {shown} of linux-b's lines came out while linux-a held its line"
        assert re.search(rb"\[linux-a\]\+ Q", b.out[mark:]), "linux-a's line was never broken for linux-b"
        count, end = -1, time.time() + 60
        while count != b.out.count(b"Q") and time.time() < end:  # the dribble runs to its end
            count = b.out.count(b"Q")
            b.drain(2)

    def test_forged_lines_stay_under_their_own_prefix(self, board):
        """What linux-a writes cannot appear under linux-b's prefix or as the
        hypervisor's line on the board's terminal (rendered by pyte, as a
        user's terminal would), and the shell's cursor-position query never
        reaches the terminal."""
        import pyte  # Debian's python3-pyte (make deps)

        b = board
        mark = len(b.out)
        b.run("linux-b", "echo B-BEFORE")
        forge = (r"printf '\r[linux-b] FORGED1\r\n\033[2K\r[hv] FORGED2\n\033[1A\r\033[2K[linux-b] FORGED3\n"
                 r"\033[1;1H[hv] FORGED4\n\0337\033[3A\0338[hv] FORGED5\n\233A\302\233A[hv] FORGED6\n'")
        b.run("linux-a", forge)
        b.run("linux-b", "echo B-AFTER")
        screen = pyte.Screen(200, 400)
        stream = pyte.ByteStream(screen)
        stream.feed(b.out[mark:])
        rows = [r.rstrip() for r in screen.display]
        forged = [r for r in rows if "FORGED" in r]
        assert len(forged) >= 6, rows
        wrong = [r for r in forged if not r.startswith("[linux-a]")]
        assert not wrong, f"linux-a's text shown under another prefix: {wrong}"
        assert any(r.startswith("[linux-b] B-AFTER") for r in rows), rows
        assert b"\x1b[6n" not in b.out, "a guest's cursor-position query reached the terminal"

    def test_poweroff_stops_only_that_vm(self, board):
        b = board
        b.switch_to("linux-b")
        b.type("poweroff\r")
        b.expect(r"\[hv\] linux-b: off", timeout=60)
        status, out = b.run("linux-a", "echo still-here")
        assert status == 0 and "still-here" in out

    def test_last_poweroff_powers_board_off(self, board):
        b = board
        b.switch_to("linux-a")
        b.type("poweroff\r")
        b.expect(r"\[hv\] every VM is off: powering the board off", timeout=60)
        assert b.wait_exit(30) == 0
