#!/usr/bin/env bash
# Cost of the PMU (cpu/pmu.c) when the guest does not use it: two flotilla
# binaries (e.g. one built without the PMU and one with it) on the JIT's
# bare-metal ALU loop (bench/guest/intloop.S) and on a Linux boot with the
# linux.boot workload (the ctest's test initramfs, crypto self-tests off),
# interleaved, REPS runs each; prints every CPU time (user + system of the
# flotilla process: on a shared, oversubscribed host wall time mostly
# measures the other processes), the median and the spread.
# Usage: bench/pmu.sh OLD_FLOTILLA NEW_FLOTILLA [REPS] [INITRAMFS]
#   INITRAMFS defaults to build/tests/linux/initramfs-test.cpio.gz (made by
#   the linux.prepare ctest).
set -euo pipefail
cd "$(dirname "$0")/.."
old=$1 new=$2 reps=${3:-5}
initrd=${4:-build/tests/linux/initramfs-test.cpio.gz}
cache=$(scripts/fetch-guest.sh | tail -n 1)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
aarch64-linux-gnu-gcc -nostdlib -static -T tests/guest/link.ld -DITERS=100000000 -Wl,--no-warn-rwx-segments \
    -o "$work/intloop.elf" bench/guest/intloop.S
t() { # CPU seconds of one run
    python3 -c '
import resource, subprocess, sys
r = subprocess.run(sys.argv[1:], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
if r.returncode:
    sys.exit("failed: " + " ".join(sys.argv[1:]))
u = resource.getrusage(resource.RUSAGE_CHILDREN)
print("%.3f" % (u.ru_utime + u.ru_stime))' "$@"
}
stats() { # name times...: median, min-max spread in % of the median
    local name=$1; shift
    printf '%s\n' "$@" | sort -n | python3 -c '
import sys
name = sys.argv[1]
v = [float(x) for x in sys.stdin]
m = v[len(v) // 2]
print("%-22s median %.3f s CPU  spread %.3f-%.3f (%.1f%%)  runs %s" % (name, m, v[0], v[-1], 100 * (v[-1] - v[0]) / m, " ".join("%.3f" % x for x in v)))' "$name"
}
declare -a lo ln bo bn
for ((r = 0; r < reps; r++)); do
    lo+=("$(t "$old" -semihosting -kernel "$work/intloop.elf")")
    ln+=("$(t "$new" -semihosting -kernel "$work/intloop.elf")")
    if [[ -f $initrd ]]; then
        boot=(-m 1G -kernel "$cache/Image.gz" -initrd "$initrd" -append "console=ttyAMA0 ftest=boot cryptomgr.notests")
        bo+=("$(t "$old" "${boot[@]}")")
        bn+=("$(t "$new" "${boot[@]}")")
    fi
done
echo "ALU loop, 1 G guest instructions (-tier jit):"
stats "  old" "${lo[@]}"
stats "  new" "${ln[@]}"
if ((${#bo[@]})); then
    echo "Linux boot + linux.boot workload (-smp 1):"
    stats "  old" "${bo[@]}"
    stats "  new" "${bn[@]}"
fi
