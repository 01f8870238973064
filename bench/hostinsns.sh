#!/usr/bin/env bash
# Host instructions per guest instruction on two hot loops, flotilla's JIT next
# to QEMU TCG, counted statically in the code each one generates for the loop's
# block. perf stat's hardware counters are often unavailable in VMs; this count
# is not.
#   - bench/guest/intloop.S: 10 guest instructions (ALU, multiply, a load and a
#     store, SUBS + B.NE);
#   - bench/guest/mlaloop.S: the hot block of benchk's compute kernel (the
#     CoreMark-like row's integer matrix multiply), 7 guest instructions: LDR
#     S, LDR Q, MLA by element, CMP + B.NE.
#
# Counted: the straight-line path a loop iteration runs, from the block's entry
# to the chained jump back (flotilla: up to the patch site of the taken b.ne;
# QEMU: its TB from the prologue's icount check to the goto_tb jump of the taken
# branch). Out-of-line slow paths and exits are not counted for either; nor are
# the instructions of a C helper the loop calls (QEMU calls one for the MLA).
#
# Usage: bench/hostinsns.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# count NAME SOURCE FIRST_INSN GUEST_INSNS: the loop whose first instruction's
# disassembly starts with FIRST_INSN.
count() {
    local name=$1 src=$2 first=$3 n=$4
    aarch64-linux-gnu-gcc -nostdlib -static -T tests/guest/link.ld -DITERS=100 -Wl,--no-warn-rwx-segments \
        -o "$work/$name.elf" "$src"
    local loop
    loop=$(aarch64-linux-gnu-objdump -d "$work/$name.elf" |
        awk -v f="$first" '{ i = $3; for (k = 4; k <= NF; k++) i = i " " $k } index(i, f) == 1 { sub(":", "", $1); print $1; exit }')
    mkdir "$work/$name.dump"
    # -jit-threads 0: the 100-iteration run would end before a compile worker
    # had published the block (docs/jit.md, "Compile workers").
    FLOTILLA_JIT_DUMP="$work/$name.dump" "$build/flotilla" -jit-threads 0 -semihosting -kernel "$work/$name.elf" >/dev/null
    local bin site from fl
    bin=$(printf '%s/%s.dump/%016x.bin' "$work" "$name" "0x$loop")
    # flotilla: instructions from where the jump back lands up to the rel32 of
    # the taken b.ne's patched jump (slot 0): the self-loop stub right before
    # the body (loop0, docs/jit-loops.md "Self-loops"), else the chained entry.
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
    printf '%s (%d guest instructions)\n' "$src" "$n"
    printf '  flotilla: %d host instructions (%.1f per guest instruction)\n' "$fl" "$(echo "$fl / $n" | bc -l)"
    if command -v qemu-system-aarch64 >/dev/null; then
        timeout 20 qemu-system-aarch64 -M virt -cpu cortex-a57 -nographic -nic none -semihosting \
            -kernel "$work/$name.elf" -d out_asm -D "$work/$name.q.log" </dev/null >/dev/null 2>&1 || true
        # The last translation of the loop (QEMU retranslates once it knows the block is hot):
        # count from the prologue to the first unconditional jmp after the loop's jne.
        local q
        q=$(python3 - "$work/$name.q.log" "$(printf '0x%016x' $((0x$loop & 0xfff)))" <<'PY'
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
        printf '  QEMU TCG: %d host instructions (%.1f per guest instruction)\n' "$q" "$(echo "$q / $n" | bc -l)"
    fi
}

count alu bench/guest/intloop.S "add x3, x3, x1" 10
count mla bench/guest/mlaloop.S "lsl x2, x0, #6" 7
