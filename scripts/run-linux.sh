#!/usr/bin/env bash
# Install what is missing, build, fetch the Debian arm64 kernel and
# busybox-static (cached outside the repository), make an initramfs with a
# busybox shell, and boot it on the default machine.
# Extra arguments are passed to flotilla (e.g. -smp 2).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh Release build
cache=$(scripts/fetch-guest.sh)
initrd=$(scripts/make-initramfs.sh "$cache" shell)
echo "run-linux: booting (30-60 s to the shell prompt); C-a x quits, C-a h for help" >&2
exec build/flotilla -M virt -cpu cortex-a57 -m 1G -kernel "$cache/Image.gz" -initrd "$initrd" \
    -append "console=ttyAMA0 rdinit=/init" "$@"
