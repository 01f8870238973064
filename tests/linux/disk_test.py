#!/usr/bin/env python3
"""Driver of the linux.disk_* and linux.virtio_* ctests: Debian's arm64
kernel booting the root filesystem of scripts/make-rootfs.sh from a
virtio-blk disk (docs/virtio.md).

    disk_test.py [common options] persist SMP     64 MiB of files survive a power-off; fsck clean
    disk_test.py [common options] sigkill         a SIGKILL right after sync loses nothing
    disk_test.py [common options] readonly        a readonly=on drive refuses writes
    disk_test.py [common options] rng-console     /dev/hwrng and hvc0 (both directions)
    disk_test.py [common options] net             -nic user: DHCP, download from the host, hostfwd
    disk_test.py [common options] net-netdev      the same with -netdev user + -device virtio-net-device
    disk_test.py [common options] det SMP         -det with a disk, virtio-rng and hvc0: identical runs

Each boot gets a fresh copy of the cached image; the test's commands are
written into it as /ftest.sh with debugfs (the rootfs init runs that, makes
the root read-only and powers off). Data comes in on a second, read-only
drive of random bytes whose hashes the host computes; everything checked is
recomputed here, never taken from flotilla's output. Exit 0 = pass.
"""
import argparse
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MiB = 1 << 20


def fail(msg):
    print("FAIL: " + msg, flush=True)
    sys.exit(1)


