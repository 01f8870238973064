#!/usr/bin/env python3
"""flotilla vs qemu-system-aarch64 (TCG): the runner behind bench/run.sh.

Boots the same kernel and benchmark initramfs on both simulators, interleaved
(flotilla, QEMU, flotilla, QEMU, ...), timestamps the guest's BENCH-* console
lines on the host as they arrive, checks every workload's output, and writes
results.json, results.md, *.dat and PNG plots (gnuplot) into --out.

Host-side times: boot = launch -> "BENCH-INIT" (printed by /init as its first
action); a workload = its BENCH-BEGIN -> BENCH-END lines. Micro-costs are
timed inside the guest with its own clock (both simulators derive the guest
counter from host real time)."""
import argparse
import datetime
import hashlib
import json
import os
import platform
import resource
import select
import shutil
import signal
import statistics
import subprocess
import time

SIMS = ("flotilla", "qemu")


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def proc_cpu(pid):
    """(user, sys) CPU seconds of a live process, all its threads (None if gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        tck = os.sysconf("SC_CLK_TCK")
        return (int(fields[11]) / tck, int(fields[12]) / tck)
    except (OSError, IndexError, ValueError):
        return None


def run_logged(cmd, timeout, log_path):
    """Run cmd, timestamp each output line (seconds since launch) and sample
    the child's CPU time at each BENCH- line. Returns a dict with wall, cpu
    (user+sys of the child), user, sys, rc, events [(t, line, (user, sys) or
    None)]."""
    ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, start_new_session=True)
    fd = p.stdout.fileno()
    events, buf, timed_out = [], b"", False
    deadline = t0 + timeout
    with open(log_path, "ab") as log:
        log.write(("$ " + " ".join(cmd) + "\n").encode())
        while True:
            left = deadline - time.monotonic()
            r = select.select([fd], [], [], max(0.0, left))[0] if left > 0 else []
            if not r:
                timed_out = True
                os.killpg(p.pid, signal.SIGKILL)
                break
            chunk = os.read(fd, 65536)
            now = time.monotonic() - t0
            if not chunk:
                break
            log.write(chunk)
            buf += chunk
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                text = line.decode("utf-8", "replace").strip()
                events.append((now, text, proc_cpu(p.pid) if "BENCH-" in text else None))
        rc = p.wait()
    wall = time.monotonic() - t0
    ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    user, sys_ = ru1.ru_utime - ru0.ru_utime, ru1.ru_stime - ru0.ru_stime
    return {"wall": wall, "cpu": user + sys_, "user": user, "sys": sys_, "rc": rc,
            "timed_out": timed_out, "events": events}


def parse_events(res):
    """BENCH-* lines -> boot time, workload durations, checks, micro values."""
    # micro_cpu0/1: (user, sys) CPU at the first micro-benchmark's start and
    # the last one's report.
    out = {"boot": None, "work": {}, "checks": {}, "micro": {}, "micro_cpu": {},
           "micro_cpu0": None, "micro_cpu1": None, "done": False}
    begin, mstart = {}, {}
    for t, line, split in res["events"]:
        cpu = sum(split) if split is not None else None
        # The marker may follow kernel output on the same line.
        i = line.find("BENCH-")
        if i < 0:
            continue
        w = line[i:].split()
        if w[0] == "BENCH-INIT" and out["boot"] is None:
            out["boot"] = t
        elif w[0] == "BENCH-BEGIN" and len(w) > 1:
            begin[w[1]] = t
        elif w[0] == "BENCH-END" and len(w) > 1 and w[1] in begin:
            out["work"][w[1]] = t - begin[w[1]]
        elif w[0] == "BENCH-CHECK" and len(w) > 1:
            out["checks"][w[1]] = w[2] if len(w) > 2 else ""
        elif w[0] == "BENCH-MSTART" and len(w) > 1:
            mstart[w[1]] = cpu
            if out["micro_cpu0"] is None:
                out["micro_cpu0"] = split
        elif w[0] == "BENCH-MICRO" and len(w) > 3:
            try:
                out["micro"][w[1]] = (float(w[2]), w[3])
                # Host CPU per operation: the same work on both simulators,
                # where the micro-benchmark's time box is not.
                ops = int(w[4]) if len(w) > 4 else 0
                c0 = mstart.get(w[1])
                if ops > 0 and c0 is not None and cpu is not None:
                    out["micro_cpu"][w[1]] = (cpu - c0, ops)
                    out["micro_cpu1"] = split
            except ValueError:
                pass
        elif w[0] == "BENCH-DONE":
            out["done"] = True
    return out


def sim_cmd(sim, a, smp, append, stats_path):
    common_kernel = ["-kernel", a.kernel, "-initrd", a.initrd, "-append", append]
    if sim == "flotilla":
        return ([a.flotilla, "-M", "virt", "-cpu", "cortex-a57", "-m", "1G", "-smp", str(smp),
                 "-no-reboot", "-stats", stats_path] + common_kernel + a.flotilla_args)
    return (["qemu-system-aarch64", "-M", "virt", "-cpu", "cortex-a57", "-accel", "tcg,thread=multi",
             "-m", "1G", "-nographic", "-nic", "none", "-no-reboot", "-smp", str(smp)] + common_kernel)


def bm_cmd(sim, a):
    if sim == "flotilla":
        return [a.flotilla, "-semihosting", "-kernel", a.bm] + a.flotilla_args
    return ["qemu-system-aarch64", "-M", "virt", "-cpu", "cortex-a57", "-nographic", "-nic", "none",
            "-semihosting", "-kernel", a.bm]


def summarize(xs):
    xs = [x for x in xs if x is not None]
    if not xs:
        return None
    med = statistics.median(xs)
    return {"median": med, "min": min(xs), "max": max(xs), "n": len(xs),
            "spread_pct": (100.0 * (max(xs) - min(xs)) / med) if med else 0.0, "samples": xs}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--flotilla", required=True)
    ap.add_argument("--kernel", required=True)
    ap.add_argument("--initrd", required=True)
    ap.add_argument("--bm", required=True)
    ap.add_argument("--native", required=True, help="benchk built for the host")
    ap.add_argument("--native-alu", help="bm.c's ALU loop in x86-64 (alu_chain_native.c): its native MIPS")
    ap.add_argument("--out", required=True)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--smoke", action="store_true")
    ap.add_argument("--flotilla-arg", dest="flotilla_args", action="append", default=[])
    a = ap.parse_args()

    host_cores = os.cpu_count() or 1
    if a.smoke:
        cfg = {"smp": [1], "kb": 16, "iters": 100, "micro": 0.02, "timeout": 600}
    else:
        cfg = {"smp": [1, 2, 4, 8], "kb": 128, "iters": 1000, "micro": 0.3, "timeout": 900}
    # What each boot does besides booting: the CPU-bound work on the 1-core
    # boot, the micro-costs where there are 2 cores (IPI), N copies of the
    # compute kernel at -smp N (scaling).
    def params(smp):
        p = {"bench_copies": smp, "bench_iters": cfg["iters"]}
        if smp == 1:
            p.update(bench_work=1, bench_kb=cfg["kb"])
        if smp == min(2, max(cfg["smp"])):
            p["bench_micro"] = cfg["micro"]
        return p

    os.makedirs(a.out, exist_ok=True)
    log_path = os.path.join(a.out, "console.log")
    open(log_path, "w").close()

    # Expected outputs, from the host build of the same program.
    data = subprocess.run([a.native, "gen", str(cfg["kb"])], check=True, capture_output=True).stdout
    expect_sha = hashlib.sha256(data).hexdigest()
    expect_sum = subprocess.run([a.native, "compute", str(cfg["iters"])], check=True,
                                capture_output=True, text=True).stdout.split()[1]

    samples = {}  # key -> sim -> [values]
    meta = {}     # key -> {"unit":..., "kind": "time"|"rate"}
    failures = []
    runs = []

    def add(key, sim, val, unit="s", kind="time"):
        samples.setdefault(key, {}).setdefault(sim, []).append(val)
        meta[key] = {"unit": unit, "kind": kind}

    t_start = time.monotonic()
    for rep in range(a.reps):
        for smp in cfg["smp"]:
            p = params(smp)
            append = "console=ttyAMA0 rdinit=/init panic=-1 " + " ".join(f"{k}={v}" for k, v in p.items())
            # Which simulator goes first alternates by repetition: a run finds
            # the host memory the run before it freed backed or not, which
            # moved paired results by several percent one way.
            for sim in (SIMS if rep % 2 == 0 else SIMS[::-1]):
                stats_path = os.path.join(a.out, f"stats-smp{smp}-rep{rep}.json")
                load = os.getloadavg()[0]
                res = run_logged(sim_cmd(sim, a, smp, append, stats_path), cfg["timeout"], log_path)
                ev = parse_events(res)
                # The micro-benchmarks are time-boxed: their CPU time is the box
                # times the cores kept busy, not a cost of fixed work; the
                # whole-run CPU leaves that span out (micro CPU per op below).
                m0, m1 = ev["micro_cpu0"], ev["micro_cpu1"]
                su, ss = (m1[0] - m0[0], m1[1] - m0[1]) if m0 is not None and m1 is not None else (0.0, 0.0)
                span = su + ss
                rec = {"sim": sim, "smp": smp, "rep": rep, "wall": res["wall"], "cpu": res["cpu"] - span,
                       "user": res["user"] - su, "sys": res["sys"] - ss, "cpu_micro_span": span,
                       "rc": res["rc"], "timed_out": res["timed_out"], "load_before": load,
                       "boot": ev["boot"], "work": ev["work"], "checks": ev["checks"],
                       "micro": {k: v[0] for k, v in ev["micro"].items()}, "done": ev["done"]}
                runs.append(rec)
                print(f"[{time.monotonic() - t_start:6.0f}s] rep {rep} smp {smp} {sim:8s}: "
                      f"wall {res['wall']:.1f}s boot {ev['boot'] if ev['boot'] is None else round(ev['boot'], 2)}"
                      f" work {dict((k, round(v, 2)) for k, v in ev['work'].items())}"
                      f"{'' if ev['done'] else '  (NOT DONE)'}", flush=True)
                if not ev["done"]:
                    failures.append(f"{sim} smp {smp} rep {rep}: did not finish (rc {res['rc']}, "
                                    f"timeout {res['timed_out']})")
                add(f"boot.smp{smp}", sim, ev["boot"])
                # Checks: a workload that produced a wrong result is not timed.
                for name, val in ev["checks"].items():
                    exp = expect_sum if name.startswith("compute") else expect_sha
                    if val != exp:
                        failures.append(f"{sim} smp {smp} rep {rep}: {name} output {val} != {exp}")
                for name, t in ev["work"].items():
                    if name == "scale":
                        ok = all(ev["checks"].get(f"compute{i}") == expect_sum for i in range(smp))
                        add(f"scale.smp{smp}", sim, t if ok else None)
                        if smp == 1:
                            add("work.compute", sim, t if ok else None)
                    else:
                        add(f"work.{name}", sim, t if ev["checks"].get(name) == expect_sha else None)
                for name, (v, unit) in ev["micro"].items():
                    add(f"micro.{name}", sim, v, unit, "rate" if unit in ("MB/s", "MIPS") else "time")
                for name, (c, ops) in ev["micro_cpu"].items():
                    add(f"mcpu.{name}", sim, c / ops * 1e9, "ns")
        # Bare-metal micro-costs, and the compute kernel natively.
        for sim in SIMS:
            res = run_logged(bm_cmd(sim, a), 300, log_path)
            ev = parse_events(res)
            if res["rc"] != 0 or not ev["micro"]:
                failures.append(f"{sim} bare-metal rep {rep}: rc {res['rc']}")
            for name, (v, unit) in ev["micro"].items():
                add(f"bm.{name}", sim, v, unit, "rate" if unit in ("MB/s", "MIPS") else "time")
        k = 20
        t0 = time.monotonic()
        subprocess.run([a.native, "compute", str(cfg["iters"] * k)], check=True, capture_output=True)
        add("work.compute", "native", (time.monotonic() - t0) / k)
        if a.native_alu:
            out = subprocess.run([a.native_alu], capture_output=True, text=True).stdout
            add("bm.alu_loop_mips", "native", float(out), "MIPS", "rate")

    summary = {key: {sim: summarize(v) for sim, v in by.items()} for key, by in samples.items()}
    for key, by in summary.items():
        f, q = by.get("flotilla"), by.get("qemu")
        if f and q and f["median"] and q["median"]:
            r = f["median"] / q["median"]
            by["ratio"] = r if meta[key]["kind"] == "time" else 1.0 / r
    # Scaling: N copies at -smp N, parallel efficiency T(1)/T(N) (1.0 ideal
    # while N <= host cores; host_cores/N is the best possible beyond).
    scaling = {}
    for sim in SIMS:
        b1 = summary.get("scale.smp1", {}).get(sim)
        for smp in cfg["smp"]:
            s = summary.get(f"scale.smp{smp}", {}).get(sim)
            if b1 and s:
                scaling.setdefault(sim, {})[smp] = b1["median"] / s["median"]

    host = {"cpu_model": cpu_model(), "cores": host_cores, "kernel": platform.release(),
            "loadavg_end": os.getloadavg()}
    lstopo = shutil.which("lstopo-no-graphics") or shutil.which("hwloc-ls")
    topo = ""
    if lstopo:
        topo = subprocess.run([lstopo, "--of", "console"] if lstopo.endswith("graphics") else [lstopo],
                              capture_output=True, text=True).stdout
        with open(os.path.join(a.out, "host-topology.txt"), "w") as f:
            f.write(topo)
    qv = subprocess.run(["qemu-system-aarch64", "--version"], capture_output=True, text=True).stdout.split("\n")[0]
    result = {"date": datetime.datetime.now().isoformat(timespec="seconds"), "smoke": a.smoke,
              "reps": a.reps, "config": cfg, "host": host, "host_topology": topo, "qemu_version": qv,
              "flotilla_args": a.flotilla_args, "expected": {"data_sha256": expect_sha, "compute": expect_sum},
              "summary": summary, "scaling_efficiency": scaling, "failures": failures, "runs": runs,
              "total_seconds": time.monotonic() - t_start}
    with open(os.path.join(a.out, "results.json"), "w") as f:
        json.dump(result, f, indent=1)
    md = markdown(result, meta, cfg)
    with open(os.path.join(a.out, "results.md"), "w") as f:
        f.write(md)
    plots(a.out, summary, scaling, cfg, host_cores)
    print(md)
    return 1 if failures else 0


def fmt(v, unit):
    if v is None:
        return "-"
    if unit == "s":
        if v < 1:
            return f"{v * 1000:.0f} ms" if v >= 0.01 else f"{v * 1000:.1f} ms"
        return f"{v:.2f} s" if v < 10 else f"{v:.1f} s"
    if v >= 1000:
        return f"{v:,.0f} {unit}"
    return f"{v:.1f} {unit}"


def markdown(r, meta, cfg):
    h = r["host"]
    lines = [f"Run {r['date']}: host {h['cpu_model']}, {h['cores']} cores, Linux {h['kernel']}; "
             f"{r['qemu_version']}; {r['reps']} repetition(s), interleaved flotilla/QEMU (which goes first alternates); "
             f"medians, spread = (max-min)/median. Ratio = flotilla time / QEMU time "
             f"(for rates, QEMU rate / flotilla rate): above 1 means flotilla is slower."
             + (" SMOKE RUN: smallest sizes, not a measurement." if r["smoke"] else ""), ""]
    lines += ["| benchmark | flotilla | spread | QEMU TCG | spread | ratio | native |",
              "|---|---|---|---|---|---|---|"]
    names = {"boot": "boot to init, -smp {}", "work": "{}", "scale": "{} copies of benchk at -smp {}"}
    order = sorted(r["summary"], key=lambda k: (["boot", "work", "scale", "micro", "mcpu", "bm"].index(k.split(".")[0]),
                                                 int(k.split("smp")[1]) if "smp" in k else 0, k))
    for key in order:
        by = r["summary"][key]
        kind, name = key.split(".", 1)
        unit = meta[key]["unit"]
        if kind == "boot":
            label = f"boot to first instruction of init, -smp {name[3:]}"
        elif kind == "work":
            label = {"compute": f"benchk compute ({cfg['iters']} iters, CoreMark-like)",
                     "gzip": f"busybox gzip {cfg['kb']} KiB", "bzip2": f"busybox bzip2 {cfg['kb']} KiB",
                     "sha256sum": f"busybox sha256sum {cfg['kb']} KiB"}.get(name, name)
        elif kind == "scale":
            label = f"{name[3:]} concurrent benchk at -smp {name[3:]}"
        elif kind == "micro":
            label = f"Linux user: {name}"
        elif kind == "mcpu":
            label = f"Linux user: {name}, host CPU time per operation"
        else:
            label = f"bare metal: {name}"
        f, q, n = by.get("flotilla"), by.get("qemu"), by.get("native")
        ratio = by.get("ratio")
        lines.append(f"| {label} | {fmt(f and f['median'], unit)} | {f['spread_pct']:.0f}% |" if f else f"| {label} | - | - |")
        lines[-1] += (f" {fmt(q['median'], unit)} | {q['spread_pct']:.0f}% |" if q else " - | - |")
        lines[-1] += f" {ratio:.1f}x |" if ratio else " - |"
        lines[-1] += f" {fmt(n['median'], unit)} |" if n else " |"
    # Host CPU time (user+sys) of each whole boot-and-work run: less
    # sensitive than wall time to other load on the host.
    for smp in cfg["smp"]:
        by = {sim: summarize([x["cpu"] for x in r["runs"] if x["sim"] == sim and x["smp"] == smp])
              for sim in SIMS}
        f, q = by["flotilla"], by["qemu"]
        if f and q:
            boxed = any(x.get("cpu_micro_span") for x in r["runs"] if x["smp"] == smp)
            what = f"whole run at -smp {smp}" + (" less the time-boxed micro-benchmarks" if boxed else "")
            lines.append(f"| {what}: host CPU time (user+sys) | {fmt(f['median'], 's')} | "
                         f"{f['spread_pct']:.0f}% | {fmt(q['median'], 's')} | {q['spread_pct']:.0f}% | "
                         f"{f['median'] / q['median']:.1f}x | |")
    lines += ["", "Parallel efficiency T(1 copy, -smp 1) / T(N copies, -smp N) (1.0 = perfect; "
              f"the host has {r['host']['cores']} cores, so beyond that {r['host']['cores']}/N is the best possible):", "",
              "| N | " + " | ".join(str(s) for s in cfg["smp"]) + " |",
              "|---|" + "---|" * len(cfg["smp"])]
    for sim in SIMS:
        e = r["scaling_efficiency"].get(sim, {})
        lines.append(f"| {sim} | " + " | ".join(f"{e[s]:.2f}" if s in e else "-" for s in cfg["smp"]) + " |")
    # The whole runs' host CPU by kind: system time is mostly the host
    # kernel zeroing pages touched for the first time (guest RAM, heaps,
    # code), which on a virtual machine host costs hypervisor faults too.
    split = []
    for smp in cfg["smp"]:
        m = {(sim, k): summarize([x.get(k) for x in r["runs"] if x["sim"] == sim and x["smp"] == smp])
             for sim in SIMS for k in ("user", "sys")}
        if all(m.values()):
            fu, fs, qu, qs = (m[k]["median"] for k in (("flotilla", "user"), ("flotilla", "sys"),
                                                       ("qemu", "user"), ("qemu", "sys")))
            split.append(f"| {smp} | {fu:.2f} s | {fs:.2f} s | {qu:.2f} s | {qs:.2f} s | "
                         f"{fu / qu:.2f}x | " + (f"{fs / qs:.2f}x |" if qs else "- |"))
    if split:
        lines += ["", "Host CPU of the whole runs (as above) by kind, medians: user time is the simulator's "
                  "own work; system time is mostly the host kernel zeroing pages touched for the first time:", "",
                  "| -smp | flotilla user | flotilla sys | QEMU user | QEMU sys | user ratio | sys ratio |",
                  "|---|---|---|---|---|---|---|"] + split
    if r["failures"]:
        lines += ["", "Failures:", ""] + [f"- {x}" for x in r["failures"]]
    return "\n".join(lines) + "\n"


def plots(out, summary, scaling, cfg, host_cores):
    with open(os.path.join(out, "boot.dat"), "w") as f:
        f.write("# smp flotilla_median min max qemu_median min max\n")
        for smp in cfg["smp"]:
            by = summary.get(f"boot.smp{smp}", {})
            row = [str(smp)]
            for sim in SIMS:
                s = by.get(sim)
                row += [f"{s['median']:.3f}", f"{s['min']:.3f}", f"{s['max']:.3f}"] if s else ["NaN"] * 3
            f.write(" ".join(row) + "\n")
    with open(os.path.join(out, "scaling.dat"), "w") as f:
        f.write("# N flotilla_eff qemu_eff best_possible\n")
        for smp in cfg["smp"]:
            row = [str(smp)] + [f"{scaling.get(sim, {}).get(smp, float('nan')):.3f}" for sim in SIMS]
            row.append(f"{min(1.0, host_cores / smp):.3f}")
            f.write(" ".join(row) + "\n")
    if not shutil.which("gnuplot"):
        print("bench: gnuplot not found, no plots (scripts/install-deps.sh --bench)")
        return
    gp = f"""set terminal pngcairo size 800,500 noenhanced
