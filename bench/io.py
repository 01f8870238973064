#!/usr/bin/env python3
"""Disk and network throughput, flotilla next to qemu-system-aarch64 (TCG),
on the same kernel, the rootfs of scripts/make-rootfs.sh and the same
virtio-mmio devices (bench/io.sh is the entry point).

In the guest (one boot per simulator and repetition, interleaved):
  disk  bench/guest/ioload.c on a raw 256 MiB scratch disk (/dev/vdb),
        O_DIRECT: sequential write and read of 1 MiB blocks, 4 KiB random
        reads and writes (writes end with fdatasync, timed);
  net   guest to host: busybox `dd if=/dev/zero bs=64k | nc 10.0.2.2 PORT`
        through user-mode networking; the host's listener times from the
        first to the last byte.
Prints a markdown table of medians with min-max over the repetitions and
writes it (and results.json) to --out.
"""
import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MiB = 1 << 20


def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kw).stdout


class Sink:
    """A TCP listener on the host that times one connection's bytes."""

    def __init__(self):
        self.s = socket.socket()
        self.s.bind(("127.0.0.1", 0))
        self.s.listen(1)
        self.port = self.s.getsockname()[1]
        self.result = None
        threading.Thread(target=self.run, daemon=True).start()

    def run(self):
        c, _ = self.s.accept()
        n, t0 = 0, None
        while True:
            b = c.recv(1 << 20)
            if not b:
                break
            if t0 is None:
                t0 = time.monotonic()
            n += len(b)
        t1 = time.monotonic()
        c.close()
        self.result = (n, t1 - (t0 or t1))


def boot(a, sim, img, scratch, script, log):
    sh(["debugfs", "-w", "-R", "rm /ftest.sh", img])
    with open(os.path.join(a.tmp, "ftest.sh"), "w") as f:
        f.write(script)
    sh(["debugfs", "-w", "-R", "write %s /ftest.sh" % os.path.join(a.tmp, "ftest.sh"), img])
    kernel = os.path.join(a.cache, "Image.gz")
    initrd = os.path.join(a.rootfs, "initramfs-disk.cpio.gz")
    append = "console=ttyAMA0 root=/dev/vda quiet"
    # The scratch disk first, the root last: the last virtio disk is /dev/vda on both.
    if sim == "flotilla":
        cmd = [a.flotilla, "-m", "512M", "-smp", "2", "-kernel", kernel, "-initrd", initrd, "-append", append,
               "-drive", "file=%s,if=virtio,format=raw" % scratch, "-drive", "file=%s,if=virtio,format=raw" % img,
               "-nic", "user"]
    else:
        cmd = ["qemu-system-aarch64", "-M", "virt", "-cpu", "cortex-a57", "-accel", "tcg,thread=multi", "-m", "512M",
               "-smp", "2", "-nographic", "-kernel", kernel, "-initrd", initrd, "-append", append,
               "-drive", "if=none,id=d1,format=raw,file=" + scratch, "-device", "virtio-blk-device,drive=d1",
               "-drive", "if=none,id=d0,format=raw,file=" + img, "-device", "virtio-blk-device,drive=d0",
               "-netdev", "user,id=n0", "-device", "virtio-net-device,netdev=n0"]
    r = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=600)
    out = r.stdout.decode("utf-8", "replace").replace("\r", "")
    with open(log, "a") as f:
        f.write("==== %s\n%s\n" % (" ".join(cmd), out))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--flotilla", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--ioload", required=True)
    ap.add_argument("--smoke", action="store_true")
    a = ap.parse_args()
    a.rootfs = sh([os.path.join(ROOT, "scripts/make-rootfs.sh")]).strip().splitlines()[-1]
    a.cache = os.path.dirname(a.rootfs)
    os.makedirs(a.out, exist_ok=True)
    a.tmp = tempfile.mkdtemp(prefix="flotilla-io-")
    log = os.path.join(a.out, "io-console.log")
    seq_mib, rand_n, net_mib = (16, 500, 8) if a.smoke else (128, 4000, 64)
    rows = {}
    try:
        for rep in range(a.reps):
            for sim in ("flotilla", "qemu"):
                img = os.path.join(a.tmp, "root.img")
                scratch = os.path.join(a.tmp, "scratch.img")
                subprocess.run(["cp", "--sparse=always", os.path.join(a.rootfs, "rootfs.img"), img], check=True)
                with open(scratch, "wb") as f:
                    f.truncate(256 * MiB)
                sh(["debugfs", "-w", "-R", "write %s /ioload" % a.ioload, img])
                sink = Sink()
                script = ("chmod +x /ioload\n"
                          "/ioload /dev/vdb seqwrite %d\n/ioload /dev/vdb seqread %d\n"
                          "/ioload /dev/vdb randread %d\n/ioload /dev/vdb randwrite %d\n"
                          "dd if=/dev/zero bs=65536 count=%d 2>/dev/null | nc 10.0.2.2 %d\n"
                          % (seq_mib, seq_mib, rand_n, rand_n, net_mib * 16, sink.port))
                out = boot(a, sim, img, scratch, script, log)
                for line in out.splitlines():
                    p = line.split()
                    if len(p) == 4 and p[0] == "IO":
                        rows.setdefault((p[1], p[3]), {}).setdefault(sim, []).append(float(p[2]))
                for _ in range(50):
                    if sink.result:
                        break
                    time.sleep(0.1)
                if sink.result and sink.result[0] == net_mib * MiB and sink.result[1] > 0:
                    rows.setdefault(("net guest->host", "MB/s"), {}).setdefault(sim, []).append(
                        sink.result[0] / 1e6 / sink.result[1])
                else:
                    print("bench io: %s rep %d: network result %s" % (sim, rep, sink.result), file=sys.stderr)
    finally:
        shutil.rmtree(a.tmp, ignore_errors=True)
    qv = sh(["qemu-system-aarch64", "--version"]).splitlines()[0]
    lines = ["| test | unit | flotilla median (min-max) | QEMU median (min-max) | flotilla / QEMU |",
             "|---|---|---|---|---|"]
    res = {}
    for (name, unit), by in rows.items():
        def fmt(xs):
            return "%.1f (%.1f-%.1f)" % (statistics.median(xs), min(xs), max(xs)) if xs else "-"
        f, q = by.get("flotilla", []), by.get("qemu", [])
        ratio = "%.2f" % (statistics.median(f) / statistics.median(q)) if f and q else "-"
        lines.append("| %s | %s | %s | %s | %s |" % (name, unit, fmt(f), fmt(q), ratio))
        res["%s (%s)" % (name, unit)] = by
    text = ("Disk (raw virtio disk, O_DIRECT; seq %d MiB, random %d x 4 KiB) and network (%d MiB guest to "
            "host over user-mode networking), -smp 2 -m 512M, %d repetition(s), interleaved; higher is "
            "better. %s.\n\n" % (seq_mib, rand_n, net_mib, a.reps, qv)) + "\n".join(lines) + "\n"
    with open(os.path.join(a.out, "io.md"), "w") as f:
        f.write(text)
    with open(os.path.join(a.out, "io.json"), "w") as f:
        json.dump({"qemu_version": qv, "reps": a.reps, "results": res}, f, indent=1)
    print(text)


if __name__ == "__main__":
    main()
