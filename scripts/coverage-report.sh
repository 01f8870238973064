#!/usr/bin/env bash
# Build and run the A64 encoding coverage report (scripts/coverage.c) and
# write docs/coverage.md. Usage: scripts/coverage-report.sh [BUILD_DIR] [extra options]
# The ctest coverage.report runs the same program with a smaller sample and --check.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build}
shift || true
if [ ! -f "$dir/build.ninja" ]; then
  cmake -S . -B "$dir" -G Ninja >/dev/null
fi
ninja -C "$dir" coverage-report >/dev/null
"$dir/scripts/coverage-report" --random 20000 --repeat 4 --seed 1 \
  --exclusions docs/coverage-exclusions.txt --output docs/coverage.md --check "$@"