set output '{out}/boot.png'
set title 'Boot to the first instruction of init (median, min..max)'
set xlabel 'guest cores (-smp)'; set ylabel 'seconds'; set logscale x 2; set grid
set key top left
plot '{out}/boot.dat' u 1:2:3:4 w yerrorlines t 'flotilla', '' u 1:5:6:7 w yerrorlines t 'qemu-system-aarch64 TCG'
set output '{out}/scaling.png'
set title 'Parallel efficiency: N copies of benchk at -smp N'
set ylabel 'T(1)/T(N)'; set yrange [0:1.2]
plot '{out}/scaling.dat' u 1:2 w linespoints t 'flotilla', '' u 1:3 w linespoints t 'qemu TCG', '' u 1:4 w lines dt 2 t 'best possible on {host_cores} host cores'
"""
    r = subprocess.run(["gnuplot"], input=gp, text=True, capture_output=True)
    if r.returncode != 0:
        # pngcairo may be missing (gnuplot-nox): fall back to the png terminal.
        r = subprocess.run(["gnuplot"], input=gp.replace("pngcairo", "png"), text=True, capture_output=True)
        if r.returncode != 0:
            print("bench: gnuplot failed: " + r.stderr[-300:])


def unit_of(key):
    """The unit and kind of a summary key (as the guest programs report)."""
    if key.endswith("memcpy_bandwidth"):
        return {"unit": "MB/s", "kind": "rate"}
    if key.endswith("_mips"):
        return {"unit": "MIPS", "kind": "rate"}
    if key.startswith(("micro.", "mcpu.", "bm.")):
        return {"unit": "ns", "kind": "time"}
    return {"unit": "s", "kind": "time"}


def render(path):
    """Re-make results.md and the plots from a results.json."""
    with open(path) as f:
        r = json.load(f)
    out = os.path.dirname(os.path.abspath(path))
    meta = {k: unit_of(k) for k in r["summary"]}
    # JSON object keys are strings; the tables index by core count.
    r["scaling_efficiency"] = {sim: {int(k): v for k, v in e.items()} for sim, e in r["scaling_efficiency"].items()}
    md = markdown(r, meta, r["config"])
    with open(os.path.join(out, "results.md"), "w") as f:
        f.write(md)
    plots(out, r["summary"], r["scaling_efficiency"], r["config"], r["host"]["cores"])
    print(md)


if __name__ == "__main__":
    import sys
    if len(sys.argv) == 3 and sys.argv[1] == "--render":
        render(sys.argv[2])
        raise SystemExit(0)
    raise SystemExit(main())