class Disk:
    def __init__(self, args):
        self.args = args
        out = subprocess.run([os.path.join(ROOT, "scripts/make-rootfs.sh")], stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, text=True)
        if out.returncode != 0:
            fail("scripts/make-rootfs.sh failed")
        self.rootfs = out.stdout.strip().splitlines()[-1]
        self.cache = os.path.dirname(self.rootfs)
        self.tmp = tempfile.mkdtemp(prefix="flotilla-disk-", dir=args.workdir)
        self.img = os.path.join(self.tmp, "root.img")
        subprocess.run(["cp", "--sparse=always", os.path.join(self.rootfs, "rootfs.img"), self.img], check=True)
        self.nboot = 0

    def cleanup(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def data_drive(self, size):
        """A file of random bytes; returns (path, bytes)."""
        data = os.urandom(size)
        path = os.path.join(self.tmp, "data-%d.img" % size)
        with open(path, "wb") as f:
            f.write(data)
        return path, data

    def put_script(self, script):
        path = os.path.join(self.tmp, "ftest.sh")
        with open(path, "w") as f:
            f.write(script)
        subprocess.run(["debugfs", "-w", "-R", "rm /ftest.sh", self.img], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        r = subprocess.run(["debugfs", "-w", "-R", "write %s /ftest.sh" % path, self.img],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if r.returncode != 0:
            fail("debugfs write: " + r.stdout)

    def cmd(self, smp, drives_before=(), extra=()):
        """The root drive is the last -drive: Linux probes the transports in
        ascending address order and QEMU's numbering gives the last drive the
        lowest slot, so it is /dev/vda."""
        c = [self.args.flotilla, "-smp", str(smp), "-m", self.args.mem,
             "-kernel", os.path.join(self.cache, "Image.gz"),
             "-initrd", os.path.join(self.rootfs, "initramfs-disk.cpio.gz"),
             "-append", "console=ttyAMA0 root=/dev/vda quiet"]
        for d in drives_before:
            c += ["-drive", d]
        c += ["-drive", "file=%s,if=virtio,format=raw" % self.img, *extra]
        return c

    def boot(self, script, smp=1, drives_before=(), extra=(), kill_on=None):
        """Run one boot with `script` as /ftest.sh (None: the one the image
        holds); returns the console text. kill_on: SIGKILL flotilla as soon
        as this line appears."""
        if script is not None:
            self.put_script(script)
        self.nboot += 1
        log = os.path.join(self.args.workdir, "disk-%s-%d.log" % (self.args.name, self.nboot))
        p = subprocess.Popen(self.cmd(smp, drives_before, extra), stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        text = b""
        deadline = time.monotonic() + self.args.timeout
        os.set_blocking(p.stdout.fileno(), False)
        killed = False
        while True:
            if time.monotonic() > deadline:
                p.kill()
                p.wait()
                open(log, "wb").write(text)
                fail("boot %d timed out; log in %s" % (self.nboot, log))
            try:
                chunk = p.stdout.read()
            except BlockingIOError:
                chunk = None
            if chunk:
                text += chunk
                if kill_on and not killed and kill_on.encode() in text:
                    p.send_signal(signal.SIGKILL)
                    killed = True
            elif chunk == b"" or p.poll() is not None:
                rest = p.stdout.read() if p.poll() is not None else None
                if rest:
                    text += rest
                if p.poll() is not None:
                    break
            else:
                time.sleep(0.02)
        open(log, "wb").write(text)
        s = text.decode("utf-8", "replace").replace("\r", "")
        if kill_on:
            if not killed:
                fail("boot %d: '%s' never appeared; log in %s" % (self.nboot, kill_on, log))
        elif p.returncode != 0 or "flotilla: root remounted read-only" not in s:
            fail("boot %d: status %d, no clean end; log in %s" % (self.nboot, p.returncode, log))
        return s

    def host_fsck(self):
        r = subprocess.run(["e2fsck", "-fn", self.img], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True)
        if r.returncode != 0:
            fail("host e2fsck -fn of the image: status %d\n%s" % (r.returncode, r.stdout))


def lines_with(text, prefix):
    return [l[len(prefix):].strip() for l in text.splitlines() if l.startswith(prefix)]


def check_hashes(text, chunks, what):
    got = dict(l.split()[::-1] for l in lines_with(text, "HASH "))
    for i, h in enumerate(chunks):
        name = "/data/f%d" % i
        if got.get(name) != h:
            fail("%s: %s has sha256 %s, expected %s" % (what, name, got.get(name), h))


CHUNK = 4 * MiB


def copy_script(nchunks):
    """Copy the data drive (/dev/vdb) into files of 4 MiB, sync."""
    return ("mkdir -p /data\n"
            "i=0; while [ $i -lt %d ]; do\n"
            "  dd if=/dev/vdb of=/data/f$i bs=1M skip=$((i * 4)) count=4 2>/dev/null || echo COPYFAIL $i\n"
            "  i=$((i + 1)); done\n"
            "sync\n" % nchunks)


HASH_SCRIPT = ("for f in /data/f*; do echo \"HASH $(sha256sum $f)\"; done\n"
               "mount -o remount,ro / && e2fsck -fn /dev/vda >/run/fsck.log 2>&1; echo \"FSCK $?\"\n"
               "cat /run/fsck.log 2>/dev/null | tail -3\n")


def persist(args, d):
    """Boot 1 writes 64 MiB of files and powers off; boot 2 reads them back
    and checks the file system, as does the host afterwards."""
    n = 64 * MiB // CHUNK
    path, data = d.data_drive(64 * MiB)
    chunks = [hashlib.sha256(data[i * CHUNK:(i + 1) * CHUNK]).hexdigest() for i in range(n)]
    src = "file=%s,if=virtio,format=raw,readonly=on" % path
    t1 = d.boot(copy_script(n) + "echo WROTE\n", smp=args.smp, drives_before=[src])
    if "COPYFAIL" in t1 or "WROTE" not in t1:
        fail("boot 1 could not write the files")
    d.host_fsck()
    t2 = d.boot(HASH_SCRIPT.replace("mount -o remount,ro / && ", "sync; mount -o remount,ro / && "),
                smp=args.smp)
    check_hashes(t2, chunks, "after power-off")
    if lines_with(t2, "FSCK") != ["0"]:
        fail("guest e2fsck -fn: %s" % lines_with(t2, "FSCK"))
    d.host_fsck()
    print("PASS persist: %d files (%d MiB) intact after power-off at -smp %d; fsck -n clean in the guest and "
          "on the host" % (n, n * CHUNK // MiB, args.smp))


def sigkill(args, d):
    """flotilla is killed the moment the guest's sync returned; the next boot
    (journal replay) must have every synced byte. Boot 1 puts boot 2's
    script in place itself, before its sync: the image is left with a
    journal to replay, and debugfs, which does not replay it, would write
    the script into blocks that the guest's replay then puts back (boot 2
    ran boot 1's script again now and then)."""
    n = 16 * MiB // CHUNK
    path, data = d.data_drive(16 * MiB)
    chunks = [hashlib.sha256(data[i * CHUNK:(i + 1) * CHUNK]).hexdigest() for i in range(n)]
    src = "file=%s,if=virtio,format=raw,readonly=on" % path
    next_script = "cat > /ftest.next <<'FTEST_EOF'\n" + HASH_SCRIPT + "FTEST_EOF\nmv /ftest.next /ftest.sh\n"
    d.boot(next_script + copy_script(n) + "echo SYNC-RETURNED\nsleep 600\n", smp=args.smp, drives_before=[src],
           kill_on="SYNC-RETURNED")
    t2 = d.boot(None, smp=args.smp)
    check_hashes(t2, chunks, "after SIGKILL")
    if lines_with(t2, "FSCK") != ["0"]:
        fail("guest e2fsck -fn after the replay: %s" % lines_with(t2, "FSCK"))
    d.host_fsck()
    print("PASS sigkill: %d files written and synced, flotilla SIGKILLed, all intact on the next boot" % n)


def readonly(args, d):
    path, data = d.data_drive(1 * MiB)
    before = hashlib.sha256(data).hexdigest()
    script = ("echo \"RO $(cat /sys/block/vdb/ro)\"\n"
              "dd if=/dev/zero of=/dev/vdb bs=4096 count=1 oflag=direct 2>/dev/null; echo \"W1 $?\"\n"
              "blockdev --setrw /dev/vdb; echo \"SETRW $?\"\n"
              "dd if=/dev/zero of=/dev/vdb bs=4096 count=1 oflag=direct 2>/tmp/dd.err; echo \"W2 $?\"\n"
              "sed 's/^/DDERR /' /tmp/dd.err\n"
              "echo \"READ $(dd if=/dev/vdb bs=1M 2>/dev/null | sha256sum)\"\n")
    t = d.boot(script, drives_before=["file=%s,if=virtio,format=raw,readonly=on" % path])
    # Linux keeps the disk read-only (VIRTIO_BLK_F_RO) even after
    # blockdev --setrw, so both writes fail in the guest; the device's own
    # IOERR answer to a write is checked by guest.virtio_fuzz.
    want = {"RO": ["1"], "W1": ["1"], "SETRW": ["0"], "W2": ["1"]}
    for k, v in want.items():
        if lines_with(t, k + " ") != v:
            fail("readonly: %s is %s, expected %s" % (k, lines_with(t, k + " "), v))
    if lines_with(t, "READ ") != [before + "  -"]:
        fail("readonly: the guest reads %s, expected %s" % (lines_with(t, "READ "), before))
    if hashlib.sha256(open(path, "rb").read()).hexdigest() != before:
        fail("readonly: the image file changed")
    print("PASS readonly: marked read-only, writes refused (%s), the image is unchanged" % lines_with(t, "DDERR "))


def rng_console(args, d):
    lines_in = ["input line %d %s" % (i, os.urandom(6).hex()) for i in range(3)]
    inp = os.path.join(d.tmp, "hvc-in.txt")
    out = os.path.join(d.tmp, "hvc-out.txt")
    with open(inp, "w") as f:
        f.write("\n".join(lines_in) + "\n")
    script = ("echo \"RNG $(cat /sys/class/misc/hw_random/rng_current)\"\n"
              "a=$(dd if=/dev/hwrng bs=1024 count=4 2>/dev/null | sha256sum); "
              "b=$(dd if=/dev/hwrng bs=1024 count=4 2>/dev/null | sha256sum)\n"
              "echo \"RNGBYTES $(dd if=/dev/hwrng bs=1024 count=4 2>/dev/null | wc -c)\"\n"
              "[ \"$a\" != \"$b\" ] && echo RNGDIFF\n"
              "exec 3<>/dev/hvc0\n"
              "stty -F /dev/hvc0 raw -echo\n"
              "echo \"hello from hvc0\" >&3\n"
              "head -n 3 <&3 | while read l; do echo \"GOT $l\"; echo \"echo: $l\" >&3; done\n"
              "exec 3>&-\n")
    t = d.boot(script, extra=["-device", "virtio-rng-device", "-device", "virtio-serial-device",
                              "-device", "virtconsole,chardev=c0",
                              "-chardev", "file,id=c0,path=%s,input-path=%s" % (out, inp)])
    if lines_with(t, "RNG ") != ["virtio_rng.0"] or lines_with(t, "RNGBYTES ") != ["4096"] or "RNGDIFF" not in t:
        fail("rng: %s %s" % (lines_with(t, "RNG "), lines_with(t, "RNGBYTES ")))
    if lines_with(t, "GOT ") != lines_in:
        fail("console input: the guest read %s" % lines_with(t, "GOT "))
    want = "hello from hvc0\n" + "".join("echo: %s\n" % l for l in lines_in)
    got = open(out).read().replace("\r", "")
    if got != want:
        fail("console output: %r, expected %r" % (got, want))
    print("PASS rng-console: /dev/hwrng is virtio_rng.0 and gives fresh bytes; hvc0 carried 1 line out, "
          "3 in, 3 back")


def free_port():
    import socket
    with socket.socket() as so:
        so.bind(("127.0.0.1", 0))
        return so.getsockname()[1]


def net(args, d):
    """-nic user: DHCP; the guest downloads a file from an HTTP server on the
    host (10.0.2.2) and its hash matches; the host reaches the guest's
    busybox httpd through hostfwd; the guest then asks the host's server
    whether that worked."""
    import http.server
    import threading
    import urllib.request
    blob = os.urandom(4 * MiB + 1234)
    state = {"done": b"no"}

    class H(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = blob if self.path == "/blob" else state["done"] if self.path == "/done" else None
            if body is None:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *a):
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
    hport = srv.server_address[1]
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    fport = free_port()
    page = "guest page %s" % os.urandom(8).hex()
    script = ("echo \"ADDR $(ip -4 addr show eth0 | grep -o 'inet [0-9./]*')\"\n"
              "echo \"ROUTE $(ip route | grep default)\"\n"
              "wget -q -O /tmp/blob http://10.0.2.2:%d/blob; echo \"WGET $?\"\n"
              "echo \"BLOB $(sha256sum /tmp/blob)\"\n"
              "echo '%s' > /var/www/index.html\n"
              "httpd -p 8080 -h /var/www; echo HTTPD-UP\n"
              "i=0; while [ $i -lt 300 ]; do\n"
              "  [ \"$(wget -q -O - http://10.0.2.2:%d/done)\" = yes ] && break\n"
              "  sleep 0.1; i=$((i + 1)); done\n"
              "echo \"DONE $i\"\n" % (hport, page, hport))
    result = {}

    def fetch():
        deadline = time.monotonic() + args.timeout
        while time.monotonic() < deadline and "page" not in result:
            try:
                result["page"] = urllib.request.urlopen("http://127.0.0.1:%d/index.html" % fport,
                                                        timeout=5).read().decode().strip()
                state["done"] = b"yes"
            except OSError:
                time.sleep(0.3)

    th = threading.Thread(target=fetch, daemon=True)
    th.start()
    try:
        if args.test == "net-netdev":
            extra = ["-netdev", "user,id=n0,hostfwd=tcp::%d-:8080" % fport, "-device", "virtio-net-device,netdev=n0"]
        else:
            extra = ["-nic", "user,hostfwd=tcp::%d-:8080" % fport]
        t = d.boot(script, extra=extra)
    finally:
        srv.shutdown()
    if lines_with(t, "ADDR ") != ["inet 10.0.2.15/24"] or not lines_with(t, "ROUTE ")[0].startswith("default via 10.0.2.2"):
        fail("net: DHCP gave %s %s" % (lines_with(t, "ADDR "), lines_with(t, "ROUTE ")))
    if lines_with(t, "WGET ") != ["0"] or lines_with(t, "BLOB ") != [hashlib.sha256(blob).hexdigest() + "  /tmp/blob"]:
        fail("net: download from the host: %s %s" % (lines_with(t, "WGET "), lines_with(t, "BLOB ")))
    if result.get("page") != page:
        fail("net: the host read %r through hostfwd, expected %r" % (result.get("page"), page))
    if lines_with(t, "DONE ") == ["300"]:
        fail("net: the guest never saw the host's confirmation")
    print("PASS net: DHCP 10.0.2.15, a %d-byte download from the host intact, the guest's httpd reached "
          "through hostfwd" % len(blob))


def det(args, d):
    """-det with virtio devices (docs/virtio.md "Under -det"): the same seed
    twice, each from a fresh copy of the image, with a data drive, a file
    written and read back, /dev/hwrng and hvc0 (input from a file once the
    guest has written to it, as in rng-console): the same
    console, per-core instruction counts and hvc0 output; the data hashes
    are the host's; another seed gives other random bytes."""
    data, blob = d.data_drive(4 * MiB)
    inp = os.path.join(d.tmp, "hvc-in.txt")
    with open(inp, "w") as f:
        f.write("det line 1\ndet line 2\n")
    script = ("echo \"DATA $(dd if=/dev/vdb bs=1M count=4 2>/dev/null | sha256sum | cut -d' ' -f1)\"\n"
              "dd if=/dev/hwrng of=/rnd bs=1024 count=64 2>/dev/null; sync\n"
              "echo \"RND $(sha256sum /rnd | cut -d' ' -f1)\"\n"
              "echo \"RND2 $(dd if=/dev/hwrng bs=1024 count=4 2>/dev/null | sha256sum | cut -d' ' -f1)\"\n"
              "echo 3 > /proc/sys/vm/drop_caches\n"
              "echo \"READBACK $(sha256sum /rnd | cut -d' ' -f1)\"\n"
              "exec 3<>/dev/hvc0\n"
              "stty -F /dev/hvc0 raw -echo\n"
              "echo \"hello from hvc0\" >&3\n"
              "head -n 2 <&3 | while read l; do echo \"GOT $l\"; echo \"echo: $l\" >&3; done\n"
              "exec 3>&-\n"
              "echo \"UPTIME $(cut -d' ' -f1 /proc/uptime)\"\n")
    runs = []
    for seed in (5, 5, 6):
        subprocess.run(["cp", "--sparse=always", os.path.join(d.rootfs, "rootfs.img"), d.img], check=True)
        out = os.path.join(d.tmp, "hvc-out-%d.txt" % len(runs))
        st = os.path.join(d.tmp, "stats-%d.json" % len(runs))
        t = d.boot(script, smp=args.smp, drives_before=["file=%s,if=virtio,format=raw,readonly=on" % data],
                   extra=["-det", "seed=%d" % seed, "-stats", st, "-device", "virtio-rng-device",
                          "-device", "virtio-serial-device", "-device", "virtconsole,chardev=c0",
                          "-chardev", "file,id=c0,path=%s,input-path=%s" % (out, inp)])
        with open(st) as f:
            insns = [c["insns"] for c in json.load(f)["cpus"]]
        runs.append((t, insns, open(out).read()))
        print("seed %d: %s %s per-core insns %s" % (seed, lines_with(t, "RND "), lines_with(t, "UPTIME "), insns))
    t = runs[0][0]
    if lines_with(t, "DATA ") != [hashlib.sha256(blob).hexdigest()]:
        fail("det: the data drive read back wrong: %s" % lines_with(t, "DATA "))
    if lines_with(t, "RND ") != lines_with(t, "READBACK ") or not lines_with(t, "RND "):
        fail("det: the written file read back differently: %s %s" % (lines_with(t, "RND "), lines_with(t, "READBACK ")))
    if lines_with(t, "RND ") == lines_with(t, "RND2 "):
        fail("det: /dev/hwrng gave the same bytes twice")
    if lines_with(t, "GOT ") != ["det line 1", "det line 2"]:
        fail("det: hvc0 input: %s" % lines_with(t, "GOT "))
    if runs[0][2].replace("\r", "") != "hello from hvc0\necho: det line 1\necho: det line 2\n":
        fail("det: hvc0 output %r" % runs[0][2])
    if runs[1] != runs[0]:
        import difflib
        diff = list(difflib.unified_diff(runs[0][0].splitlines(), runs[1][0].splitlines(), lineterm=""))[:30]
        fail("det: the second run with the same seed differs (insns %s vs %s):\n%s" %
             (runs[0][1], runs[1][1], "\n".join(diff)))
    if lines_with(runs[2][0], "RND ") == lines_with(t, "RND "):
        fail("det: another seed gave the same random bytes")
    print("PASS det: a disk, virtio-rng and hvc0 under -det at -smp %d: the same seed twice identical "
          "(console, per-core counts, hvc0 output), another seed other random bytes" % args.smp)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--flotilla", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--timeout", type=float, default=300)
    ap.add_argument("--mem", default="512M")
    ap.add_argument("test", choices=["persist", "sigkill", "readonly", "rng-console", "net", "net-netdev", "det"])
    ap.add_argument("smp", nargs="?", type=int, default=1)
    args = ap.parse_args()
    args.name = args.test + ("-%d" % args.smp if args.smp > 1 else "")
    for tool in ("debugfs", "e2fsck", "mke2fs"):
        if not shutil.which(tool):
            fail("%s is missing (Debian package e2fsprogs)" % tool)
    d = Disk(args)
    try:
        {"persist": persist, "sigkill": sigkill, "readonly": readonly, "rng-console": rng_console, "net": net,
         "net-netdev": net, "det": det}[args.test](args, d)
    finally:
        d.cleanup()


if __name__ == "__main__":
    main()
