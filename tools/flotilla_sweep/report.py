"""`flotilla-sweep report`: OUT/report.md (a Markdown table, one row per
point of the sweep), OUT/results.csv (every run) and OUT/scaling.png (speedup and parallel efficiency
against the [report] x axis, default smp, one line per combination of the
other axes: workload, policy, ...).

Speedup of repetition i at x: base / metric_i, with base the mean of the
metric at the smallest x of the same line (for a rate, higher_is_better,
metric_i / base); weak scaling multiplies by x / x_min (work grows with x).
Efficiency = speedup / (x / x_min). Points are means over the repetitions
with error bars of one sample standard deviation."""

import csv
import math
import os

from . import spec as specmod


def mean(v):
    return sum(v) / len(v)


def stdev(v):
    if len(v) < 2:
        return 0.0
    m = mean(v)
    return math.sqrt(sum((x - m) ** 2 for x in v) / (len(v) - 1))


def fmt(v):
    if isinstance(v, float):
        return f"{v:.4g}"
    return "" if v is None else str(v)


class ReportError(Exception):
    pass


def build(spec, store, out, png=True):
    rows = store.rows()
    axes = [specmod.column_name(a) for a in spec.axes]
    x = specmod.column_name(spec.report_x)
    metric = specmod.column_name(spec.report_metric)
    if rows and metric not in rows[0]:
        raise ReportError(f"[report] metric '{spec.report_metric}' is not a column of the results")
    results = [c for c in (specmod.column_name(r) for r in spec.result_res) if c != metric]
    stats = [c for c in store.stats_cols if c != metric]
    ok = [r for r in rows if r["status"] == "ok"]
    failed = [r for r in rows if r["status"] != "ok"]

    points = {}
    for r in ok:
        points.setdefault(tuple(r[a] for a in axes), []).append(r)

    lines = [f"# Sweep {spec.name}", "",
             f"{len(rows)} run(s) recorded: {len(ok)} ok, {len(failed)} failed. "
             f"Metric: {metric} (mean ± standard deviation over the repetitions).", ""]
    scaling = {}
    if x in axes:
        scaling = speedups(points, axes, x, metric, spec)
    head = axes + ["runs", metric]
    if scaling:
        head += ["speedup", "efficiency"]
    head += results + stats
    lines.append("| " + " | ".join(head) + " |")
    lines.append("|" + "---|" * len(head))
    for key in sorted(points, key=lambda k: [str(v) for v in k]):
        rs = points[key]
        vals = [r[metric] for r in rs if isinstance(r[metric], (int, float))]
        cells = [fmt(v) for v in key] + [str(len(rs))]
        cells.append(f"{mean(vals):.4g} ± {stdev(vals):.2g}" if vals else "")
        if scaling:
            s = scaling.get(key)
            cells += [f"{s[0]:.3g} ± {s[1]:.2g}", f"{s[2]:.3g} ± {s[3]:.2g}"] if s else ["", ""]
        for c in results + stats:
            vs = sorted({fmt(r[c]) for r in rs})
            nums = [r[c] for r in rs if isinstance(r[c], (int, float)) and not isinstance(r[c], bool)]
            if len(vs) > 1 and len(nums) == len(rs):
                cells.append(f"{mean(nums):.4g} ± {stdev(nums):.2g}")
            else:
                cells.append(" / ".join(vs))
        lines.append("| " + " | ".join(cells) + " |")
    if failed:
        lines += ["", "Failed runs:", "", "| run | " + " | ".join(axes) + " | rep | status | error |",
                  "|" + "---|" * (len(axes) + 4)]
        for r in failed:
            err = (r["error"] or "").replace("|", "\\|")
            lines.append(f"| {r['run_id']} | " + " | ".join(fmt(r[a]) for a in axes)
                         + f" | {r['rep']} | {r['status']} | {err} |")
    plot = None
    if png and scaling:
        plot = plot_scaling(spec, points, axes, x, scaling, os.path.join(out, "scaling.png"))
        if plot:
            lines += ["", f"![speedup and efficiency]({os.path.basename(plot)})"]
    write_csv(rows, os.path.join(out, "results.csv"))
    path = os.path.join(out, "report.md")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return path, plot


def write_csv(rows, path):
    """Every row and column but the raw -stats JSON, for spreadsheets and diffs."""
    cols = [c for c in (rows[0] if rows else {}) if c != "stats_json"]
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(cols)
        for r in rows:
            w.writerow(["" if r[c] is None else r[c] for c in cols])


def speedups(points, axes, x, metric, spec):
    """{point: (speedup mean, sd, efficiency mean, sd)} for numeric x."""
    xi = axes.index(x)
    series = {}
    for key, rs in points.items():
        if not isinstance(key[xi], (int, float)):
            return {}
        series.setdefault(key[:xi] + key[xi + 1:], []).append(key)
    out = {}
    for other, keys in series.items():
        keys.sort(key=lambda k: k[xi])
        base_key = keys[0]
        base_vals = [r[metric] for r in points[base_key] if isinstance(r[metric], (int, float))]
        if not base_vals or mean(base_vals) == 0:
            continue
        base, x0 = mean(base_vals), base_key[xi]
        for k in keys:
            vals = [r[metric] for r in points[k] if isinstance(r[metric], (int, float)) and r[metric]]
            if not vals:
                continue
            ratio = k[xi] / x0
            sp = [(v / base if spec.report_higher else base / v) * (ratio if spec.report_scaling == "weak" else 1)
                  for v in vals]
            eff = [s / ratio for s in sp]
            out[k] = (mean(sp), stdev(sp), mean(eff), stdev(eff))
    return out


def plot_scaling(spec, points, axes, x, scaling, path):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise ReportError("plots need matplotlib (Debian: python3-matplotlib; run with /usr/bin/python3)") from None
    xi = axes.index(x)
    others = [a for a in axes if a != x]
    series = {}
    for k in scaling:
        series.setdefault(k[:xi] + k[xi + 1:], []).append(k)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.2))
    xs_all = sorted({k[xi] for k in scaling})
    for other, keys in sorted(series.items(), key=lambda kv: [str(v) for v in kv[0]]):
        keys.sort(key=lambda k: k[xi])
        label = ", ".join(f"{a}={v}" for a, v in zip(others, other)) or spec.name
        xs = [k[xi] for k in keys]
        ax1.errorbar(xs, [scaling[k][0] for k in keys], yerr=[scaling[k][1] for k in keys],
                     marker="o", capsize=3, label=label)
        ax2.errorbar(xs, [scaling[k][2] for k in keys], yerr=[scaling[k][3] for k in keys],
                     marker="o", capsize=3, label=label)
    x0 = xs_all[0]
    ax1.plot(xs_all, [v / x0 for v in xs_all], "k:", label="ideal")
    ax2.axhline(1.0, color="k", linestyle=":")
    for ax, title in ((ax1, "speedup"), (ax2, "parallel efficiency")):
        ax.set_xlabel(x)
        ax.set_xticks(xs_all)
        ax.set_title(f"{title} ({spec.report_scaling} scaling, from {spec.report_metric})")
        ax.grid(alpha=0.3)
    ax2.set_ylim(bottom=0)
    ax1.legend(fontsize=8)
    fig.suptitle(f"sweep {spec.name}")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
