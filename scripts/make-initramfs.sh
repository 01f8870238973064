#!/usr/bin/env bash
# make-initramfs.sh CACHE [shell|test]: build a gzip'd cpio initramfs around
# busybox-static; prints its path. "shell" gives an interactive shell,
# "test" runs the boot test's commands and powers off.
set -euo pipefail
cache=$1
mode=${2:-shell}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work"/{bin,sbin,proc,sys,dev,tmp,etc}
cp "$cache/root/bin/busybox" "$work/bin/busybox"
for app in sh ls cat echo mount poweroff sha256sum dd head uname sleep true; do
    ln -s busybox "$work/bin/$app"
done
if [[ $mode == shell ]]; then
    cat > "$work/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
echo "flotilla: init reached"
exec setsid cttyhack sh
INIT
else
    cat > "$work/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
echo "FLOTILLA-BOOT-MARKER"
echo "cpus: $(grep -c ^processor /proc/cpuinfo)"
dd if=/dev/zero bs=1024 count=256 2>/dev/null | sha256sum
uname -m
poweroff -f
INIT
fi
chmod +x "$work/init"
out="$cache/initramfs-$mode.cpio.gz"
(cd "$work" && find . | cpio -o -H newc --quiet | gzip -9) > "$out"
echo "$out"
