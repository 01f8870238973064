#!/usr/bin/env bash
# Build flotilla with ThreadSanitizer (CMake build type Tsan) and run the
# concurrency unit tests under it. Fails on any failing test and on any
# ThreadSanitizer report.
#
# Usage: scripts/tsan-tests.sh [BUILD_DIR]          (default: build-tsan)
#
# Which tests: every tests/unit/test_*.c whose name matches TSAN_TEST_PATTERN
# (default: tcache|monitor|excl|smp|workq|safepoint|vcpu|rcu|thread). Name a unit
# test that starts threads accordingly (e.g. test_smp_psci.c, test_workq.c)
# and it runs here too. TSAN_TESTS="test_a test_b" overrides the selection.
#
# How: the library (flotilla_core) and the simulator are built by CMake in
# BUILD_DIR with -fsanitize=thread, configured exactly as scripts/build.sh
# does (the guest programs and the Criterion test binaries are not needed).
# Criterion itself cannot start under TSan (its BoxFort arena is mapped where
# TSan keeps its shadow memory; Snaipe/Criterion#274), so the selected tests
# are compiled here against tests/unit/tsan-shim, a small stand-in for the
# part of Criterion's API the tests use (one forked process per test).
#
# Suppressions: tests/tsan.supp (liburcu is not instrumented; see the file).
# A canary test with a deliberate data race must be reported, or this script
# fails: it proves the pipeline still catches races.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
dir=${1:-build-tsan}
pattern=${TSAN_TEST_PATTERN:-tcache|monitor|excl|smp|workq|safepoint|vcpu|rcu|thread}

if [[ -n ${TSAN_TESTS:-} ]]; then
    read -r -a tests <<<"$TSAN_TESTS"
else
    tests=()
    for f in tests/unit/test_*.c; do
        n=$(basename "$f" .c)
        if [[ $n =~ $pattern ]]; then tests+=("$n"); fi
    done
fi
if [[ ${#tests[@]} -eq 0 ]]; then
    echo "tsan-tests: no test matches '$pattern'" >&2
    exit 1
fi

cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Tsan >/dev/null
ninja -C "$dir" flotilla_core flotilla

out="$dir/tsan"
mkdir -p "$out"
# Same language mode and warnings as the CMake build.
cflags=(-std=gnu11 -O1 -g -fsanitize=thread -Wall -Wextra -Wno-unused-parameter
        -I tests/unit/tsan-shim -I .)
libs=("$dir/libflotilla_core.a"
      $(pkg-config --libs liburcu-qsbr liburcu-cds capstone zlib hwloc) -lfdt -lslirp -lpthread)
read -r -a pkgcflags <<<"$(pkg-config --cflags liburcu-qsbr liburcu-cds capstone zlib hwloc)"

build_test() { # name source
    cc "${cflags[@]}" "${pkgcflags[@]}" "$2" tests/unit/tsan-shim/shim_main.c "${libs[@]}" -o "$out/$1"
}

export TSAN_OPTIONS="suppressions=$root/tests/tsan.supp halt_on_error=1 exitcode=66 second_deadlock_stack=1 ${TSAN_OPTIONS_EXTRA:-}"

# run NAME: runs the binary, log in $out/NAME.log. Status 0 only for a clean
# pass: no failed test and no TSan report anywhere in the output (a report
# in the runner itself, outside a test process, counts too).
run_test() {
    local log="$out/$1.log" rc=0
    "$out/$1" >"$log" 2>&1 || rc=$?
    if [[ $rc -eq 0 ]] && grep -q "WARNING: ThreadSanitizer\|ERROR: ThreadSanitizer" "$log"; then
        rc=66
    fi
    return "$rc"
}

# The canary: a deliberate race that TSan must report.
build_test tsan_canary tests/unit/tsan-shim/race_canary.c
if run_test tsan_canary; then
    echo "tsan-tests: the race canary was NOT reported; TSan is not working (see $out/tsan_canary.log)" >&2
    exit 1
fi
grep -q "WARNING: ThreadSanitizer: data race" "$out/tsan_canary.log" || {
    echo "tsan-tests: the race canary failed without a TSan race report (see $out/tsan_canary.log)" >&2
    exit 1
}
echo "tsan-tests: race canary reported, as it must be"

failed=0
for t in "${tests[@]}"; do
    build_test "$t" "tests/unit/$t.c"
    if run_test "$t"; then
        echo "tsan-tests: PASS $t ($(grep -c '^\[PASS\]' "$out/$t.log") tests)"
    else
        echo "tsan-tests: FAIL $t (log: $out/$t.log)" >&2
        grep -E "^\[FAIL\]|WARNING: ThreadSanitizer|SUMMARY: ThreadSanitizer" "$out/$t.log" | head -20 >&2
        failed=1
    fi
done
exit $failed
