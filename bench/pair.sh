#!/usr/bin/env bash
# Paired A/B of two flotilla command lines on one Linux workload: each
# repetition runs A and B at the same time, one per host core (pinned with
# taskset, swapped every repetition), so that both meet the same load from
# the rest of the shared host. Prints the medians of host CPU time and the
# median and range of the per-pair ratio B/A. Run A against itself to see the
# method's own noise (an A/A run on the 2-core CI VM gave 0.985, 0.947-1.066).
#
# Usage: bench/pair.sh [-n REPS] [-a "KERNEL_ARGS"] [-s SMP] [-t user|total] -- A... -- B...
#   A and B: a flotilla binary and its extra options, e.g.
#   bench/pair.sh -n 12 -a "bench_work=1 bench_kb=4096" -- build/flotilla -jit-side-exits 0 -- build/flotilla
# Guest: the cached kernel and the bench initramfs (bench/mkinitramfs.sh);
# kernel args: "" is a boot to /init, bench_work=1 the busybox workloads,
# bench_copies=1 bench_iters=N benchk (bench/guest/bench.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
reps=8 app="" smp=1 what=user
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
    case "$1" in
    -n) reps=$2; shift 2 ;;
    -a) app=$2; shift 2 ;;
    -s) smp=$2; shift 2 ;;
    -t) what=$2; shift 2 ;;
    *) echo "usage: bench/pair.sh [-n REPS] [-a ARGS] [-s SMP] [-t user|total] -- A... -- B..." >&2; exit 2 ;;
    esac
done
[ "${1:-}" = "--" ] || { echo "bench/pair.sh: missing -- A... -- B..." >&2; exit 2; }
shift
a=() b=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do a+=("$1"); shift; done
[ "${1:-}" = "--" ] || { echo "bench/pair.sh: missing the second --" >&2; exit 2; }
shift
b=("$@")
((${#a[@]} && ${#b[@]})) || { echo "bench/pair.sh: A and B must both be given" >&2; exit 2; }
[ "$(nproc)" -ge 2 ] || { echo "bench/pair.sh: needs two host CPUs" >&2; exit 2; }
cache=${FLOTILLA_CACHE:-$HOME/.cache/flotilla}
initrd=${INITRD:-/tmp/flotilla-bench/bench-initramfs.cpio.gz}
[ -f "$initrd" ] || bench/mkinitramfs.sh "$cache" "$(dirname "$initrd")" >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
run() { # cpu outfile cmd...
    local cpu=$1 out=$2
    shift 2
    /usr/bin/time -o "$out" -f "%U %S" taskset -c "$cpu" "$@" -M virt -m 1G -smp "$smp" -no-reboot \
        -kernel "$cache/Image.gz" -initrd "$initrd" -append "console=ttyAMA0 quiet $app" >/dev/null 2>&1
}
for i in $(seq "$reps"); do
    ca=$((i % 2)) cb=$(((i + 1) % 2))
    run "$ca" "$work/a" "${a[@]}" &
    run "$cb" "$work/b" "${b[@]}" &
    wait
    echo "$(tail -1 "$work/a") $(tail -1 "$work/b")"
done | python3 -c '
import sys, statistics as st
total = sys.argv[1] == "total"
a, b = [], []
for line in sys.stdin:
    au, asy, bu, bsy = map(float, line.split())
    a.append(au + asy if total else au)
    b.append(bu + bsy if total else bu)
r = [y / x for x, y in zip(a, b)]
what = "user+sys" if total else "user"
print("A %s median %.3f s, B %.3f s; B/A per pair: median %.3f (%.3f-%.3f), %d pairs"
      % (what, st.median(a), st.median(b), st.median(r), min(r), max(r), len(r)))
' "$what"
