#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Noisy neighbours, measured: how much one VM's misbehaviour slows the VM
beside it. linux-b (CPUs 2-3) runs a 5 Hz heartbeat in the background and,
for each row, a 30k-iteration shell loop (bench/boot.py's, shorter), timed by its
own clock, while its neighbour on CPUs 0-1 does one of:
  baseline       a plain CPU loop on both of its vCPUs (the same load on the
                 host's cores, no abuse); one baseline per board below
  console-flood  linux-a: a shell loop echoing lines as fast as it can, plus
                 a CPU loop on its other vCPU
  dribble        linux-a: one byte every 10 ms, never a newline (it holds
                 the console line), plus a CPU loop
  sgi-flood      fvtest: SGIs at its own two vCPUs, as fast as it can
  watchdog       fvtest: its SP805 at the shortest period it can program
  uart-storm     fvtest: its UART interrupt always raised, UARTFR read in a
                 tight loop
The Linux neighbour's rows boot configs/two-linux.dts, the bare-metal
ones bench/neighbours.dts (fvtest.mode=abuse, guests/fvtest/abuse.c); each
row is compared with the baseline of the same board. Within a board the
rows alternate with its baseline, round by round (the order reversed
every other round); figures are medians over the rounds, the heartbeat gap
the largest seen in any round. The whole set runs twice: on the wall clock
(linux-b's clock follows the host's) and with -icount shift=3,sleep=off
(one emulation thread; linux-b's clock then counts instructions executed
by all vCPUs, so a row's ratio says how many more instructions the
machine ran while linux-b's loop did its fixed work).

Nothing is asserted: it prints figures (docs/performance.md, "Noisy
neighbours", holds a run and the goal: loop within 3 % of the baseline, no
heartbeat gap over 300 ms).
  bench/neighbours.py [--rounds N] [--no-icount | --only-icount] [--neighbours linux-a,fvtest]
"""
import argparse
import bisect
import os
import re
import signal
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "integration"))
import fv  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ICOUNT = ["-icount", "shift=3,sleep=off"]
# bench/boot.py's shell loop, shorter: 30k iterations take 4-8 s beside a busy
# neighbour on a loaded 2-core host (guest clock, 10 ms steps: 0.2 % or better)
LOOP = "i=0; while [ $i -lt 30000 ]; do i=$((i+1)); done"
# no fork per beat (read and echo are shell builtins): the beat's own period stays near 200 ms
HEARTBEAT = "(while :; do read u r </proc/uptime; echo HB $u; usleep 200000; done) &"
SPIN = "(while :; do :; done) & echo $! >>/tmp/ab"
LINUX_ROWS = {  # what linux-a starts in the background (its PIDs in /tmp/ab)
    "baseline": f"rm -f /tmp/ab; {SPIN}; {SPIN}",
    "console-flood": "rm -f /tmp/ab; (while :; do echo FLOOD-0123456789-abcdefghijklmnopqrstuvwxyz-0123456789; "
                     f"done) & echo $! >>/tmp/ab; {SPIN}",
    "dribble": f"rm -f /tmp/ab; (while :; do printf Q; usleep 10000; done) & echo $! >>/tmp/ab; {SPIN}",
}
FVTEST_ROWS = {"baseline": "c", "sgi-flood": "s", "watchdog": "w", "uart-storm": "u"}
BOARDS = (("linux-a", os.path.join(fv.ROOT, "configs", "two-linux.dts"), list(LINUX_ROWS)),
          ("fvtest", os.path.join(HERE, "neighbours.dts"), list(FVTEST_ROWS)))
JOINED = re.compile(rb"^\[([^\]\s]+)\](\+?) ([^\r\n]*)", re.M)
HB = re.compile(r"HB (\d+\.\d\d)\b")


class ClockedBoard(fv.Board):
    """A Board that notes when each piece of console output arrived."""

    def __init__(self, *args, **kwargs):
        self.arrivals = ([], [])  # (length of out after a read, host time of that read)
        super().__init__(*args, **kwargs)

    def _pump(self, wait):
        ok = super()._pump(wait)
        if not self.arrivals[0] or self.arrivals[0][-1] != len(self.out):
            self.arrivals[0].append(len(self.out))
            self.arrivals[1].append(time.time())
        return ok

    def arrived(self, offset):
        """Host time at which the byte before `offset` was read."""
        i = bisect.bisect_left(self.arrivals[0], offset)
        return self.arrivals[1][min(i, len(self.arrivals[1]) - 1)]

    def heartbeats(self, vm, start):
        """(guest uptime, host arrival) of each heartbeat line vm printed after `start`."""
        lines = []
        for m in JOINED.finditer(self.out, start):
            if m.group(1).decode() != vm:
                continue
            text = m.group(3).decode("utf-8", "replace")
            if m.group(2) == b"+" and lines:
                lines[-1] = (lines[-1][0] + text, m.end())
            else:
                lines.append((text, m.end()))
        beats = []
        for text, end in lines:
            h = HB.search(text)
            if h:
                beats.append((float(h.group(1)), self.arrived(end)))
        return beats


def gaps(beats, a, b):
    """Largest heartbeat gap (guest s, host s) over the loop's span [a, b] of guest time:
    from the last beat at or before a to the first at or after b."""
    first = max([i for i, (g, _) in enumerate(beats) if g <= a], default=0)
    last = min([i for i, (g, _) in enumerate(beats) if g >= b], default=len(beats) - 1)
    span = beats[first:last + 1]
    if len(span) < 2:
        return float("inf"), float("inf")
    return (max(y[0] - x[0] for x, y in zip(span, span[1:])),
            max(y[1] - x[1] for x, y in zip(span, span[1:])))


def shell(b, vm, command, timeout=120):
    """Type `command` into vm's shell and wait for it to be done. Unlike
    Board.run this needs no whole output line of vm, which a dribbling
    neighbour (a line never ended) cannot give."""
    b.switch_to(vm)
    b.seq = getattr(b, "seq", 0) + 1
    token = f"{os.getpid() % 1000}y{b.seq}"
    mark = len(b.out)
    b.type(f'{command}; echo; echo AB"D"{token}\r')
    b.expect(rf"ABD{token}", timeout=timeout, start=mark)


def traps(b, vms, timeout=60):
    """Each VM's exits to the hypervisor so far, from the hypervisor console's `list`."""
    b.switch_to("hv")
    mark = len(b.out)
    b.type("list\r")
    counts = {}
    for vm in vms:
        m = b.expect(rf"\[hv\] {re.escape(vm)} +\S+ +\S+ +\d+ MiB +\d+ s +\d+ +(\d+) +\d+", timeout=timeout,
                     start=mark)
        counts[vm] = int(m.group(1))
    return counts, time.time()


def fvtest_key(b, key, timeout=60):
    """Send fvtest one key; return its report when a run stops, else wait until one runs."""
    b.switch_to("fvtest")
    mark = len(b.out)
    b.send(key.encode())
    if key in FVTEST_ROWS.values():
        b.expect(rf"\[fvtest\]\+? FVTEST abuse {key} running", timeout=timeout, start=mark)
        return None
    m = b.expect_line("fvtest", r"FVTEST abuse \w stopped after (.* spins)$", timeout=timeout, start=mark)
    return m.group(1)


def one_row(b, neighbour, row, loop_timeout):
    """Start the neighbour's row, time linux-b's loop beside it, stop the row.
    Returns (loop s, largest heartbeat gap guest s, host s, neighbour's own report)."""
    if neighbour == "fvtest":
        fvtest_key(b, FVTEST_ROWS[row])
    else:
        shell(b, "linux-a", LINUX_ROWS[row])
    b.drain(1.0)  # let the row get going
    vms = (neighbour, "linux-b")
    before, t0 = traps(b, vms)
    cpu0 = time.process_time()  # this script's own share of the host (it reads every console byte)
    mark = len(b.out)
    b.switch_to("linux-b")
    up = "cut -d' ' -f1 /proc/uptime"
    _, out = b.run("linux-b", f"a=$({up}); {LOOP} >/dev/null; b=$({up}); echo T $a $b", timeout=loop_timeout)
    t = next(line.split() for line in out if line.startswith("T "))
    a, z = float(t[1]), float(t[2])
    after, t1 = traps(b, vms)
    cpu = time.process_time() - cpu0
    exits = ", ".join(f"{vm} {after[vm] - before[vm]}" for vm in vms)
    if neighbour == "fvtest":
        report = fvtest_key(b, "x")
    else:
        flood_mark = len(b.out)
        shell(b, "linux-a", "kill $(cat /tmp/ab)")
        report = f"{b.out[mark:flood_mark].count(b'[linux-a]')} linux-a console lines during the loop"
    b.drain(0.5)  # the first heartbeat after the loop's end
    g, w = gaps(b.heartbeats("linux-b", mark), a, z)
    return z - a, g, w, f"exits in {t1 - t0:.1f} host s: {exits}; bench CPU {cpu:.1f} s; {report}"


def run_board(neighbour, image, rows, rounds, icount, res):
    mode = "icount" if icount else "wall"
    t0 = time.time()
    log = open(os.path.join(fv.BUILD, "bench", f"neighbours-{neighbour}-{mode}.log"), "wb")
    b = ClockedBoard(image, extra=ICOUNT if icount else [], max_seconds=1500, log=log)
    try:
        vms = [neighbour, "linux-b"] if neighbour != "fvtest" else ["linux-b"]
        b.wait_shells(vms, timeout=600)
        if neighbour == "fvtest":
            b.expect(r"FVTEST abuse ready", timeout=60, start=0)
        b.focus = neighbour  # input starts with the first VM of the config
        b.run("linux-b", HEARTBEAT)
        print(f"[{mode}] {neighbour} board up after {time.time() - t0:.0f} s", flush=True)
        for r in range(rounds):
            order = rows if r % 2 == 0 else rows[1:][::-1] + rows[:1]
            for row in order:
                s, g, w, report = one_row(b, neighbour, row, loop_timeout=600)
                res.setdefault((mode, neighbour, row), []).append((s, g, w, report))
                print(f"[{mode}] round {r + 1} {neighbour:7s} {row:13s} loop {s:6.2f} s, heartbeat gap "
                      f"{g * 1000:5.0f} ms guest / {w * 1000:5.0f} ms host; {report}", flush=True)
    finally:
        b.close()
        log.close()


def summary(res, rounds):
    med = statistics.median
    print()
    print(f"linux-b's loop (guest clock, median of {rounds}) and largest heartbeat gap (any round):")
    for mode in ("wall", "icount"):
        for neighbour, _, rows in BOARDS:
            base = res.get((mode, neighbour, "baseline"))
            if not base:
                continue
            b = med([x[0] for x in base])
            for row in rows:
                xs = res.get((mode, neighbour, row))
                if not xs:
                    continue
                s = med([x[0] for x in xs])
                print(f"  {mode:6s} {neighbour:7s} {row:13s} {s:7.2f} s  {100 * (s / b - 1):+6.1f} %  "
                      f"gap {max(x[1] for x in xs) * 1000:5.0f} ms guest, {max(x[2] for x in xs) * 1000:5.0f} ms host"
                      f"  | {xs[len(xs) // 2][3]}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--no-icount", action="store_true")
    ap.add_argument("--only-icount", action="store_true")
    ap.add_argument("--neighbours", default="linux-a,fvtest", help="which boards, comma-separated")
    args = ap.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # so every Board's close() runs
    os.makedirs(os.path.join(fv.BUILD, "bench"), exist_ok=True)
    images = {}
    for neighbour, config, _ in BOARDS:
        images[neighbour] = os.path.join(fv.BUILD, "bench", f"neighbours-{neighbour}.bin")
        fv.build_image(config, images[neighbour], search=[os.path.join(fv.BUILD, "guest"),
                                                          os.path.join(fv.BUILD, "guests")])
    modes = [m for m in (False, True) if not (m and args.no_icount) and not (not m and args.only_icount)]
    res = {}
    t0 = time.time()
    for icount in modes:
        for neighbour, _, rows in BOARDS:
            if neighbour in args.neighbours.split(","):
                try:
                    run_board(neighbour, images[neighbour], rows, args.rounds, icount, res)
                except fv.TestFailure as e:  # a board that does not come up is a finding: report it, go on
                    print(f"[{'icount' if icount else 'wall'}] {neighbour} board FAILED: {str(e)[:300]}", flush=True)
    summary(res, args.rounds)
    print(f"(bench took {time.time() - t0:.0f} s)")


if __name__ == "__main__":
    main()
