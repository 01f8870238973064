"""One run, as a worker process: `flotilla-sweep exec OUT RUN_ID [--pus L]`.
Both backends run this (the local pool as a child process, Slurm as an
array task), so both record a run the same way. It runs flotilla with
-stats, keeps the console output, measures wall and host CPU time, applies
the [collect] rules and writes OUT/runs/ID/result.json atomically; the
runner imports that file into the database."""

import ctypes
import datetime
import json
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import time

PR_SET_PDEATHSIG = 1


def die_with_parent():
    """For Popen(preexec_fn=die_with_parent()): child processes of a killed
    runner must not outlive it (resume would run their runs again beside
    them). If the parent died before prctl took effect, die now."""
    parent = os.getpid()

    def setup():
        try:
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        except (OSError, AttributeError):
            return
        if os.getppid() != parent:
            os._exit(137)
    return setup


def now():
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds")


def flotilla_version(binary):
    try:
        p = subprocess.run([binary, "-V"], capture_output=True, text=True, timeout=30)
        return p.stdout.strip() or None
    except (OSError, subprocess.TimeoutExpired):
        return None


def write_json_atomic(path, obj):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(obj, f, indent=1, sort_keys=True)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def last_line(text):
    lines = [l for l in text.splitlines() if l.strip()]
    return lines[-1].strip() if lines else ""


def execute(out, run_id, pus=None, backend="local", job_id=None):
    with open(os.path.join(out, "plan.json")) as f:
        plan = json.load(f)
    run = next((r for r in plan["runs"] if r["id"] == run_id), None)
    if run is None:
        raise SystemExit(f"flotilla-sweep exec: no run {run_id} in {out}/plan.json")
    rdir = os.path.join(out, "runs", run_id)
    os.makedirs(rdir, exist_ok=True)
    for name in ("result.json", "stats.json"):  # a previous attempt's
        try:
            os.unlink(os.path.join(rdir, name))
        except FileNotFoundError:
            pass
    stats_path = os.path.join(rdir, "stats.json")
    argv = list(run["argv"]) + ["-stats", stats_path]
    if pus:
        if shutil.which("hwloc-bind"):
            argv = ["hwloc-bind", "-p"] + ["pu:" + p for p in pus.split(",")] + ["--"] + argv
        else:
            os.sched_setaffinity(0, [int(p) for p in pus.split(",")])
    else:  # bound by someone else (Slurm's task/affinity, taskset): record where
        pus = ",".join(str(c) for c in sorted(os.sched_getaffinity(0)))
    res = {"run_id": run_id, "host": socket.gethostname(), "backend": backend, "job_id": job_id,
           "pus": pus, "flotilla_version": flotilla_version(run["argv"][0]), "started_at": now()}
    status, error, code = "ok", None, None
    t0 = time.monotonic()
    ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(os.path.join(rdir, "console.log"), "wb") as con, open(os.path.join(rdir, "stderr.log"), "wb") as err:
        try:
            p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=con, stderr=err,
                                 preexec_fn=die_with_parent())
        except OSError as e:
            p = None
            status, error = "failed", f"cannot start {argv[0]}: {e.strerror}"
        if p:
            try:
                code = p.wait(timeout=plan["timeout"])
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
                status, error = "timeout", f"killed after the {plan['timeout']} s timeout"
    wall = time.monotonic() - t0
    ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    res.update(finished_at=now(), exit_status=code, wall_s=round(wall, 6),
               user_s=round(ru1.ru_utime - ru0.ru_utime, 6), sys_s=round(ru1.ru_stime - ru0.ru_stime, 6))
    res["cpu_s"] = round(res["user_s"] + res["sys_s"], 6)
    with open(os.path.join(rdir, "console.log"), "r", errors="replace") as f:
        console = f.read()
    with open(os.path.join(rdir, "stderr.log"), "r", errors="replace") as f:
        stderr = f.read()
    stats = None
    try:
        with open(stats_path) as f:
            stats = json.load(f)
    except (OSError, ValueError):
        pass
    res["stats"] = stats
    results = {}
    for name, rx in plan["results"].items():
        m = re.search(rx, console, re.M)
        if m:
            v = m.group(1)
            for conv in (int, float):
                try:
                    v = conv(v)
                    break
                except ValueError:
                    pass
            results[name] = v
    res["results"] = results
    if status == "ok" and code not in plan["ok_exit"]:
        status = "failed"
        why = last_line(stderr) or last_line(console)
        error = f"exit status {code}" + (f": {why}" if why else "")
    if status == "ok":
        for rx in plan["fail_on"]:
            m = re.search(rx, console + stderr, re.M)
            if m:
                line_start = (console + stderr).rfind("\n", 0, m.start()) + 1
                status, error = "failed", "guest output: " + (console + stderr)[line_start:].split("\n")[0].strip()
                break
    if status == "ok":
        missing = [n for n in plan["results"] if n not in results]
        if missing:
            status, error = "failed", "no match in the guest output for " + ", ".join(missing)
    res["status"], res["error"] = status, error
    write_json_atomic(os.path.join(rdir, "result.json"), res)
    return 0
