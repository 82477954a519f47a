#!/bin/sh
# SPDX-License-Identifier: MIT
# Fetch the Debian arm64 guest kernel and busybox through a private apt list
# (dpkg's architecture list is left alone) and unpack them under $OUT.
# The kernel ABI number is resolved from the linux-image-arm64 meta package,
# never hard-coded: the mirror drops old ABIs.
set -eu
OUT=${1:-build/guest}
APT=${APT_DIR:-build/apt-arm64}
mkdir -p "$APT/lists/partial" "$APT/cache/archives/partial" "$OUT/deb"
APT=$(cd "$APT" && pwd)
o="-oAPT::Architecture=arm64 -oAPT::Architectures=arm64 -oDir::State::Lists=$APT/lists -oDir::Cache=$APT/cache -oDebug::NoLocking=1"
if [ -f "$OUT/.stamp" ]; then exit 0; fi
apt-get -q $o update >/dev/null
# linux-image-arm64 may list several versions; take the newest (apt-cache
# policy's candidate) and read its dependency on linux-image-X.Y.Z-NN-arm64.
ver=$(apt-cache $o policy linux-image-arm64 | awk '/Candidate:/ {print $2}')
kpkg=$(apt-cache $o show "linux-image-arm64=$ver" | sed -n 's/^Depends: .*\(linux-image-[0-9.]*-[0-9]*-arm64\).*/\1/p' | head -n1)
if [ -z "$kpkg" ]; then echo "fetch-guest: cannot resolve the kernel from linux-image-arm64" >&2; exit 1; fi
echo "fetch-guest: kernel package $kpkg-unsigned ($ver)"
cd "$OUT/deb"
rm -f ./*.deb
apt-get -q $o download "$kpkg-unsigned" busybox-static 2>&1 | grep -v unsandboxed || true
cd ..
rm -rf root
for d in deb/*.deb; do dpkg -x "$d" root; done
kver=${kpkg#linux-image-}
cp "root/boot/vmlinuz-$kver" Image
echo "$kver" > kernel-version
touch .stamp
echo "fetch-guest: $(pwd)/Image ($kver)"
