#!/usr/bin/env bash
# flotilla against qemu-system-aarch64 (TCG) on the same Debian kernel and
# benchmark initramfs: boot time at -smp 1,2,4,8, CPU-bound guest work
# (busybox gzip/sha256sum/bzip2, the benchk compute kernel, also run
# natively), SMP scaling, and micro-costs (Linux user and bare metal).
# Results (results.json, results.md, PNG plots, console.log, host topology)
# go to bench/results/<date>/ unless --out is given.
#
# Usage: bench/run.sh [--smoke] [--reps N] [--flotilla PATH] [--out DIR]
#                     [--flotilla-arg ARG]...
#   --smoke      one repetition, smallest sizes, one boot each (for CI)
#   --flotilla   use this binary (default: build Release into build/)
set -euo pipefail
cd "$(dirname "$0")/.."
smoke=0 reps=3 flotilla="" out="" fargs=()
while (($#)); do
    case $1 in
    --smoke) smoke=1 reps=1 ;;
    --reps) reps=$2; shift ;;
    --flotilla) flotilla=$2; shift ;;
    --out) out=$2; shift ;;
    --flotilla-arg) fargs+=(--flotilla-arg="$2"); shift ;;
    *) echo "usage: bench/run.sh [--smoke] [--reps N] [--flotilla PATH] [--out DIR] [--flotilla-arg ARG]" >&2; exit 2 ;;
    esac
    shift
done
if [[ -z $flotilla ]]; then
    scripts/install-deps.sh --bench
    scripts/build.sh Release build >/dev/null
    flotilla=build/flotilla
fi
for t in qemu-system-aarch64 aarch64-linux-gnu-gcc qemu-aarch64-static python3 cpio gcc; do
    command -v $t >/dev/null || { echo "bench: $t is missing (scripts/install-deps.sh --bench)" >&2; exit 1; }
done
cache=$(scripts/fetch-guest.sh)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
initrd=$(bench/mkinitramfs.sh "$cache" "$work")
loops=200000
((smoke)) && loops=20000
# Bare metal: own start-up (QEMU leaves SP at 0), the harness's vectors; -mstrict-align
# because with the MMU off all data is Device memory, where unaligned accesses fault.
aarch64-linux-gnu-gcc -nostdlib -ffreestanding -static -O2 -mstrict-align -DBM_LOOPS=$loops -Wl,--no-warn-rwx-segments \
    -T tests/guest/link.ld -Itests/guest -o "$work/bm.elf" \
    bench/guest/bm_crt0.S tests/guest/libguest.c bench/guest/bm.c
gcc -O2 -pthread -o "$work/benchk-native" bench/guest/benchk.c
gcc -O2 -o "$work/alu-native" bench/guest/alu_chain_native.c
out=${out:-bench/results/$(date +%Y-%m-%d-%H%M)}
mkdir -p "$out"
extra=()
((smoke)) && extra+=(--smoke)
python3 bench/bench.py --flotilla "$flotilla" --kernel "$cache/Image.gz" --initrd "$initrd" \
    --bm "$work/bm.elf" --native "$work/benchk-native" --native-alu "$work/alu-native" --out "$out" --reps "$reps" \
    "${extra[@]}" "${fargs[@]}"
