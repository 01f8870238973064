#!/bin/sh
# -drive, -nic, -netdev, -device and -chardev mistakes (docs/virtio.md): each
# must end at start with one line on stderr naming the problem and status 1,
# never a crash or a hang. Then one good pair of -drives runs the program to
# its end (status 0).
# Usage: virtio_options.sh FLOTILLA ELF (a semihosting program that exits 0)
set -u
F=$1
ELF=$2
T=$(mktemp -d /tmp/flotilla-vopts-XXXXXX)
trap 'rm -rf "$T"' EXIT
. "$(dirname "$0")/expect.sh"

# expect_error with the program and the options under test.
expect_vopt() { # NAME PATTERN OPTIONS...
    name=$1 pat=$2
    shift 2
    expect_error "$name" "$pat" "$F" -semihosting -kernel "$ELF" "$@"
}

truncate -s 1M "$T/disk.img"
mkdir "$T/dir"
expect_vopt missing "cannot open '$T/nope.img'" -drive "file=$T/nope.img,if=virtio,format=raw"
expect_vopt directory "Is a directory" -drive "file=$T/dir,format=raw"
expect_vopt no_file "file=IMAGE is required" -drive "if=virtio,format=raw"
expect_vopt qcow2 "format=qcow2 not supported" -drive "file=$T/disk.img,format=qcow2"
expect_vopt if_scsi "if=scsi not supported" -drive "file=$T/disk.img,if=scsi"
expect_vopt bad_cache "cache=fast" -drive "file=$T/disk.img,cache=fast"
expect_vopt bad_readonly "readonly=maybe" -drive "file=$T/disk.img,readonly=maybe"
expect_vopt unknown "unknown suboption 'bogus'" -drive "file=$T/disk.img,bogus=1"
expect_vopt long_serial "serial is at most 20" -drive "file=$T/disk.img,serial=123456789012345678901"
expect_vopt twice "in use" -drive "file=$T/disk.img" -drive "file=$T/disk.img"
expect_vopt no_arg "needs an argument" -drive
# Network and device options.
expect_vopt bad_hostfwd "hostfwd=tcp:8080:80" -nic "user,hostfwd=tcp:8080:80"
expect_vopt nic_model "model=e1000 not supported" -nic "user,model=e1000"
expect_vopt nic_tap "only user-mode networking" -nic tap
expect_vopt no_netdev "no -netdev with id=n1" -device virtio-net-device,netdev=n1
expect_vopt bad_mac "mac=01:00:00:00:00:01" -nic "user,mac=01:00:00:00:00:01"
expect_vopt unknown_device "unknown device" -device e1000
expect_vopt no_chardev "no -chardev with id=c9" -device virtconsole,chardev=c9
expect_vopt chardev_socket "backend not supported" -device virtconsole,chardev=c0 -chardev socket,id=c0,path=/tmp/x
# Another process holds the image's lock.
# (its own file: the lock outlives flock(1) in its child)
truncate -s 1M "$T/locked.img"
flock -x "$T/locked.img" sleep 3 </dev/null >/dev/null 2>&1 &
sleep 0.3
expect_vopt locked "is in use" -drive "file=$T/locked.img,if=virtio,format=raw"
# A good drive (and a read-only one on the same file: shared locks) runs.
if timeout 60 "$F" -semihosting -kernel "$ELF" -drive "file=$T/disk.img,readonly=on" \
    -drive "file=$T/disk.img,readonly=on,cache=unsafe" >"$T/out" 2>"$T/err" </dev/null; then
    pass=$((pass + 1))
else
    echo "FAIL good drive: status $?" >&2
    head -5 "$T/err" >&2
    fails=$((fails + 1))
fi
wait
echo "virtio_options: $pass passed, $fails failed"
[ "$fails" -eq 0 ]
