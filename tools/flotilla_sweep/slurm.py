"""The Slurm backend: runs become tasks of job arrays (sbatch --array), each
task one `flotilla-sweep exec` with --cpus-per-task equal to its -smp. A job
array has one --cpus-per-task, so the runs are grouped by CPU count: one
array per distinct count (a plain -smp axis of 1,2,4 makes three arrays).
The output directory must be on a file system the nodes share; the tasks
write OUT/runs/ID/result.json and the runner (run --wait, status, resume)
imports them. Slurm stays out of flotilla: a task is an ordinary run."""

import getpass
import os
import shlex
import subprocess
import sys
import time

from .progress import Progress


class SlurmError(Exception):
    pass


def _cmd(argv, what):
    try:
        p = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    except FileNotFoundError:
        raise SlurmError(f"{argv[0]} not found: is Slurm installed (Debian: slurm-client)?") from None
    except subprocess.TimeoutExpired:
        raise SlurmError(f"{what}: {argv[0]} did not answer in 120 s") from None
    if p.returncode != 0:
        raise SlurmError(f"{what}: {' '.join(argv[:2])} failed: {(p.stderr or p.stdout).strip()}")
    return p.stdout


def max_node_cpus():
    out = _cmd(["sinfo", "-h", "-o", "%c"], "reading node sizes")
    vals = [int(v.rstrip("+")) for v in out.split() if v.rstrip("+").isdigit()]
    if not vals:
        raise SlurmError("sinfo lists no nodes")
    return max(vals)


def queued(job_ids):
    """{(job_id, task)} of our array tasks still pending or running (squeue
    -r lists an array's pending tasks one by one). We list the user's jobs
    rather than ask for ours by id: squeue refuses ids it has forgotten."""
    if not job_ids:
        return set()
    out = _cmd(["squeue", "-h", "-r", "-u", getpass.getuser(), "-o", "%i"], "reading the queue")
    live = set()
    for tok in out.split():
        if "_" in tok:
            j, t = tok.split("_", 1)
            if j in job_ids and t.isdigit():
                live.add((j, int(t)))
    return live


def submit(out, spec, store, runs, worker_cmd, when):
    """Submit the not-yet-queued runs; returns the job ids."""
    limit = spec.slurm_max_cpus or max_node_cpus()
    groups = {}
    for r in runs:
        groups.setdefault(min(r["cpus"], limit), []).append(r)
    os.makedirs(os.path.join(out, "slurm"), exist_ok=True)
    ids = []
    for cpus, group in sorted(groups.items()):
        n = len(os.listdir(os.path.join(out, "slurm")))
        script = os.path.join(out, "slurm", f"array-{n:03d}-cpus{cpus}.sh")
        run_ids = [r["id"] for r in group]
        worker = " ".join(shlex.quote(a) for a in worker_cmd)
        with open(script, "w") as f:
            f.write("#!/bin/bash\n"
                    f"# flotilla-sweep {spec.name}: {len(group)} run(s) of {cpus} CPU(s)\n"
                    f"runs=({' '.join(run_ids)})\n"
                    f"exec {worker} exec {shlex.quote(out)} \"${{runs[$SLURM_ARRAY_TASK_ID]}}\" "
                    "--backend slurm --job-id \"${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}\"\n")
        os.chmod(script, 0o755)
        # The task limit is the run's timeout plus a margin for the worker.
        minutes = (spec.timeout + 120 + 59) // 60
        argv = ["sbatch", "--parsable", f"--array=0-{len(group) - 1}", f"--cpus-per-task={cpus}",
                "--ntasks=1", f"--job-name=flotilla-sweep-{spec.name}", f"--time={minutes}",
                "--output=" + os.path.join(out, "slurm", "%A_%a.out"), "--chdir=" + out]
        argv += spec.sbatch_args + [script]
        job = _cmd(argv, "submitting").strip().split(";")[0]
        if not job.isdigit():
            raise SlurmError(f"sbatch answered '{job}', not a job id")
        store.record_jobs(job, run_ids, when)
        ids.append(job)
        print(f"flotilla-sweep: submitted job array {job}: {len(group)} run(s), --cpus-per-task={cpus}",
              file=sys.stderr)
    return ids


def in_flight(store):
    """Run ids whose array tasks are still queued or running."""
    jobs = store.jobs()
    live = queued({j for j, _, _ in jobs})
    return {rid for j, t, rid in jobs if (j, t) in live}


def lost(store, done, flying):
    """Runs submitted, no longer in the queue, and without a result: the
    task died before writing one (node failure, scancel, time limit)."""
    out = {}
    for j, t, rid in store.jobs():
        if rid not in done and rid not in flying:
            out[rid] = f"{j}_{t}"
    return out


def wait(store, collect, total, poll=2.0, quiet=False):
    """Poll the queue, importing results, until none of our tasks is left.
    The bar counts the runs still to finish when it starts."""
    collect()
    seen, failed0 = len(store.done_ids()), len(store.failed_ids())
    prog = Progress(max(total - seen, 0), quiet=quiet, active="queued or running")
    try:
        while True:
            collect()
            flying = in_flight(store)
            now_done = len(store.done_ids())
            prog.failed = len(store.failed_ids()) - failed0
            prog.update(done=now_done - seen, running=len(flying))
            seen = now_done
            if not flying:
                collect()
                return
            time.sleep(poll)
    finally:
        prog.close()
