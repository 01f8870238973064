#!/usr/bin/env python3
"""gdb.det_replay_*: replay under gdb (-det with the gdb stub,
docs/determinism.md "Under gdb"). A racy multicore program (det_race_clock:
a lost-update counter, the order in which the cores pass a point, and the
virtual counter read in the middle of a block, all in its output) runs with
-det seed=N once without gdb, then under gdb-multiarch with -S: breakpoints
hit several times on different cores, single steps, continue to the end.
The console output and the per-core instruction counts of -stats must be
identical to the run without gdb; the breakpoints must really have been hit
on more than one core. Then once more, driven by raw packets: continue and
Ctrl-C at once, over and over until the guest ends, with breakpoints at the
pcs where it stopped and a single step after each hit: the same again.
gdb.det_linux_smp4 (--linux) boots Linux instead (the packet run only; the
kernel from the linux.prepare fixture's cache), Ctrl-C after --slice-ms.

    gdb_det.py --flotilla F --elf det_race_clock.elf --smp N [--tier T] [--det ITEMS] [--bp-every N]
    gdb_det.py --flotilla F --linux --initrd INITRD --smp N --det ITEMS --slice-ms MS --bp-every N

Exit status 0 = pass.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

from gdb_test import Remote, fail, gdb_binary


def machine(args, stats):
    """The flotilla command line of the run (without the gdb stub)."""
    cmd = [args.flotilla, "-tier", args.tier, "-smp", str(args.smp), "-det", args.det, "-stats", stats]
    if args.linux:
        return cmd + ["-m", "512M", "-kernel", args.kernel, "-initrd", args.initrd,
                      "-append", "console=ttyAMA0 ftest=none cryptomgr.notests"]
    return cmd + ["-semihosting", "-kernel", args.elf]


def run_plain(args, stats):
    r = subprocess.run(machine(args, stats), stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=300)
    if r.returncode != 0:
        fail("the run without gdb exited with %d" % r.returncode, r.stdout + r.stderr)
    return r.stdout


def start(args, stats, sock):
    """flotilla with -S and the stub on sock, once the socket exists."""
    cmd = machine(args, stats) + ["-S", "-gdb", "unix:" + sock]
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for _ in range(250):
        if os.path.exists(sock) or p.poll() is not None:
            break
        time.sleep(0.02)
    if not os.path.exists(sock):
        p.kill()
        fail("the gdb socket never appeared", "".join(p.communicate()))
    return p


def run_gdb(args, tmp, stats, script):
    sock = os.path.join(tmp, "gdb.sock")
    path = os.path.join(tmp, "cmds.gdb")
    with open(path, "w") as f:
        f.write(script.format(sock=sock, **marked_lines()))
    p = start(args, stats, sock)
    try:
        r = subprocess.run([gdb_binary(), "-nx", "-batch", "-x", path, args.elf], capture_output=True, text=True,
                           timeout=120)
    except subprocess.TimeoutExpired:
        p.kill()
        fail("gdb timed out", p.communicate()[0])
    try:
        out, err = p.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        p.kill()
        fail("flotilla did not exit after gdb left", r.stdout + r.stderr)
    log = r.stdout + r.stderr
    if p.returncode != 0:
        fail("flotilla under gdb exited with %d" % p.returncode, log + "\n---- flotilla ----\n" + out + err)
    return log, out


def marked_lines():
    """The source lines marked /* bp:NAME */ in tests/det/det_race.c, the
    source of det_race.elf and det_race_clock.elf."""
    src = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "det", "det_race.c")
    marks = {}
    with open(src) as f:
        for n, line in enumerate(f, 1):
            m = re.search(r"/\* bp:(\w+) \*/", line)
            if m:
                marks[m.group(1)] = n
    return marks


def le64(hexstr):
    return int.from_bytes(bytes.fromhex(hexstr), "little")


def run_interrupted(args, tmp, stats):
    """The same run driven by raw packets, round after round until the guest
    exits: continue, Ctrl-C (at once, or after --slice-ms), read the
    registers. Every --bp-every Ctrl-C stops, a breakpoint at the pc the
    stopped core is at stays for the next 3 rounds; a round that ends at it
    (a T05 before the Ctrl-C, which the stub then ignores) single-steps the
    core that hit it. Returns flotilla's console output and the counts of
    Ctrl-C stops, breakpoint hits and steps."""
    sock = os.path.join(tmp, "irq.sock")
    p = start(args, stats, sock)
    stops = hits = steps = 0
    bp, bp_rounds = None, 0

    def thread_of(reply):
        m = re.search(r"thread:([0-9a-f]+);", reply)
        if not m:
            fail("stop reply without a thread: %r" % reply)
        return int(m.group(1), 16)

    try:
        r = Remote(sock)
        if not r.cmd("?").startswith("T"):
            fail("no stop reply at attach")
        while True:
            r.cmd("c", reply=False)
            if args.slice_ms:
                time.sleep(args.slice_ms / 1000)
            r.raw(b"\x03")
            got = r.recv_packet()
            if got.startswith("W"):
                break
            if got.startswith("T05") and bp is not None:
                hits += 1
                tid = thread_of(got)
                r.cmd("vCont;s:%x" % tid, reply=False)
                got = r.recv_packet()
                if got.startswith("W"):
                    break
                if got != "T05thread:%x;" % tid:
                    fail("a step of thread %d stopped with %r" % (tid, got))
                steps += 1
            elif got.startswith("T02"):
                stops += 1
            else:
                fail("unexpected stop reply %r" % got)
            if len(r.cmd("g")) < 64:
                fail("no registers while stopped")
            if bp is not None:
                bp_rounds -= 1
                if bp_rounds == 0:
                    if r.cmd("z0,%x,4" % bp) != "OK":
                        fail("z0 refused")
                    bp = None
            elif args.bp_every and got.startswith("T02") and stops % args.bp_every == 0:
                if r.cmd("Hg%x" % thread_of(got)) != "OK":
                    fail("Hg refused")
                bp, bp_rounds = le64(r.cmd("p20")), 3
                if r.cmd("Z0,%x,4" % bp) != "OK":
                    fail("Z0 at 0x%x refused" % bp)
        if got != "W00":
            fail("the guest exited with %r" % got)
        r.s.close()
    except (OSError, EOFError) as e:
        p.kill()
        out, err = p.communicate()
        fail("the packet session failed: %r" % e, out + err)
    try:
        out, err = p.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        p.kill()
        fail("flotilla did not exit after the guest ended")
    if p.returncode != 0:
        fail("flotilla (interrupted) exited with %d" % p.returncode, out + err)
    return out, stops, hits, steps


def per_core_insns(path):
    with open(path) as f:
        return [c["insns"] for c in json.load(f)["cpus"]]


# Breakpoints on work() (each core enters it once) and on the racy load and
# the order store in its loop (both in the middle of a translated block, so
# they split it: a turn that ends in that block must still end at the same
# instruction), hit by whichever core the schedule runs (the first 40 hits
# of each gdb resumes by itself: ignore counts), with stepi in between; then
# a watchpoint on the racy counter (32 stops before the store, each stepped
# over by gdb); then continue to the end with everything removed.
SCRIPT = """set pagination off
set confirm off
target remote {sock}
break work
continue
info threads
stepi
stepi
break det_race.c:{load}
break det_race.c:{order}
ignore 2 40
ignore 3 40
continue
continue
stepi
continue
continue
stepi
stepi
continue
continue
continue
continue
info threads
delete
watch counter
ignore 4 30
continue
continue
delete
continue
"""


def gdb_under(args, tmp, ref, ref_insns):
    """The gdb-multiarch batch session (SCRIPT) on the bare-metal program."""
    gdb_stats = os.path.join(tmp, "gdb.json")
    log, out = run_gdb(args, tmp, gdb_stats, SCRIPT)
    print(log)
    # gdb names the thread on a hit when there are several.
    threads = set(re.findall(r"Thread (\d+) hit Breakpoint \d+", log))
    plain_hits = len(re.findall(r"Breakpoint \d+, ", log))
    print("breakpoint hits: %d, by threads %s" % (plain_hits, sorted(threads)))
    if plain_hits < 6:
        fail("expected at least 6 breakpoint stops, saw %d" % plain_hits, log)
    if len(threads) < 2:
        fail("the breakpoints stopped only thread(s) %s: expected hits on several cores" % sorted(threads), log)
    if len(re.findall(r"hit Hardware watchpoint \d+: counter\s+Old value = \d+\s+New value = \d+", log)) < 2:
        fail("the watchpoint on counter did not stop twice with old and new values", log)
    if not re.search(r"exited normally", log):
        fail("the program did not run to its end under gdb", log)
    if "error" in log.lower():
        fail("gdb reported an error", log)
    got_insns = per_core_insns(gdb_stats)
    print("under gdb:   %s per-core insns %s" % (out.strip(), got_insns))
    if out != ref:
        fail("console output under gdb differs:\n%s\nwithout gdb:\n%s" % (out, ref))
    if got_insns != ref_insns:
        fail("per-core instruction counts under gdb %s differ from %s" % (got_insns, ref_insns))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--flotilla", required=True)
    ap.add_argument("--elf", help="the bare-metal program (det_race_clock.elf)")
    ap.add_argument("--linux", action="store_true", help="boot Linux instead (packets only)")
    ap.add_argument("--kernel", default=os.path.join(
        os.environ.get("FLOTILLA_CACHE", os.path.expanduser("~/.cache/flotilla")), "Image.gz"))
    ap.add_argument("--initrd", help="with --linux: initramfs-test.cpio.gz")
    ap.add_argument("--smp", type=int, default=2)
    ap.add_argument("--tier", default="jit")
    ap.add_argument("--det", default="seed=11,quantum=50",
                    help="the -det items (a short quantum: the cores alternate often)")
    ap.add_argument("--slice-ms", type=float, default=0, help="run this long between continue and Ctrl-C")
    ap.add_argument("--bp-every", type=int, default=0, help="a breakpoint at the stopped pc every N stops")
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="flotilla-gdbdet-")
    try:
        ref_stats = os.path.join(tmp, "ref.json")
        ref = run_plain(args, ref_stats)
        ref_insns = per_core_insns(ref_stats)
        print("without gdb: %s per-core insns %s" % ("\n".join(ref.strip().splitlines()[-2:]), ref_insns))
        if not args.linux:
            gdb_under(args, tmp, ref, ref_insns)
        # Ctrl-C at host-timed moments (and breakpoints at wherever the
        # machine stopped) must not move anything either.
        irq_stats = os.path.join(tmp, "irq.json")
        out, stops, hits, steps = run_interrupted(args, tmp, irq_stats)
        irq_insns = per_core_insns(irq_stats)
        print("packets: %d Ctrl-C stops, %d breakpoint hits, %d steps: %s per-core insns %s" %
              (stops, hits, steps, "\n".join(out.strip().splitlines()[-2:]), irq_insns))
        # The first Ctrl-C follows the first continue at once (or after a
        # slice much shorter than the run): at least that one stops it.
        if stops < 1:
            fail("no Ctrl-C stopped the machine")
        if args.bp_every and hits < 1:
            fail("no breakpoint was hit")
        if out != ref:
            import difflib
            d = list(difflib.unified_diff(ref.splitlines(), out.splitlines(), lineterm=""))[:30]
            fail("driven by packets, the console differs:\n" + "\n".join(d))
        if irq_insns != ref_insns:
            fail("driven by packets, per-core instruction counts %s differ from %s" % (irq_insns, ref_insns))
        print("PASS: -det %s -smp %d (%s%s) under gdb: same console and per-core counts" %
              (args.det, args.smp, args.tier, ", Linux" if args.linux else ""))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
