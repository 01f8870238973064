#!/usr/bin/env bash
# Single Advanced SIMD op classes on bare metal (bench/guest/simdops.c: loops
# of SQDMLAL, SQDMULH .4S, SRSHL, UQSHL, SQRSHRN, PMULL .8B, scalar SQADD,
# SQABS; ns per instruction), flotilla next to qemu-system-aarch64, V0 and
# FPSR hashes checked equal everywhere. bench/fp.sh does the work.
# Usage: bench/simdops.sh [REPS] [BUILD_DIR] [SCALE] [BASE]
exec "$(dirname "$0")/fp.sh" "${1:-3}" "${2:-build}" "${3:-1}" "${4:-}" ops
