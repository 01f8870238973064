#!/usr/bin/env bash
# Run the differential tester with the paths of a build directory filled in.
#   tests/difftest/run.sh [-B BUILD_DIR] [difftest options]
# Long run:   tests/difftest/run.sh --seed 1000000 --insns 20000000
# Replay:     tests/difftest/run.sh --seed 1234 --count 1 -v
# See docs/difftest.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
dir=build
if [[ ${1:-} == -B ]]; then
    dir=$2
    shift 2
fi
b=$dir/tests/difftest
if [[ ! -x $b/difftest || ! -f $b/harness-qemu.elf || ! -x $dir/flotilla ]]; then
    echo "run.sh: build first: scripts/build.sh Release $dir" >&2
    exit 2
fi
exec "$b/difftest" --qemu-elf "$b/harness-qemu.elf" --flotilla-elf "$b/harness-flotilla.elf" \
    --flotilla "$dir/flotilla" "$@"
