#!/usr/bin/python3
"""Tests of flotilla-sweep (ctest label `sweep`, tests/sweep/CMakeLists.txt).

  test_sweep.py MODE SWEEP ELF PANIC_ELF WORKDIR
MODE: local | resume | failures | malformed, or
  test_sweep.py compare DB_A DB_B      (used by slurm_test.sh)

Each mode checks what the runner recorded in results.db, never timings."""

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SMALL = os.path.join(HERE, "small.toml")


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def rows(db, cols="*"):
    c = sqlite3.connect(db)
    c.row_factory = sqlite3.Row
    return [dict(r) for r in c.execute(f"SELECT {cols} FROM runs ORDER BY combo, rep")]


def sweep(tool, *args, check=True, **kw):
    p = subprocess.run([tool] + list(args), capture_output=True, text=True, **kw)
    if check and p.returncode != 0:
        fail(f"flotilla-sweep {' '.join(args)}: exit {p.returncode}\n{p.stdout}{p.stderr}")
    return p


def check_small(db, expect_backend):
    """The 2 x 2 x 2 sweep of small.toml, all ok, the guest's results right."""
    rs = rows(db)
    if len(rs) != 8:
        fail(f"{db}: {len(rs)} rows, expected 8")
    points = sorted({(r["smp"], r["tier"]) for r in rs})
    if points != [(1, "interp"), (1, "jit"), (2, "interp"), (2, "jit")]:
        fail(f"axis values {points}")
    for r in rs:
        if r["status"] != "ok" or r["exit_status"] != 0:
            fail(f"run {r['run_id']} {r['status']}: {r['error']}")
        if r["iterations"] != 3000000 or not r["checksum"]:
            fail(f"run {r['run_id']}: guest results {r['iterations']} {r['checksum']}")
        if r["stats_exit_status"] != 0 or not r["stats_total_insns"] or r["stats_total_insns"] < 3000000:
            fail(f"run {r['run_id']}: -stats fields {r['stats_exit_status']} {r['stats_total_insns']}")
        if r["backend"] != expect_backend or not r["host"] or not r["flotilla_version"]:
            fail(f"run {r['run_id']}: backend/host/version {r['backend']} {r['host']} {r['flotilla_version']}")
        if not (r["wall_s"] > 0 and r["cpu_s"] > 0 and r["started_at"] < r["finished_at"]):
            fail(f"run {r['run_id']}: times {r['wall_s']} {r['cpu_s']} {r['started_at']} {r['finished_at']}")
        if not r["pus"] or "-kernel" not in r["command"]:
            fail(f"run {r['run_id']}: pus '{r['pus']}', command '{r['command']}'")
    if len({r["checksum"] for r in rs}) != 1:
        fail("the guest's checksum differs between runs")
    if {r["rep"] for r in rs} != {1, 2}:
        fail("repetitions are not 1 and 2")


def mode_local(tool, elf, work):
    out = os.path.join(work, "local")
    sweep(tool, "run", SMALL, "--set", "elf=" + elf, "-o", out)
    check_small(os.path.join(out, "results.db"), "local")
    # A -smp 2 run had two PUs to itself (or all we may use, if fewer).
    usable = len(os.sched_getaffinity(0))
    for r in rows(os.path.join(out, "results.db")):
        if len(r["pus"].split(",")) != min(r["smp"], usable):
            fail(f"run {r['run_id']} (smp {r['smp']}) placed on PUs {r['pus']}")
    # Running it again runs nothing and keeps the rows.
    before = rows(os.path.join(out, "results.db"), "run_id, finished_at")
    p = sweep(tool, "run", SMALL, "--set", "elf=" + elf, "-o", out)
    if "0 to run" not in p.stderr or rows(os.path.join(out, "results.db"), "run_id, finished_at") != before:
        fail("a finished sweep ran again:\n" + p.stderr)
    p = sweep(tool, "report", SMALL, "--set", "elf=" + elf, "-o", out)
    md = open(os.path.join(out, "report.md")).read()
    for want in ("| smp | tier | runs | wall_s | speedup | efficiency |", "| 2 | jit | 2 |", "scaling.png"):
        if want not in md:
            fail(f"report.md lacks '{want}':\n{md}")
    # The speedup column, recomputed from the rows: mean over repetitions of
    # mean(wall at smp 1) / wall, for the same tier.
    rs = rows(os.path.join(out, "results.db"))
    for tier in ("jit", "interp"):
        base = [r["wall_s"] for r in rs if r["tier"] == tier and r["smp"] == 1]
        sp = [sum(base) / len(base) / r["wall_s"] for r in rs if r["tier"] == tier and r["smp"] == 2]
        want = f"| 2 | {tier} | 2 | "
        line = next((l for l in md.splitlines() if l.startswith(want)), "")
        cells = [c.strip() for c in line.split("|")]
        if len(cells) < 6 or not cells[5].startswith(f"{sum(sp) / len(sp):.3g} ± "):
            fail(f"report speedup for smp 2 {tier}: '{line}', expected {sum(sp) / len(sp):.3g}")
    with open(os.path.join(out, "scaling.png"), "rb") as f:
        if f.read(8) != b"\x89PNG\r\n\x1a\n":
            fail("scaling.png is not a PNG")
    p = sweep(tool, "status", SMALL, "--set", "elf=" + elf, "-o", out)
    if "ok 8, failed 0" not in p.stdout:
        fail("status: " + p.stdout)


