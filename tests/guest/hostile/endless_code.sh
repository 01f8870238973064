#!/bin/sh
# guest[-jit].endless_code_bounded: endless_code.elf makes every guest
# instruction a new translated block. With a 16 MiB translation cache the run
# must reach its instruction limit (exit 3: it kept running, no crash, no
# hang), have translated a block per UDF (1 in 7 instructions), have flushed
# the cache many times, never held more than the bound (plus one block per
# core), and stay under RSS_KB of host memory (the process's own peak RSS,
# from -stats). Unbounded, 10 M instructions took ~765 MB.
# Usage: endless_code.sh FLOTILLA ELF TIER
flotilla=$1 elf=$2 tier=$3
insns=10000000
limit=$((16 << 20))
rss_kb=131072
# Under AddressSanitizer (scripts/asan-tests.sh) freed memory waits in its
# quarantine (256 MiB by default), and a flushing cache frees a lot: keep it
# small so that RSS measures flotilla, not the quarantine.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=4"
stats=$(mktemp)
trap 'rm -f "$stats"' EXIT
fail() { echo "endless_code: $*"; exit 1; }
"$flotilla" -tier "$tier" -jit-threshold 1 -m 256M -accel tcg,tb-size=16 -max-insns $insns -stats "$stats" -kernel "$elf"
rc=$?
[ $rc -eq 3 ] || fail "exit status $rc, not 3 (instruction limit)"
num() { sed -n "s/.*\"$1\": \([0-9]*\).*/\1/p" "$stats" | head -1; }
translated=$(num blocks_translated) flushes=$(num flushes) peak=$(num peak_bytes) rss=$(num host_max_rss_kb)
lim=$(num limit_bytes)
echo "endless_code ($tier): $translated blocks, $flushes flushes, peak $peak of $lim bytes, max RSS $rss KB"
[ "$lim" -eq $limit ] || fail "limit_bytes $lim, not $limit"
[ "$translated" -ge $((insns / 7 - 10)) ] || fail "only $translated blocks translated"
[ "$flushes" -ge 10 ] || fail "only $flushes flushes"
[ "$peak" -le $((limit + 4096)) ] || fail "peak $peak bytes over the bound $limit"
[ "$rss" -lt $rss_kb ] || fail "max RSS $rss KB, over $rss_kb KB"
