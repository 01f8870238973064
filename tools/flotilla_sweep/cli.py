"""flotilla-sweep: parameter sweeps of flotilla runs (docs/sweeps.md).

  flotilla-sweep run SPEC [-o OUT] [--backend local|slurm] [--wait] ...
  flotilla-sweep resume SPEC [-o OUT]     run what is not done yet
  flotilla-sweep status SPEC [-o OUT]     what is done, failed, queued, missing
  flotilla-sweep report SPEC [-o OUT]     OUT/report.md and OUT/scaling.png
  flotilla-sweep exec OUT RUN_ID          one run (what the backends start)"""

import argparse
import datetime
import fcntl
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys

from . import execute, local, report, slurm
from . import spec as specmod
from .store import Store


class Fail(Exception):
    pass


def find_flotilla(args, spec):
    cand = args.flotilla or spec.flotilla or os.environ.get("FLOTILLA_SWEEP_FLOTILLA")
    if not cand:
        here = os.path.dirname(os.path.realpath(sys.argv[0]))
        cand = os.path.join(here, "flotilla") if os.path.exists(os.path.join(here, "flotilla")) else "flotilla"
    path = shutil.which(os.path.expanduser(cand))
    if not path:
        raise Fail(f"flotilla binary '{cand}' not found (--flotilla PATH or [sweep] flotilla)")
    return os.path.abspath(path)


def flotilla_options(binary):
    try:
        p = subprocess.run([binary, "-h"], capture_output=True, text=True, timeout=30)
    except OSError as e:
        raise Fail(f"cannot run {binary}: {e.strerror}") from None
    opts = set()
    for line in (p.stdout + p.stderr).splitlines():
        for m in re.finditer(r"(?:^\s+|,\s*)-([A-Za-z][A-Za-z0-9-]*)", line):
            opts.add(m.group(1))
    if "smp" not in opts:
        raise Fail(f"{binary} -h did not list flotilla's options: is it flotilla?")
    return opts


def parse_sets(items):
    out = {}
    for it in items or []:
        if "=" not in it:
            raise Fail(f"--set {it}: expected NAME=VALUE")
        k, v = it.split("=", 1)
        if not specmod.IDENT.match(k):
            raise Fail(f"--set {it}: '{k}' is not a variable name")
        out[k] = v
    return out


def out_dir(args, spec):
    d = args.out or spec.out or f"sweep-{spec.name}"
    return os.path.abspath(os.path.expanduser(d))


def absolutize(argv):
    """Relative paths of file options are relative to where `run` was typed;
    workers (and Slurm tasks) run elsewhere."""
    out = list(argv)
    for i in range(1, len(out) - 1):
        if out[i] in ("-kernel", "-initrd", "-config", "-D") and not os.path.isabs(out[i + 1]):
            out[i + 1] = os.path.abspath(out[i + 1])
    return out


class Sweep:
    """A sweep file with its output directory, database and run plan."""

    def __init__(self, args):
        self.spec = specmod.load(args.spec, parse_sets(args.set))
        self.out = out_dir(args, self.spec)
        self.flotilla = find_flotilla(args, self.spec)
        self.spec.check_options(flotilla_options(self.flotilla))
        self.runs = self.spec.runs(self.flotilla, self.out)
        for r in self.runs:
            r["argv"] = absolutize(r["argv"])
        self.by_id = {r["id"]: r for r in self.runs}
        os.makedirs(self.out, exist_ok=True)
        self.store = Store(self.out, self.spec)
        h = self.spec.template_hash()
        old = self.store.meta("template")
        if old and old != h and not getattr(args, "force", False):
            raise Fail(f"{self.out} holds results of a different [run]/[vars]/[collect] template; "
                       "use another -o directory (or --force to mix them)")
        if not old or getattr(args, "force", False):
            self.store.meta("template", h)
        self.store.meta("spec", self.spec.text)

    def write_plan(self):
        plan = {"name": self.spec.name, "timeout": self.spec.timeout, "results": self.spec.result_res,
                "fail_on": self.spec.fail_on, "ok_exit": self.spec.ok_exit, "runs": self.runs}
        execute.write_json_atomic(os.path.join(self.out, "plan.json"), plan)

    def import_result(self, run, worker_status=0, lost_error=None):
        """Import OUT/runs/ID/result.json; True if the run succeeded."""
        path = os.path.join(self.out, "runs", run["id"], "result.json")
        try:
            with open(path) as f:
                res = json.load(f)
        except (OSError, ValueError):
            res = {"status": "failed",
                   "error": lost_error or f"the worker ended (status {worker_status}) without a result"}
        self.store.insert(run, res)
        return res.get("status") == "ok"

    def collect(self):
        """Import result files the database does not have yet."""
        done = self.store.done_ids()
        n = 0
        for rid, run in self.by_id.items():
            if rid not in done and os.path.exists(os.path.join(self.out, "runs", rid, "result.json")):
                self.import_result(run)
                n += 1
        return n

    def worker_cmd(self):
        return [sys.executable, os.path.abspath(sys.argv[0])]


