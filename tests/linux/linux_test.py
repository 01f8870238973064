#!/usr/bin/env python3
"""Driver of the linux.* ctests: boots Debian's arm64 kernel on flotilla
with a busybox initramfs and checks what the guest prints.

    linux_test.py [common options] prepare
    linux_test.py [common options] boot [--unimp]
    linux_test.py [common options] smp N
    linux_test.py [common options] shell [--ctrl-a]
    linux_test.py [common options] console-input
    linux_test.py [common options] pmu [--gic-version 2]

prepare fetches the guest (scripts/fetch-guest.sh, a no-op once cached)
and builds the two initramfs images into --workdir. The other commands
need them (ctest fixture linux.prepare). Expected values are computed here,
on the host, from the definition of the data, never from flotilla's output.
Exit status 0 = pass; the log of each boot is kept in --workdir.
"""
import argparse
import base64
import bz2
import gzip
import hashlib
import os
import pty
import random
import re
import select
import signal
import subprocess
import sys
import termios
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def fail(msg):
    print("FAIL: " + msg, flush=True)
    sys.exit(1)


def cache_dir():
    return os.environ.get("FLOTILLA_CACHE", os.path.expanduser("~/.cache/flotilla"))


def initrd_path(args, mode):
    return os.path.join(args.workdir, "initramfs-%s.cpio.gz" % mode)


def flotilla_cmd(args, smp, mode, append_extra, extra=()):
    kernel = os.path.join(cache_dir(), "Image.gz")
    for f in (kernel, initrd_path(args, mode)):
        if not os.path.exists(f):
            fail("%s is missing: run the linux.prepare test (or scripts/fetch-guest.sh) first" % f)
    return [args.flotilla, "-smp", str(smp), "-m", args.mem, "-kernel", kernel,
            "-initrd", initrd_path(args, mode), "-append", "console=ttyAMA0 " + append_extra,
            *extra]


def boot_times(text, wall):
    """One line giving the kernel's timestamp of "Run /init" and the wall time."""
    m = re.search(r"\[\s*([0-9.]+)\] Run /init", text)
    kt = m.group(1) + " s" if m else "not reached"
    up = dict(re.findall(r"^UPTIME (\w+) ([0-9.]+)", text, re.M))
    work = ""
    if "init" in up and "done" in up:
        work = ", init's workload: %.1f s" % (float(up["done"]) - float(up["init"]))
    return "boot-to-init (kernel log): %s%s, total wall time: %.1f s" % (kt, work, wall)


def run_batch(args, cmd, logname):
    """Runs flotilla with stdin from /dev/null; returns (status, output, wall)."""
    log = os.path.join(args.workdir, logname)
    print("running: " + " ".join(cmd), flush=True)
    t0 = time.monotonic()
    with open(log, "wb") as out:
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                             start_new_session=True)
        try:
            status = p.wait(timeout=args.timeout)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
            status = None
    wall = time.monotonic() - t0
    with open(log, "rb") as f:
        text = f.read().decode("utf-8", "replace")
    print(boot_times(text, wall), flush=True)
    if status is None:
        print("---- last lines of %s ----\n%s" % (log, "\n".join(text.splitlines()[-40:])))
        fail("timed out after %d s (log: %s)" % (args.timeout, log))
    return status, text, wall


# Kernel messages that mean the guest saw something wrong (a crypto self-test
# failing is an instruction computing a wrong result).
KERNEL_BAD_RE = re.compile(r"alg: .*fail|Kernel panic|Oops|BUG:|WARNING: CPU|Unable to handle kernel|"
                           r"Internal error|Call trace:|detected stalls|soft lockup|blocked for more than|"
                           r"Illegal instruction|Segmentation fault|undefined instruction", re.I)


def kernel_problems(text):
    bad = [l.rstrip("\r") for l in text.splitlines() if KERNEL_BAD_RE.search(l)]
    for l in bad[:20]:
        print("  console: " + l)
    return ["the console shows %d error line(s), first: %s" % (len(bad), bad[0])] if bad else []


def chk_lines(text):
    chk = {}
    for line in text.splitlines():
        line = line.rstrip("\r")
        if line.startswith("CHK "):
            parts = line.split(None, 2)
            chk[parts[1]] = parts[2].strip() if len(parts) > 2 else ""
    return chk


