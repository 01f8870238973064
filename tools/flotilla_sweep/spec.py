"""The sweep description: a TOML file read with tomllib, checked, and
expanded into the list of runs (docs/sweeps.md has the format).

Every error names the file and line it comes from: tomllib reports syntax
errors with their line; for a well-formed file with a wrong key or value we
find the line of that key ourselves (tomllib keeps no positions)."""

import hashlib
import itertools
import json
import os
import re
import string
import tomllib


class SpecError(Exception):
    pass


# Options the runner sets itself: a spec may not.
RESERVED = {"stats", "h", "help", "V", "version"}
# ${...} names every run has: its repetition number (1..) and its own
# directory OUT/runs/ID (for per-run files, e.g. D = "${run_dir}/trace.log").
BUILTINS = {"rep", "run_dir"}
# Column names the results table uses for its own fields.
FIXED_COLUMNS = {
    "run_id", "sweep", "combo", "rep", "status", "error", "exit_status", "wall_s", "user_s",
    "sys_s", "cpu_s", "host", "flotilla_version", "backend", "job_id", "pus", "started_at",
    "finished_at", "command", "stats_json",
}
SECTIONS = {"sweep", "vars", "run", "axes", "collect", "report", "slurm"}
SWEEP_KEYS = {"name", "repetitions", "timeout", "out", "flotilla", "backend"}
COLLECT_KEYS = {"stats", "results", "fail_on", "ok_exit"}
REPORT_KEYS = {"x", "metric", "higher_is_better", "scaling"}
SLURM_KEYS = {"sbatch", "max_cpus"}
IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


def column_name(name):
    return name.replace("-", "_")


