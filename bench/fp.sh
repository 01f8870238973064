#!/usr/bin/env bash
# Floating-point speed on bare metal (bench/guest/fpbench.c: matmul and FFT in
# double and single precision; with SUITE=simd, bench/guest/simdbench.c: -O3
# vectorised image kernels, AES-128 and SHA-256 on the crypto extension, "ns
# per FP op" then being ns per output byte / block, see bench/simd.sh; with
# SUITE=ops, bench/guest/simdops.c: single Advanced SIMD op classes, ns per
# instruction, see bench/simdops.sh),
# flotilla (-tier jit, and -tier interp) next to
# qemu-system-aarch64 (TCG) on the same ELF, interleaved. Prints ns per guest
# FP op (matmul: per multiply-add) as medians, and fails if any run's result
# hashes (FPCHECK lines: result bits and FPSR) differ from QEMU's or between
# the tiers. The guest times itself with the wall clock (CNTVCT), which a
# loaded host distorts, so a second table gives CPU time per FP op: each
# kernel alone at SCALE minus the same ELF at scale 0 (start-up, set-up and
# translation), user+sys of the process. BASE: another flotilla binary (e.g.
# an older build) run next to the others.
# Usage: [FP_SIMS="jit interp"] bench/fp.sh [REPS] [BUILD_DIR] [SCALE] [BASE] [SUITE]
set -euo pipefail
cd "$(dirname "$0")/.."
reps=${1:-3}
build=${2:-build}
scale=${3:-1}
base=${4:-}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
suite=${5:-fp}
case $suite in
fp) kernels=(matmul_d matmul_s fft_d fft_s) src=bench/guest/fpbench.c cflags=(-O2) ;;
simd) kernels=(gray blur blend sad aes sha256) src=bench/guest/simdbench.c
      cflags=(-O3 -mstrict-align -march=armv8-a+crypto) ;;
ops) kernels=(sqdmlal sqdmulh32 srshl uqshl sqrshrn pmull8 sqadd_h sqabs) src=bench/guest/simdops.c
     cflags=(-O2) ;;
*) echo "bench/fp.sh: unknown suite '$suite' (fp, simd or ops)" >&2; exit 2 ;;
esac
elf() { # NAME SCALE ONLY
    aarch64-linux-gnu-gcc -nostdlib -ffreestanding -static "${cflags[@]}" -DFP_SCALE="$2" -DFP_ONLY="$3" \
        -Wl,--no-warn-rwx-segments -T tests/guest/link.ld -Itests/guest -o "$out/$1.elf" \
        bench/guest/bm_crt0.S tests/guest/libguest.c "$src"
}
elf fp "$scale" $(((1 << ${#kernels[@]}) - 1))
for ((i = 0; i < ${#kernels[@]}; i++)); do
    elf "${kernels[i]}" "$scale" $((1 << i))
    elf "${kernels[i]}.0" 0 $((1 << i))
done
have_qemu=0
command -v qemu-system-aarch64 >/dev/null && have_qemu=1
read -ra sims <<< "${FP_SIMS:-jit interp}" # e.g. FP_SIMS=jit to leave the slow interpreter out
[[ -n $base ]] && sims+=(base)
((have_qemu)) && sims+=(qemu)
run() { # SIM ELF
    case $1 in
    qemu) timeout 600 qemu-system-aarch64 -M virt -cpu cortex-a57 -nographic -nic none -semihosting \
              -kernel "$out/$2.elf" ;;
    base) timeout 600 "$base" -semihosting -kernel "$out/$2.elf" ;;
    *) timeout 600 "$build/flotilla" -tier "$1" -semihosting -kernel "$out/$2.elf" ;;
    esac </dev/null 2>&1
}
TIMEFORMAT=%U+%S
timed() { # SIM ELF OUT: the output to OUT, CPU seconds to OUT.cpu
    { time run "$1" "$2" > "$3"; } 2> "$3.cpu" || { echo "bench/fp.sh: $1 $2 failed:" >&2; cat "$3" >&2; exit 1; }
}
for ((r = 1; r <= reps; r++)); do
    for s in "${sims[@]}"; do
        timed "$s" fp "$out/$s.$r"
        for k in "${kernels[@]}"; do
            timed "$s" "$k" "$out/k.$s.$k.$r"
            timed "$s" "$k.0" "$out/k0.$s.$k.$r"
        done
    done
done
ref=${sims[-1]}
grep FPCHECK "$out/$ref.1" > "$out/check.ref"
[[ $(wc -l < "$out/check.ref") == "${#kernels[@]}" ]] || { echo "bench/fp.sh: $ref printed no results" >&2; exit 1; }
for f in "$out"/{jit,interp,base,qemu}.[0-9]; do
    [[ -e $f ]] || continue
    grep FPCHECK "$f" | cmp -s - "$out/check.ref" || { echo "bench/fp.sh: $(basename "$f") results differ from $ref.1:" >&2; diff <(grep FPCHECK "$f") "$out/check.ref" >&2; exit 1; }
done
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
printf '%-10s' kernel; printf ' %12s' "${sims[@]}"; ((have_qemu)) && printf ' %10s' jit/qemu; echo "   (ns per FP op, median of $reps)"
for k in "${kernels[@]}"; do
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
    printf ' %12s' "$(cat "$out/$s".[0-9].cpu | bc -l | median)"
done
echo "   (user+sys of the whole run)"
echo
printf '%-10s' kernel; printf ' %12s' "${sims[@]}"; ((have_qemu)) && printf ' %10s' jit/qemu
echo "   (CPU ns per FP op, median of $reps)"
for k in "${kernels[@]}"; do
    printf '%-10s' "$k"
    declare -A m=()
    for s in "${sims[@]}"; do
        ops=$(awk -v k="$k" '$1 == "BENCH-FP" && $2 == k {print $5}' "$out/k.$s.$k.1")
        m[$s]=$(for ((r = 1; r <= reps; r++)); do
                    echo "($(cat "$out/k.$s.$k.$r.cpu") - ($(cat "$out/k0.$s.$k.$r.cpu"))) * 1000000000 / $ops" | bc -l
                done | median)
        printf ' %12.1f' "${m[$s]}"
    done
    ((have_qemu)) && printf ' %10.2f' "$(echo "${m[jit]} / ${m[qemu]}" | bc -l)"
    echo
done
echo "results identical across runs and simulators"
