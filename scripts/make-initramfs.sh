#!/usr/bin/env bash
# make-initramfs.sh CACHE [shell|test] [OUT [FILE...]]: build a gzip'd cpio
# initramfs around busybox-static; prints its path.
#   shell  an interactive shell on the console (prompt "/ # ")
#   test   the linux.* ctests' init (tests/linux/linux_test.py checks its
#          output): the kernel command line's "ftest=boot" runs busybox
#          workloads whose results the host recomputes, "ftest=smp" runs
#          /bin/mt_check, "ftest=pmu" /bin/pmu_check, "ftest=debug" the gdb
#          test's guest side (tests/gdb/gdb_test.py); all then power off
# OUT defaults to CACHE/initramfs-MODE.cpio.gz; each FILE is copied into /bin
# (e.g. the cross-compiled mt_check).
set -euo pipefail
cache=$1
mode=${2:-shell}
out=${3:-$cache/initramfs-$mode.cpio.gz}
shift $(($# < 3 ? $# : 3))
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work"/{bin,sbin,proc,sys,dev,tmp,etc,root}
cp "$cache/root/bin/busybox" "$work/bin/busybox"
for app in sh ls cat echo mount poweroff sha256sum dd head uname sleep true; do
    ln -s busybox "$work/bin/$app"
done
for f in "$@"; do
    cp "$f" "$work/bin/"
done
# /dev/console for init's stdio comes from the kernel's built-in initramfs;
# devtmpfs provides the rest (/dev/zero, /dev/null, ttys).
common_setup='/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
export HOME=/root PATH=/bin:/sbin'
if [[ $mode == shell ]]; then
    cat > "$work/init" <<INIT
#!/bin/busybox sh
$common_setup
echo "flotilla: init reached"
export PS1='\w # '
exec setsid cttyhack sh
INIT
elif [[ $mode == test ]]; then
    cat > "$work/init" <<INIT
#!/bin/busybox sh
$common_setup
INIT
    cat >> "$work/init" <<'INIT'
echo "FLOTILLA-BOOT-MARKER"
echo "UPTIME init $(cut -d" " -f1 /proc/uptime)"
echo "CHK cpus $(grep -c ^processor /proc/cpuinfo)"
echo "CHK nproc $(nproc)"
echo "CHK uname $(uname -m)"
# ftest comes from the kernel command line (unknown key=value -> init's env).
case "${ftest:-boot}" in
boot)
    cd /tmp
    seq 1 5000 > seq
    dd if=/dev/zero bs=4096 count=64 2>/dev/null | tr '\0' 'Z' > zz
    awk 'BEGIN { x = 12345; for (i = 0; i < 3000; i++) { x = (x * 69069 + 1) % 4294967296; print x } }' > lcg
    echo "CHK seq.sha256 $(sha256sum < seq)"
    echo "CHK seq.md5 $(md5sum < seq)"
    echo "CHK seq.wc $(wc -l -c < seq)"
    echo "CHK zz.sha256 $(sha256sum < zz)"
    echo "CHK zz.sha1 $(sha1sum < zz)"
    echo "CHK lcg.sha256 $(sha256sum < lcg)"
    echo "CHK lcg.sha512 $(sha512sum < lcg)"
    echo "CHK lcg.md5 $(md5sum < lcg)"
    echo "CHK lcg.sorted.sha256 $(sort -n lcg | sha256sum)"
    echo "CHK lcg.sum $(awk '{ s += $1 } END { printf "%.0f", s }' lcg)"
    echo "CHK lcg.gzip9.size $(gzip -9 -c lcg | wc -c)"
    echo "CHK lcg.gzip.roundtrip $(gzip -c lcg | gunzip -c | sha256sum)"
    echo "CHK lcg.bzip2.roundtrip $(bzip2 -c lcg | bunzip2 -c | sha256sum)"
    echo "CHK zz.gzip.roundtrip $(gzip -c zz | gunzip -c | sha256sum)"
    i=0; s=0
    while [ $i -lt 2000 ]; do s=$((s + i * i % 7919)); i=$((i + 1)); done
    echo "CHK shell.arith $s"
    echo "B64-BEGIN seq2000.gz"
    seq 1 2000 | gzip -9 -c | base64
    echo "B64-END"
    echo "B64-BEGIN lcg.bz2"
    head -n 1000 lcg | bzip2 -9 -c | base64
    echo "B64-END"
    ;;
smp)
    if /bin/mt_check; then echo "CHK mt_check_status 0"; else echo "CHK mt_check_status $?"; fi
    ;;
pmu)
    if /bin/pmu_check; then echo "CHK pmu_check_status 0"; else echo "CHK pmu_check_status $?"; fi
    ;;
debug)
    # gdb.linux_smp4 (tests/gdb/gdb_test.py): a kernel symbol for gdb's
    # breakpoint, the ptrace debug-register test, then console commands
    # from the host while gdb holds and releases the machine.
    echo "KSYM $(grep ' __arm64_sys_newuname$' /proc/kallsyms)"
    /bin/hwwatch
    echo "READY"
    while read cmd; do
        case "$cmd" in
        tick) uname > /dev/null; echo "TICK";;
        end) break;;
        esac
    done
    i=0; s=0
    while [ $i -lt 2000 ]; do s=$((s + i * i % 7919)); i=$((i + 1)); done
    echo "CHK shell.arith $s"
    echo "CHK seq.sha256 $(seq 1 5000 | sha256sum)"
    ;;
esac
echo "UPTIME done $(cut -d" " -f1 /proc/uptime)"
echo "FLOTILLA-TEST-DONE"
poweroff -f
INIT
else
    echo "make-initramfs: unknown mode '$mode' (shell or test)" >&2
    exit 1
fi
chmod +x "$work/init"
mkdir -p "$(dirname "$out")"
(cd "$work" && find . | cpio -o -H newc --quiet | gzip -9) > "$out.tmp"
mv "$out.tmp" "$out"
echo "$out"
