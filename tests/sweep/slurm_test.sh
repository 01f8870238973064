#!/usr/bin/env bash
# sweep.slurm: the small sweep (small.toml) on a real single-node Slurm
# cluster started here (slurm-cluster.sh) and on the local backend; both
# databases must hold the same runs with the same guest results. Also:
# `status` while the arrays are queued, `resume --wait` collecting them, a
# cancelled task recorded as a failed run and run again by --retry-failed.
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
# The arrays are submitted held (--hold), so the test sees them queued and
# can cancel one task before it runs: a run lost on the cluster.
spec=$work/small-held.toml
{ cat "$here/small.toml"; printf '\n[slurm]\nsbatch = ["--hold"]\n'; } >"$spec"
set -e
"$tool" run "$spec" --set elf="$elf" -o "$work/local" -q --backend local
"$tool" run "$spec" --set elf="$elf" -o "$work/slurm" --backend slurm
st=$("$tool" status "$spec" --set elf="$elf" -o "$work/slurm")
echo "$st"
grep -q 'runs 8: ok 0, failed 0, queued/running 8, not done 0' <<<"$st" || { echo "FAIL: status while queued"; exit 1; }
jobs=$(squeue -h -r -o %F | sort -u)
[[ $(wc -w <<<"$jobs") == 2 ]] || { echo "FAIL: expected 2 job arrays (-smp 1 and 2), got: $jobs"; exit 1; }
first=$(head -1 <<<"$jobs")
scancel "${first}_0"
for j in $jobs; do scontrol release "$j"; done
# resume remembers the backend; it submits nothing more, waits and collects.
# Bounded, so a stuck queue fails the test (and the trap still stops the daemons).
out=$(timeout 200 "$tool" resume "$spec" --set elf="$elf" -o "$work/slurm" --wait 2>&1)
echo "$out"
if grep -q "submitted job array" <<<"$out"; then echo "FAIL: resume resubmitted queued runs"; exit 1; fi
st=$("$tool" status "$spec" --set elf="$elf" -o "$work/slurm")
echo "$st"
grep -q 'runs 8: ok 7, failed 1, queued/running 0, not done 0' <<<"$st" || { echo "FAIL: status after the cancelled task"; exit 1; }
grep -q "Slurm task ${first}_0 ended without a result" <<<"$st" || { echo "FAIL: the cancelled task's error"; exit 1; }
# Run the lost one again (submitted held too, so release it).
"$tool" resume "$spec" --set elf="$elf" -o "$work/slurm" --retry-failed
for j in $(squeue -h -r -o %F | sort -u); do scontrol release "$j"; done
timeout 200 "$tool" resume "$spec" --set elf="$elf" -o "$work/slurm" --wait -q
st=$("$tool" status "$spec" --set elf="$elf" -o "$work/slurm")
grep -q 'runs 8: ok 8, failed 0, queued/running 0, not done 0' <<<"$st" || { echo "FAIL: status: $st"; exit 1; }
/usr/bin/python3 "$here/test_sweep.py" compare "$work/local/results.db" "$work/slurm/results.db"
"$tool" report "$spec" --set elf="$elf" -o "$work/slurm" >/dev/null
echo "PASS slurm"
