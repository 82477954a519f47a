# SPDX-License-Identifier: MIT
"""Drive a Flashvisor board in QEMU the way a user does: through its one
serial console. Every QEMU run is bounded by a timeout and killed when done.

pexpect reads the console (a pipe, so no terminal line discipline sits
between QEMU and the tests) and copies it to the log as it comes. The
searching stays here: tests look for lines anywhere in the console's whole
history (from power-on, or from a mark), which pexpect's expect, consuming
its buffer as it matches, cannot do.

Lines on the console look like "[linux-a] text" or "[hv] text"; Board helps
to wait for them, to switch input between VMs (Ctrl-A three times) and to
run shell commands in a VM and collect their output.
"""
import os
import re
import shutil
import signal
import subprocess
import time

import pexpect
from pexpect import fdpexpect

QEMU = "qemu-system-aarch64"
MACHINE = "virt,virtualization=on,secure=off,gic-version=3"
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.path.join(ROOT, "build")
KERNEL_MESSAGE = re.compile(r"^\[\s*\d+\.\d+\] ")  # a printk line on the guest's console


class TestFailure(Exception):
    pass


def qemu_or_fail():
    if not shutil.which(QEMU):
        raise TestFailure(f"{QEMU} is not installed: QEMU integration tests cannot run "
                          "(make deps installs it)")