def b64_blocks(text):
    blocks, cur, name = {}, None, None
    for line in text.splitlines():
        line = line.rstrip("\r")
        if line.startswith("B64-BEGIN "):
            name, cur = line.split(None, 1)[1], []
        elif line == "B64-END" and cur is not None:
            blocks[name] = base64.b64decode("".join(cur))
            cur = None
        elif cur is not None:
            cur.append(line.strip())
    return blocks


# ---------- host side of the boot workload (see scripts/make-initramfs.sh) ----------

def expected_boot():
    seq = "".join("%d\n" % i for i in range(1, 5001)).encode()
    zz = b"Z" * (4096 * 64)
    x, vals = 12345, []
    for _ in range(3000):
        x = (x * 69069 + 1) % 4294967296
        vals.append(x)
    lcg = "".join("%d\n" % v for v in vals).encode()
    srt = "".join("%d\n" % v for v in sorted(vals)).encode()

    def sha(h, data):
        return h(data).hexdigest() + "  -"

    s = 0
    for i in range(2000):
        s += i * i % 7919
    gz9 = subprocess.run(["gzip", "-9", "-c"], input=lcg, stdout=subprocess.PIPE, check=True).stdout
    exp = {
        "uname": "aarch64",
        "seq.sha256": sha(hashlib.sha256, seq),
        "seq.md5": sha(hashlib.md5, seq),
        "seq.wc": "%d %d" % (seq.count(b"\n"), len(seq)),
        "zz.sha256": sha(hashlib.sha256, zz),
        "zz.sha1": sha(hashlib.sha1, zz),
        "lcg.sha256": sha(hashlib.sha256, lcg),
        "lcg.sha512": sha(hashlib.sha512, lcg),
        "lcg.md5": sha(hashlib.md5, lcg),
        "lcg.sorted.sha256": sha(hashlib.sha256, srt),
        "lcg.sum": str(sum(vals)),
        # Same deflate implementation lineage (gzip 1.2.4) in busybox and
        # the host's gzip: equal sizes at -9.
        "lcg.gzip9.size": str(len(gz9)),
        "lcg.gzip.roundtrip": sha(hashlib.sha256, lcg),
        "lcg.bzip2.roundtrip": sha(hashlib.sha256, lcg),
        "zz.gzip.roundtrip": sha(hashlib.sha256, zz),
        "shell.arith": str(s),
    }
    blobs = {
        "seq2000.gz": ("gzip", "".join("%d\n" % i for i in range(1, 2001)).encode()),
        "lcg.bz2": ("bzip2", "".join("%d\n" % v for v in vals[:1000]).encode()),
    }
    return exp, blobs


def compare(exp, got):
    bad = []
    for k, v in exp.items():
        g = got.get(k)
        ok = g is not None and " ".join(g.split()) == " ".join(v.split())
        print("  %-22s %s  guest=%s%s" % (k, "ok  " if ok else "FAIL", g, "" if ok else "  host=" + v))
        if not ok:
            bad.append(k)
    return bad


# ---------- commands ----------

def cmd_prepare(args):
    os.makedirs(args.workdir, exist_ok=True)
    r = subprocess.run([os.path.join(ROOT, "scripts/fetch-guest.sh")], stdout=subprocess.PIPE)
    if r.returncode != 0:
        fail("scripts/fetch-guest.sh failed (status %d)" % r.returncode)
    cache = r.stdout.decode().strip().splitlines()[-1]
    extra = [f for f in (args.mt_check, args.pmu_check) if f]
    for mode in ("test", "shell"):
        subprocess.run([os.path.join(ROOT, "scripts/make-initramfs.sh"), cache, mode,
                        initrd_path(args, mode), *(extra if mode == "test" else [])], check=True)
    print("prepared %s and %s" % (initrd_path(args, "test"), initrd_path(args, "shell")))


# linux.boot runs the kernel's crypto self-tests (about 12 s of a 30 s boot,
# checked by kernel_problems); the other tests skip them.
NO_CRYPTO_TESTS = "cryptomgr.notests"

UNIMP_RE = re.compile(r"unimplemented|unallocated|unknown", re.I)


