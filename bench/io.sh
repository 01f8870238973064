#!/usr/bin/env bash
# Disk and network throughput of the virtio devices, flotilla next to
# qemu-system-aarch64 (bench/io.py says what is measured). Results (io.md,
# io.json, io-console.log) go to bench/results/<date>-io/ unless --out.
# Usage: bench/io.sh [--smoke] [--reps N] [--flotilla PATH] [--out DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
reps=3 flotilla="" out="" smoke=()
while (($#)); do
    case $1 in
    --smoke) smoke=(--smoke) reps=1 ;;
    --reps) reps=$2; shift ;;
    --flotilla) flotilla=$2; shift ;;
    --out) out=$2; shift ;;
    *) echo "usage: bench/io.sh [--smoke] [--reps N] [--flotilla PATH] [--out DIR]" >&2; exit 2 ;;
    esac
    shift
done
if [[ -z $flotilla ]]; then
    scripts/install-deps.sh --bench
    scripts/build.sh Release build >/dev/null
    flotilla=build/flotilla
fi
for t in qemu-system-aarch64 aarch64-linux-gnu-gcc debugfs python3; do
    command -v $t >/dev/null || { echo "bench io: $t is missing (scripts/install-deps.sh --bench)" >&2; exit 1; }
done
out=${out:-bench/results/$(date -u +%Y-%m-%d-%H%M)-io}
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
aarch64-linux-gnu-gcc -static -O2 -o "$work/ioload" bench/guest/ioload.c
exec python3 bench/io.py --flotilla "$flotilla" --out "$out" --reps "$reps" --ioload "$work/ioload" "${smoke[@]}"
