"""The results database: OUT/results.db (SQLite), one row per finished run in
table `runs`, with a column per axis, per collected guest result and per
chosen -stats field (docs/sweeps.md lists them). Only the runner process
writes it; workers write OUT/runs/ID/result.json, which the runner imports
(so a run that finished while nobody was importing is never lost)."""

import json
import os
import sqlite3

from . import spec as specmod

BASE_COLUMNS = [
    ("run_id", "TEXT PRIMARY KEY"), ("sweep", "TEXT"), ("combo", "INTEGER"), ("rep", "INTEGER"),
]
TAIL_COLUMNS = [
    ("status", "TEXT"), ("error", "TEXT"), ("exit_status", "INTEGER"), ("wall_s", "REAL"),
    ("user_s", "REAL"), ("sys_s", "REAL"), ("cpu_s", "REAL"), ("host", "TEXT"),
    ("flotilla_version", "TEXT"), ("backend", "TEXT"), ("job_id", "TEXT"), ("pus", "TEXT"),
    ("started_at", "TEXT"), ("finished_at", "TEXT"), ("command", "TEXT"), ("stats_json", "TEXT"),
]


def q(name):
    return '"' + name.replace('"', '""') + '"'


class Store:
    def __init__(self, out, spec):
        self.out = out
        self.spec = spec
        os.makedirs(out, exist_ok=True)
        self.db = sqlite3.connect(os.path.join(out, "results.db"), timeout=60)
        self.axis_cols = [specmod.column_name(a) for a in spec.axes]
        self.result_cols = [specmod.column_name(r) for r in spec.result_res]
        self.stats_cols = ["stats_" + specmod.column_name(f.replace(".", "_")) for f in spec.stats_fields]
        self._create()

    def _create(self):
        cols = list(BASE_COLUMNS)
        cols += [(c, "") for c in self.axis_cols]
        cols += TAIL_COLUMNS
        cols += [(c, "") for c in self.result_cols + self.stats_cols]
        c = self.db.cursor()
        c.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
        c.execute("CREATE TABLE IF NOT EXISTS runs (" + ", ".join(f"{q(n)} {t}".strip() for n, t in cols) + ")")
        c.execute("CREATE TABLE IF NOT EXISTS jobs (job_id TEXT, task INTEGER, run_id TEXT, "
                  "submitted_at TEXT, PRIMARY KEY (job_id, task))")
        # A sweep file may gain axes or results later: add their columns.
        have = {r[1] for r in c.execute("PRAGMA table_info(runs)")}
        for n, t in cols:
            if n not in have:
                c.execute(f"ALTER TABLE runs ADD COLUMN {q(n)} {t}")
        self.db.commit()

    def meta(self, key, value=None):
        if value is None:
            r = self.db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
            return r[0] if r else None
        self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))
        self.db.commit()

    def done_ids(self):
        return {r[0] for r in self.db.execute("SELECT run_id FROM runs")}

    def failed_ids(self):
        return {r[0] for r in self.db.execute("SELECT run_id FROM runs WHERE status != 'ok'")}

    def forget(self, ids):
        """Drop runs (to run them again), and their old Slurm tasks with them."""
        self.db.executemany("DELETE FROM runs WHERE run_id=?", [(i,) for i in ids])
        self.db.executemany("DELETE FROM jobs WHERE run_id=?", [(i,) for i in ids])
        self.db.commit()

    def insert(self, run, res):
        """One finished run: its plan entry and the worker's result.json."""
        row = {"run_id": run["id"], "sweep": self.spec.name, "combo": run["combo"], "rep": run["rep"]}
        for a, v in run["axes"].items():
            row[specmod.column_name(a)] = v
        for k in ("status", "error", "exit_status", "wall_s", "user_s", "sys_s", "cpu_s", "host",
                  "flotilla_version", "backend", "job_id", "pus", "started_at", "finished_at"):
            row[k] = res.get(k)
        row["command"] = " ".join(run["argv"])
        row["stats_json"] = json.dumps(res["stats"]) if res.get("stats") is not None else None
        for k, v in (res.get("results") or {}).items():
            row[specmod.column_name(k)] = v
        stats = res.get("stats") or {}
        for f, c in zip(self.spec.stats_fields, self.stats_cols):
            v = stats
            for part in f.split("."):
                v = v.get(part) if isinstance(v, dict) else None
            row[c] = v if isinstance(v, (int, float, str)) or v is None else json.dumps(v)
        names = list(row)
        self.db.execute(f"INSERT OR REPLACE INTO runs ({', '.join(map(q, names))}) VALUES "
                        f"({', '.join('?' * len(names))})", [row[n] for n in names])
        self.db.commit()

    def record_jobs(self, job_id, run_ids, when):
        self.db.executemany("INSERT OR REPLACE INTO jobs VALUES (?, ?, ?, ?)",
                            [(job_id, i, rid, when) for i, rid in enumerate(run_ids)])
        self.db.commit()

    def jobs(self):
        return self.db.execute("SELECT job_id, task, run_id FROM jobs").fetchall()

    def rows(self, where="1"):
        cur = self.db.execute(f"SELECT * FROM runs WHERE {where} ORDER BY combo, rep")
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r)) for r in cur.fetchall()]