def cmd_boot(args):
    extra = []
    name = "boot"
    if args.unimp:
        name = "boot-unimp"
        unimp_log = os.path.join(args.workdir, "unimp.log")
        if os.path.exists(unimp_log):
            os.unlink(unimp_log)
        extra = ["-d", "unimp", "-D", unimp_log]
    status, text, _ = run_batch(args, flotilla_cmd(args, 1, "test", "ftest=boot", extra), name + ".log")
    problems = []
    if "Run /init" not in text:
        problems.append("the kernel never ran /init")
    if "FLOTILLA-BOOT-MARKER" not in text:
        problems.append("init's marker missing")
    if "FLOTILLA-TEST-DONE" not in text:
        problems.append("init did not finish its workload")
    problems += kernel_problems(text)
    exp, blobs = expected_boot()
    exp["cpus"] = "1"
    exp["nproc"] = "1"
    bad = compare(exp, chk_lines(text))
    if bad:
        problems.append("guest results differ from the host's: " + ", ".join(bad))
    got_blobs = b64_blocks(text)
    for bname, (kind, want) in blobs.items():
        try:
            data = got_blobs[bname]
            plain = gzip.decompress(data) if kind == "gzip" else bz2.decompress(data)
            ok = plain == want
        except Exception as e:  # missing block or corrupt stream
            ok, plain = False, repr(e)
        print("  %-22s %s  (guest-compressed %s, decompressed on the host)" % (bname, "ok  " if ok else "FAIL", kind))
        if not ok:
            problems.append("%s: the host could not recover the data from the guest's %s output" % (bname, kind))
    if args.unimp:
        lines = []
        if os.path.exists(unimp_log):
            with open(unimp_log, errors="replace") as f:
                lines = [l.rstrip() for l in f if UNIMP_RE.search(l)]
        lines += [l for l in text.splitlines() if "unimplemented" in l and l.startswith("cpu")]
        if lines:
            uniq = {}
            for l in lines:
                key = re.sub(r"^cpu\d+: ", "", l)
                uniq[key] = uniq.get(key, 0) + 1
            print("-d unimp reported %d lines, %d distinct:" % (len(lines), len(uniq)))
            for k, n in sorted(uniq.items()):
                print("  %5d x %s" % (n, k))
            problems.append("-d unimp reported unimplemented instructions or registers")
        else:
            print("-d unimp: nothing reported")
    if status != 0:
        problems.append("flotilla exited with status %s (expected 0)" % status)
    if problems:
        print("---- last lines of the console ----\n" + "\n".join(text.splitlines()[-25:]))
        fail("; ".join(problems))
    print("PASS")


def cmd_smp(args):
    n = args.n
    extra = ("-M", "virt,gic-version=%d" % args.gic_version) if args.gic_version else ()
    status, text, _ = run_batch(args, flotilla_cmd(args, n, "test", "ftest=smp " + NO_CRYPTO_TESTS, extra),
                                "smp%d%s.log" % (n, "-gicv%d" % args.gic_version if args.gic_version else ""))
    problems = kernel_problems(text)
    got = chk_lines(text)
    for line in text.splitlines():
        if line.startswith("mt_check") or line.startswith("MT_CHECK"):
            print("  guest: " + line.rstrip("\r"))
    bad = compare({"cpus": str(n), "nproc": str(n), "uname": "aarch64", "mt_check_status": "0"}, got)
    if bad:
        problems.append("wrong: " + ", ".join(bad))
    if "MT_CHECK PASS" not in text:
        problems.append("mt_check did not print MT_CHECK PASS")
    m = re.search(r"smp: Brought up \d+ nodes?, (\d+) CPUs?", text)
    print("kernel: " + (m.group(0) if m else "no 'smp: Brought up' line"))
    if status != 0:
        problems.append("flotilla exited with status %s (expected 0)" % status)
    if problems:
        print("---- last lines of the console ----\n" + "\n".join(text.splitlines()[-25:]))
        fail("; ".join(problems))
    print("PASS")


# pmu_check's loop lengths and its user-mode instructions per length: the
# loop (2n) and the 5 instructions up to and including the disabling SVC
# (see tests/linux/pmu_check.c). The last one passes 2^32 instructions.
PMU_LENGTHS = (1000, 1000000, (1 << 31) + 12345)
# The sampling event's period, and flotilla's bound on the overflow
# interrupt's skid: it is taken at the first block boundary after the wrap,
# and a block has at most 64 instructions (docs/pmu.md).
PMU_PERIOD = 100000
PMU_SKID = 64
# The store loop's fresh pages: one EL0 page fault per iteration (4n + 5).
PMU_FAULT_PAGES = 256


