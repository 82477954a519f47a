#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Boot time and CPU-bound speed, with and without Flashvisor, in one run.

For each of N rounds (default 5) it boots, interleaved so that machine load
hits all variants alike:
  native   the Debian kernel + initramfs with QEMU -kernel (no hypervisor),
           2 CPUs, 512 MiB: the same resources the single VM gets
  single   the same kernel + initramfs in one Flashvisor VM (2 of 4 CPUs)
  two      two Flashvisor VMs (2 + 2 CPUs): time until BOTH shells are up
and prints medians and ratios. Inside native and single it runs two
CPU-bound workloads timed by the guest's own clock (/proc/uptime):
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
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "integration"))
import fv  # noqa: E402

GUEST = os.path.join(fv.BUILD, "guest")
CONFIGS = os.path.join(fv.ROOT, "configs")
LOOP = "i=0; while [ $i -lt 100000 ]; do i=$((i+1)); done"


def uptime(board, vm):
    _, out = board.run(vm, "cut -d' ' -f1 /proc/uptime")
    return float(out[-1])


def workload(board, vm):
    """Seconds (guest clock) for the shell loop and for md5sum of 32 MiB."""
    board.run(vm, "dd if=/dev/zero of=/tmp/z bs=1M count=32 2>/dev/null")
    t0 = uptime(board, vm)
    board.run(vm, LOOP, timeout=300)
    t1 = uptime(board, vm)
    board.run(vm, "md5sum /tmp/z", timeout=300)
    t2 = uptime(board, vm)
    return t1 - t0, t2 - t1


ICOUNT = []


def boot(kind, image=None, do_workload=True):
    t0 = time.time()
    if kind == "native":
        b = fv.Board(kernel=os.path.join(GUEST, "Image"), initrd=os.path.join(GUEST, "initrd.gz"),
                     append="console=ttyAMA0 fv.name=native", smp=2, mem="512M", extra=ICOUNT)
        vms = ["native"]
    else:
        b = fv.Board(image, extra=ICOUNT)
        vms = ["linux"] if kind == "single" else ["linux-a", "linux-b"]
    try:
        b.wait_shells(vms, timeout=300)
        elapsed = time.time() - t0
        b.focus = vms[0]  # input starts with the first VM
        w = workload(b, vms[0]) if do_workload and kind != "two" else None
        return elapsed, w
    finally:
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
        print("icount mode: times are QEMU's instruction-driven clock", flush=True)
    os.makedirs(os.path.join(fv.BUILD, "bench"), exist_ok=True)
    single = os.path.join(fv.BUILD, "bench", "single.bin")
    two = os.path.join(fv.BUILD, "bench", "two.bin")
    fv.build_image(os.path.join(CONFIGS, "single-linux.dts"), single)
    fv.build_image(os.path.join(CONFIGS, "two-linux.dts"), two)
    res = {"native": [], "single": [], "two": []}
    for r in range(args.rounds):
        for kind, image in (("native", None), ("single", single), ("two", two)):
            t, w = boot(kind, image, not args.no_workload)
            res[kind].append((t, w))
            extra = f", loop {w[0]:.2f}s, md5sum {w[1]:.2f}s" if w else ""
            print(f"round {r + 1} {kind:6s}: shell after {t:.2f}s{extra}", flush=True)
    boot_med = {k: med([t for t, _ in v]) for k, v in res.items()}
    print()
    print(f"boot to shell, median of {args.rounds}:")
    print(f"  native (QEMU -kernel)        {boot_med['native']:6.2f} s")
    print(f"  Flashvisor, one VM           {boot_med['single']:6.2f} s   ratio {boot_med['single'] / boot_med['native']:.3f}")
    print(f"  Flashvisor, both of two VMs  {boot_med['two']:6.2f} s   ratio {boot_med['two'] / boot_med['native']:.3f} (vs one native boot)")
    if not args.no_workload:
        for i, name in ((0, "100k-iteration shell loop"), (1, "md5sum of 32 MiB (tmpfs)")):
            n = med([w[i] for _, w in res["native"]])
            s = med([w[i] for _, w in res["single"]])
            print(f"{name}, median of {args.rounds}: native {n:.2f} s, Flashvisor {s:.2f} s, ratio {s / n:.3f}")


if __name__ == "__main__":
    main()
