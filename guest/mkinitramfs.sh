#!/bin/sh
# SPDX-License-Identifier: MIT
# Build the busybox initramfs (cpio newc + gzip) for the guests from the
# unpacked Debian packages in $GUEST (see fetch-guest.sh). The virtio and
# watchdog drivers are modules in Debian's kernel: they ride along in /lib/modules.
set -eu
GUEST=$1; SRC=$2; OUT=$3
kver=$(cat "$GUEST/kernel-version")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin" "$tmp/sbin" "$tmp/usr/bin" "$tmp/usr/sbin" "$tmp/proc" "$tmp/sys" \
	"$tmp/dev" "$tmp/etc" "$tmp/lib/modules" "$tmp/root"
cp "$GUEST/root/bin/busybox" "$tmp/bin/busybox"
# busybox is an arm64 binary that cannot run here to list its applets: /init
# links them itself with `busybox --install -s` at boot.
ln -s busybox "$tmp/bin/sh"
# busybox init runs /etc/rc, then a login shell on the console with it as the
# controlling terminal (job control, Ctrl-C); poweroff and reboot go through it.
cat > "$tmp/init" <<'EOS'
#!/bin/sh
/bin/busybox --install -s
exec /sbin/init
EOS
chmod 755 "$tmp/init"
cp "$SRC/rc" "$tmp/etc/rc"; chmod 755 "$tmp/etc/rc"
cp "$SRC/inittab" "$tmp/etc/inittab"
cp "$SRC/profile" "$tmp/etc/profile"
mods="drivers/virtio/virtio_mmio.ko drivers/block/virtio_blk.ko drivers/char/virtio_console.ko \
	drivers/watchdog/sp805_wdt.ko drivers/watchdog/sbsa_gwdt.ko"
for m in $mods; do
	cp "$GUEST/root/lib/modules/$kver/kernel/$m" "$tmp/lib/modules/"
done
(cd "$tmp" && find . | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0) | gzip -9n > "$OUT.tmp"
mv "$OUT.tmp" "$OUT"
