#!/usr/bin/env bash
# sweep.slurm: the small sweep (small.toml) on a real single-node Slurm
# cluster started here (slurm-cluster.sh) and on the local backend; both
# databases must hold the same runs with the same guest results. Also:
# `status` while the arrays are queued, `resume --wait` collecting them.
# Exit 77 (ctest: skipped) only when Slurm or munge is not installed.
#   slurm_test.sh FLOTILLA_SWEEP ELF WORKDIR
set -uo pipefail
tool=$1 elf=$2 work=$3
here=$(cd "$(dirname "$0")" && pwd)
for t in /usr/sbin/slurmctld /usr/sbin/slurmd /usr/sbin/munged sbatch squeue sinfo scancel; do
    command -v "$t" >/dev/null || { echo "SKIP: $t is not installed (scripts/install-deps.sh installs slurm-wlm and munge)"; exit 77; }
done
rm -rf "$work"
mkdir -p "$work"
source "$here/slurm-cluster.sh"
trap cluster_stop EXIT
cluster_start "$work/cluster" || exit 1
spec=$here/small.toml
set -e
"$tool" run "$spec" --set elf="$elf" -o "$work/local" -q
"$tool" run "$spec" --set elf="$elf" -o "$work/slurm" --backend slurm
st=$("$tool" status "$spec" --set elf="$elf" -o "$work/slurm")
echo "$st"
grep -qE 'runs 8: ok [0-9], failed 0, queued/running [0-9]' <<<"$st" || { echo "FAIL: status while queued"; exit 1; }
# resume remembers the backend; it submits nothing more, waits and collects.
# bounded, so a stuck queue fails the test (and the trap still stops the daemons)
out=$(timeout 200 "$tool" resume "$spec" --set elf="$elf" -o "$work/slurm" --wait 2>&1)
echo "$out"
if grep -q "submitted job array" <<<"$out"; then echo "FAIL: resume resubmitted queued runs"; exit 1; fi
st=$("$tool" status "$spec" --set elf="$elf" -o "$work/slurm")
grep -q 'runs 8: ok 8, failed 0, queued/running 0, not done 0' <<<"$st" || { echo "FAIL: status: $st"; exit 1; }
/usr/bin/python3 "$here/test_sweep.py" compare "$work/local/results.db" "$work/slurm/results.db"
"$tool" report "$spec" --set elf="$elf" -o "$work/slurm" >/dev/null
echo "PASS slurm"