def mode_resume(tool, elf, work):
    """Kill the runner (SIGKILL: no clean-up of its own) mid-sweep, run again."""
    spec = os.path.join(work, "resume.toml")
    with open(spec, "w") as f:
        f.write(open(SMALL).read().replace("repetitions = 2", "repetitions = 4").replace(
            'tier = ["jit", "interp"]', 'tier = ["interp", "jit"]'))
    out = os.path.join(work, "resume")
    db = os.path.join(out, "results.db")
    p = subprocess.Popen([tool, "run", spec, "--set", "elf=" + elf, "-o", out, "-q"])
    deadline = time.monotonic() + 120
    n = 0
    while time.monotonic() < deadline and p.poll() is None:
        try:
            n = len(rows(db, "run_id"))
        except sqlite3.Error:
            n = 0
        if n >= 3:
            break
        time.sleep(0.02)
    if p.poll() is not None:
        fail(f"the runner ended (status {p.returncode}) before it could be killed ({n} rows)")
    p.send_signal(signal.SIGKILL)
    p.wait()
    before = {r["run_id"]: r["finished_at"] for r in rows(db, "run_id, finished_at")}
    if not 3 <= len(before) < 16:
        fail(f"{len(before)} runs recorded when the runner was killed")
    # The killed runner's workers die with it (no orphan finishes a run later).
    for _ in range(100):
        ps = subprocess.run(["ps", "-eo", "stat,args"], capture_output=True, text=True).stdout
        orphans = [line for line in ps.splitlines()
                   if f"exec {out} " in line and not line.lstrip().startswith("Z")]
        if not orphans:
            break
        time.sleep(0.1)
    else:
        fail("workers of the killed runner are still running:\n" + "\n".join(orphans))
    r = sweep(tool, "run", spec, "--set", "elf=" + elf, "-o", out, "-q")
    after = {r["run_id"]: r["finished_at"] for r in rows(db, "run_id, finished_at")}
    if len(after) != 16:
        fail(f"{len(after)} runs after resuming, expected 16")
    for rid, t in before.items():
        if after.get(rid) != t:
            fail(f"run {rid}, finished before the kill, was run again")
    bad = [x for x in rows(db) if x["status"] != "ok"]
    if bad:
        fail(f"failed runs after resume: {[(x['run_id'], x['error']) for x in bad]}")
    print(f"killed with {len(before)} of 16 runs done; resume ran the other {16 - len(before)}")


def mode_failures(tool, elf, panic_elf, work):
    spec = os.path.join(work, "failures.toml")
    with open(spec, "w") as f:
        f.write(f"""[sweep]
name = "failures"
timeout = 60
[run]
semihosting = true
kernel = "${{program}}"
[axes]
program = ["{elf}", "{panic_elf}"]
tier = ["jit", "bogus"]
[collect]
results = {{ checksum = 'SWEEP checksum ([0-9a-f]+)' }}
""")
    out = os.path.join(work, "failures")
    sweep(tool, "run", spec, "-o", out, "-q")
    names = {elf: "good", panic_elf: "bad"}
    rs = {(names[r["program"]], r["tier"]): r for r in rows(os.path.join(out, "results.db"))}
    if len(rs) != 4:
        fail(f"{len(rs)} rows, expected 4: {list(rs)}")
    good = rs[("good", "jit")]
    if good["status"] != "ok" or not good["checksum"]:
        fail(f"the good run: {good['status']} {good['error']}")
    for key in (("good", "bogus"), ("bad", "bogus")):
        r = rs[key]
        if r["status"] != "failed" or r["exit_status"] in (0, None) or "-tier" not in (r["error"] or ""):
            fail(f"bad option {key}: {r['status']} {r['exit_status']} {r['error']}")
    r = rs[("bad", "jit")]
    if r["status"] != "failed" or r["exit_status"] != 2 or "UNEXPECTED EXCEPTION" not in (r["error"] or ""):
        fail(f"guest panic: {r['status']} {r['exit_status']} {r['error']}")
    p = sweep(tool, "status", spec, "-o", out)
    if "failed 3" not in p.stdout:
        fail("status: " + p.stdout)
    # --retry-failed runs exactly the failed ones again (they fail again).
    before = {r["run_id"]: (r["status"], r["finished_at"]) for r in rows(os.path.join(out, "results.db"))}
    sweep(tool, "run", spec, "-o", out, "-q", "--retry-failed")
    after = {r["run_id"]: (r["status"], r["finished_at"]) for r in rows(os.path.join(out, "results.db"))}
    if before.keys() != after.keys():
        fail("--retry-failed changed the set of runs")
    for rid, (st, t) in before.items():
        if st != after[rid][0] or (st == "ok") != (t == after[rid][1]):
            fail(f"--retry-failed: run {rid} {st} {t} -> {after[rid]}")


