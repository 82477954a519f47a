# SPDX-License-Identifier: MIT
"""One VM can crash, hang or reboot without the others noticing: reboot,
kernel panic, a hung guest caught by its watchdog, the hypervisor console,
crash policies, 100 restarts under a checksummed workload, nothing of a
previous run surviving into a start, corrupt images, and boards that cannot
host the image."""
import json
import os
import re
import shutil
import socket
import struct
import time
from types import SimpleNamespace

import pytest

import fv

CONFIGS = os.path.join(os.path.dirname(__file__), "configs")
SEARCH = [os.path.join(fv.BUILD, "guest"), os.path.join(fv.BUILD, "guests")]


def image(name):
    out = os.path.join(fv.BUILD, "tests", name + ".bin")
    fv.build_image(os.path.join(CONFIGS, name + ".dts"), out, search=SEARCH)
    return out


def heartbeat(board, vm):
    mark = len(board.out)
    board.run(vm, "(i=0; while true; do i=$((i+1)); echo HB $i; sleep 0.5; done) &")
    board.expect_line(vm, r"HB 2$", timeout=30, start=mark)


def beats(board, vm):
    # (a beat may share its line with the shell prompt)
    return [int(m.group(1)) for m in (re.search(r"HB (\d+)$", l) for l in board.vm_lines(vm)) if m]


def beats_on(board, vm, more=2, timeout=30):
    n = beats(board, vm)[-1]
    board.expect_line(vm, rf"HB {n + more}$", timeout=timeout, start=0)


def console(board, command):
    """Type a command on the hypervisor console; return its output lines."""
    board.switch_to("hv")
    mark = len(board.out)
    board.type(command + "\r")
    board.expect(r"\[hv\] fv> ", start=mark + 1, timeout=30)
    lines = [l.strip("\r")[5:] for l in board.text(mark).splitlines() if l.startswith("[hv] ")]
    return lines


def restarted(b, vm, mark, reason):
    """vm went down for `reason` after `mark` and came back afresh."""
    b.expect(rf"\[hv\] {vm}: {reason}", start=mark, timeout=60)
    b.expect(rf"\[hv\] {vm}: restarting", start=mark, timeout=60)
    b.expect(rf"\[hv\] {vm}: images loaded and verified", start=mark, timeout=60)
    b.expect(rf"\[{vm}\] {vm}:[^\r\n]*# ", start=b.pos, timeout=180)
    b.focus = None
    status, out = b.run(vm, "cut -d. -f1 /proc/uptime")
    assert status == 0 and int(out[-1]) < 120, f"{vm} did not start afresh: {out}"


class TestRestart:
    """Two Linux VMs with the default policy (restart)."""

    @pytest.fixture(scope="class")
    def board(self, class_boot):
        b = class_boot(image("two-vms"))
        b.wait_shells(["linux-a", "linux-b"], timeout=180)
        heartbeat(b, "linux-a")
        return b

    def test_reboot_restarts_only_that_vm(self, board):
        b = board
        b.run("linux-b", "echo before-reboot > /tmp/marker")
        mark = len(b.out)
        b.switch_to("linux-b")
        b.type("reboot\r")
        restarted(b, "linux-b", mark, "the guest asked for a reset")
        status, _ = b.run("linux-b", "cat /tmp/marker")
        assert status != 0, "linux-b kept its memory across a restart"
        beats_on(b, "linux-a")
        assert "linux-a: restarting" not in b.text(mark)

    def test_kernel_panic_restarts_the_vm(self, board):
        b = board
        mark = len(b.out)
        b.switch_to("linux-b")
        b.type("echo c > /proc/sysrq-trigger\r")
        b.expect(r"\[linux-b\] [^\r\n]*Kernel panic - not syncing", start=mark, timeout=60)
        restarted(b, "linux-b", mark, "the guest kernel panicked")
        beats_on(b, "linux-a")

    def test_hung_vm_restarted_by_its_watchdog(self, board):
        b = board
        status, out = b.run("linux-b", "cat /sys/class/watchdog/watchdog0/timeout; pidof watchdog")
        assert status == 0 and out[0] == "20", out
        mark = len(b.out)
        # The guest hangs as far as its watchdog knows: nobody services it any more.
        b.run("linux-b", "kill -STOP $(pidof watchdog)")
        restarted(b, "linux-b", mark, "its watchdog expired")
        beats_on(b, "linux-a")

    def test_console_lists_vms(self, board):
        lines = console(board, "list")
        text = "\n".join(lines)
        assert re.search(r"linux-a +running +0,1 +256 MiB", text), text
        m = re.search(r"linux-b +running +2,3 +256 MiB +\d+ s +(\d+) +(\d+)", text)
        assert m and int(m.group(1)) == 3 and int(m.group(2)) > 0, text

    def test_console_bad_command(self, board):
        lines = console(board, "frobnicate now")
        assert any("unknown command 'frobnicate'" in l for l in lines), lines
        lines = console(board, "restart nosuchvm")
        assert any("no VM called 'nosuchvm'" in l for l in lines), lines

    def test_console_stop_and_start(self, board):
        b = board
        mark = len(b.out)
        console(b, "stop linux-b")
        b.expect(r"\[hv\] linux-b: off", start=mark, timeout=60)
        assert any(re.search(r"linux-b +off", l) for l in console(b, "list"))
        beats_on(b, "linux-a")
        mark = len(b.out)
        console(b, "start linux-b")
        b.expect(r"\[linux-b\] linux-b:[^\r\n]*# ", start=mark, timeout=180)
        b.focus = None
        status, out = b.run("linux-b", "echo back")
        assert status == 0 and "back" in out

    def test_console_restart(self, board):
        b = board
        mark = len(b.out)
        console(b, "restart linux-b")
        restarted(b, "linux-b", mark, "restart requested on the console")
        beats_on(b, "linux-a")

    def test_other_vm_never_paused(self, board):
        b = board
        status, out = b.run("linux-a", "kill %1; cut -d. -f1 /proc/uptime")
        assert status == 0
        assert "linux-a: restarting" not in b.text() and "linux-a: off" not in b.text()
        seen = beats(b, "linux-a")  # (the first may share a line with the prompt)
        assert len(seen) > 20 and seen == list(range(seen[0], seen[0] + len(seen))), "heartbeat lines lost"


