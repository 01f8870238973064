#!/usr/bin/env bash
# The cost of -det and of -det weak=on against free-running (docs/determinism.md).
# Usage: bench/det.sh [REPS] [BUILD_DIR]
# Rows: a CPU-bound bare-metal loop at -smp 1 (jit and interp), the racy
# two-core counter tests/det/det_race.elf, and a Linux boot to init's
# commands and poweroff at -smp 1 and 2 (needs ~/.cache/flotilla and the
# ctest linux.prepare initramfs in BUILD_DIR/tests/linux). Wall times,
# interleaved (free, -det, weak, free, ...); median and spread (max-min)/median.
set -euo pipefail
cd "$(dirname "$0")/.."
reps=${1:-5}
build=${2:-build}
f=$build/flotilla
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
aarch64-linux-gnu-gcc -nostdlib -static -T tests/guest/link.ld -DITERS=20000000 -o "$out/intloop.elf" bench/guest/intloop.S
kernel=${FLOTILLA_CACHE:-$HOME/.cache/flotilla}/Image.gz
initrd=$build/tests/linux/initramfs-test.cpio.gz
t() { local s e; s=$(date +%s.%N); "$@" </dev/null >/dev/null 2>&1 || { echo "failed: $*" >&2; return 1; }; e=$(date +%s.%N); echo "$e - $s" | bc; }
stat() { # median and spread of the arguments
    local sorted med min max
    sorted=$(printf '%s\n' "$@" | sort -n)
    med=$(echo "$sorted" | sed -n "$(( ($# + 1) / 2 ))p")
    min=$(echo "$sorted" | head -1); max=$(echo "$sorted" | tail -1)
    printf '%.3f s (spread %.0f%%)' "$med" "$(echo "($max - $min) * 100 / $med" | bc -l)"
}
median() { printf '%s\n' "$@" | sort -n | sed -n "$(( ($# + 1) / 2 ))p"; }
row() { # name, then three commands separated by '::'
    local name=$1; shift
    local -a a b c; local cur=a
    for x in "$@"; do
        if [[ $x == :: ]]; then [[ $cur == a ]] && cur=b || cur=c; continue; fi
        eval "$cur+=(\"\$x\")"
    done
    local -a ta tb tc
    for ((i = 0; i < reps; i++)); do
        ta+=("$(t "${a[@]}")"); tb+=("$(t "${b[@]}")")
        if ((${#c[@]})); then tc+=("$(t "${c[@]}")"); fi
    done
    local ma mb
    ma=$(median "${ta[@]}"); mb=$(median "${tb[@]}")
    printf '| %s | %s | %s | %.2fx |' "$name" "$(stat "${ta[@]}")" "$(stat "${tb[@]}")" "$(echo "$mb / $ma" | bc -l)"
    if ((${#c[@]})); then
        printf ' %s | %.2fx |\n' "$(stat "${tc[@]}")" "$(echo "$(median "${tc[@]}") / $ma" | bc -l)"
    else
        printf ' | |\n'
    fi
}
echo "| benchmark | free-running | -det seed=1 | det/free | -det seed=1,weak=on | weak/free |"
echo "|---|---|---|---|---|---|"
row "ALU loop 200 M insns, -smp 1, jit" "$f" -semihosting -kernel "$out/intloop.elf" :: \
    "$f" -semihosting -det seed=1 -kernel "$out/intloop.elf" :: "$f" -semihosting -det seed=1,weak=on -kernel "$out/intloop.elf"
row "ALU loop 200 M insns, -smp 1, -tier interp" "$f" -tier interp -semihosting -kernel "$out/intloop.elf" :: \
    "$f" -tier interp -semihosting -det seed=1 -kernel "$out/intloop.elf" :: "$f" -semihosting -det seed=1,weak=on -kernel "$out/intloop.elf"
row "det_race (racy counter), -smp 2" "$f" -semihosting -smp 2 -kernel "$build/tests/det/det_race.elf" :: \
    "$f" -semihosting -smp 2 -det seed=1 -kernel "$build/tests/det/det_race.elf" :: \
    "$f" -semihosting -smp 2 -det seed=1,weak=on -kernel "$build/tests/det/det_race.elf"
if [[ -f $kernel && -f $initrd ]]; then
    for n in 1 2; do
        lx=("$f" -smp "$n" -m 512M -kernel "$kernel" -initrd "$initrd" -append "console=ttyAMA0 ftest=none cryptomgr.notests")
        row "Linux boot + poweroff, -smp $n" "${lx[@]}" :: "${lx[@]}" -det seed=1 :: "${lx[@]}" -det seed=1,weak=on
    done
fi
