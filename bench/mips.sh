#!/usr/bin/env bash
# Interpreter speed on a CPU-bound bare-metal loop, flotilla next to
# qemu-system-aarch64 (TCG) on the same ELF, interleaved, 3 repetitions.
# Usage: bench/mips.sh [ITERS] [BUILD_DIR] [FLOTILLA_FLAGS]   (e.g. "-tier jit")
set -euo pipefail
cd "$(dirname "$0")/.."
iters=${1:-20000000}
build=${2:-build}
read -r -a fflags <<< "${3:-}"
out=$(mktemp -d)
aarch64-linux-gnu-gcc -nostdlib -static -T tests/guest/link.ld -DITERS="$iters" \
    -o "$out/intloop.elf" bench/guest/intloop.S
insns=$(( iters * 10 + 8 ))
have_qemu=0
command -v qemu-system-aarch64 >/dev/null && have_qemu=1
t() { local s e; s=$(date +%s.%N); "$@" </dev/null >/dev/null 2>&1 || { echo "failed: $*" >&2; return 1; }; e=$(date +%s.%N); echo "$e - $s" | bc; }
declare -a tf tq
for rep in 1 2 3; do
    tf+=("$(t "$build/flotilla" ${fflags[@]+"${fflags[@]}"} -semihosting -kernel "$out/intloop.elf")")
    if ((have_qemu)); then
        tq+=("$(t qemu-system-aarch64 -M virt -cpu cortex-a57 -nographic -nic none -semihosting \
                 -kernel "$out/intloop.elf")")
    fi
done
median() { printf '%s\n' "$@" | sort -n | sed -n 2p; }
mf=$(median "${tf[@]}")
printf 'guest instructions: %d\n' "$insns"
printf 'flotilla: median %.3f s  (%s)  %.1f MIPS\n' "$mf" "${tf[*]}" "$(echo "$insns / $mf / 1000000" | bc -l)"
if ((have_qemu)); then
    mq=$(median "${tq[@]}")
    printf 'qemu-tcg: median %.3f s  (%s)  %.1f MIPS\n' "$mq" "${tq[*]}" "$(echo "$insns / $mq / 1000000" | bc -l)"
    printf 'flotilla/qemu time ratio: %.2f\n' "$(echo "$mf / $mq" | bc -l)"
fi
rm -rf "$out"
