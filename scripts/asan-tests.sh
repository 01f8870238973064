#!/usr/bin/env bash
# Build flotilla with AddressSanitizer + UndefinedBehaviorSanitizer (CMake
# build type Asan: every report is fatal) and run under it the unit tests,
# the guest programs on both tiers, the differential tests, the coverage
# check and one Linux boot (linux.boot). Fails on any failing test and on
# any sanitizer report anywhere in the tests' output: Criterion reports a
# test passed before LeakSanitizer runs at its process's exit, so the logs
# are searched too.
#
# Usage: scripts/asan-tests.sh [BUILD_DIR]      (default: build-asan)
#   ASAN_TESTS_REGEX overrides the ctest selection (a regex of test names).
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build-asan}
regex=${ASAN_TESTS_REGEX:-'^(unit|guest|guest-jit|difftest|coverage)\.'}
scripts/build.sh Asan "$dir"
scripts/fetch-guest.sh >/dev/null
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:${UBSAN_OPTIONS:-}"
reports='ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:|SUMMARY: UndefinedBehaviorSanitizer'
failed=0
run() { # ctest arguments...
    local rc=0
    ctest --test-dir "$dir" --output-on-failure -j2 "$@" || rc=$?
    local log="$dir/Testing/Temporary/LastTest.log"
    if grep -Eq "$reports" "$log"; then
        echo "asan-tests: sanitizer report(s) in the test output ($log):" >&2
        grep -E "$reports" "$log" | sort | uniq -c | head -20 >&2
        rc=1
    fi
    [[ $rc -eq 0 ]] || failed=1
}
run -R "$regex"
# One Linux boot (with the fixture that prepares the initramfs).
if [[ -z ${ASAN_TESTS_REGEX:-} ]]; then
    run -R '^linux\.(prepare|boot)$'
fi
if [[ $failed -eq 0 ]]; then
    echo "asan-tests: all selected tests passed with no ASan/UBSan/LSan report"
fi
exit $failed
