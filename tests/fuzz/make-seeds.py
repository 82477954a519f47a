#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write the fuzzers' seed corpora into tests/fuzz/seeds/<fuzzer>/.

Run from the repository root: python3 tests/fuzz/make-seeds.py
Seeds are small: device trees compiled with dtc (QEMU virt's own tree when
qemu-system-aarch64 is there), and op sequences spelled with the encoders
below, which follow the harnesses' decoders (fuzz_common.h, the fuzz_*.c
files): a start in the interesting states, not a contract; a decoder that
changes makes these ordinary inputs. The regression inputs are the ones the
fuzzers found, kept here as hex: each fails on the code before its fix.
"""
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SEEDS = os.path.join(ROOT, "tests", "fuzz", "seeds")


def write(fuzzer, name, data):
    d = os.path.join(SEEDS, fuzzer)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(bytes(data))


def u16(v):
    return struct.pack("<H", v & 0xFFFF)


def u32(v):
    return struct.pack("<I", v & 0xFFFFFFFF)


def u64(v):
    return struct.pack("<Q", v & 0xFFFFFFFFFFFFFFFF)


def dtc(source, out):
    subprocess.run(["dtc", "-q", "-I", "dts", "-O", "dtb", "-o", out, source], check=True)


# ---- device trees ----

def dtb_seeds():
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "board.dtb")
        dtc(os.path.join(ROOT, "tests", "fuzz", "seeds-src", "board-min.dts"), out)
        write("fuzz_dtb", "board-min.dtb", open(out, "rb").read())
        if shutil.which("qemu-system-aarch64"):
            raw = os.path.join(tmp, "virt.dtb")
            subprocess.run(["qemu-system-aarch64", "-M",
                            "virt,virtualization=on,secure=off,gic-version=3,dumpdtb=" + raw,
                            "-cpu", "cortex-a57", "-smp", "4", "-m", "2G", "-nic", "none",
                            "-display", "none"], check=True, capture_output=True)
            # QEMU pads its tree to 1 MiB and puts random seeds in /chosen: dtc writes it
            # back packed (about 8 KiB), with the seeds zeroed so the seed is the same every time
            dts = subprocess.run(["dtc", "-q", "-I", "dtb", "-O", "dts", raw], check=True,
                                 capture_output=True, text=True).stdout
            dts = re.sub(r"((?:rng|kaslr)-seed = <)([^>]*)>",
                         lambda m: m.group(1) + " ".join("0x0" for _ in m.group(2).split()) + ">", dts)
            src = os.path.join(tmp, "virt.dts")
            with open(src, "w") as f:
                f.write(dts)
            dtc(src, out)
            write("fuzz_dtb", "qemu-virt.dtb", open(out, "rb").read())
        else:
            print("make-seeds: no qemu-system-aarch64: fuzz_dtb gets no QEMU virt tree", file=sys.stderr)
        configs = os.path.join(ROOT, "configs")
        for name in sorted(os.listdir(configs)):
            if name.endswith(".dts"):
                dtc(os.path.join(configs, name), out)
                write("fuzz_config", name[:-4] + ".dtb", open(out, "rb").read())


# ---- the booted machine of fuzz_common.h ----

def machine(vms=1, cpus=2, devices=(0,), lrs=4, crash=(0,)):
    """VM count, CPUs each, virtio slots per VM, list registers, per VM: policy | 4 for a watchdog."""
    return bytes([vms - 1, cpus - 1] + list(devices) + [lrs - 1] + list(crash))


def gicd(write_, width, sel, idx, value, extra=b"", vi=0, vcpu=0):
    widths = {1: 0, 2: 1, 4: 2, 8: 3}
    return bytes([vi, 9, 1 if write_ else 0, widths[width], sel, idx]) + extra + u64(value) + bytes([vcpu])


def bitreg(k, n):   # GICD_IGROUPR.. (k: 0 group, 1 set-enable, 2 clear-enable, 3 set-pending ...), register n
    return (k << 3, n)


def step(op, vi=0, vcpu=0, payload=b""):
    return bytes([vi, op, vcpu]) + payload


def vgic_seeds():
    ctlr = gicd(True, 4, 6, 0, 3)                      # GICD_CTLR: both groups on
    en = gicd(True, 4, *bitreg(1, 1), 0xffffffff)      # enable SPIs 32..63
    en2 = gicd(True, 4, *bitreg(1, 2), 0xffffffff)     # ... and 64..95
    pend = gicd(True, 4, *bitreg(3, 1), 0x00030002)   # pend SPI 33 and 48, 49
    prio = gicd(True, 4, 2, 33, 0x80604020)           # priorities of 33..36
    route1 = gicd(True, 8, 4, 48, 1)                    # SPI 48 to vCPU 1
    flush0, flush1 = step(3, vcpu=0), step(3, vcpu=1)
    ack, eoi = step(5, vcpu=0, payload=b"\x00"), step(6, vcpu=0, payload=b"\x00")
    uart = step(1, payload=bytes([0x80 | 33, 1]))       # the UART line up
    hw = step(2, vcpu=0, payload=b"\x01")               # the first virtio SPI fires
    sgi = step(7, vcpu=0, payload=u64(0x0000000003000002))  # SGI 3 to vCPU 1
    deliver = machine(1, 2, (2,), 4) + ctlr + en + en2 + pend + prio + flush0 + ack + eoi + flush0 + uart + \
        flush0 + route1 + hw + flush1 + sgi + flush1 + step(8)
    write("fuzz_vgicd", "deliver", deliver)
    two = machine(2, 2, (1, 1), 2, (0, 4)) + ctlr + en + gicd(True, 4, *bitreg(1, 1), 0xffffffff, vi=1) + \
        pend + hw + flush0 + flush0 + step(6, vcpu=0, payload=b"\x01") + flush0
    write("fuzz_vgicd", "two-vms", two)

    def gicr(write_, n, width, sel, idx, value, vi=0):
        widths = {1: 0, 4: 2, 8: 3}
        return bytes([vi, 9, 1 if write_ else 0, n, widths[width], sel, idx]) + u64(value) + bytes([0])
    wake = gicr(True, 0, 4, 0, 5, 0)                    # GICR_WAKER: awake
    sgien = gicr(True, 1, 4, 2, 1, 0xffffffff)          # vCPU 1: enable SGIs and PPIs
    sgipend = gicr(True, 1, 4, 2, 3, 0x0800000f)        # pend SGIs 0..3 and the timer PPI
    typer = gicr(False, 1, 8, 0, 2, 0)                  # GICR_TYPER of the last vCPU
    cfg = gicr(True, 0, 4, 2, 8, 0xffffffff)            # GICR_ICFGR1: every PPI edge (but the timer)
    write("fuzz_vgicr", "deliver", machine(1, 2, (1,), 4) + ctlr + wake + sgien + sgipend + typer + cfg +
          step(3, vcpu=1) + step(5, vcpu=1, payload=b"\x00") + step(6, vcpu=1, payload=b"\x00") + step(3, vcpu=1))


def vpl011_seeds():
    def acc(write_, width, sel, value, vi=0, lane=None):
        widths = {1: 0, 2: 1, 4: 2, 8: 3}
        b = bytes([vi, 0, 1 if write_ else 0, widths[width], sel | (0x40 if lane is not None else 0)])
        return b + (bytes([lane]) if lane is not None else b"") + u64(value)
    imsc = acc(True, 4, 9, 0x70)                        # RX, TX, RT interrupts on
    typed = bytes([0, 5, 4]) + b"\x00h\x00i\x00\r\x00\n\x00!"
    read_dr = acc(False, 4, 0, 0)
    fr = acc(False, 4, 2, 0)
    burst = bytes([0, 9, 1, ord("x")]) + u16(600)       # politely, 600 bytes
    blind = bytes([1, 9, 0, ord("y")]) + u16(700)       # VM 1, blindly
    switch = bytes([0, 5, 2]) + b"\x01\x01\x01"         # Ctrl-A three times: the focus moves
    quiet = bytes([0, 11])
    write("fuzz_vpl011", "console", machine(2, 1, (0, 0), 4, (0, 0)) + imsc + typed + read_dr + read_dr + fr +
          burst + blind + fr + quiet + switch + typed + quiet + acc(True, 1, 0, 0x41, lane=1))


def conmux_seeds():
    head = u16(0) + bytes([2]) + bytes([1 | (5 << 1), 1 | (20 << 1), 0])  # hv + 3 ports, 2 taking input

    def put(port, text):
        return bytes([0, port - 1, len(text) - 1]) + text

    def burst(port, byte, count):
        return bytes([12, port - 1, byte]) + u16(count)
    mid = put(1, b"prompt> ")                           # port 1 holds the line mid-line
    lines = put(2, b"one\ntwo\nthree")
    full = burst(2, ord("z"), 900)                      # port 2 fills its buffer behind it
    write("fuzz_conmux", "backpressure", head + mid + lines + full + bytes([9]) + bytes([4, 200]) + bytes([5]) +
          bytes([9]) + bytes([13, 1]) + u16(511) + bytes([10]))
    write("fuzz_conmux", "ctrl-a", head + bytes([6, 1, 6, 1, 7, 0, ord("a"), 6, 1, 6, 1, 6, 1, 8, 3, 3]) +
          put(3, b"x\r\n") + bytes([10]))


def hvcons_seeds():
    def typed(*words):
        return bytes([len(words) - 1] + list(words))
    write("fuzz_hvcons", "commands", machine(2, 1, (0, 0), 4, (0, 1)) + typed(0) + typed(5) + typed(20) +
          typed(21) + typed(19) + typed(4) + typed(2, 8, 13))
    write("fuzz_hvcons", "editing", machine(1, 1, (0,), 4) + typed(23, 23, 23, 14, 14, 13) + typed(1, 15, 0) +
          typed(17, 0xc0, ord("a"), 17))


def manifest_seeds():
    write("fuzz_manifest", "template", bytes([2, 1, 1, 0x13, 2, 4, 0, 5, 1, 0, 7, 0, 1]))
    write("fuzz_manifest", "template-linux", bytes([0x0a, 0, 0, 0x31, 1, 5, 1, 0, 0, 1, 0, 2, 4]))


# ---- what the fuzzers found: each input fails on the code before its fix ----

REGRESSIONS = {
    # conmux: a port refused again before anyone took its ready bit was still reported ready (5ce746a)
    ("fuzz_conmux", "regress-stale-ready"):
        "ff02c2c26e3d3d3dc23d3d3d3d3d3d3d3d3d3d3d6e002f68ffffffb46e0a6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f"
        "6f6f6f6f6f6f6f6f6f696f6eb96e5d096e6e0d61060d6106b2017033010055bcb7c79ded02b3744148",
    # conmux: a byte written into a full buffer whose flush left the port holding the line was buffered
    ("fuzz_conmux", "regress-owner-buffer"):
        "ff02c2c26e3d343cc23d3d3dc2c26e3d343cc23d3d3d0000020b0000020b000070310700ff02c2c26e3d343dc2ffffff"
        "ffc23d3d3dc2c26e3d3370354e553138636a7178454c535a3661686f76434a5158345f3d3d6e3d002e",
    # psci: AFFINITY_INFO_32 refused stale upper bits of its level argument (56a6efc)
    ("fuzz_psci", "regress-affinity32"):
        "3f0000556a4f6cfec06565113fdb0aff880adb0a0a",
    # vwdt: interrupt raised, RESEN clear, the hypervisor timer still fired every period (f4ce037)
    ("fuzz_vwdt", "regress-timer-storm"):
        "0a0abdbdbdbdbdbdbdbddabdc3bdbd6e000000bd0071bdffd6d6bdd62ec3bdbd6e3f00ffbdff00000104bd3f0000bd00"
        "0a012e0a7f",
    # vwdt: a reset a register access saw first was never reported (f4ce037)
    ("fuzz_vwdt", "regress-hidden-expiry"):
        "81003fa202ff000cc11eff542a547b64bc7dccbd523cbda23fa202ff000cc11eff54ff547b64bc1effa281003fa202ff"
        "000cc11eff542a547b64bc7dccbd523cbda23fa202ff000cc11eff54ff547b64bc7dccbd523c7dccbd",
    # vwdt: a look hours late walked every period since, in the timer interrupt (the commit after f4ce037)
    ("fuzz_vwdt", "regress-late-look"):
        "81003fa202ffc1000c1eff542a5481203fa202ff000cc11e83ff542a547b640000003d523cffa2a23fbd02000cc11eff"
        "5254ff547b64bc7dccbd523cc1ccbd",
    # manifest: a RAM region ending at 2^64 passed the 39-bit guest address check (ipa + size wrapped)
    ("fuzz_manifest", "regress-ipa-wrap"):
        "020111111111111111ff0000000000000015be6159",
    # vgic harness: an emptied list register with its EOI bit set raises the maintenance
    # interrupt before the guest runs again; the model skipped it and saw a stale entry
    ("fuzz_vgicd", "regress-maintenance-first"):
        "0001020300002e01020600030000000000000000000901020801ffffffff0000000000000901020802ffffffff000000"
        "000000090102180102000328000000000000090102022120406000090102022100030000050000000600000003000001"
        "00a1010003000009010304300100000200000300000000000301000800",
    # fvimage: a property name offset outside the strings block crashed config_read (c2d7ed8)
    ("fuzz_config", "regress-name-offset.dtb"):
        "d00dfeed0000019400000038000001600000002800000011000000100000000000000034000001280000000000000000"
        "00000000000000000000000100000000000000030000001402000000666c6173687669736f722c636f6e6669672d3100"
        "00000001626f617264000000000000030000000a0000000b71656d752d76697274000000000000030000000400000011"
        "00000004000000030000001000000016000000004000000000000000800000000000000200000001766d730000000001"
        "6c696e757800000000000003000000080000001100000000000000010000000300000010000000160000000048000000"
        "000000002000000000000003000000060000001d496d616765000000000000030000000a00000024696e697472642e67"
        "7a000000000000030000001e0000002b636f6e736f6c653d747479414d41302066762e6e616d653d6c696e7578000000"
        "00000002000000020000000200000009636f6d70617469626c65006d6f64656c0063707573006d656d6f7279006b6572"
        "6e656c00696e6974726400626f6f746172677300",
    # fvimage: libfdt 1.6.1's fdt_check_full crashes on this pre-16 tree (c2d7ed8)
    ("fuzz_config", "regress-old-version.dtb"):
        "d00dfeed00000243000000380000020c0000002800000009000000000000000000000037000001d40000000000000000"
        "00000000000000000000000100000000000000030000001400000000666c6173687669736f722c636f6e6669672d3100"
        "00000001626f61726400000000000003000000040000000b000000040000000300000010000000100000000040000004"
        "00000000800000000000000200000001766d7300000000016c696e75782d610000000003000000080000000b00000000"
        "0000000100000003000000100000001000000000480000000000000010000000000000030000000600000017496d6167"
        "65000000000000030000000a0000001e696e697472642e677a000000000000030000002000000025636f6e736f6c653d"
        "747479414d41302066762e6e616d653d6c696e75782d610000000003000000050000002e73746f700000000000000002"
        "000000016c696e75782d620000000003000000080000000b000000020000000300000003000000100000001000000000"
        "580000000000000010000000000000030000000600000017496d616765000000000000030000000a0000001e696e6974"
        "72642e677a000000000000030000002000000025636f6e736f6c653d747479414d41302066762e6e616d653d6c696e75"
        "782d6200000000030000000b0000002e68616c742d626f617264000000000002000000020000000200000009636f6d70"
        "61746962f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f66c650063707573006d656d6f7279006b65726e656c0069"
        "6e6974726400626f6f7461726773006f6e2d637261736800",
}


def regression_seeds():
    for (fuzzer, name), hexdata in REGRESSIONS.items():
        write(fuzzer, name, bytes.fromhex(hexdata))


def main():
    if os.path.isdir(SEEDS):
        shutil.rmtree(SEEDS)
    dtb_seeds()
    vgic_seeds()
    vpl011_seeds()
    conmux_seeds()
    hvcons_seeds()
    manifest_seeds()
    regression_seeds()
    for fuzzer in sorted(os.listdir(SEEDS)):
        files = os.listdir(os.path.join(SEEDS, fuzzer))
        size = sum(os.path.getsize(os.path.join(SEEDS, fuzzer, f)) for f in files)
        print(f"  {fuzzer}: {len(files)} seeds, {size} bytes")


if __name__ == "__main__":
    main()
