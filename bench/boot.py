#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Boot time and CPU-bound speed, with and without Flashvisor, in one run.

For each of N rounds (default 5) it boots, interleaved so that machine load
hits all variants alike:
  native   the Debian kernel + initramfs with QEMU -kernel (no hypervisor),
           on a 2-CPU 512 MiB machine: the resources the single VM gets
  board    the same, natively on the board the VMs run on (4 CPUs, 2 GiB),
           Linux told maxcpus=2 mem=512M: the same board, the same share of
           it; the other CPUs stay off (QEMU's TCG pays for every CPU the
           machine has on each broadcast TLB invalidation, so this is the
           like-for-like figure)
  single   the same kernel + initramfs in one Flashvisor VM (2 of 4 CPUs)
  two      two Flashvisor VMs (2 + 2 CPUs): time until BOTH shells are up
  pair     two native machines like `native`, started at the same moment
           as two QEMU processes: time until both shells are up. Two OSes
           at once cannot share one native board, but this is what running
           4 emulated CPUs on this host costs without any hypervisor: the
           like-for-like figure for `two`
and prints medians and ratios. Inside native and single it runs two
CPU-bound workloads timed by the guest's own clock (/proc/uptime, read
on the same command line, so typing and console echo are not counted):
a 100k-iteration shell loop and md5sum of a 32 MiB tmpfs file.

Numbers are wall-clock on a shared machine under TCG: compare the ratios
from one run, not absolute times across runs. With --icount QEMU counts
instructions instead (-icount shift=3,sleep=off: one thread, guest time
advances with instructions executed), so the guest-clock workload figures
become instruction counts: far less noise, and the cost of traps shows.
  bench/boot.py [--rounds N] [--no-workload] [--icount]