def now():
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")


def record_lost(sw, done, flying):
    """Array tasks that left the queue without a result become failed rows."""
    for rid, task in slurm.lost(sw.store, done, flying).items():
        if rid in sw.by_id:
            sw.import_result(sw.by_id[rid], lost_error=f"Slurm task {task} ended without a result "
                             f"(cancelled, time limit or node failure; see slurm/{task}.out)")


def cmd_run(args, resume=False):
    sw = Sweep(args)
    # One runner per output directory: two would run the same runs twice.
    lock = open(os.path.join(sw.out, "runner.lock"), "w")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        raise Fail(f"another flotilla-sweep run/resume is working in {sw.out}") from None
    backend = args.backend or sw.store.meta("backend") or sw.spec.backend
    if resume and sw.store.meta("backend") is None:
        raise Fail(f"{sw.out}: nothing to resume (no sweep was started there)")
    sw.store.meta("backend", backend)
    sw.write_plan()
    sw.collect()
    if args.retry_failed:
        again = sw.store.failed_ids() & set(sw.by_id)
        for rid in again:  # or collect() would bring the old failure back
            old = os.path.join(sw.out, "runs", rid, "result.json")
            if os.path.exists(old):
                os.replace(old, old + ".failed")
        sw.store.forget(again)
    done = sw.store.done_ids()
    flying = set()
    if backend == "slurm":
        flying = slurm.in_flight(sw.store)
        record_lost(sw, done, flying)
        done = sw.store.done_ids()
    todo = [r for r in sw.runs if r["id"] not in done and r["id"] not in flying]
    if not args.quiet:
        print(f"flotilla-sweep: {sw.spec.name}: {len(sw.runs)} runs, {len(done & set(sw.by_id))} done, "
              f"{len(flying)} queued, {len(todo)} to run ({backend}); results in {sw.out}/results.db",
              file=sys.stderr)
    if backend == "local":
        pool = local.LocalPool(sw.out, sw.store, todo, sw.worker_cmd(), jobs=args.max_pus, quiet=args.quiet)
        rc = pool.run(sw.import_result)
    else:
        if todo:
            slurm.submit(sw.out, sw.spec, sw.store, todo, sw.worker_cmd(), now())
        rc = 0
        if args.wait:
            slurm.wait(sw.store, sw.collect, len(sw.runs), quiet=args.quiet)
            done = sw.store.done_ids()
            record_lost(sw, done, set())
        else:
            print("flotilla-sweep: follow it with `flotilla-sweep status` (same arguments); "
                  "`resume --wait` waits and collects", file=sys.stderr)
    return rc or summary(sw, quiet=args.quiet)


def summary(sw, quiet=False):
    rows = [r for r in sw.store.rows() if r["run_id"] in sw.by_id]
    failed = [r for r in rows if r["status"] != "ok"]
    if not quiet:
        print(f"flotilla-sweep: {len(rows)}/{len(sw.runs)} runs recorded, {len(failed)} failed", file=sys.stderr)
    return 0


