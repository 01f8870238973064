#!/usr/bin/env python3
"""gdb.det_replay_*: replay under gdb (-det with the gdb stub,
docs/determinism.md "Under gdb"). A racy multicore program (det_race_clock:
a lost-update counter, the order in which the cores pass a point, and the
virtual counter read in the middle of a block, all in its output) runs with
-det seed=N once without gdb, then under gdb-multiarch with -S: breakpoints
hit several times on different cores, single steps, continue to the end.
The console output and the per-core instruction counts of -stats must be
identical to the run without gdb; the breakpoints must really have been hit
on more than one core.

    gdb_det.py --flotilla F --elf det_race_clock.elf --smp N [--tier T] [--det ITEMS]

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


def run_plain(args, stats):
    cmd = [args.flotilla, "-tier", args.tier, "-semihosting", "-smp", str(args.smp), "-det", args.det,
           "-stats", stats, "-kernel", args.elf]
    r = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        fail("the run without gdb exited with %d" % r.returncode, r.stdout + r.stderr)
    return r.stdout


def run_gdb(args, tmp, stats, script):
    sock = os.path.join(tmp, "gdb.sock")
    path = os.path.join(tmp, "cmds.gdb")
    with open(path, "w") as f:
        f.write(script.format(sock=sock, **marked_lines()))
    cmd = [args.flotilla, "-tier", args.tier, "-semihosting", "-smp", str(args.smp), "-det", args.det,
           "-stats", stats, "-S", "-gdb", "unix:" + sock, "-kernel", args.elf]
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for _ in range(250):
        if os.path.exists(sock) or p.poll() is not None:
            break
        time.sleep(0.02)
    if not os.path.exists(sock):
        p.kill()
        fail("the gdb socket never appeared", p.communicate()[0])
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


def run_interrupted(args, tmp, stats):
    """The same run driven by raw packets: continue, Ctrl-C at once (a stop
    at a host-timed moment), read the registers, again, until the guest
    exits. Returns flotilla's console output and the number of stops."""
    sock = os.path.join(tmp, "irq.sock")
    cmd = [args.flotilla, "-tier", args.tier, "-semihosting", "-smp", str(args.smp), "-det", args.det,
           "-stats", stats, "-S", "-gdb", "unix:" + sock, "-kernel", args.elf]
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for _ in range(250):
        if os.path.exists(sock) or p.poll() is not None:
            break
        time.sleep(0.02)
    stops = 0
    try:
        r = Remote(sock)
        if not r.cmd("?").startswith("T"):
            fail("no stop reply at attach")
        for _ in range(10000):
            r.cmd("c", reply=False)
            r.raw(b"\x03")
            got = r.recv_packet()
            if got.startswith("W"):
                if got != "W00":
                    fail("the guest exited with %r" % got)
                break
            if not got.startswith("T02"):
                fail("Ctrl-C: stop reply %r" % got)
            stops += 1
            if len(r.cmd("g")) < 64:
                fail("no registers while stopped")
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
    return out, stops


def per_core_insns(path):
    with open(path) as f:
        return [c["insns"] for c in json.load(f)["cpus"]]


# Breakpoints on work() (each core enters it once) and on the racy load and
# the order store in its loop (both in the middle of a translated block, so
# they split it: a turn that ends in that block must still end at the same
# instruction), hit by whichever core the schedule runs (the first 40 hits
# of each gdb resumes by itself: ignore counts), with stepi in between; then
# continue to the end with the breakpoints removed.
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
continue
"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--flotilla", required=True)
    ap.add_argument("--elf", required=True)
    ap.add_argument("--smp", type=int, default=2)
    ap.add_argument("--tier", default="jit")
    ap.add_argument("--det", default="seed=11,quantum=50",
                    help="the -det items (a short quantum: the cores alternate often)")
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="flotilla-gdbdet-")
    try:
        ref_stats = os.path.join(tmp, "ref.json")
        ref = run_plain(args, ref_stats)
        ref_insns = per_core_insns(ref_stats)
        print("without gdb: %s per-core insns %s" % (ref.strip(), ref_insns))
        gdb_stats = os.path.join(tmp, "gdb.json")
        log, out = run_gdb(args, tmp, gdb_stats, SCRIPT)
        print(log)
        hits = re.findall(r"Thread (\d+) hit Breakpoint \d+", log)
        plain_hits = len(re.findall(r"Breakpoint \d+, ", log))
        # gdb names the thread on a hit when there are several.
        threads = set(hits)
        print("breakpoint hits: %d, by threads %s" % (plain_hits, sorted(threads)))
        if plain_hits < 6:
            fail("expected at least 6 breakpoint stops, saw %d" % plain_hits, log)
        if len(threads) < 2:
            fail("the breakpoints stopped only thread(s) %s: expected hits on several cores" % sorted(threads), log)
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
        # Ctrl-C at host-timed moments must not move anything either.
        irq_stats = os.path.join(tmp, "irq.json")
        out, stops = run_interrupted(args, tmp, irq_stats)
        irq_insns = per_core_insns(irq_stats)
        print("interrupted %d times: %s per-core insns %s" % (stops, out.strip(), irq_insns))
        # The first Ctrl-C follows the first continue at once, long before
        # the guest (tens of ms) can end: at least that one stops it.
        if stops < 1:
            fail("no Ctrl-C stopped the machine")
        if out != ref or irq_insns != ref_insns:
            fail("interrupted with Ctrl-C, the run differs: %s %s" % (out, irq_insns))
        print("PASS: -det %s -smp %d (%s) under gdb: same console and per-core counts" %
              (args.det, args.smp, args.tier))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