"""
import argparse
import os
import re
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "integration"))
import fv  # noqa: E402

GUEST = os.path.join(fv.BUILD, "guest")
CONFIGS = os.path.join(fv.ROOT, "configs")
LOOP = "i=0; while [ $i -lt 100000 ]; do i=$((i+1)); done"


def timed(board, vm, command, timeout=300):
    """Seconds by the guest's own clock that `command` takes, read before and
    after it on the same command line: typing and console echo are not in it."""
    up = "cut -d' ' -f1 /proc/uptime"
    _, out = board.run(vm, f"a=$({up}); {command} >/dev/null; b=$({up}); echo T $a $b", timeout=timeout)
    t = next(line.split() for line in out if line.startswith("T "))
    return float(t[2]) - float(t[1])


def workload(board, vm):
    """Seconds (guest clock) for the shell loop and for md5sum of 32 MiB."""
    board.run(vm, "dd if=/dev/zero of=/tmp/z bs=1M count=32 2>/dev/null")
    return timed(board, vm, LOOP), timed(board, vm, "md5sum /tmp/z")


ICOUNT = []
KERNEL_S = {}  # kind: the guest's clock from its kernel's start to its start-up script's end
LOAD_MS = {}  # kind: the hypervisor's own figure for copying and verifying each VM's images
SCRUB_MS = {}  # kind: the hypervisor's own figure for zeroing each VM's RAM before its load


# The native variants: kernel arguments and QEMU machine (default: the board).
NATIVE = {
    "native": ("", {"smp": 2, "mem": "512M"}),
    "board": ("maxcpus=2 mem=512M ", {}),
}


def native_board(kind):
    """The Debian kernel and initramfs booted natively (-kernel) as NATIVE[kind] says."""
    args, machine = NATIVE[kind]
    return fv.Board(kernel=os.path.join(GUEST, "Image"), initrd=os.path.join(GUEST, "initrd.gz"),
                    append=f"console=ttyAMA0 {args}fv.name=native", extra=ICOUNT, **machine)


def boot(kind, image=None, do_workload=True):
    t0 = time.time()
    if kind in NATIVE:
        b = native_board(kind)
        vms = ["native"]
    else:
        b = fv.Board(image, extra=ICOUNT)
        vms = ["linux"] if kind == "single" else ["linux-a", "linux-b"]
    try:
        b.wait_shells(vms, timeout=300)
        elapsed = time.time() - t0
        b.focus = vms[0]  # input starts with the first VM
        w = workload(b, vms[0]) if do_workload and kind != "two" else None
        for up in re.findall(r"guest: \S+ up: .*, ([0-9.]+) s after the kernel started", b.text()):
            KERNEL_S.setdefault(kind, []).append(float(up))
        for ms in re.findall(r"images loaded and verified in (\d+) ms", b.text()):
            LOAD_MS.setdefault(kind, []).append(int(ms))
        for ms in re.findall(r"RAM scrubbed in (\d+) ms", b.text()):
            SCRUB_MS.setdefault(kind, []).append(int(ms))
        return elapsed, w
    finally:
        b.close()


def boot_pair(timeout=300):
    """Two native 2-CPU machines booted at once: seconds until both shells answer."""
    t0 = time.time()
    boards = [native_board("native") for _ in range(2)]
    shell = re.compile(rb"native:[^\r\n]*# ")
    done = [None, None]
    try:
        while None in done:
            if time.time() - t0 > timeout:
                raise fv.TestFailure(f"pair: no shell after {timeout}s")
            for i, b in enumerate(boards):  # read both consoles, so neither QEMU blocks on its pipe
                if done[i] is None:
                    if not b.pump(0.05):
                        raise fv.TestFailure(f"pair: QEMU {i} exited; console tail:\n{b.tail()}")
                    if shell.search(b.out):
                        done[i] = time.time() - t0
        return max(done)
    finally:
        for b in boards:
            b.close()


def med(xs):
    return statistics.median(xs)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--no-workload", action="store_true")
    ap.add_argument("--icount", action="store_true")
    args = ap.parse_args()
    if args.icount:
        ICOUNT.extend(["-icount", "shift=3,sleep=off"])
        print("icount mode: guest-clock figures (workloads, kernel start to shell) count instructions; "
              "boot to shell is still wall-clock, of one emulation thread", flush=True)
    os.makedirs(os.path.join(fv.BUILD, "bench"), exist_ok=True)
    single = os.path.join(fv.BUILD, "bench", "single.bin")
    two = os.path.join(fv.BUILD, "bench", "two.bin")
    fv.build_image(os.path.join(CONFIGS, "single-linux.dts"), single)
    fv.build_image(os.path.join(CONFIGS, "two-linux.dts"), two)
    res = {"native": [], "board": [], "single": [], "two": [], "pair": []}
    for r in range(args.rounds):
        for kind, image in (("native", None), ("board", None), ("single", single), ("two", two), ("pair", None)):
            t, w = (boot_pair(), None) if kind == "pair" else boot(kind, image, not args.no_workload)
            res[kind].append((t, w))
            extra = f", loop {w[0]:.2f}s, md5sum {w[1]:.2f}s" if w else ""
            print(f"round {r + 1} {kind:6s}: shell after {t:.2f}s{extra}", flush=True)
    boot_med = {k: med([t for t, _ in v]) for k, v in res.items()}
    print()
    print(f"boot to shell, median of {args.rounds}:")
    nat, brd = boot_med["native"], boot_med["board"]
    print(f"  native, 2-CPU machine        {nat:6.2f} s")
    print(f"  native, same board           {brd:6.2f} s")
    print(f"  Flashvisor, one VM           {boot_med['single']:6.2f} s   ratio {boot_med['single'] / nat:.3f} "
          f"(vs 2-CPU machine), {boot_med['single'] / brd:.3f} (vs same board)")
    print(f"  Flashvisor, both of two VMs  {boot_med['two']:6.2f} s   ratio {boot_med['two'] / nat:.3f} "
          f"(vs 2-CPU machine), {boot_med['two'] / brd:.3f} (vs same board)")
    print(f"  native, two machines at once {boot_med['pair']:6.2f} s   ratio {boot_med['pair'] / nat:.3f} "
          f"(vs 2-CPU machine); two VMs vs this: {boot_med['two'] / boot_med['pair']:.3f}")
    for kind, ms in SCRUB_MS.items():
        print(f"  of which RAM scrubbed before the load ({kind}): median {med(ms)} ms per VM")
    for kind, ms in LOAD_MS.items():
        print(f"  of which images copied and SHA-256 verified ({kind}): median {med(ms)} ms per VM")
    if KERNEL_S:
        print("kernel start to shell by the guest's own clock, median:")
        for kind, ups in KERNEL_S.items():
            print(f"  {kind:6s} {med(ups):6.2f} s")
    if not args.no_workload:
        for i, name in ((0, "100k-iteration shell loop"), (1, "md5sum of 32 MiB (tmpfs)")):
            n = med([w[i] for _, w in res["native"]])
            b = med([w[i] for _, w in res["board"]])
            s = med([w[i] for _, w in res["single"]])
            print(f"{name}, median of {args.rounds}: native {n:.2f} s, same board {b:.2f} s, "
                  f"Flashvisor {s:.2f} s, ratio {s / n:.3f} / {s / b:.3f}")


if __name__ == "__main__":
    main()
