#!/bin/sh
# ctest guest-jit.yield_host: YIELD gives the host CPU away only when the
# machine has more vCPUs than host CPUs the process may use (Machine.yield_host).
# psci_cpu_on waits for core 1 in loops with YIELD: bound to one host CPU
# (taskset) at -smp 2 its cores must have yielded; with two or more host CPUs
# they must not have. Both runs must pass. Usage: yield_host.sh FLOTILLA ELF DIR
set -eu
fl=$1 elf=$2 dir=$3
yields() { grep -o '"host_yields": [0-9]*' "$1" | awk '{s += $2} END {print s + 0}'; }
taskset -c 0 "$fl" -semihosting -smp 2 -max-insns 2000000000 -stats "$dir/yield1.json" -kernel "$elf"
n=$(yields "$dir/yield1.json")
echo "one host CPU, -smp 2: $n host yields"
[ "$n" -gt 0 ] || { echo "FAIL: oversubscribed, yet no YIELD gave the host CPU away"; exit 1; }
if [ "$(nproc)" -ge 2 ]; then
    "$fl" -semihosting -smp 2 -max-insns 2000000000 -stats "$dir/yield2.json" -kernel "$elf"
    n=$(yields "$dir/yield2.json")
    echo "$(nproc) host CPUs, -smp 2: $n host yields"
    [ "$n" -eq 0 ] || { echo "FAIL: not oversubscribed, yet YIELD left the block"; exit 1; }
fi
echo PASS
