#!/usr/bin/env python3
"""Driver of the gdb.* ctests: runs flotilla with its gdb stub and drives it
with gdb-multiarch in batch mode (or, for the protocol checks, with raw
remote-protocol packets).

    gdb_test.py --flotilla F --elf E [--tier T] baremetal
    gdb_test.py --flotilla F --elf E packets
    gdb_test.py --flotilla F --elf debug_except.elf [--tier T] coexist
    gdb_test.py --flotilla F --hwwatch H --workdir D linux

linux: Debian's kernel at -smp 4 under gdb (nokaslr, the address of
__arm64_sys_newuname from the guest's /proc/kallsyms): the ptrace test
(hwwatch) first, then gdb attaches, info threads shows 4 cores, a
breakpoint by address stops the core that runs uname, stepi with
scheduler-locking moves that core only, continue, Ctrl-C (SIGINT to gdb),
detach; the guest then finishes its workload, whose results the host
recomputes.

baremetal: break, continue, register and memory read/write, a watchpoint
hit on the storing instruction, stepi across a taken branch, debug
registers through the stub, detach; the program then checks gdb's writes
and exits 0. packets: malformed and out-of-range packets get error
replies, registers round-trip, Ctrl-C stops a running machine, kill ends
flotilla with status 0. Exit status 0 = pass.
"""
import argparse
import hashlib
import os
import pty
import select
import signal
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import termios
import time


def fail(msg, log=None):
    print("FAIL: " + msg, flush=True)
    if log:
        print("---- log ----\n" + log, flush=True)
    sys.exit(1)


def start_flotilla(args, sock, extra=()):
    cmd = [args.flotilla, "-tier", args.tier, "-semihosting", "-S", "-gdb", "unix:" + sock, *extra,
           "-kernel", args.elf]
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    for _ in range(200):
        if os.path.exists(sock):
            return p
        if p.poll() is not None:
            fail("flotilla exited early: " + p.stdout.read())
        time.sleep(0.02)
    p.kill()
    fail("the gdb socket %s never appeared" % sock)


def gdb_binary():
    for g in ("gdb-multiarch", "aarch64-linux-gnu-gdb"):
        if shutil.which(g):
            return g
    fail("gdb-multiarch is not installed (scripts/install-deps.sh)")


def finish(p, want_status=0, want_text="PASS"):
    try:
        out, _ = p.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        p.kill()
        fail("flotilla did not exit after gdb left")
    if p.returncode != want_status:
        fail("flotilla exit status %d (want %d)" % (p.returncode, want_status), out)
    if want_text and want_text not in out:
        fail("flotilla output lacks %r" % want_text, out)
    return out


def gdb_session(args, tmp, sock, script):
    """Start flotilla waiting for gdb on sock, run gdb-multiarch in batch
    mode with script on the target ELF; return gdb's output and flotilla's
    (finish() checks flotilla's exit)."""
    path = os.path.join(tmp, "cmds.gdb")
    with open(path, "w") as f:
        f.write(script)
    p = start_flotilla(args, sock)
    try:
        r = subprocess.run([gdb_binary(), "-nx", "-batch", "-x", path, args.elf], capture_output=True, text=True,
                           timeout=90)
    except subprocess.TimeoutExpired:
        p.kill()
        fail("gdb timed out")
    return r.stdout + r.stderr, finish(p)


