#!/usr/bin/env bash
# Install what is missing, build, and run every test: Criterion unit tests,
# bare-metal guest programs, the differential tester against
# qemu-aarch64-static, the Linux boot tests (which need the guest fetched into
# ~/.cache/flotilla first), a benchmark smoke run next to qemu-system-aarch64,
# the concurrency tests under ThreadSanitizer, the unit/guest/difftest tests
# and one Linux boot under ASan+UBSan, and a bounded libFuzzer run of the
# loaders and the config reader (FUZZ_SECONDS each, default 60).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --bench   # QEMU too: the benchmark smoke test runs it
scripts/build.sh Release build
scripts/fetch-guest.sh >/dev/null
ctest --test-dir build --output-on-failure -j"$(nproc)"
if [[ -x scripts/tsan-tests.sh ]]; then
    scripts/tsan-tests.sh
fi
scripts/asan-tests.sh
FUZZ_SECONDS=${FUZZ_SECONDS:-60} scripts/fuzz.sh