class TestPolicy:
    """on-crash = "stop" and "halt-board"."""

    @pytest.fixture(scope="class")
    def board(self, class_boot):
        b = class_boot(image("policy"))
        b.wait_shells(["linux-a", "linux-b"], timeout=180)
        return b

    def test_stop_policy_leaves_vm_off_and_others_running(self, board):
        b = board
        mark = len(b.out)
        b.switch_to("linux-a")
        b.type("echo c > /proc/sysrq-trigger\r")
        b.expect(r"\[hv\] linux-a: the guest kernel panicked", start=mark, timeout=60)
        b.expect(r"\[hv\] linux-a: off", start=mark, timeout=60)
        assert "linux-a: restarting" not in b.text(mark)
        status, out = b.run("linux-b", "echo alive")
        assert status == 0 and "alive" in out
        assert b.proc.poll() is None, "the board went off"

    def test_halt_board_policy_powers_board_off(self, board):
        b = board
        mark = len(b.out)
        b.switch_to("linux-b")
        b.type("echo c > /proc/sysrq-trigger\r")
        b.expect(r"\[hv\] linux-b: its policy is halt-board: powering the board off", start=mark, timeout=60)
        assert b.wait_exit(30) == 0


def restart_count(board):
    """fvtest's restarts as the hypervisor console's list counts them."""
    lines = console(board, "list")
    m = [re.search(r"fvtest +\S+ +\S+ +\d+ MiB +\d+ s +(\d+)", l) for l in lines]
    return [int(x.group(1)) for x in m if x][0]