def baremetal(args, tmp):
    sock = os.path.join(tmp, "gdb.sock")
    script = """set pagination off
set confirm off
target remote {sock}
info threads
break set_here
continue
set $x3 = 100
print/x $x3
set var *(long *)&expect = 155
x/gx &expect
break count_loop
continue
print/x $pc == (long)&count_loop
print/x $x3
delete
watch *(long *)&watched
continue
print/x $pc == (long)&store_watched + 4
print/x *(long *)&watched
delete
break branch_insn
continue
stepi
print/x $pc == (long)&branch_target
print/x $ID_AA64DFR0_EL1
set $DBGBVR1_EL1 = 0x1234
set $DBGBCR1_EL1 = 0x1e6
print/x $DBGBVR1_EL1
print/x $DBGBCR1_EL1
set $DBGBCR1_EL1 = 0
print/x $CurrentEL
print/x $SCTLR_EL1
x/2i $pc
delete
detach
""".format(sock=sock)
    log, out = gdb_session(args, tmp, sock, script)
    checks = [
        (r"\* 1\s+Thread 1 ", "info threads lists core 0 as thread 1"),
        (r"Breakpoint 1, set_here", "breakpoint at set_here"),
        (r"\$1 = 0x64", "x3 written"),
        (r":\s+0x0*9b\b", "memory written and read back"),
        (r"Breakpoint 2, count_loop", "breakpoint at count_loop"),
        (r"\$2 = 0x1\b", "pc at count_loop"),
        (r"\$3 = 0x64", "x3 still 100"),
        (r"Hardware watchpoint 3: \*\(long \*\)&watched\s+Old value = 0\s+New value = 101", "watchpoint old/new"),
        (r"\$4 = 0x1\b", "watchpoint stop right after the storing instruction"),
        (r"\$5 = 0x65", "watched value"),
        (r"Breakpoint 4, branch_insn", "breakpoint at the branch"),
        (r"\$6 = 0x1\b", "stepi across the taken branch"),
        (r"\$7 = 0x10305106", "ID_AA64DFR0_EL1: 6 breakpoints, 4 watchpoints"),
        (r"\$8 = 0x1234", "DBGBVR1_EL1 round trip"),
        (r"\$9 = 0x1e6", "DBGBCR1_EL1 round trip"),
        (r"\$10 = 0x4", "CurrentEL = EL1"),
        (r"detached", "detach"),
    ]
    for pat, what in checks:
        if not re.search(pat, log):
            fail("%s: /%s/ not in gdb's output" % (what, pat), log + "\n---- flotilla ----\n" + out)
    if "error" in log.lower():
        fail("gdb reported an error", log)
    print(log)
    print("PASS: baremetal gdb session (%s)" % args.tier)


def coexist(args, tmp):
    """gdb's breakpoints and the guest's own debug exceptions at once: the
    guest test debug_except (hardware breakpoints, watchpoints, step) runs
    under gdb with a gdb breakpoint on the function its hardware breakpoint
    also watches, and must still pass."""
    sock = os.path.join(tmp, "gdb.sock")
    script = """set pagination off
set confirm off
target remote {sock}
break bp_fn
continue
print/x $pc == (long)&bp_fn
continue
print/x $pc == (long)&bp_fn
delete
continue
""".format(sock=sock)
    log, out = gdb_session(args, tmp, sock, script)
    for pat, what in [(r"Breakpoint 1, bp_fn", "gdb breakpoint on bp_fn"), (r"\$1 = 0x1\b", "pc at bp_fn"),
                      (r"\$2 = 0x1\b", "second hit"), (r"exited normally", "the program ran to its end")]:
        if not re.search(pat, log):
            fail("%s: /%s/ not in gdb's output" % (what, pat), log + "\n---- flotilla ----\n" + out)
    print(log)
    print("PASS: gdb and guest debug exceptions coexist (%s)" % args.tier)


class Remote:
    """A minimal remote-protocol client for the packet tests."""

    def __init__(self, path):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.settimeout(20)
        self.s.connect(path)
        self.buf = b""

    def raw(self, data):
        self.s.sendall(data)

    def _byte(self):
        while not self.buf:
            d = self.s.recv(4096)
            if not d:
                raise EOFError
            self.buf += d
        c, self.buf = self.buf[:1], self.buf[1:]
        return c

    def recv_packet(self):
        while self._byte() != b"$":
            pass
        data = b""
        while True:
            c = self._byte()
            if c == b"#":
                break
            data += c
        self._byte()
        self._byte()
        self.raw(b"+")
        return data.decode()

    def cmd(self, data, reply=True):
        csum = sum(data.encode()) & 0xFF
        self.raw(("$%s#%02x" % (data, csum)).encode())
        if not reply:
            return None
        return self.recv_packet()


def bad_options(args, tmp):
    """Bad -gdb/-S options: a clear error and a non-zero exit, at once."""
    busy = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    busy.bind(("127.0.0.1", 0))
    busy.listen(1)
    port = busy.getsockname()[1]
    cases = [(["-gdb", "bogus"], "-gdb"), (["-gdb", "tcp::99999"], "-gdb"), (["-gdb", "tcp::"], "-gdb"),
             (["-gdb", "unix:"], "-gdb"), (["-gdb", "tcp:example.com:1234"], "-gdb"), (["-S"], "-S"),
             (["-gdb", "unix:" + os.path.join(tmp, "no", "such", "dir", "s")], "cannot listen"),
             (["-gdb", "tcp::%d" % port], "cannot listen")]
    for opts, msg in cases:
        r = subprocess.run([args.flotilla, "-semihosting", *opts, "-kernel", args.elf], capture_output=True, text=True,
                           timeout=30, stdin=subprocess.DEVNULL)
        if r.returncode == 0 or msg not in r.stderr:
            fail("%s: status %d, stderr %r" % (" ".join(opts), r.returncode, r.stderr))
    busy.close()