MALFORMED = [
    # (file text, expected line, words the message must have)
    ("[sweep]\nname = \"x\"\n[run]\nsemihosting = true\nkernel = \"k\n", 5, ["TOML syntax"]),
    ("[sweep]\nname = \"x\"\n[run]\nsmpp = 2\n[axes]\ntier = [\"jit\"]\n", 4, ["-smpp", "not a flotilla option"]),
    ("[sweep]\nname = \"x\"\n[run]\nsmp = 1\n[axes]\ntier = [\"jit\"]\ntierr = [1, 2]\n", 7, ["tierr"]),
    ("[sweep]\nname = \"x\"\nrepetitions = 0\n[run]\n[axes]\nsmp = [1]\n", 3, ["repetitions"]),
    ("[sweep]\nname = \"x\"\n[run]\nappend = \"n=${cores}\"\n[axes]\nsmp = [1]\n", 4, ["${cores}"]),
    ("[sweep]\nname = \"x\"\n[run]\n[axes]\nsmp = [1]\n[collect]\nresults = { a = 'no group' }\n", 7,
     ["exactly one (group)"]),
    ("[sweep]\nname = \"x\"\n[run]\n[axes]\nsmp = []\n", 5, ["non-empty"]),
]


def mode_malformed(tool, elf, work):
    for i, (text, line, words) in enumerate(MALFORMED):
        path = os.path.join(work, f"bad{i}.toml")
        with open(path, "w") as f:
            f.write(text)
        p = sweep(tool, "run", path, "-o", os.path.join(work, f"bad{i}"), check=False)
        err = p.stderr.strip()
        if p.returncode != 1 or "Traceback" in err or len(err.splitlines()) != 1:
            fail(f"case {i}: exit {p.returncode}, stderr:\n{err}")
        if f"{path}:{line}" not in err or not all(w in err for w in words):
            fail(f"case {i}: expected {path}:{line} and {words} in: {err}")
        if os.path.exists(os.path.join(work, f"bad{i}", "results.db")):
            fail(f"case {i}: a results database was made for a malformed sweep")
    p = sweep(tool, "run", os.path.join(work, "missing.toml"), check=False)
    if p.returncode != 1 or "cannot read" not in p.stderr:
        fail("missing sweep file: " + p.stderr)
    # The examples in configs/sweeps/ are valid (det-seeds.toml once flotilla has -det).
    examples = os.path.join(HERE, "..", "..", "configs", "sweeps")
    for name in sorted(os.listdir(examples)):
        p = sweep(tool, "status", os.path.join(examples, name), "-o", os.path.join(work, "ex-" + name),
                  check=False)
        if p.returncode != 0 and not (name == "det-seeds.toml" and "-det is not a flotilla option" in p.stderr):
            fail(f"example {name}: {p.stderr}")


def mode_compare(db_a, db_b):
    """Two backends' databases hold the same runs with the same guest results."""
    cols = "run_id, combo, rep, smp, tier, status, exit_status, checksum, iterations, stats_total_insns, command"
    a, b = rows(db_a, cols), rows(db_b, cols)
    if a != b:
        fail(f"the databases differ:\n{a}\n{b}")
    if len(a) != 8:
        fail(f"{len(a)} rows")
    check_small(db_b, "slurm")
    # Slurm bound each task to its --cpus-per-task CPUs (task/affinity).
    for r in rows(db_b):
        if len(r["pus"].split(",")) != min(r["smp"], len(os.sched_getaffinity(0))):
            fail(f"slurm run {r['run_id']} (smp {r['smp']}) ran on PUs {r['pus']}")
    print(f"{len(a)} runs, identical in both databases")


def main():
    mode = sys.argv[1]
    if mode == "compare":
        return mode_compare(sys.argv[2], sys.argv[3])
    tool, elf, panic_elf, work = sys.argv[2:6]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    if mode == "local":
        mode_local(tool, elf, work)
    elif mode == "resume":
        mode_resume(tool, elf, work)
    elif mode == "failures":
        mode_failures(tool, elf, panic_elf, work)
    elif mode == "malformed":
        mode_malformed(tool, elf, work)
    else:
        fail("unknown mode " + mode)
    print("PASS " + mode)


if __name__ == "__main__":
    main()