class TestResetLoop:
    """100 consecutive restarts of one VM while the other checksums a file."""

    RESTARTS = 100

    @pytest.fixture(scope="class")
    def loop(self, class_boot):
        """The 100 restarts, done once; what the tests look at before, during and after."""
        b = class_boot(image("reset-loop"))
        b.wait_shells(["linux"], timeout=180)
        # fvtest has been resetting since power-on: hold it while the workload starts
        mark = len(b.out)
        console(b, "stop fvtest")
        b.expect(r"\[hv\] fvtest: off", start=mark, timeout=60)
        status, out = b.run("linux", "dd if=/dev/urandom of=/tmp/f bs=1M count=4 2>/dev/null; md5sum /tmp/f")
        checksum = out[-1].split()[0]
        mark = len(b.out)
        b.run("linux", "(n=0; while true; do n=$((n+1)); s=$(md5sum /tmp/f | cut -d' ' -f1); "
                       f"if [ $s = {checksum} ]; then echo WORK ok $n; else echo WORK BAD $n $s; fi; done) &")
        b.expect_line("linux", r"WORK ok 1$", timeout=60, start=mark)
        mem_before = [l for l in console(b, "mem") if "stage-2" in l or "RAM" in l]
        first = restart_count(b)
        mark = len(b.out)
        work_start = len(re.findall(r"WORK ok \d+", "\n".join(b.vm_lines("linux"))))
        console(b, "start fvtest")
        b.expect(rf"\[hv\] fvtest: restarting \(restart {first + self.RESTARTS}\)", start=mark, timeout=900)
        during = b.text(mark)
        mark = len(b.out)
        console(b, "stop fvtest")
        b.expect(r"\[hv\] fvtest: off", start=mark, timeout=60)
        mem_after = [l for l in console(b, "mem") if "stage-2" in l or "RAM" in l]
        return SimpleNamespace(board=b, first=first, work_start=work_start, during=during,
                               mem_before=mem_before, mem_after=mem_after)

    def test_hundred_restarts_happened(self, loop):
        n = len(re.findall(r"\[hv\] fvtest: restarting", loop.during))
        boots = sum(1 for l in loop.board.vm_lines("fvtest") if "FVTEST reset-loop: up" in l)
        assert n >= self.RESTARTS and boots >= self.RESTARTS, (n, boots)
        assert restart_count(loop.board) >= loop.first + self.RESTARTS

    def test_workload_never_corrupted(self, loop):
        b = loop.board
        text = "\n".join(b.vm_lines("linux"))
        n = len(re.findall(r"WORK ok \d+", text))
        b.expect_line("linux", rf"WORK ok {n + 1}$", timeout=60, start=0)  # still going
        b.run("linux", "kill %1; echo stopped")
        text = "\n".join(b.vm_lines("linux"))  # (the guest's tty may mix them with typed echo)
        bad = re.findall(r"WORK BAD \d+ [0-9a-f]*", text)
        assert not bad, bad[:3]
        oks = [int(x) for x in re.findall(r"WORK ok (\d+)", text)]
        assert oks == list(range(1, len(oks) + 1)), oks
        assert len(oks) - loop.work_start >= 3, "the workload did not run during the restarts"

    def test_no_memory_leak(self, loop):
        assert loop.mem_before and loop.mem_before == loop.mem_after, (loop.mem_before, loop.mem_after)


def qmp_system_reset(path):
    """Press the board's reset button (QEMU's system_reset over QMP): a warm
    reset, after which RAM still holds what the last run left there."""
    with socket.socket(socket.AF_UNIX) as s:
        s.settimeout(10)
        s.connect(path)
        f = s.makefile("rwb")
        json.loads(f.readline())  # the greeting
        for command in ("qmp_capabilities", "system_reset"):
            f.write(json.dumps({"execute": command}).encode() + b"\r\n")
            f.flush()
            while True:
                reply = json.loads(f.readline())
                if "return" in reply or "error" in reply:
                    break  # (events may come first)
            assert "return" in reply, reply


class TestRestartHygiene:
    """Nothing of a run survives into the next start: fvtest reports the
    state it finds at each start (every EL1 register a guest can write, FP
    and SIMD, debug and pointer-authentication registers, its GIC CPU
    interface, distributor, redistributors and UART, and its RAM), leaves
    all of it dirty, an interrupt acknowledged and never finished included,
    and is restarted; then leaves it dirty again and the whole board is
    reset warm. Each start must report what the first start on a cold
    board did. On a Cortex-A57 and on QEMU's `max` CPU (pointer
    authentication, SVE, SME)."""

    @pytest.fixture(scope="class", params=["cortex-a57", "max,pauth-impdef=on"])
    def starts(self, request, class_boot):
        qmp = os.path.join(fv.BUILD, "tests", f"hygiene-{os.getpid()}.qmp")
        if os.path.exists(qmp):
            os.unlink(qmp)
        b = class_boot(image("hygiene"), smp=2, mem="1G", cpu=request.param,
                       extra=["-qmp", f"unix:{qmp},server=on,wait=off"])
        reports = {}

        def report(name, mark):
            b.expect(r"\[fvtest\] FVTEST hygiene reported \(vCPU 1: CPU_ON 0, done\)", start=mark, timeout=120)
            lines = b.vm_lines("fvtest", mark)
            reports[name] = dict(m.groups() for m in (re.match(r"FVTEST state (\S+) (0x[0-9a-f]+)$", l)
                                                       for l in lines) if m)

        report("cold", 0)
        mark = len(b.out)
        b.send(b"r")
        b.expect(r"\[hv\] fvtest: the guest asked for a reset", start=mark, timeout=60)
        report("restart", mark)
        mark = len(b.out)
        b.send(b"w")
        b.expect(r"\[fvtest\] FVTEST hygiene waiting for the board to reset", start=mark, timeout=60)
        qmp_system_reset(qmp)
        b.expect(r"\[hv\] Flashvisor", start=mark, timeout=60)
        report("warm", mark)
        os.unlink(qmp)
        return SimpleNamespace(board=b, reports=reports, cpu=request.param)

    def differences(self, starts, name):
        first, other = starts.reports["cold"], starts.reports[name]
        assert len(first) > 100, f"only {len(first)} state lines: {first}"
        return {k: (first.get(k), other.get(k)) for k in sorted(set(first) | set(other))
                if first.get(k) != other.get(k)}

    def test_first_start_is_clean(self, starts):
        r = starts.reports["cold"]
        assert r["ram.nonzero-words"] == "0x0", r["ram.nonzero-words"]
        for cpu in ("c0.", "c1."):
            assert r[cpu + "icc_ap1r0"] == "0x0" and r[cpu + "icc_rpr"] == "0xff", r
            assert r[cpu + "cntvoff-zero"] == "0x1"
        if starts.cpu.startswith("max"):
            assert "c0.apiakeylo" in r, "no pointer authentication keys reported on max"

    def test_restart_equals_first_start(self, starts):
        assert self.differences(starts, "restart") == {}

    def test_warm_board_reset_equals_first_start(self, starts):
        # RAM too: a warm reset keeps it, the first start after one must scrub it
        assert self.differences(starts, "warm") == {}