def packets(args, tmp):
    bad_options(args, tmp)
    sock = os.path.join(tmp, "gdb.sock")
    p = start_flotilla(args, sock)
    r = Remote(sock)
    checks = []

    def expect(data, pat, what):
        got = r.cmd(data)
        if not re.fullmatch(pat, got, re.S):
            p.kill()
            fail("%s: %r -> %r (want /%s/)" % (what, data, got, pat))
        return got

    expect("qSupported:multiprocess+;xmlRegisters=aarch64", r"PacketSize=[0-9a-f]+;.*qXfer:features:read\+.*",
           "qSupported")
    expect("?", r"T05thread:1;", "stop reason at reset")
    expect("qfThreadInfo", r"m1", "thread list (-smp 1)")
    expect("qsThreadInfo", r"l", "end of thread list")
    xml = expect("qXfer:features:read:target.xml:0,3fff", r"[lm]<\?xml.*", "target description")
    for reg in ("x30", "cpsr", "v31", "fpsr", "fpcr", "SCTLR_EL1", "TTBR1_EL1", "VBAR_EL1", "ESR_EL1", "FAR_EL1",
                "ELR_EL1", "SPSR_EL1", "CurrentEL", "DAIF", "DBGWCR3_EL1", "MDSCR_EL1"):
        if 'name="%s"' % reg not in xml:
            fail("target.xml lacks %s" % reg)
    # bad packets: error replies, never a crash
    expect("m", r"E[0-9a-f]{2}", "m without arguments")
    expect("mzz,4", r"E[0-9a-f]{2}", "m with a bad address")
    expect("m0,4", r"E[0-9a-f]{2}", "m at an unmapped address")
    expect("mffffffffffff0000,10", r"E[0-9a-f]{2}", "m outside RAM")
    expect("m12345678901234567890,4", r"E[0-9a-f]{2}", "m with an overlong number")
    expect("M40000000,4:zz", r"E[0-9a-f]{2}", "M with bad hex")
    expect("M40000000,4:00", r"E[0-9a-f]{2}", "M with short data")
    expect("p1000", r"E[0-9a-f]{2}", "p of a register that does not exist")
    expect("P20=12", r"E[0-9a-f]{2}", "P with a short value")
    expect("P21=ffffffff", r"E[0-9a-f]{2}", "P cpsr to AArch32/EL3")
    expect("Z0,40000002,4", r"E[0-9a-f]{2}", "Z0 at a misaligned address")
    expect("Z2,40000000,0", r"E[0-9a-f]{2}", "Z2 of length 0")
    expect("Z9,0,0", r"", "unknown Z type")
    expect("Hg99", r"E[0-9a-f]{2}", "H of a thread that does not exist")
    expect("T63", r"E[0-9a-f]{2}", "T of a thread that does not exist")
    expect("vCont;x", r"E[0-9a-f]{2}", "vCont with a bad action")
    expect("qXfer:features:read:other.xml:0,10", r"E[0-9a-f]{2}", "unknown annex")
    expect("g00", r"E[0-9a-f]{2}", "g with garbage")
    expect("G00", r"E[0-9a-f]{2}", "G of the wrong length")
    expect("xyzzy", r"", "unknown packet")
    # a bad checksum is NAKed, then the stub still answers
    r.raw(b"$?#00")
    if r._byte() != b"-":
        fail("bad checksum not NAKed")
    # an overlong packet is NAKed too
    long = "m" + "0" * 20000
    r.raw(("$%s#%02x" % (long, sum(long.encode()) & 0xFF)).encode())
    if r._byte() != b"-":
        fail("overlong packet not NAKed")
    expect("?", r"T05thread:1;", "still answering")
    # registers round trip: x5, v3, FPCR, a debug register
    expect("P5=efcdab8967452301", "OK", "P x5")
    expect("p5", "efcdab8967452301", "p x5")
    expect("P25=00112233445566778899aabbccddeeff", "OK", "P v3")
    expect("p25", "00112233445566778899aabbccddeeff", "p v3")
    g = expect("g", r"[0-9a-f]+", "g")
    if len(g) != (33 * 8 + 4 + 32 * 16 + 8) * 2:
        fail("g reply has %d hex digits" % len(g))
    expect("G" + g, "OK", "G of the g reply")
    expect("p5", "efcdab8967452301", "x5 after G")
    # stopped, the system counter stands still (no timer storm on resume)
    regs = re.findall(r'<reg name="([^"]+)"[^>]*regnum="(\d+)"', xml)
    cntvct = dict(regs).get("CNTVCT_EL0")
    if not cntvct:
        fail("target.xml lacks CNTVCT_EL0")
    c1 = expect("p%x" % int(cntvct), r"[0-9a-f]{16}", "CNTVCT_EL0")
    time.sleep(0.2)
    c2 = expect("p%x" % int(cntvct), r"[0-9a-f]{16}", "CNTVCT_EL0 again")
    if c1 != c2:
        fail("CNTVCT_EL0 moved while the machine was stopped: %s -> %s" % (c1, c2))
    # DBGBCR round trip through the sysreg accessors (masked to its writable bits)
    bcr = dict(regs)["DBGBCR2_EL1"]
    expect("P%x=e601000000000000" % int(bcr), "OK", "P DBGBCR2_EL1")
    expect("p%x" % int(bcr), "e601000000000000", "p DBGBCR2_EL1")
    expect("P%x=0000000000000000" % int(bcr), "OK", "clear DBGBCR2_EL1")
    expect("P%x=0000000000000000" % int(dict(regs)["MIDR_EL1"]), r"E[0-9a-f]{2}", "P of read-only MIDR_EL1")
    # PMU registers round trip too (cpu/pmu.c), when the machine has them
    if "PMSELR_EL0" in dict(regs):
        for name, val in (("PMSELR_EL0", "0300000000000000"), ("PMEVTYPER0_EL0", "0800000000000000")):
            rn = int(dict(regs)[name])
            expect("P%x=%s" % (rn, val), "OK", "P " + name)
            expect("p%x" % rn, val, "p " + name)
    # memory round trip at the program's `expect` (via its address in the ELF)
    sym = subprocess.run(["aarch64-linux-gnu-nm", args.elf], capture_output=True, text=True).stdout
    m = re.search(r"^([0-9a-f]+) [dD] expect$", sym, re.M)
    if not m:
        fail("no symbol 'expect' in %s" % args.elf)
    addr = int(m.group(1), 16)
    expect("m%x,8" % addr, "3700000000000000", "m of expect (55)")
    # Ctrl-C stops a running machine: pc to an endless loop, continue, interrupt
    m = re.search(r"^([0-9a-f]+) [tT] spin$", sym, re.M)
    expect("P20=%s" % int(m.group(1), 16).to_bytes(8, "little").hex(), "OK", "P pc")
    r.cmd("c", reply=False)
    time.sleep(0.3)
    r.raw(b"\x03")
    got = r.recv_packet()
    if got != "T02thread:1;":
        fail("Ctrl-C: %r" % got)
    pc = expect("p20", r"[0-9a-f]{16}", "pc after Ctrl-C")
    if int.from_bytes(bytes.fromhex(pc), "little") != int(m.group(1), 16):
        fail("pc after Ctrl-C is not in the loop")
    # gdb going away detaches: while stopped, with a breakpoint in the loop
    # (dropped: the loop goes on without stopping), and while running; a
    # new connection is served each time (T02: stopped by the attach)
    spin = int(m.group(1), 16)
    expect("Z0,%x,4" % spin, "OK", "breakpoint in the loop")
    r.s.close()
    for running in (False, True):
        r = Remote(sock)
        expect("?", r"T02thread:1;", "a new connection stops a running machine")
        pc = int.from_bytes(bytes.fromhex(expect("p20", r"[0-9a-f]{16}", "pc")), "little")
        if pc != spin:
            fail("pc %#x after reconnecting is not in the loop" % pc)
        if running:
            expect("Z0,%x,4" % (spin + 8), "OK", "breakpoint after the loop (never reached)")
            r.cmd("vCont;c", reply=False)
            time.sleep(0.3)
            r.s.close()
    r = Remote(sock)
    expect("?", r"T02thread:1;", "reconnected after a disconnect while running")
    r.cmd("k", reply=False)
    finish(p, 0, None)
    print("PASS: packets")


