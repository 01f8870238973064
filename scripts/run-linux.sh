#!/usr/bin/env bash
# Install what is missing, build, fetch the Debian arm64 kernel and
# busybox-static (cached outside the repository), make an initramfs with a
# busybox shell, and boot it on the default machine.
# Extra arguments are passed to flotilla (e.g. -smp 2).
# run-linux.sh --disk [ARGS]: boot the Debian root filesystem from a virtio
# disk instead (scripts/make-rootfs.sh; docs/virtio.md).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh Release build
cache=$(scripts/fetch-guest.sh)
if [[ ${1:-} == --disk ]]; then
    # Boot the Debian root filesystem on a virtio disk (scripts/make-rootfs.sh;
    # a copy in the cache keeps what the guest writes across runs).
    shift
    rootfs=$(scripts/make-rootfs.sh)
    [[ -f $cache/disk.img ]] || cp --sparse=always "$rootfs/rootfs.img" "$cache/disk.img"
    echo "run-linux: booting $cache/disk.img (root=/dev/vda); C-a x quits" >&2
    exec build/flotilla -M virt -cpu cortex-a57 -m 1G -kernel "$cache/Image.gz" \
        -initrd "$rootfs/initramfs-disk.cpio.gz" -append "console=ttyAMA0 root=/dev/vda" \
        -drive "file=$cache/disk.img,if=virtio,format=raw" -device virtio-rng-device -nic user "$@"
fi
initrd=$(scripts/make-initramfs.sh "$cache" shell)
echo "run-linux: booting (30-60 s to the shell prompt); C-a x quits, C-a h for help" >&2
exec build/flotilla -M virt -cpu cortex-a57 -m 1G -kernel "$cache/Image.gz" -initrd "$initrd" \
    -append "console=ttyAMA0 rdinit=/init" "$@"
