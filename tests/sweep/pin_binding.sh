#!/usr/bin/env bash
# sweep.pin_binding: -pin compact chooses among the PUs the process is bound
# to (what flotilla-sweep's local pool and Slurm give a run), and -pin LIST
# refuses a PU outside them. Skipped (77) on a host with one usable PU.
#   pin_binding.sh FLOTILLA ELF
set -uo pipefail
flotilla=$1 elf=$2
command -v hwloc-bind >/dev/null || { echo "SKIP: hwloc-bind missing (hwloc-nox)"; exit 77; }
pus=$(/usr/bin/python3 -c 'import os; print(" ".join(map(str, sorted(os.sched_getaffinity(0)))))')
read -ra pu <<<"$pus"
((${#pu[@]} >= 2)) || { echo "SKIP: one usable PU"; exit 77; }
last=${pu[-1]} first=${pu[0]}
out=$(hwloc-bind -p "pu:$last" -- "$flotilla" -smp 2 -pin compact -d smp -semihosting -kernel "$elf" 2>&1) || { echo "$out"; exit 1; }
for v in 0 1; do
    grep -q "vcpu $v -> host PU $last " <<<"$out" || { echo "FAIL: vcpu $v not on PU $last:"; echo "$out"; exit 1; }
done
if out=$(hwloc-bind -p "pu:$last" -- "$flotilla" -pin "$first" -semihosting -kernel "$elf" 2>&1); then
    echo "FAIL: -pin $first accepted outside the binding to PU $last"; exit 1
fi
grep -q "usable: 1 PUs" <<<"$out" || { echo "FAIL: $out"; exit 1; }
echo PASS
