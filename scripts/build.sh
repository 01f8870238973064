#!/usr/bin/env bash
# Configure and build flotilla. Usage: scripts/build.sh [BUILD_TYPE] [DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
type=${1:-Release}
dir=${2:-build}
cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE="$type" >/dev/null
ninja -C "$dir"
