#!/usr/bin/env bash
# Fuzz the hostile-input surfaces kept in tree (tests/fuzz): the kernel and
# initrd loaders (fuzz_loader) and the -config reader (fuzz_config), each
# with libFuzzer + ASan + UBSan for a bounded time, starting from the seed
# corpus in tests/fuzz/<target>/ (copied: the tree is not written to).
#
# Usage: scripts/fuzz.sh [BUILD_DIR]       (default: build-fuzz)
#   FUZZ_SECONDS=60   time per target (a cap: see FUZZ_RUNS)
#   FUZZ_TARGETS="loader config"
#   FUZZ_SEED=1       libFuzzer's seed; FUZZ_SEED=clock explores new inputs
#   FUZZ_RUNS=1500000 executions per target (0: until FUZZ_SECONDS)
#
# By default a run is reproducible: a fixed seed and number of executions
# give the same inputs every time (a slower machine may stop earlier at the
# time cap, running a prefix of them), so CI does not turn red on a bug a
# lucky run happens upon. Exploring (FUZZ_SEED=clock, FUZZ_RUNS=0, longer
# FUZZ_SECONDS) is how new findings are made; each becomes a kept input.
#
# Fails if any target finds a crash, a sanitizer report, a leak, an
# allocation over 2 GB or an input slower than 10 s; the input is left in
# BUILD_DIR/fuzz/<target>/ (crash-*, leak-*, oom-*, timeout-*). Fix the bug,
# then keep the input as a regression test: copy it into tests/fuzz/<target>/,
# where every build replays it (ctest unit.fuzz_<target>_corpus).
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build-fuzz}
secs=${FUZZ_SECONDS:-60}
seed=${FUZZ_SEED:-1}
runs=${FUZZ_RUNS:-1500000}
[[ $seed == clock ]] && seed=0 # libFuzzer: 0 = from the clock
read -r -a targets <<<"${FUZZ_TARGETS:-loader config}"
if ! command -v clang >/dev/null; then
    echo "fuzz: clang not found (scripts/install-deps.sh installs it)" >&2
    exit 1
fi
CC=clang cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Fuzz >/dev/null
ninja -C "$dir" -j2 "${targets[@]/#/fuzz_}"
export ASAN_OPTIONS="detect_leaks=1:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:${UBSAN_OPTIONS:-}"
failed=0
for t in "${targets[@]}"; do
    work="$dir/fuzz/$t"
    rm -rf "$work/corpus"
    mkdir -p "$work/corpus"
    cp tests/fuzz/"$t"/* "$work/corpus/"
    log="$work/fuzz.log"
    # -rss_limit_mb: a bounded loader never needs more than a few guest RAMs.
    if "$dir/tests/fuzz/fuzz_$t" -seed="$seed" -runs="${runs/#0/-1}" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
        -close_fd_mask=2 -artifact_prefix="$work/" -print_final_stats=1 "$work/corpus" >"$log" 2>&1; then
        runs=$(grep -o '^stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
        cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 || true)
        echo "fuzz: $t: $runs executions (seed $seed, at most ${secs}s), $cov, corpus $(ls "$work/corpus" | wc -l) inputs: no finding"
    else
        echo "fuzz: $t: FINDING (log: $log):" >&2
        grep -E "ERROR|SUMMARY|runtime error|Test unit written" "$log" | head -10 >&2
        failed=1
    fi
done
exit $failed