def cmd_pmu(args):
    """perf_event_open on the PMUv3 (cpu/pmu.c): exact user-mode counts."""
    extra = ("-M", "virt,gic-version=%d" % args.gic_version) if args.gic_version else ()
    status, text, _ = run_batch(args, flotilla_cmd(args, 1, "test", "ftest=pmu " + NO_CRYPTO_TESTS, extra),
                                "pmu%s.log" % ("-gicv%d" % args.gic_version if args.gic_version else ""))
    problems = kernel_problems(text)
    for line in text.splitlines():
        if "PMU" in line or "pmu" in line:
            print("  guest: " + line.rstrip("\r"))
    if not re.search(r"hw perfevents: enabled with armv8_pmuv3\S* PMU driver, 7 counters available", text):
        problems.append("the kernel did not report the PMUv3 (6 event counters + the cycle counter)")
    got = {int(n): (int(i), int(c)) for n, i, c in
           re.findall(r"^PMU_CHECK n=(\d+) instructions=(\d+) cycles=(\d+)", text, re.M)}
    if sorted(got) != sorted(PMU_LENGTHS):
        problems.append("pmu_check printed lengths %s, expected %s" % (sorted(got), list(PMU_LENGTHS)))
    for n, (insns, cycles) in sorted(got.items()):
        want = 2 * n + 5
        if insns != want:
            problems.append("n=%d: %d instructions counted, expected exactly %d" % (n, insns, want))
        if cycles != want:
            problems.append("n=%d: %d cycles counted, expected %d (1 cycle per instruction)" % (n, cycles, want))
    m = re.search(r"^PMU_FAULTS pages=(\d+) instructions=(\d+)", text, re.M)
    if not m:
        problems.append("pmu_check printed no PMU_FAULTS line")
    elif int(m.group(2)) != 4 * int(m.group(1)) + 5 or int(m.group(1)) != PMU_FAULT_PAGES:
        problems.append("a loop with a page fault per iteration: %s instructions for %s pages, expected %d"
                        % (m.group(2), m.group(1), 4 * PMU_FAULT_PAGES + 5))
    m = re.search(r"^PMU_IRQ period=(\d+) count=(\d+) loop=(\d+)", text, re.M)
    if not m:
        problems.append("pmu_check printed no PMU_IRQ line")
    else:
        period, count, loop = (int(g) for g in m.groups())
        if period != PMU_PERIOD or not PMU_PERIOD <= count < PMU_PERIOD + PMU_SKID or loop < 10 * PMU_PERIOD:
            problems.append("overflow interrupt: the sampling event counted %d of a %d-instruction loop, "
                            "expected %d..%d (stopped by its overflow interrupt)"
                            % (count, 2 * loop, PMU_PERIOD, PMU_PERIOD + PMU_SKID - 1))
    if "CHK pmu_check_status 0" not in text:
        problems.append("pmu_check did not exit with status 0")
    if status != 0:
        problems.append("flotilla exited with status %s (expected 0)" % status)
    if problems:
        print("---- last lines of the console ----\n" + "\n".join(text.splitlines()[-25:]))
        fail("; ".join(problems))
    print("PASS")


class PtyRun:
    """flotilla on the slave side of a pseudo-terminal; we are the 'user'."""

    def __init__(self, cmd, log):
        self.master, self.slave = pty.openpty()
        self.before = termios.tcgetattr(self.slave)
        self.buf = b""
        self.log = open(log, "wb")
        self.p = subprocess.Popen(cmd, stdin=self.slave, stdout=self.slave, stderr=self.slave,
                                  start_new_session=True)

    def pump(self, timeout):
        r, _, _ = select.select([self.master], [], [], timeout)
        if r:
            try:
                data = os.read(self.master, 65536)
            except OSError:  # EIO once no process holds the slave
                data = b""
            self.buf += data
            self.log.write(data)
            self.log.flush()
            return bool(data)
        return False

    def expect(self, pattern, timeout, start=0):
        """Waits until the output after offset start matches; returns the match."""
        rx = re.compile(pattern)
        deadline = time.monotonic() + timeout
        while True:
            m = rx.search(self.buf, start)
            if m:
                return m
            left = deadline - time.monotonic()
            if left <= 0 or (self.p.poll() is not None and not self.pump(0)):
                return None
            self.pump(min(left, 1.0))

    def send(self, data):
        for b in data:
            # One byte at a time, as typed: the guest's UART FIFO is small.
            os.write(self.master, bytes([b]))
            time.sleep(0.01)

    def send_all(self, data, timeout):
        """Writes data at once (as a paste or a pipe does), reading the
        output meanwhile so that neither side of the pty blocks. True if all
        of it was written within timeout."""
        deadline = time.monotonic() + timeout
        view = memoryview(data)
        while view and time.monotonic() < deadline:
            r, w, _ = select.select([self.master], [self.master], [], 1.0)
            if r:
                self.pump(0)
            if w:
                n = os.write(self.master, view[:4096])
                view = view[n:]
        return not view

    def wait_exit(self, timeout):
        deadline = time.monotonic() + timeout
        while self.p.poll() is None and time.monotonic() < deadline:
            self.pump(0.2)
        if self.p.poll() is None:
            os.killpg(self.p.pid, signal.SIGKILL)
            self.p.wait()
            return None
        while self.pump(0.1):
            pass
        return self.p.returncode

    def tail(self, n=25):
        return "\n".join(self.buf.decode("utf-8", "replace").splitlines()[-n:])


