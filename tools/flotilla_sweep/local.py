"""The local backend: a job pool on this host's PUs. hwloc lists the PUs in
its logical order (PUs of one core, then cores of one cache, together); a
run of -smp N gets N free PUs, taken from that order so they are close,
and is bound to them (hwloc-bind -p, OS numbers), so runs never share a PU. A run wanting
more PUs than the host has gets all of them, alone."""

import os
import shutil
import signal
import subprocess
import sys
import time

from .execute import die_with_parent
from .progress import Progress


def host_pus():
    """OS numbers of the PUs we may use, in hwloc's logical order (the
    numbers `hwloc-bind -p pu:N`, taskset and flotilla's -pin LIST take)."""
    allowed = os.sched_getaffinity(0)
    if shutil.which("hwloc-calc") and shutil.which("hwloc-bind"):
        try:
            p = subprocess.run(["hwloc-calc", "--physical-output", "--intersect", "PU", "all"],
                               capture_output=True, text=True, timeout=30)
            pus = [v for v in p.stdout.strip().split(",") if v.isdigit() and int(v) in allowed]
            if p.returncode == 0 and pus:
                return pus, "hwloc"
        except (OSError, subprocess.TimeoutExpired):
            pass
    return [str(c) for c in sorted(allowed)], "affinity"


class LocalPool:
    def __init__(self, out, store, runs, worker_cmd, jobs=None, quiet=False):
        self.out = out
        self.store = store
        self.runs = runs
        self.worker_cmd = worker_cmd
        self.pus, self.how = host_pus()
        if jobs:  # --max-pus: use only the first N PUs
            self.pus = self.pus[:jobs]
        self.quiet = quiet

    def _take(self, free, n):
        """n free PUs, the first contiguous window in logical order if there is one."""
        n = min(n, len(self.pus))
        if len(free) < n:
            return None
        order = [p for p in self.pus if p in free]
        idx = {p: i for i, p in enumerate(self.pus)}
        for i in range(len(order) - n + 1):
            win = order[i:i + n]
            if idx[win[-1]] - idx[win[0]] == n - 1:
                return win
        return order[:n]

    def run(self, import_result):
        pending = list(self.runs)
        free = set(self.pus)
        active = {}  # pid -> (Popen, run, pus)
        prog = Progress(len(pending), quiet=self.quiet)
        stop = []

        def on_signal(sig, frame):
            stop.append(sig)
        old = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
        try:
            while (pending or active) and not stop:
                finished = [pid for pid, (p, _, _) in active.items() if p.poll() is not None]
                done = failed = 0
                for pid in finished:
                    p, r, got = active.pop(pid)
                    free |= set(got)
                    done += 1
                    failed += 0 if import_result(r, worker_status=p.returncode) else 1
                # Start whatever fits, in plan order: a smaller run may pass a
                # bigger one waiting for PUs, but only as many times as there
                # are PUs; then the bigger one gets the next free PUs (no starving).
                waiting = None
                for r in list(pending):
                    got = self._take(free, r["cpus"])
                    if got is None:
                        if waiting is None:
                            waiting = r
                            if r.setdefault("_passed", 0) >= len(self.pus):
                                break
                        continue
                    if waiting is not None:
                        waiting["_passed"] += 1
                    pending.remove(r)
                    free -= set(got)
                    cmd = self.worker_cmd + ["exec", self.out, r["id"], "--pus", ",".join(got)]
                    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, preexec_fn=die_with_parent())
                    active[p.pid] = (p, r, got)
                prog.update(done=done, failed=failed, running=len(active))
                if not finished:
                    time.sleep(0.05)
        finally:
            for s, h in old.items():
                signal.signal(s, h)
            if active:
                for p, _, _ in active.values():
                    p.kill()
                for p, _, _ in active.values():
                    p.wait()
            prog.close()
        if stop:
            print(f"flotilla-sweep: interrupted with {len(pending) + len(active)} run(s) not done; "
                  "run the same command again to resume", file=sys.stderr)
            return 130
        return 0