class Spec:
    """A checked sweep description."""

    def __init__(self, path, text, data, overrides):
        self.path = os.path.abspath(path)
        self.text = text
        self.data = data
        self.lines = text.splitlines()
        self._check(overrides)

    # -- locating keys for error messages ------------------------------
    def line_of(self, section, key=None):
        """1-based line of `key` in [section] (or of the header), or None."""
        cur = None
        header = sub = None
        key_re = re.compile(r'^\s*("?)' + re.escape(key) + r'\1\s*=') if key else None
        for i, line in enumerate(self.lines, 1):
            m = re.match(r"^\s*\[+\s*([^\]]+?)\s*\]+", line)
            if m:
                cur = m.group(1).strip()
                if cur == section and header is None:
                    header = i
                continue
            if key_re and cur == section and key_re.match(line):
                return i
            if key_re and cur is None and section is None and key_re.match(line):
                return i
            if key and cur == f"{section}.{key}" and sub is None:
                sub = i  # written as a sub-table: [collect.results]
        return sub or header

    def error(self, section, key, msg):
        line = self.line_of(section, key)
        where = f"{self.path}:{line}" if line else self.path
        what = f"[{section}] {key}" if key else f"[{section}]"
        return SpecError(f"{where}: {what}: {msg}")

    # -- checking -------------------------------------------------------
    def _table(self, name, required=False):
        v = self.data.get(name, {})
        if name not in self.data and required:
            raise SpecError(f"{self.path}: missing section [{name}]")
        if not isinstance(v, dict):
            raise self.error(None, name, "must be a table ([" + name + "])")
        return v

    def _check(self, overrides):
        for k in self.data:
            if k not in SECTIONS:
                raise self.error(None, k, f"unknown section or key (sections: {', '.join(sorted(SECTIONS))})")
        sw = self._table("sweep", required=True)
        for k in sw:
            if k not in SWEEP_KEYS:
                raise self.error("sweep", k, f"unknown key (known: {', '.join(sorted(SWEEP_KEYS))})")
        self.name = sw.get("name")
        if not isinstance(self.name, str) or not re.match(r"^[A-Za-z0-9_.-]+$", self.name or ""):
            raise self.error("sweep", "name", "needs a name of letters, digits, '.', '_' or '-'")
        self.repetitions = self._int("sweep", "repetitions", sw.get("repetitions", 1), 1, 10000)
        self.timeout = self._int("sweep", "timeout", sw.get("timeout", 600), 1, 7 * 86400)
        self.out = sw.get("out")
        self.flotilla = sw.get("flotilla")
        self.backend = sw.get("backend", "local")
        for k in ("out", "flotilla", "backend"):
            if k in sw and not isinstance(sw[k], str):
                raise self.error("sweep", k, "must be a string")
        if self.backend not in ("local", "slurm"):
            raise self.error("sweep", "backend", f"'{self.backend}' is not local or slurm")

        self.vars = {}
        for k, v in self._table("vars").items():
            if not IDENT.match(k) or not isinstance(v, (str, int, float)) or isinstance(v, bool):
                raise self.error("vars", k, "a variable is a name with a string or number value")
            self.vars[k] = v
        for k, v in overrides.items():
            self.vars[k] = v

        self.run = self._table("run", required=True)
        for k, v in self.run.items():
            if k in RESERVED:
                raise self.error("run", k, f"-{k} is set by the runner")
            if k == "args":
                if not isinstance(v, list) or not all(isinstance(a, str) for a in v):
                    raise self.error("run", k, "must be a list of strings (extra arguments, verbatim)")
            elif not IDENT.match(k):
                raise self.error("run", k, "not an option name")
            elif not isinstance(v, (str, int, float, bool)):
                raise self.error("run", k, "an option's value is a string, number or true/false")

        axes = self._table("axes", required=True)
        if not axes:
            raise self.error("axes", None, "needs at least one axis")
        self.axes = {}
        for k, vals in axes.items():
            if not IDENT.match(k) or k in RESERVED or k == "args":
                raise self.error("axes", k, "not a usable axis name")
            if not isinstance(vals, list) or not vals:
                raise self.error("axes", k, "must be a non-empty list of values")
            for v in vals:
                if not isinstance(v, (str, int, float, bool)):
                    raise self.error("axes", k, "values are strings, numbers or true/false")
            if len(set(map(repr, vals))) != len(vals):
                raise self.error("axes", k, "repeats a value (use [sweep] repetitions)")
            if column_name(k) in FIXED_COLUMNS:
                raise self.error("axes", k, "clashes with a results column of the same name")
            if k in self.vars:
                raise self.error("axes", k, "is also a [vars] variable")
            self.axes[k] = vals

        col = self._table("collect")
        for k in col:
            if k not in COLLECT_KEYS:
                raise self.error("collect", k, f"unknown key (known: {', '.join(sorted(COLLECT_KEYS))})")
        self.stats_fields = col.get("stats", [])
        if not isinstance(self.stats_fields, list) or not all(
                isinstance(s, str) and re.match(r"^[A-Za-z0-9_.]+$", s) for s in self.stats_fields):
            raise self.error("collect", "stats", "must be a list of -stats JSON fields (dotted paths)")
        self.results = col.get("results", {})
        if not isinstance(self.results, dict):
            raise self.error("collect", "results", "must be a table: name = 'regex with one group'")
        self.result_res = {}
        for k, rx in self.results.items():
            if not IDENT.match(k) or not isinstance(rx, str):
                raise self.error("collect", "results", f"'{k}': a result is name = 'regex'")
            try:
                r = re.compile(rx, re.M)
            except re.error as e:
                raise self.error("collect", "results", f"'{k}': bad regex: {e}") from None
            if r.groups != 1:
                raise self.error("collect", "results", f"'{k}': the regex needs exactly one (group)")
            self.result_res[k] = rx
        self.fail_on = col.get("fail_on", [])
        if not isinstance(self.fail_on, list) or not all(isinstance(s, str) for s in self.fail_on):
            raise self.error("collect", "fail_on", "must be a list of regexes")
        for rx in self.fail_on:
            try:
                re.compile(rx)
            except re.error as e:
                raise self.error("collect", "fail_on", f"bad regex '{rx}': {e}") from None
        self.ok_exit = col.get("ok_exit", [0])
        if not isinstance(self.ok_exit, list) or not all(isinstance(s, int) for s in self.ok_exit):
            raise self.error("collect", "ok_exit", "must be a list of exit statuses")

        cols = set(FIXED_COLUMNS) | {column_name(a) for a in self.axes}
        for name in list(self.result_res) + ["stats_" + column_name(f.replace(".", "_")) for f in self.stats_fields]:
            c = column_name(name)
            if c in cols:
                raise self.error("collect", None, f"column '{c}' would appear twice in the results")
            cols.add(c)

        rep = self._table("report")
        for k in rep:
            if k not in REPORT_KEYS:
                raise self.error("report", k, f"unknown key (known: {', '.join(sorted(REPORT_KEYS))})")
        self.report_x = rep.get("x", "smp")
        self.report_metric = rep.get("metric", "wall_s")
        self.report_higher = rep.get("higher_is_better", False)
        self.report_scaling = rep.get("scaling", "strong")
        if not isinstance(self.report_higher, bool):
            raise self.error("report", "higher_is_better", "must be true or false")
        if self.report_scaling not in ("strong", "weak"):
            raise self.error("report", "scaling", "is strong (same work at every x) or weak (work grows with x)")
        if not isinstance(self.report_x, str) or not isinstance(self.report_metric, str):
            raise self.error("report", None, "x and metric are column names")

        sl = self._table("slurm")
        for k in sl:
            if k not in SLURM_KEYS:
                raise self.error("slurm", k, f"unknown key (known: {', '.join(sorted(SLURM_KEYS))})")
        self.sbatch_args = sl.get("sbatch", [])
        if not isinstance(self.sbatch_args, list) or not all(isinstance(s, str) for s in self.sbatch_args):
            raise self.error("slurm", "sbatch", "must be a list of extra sbatch arguments")
        self.slurm_max_cpus = sl.get("max_cpus")
        if self.slurm_max_cpus is not None:
            self._int("slurm", "max_cpus", self.slurm_max_cpus, 1, 1 << 20)

        # Every ${name} must be known, and every axis must do something.
        for k in list(self.vars) + list(self.axes):
            if k in BUILTINS:
                section = "axes" if k in self.axes else "vars"
                raise self.error(section, k, f"${{{k}}} is built in (the run's {'repetition' if k == 'rep' else 'directory'})")
        known = set(self.vars) | set(self.axes) | BUILTINS
        used = set()
        for k, v in self.run.items():
            for s in (v if isinstance(v, list) else [v]):
                if isinstance(s, str):
                    for name in self._refs("run", k, s):
                        if name not in known:
                            raise self.error("run", k, f"${{{name}}} is neither an axis nor a [vars] variable")
                        used.add(name)
        for k, v in self.vars.items():
            if isinstance(v, str):
                for name in self._refs("vars", k, v):
                    if name not in self.axes:
                        raise self.error("vars", k, f"${{{name}}}: a variable may refer to axes only")
                    used.add(name)
        self.used_refs = used
        self.option_axes = None  # set by check_options

    def _refs(self, section, key, s):
        try:
            t = string.Template(s)
            if not t.is_valid():
                raise ValueError
            return t.get_identifiers()
        except ValueError:
            raise self.error(section, key, "bad ${...} reference (write $$ for a literal $)") from None

    def _int(self, section, key, v, lo, hi):
        if not isinstance(v, int) or isinstance(v, bool) or not lo <= v <= hi:
            raise self.error(section, key, f"must be an integer from {lo} to {hi}")
        return v

    def check_options(self, known_options):
        """Options in [run] and option axes must be flotilla's (from its -h)."""
        for k in self.run:
            if k != "args" and k not in known_options:
                raise self.error("run", k, f"-{k} is not a flotilla option (flotilla -h lists them)")
        # An axis named after an option sets it (and may also be used as ${name});
        # any other axis is a variable and must be used somewhere.
        for a in self.axes:
            if a not in known_options and a not in self.used_refs:
                raise self.error("axes", a, f"-{a} is not a flotilla option, and no ${{{a}}} in [run] uses it")
        self.option_axes = [a for a in self.axes if a in known_options]

    # -- expansion --------------------------------------------------------
    def template_hash(self):
        """What makes two runs with the same axis values the same run."""
        keep = {k: self.data.get(k) for k in ("run", "vars", "collect")}
        keep["vars"] = self.vars
        return hashlib.sha1(json.dumps(keep, sort_keys=True).encode()).hexdigest()[:16]

    def runs(self, flotilla, out_dir):
        names = list(self.axes)
        out = []
        for combo, values in enumerate(itertools.product(*(self.axes[n] for n in names))):
            point = dict(zip(names, values))
            for rep in range(1, self.repetitions + 1):
                key = json.dumps([point, rep], sort_keys=True)
                rid = hashlib.sha1(key.encode()).hexdigest()[:12]
                argv = self.command(flotilla, point, {"rep": str(rep),
                                                      "run_dir": os.path.join(out_dir, "runs", rid)})
                out.append({
                    "id": rid, "combo": combo, "rep": rep, "axes": point, "argv": argv,
                    "cpus": self.cpus_of(point),
                })
        return out

    def cpus_of(self, point):
        v = point.get("smp", self.run.get("smp", 1))
        try:
            return max(1, int(str(v).split(",")[0]))
        except ValueError:
            return 1

    def command(self, flotilla, point, builtins):
        subst = {k: str(v) for k, v in point.items()}
        subst.update(builtins)
        vars_ = {k: string.Template(v).substitute(subst) if isinstance(v, str) else str(v)
                 for k, v in self.vars.items()}
        subst.update(vars_)
        opts = dict(self.run)
        extra = opts.pop("args", [])
        for a in self.option_axes:
            opts[a] = point[a]
        argv = [flotilla]
        for k, v in opts.items():
            if isinstance(v, bool):
                if v:
                    argv.append("-" + k)
                continue
            s = string.Template(v).substitute(subst) if isinstance(v, str) else str(v)
            if k in ("kernel", "initrd", "config", "D"):
                s = os.path.expanduser(s)
            argv += ["-" + k, s]
        argv += [string.Template(a).substitute(subst) for a in extra]
        return argv


def load(path, overrides=None):
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as e:
        raise SpecError(f"{path}: cannot read: {e.strerror}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw[:e.start].count(b"\n") + 1
        raise SpecError(f"{os.path.abspath(path)}:{line}: not UTF-8 text") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        msg = str(e)
        m = re.search(r"\(at line (\d+), column (\d+)\)", msg)
        if m:
            msg = re.sub(r"\s*\(at line \d+, column \d+\)", "", msg)
            raise SpecError(f"{os.path.abspath(path)}:{m.group(1)}:{m.group(2)}: TOML syntax: {msg}") from None
        raise SpecError(f"{os.path.abspath(path)}: TOML syntax: {msg}") from None
    return Spec(path, text, data, overrides or {})