def cmd_shell(args):
    name = "shell-ctrl-a" if args.ctrl_a else "shell"
    cmd = flotilla_cmd(args, 1, "shell", NO_CRYPTO_TESTS)
    print("running on a pty: " + " ".join(cmd), flush=True)
    t0 = time.monotonic()
    r = PtyRun(cmd, os.path.join(args.workdir, name + ".log"))
    problems = []
    prompt = rb"/ # "
    try:
        m = r.expect(prompt, args.timeout)
        print(boot_times(r.buf.decode("utf-8", "replace"), time.monotonic() - t0) + " (to the prompt)")
        if not m:
            fail("no shell prompt within %d s\n---- last output ----\n%s" % (args.timeout, r.tail()))
        # While flotilla runs, the terminal must be raw (no echo, no line editing).
        during = termios.tcgetattr(r.slave)
        if during[3] & termios.ICANON or during[3] & termios.ECHO:
            problems.append("the terminal is not in raw mode while the guest runs")
        pos = m.end()
        r.send(b"echo $((6*7))\r")
        m = r.expect(rb"\r?\n42\r?\n", 60, pos)
        print("  echo $((6*7)) -> %s" % ("42" if m else "no 42"))
        if not m:
            problems.append("echo $((6*7)) did not print 42")
        else:
            pos = m.end()
        m = r.expect(prompt, 60, pos)
        pos = m.end() if m else pos
        r.send(b"uname -m\r")
        m = r.expect(rb"\r?\naarch64\r?\n", 60, pos)
        print("  uname -m -> %s" % ("aarch64" if m else "no aarch64"))
        if not m:
            problems.append("uname -m did not print aarch64")
        else:
            pos = m.end()
        r.expect(prompt, 60, pos)
        if args.ctrl_a:
            r.send(b"\x01x")
            how = "C-a x"
        else:
            r.send(b"poweroff -f\r")
            how = "poweroff -f"
        status = r.wait_exit(120)
        print("  %s -> exit status %s" % (how, status))
        if status is None:
            problems.append("flotilla did not exit after %s" % how)
        elif status != 0:
            problems.append("flotilla exited with status %d after %s (expected 0)" % (status, how))
        after = termios.tcgetattr(r.slave)
        if after != r.before:
            names = ["iflag", "oflag", "cflag", "lflag", "ispeed", "ospeed", "cc"]
            diff = [names[i] for i in range(7) if after[i] != r.before[i]]
            problems.append("terminal settings not restored (differ in: %s)" % ", ".join(diff))
        else:
            print("  terminal settings restored")
    finally:
        if r.p.poll() is None:
            os.killpg(r.p.pid, signal.SIGKILL)
            r.p.wait()
    if problems:
        print("---- last output ----\n" + r.tail())
        fail("; ".join(problems))
    print("PASS")