class TestCorruptImage:
    """A corrupted image keeps only its VM from starting."""

    @pytest.fixture(scope="class")
    def board(self, class_boot):
        src = image("two-vms")
        path = os.path.join(fv.BUILD, "tests", "corrupt.bin")
        shutil.copy(src, path)
        rc, dump = fv.fvimage(["--dump", path])
        m = re.search(r"image \d+: linux-b\.dtb +offset (0x[0-9a-f]+) size (\d+)", dump)
        assert m, dump
        with open(path, "r+b") as f:
            f.seek(int(m.group(1), 16) + int(m.group(2)) // 2)
            byte = f.read(1)
            f.seek(-1, 1)
            f.write(bytes([byte[0] ^ 0xff]))
        b = class_boot(path)
        b.wait_shells(["linux-a"], timeout=180)
        return b

    def test_vm_with_corrupt_image_does_not_start(self, board):
        b = board
        b.expect(r"\[hv\] linux-b: device tree image 'linux-b.dtb' is corrupt \(SHA-256 mismatch\)", start=0)
        b.expect(r"\[hv\] linux-b: not started", start=0)
        assert "[linux-b]" not in b.text()

    def test_other_vm_runs(self, board):
        status, out = board.run("linux-a", "echo fine")
        assert status == 0 and "fine" in out
        lines = console(board, "list")
        assert any(re.search(r"linux-b +failed", l) for l in lines), lines


class TestRefuse:
    """The hypervisor refuses, with a message, what it cannot run, and powers off.
    Each test boots its own board (`boot` kills it when the test ends)."""

    def refuse(self, boot, path, expect, **kw):
        b = boot(path, **kw)
        for e in expect:
            b.expect(e, start=0, timeout=60)
        b.expect(r"\[hv\] refusing to start", start=0, timeout=60)
        assert b.wait_exit(30) == 0

    def test_board_with_too_few_cpus(self, boot):
        self.refuse(boot, image("two-vms"), [r"error: board: cpus: the image needs 4 CPUs, the board has 2"], smp=2)

    def test_board_with_too_little_memory(self, boot):
        self.refuse(boot, image("two-vms"), [r"error: board: memory: the image needs RAM \[0x40000000, 0xbfffffff\]"],
                    mem="1G")

    def test_corrupt_manifest(self, boot):
        path = os.path.join(fv.BUILD, "tests", "bad-manifest.bin")
        shutil.copy(image("two-vms"), path)
        with open(path, "r+b") as f:
            f.seek(0x200000 + 200)  # inside the VM table
            byte = f.read(1)
            f.seek(-1, 1)
            f.write(bytes([byte[0] ^ 0x01]))
        self.refuse(boot, path, [r"error: manifest: checksum mismatch: the manifest is corrupt"])

    def test_truncated_image(self, boot):
        path = os.path.join(fv.BUILD, "tests", "truncated.bin")
        with open(image("two-vms"), "rb") as f:
            data = f.read()
        with open(path, "wb") as f:
            f.write(data[: 0x200000 + 0x2000 + 4096])
        # QEMU pads -bios to the flash size with zeros: the images read as zeros,
        # so each VM's digest check fails and no VM starts.
        b = boot(path)
        b.expect(r"\[hv\] linux-a: kernel image 'Image' is corrupt", start=0, timeout=60)
        b.expect(r"\[hv\] linux-b: kernel image 'Image' is corrupt", start=0, timeout=60)
        b.expect(r"\[hv\] every VM is off: powering the board off", start=0, timeout=60)
        assert b.wait_exit(30) == 0