class Guest:
    """flotilla with a piped console: read its output as it comes."""

    def __init__(self, cmd, log):
        self.p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.text = ""
        self.log = log

    def pump(self, timeout):
        r, _, _ = select.select([self.p.stdout], [], [], timeout)
        if r:
            d = os.read(self.p.stdout.fileno(), 65536)
            if d:
                self.text += d.decode(errors="replace")
                with open(self.log, "a") as f:
                    f.write(d.decode(errors="replace"))
                return True
        return False

    def expect(self, pattern, timeout, start=0):
        end = time.time() + timeout
        while True:
            m = re.search(pattern, self.text[start:])
            if m:
                return m
            if time.time() > end or self.p.poll() is not None:
                while self.pump(0.1):
                    pass
                m = re.search(pattern, self.text[start:])
                if m:
                    return m
                self.p.kill()
                fail("guest: /%s/ did not appear" % pattern, self.text[-3000:])
            self.pump(0.5)

    def send(self, line):
        self.p.stdin.write(line.encode())
        self.p.stdin.flush()


def linux(args, tmp):
    cache = os.environ.get("FLOTILLA_CACHE", os.path.expanduser("~/.cache/flotilla"))
    kernel = os.path.join(cache, "Image.gz")
    if not os.path.exists(kernel):
        fail("%s is missing: run the linux.prepare test (or scripts/fetch-guest.sh) first" % kernel)
    initrd = os.path.join(args.workdir, "initramfs-debug.cpio.gz")
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    subprocess.run([os.path.join(root, "scripts/make-initramfs.sh"), cache, "test", initrd, args.hwwatch],
                   check=True, stdout=subprocess.DEVNULL)
    sock = os.path.join(tmp, "gdb.sock")
    log = os.path.join(args.workdir, "gdb-linux.log")
    open(log, "w").close()
    g = Guest([args.flotilla, "-smp", "4", "-m", "512M", "-gdb", "unix:" + sock, "-kernel", kernel, "-initrd", initrd,
               "-append", "console=ttyAMA0 nokaslr ftest=debug cryptomgr.notests"], log)
    m = g.expect(r"KSYM ([0-9a-f]{16}) T __arm64_sys_newuname\r?\n", args.timeout)
    addr = int(m.group(1), 16)
    g.expect(r"CHK hwwatch (\S+)\r?\n", args.timeout)  # whole lines: output arrives in pieces
    if "CHK hwwatch ok" not in g.text:
        g.p.kill()
        fail("the guest's ptrace debug-register test failed", g.text[-3000:])
    g.expect(r"READY", args.timeout)
    script = """set pagination off
set confirm off
set architecture aarch64
target remote {sock}
info threads
break *{addr:#x}
echo MARK-CONT1\\n
continue
echo MARK-HIT\\n
print/x $pc
info threads
set scheduler-locking on
thread apply all print/x $pc
stepi
thread apply all print/x $pc
set scheduler-locking off
delete
echo MARK-CONT2\\n
continue
echo MARK-INT\\n
info threads
detach
echo MARK-DETACHED\\n
""".format(sock=sock, addr=addr)
    path = os.path.join(tmp, "linux.gdb")
    with open(path, "w") as f:
        f.write(script)
    # gdb on a pseudo-terminal: through a pipe it would buffer its output
    # and the markers would come too late.
    master, slave = pty.openpty()
    attrs = termios.tcgetattr(slave)
    attrs[1] &= ~termios.ONLCR
    attrs[3] &= ~termios.ECHO
    termios.tcsetattr(slave, termios.TCSANOW, attrs)
    gdb = subprocess.Popen([gdb_binary(), "-nx", "-batch", "-x", path], stdin=subprocess.DEVNULL, stdout=slave,
                           stderr=slave, start_new_session=True)
    os.close(slave)
    gout = []

    def gdb_read(timeout):
        r, _, _ = select.select([master], [], [], timeout)
        if not r:
            return True
        try:
            d = os.read(master, 65536)
        except OSError:
            d = b""
        if not d:
            return False
        gout.append(d.decode(errors="replace").replace("\r", ""))
        return True

    def gdb_until(marker, timeout):
        end = time.time() + timeout
        while time.time() < end:
            g.pump(0)
            if marker in "".join(gout):
                return
            if not gdb_read(0.5):
                break
        if marker in "".join(gout):
            return
        gdb.kill()
        g.p.kill()
        fail("gdb: %s did not come" % marker, "".join(gout) + "\n---- guest ----\n" + g.text[-2000:])

    gdb_until("MARK-CONT1", 60)
    # gdb continues: make a core run uname (the breakpoint)
    g.send("tick\n")
    gdb_until("MARK-HIT", args.timeout)
    gdb_until("MARK-CONT2", 60)
    # running again: wait for a TICK printed after the continue (the guest
    # runs), then interrupt it the way a user does, with SIGINT to gdb
    n = g.text.count("TICK")
    deadline = time.time() + args.timeout
    while g.text.count("TICK") <= n:
        if time.time() > deadline:
            gdb.kill()
            g.p.kill()
            fail("the guest did not run after continue", "".join(gout))
        g.send("tick\n")
        g.pump(2)
    time.sleep(0.5)
    gdb.send_signal(signal.SIGINT)
    gdb_until("MARK-DETACHED", 60)
    end = time.time() + 60
    while gdb.poll() is None and time.time() < end:
        gdb_read(0.5)
    while gdb_read(0.1) and select.select([master], [], [], 0)[0]:
        pass
    os.close(master)
    gtext = "".join(gout)
    # the guest goes on after the detach and finishes its workload
    g.send("tick\nend\n")
    g.expect(r"FLOTILLA-TEST-DONE", args.timeout)
    try:
        g.p.wait(timeout=60)
    except subprocess.TimeoutExpired:
        g.p.kill()
        fail("flotilla did not exit after the guest powered off")
    while g.pump(0.1):
        pass
    problems = []
    if g.p.returncode != 0:
        problems.append("flotilla exit status %d" % g.p.returncode)
    threads = re.findall(r"^\*?\s+(\d) +Thread (\d+) \(CPU#(\d) EL", gtext, re.M)
    if len({t[1] for t in threads}) != 4:
        problems.append("info threads did not show 4 cores: %r" % threads)
    hit = re.search(r"MARK-HIT\s*\n\$1 = (0x[0-9a-f]+)", gtext)
    if not hit or int(hit.group(1), 16) != addr:
        problems.append("the breakpoint stop is not at __arm64_sys_newuname")
    # pcs of every thread before and after stepi: only the current one moved
    pcs = re.findall(r"^Thread (\d+) \(Thread \d+[^\n]*\):\s*\n\$\d+ = (0x[0-9a-f]+)", gtext, re.M)
    if len(pcs) != 8:
        problems.append("thread apply all print $pc: %d values (want 8)" % len(pcs))
    else:
        before, after = dict(pcs[:4]), dict(pcs[4:])
        moved = [t for t in before if before[t] != after[t]]
        if len(moved) != 1:
            problems.append("stepi with scheduler-locking moved %d threads (want 1): %r -> %r" % (len(moved), before, after))
        elif int(before[moved[0]], 16) != addr or int(after[moved[0]], 16) != addr + 4:
            problems.append("the stepped core went from %s to %s" % (before[moved[0]], after[moved[0]]))
    if not re.search(r"received signal SIGINT", gtext):
        problems.append("Ctrl-C did not stop the machine")
    if "detached" not in gtext:
        problems.append("detach")
    exp_sum = 0
    for i in range(2000):
        exp_sum += i * i % 7919
    want = {"shell.arith": str(exp_sum),
            "seq.sha256": hashlib.sha256("".join("%d\n" % i for i in range(1, 5001)).encode()).hexdigest() + "  -"}
    for k, v in want.items():
        m = re.search(r"CHK %s (.*)" % re.escape(k), g.text)
        if not m or m.group(1).strip() != v:
            problems.append("guest %s = %r, host says %r" % (k, m.group(1).strip() if m else None, v))
    if problems:
        fail("; ".join(problems), gtext + "\n---- guest (tail) ----\n" + g.text[-2000:])
    print(gtext)
    print("PASS: Linux -smp 4 under gdb")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--flotilla", required=True)
    ap.add_argument("--elf")
    ap.add_argument("--tier", default="jit")
    ap.add_argument("--hwwatch", help="the static aarch64 hwwatch program (linux)")
    ap.add_argument("--workdir", default=".")
    ap.add_argument("--timeout", type=float, default=300)
    ap.add_argument("what", choices=["baremetal", "packets", "linux", "coexist"])
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="flotilla-gdb-")
    try:
        {"baremetal": baremetal, "packets": packets, "linux": linux, "coexist": coexist}[args.what](args, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
