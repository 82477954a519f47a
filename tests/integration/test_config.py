# SPDX-License-Identifier: MIT
"""The image tool refuses bad configurations with the file, the line, the
place and the reason, and writes no image (not even a partial one)."""
import os

import pytest

import fv

GUEST = os.path.join(fv.BUILD, "guest")

GOOD_VM = """
		linux-a {
			cpus = <0 1>;
			memory = <0x0 0x48000000 0x0 0x10000000>;
			kernel = "Image";
			initrd = "initrd.gz";
			bootargs = "console=ttyAMA0";
		};
"""


def config(vms, board="cpus = <4>; memory = <0x0 0x40000000 0x0 0x80000000>;", extra=""):
    return f"""/dts-v1/;
/ {{
	compatible = "flashvisor,config-1";
	board {{ {board} }};
	vms {{
{vms}
	}};
{extra}
}};
"""


def refuse(workdir, text, *expect):
    """Write text as a config; the tool must fail, say each of `expect`, and write nothing."""
    path = os.path.join(workdir, "bad.dts")
    out = os.path.join(workdir, "flash.bin")
    with open(path, "w") as f:
        f.write(text)
    if os.path.exists(out):
        os.unlink(out)
    rc, msg = fv.fvimage(["--hv", os.path.join(fv.BUILD, "flashvisor.bin"), "-I", GUEST,
                          "-o", out, path])
    assert rc != 0, f"the tool accepted a bad configuration:\n{msg}"
    assert "no image written" in msg or "not valid device tree source" in msg, msg
    for e in expect:
        assert e in msg, f"expected {e!r} in the error:\n{msg}"
    leftovers = [f for f in os.listdir(workdir) if f.startswith("flash.bin")]
    assert not leftovers, f"files left behind: {leftovers}"
    return msg


