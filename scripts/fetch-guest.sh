#!/usr/bin/env bash
# Download the reference guest (Debian's arm64 kernel and busybox-static) by
# package name with apt for the foreign architecture, and unpack it into a
# cache outside the repository. Prints the cache directory.
#   FLOTILLA_CACHE (default ~/.cache/flotilla)
set -euo pipefail
cache=${FLOTILLA_CACHE:-$HOME/.cache/flotilla}
mkdir -p "$cache/apt/lists/partial" "$cache/apt/cache/archives/partial" "$cache/debs" "$cache/root"
apt_opts=(-q -oAPT::Architecture=arm64 -oAPT::Architectures::=arm64
          -oDir::State::Lists="$cache/apt/lists" -oDir::Cache="$cache/apt/cache"
          -oDir::State::Status=/dev/null -oDebug::NoLocking=1)
if [[ ! -f "$cache/guest.stamp" ]]; then
    apt-get "${apt_opts[@]}" update >&2
    # linux-image-arm64 is a metapackage: its first dependency names the kernel.
    kpkg=$(apt-cache "${apt_opts[@]}" depends linux-image-arm64 | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
    [[ -n "$kpkg" ]] || { echo "fetch-guest: cannot resolve linux-image-arm64" >&2; exit 1; }
    (cd "$cache/debs" && apt-get "${apt_opts[@]}" download "$kpkg" busybox-static >&2)
    for d in "$cache"/debs/*.deb; do dpkg -x "$d" "$cache/root"; done
    echo "$kpkg" > "$cache/guest.stamp"
fi
kernel=$(ls "$cache"/root/boot/vmlinuz-* | head -1)
ln -sf "$kernel" "$cache/Image.gz"
ln -sf "$cache/root/bin/busybox" "$cache/busybox"
echo "$cache"
