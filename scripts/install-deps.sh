#!/usr/bin/env bash
# Install what flotilla needs from Debian's archive (only what is missing).
# Usage: scripts/install-deps.sh [--bench]
set -euo pipefail
pkgs=(build-essential cmake ninja-build pkg-config
      liburcu-dev libhwloc-dev libcriterion-dev libfdt-dev zlib1g-dev libcapstone-dev
      gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu qemu-user-static cpio gzip
      libslirp-dev e2fsprogs   # libslirp: -nic user (devices/virtio_net.c); scripts/make-rootfs.sh (mke2fs -d), tests/linux/disk_test.py (debugfs, e2fsck)
      libc6-dev-arm64-cross python3
      linux-libc-dev-arm64-cross   # <linux/perf_event.h> for tests/linux/pmu_check.c
      clang libclang-rt-dev    # clang + libFuzzer: scripts/fuzz.sh
      gdb-multiarch            # the gdb stub tests (tests/gdb, label gdb)
      python3-matplotlib hwloc-nox slurm-wlm munge)   # flotilla-sweep and its tests (docs/sweeps.md)
if [[ "${1:-}" == "--bench" ]]; then
    pkgs+=(qemu-system-arm gnuplot-nox hwloc-nox bc)
fi
missing=()
for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
    echo "install-deps: installing ${missing[*]}"
    SUDO=""
    [[ $(id -u) -ne 0 ]] && SUDO=sudo
    $SUDO apt-get update -q
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
