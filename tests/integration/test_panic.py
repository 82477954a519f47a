# SPDX-License-Identifier: MIT
"""A kernel panic is confirmed from the guest's state, not taken from its
console's text: a user process that prints the exact line Linux ends a panic
report with restarts, stops and halts nothing, idle or busy, once or in a
loop; a real panic (sysrq c) on a 1-CPU and on a 2-CPU VM is acted on within
5 s of that line appearing on the console."""
import os
import re
import time

import pytest

import fv

CONFIGS = os.path.join(os.path.dirname(__file__), "configs")
SEARCH = [os.path.join(fv.BUILD, "guest"), os.path.join(fv.BUILD, "guests")]
# printf's format splits the text so the echo of the typed command does not hold it
FORGE = "printf '%s%s\\n' '---[ end Kernel' ' panic - not syncing: Fatal exception ]---'"
MARKER = r"---\[ end Kernel panic - not syncing"
ACT_WITHIN = 5.0  # seconds from the marker on the console


def image(name):
    out = os.path.join(fv.BUILD, "tests", name + ".bin")
    fv.build_image(os.path.join(CONFIGS, name + ".dts"), out, search=SEARCH)
    return out


def uptime(board, vm):
    status, out = board.run(vm, "cut -d. -f1 /proc/uptime")
    assert status == 0, out
    return int(out[-1])


def nothing_happened(b, mark):
    """Since `mark`: no VM was stopped or restarted and the board is on; both shells answer."""
    text = b.text(mark)
    for word in ("panicked", "restarting", ": off", "halt-board"):
        assert word not in text, f"{word!r} after a forged panic report:\n{b.tail()}"
    assert b.proc.poll() is None, "the board went off"
    for vm in ("linux-a", "linux-b"):
        status, out = b.run(vm, "echo alive")
        assert status == 0 and "alive" in out, (vm, out)


def real_panic(b, vm):
    """sysrq c in vm; how long after the end of its panic report the hypervisor acted."""
    mark = len(b.out)
    b.switch_to(vm)
    b.type("echo c > /proc/sysrq-trigger\r")
    b.expect(rf"\[{vm}\] [^\r\n]*{MARKER}[^\r\n]*\r?\n", start=mark, timeout=60)
    seen = time.time()
    b.expect(rf"\[hv\] {vm}: the guest kernel panicked", start=mark, timeout=30)
    return mark, time.time() - seen


class TestPanicCheck:
    """linux-a: 1 CPU, restarts when it crashes; linux-b: 2 CPUs, halts the board."""

    @pytest.fixture(scope="class")
    def board(self, class_boot):
        b = class_boot(image("panic"), smp=3)
        b.wait_shells(["linux-a", "linux-b"], timeout=240)
        return b

    def test_forged_report_halts_nothing(self, board):
        b = board
        mark = len(b.out)
        up = uptime(b, "linux-b")
        status, out = b.run("linux-b", FORGE)
        assert status == 0 and any(re.search(MARKER, l) for l in out), out
        b.expect(r"\[hv\] linux-b: a kernel panic report on its console, but the guest still [^\r\n]*: ignored",
                 start=mark, timeout=30)
        b.drain(2 * ACT_WITHIN)
        nothing_happened(b, mark)
        assert uptime(b, "linux-b") >= up + 2 * ACT_WITHIN, "linux-b was restarted"

    def test_forged_reports_in_a_loop_restart_nothing(self, board):
        b = board
        mark = len(b.out)
        up = uptime(b, "linux-a")
        # a busy user process that prints the text again and again, for 8 s
        status, out = b.run("linux-a", f"end=$(($(cut -d. -f1 /proc/uptime)+8)); n=0; "
                            f"while [ $(cut -d. -f1 /proc/uptime) -lt $end ]; do {FORGE}; n=$((n+1)); done "
                            f"> /dev/console; echo forged $n", timeout=120)
        assert status == 0, out
        n = int(re.search(r"forged (\d+)", "\n".join(out)).group(1))
        assert n > 10, out
        assert len(re.findall(MARKER, b.text(mark))) > 10
        b.drain(ACT_WITHIN)
        nothing_happened(b, mark)
        assert "still runs user space: ignored" in b.text(mark)
        assert uptime(b, "linux-a") >= up + 8, "linux-a was restarted"

    def test_forged_report_while_both_cpus_are_busy(self, board):
        b = board
        mark = len(b.out)
        status, out = b.run("linux-b", f"(while :; do :; done) & (while :; do :; done) & sleep 1; {FORGE}; "
                            f"sleep {int(2 * ACT_WITHIN)}; kill %1 %2", timeout=120)
        assert status == 0, out
        nothing_happened(b, mark)

    def test_real_panic_on_one_cpu_restarts_it_within_5s(self, board):
        b = board
        mark, took = real_panic(b, "linux-a")
        assert took <= ACT_WITHIN, f"acted on {took:.1f} s after the panic report"
        b.expect(r"\[hv\] linux-a: restarting", start=mark, timeout=30)
        b.expect(r"\[linux-a\] linux-a:[^\r\n]*# ", start=mark, timeout=240)
        b.focus = None
        assert uptime(b, "linux-a") < 60
        status, out = b.run("linux-b", "echo alive")
        assert status == 0 and "alive" in out
        assert b.proc.poll() is None

    def test_real_panic_on_two_cpus_halts_the_board_within_5s(self, board):
        b = board
        mark, took = real_panic(b, "linux-b")
        assert took <= ACT_WITHIN, f"acted on {took:.1f} s after the panic report"
        b.expect(r"\[hv\] linux-b: its policy is halt-board: powering the board off", start=mark, timeout=30)
        assert "(1 CPU parked)" in b.text(mark)  # the other one, in cpu_park_loop
        assert b.wait_exit(30) == 0
