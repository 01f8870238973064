#!/bin/sh
# guest-lazy.jit_workers: loop_trace.elf at -jit-threshold 2 passes its own
# checks (exit 0) with two compile workers and with none; with workers every
# block that reached the threshold was queued and compiled by them or
# dropped (invalidated first, or still queued at the end: a sleeping worker
# is woken for 32 blocks or a boosted one), none failed, and -stats says so
# ("jit_workers", with the time they spent compiling); without, nothing
# was queued and the core compiled.
# Usage: jit_workers.sh FLOTILLA ELF
flotilla=$1 elf=$2
stats=$(mktemp)
trap 'rm -f "$stats"' EXIT
fail() { echo "jit_workers: $*"; exit 1; }
num() { sed -n "s/.*\"jit_workers\": {.*\"$1\": \([0-9]*\).*/\1/p" "$stats" | head -1; }
compiled_total() { sed -n 's/.*"blocks_compiled": \([0-9]*\).*/\1/p' "$stats" | head -1; }
"$flotilla" -tier jit -jit-threshold 2 -jit-threads 2 -semihosting -stats "$stats" -kernel "$elf" >/dev/null ||
    fail "with two workers: exit status $?"
threads=$(num threads) queued=$(num queued) compiled=$(num compiled) failed=$(num failed) dropped=$(num dropped)
[ "$threads" = 2 ] || fail "threads $threads, not 2"
[ "$queued" -gt 0 ] || fail "nothing queued"
[ "$failed" = 0 ] || fail "$failed blocks failed to compile"
[ $((compiled + failed + dropped)) -eq "$queued" ] || fail "$queued queued, $compiled compiled, $dropped dropped"
[ "$(compiled_total)" -ge "$compiled" ] || fail "blocks_compiled $(compiled_total) below the workers' $compiled"
ns=$(num compile_ns)
[ "$compiled" -eq 0 ] || [ "$ns" -gt 0 ] || fail "$compiled compiled in compile_ns $ns"
echo "jit_workers: 2 threads, $queued queued, $compiled compiled, $dropped dropped, ${ns} ns compiling"
"$flotilla" -tier jit -jit-threshold 2 -jit-threads 0 -semihosting -stats "$stats" -kernel "$elf" >/dev/null ||
    fail "without workers: exit status $?"
[ "$(num threads)" = 0 ] && [ "$(num queued)" = 0 ] && [ "$(num compile_ns)" = 0 ] || fail "workers without -jit-threads"
[ "$(compiled_total)" -gt 0 ] || fail "the core compiled nothing"
echo "jit_workers: none, the core compiled $(compiled_total)"
