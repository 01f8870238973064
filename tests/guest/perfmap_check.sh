#!/bin/sh
# guest-jit.perfmap: a bare-metal run with -perfmap writes /tmp/perf-<pid>.map
# (pid of the flotilla process) with one "START SIZE flotilla:PC:elN" line,
# hex, per compiled block, the entry block included (compiled when
# translated: -jit-threshold 1); a map that cannot be
# created is an error. Usage: perfmap_check.sh FLOTILLA ELF ENTRY_PC_HEX
flotilla=$1 elf=$2 entry=$3
"$flotilla" -tier jit -jit-threshold 1 -semihosting -perfmap -kernel "$elf" &
pid=$!
wait $pid
rc=$?
map=/tmp/perf-$pid.map
fail() { echo "perfmap: $*"; rm -f "$map"; exit 1; }
[ $rc -eq 0 ] || fail "flotilla exited with $rc"
[ -s "$map" ] || fail "$map missing or empty"
grep -vqE '^[0-9a-f]+ [0-9a-f]*[1-9a-f][0-9a-f]* flotilla:[0-9a-f]+:el[01]$' "$map" &&
    fail "malformed line: $(grep -vE '^[0-9a-f]+ [0-9a-f]*[1-9a-f][0-9a-f]* flotilla:[0-9a-f]+:el[01]$' "$map" | head -1)"
grep -q " flotilla:$entry:el1\$" "$map" || fail "no line for the entry block at $entry"
echo "perfmap: $(wc -l <"$map") lines, well formed"
rm -f "$map"
# The map cannot be created (a directory has its name): a message, exit 1.
sh -c 'mkdir "/tmp/perf-$$.map" && exec "$0" -semihosting -perfmap -kernel "$1"' "$flotilla" "$elf" 2>"$map.err" &
pid=$!
wait $pid
rc=$?
rmdir "/tmp/perf-$pid.map"
err=$(cat "$map.err")
rm -f "$map.err"
[ $rc -ne 0 ] || fail "an unopenable map was accepted"
case "$err" in
*"-perfmap: cannot open '/tmp/perf-$pid.map'"*) ;;
*) fail "unexpected message: $err" ;;
esac
echo "perfmap: unopenable map rejected"
