#!/bin/sh
# rawboot.sh FLOTILLA RAWBIN: boot the raw kernel rawboot.bin with a 300000-
# byte initrd at -m 64M, 128M and 1G. Its BOOTINFO line must show the DTB in
# x0 and the initrd where QEMU's hw/arm/boot.c puts it (RAM + min(RAM/2,
# 128 MiB); DTB at the next 2 MiB boundary after the initrd). If
# qemu-system-aarch64 is installed, QEMU's line must be identical too.
# rawboot.sh FLOTILLA IMAGE HIGH_MB: the same for an arm64 Image whose end
# (load address + image_size) is RAM + HIGH_MB MiB: the initrd goes no lower.
set -u
F=$1 RAW=$2 HIGH=${3:-0}
T=$(mktemp -d /tmp/flotilla-rawboot-XXXXXX)
trap 'rm -rf "$T"' EXIT
head -c 300000 /dev/zero > "$T/rd"
qemu=$(command -v qemu-system-aarch64 || true)
fails=0
for m in 64 128 1024; do
    half=$((m / 2)); [ $half -gt 128 ] && half=128
    [ $HIGH -gt $half ] && half=$HIGH
    rd_start=$((0x40000000 + half * 1048576))
    rd_end=$((rd_start + 300000))
    dtb=$(( (rd_end + 2097151) / 2097152 * 2097152 ))
    want=$(printf 'BOOTINFO x0=0x%x fdt=ok initrd=0x%x-0x%x mem=0x40000000+0x%x bootargs=raw boot test' \
        $dtb $rd_start $rd_end $((m * 1048576)))
    got=$(timeout 60 "$F" -m ${m}M -kernel "$RAW" -initrd "$T/rd" -append "raw boot test" </dev/null 2>"$T/err" |
        tr -d '\r' | grep '^BOOTINFO')
    if [ "$got" != "$want" ]; then
        echo "FAIL -m ${m}M flotilla: '$got'" >&2
        echo "                 want: '$want'" >&2
        cat "$T/err" >&2
        fails=$((fails + 1))
    else
        echo "ok -m ${m}M: $got"
    fi
    if [ -n "$qemu" ]; then
        q=$(timeout 60 "$qemu" -M virt -cpu cortex-a57 -m ${m}M -display none -monitor none -serial stdio -nic none \
            -no-reboot -kernel "$RAW" -initrd "$T/rd" -append "raw boot test" </dev/null 2>/dev/null |
            tr -d '\r' | grep '^BOOTINFO')
        if [ "$q" != "$got" ]; then
            echo "FAIL -m ${m}M: QEMU says '$q'" >&2
            fails=$((fails + 1))
        else
            echo "ok -m ${m}M: QEMU agrees"
        fi
    fi
done
[ $fails -eq 0 ]