class Board:
    """One QEMU run of a flash image, with the console on a pipe."""

    def __init__(self, image=None, smp=4, mem="2G", cpu="cortex-a57", extra=(), log=None,
                 max_seconds=600, kernel=None, initrd=None, append=None):
        """Boot `image` from flash; or, for comparisons, `kernel` natively (-kernel)."""
        qemu_or_fail()
        self.cmd = [QEMU, "-M", MACHINE, "-cpu", cpu, "-smp", str(smp), "-m", mem,
                    "-nic", "none", "-display", "none", "-monitor", "none",
                    "-chardev", "stdio,id=s0,signal=off", "-serial", "chardev:s0"]
        self.native = not image
        if image:
            self.cmd += ["-bios", image]
        else:
            self.cmd += ["-kernel", kernel, "-initrd", initrd, "-append", append]
        self.cmd += list(extra)
        console, qemu_out = os.pipe()
        try:
            self.proc = subprocess.Popen(self.cmd, stdin=subprocess.PIPE, stdout=qemu_out,
                                         stderr=subprocess.STDOUT, start_new_session=True)
        except BaseException:
            os.close(console)
            raise
        finally:
            os.close(qemu_out)  # QEMU holds the only write end: its exit is our EOF
        self.console = fdpexpect.fdspawn(console)
        self.console.logfile_read = log  # everything read, as it is read
        self.out = b""
        self.pos = 0  # expect() searches from here
        self.started = time.time()
        self.deadline = self.started + max_seconds
        self.log = log
        self.focus = None

    # ---- low level ----
    def _pump(self, wait):
        if self.console.closed:
            return False
        try:
            self.out += self.console.read_nonblocking(65536, timeout=wait)
        except pexpect.TIMEOUT:
            pass
        except pexpect.EOF:
            return False
        return True

    def pump(self, wait):
        """Read what the console has within `wait` seconds; False once QEMU has exited."""
        return self._pump(wait)

    def text(self, start=0):
        return self.out[start:].decode("utf-8", "replace")

    def expect(self, pattern, timeout=60, start=None):
        """Wait until `pattern` (a regex) appears after `start` (default: the
        end of the previous match); return the match."""
        rx = re.compile(pattern.encode() if isinstance(pattern, str) else pattern)
        begin = self.pos if start is None else start
        end = min(time.time() + timeout, self.deadline)
        while True:
            m = rx.search(self.out, begin)
            if m:
                self.pos = m.end()
                return m
            if time.time() >= end:
                raise TestFailure(f"timed out after {timeout}s waiting for {pattern!r}; "
                                  f"console tail:\n{self.tail()}")
            if not self._pump(min(0.2, max(0.0, end - time.time()))):
                m = rx.search(self.out, begin)
                if m:
                    self.pos = m.end()
                    return m
                raise TestFailure(f"QEMU exited (status {self.proc.poll()}) while waiting for "
                                  f"{pattern!r}; console tail:\n{self.tail()}")

    def drain(self, seconds):
        end = time.time() + seconds
        while time.time() < end and self._pump(0.1):
            pass

    def tail(self, n=25):
        return "\n".join(self.text().splitlines()[-n:])

    def send(self, data):
        if isinstance(data, str):
            data = data.encode()
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def type(self, text, delay=0.01):
        """Type like a person: byte by byte (the guest UART FIFO is small)."""
        for ch in text.encode():
            self.send(bytes([ch]))
            time.sleep(delay)

    # ---- Flashvisor console ----
    LINE_RX = re.compile(rb"^\[([^\]\s]+)\](\+?) (.*)$")

    def vm_lines(self, vm, start=0):
        """vm's console lines from offset `start`, with lines the multiplexer
        split ("[vm]+ " continues the VM's previous line) joined again."""
        lines = []
        for raw in self.out[start:].split(b"\n"):
            raw = raw.rstrip(b"\r")
            if self.native:
                lines.append(raw.decode("utf-8", "replace"))
                continue
            m = self.LINE_RX.match(raw)
            if not m or m.group(1).decode() != vm:
                continue
            text = m.group(3).decode("utf-8", "replace")
            if m.group(2) == b"+" and lines:
                lines[-1] += text
            else:
                lines.append(text)
        return lines

    def expect_line(self, vm, pattern, timeout=60, start=None):
        """Wait for a (joined) line of vm matching `pattern`; return the match."""
        rx = re.compile(pattern)
        begin = self.pos if start is None else start
        end = min(time.time() + timeout, self.deadline)
        while True:
            for line in self.vm_lines(vm, begin):
                m = rx.search(line)
                if m:
                    self.pos = len(self.out)
                    return m
            if time.time() >= end:
                raise TestFailure(f"timed out after {timeout}s waiting for a {vm} line matching {pattern!r}; "
                                  f"console tail:\n{self.tail()}")
            if not self._pump(min(0.2, max(0.0, end - time.time()))):
                raise TestFailure(f"QEMU exited (status {self.proc.poll()}) while waiting for {pattern!r}; "
                                  f"console tail:\n{self.tail()}")

    def prefix(self, vm):
        """How vm's lines start: "[vm] " under Flashvisor, nothing natively."""
        return "" if self.native else f"[{vm}] "

    def rx_prefix(self, vm):
        return "" if self.native else rf"\[{re.escape(vm)}\]\+? "

    def wait_shells(self, vms, timeout=120):
        for vm in vms:
            self.expect(rf"{self.rx_prefix(vm)}{re.escape(vm)}:[^\r\n]*# ", timeout=timeout, start=0)

    def switch_to(self, vm, tries=12):
        """Press Ctrl-A three times until the hypervisor says input goes to vm."""
        if self.focus == vm or self.native:
            return
        for _ in range(tries):
            mark = len(self.out)
            self.send(b"\x01\x01\x01")
            m = self.expect(r"\[hv\] input goes to (\S+) now", timeout=10, start=mark)
            if m.group(1).decode() == vm:
                self.focus = vm
                return
        raise TestFailure(f"could not switch input to {vm}")

    def prompt(self, vm, timeout=30, start=None):
        """Wait for vm's shell prompt."""
        return self.expect(rf"{self.rx_prefix(vm)}(\x1b\[6n)?{re.escape(vm)}:[^\r\n#]*# ", timeout=timeout,
                           start=start)

    def run(self, vm, command, timeout=60):
        """Run a shell command in vm; return (status, output lines).

        The output is framed by two marker lines that the shell prints but
        that the echo of the typed command cannot contain (the quotes), so
        line-editor wrapping and other VMs' lines do not confuse it."""
        self.switch_to(vm)
        self.seq = getattr(self, "seq", 0) + 1
        token = f"{os.getpid() % 1000}x{self.seq}"
        start = len(self.out)
        sep = " " if command.rstrip().endswith("&") else "; "
        self.type(f'echo FV"B"{token}; {command}{sep}echo FV"E"{token}=$?\r')
        m = self.expect_line(vm, rf"^FVE{token}=(\d+)$", timeout=timeout, start=start)
        status = int(m.group(1))
        lines = []
        inside = False
        for line in self.vm_lines(vm, start):
            if line == f"FVB{token}":
                inside = True
            elif line.startswith(f"FVE{token}="):
                break
            elif inside and not KERNEL_MESSAGE.match(line):
                lines.append(line)  # printk lines of a loaded guest may land between
        self.prompt(vm, start=start)
        return status, lines

    def wait_exit(self, timeout=60):
        end = min(time.time() + timeout, self.deadline)
        while time.time() < end:
            if not self._pump(0.2) and self.proc.poll() is not None:
                return self.proc.returncode
            if self.proc.poll() is not None:
                self.drain(0.2)
                return self.proc.returncode
        raise TestFailure(f"QEMU still running after {timeout}s; console tail:\n{self.tail()}")

    def close(self):
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.proc.wait()
        self.console.close()
        try:
            self.proc.stdin.close()
        except Exception:
            pass


def fvimage(args, check=False, cwd=ROOT):
    """Run the image tool; return (exit status, stdout+stderr)."""
    tool = os.path.join(BUILD, "host", "fvimage")
    p = subprocess.run([tool] + list(args), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       cwd=cwd, timeout=120)
    if check and p.returncode != 0:
        raise TestFailure(f"fvimage {' '.join(args)} failed:\n{p.stdout.decode()}")
    return p.returncode, p.stdout.decode("utf-8", "replace")


def build_image(config, out, search=None):
    search = search or [os.path.join(BUILD, "guest")]
    args = ["--hv", os.path.join(BUILD, "flashvisor.bin"), "-o", out]
    for s in search:
        args += ["-I", s]
    return fvimage(args + [config], check=True)
