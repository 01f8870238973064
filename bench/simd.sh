#!/usr/bin/env bash
# Advanced SIMD and crypto speed on bare metal (bench/guest/simdbench.c):
# -O3 vectorised image kernels (interleaved RGB to grey, a vertical blur, an
# alpha blend, a sum of absolute differences; ns per output byte) and
# AES-128 / SHA-256 on the crypto extension (ns per 16-byte / 64-byte
# block), flotilla next to qemu-system-aarch64, outputs checked (hashes of
# the results and FPSR equal everywhere; AES and SHA-256 known answers in
# the guest). bench/fp.sh does the work.
# Usage: bench/simd.sh [REPS] [BUILD_DIR] [SCALE] [BASE]
exec "$(dirname "$0")/fp.sh" "${1:-3}" "${2:-build}" "${3:-1}" "${4:-}" simd
