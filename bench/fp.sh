#!/usr/bin/env bash
# Floating-point speed on bare metal (bench/guest/fpbench.c: matmul and FFT in
# double and single precision), flotilla (-tier jit, and -tier interp) next to
# qemu-system-aarch64 (TCG) on the same ELF, interleaved. Prints ns per guest
# FP op (matmul: per multiply-add) as medians, and fails if any run's result
# hashes (FPCHECK lines: result bits and FPSR) differ from QEMU's or between
# the tiers. The guest times itself with the wall clock (CNTVCT), so on a
# loaded host also compare the CPU seconds of each whole run (last line).
# BASE: another flotilla binary (e.g. an older build) run next to the others.
# Usage: bench/fp.sh [REPS] [BUILD_DIR] [SCALE] [BASE]
set -euo pipefail
cd "$(dirname "$0")/.."
reps=${1:-3}
build=${2:-build}
scale=${3:-1}
base=${4:-}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
aarch64-linux-gnu-gcc -nostdlib -ffreestanding -static -O2 -DFP_SCALE="$scale" -Wl,--no-warn-rwx-segments \
    -T tests/guest/link.ld -Itests/guest -o "$out/fp.elf" \
    bench/guest/bm_crt0.S tests/guest/libguest.c bench/guest/fpbench.c
have_qemu=0
command -v qemu-system-aarch64 >/dev/null && have_qemu=1
sims=(jit interp)
[[ -n $base ]] && sims+=(base)
((have_qemu)) && sims+=(qemu)
run() {
    case $1 in
    qemu) timeout 600 qemu-system-aarch64 -M virt -cpu cortex-a57 -nographic -nic none -semihosting \
              -kernel "$out/fp.elf" ;;
    base) timeout 600 "$base" -semihosting -kernel "$out/fp.elf" ;;
    *) timeout 600 "$build/flotilla" -tier "$1" -semihosting -kernel "$out/fp.elf" ;;
    esac </dev/null 2>&1
}
for ((r = 1; r <= reps; r++)); do
    for s in "${sims[@]}"; do
        TIMEFORMAT=%U+%S
        { time run "$s" > "$out/$s.$r"; } 2> "$out/$s.cpu$r" ||
            { echo "bench/fp.sh: $s failed:" >&2; cat "$out/$s.$r" >&2; exit 1; }
    done
done
ref=${sims[-1]}
grep FPCHECK "$out/$ref.1" > "$out/check.ref"
[[ $(wc -l < "$out/check.ref") == 4 ]] || { echo "bench/fp.sh: $ref printed no results" >&2; exit 1; }
for f in "$out"/*.[0-9]*; do
    grep FPCHECK "$f" | cmp -s - "$out/check.ref" || { echo "bench/fp.sh: $(basename "$f") results differ from $ref.1:" >&2; diff <(grep FPCHECK "$f") "$out/check.ref" >&2; exit 1; }
done
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
printf '%-10s' kernel; printf ' %12s' "${sims[@]}"; ((have_qemu)) && printf ' %10s' jit/qemu; echo "   (ns per FP op, median of $reps)"
for k in matmul_d matmul_s fft_d fft_s; do
    printf '%-10s' "$k"
    declare -A m=()
    for s in "${sims[@]}"; do
        m[$s]=$(cat "$out/$s".* | awk -v k="$k" '$1 == "BENCH-FP" && $2 == k {print $3}' | median)
        printf ' %12s' "${m[$s]}"
    done
    ((have_qemu)) && printf ' %10.2f' "$(echo "${m[jit]} / ${m[qemu]}" | bc -l)"
    echo
done
printf '%-10s' 'CPU s'
for s in "${sims[@]}"; do
    printf ' %12s' "$(cat "$out/$s".cpu* | bc -l | median)"
done
echo "   (user+sys of the whole run)"
echo "results identical across runs and simulators"
