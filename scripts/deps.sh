#!/bin/sh
# SPDX-License-Identifier: MIT
# Install the Debian packages the build and tests need, if any is missing.
# Runs as root on a fresh Debian 12; does nothing when all are present.
set -eu
need=""
have() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
for p in make gcc libc6-dev gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu qemu-system-arm \
	device-tree-compiler libfdt-dev libcmocka-dev cpio gzip clang libclang-rt-14-dev \
	python3 python3-pytest python3-pexpect python3-pyte git ca-certificates clang-format clang-tidy cppcheck; do
	have "$p" || need="$need $p"
done
if [ -n "$need" ]; then
	echo "deps: installing$need"
	if [ "$(id -u)" != 0 ]; then
		echo "deps: missing packages and not root: run as root, or: apt-get install$need" >&2
		exit 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	apt-get install -y -q --no-install-recommends $need
fi