class TestConfigErrors:
    @pytest.fixture(scope="class")
    def workdir(self, tmp_path_factory):
        return str(tmp_path_factory.mktemp("fv-config-"))

    def test_good_config_is_accepted(self, workdir):
        path = os.path.join(workdir, "good.dts")
        with open(path, "w") as f:
            f.write(config(GOOD_VM))
        out = os.path.join(workdir, "good.bin")
        rc, msg = fv.fvimage(["--hv", os.path.join(fv.BUILD, "flashvisor.bin"), "-I", GUEST,
                              "-o", out, path])
        assert rc == 0 and os.path.getsize(out) > 30_000_000, msg
        rc, msg = fv.fvimage(["--dump", out])
        assert rc == 0 and "valid" in msg, msg
        os.unlink(out)

    def test_unknown_property(self, workdir):
        text = config(GOOD_VM.replace("bootargs", "colour = \"red\";\n\t\t\tbootargs"))
        line = next(i + 1 for i, l in enumerate(text.splitlines()) if "colour" in l)
        msg = refuse(workdir, text, f"bad.dts:{line}: /vms/linux-a: colour: unknown property")

    @pytest.mark.parametrize("name, why", [
        ("/boot/vmlinuz", "an absolute path"),
        ("../guest/Image", "\"..\" are not allowed"),
        ("Image;touch PWNED", "only letters, digits"),
        ("$(touch PWNED)", "only letters, digits"),
        ("-Image", "may not start with '-'"),
        ("dir//Image", "empty name"),
    ])
    def test_file_name_not_plain(self, workdir, name, why):
        refuse(workdir, config(GOOD_VM.replace('"Image"', f'"{name}"')),
               "/vms/linux-a", "kernel", "is not a plain relative path", why)
        assert not os.path.exists(os.path.join(workdir, "PWNED"))

    def test_config_name_reaches_no_shell(self, workdir):
        # the config's own name goes to dtc as one argument: quotes and ; are just characters
        sub = os.path.join(workdir, "odd")
        os.makedirs(sub, exist_ok=True)
        path = os.path.join(sub, "a'b;touch PWNED;'.dts")
        with open(path, "w") as f:
            f.write(config(GOOD_VM))
        rc, msg = fv.fvimage(["--check", "--hv", os.path.join(fv.BUILD, "flashvisor.bin"), "-I", GUEST, path],
                             cwd=sub)
        assert rc == 0 and "valid" in msg, msg
        assert not os.path.exists(os.path.join(sub, "PWNED")), "a file name was run as a command"

    def test_passthrough_needs_the_isolation_flag(self, workdir):
        refuse(workdir, config(GOOD_VM.replace("bootargs", "virtio-mmio = <31>;\n\t\t\tbootargs")),
               "/vms/linux-a", "virtio-mmio", "slot 31: a passed-through device can DMA into every VM's memory",
               "isolation-breaking-dma")

    def test_missing_file(self, workdir):
        refuse(workdir, config(GOOD_VM.replace('"initrd.gz"', '"no-such-initrd.gz"')),
               "/vms/linux-a", "initrd", "no-such-initrd.gz", "not found")

    def test_overlapping_memory(self, workdir):
        b = GOOD_VM.replace("linux-a", "linux-b").replace("<0 1>", "<2 3>").replace(
            "0x48000000", "0x50000000")
        refuse(workdir, config(GOOD_VM + b), "/vms/linux-b", "memory", "overlaps memory of /vms/linux-a")

    def test_shared_cpu(self, workdir):
        b = GOOD_VM.replace("linux-a", "linux-b").replace("<0 1>", "<1 2>").replace(
            "0x48000000", "0x58000000")
        refuse(workdir, config(GOOD_VM + b), "/vms/linux-b", "cpus", "CPU 1 is already given to /vms/linux-a")

    def test_shared_device(self, workdir):
        a = GOOD_VM.replace("bootargs", "virtio-mmio = <31>;\n\t\t\tisolation-breaking-dma;\n\t\t\tbootargs")
        b = a.replace("linux-a", "linux-b").replace("<0 1>", "<2 3>").replace("0x48000000", "0x58000000")
        refuse(workdir, config(a + b), "/vms/linux-b", "virtio-mmio", "slot 31 is already given to /vms/linux-a")

    def test_more_cpus_than_board(self, workdir):
        refuse(workdir, config(GOOD_VM.replace("<0 1>", "<0 1 2 3 4>")), "/vms/linux-a", "cpus",
               "CPU 4 does not exist: the board has 4 CPUs")

    def test_kernel_too_large_for_vm(self, workdir):
        refuse(workdir, config(GOOD_VM.replace("0x10000000", "0x01000000")), "/vms/linux-a", "kernel",
               "does not hold")

    def test_image_too_large_for_flash(self, workdir):
        big = os.path.join(workdir, "big.img")
        with open(big, "wb") as f:
            f.truncate(40 * 1024 * 1024)
            f.seek(0)
            f.write(b"x")
        vm = GOOD_VM.replace('"initrd.gz"', '"big.img"').replace("0x10000000", "0x20000000")  # next to bad.dts
        refuse(workdir, config(vm), "the image needs", "bytes of flash")

    def test_memory_outside_board(self, workdir):
        refuse(workdir, config(GOOD_VM.replace("0x48000000", "0xc8000000")), "/vms/linux-a", "memory",
               "outside the board's RAM")

    def test_memory_over_hypervisor(self, workdir):
        refuse(workdir, config(GOOD_VM.replace("0x48000000", "0x40000000")), "/vms/linux-a", "memory",
               "overlaps the hypervisor's RAM")

    def test_syntax_error_names_line(self, workdir):
        msg = refuse(workdir, config(GOOD_VM.replace("cpus = <0 1>;", "cpus = <0 1>")), "bad.dts")
        assert "bad.dts:" in msg, msg

    def test_missing_vms(self, workdir):
        refuse(workdir, config("").replace("vms {\n\n\t};", ""), "vms")