def cmd_status(args):
    sw = Sweep(args)
    sw.collect()
    backend = sw.store.meta("backend") or "not started"
    flying = set()
    if backend == "slurm":
        flying = slurm.in_flight(sw.store)
        record_lost(sw, sw.store.done_ids(), flying)
    rows = {r["run_id"]: r for r in sw.store.rows()}
    ok = sum(1 for i in sw.by_id if i in rows and rows[i]["status"] == "ok")
    failed = [rows[i] for i in sw.by_id if i in rows and rows[i]["status"] != "ok"]
    missing = [i for i in sw.by_id if i not in rows and i not in flying]
    print(f"sweep {sw.spec.name} ({backend}) in {sw.out}")
    print(f"  runs {len(sw.runs)}: ok {ok}, failed {len(failed)}, queued/running {len(flying)}, "
          f"not done {len(missing)}")
    for r in failed[:20]:
        axes = ", ".join(f"{a}={r[specmod.column_name(a)]}" for a in sw.spec.axes)
        print(f"  failed {r['run_id']} ({axes}, rep {r['rep']}): {r['error']}")
    if missing and not flying:
        print(f"  `flotilla-sweep resume` (same arguments as run) runs the {len(missing)} not done")
    return 0


def cmd_report(args):
    sw = Sweep(args)
    sw.collect()
    path, plot = report.build(sw.spec, sw.store, sw.out, png=not args.no_plot)
    print(path)
    if plot:
        print(plot)
    return 0


def cmd_exec(args):
    if not os.path.isfile(os.path.join(args.out_dir, "plan.json")):
        raise Fail(f"exec: {args.out_dir} has no plan.json (exec is started by run/resume)")
    return execute.execute(os.path.abspath(args.out_dir), args.run_id, pus=args.pus, backend=args.backend,
                           job_id=args.job_id)


def parser():
    p = argparse.ArgumentParser(prog="flotilla-sweep", description="Parameter sweeps of flotilla runs "
                                "(docs/sweeps.md): local job pool or Slurm job arrays, results in SQLite.")
    sub = p.add_subparsers(dest="cmd", required=True)

    def common(sp):
        sp.add_argument("spec", help="the sweep file (TOML)")
        sp.add_argument("-o", "--out", help="output directory (default: [sweep] out, else ./sweep-NAME)")
        sp.add_argument("--flotilla", help="flotilla binary (default: [sweep] flotilla, the build's, PATH)")
        sp.add_argument("--set", action="append", metavar="NAME=VALUE", help="set a [vars] variable")
        sp.add_argument("--force", action="store_true", help="accept a changed template in OUT")
    for name, hlp in (("run", "run the sweep (resumes an interrupted one)"),
                      ("resume", "run what an earlier run or resume left undone")):
        sp = sub.add_parser(name, help=hlp)
        common(sp)
        sp.add_argument("--backend", choices=["local", "slurm"], help="default: [sweep] backend, else local")
        sp.add_argument("--wait", action="store_true", help="slurm: wait for the jobs and collect the results")
        sp.add_argument("--max-pus", type=int, metavar="N", help="local: use only the first N host PUs")
        sp.add_argument("--retry-failed", action="store_true", help="run failed runs again")
        sp.add_argument("-q", "--quiet", action="store_true", help="no progress output")
    sp = sub.add_parser("status", help="counts of done, failed, queued and missing runs")
    common(sp)
    sp = sub.add_parser("report", help="Markdown table and PNG plots from the results")
    common(sp)
    sp.add_argument("--no-plot", action="store_true")
    sp = sub.add_parser("exec", help=argparse.SUPPRESS)
    sp.add_argument("out_dir")
    sp.add_argument("run_id")
    sp.add_argument("--pus")
    sp.add_argument("--backend", default="local")
    sp.add_argument("--job-id")
    return p


def main(argv=None):
    args = parser().parse_args(argv)
    if getattr(args, "max_pus", None) is not None and args.max_pus < 1:
        print("flotilla-sweep: --max-pus must be at least 1", file=sys.stderr)
        return 2
    try:
        if args.cmd == "run":
            return cmd_run(args)
        if args.cmd == "resume":
            return cmd_run(args, resume=True)
        if args.cmd == "status":
            return cmd_status(args)
        if args.cmd == "report":
            return cmd_report(args)
        return cmd_exec(args)
    except (Fail, specmod.SpecError, slurm.SlurmError, report.ReportError) as e:
        print(f"flotilla-sweep: {e}", file=sys.stderr)
        return 1
    except OSError as e:  # an unwritable -o, a full disk: one line, not a traceback
        print(f"flotilla-sweep: {e.filename + ': ' if e.filename else ''}{e.strerror or e}", file=sys.stderr)
        return 1
    except sqlite3.Error as e:
        print(f"flotilla-sweep: results database: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
