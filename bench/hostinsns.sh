#!/usr/bin/env bash
# Host instructions per guest instruction on the hot loop of bench/guest/intloop.S
# (10 guest instructions), flotilla's JIT next to QEMU TCG, counted statically in
# the code each one generates for that block. perf stat's hardware counters are
# often unavailable in VMs; this count is not.
#
# Counted: the straight-line path a loop iteration runs, from the block's entry
# to the chained jump back (flotilla: up to the patch site of the taken b.ne;
# QEMU: its TB from the prologue's icount check to the goto_tb jump of the taken
# branch). Out-of-line slow paths and exits are not counted for either.
#
# Usage: bench/hostinsns.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
aarch64-linux-gnu-gcc -nostdlib -static -T tests/guest/link.ld -DITERS=100 -Wl,--no-warn-rwx-segments \
    -o "$work/loop.elf" bench/guest/intloop.S
loop=$(aarch64-linux-gnu-objdump -d "$work/loop.elf" | awk '/add\tx3, x3, x1/ {sub(":", "", $1); print $1; exit}')
mkdir "$work/dump"
# -jit-threads 0: the 100-iteration run would end before a compile worker
# had published the block (docs/jit.md, "Compile workers").
FLOTILLA_JIT_DUMP="$work/dump" "$build/flotilla" -jit-threads 0 -semihosting -kernel "$work/loop.elf" >/dev/null
bin=$(printf '%s/dump/%016x.bin' "$work" "0x$loop")
# flotilla: instructions from where the jump back lands up to the rel32 of the
# taken b.ne's patched jump (slot 0): the self-loop stub right before the body
# (loop0, docs/jit-loops.md "Self-loops"), else the block's chained entry.
site=$(awk '$1 == "site0" {print $2}' "${bin%.bin}.txt")
from=$(awk '$1 == "loop0" {print $2}' "${bin%.bin}.txt")
fl=$(objdump -D -b binary -mi386:x86-64 "$bin" | python3 -c '
import re, sys
site, start = int(sys.argv[1]), int(sys.argv[2] or 0)
n = 0
for line in sys.stdin:
    m = re.match(r"\s+([0-9a-f]+):\t[0-9a-f ]+\t(\S+)", line)
    if m and start <= int(m.group(1), 16) < site:
        n += 1
print(n)' "$site" "$from")
printf 'guest instructions in the loop block: 10\n'
printf 'flotilla: %d host instructions (%.1f per guest instruction)\n' "$fl" "$(echo "$fl / 10" | bc -l)"
if command -v qemu-system-aarch64 >/dev/null; then
    timeout 20 qemu-system-aarch64 -M virt -cpu cortex-a57 -nographic -nic none -semihosting \
        -kernel "$work/loop.elf" -d out_asm -D "$work/q.log" </dev/null >/dev/null 2>&1 || true
    # The last translation of the loop (QEMU retranslates once it knows the block is hot):
    # count from the prologue to the first unconditional jmp after the loop's jne.
    q=$(python3 - "$work/q.log" "$(printf '0x%016x' $((0x$loop & 0xfff)))" <<'PY'
import sys
pc = "guest addr " + sys.argv[2] + " + tb prologue"
last, on, n, seen = 0, False, 0, False
for line in open(sys.argv[1], errors="replace"):
    if pc in line:
        on, n, seen = True, 0, False
        continue
    if on and line.startswith("0x"):
        n += 1
        if "jne" in line:
            seen = True
        elif seen and "jmp" in line:
            last, on = n, False
print(last)
PY
)
    printf 'QEMU TCG: %d host instructions (%.1f per guest instruction)\n' "$q" "$(echo "$q / 10" | bc -l)"
fi
