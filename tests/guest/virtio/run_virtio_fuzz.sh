#!/bin/sh
# run_virtio_fuzz.sh FLOTILLA ELF TIER [OPTION...]: run virtio_fuzz.elf with
# a fresh writable 1 MiB image (serial flotilla-fuzz, slot 31) and a
# read-only one starting with "RO" (slot 30); further options go to flotilla
# (-det seed=N: requests served inline by the vCPU).
set -e
flotilla=$1 elf=$2 tier=$3
shift 3
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
truncate -s 1M "$dir/rw.img"
printf 'RO' > "$dir/ro.img"
truncate -s 64K "$dir/ro.img"
"$flotilla" -tier "$tier" -semihosting -max-insns 4000000000 "$@" \
    -drive "file=$dir/rw.img,if=virtio,format=raw,serial=flotilla-fuzz" \
    -drive "file=$dir/ro.img,if=virtio,format=raw,readonly=on" -kernel "$elf"
