#!/bin/sh
# usage: QDIR=dir run_q.sh file.S: assemble a copy of file.S (so that
# dir/harness.inc, the qemu harness, is the one included) and run it under
# qemu-aarch64-static; prints PASS or FAIL x27=<line or pc>.
q=${QDIR:-/tmp/vldst_q}; n=$(basename "$1" .S)
cp "$1" "$q/$n.S" || exit 3
aarch64-linux-gnu-gcc -nostdlib -static -ffreestanding -march=armv8-a+crypto -O2 -g \
    -T "$(dirname "$0")/../link.ld" -o "$q/$n.elf" "$q/$n.S" 2>/dev/null || exit 3
timeout 20 qemu-aarch64-static "$q/$n.elf"; echo "qemu rc=$?"