def cmd_console_input(args):
    """Input written at once, faster than the guest reads it, arrives whole:
    a 300-byte command line pasted into the shell, then 1 MiB through the
    guest's tty into md5sum (issue 11 item 3: the console thread must hold
    input back while the PL011 FIFO is full)."""
    cmd = flotilla_cmd(args, 1, "shell", NO_CRYPTO_TESTS)
    print("running on a pty: " + " ".join(cmd), flush=True)
    t0 = time.monotonic()
    r = PtyRun(cmd, os.path.join(args.workdir, "console-input.log"))
    problems = []
    prompt = rb"/ # "
    rng = random.Random(11)
    try:
        m = r.expect(prompt, args.timeout)
        print(boot_times(r.buf.decode("utf-8", "replace"), time.monotonic() - t0) + " (to the prompt)")
        if not m:
            fail("no shell prompt within %d s\n---- last output ----\n%s" % (args.timeout, r.tail()))
        pos = m.end()
        # 300 bytes in one write: the FIFO holds 32.
        payload = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(285)).encode()
        line = b"echo " + payload + b" | md5sum\r"
        want = hashlib.md5(payload + b"\n").hexdigest().encode()
        t1 = time.monotonic()
        r.send_all(line, 60)
        m = r.expect(rb"\n" + want + rb"  -", 120, pos)
        print("  %d-byte line written at once -> %s (%.1f s)" % (len(line), "md5 ok" if m else "md5 missing",
                                                             time.monotonic() - t1))
        if not m:
            problems.append("the %d-byte line did not arrive whole (md5sum of its payload missing)" % len(line))
        else:
            pos = m.end()
        r.expect(prompt, 60, pos)
        # 1 MiB of every byte value but C-a (flotilla's escape), through a
        # raw tty (no echo, no line discipline editing) into md5sum.
        size = 1 << 20
        data = bytes(b if b != 1 else 2 for b in rng.randbytes(size))
        want = hashlib.md5(data).hexdigest().encode()
        r.send(b"stty raw -echo; echo READY; head -c %d | md5sum; stty sane\r" % size)
        m = r.expect(rb"[\r\n]READY\r?\n", 60, pos)
        if not m:
            problems.append("the guest did not switch its tty to raw mode")
        else:
            pos = m.end()
            t1 = time.monotonic()
            sent = r.send_all(data, args.timeout)
            m = r.expect(rb"([0-9a-f]{32})  -", args.timeout, pos)
            dt = time.monotonic() - t1
            got = m.group(1) if m else b"none"
            print("  1 MiB written at once: %s, guest md5 %s, host md5 %s (%.1f s, %.0f KiB/s)"
                  % ("all written" if sent else "NOT all written", got.decode(), want.decode(), dt, size / 1024 / dt))
            if got != want:
                problems.append("1 MiB through the guest's tty: md5 %s, expected %s" % (got.decode(), want.decode()))
            else:
                pos = m.end()
        r.expect(prompt, 60, pos)
        r.send(b"poweroff -f\r")
        status = r.wait_exit(120)
        if status != 0:
            problems.append("flotilla exited with status %s after poweroff -f (expected 0)" % status)
    finally:
        if r.p.poll() is None:
            os.killpg(r.p.pid, signal.SIGKILL)
            r.p.wait()
    if problems:
        print("---- last output ----\n" + r.tail())
        fail("; ".join(problems))
    print("PASS")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--flotilla", default=os.path.join(ROOT, "build/flotilla"))
    ap.add_argument("--workdir", default=os.path.join(ROOT, "build/tests/linux"))
    ap.add_argument("--mt-check", help="static aarch64 mt_check binary to put into the test initramfs")
    ap.add_argument("--pmu-check", help="static aarch64 pmu_check binary to put into the test initramfs")
    ap.add_argument("--mem", default="1G")
    ap.add_argument("--timeout", type=int, default=400, help="seconds for one boot")
    sub = ap.add_subparsers(dest="cmd", required=True)
    sub.add_parser("prepare")
    b = sub.add_parser("boot")
    b.add_argument("--unimp", action="store_true")
    s = sub.add_parser("smp")
    s.add_argument("n", type=int)
    s.add_argument("--gic-version", type=int, choices=(2, 3), help="-M virt,gic-version=N")
    sh = sub.add_parser("shell")
    sh.add_argument("--ctrl-a", action="store_true")
    sub.add_parser("console-input")
    p = sub.add_parser("pmu")
    p.add_argument("--gic-version", type=int, choices=(2, 3), help="-M virt,gic-version=N")
    args = ap.parse_args()
    {"prepare": cmd_prepare, "boot": cmd_boot, "smp": cmd_smp, "shell": cmd_shell,
     "console-input": cmd_console_input, "pmu": cmd_pmu}[args.cmd](args)


if __name__ == "__main__":
    main()
