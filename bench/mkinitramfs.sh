#!/usr/bin/env bash
# bench/mkinitramfs.sh CACHE OUTDIR: build the benchmark initramfs (busybox-
# static, the C /init marker program, bench.sh, benchk) into
# OUTDIR/bench-initramfs.cpio.gz and print its path. The work to do is
# chosen at boot from the kernel command line (see bench/guest/bench.sh).
set -euo pipefail
cache=$1
out=$2
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work"/{bin,proc,sys,dev,tmp}
cp "$cache/root/bin/busybox" "$work/bin/busybox"
for app in $(qemu-aarch64-static "$work/bin/busybox" --list 2>/dev/null || echo sh); do
    [[ $app == busybox ]] || ln -sf busybox "$work/bin/$app"
done
ln -sf busybox "$work/bin/sh"
aarch64-linux-gnu-gcc -static -O2 -o "$work/init" "$here/guest/init.c"
aarch64-linux-gnu-gcc -static -O2 -pthread -o "$work/bin/benchk" "$here/guest/benchk.c"
cp "$here/guest/bench.sh" "$work/bench.sh"
chmod +x "$work/bench.sh"
mkdir -p "$out"
(cd "$work" && find . | cpio -o -H newc --quiet | gzip -6) > "$out/bench-initramfs.cpio.gz"
echo "$out/bench-initramfs.cpio.gz"
