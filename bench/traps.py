#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""What an exit to the hypervisor costs: fvtest (bare metal) times N round
trips of each common kind with its own counter and prints ns per exit:
a UART status read (the console's poll, two per character printed), a
distributor read, an HVC (PSCI_VERSION), a trapped system register, and
the empty loop for reference. Under QEMU's TCG these are emulation costs;
compare them between builds, not with hardware.
  bench/traps.py [--icount]
"""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "integration"))
import fv  # noqa: E402


def main():
    extra = ["-icount", "shift=3,sleep=off"] if "--icount" in sys.argv else []
    image = os.path.join(fv.BUILD, "bench", "traps.bin")
    os.makedirs(os.path.dirname(image), exist_ok=True)
    fv.build_image(os.path.join(os.path.dirname(os.path.abspath(__file__)), "traps.dts"), image,
                   search=[os.path.join(fv.BUILD, "guests")])
    b = fv.Board(image, extra=extra)
    try:
        b.expect(r"FVTEST bench done", timeout=300)
        for line in b.vm_lines("fvtest"):
            m = re.match(r"FVTEST bench (\S+): (\d+) exits, (\d+) ns each", line)
            if m:
                print(f"{m.group(1):20s} {int(m.group(3)):8d} ns per iteration ({m.group(2)} iterations)")
    finally:
        b.close()


if __name__ == "__main__":
    main()
