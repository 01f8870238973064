#!/usr/bin/env bash
# make-rootfs.sh: a Debian arm64 root filesystem for `-drive` boots, built
# without root privileges and cached outside the repository:
#   CACHE/rootfs/rootfs.img             ext4 (mke2fs -d), 256 MiB sparse
#   CACHE/rootfs/initramfs-disk.cpio.gz loads the virtio and ext4 modules
#                                       (Debian builds them as modules),
#                                       mounts root= and switches to it
# The userland: busybox-static (shell, coreutils, wget, httpd, udhcpc) and
# e2fsprogs with its libraries and libc6 (e2fsck for fsck -n). Its init
# (/sbin/flotilla-init) loads the remaining virtio modules, brings up eth0
# with DHCP if there is one, then runs /ftest.sh if a test put one there
# (and powers off), else a shell on the console.
# Prints CACHE/rootfs. Rebuilt when this script changes.
set -euo pipefail
cd "$(dirname "$0")/.."
cache=$(scripts/fetch-guest.sh)
out=$cache/rootfs
stamp=$(sha256sum "$0" | cut -c1-16)
if [[ -f $out/stamp && $(cat "$out/stamp") == "$stamp" ]]; then
    echo "$out"
    exit 0
fi
mkdir -p "$out/debs"
apt_opts=(-q -oAPT::Architecture=arm64 -oAPT::Architectures::=arm64
          -oDir::State::Lists="$cache/apt/lists" -oDir::Cache="$cache/apt/cache"
          -oDir::State::Status=/dev/null -oDebug::NoLocking=1)
pkgs=(busybox-static libc6 e2fsprogs libext2fs2 libcom-err2 libblkid1 libuuid1 libss2 logsave)
if ! (cd "$out/debs" && apt-get "${apt_opts[@]}" download "${pkgs[@]}" >&2); then
    apt-get "${apt_opts[@]}" update >&2
    (cd "$out/debs" && apt-get "${apt_opts[@]}" download "${pkgs[@]}" >&2)
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/root
mkdir -p "$root"
for d in "$out"/debs/*.deb; do dpkg -x "$d" "$root"; done
mkdir -p "$root"/{proc,sys,dev,tmp,root,etc,mnt,run,var/www,lib/modules/flotilla,sbin,bin}
chmod 1777 "$root/tmp"
kmod=$(ls -d "$cache"/root/lib/modules/*/kernel | head -1)
for m in drivers/char/virtio_console drivers/char/hw_random/virtio-rng net/core/failover \
         drivers/net/net_failover drivers/net/virtio_net; do
    cp "$kmod/$m.ko" "$root/lib/modules/flotilla/"
done
printf 'root:x:0:0:root:/root:/bin/sh\n' > "$root/etc/passwd"
printf 'root:x:0:\n' > "$root/etc/group"
echo flotilla > "$root/etc/hostname"
printf '127.0.0.1 localhost\n' > "$root/etc/hosts"
: > "$root/etc/fstab"
# udhcpc's hook: configure the address, route and DNS it was given.
cat > "$root/etc/udhcpc.script" <<'HOOK'
#!/bin/busybox sh
case "$1" in
bound|renew)
    ip addr flush dev "$interface"
    ip addr add "$ip/${mask:-24}" dev "$interface"
    [ -n "$router" ] && ip route add default via "${router%% *}" dev "$interface"
    : > /etc/resolv.conf
    for d in $dns; do echo "nameserver $d" >> /etc/resolv.conf; done
    ;;
esac
HOOK
chmod 755 "$root/etc/udhcpc.script"
cat > "$root/sbin/flotilla-init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin 2>/dev/null
export PATH=/sbin:/usr/sbin:/bin:/usr/bin HOME=/root
[ -e /proc/mounts ] || mount -t proc proc /proc
grep -q " /sys " /proc/mounts || mount -t sysfs sysfs /sys
grep -q " /dev " /proc/mounts || mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /run
for m in virtio_console virtio-rng failover net_failover virtio_net; do
    insmod /lib/modules/flotilla/$m.ko 2>/dev/null
done
hostname -F /etc/hostname
ip link set lo up
if [ -e /sys/class/net/eth0 ]; then
    ip link set eth0 up
    udhcpc -i eth0 -s /etc/udhcpc.script -q -n -t 5 >/dev/null 2>&1 && echo "flotilla: eth0 $(ip -4 addr show eth0 | grep -o 'inet [0-9./]*')"
fi
echo "flotilla: disk root reached"
if [ -f /ftest.sh ]; then
    # A test's script; then the root is made clean (read-only) before power-off.
    sh /ftest.sh
    sync
    mount -o remount,ro /
    echo "flotilla: root remounted read-only"
    poweroff -f
fi
export PS1='\w # '
exec setsid cttyhack sh
INIT
chmod 755 "$root/sbin/flotilla-init"
rm -f "$out/rootfs.img.new"
mke2fs -q -t ext4 -L flotilla-root -E root_owner=0:0 -d "$root" "$out/rootfs.img.new" 256M
mv "$out/rootfs.img.new" "$out/rootfs.img"

# The initramfs: busybox and the modules root= needs.
ird=$work/initrd
mkdir -p "$ird"/{bin,proc,sys,dev,newroot,lib/modules}
cp "$cache/root/bin/busybox" "$ird/bin/busybox"
for m in drivers/virtio/virtio_mmio drivers/block/virtio_blk lib/crc16 crypto/crc32c_generic fs/mbcache \
         fs/jbd2/jbd2 fs/ext4/ext4; do
    cp "$kmod/$m.ko" "$ird/lib/modules/"
done
cat > "$ird/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
for m in virtio_mmio virtio_blk crc16 crc32c_generic mbcache jbd2 ext4; do
    insmod /lib/modules/$m.ko || echo "initramfs: insmod $m failed"
done
root=/dev/vda
for a in $(cat /proc/cmdline); do
    case "$a" in root=/dev/*) root=${a#root=} ;; esac
done
i=0
while [ ! -b "$root" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
if ! mount -t ext4 "$root" /newroot; then
    echo "initramfs: cannot mount $root"
    exec sh
fi
mount --move /dev /newroot/dev
umount /proc /sys
exec switch_root /newroot /sbin/flotilla-init
INIT
chmod 755 "$ird/init"
(cd "$ird" && find . | cpio -o -H newc --quiet | gzip -9) > "$out/initramfs-disk.cpio.gz"
echo "$stamp" > "$out/stamp"
echo "$out"
