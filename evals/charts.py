"""PNG charts of an eval run (ASCII labels: no CJK font is assumed)."""

from __future__ import annotations

import os
from pathlib import Path

from .runner import RunResult

GROUP_SERIES = (
    ("hit@5", "hit@5"),
    ("mrr", "MRR"),
    ("coverage", "key-point cov."),
    ("rouge_l", "ROUGE-L F1"),
    ("citation_recall", "cite recall"),
    ("citation_precision", "cite precision"),
    ("refusal_ok", "refusal decision ok"),
)
DISTRIBUTIONS = (
    ("coverage", "key-point coverage"),
    ("rouge_l", "ROUGE-L F1 (char)"),
    ("citation_recall", "citation recall"),
    ("citation_precision", "citation precision"),
    ("mrr", "reciprocal rank (answer passages)"),
    ("seconds", "seconds per case"),
)


def pyplot():
    """matplotlib's pyplot on the Agg backend (no display): shared by the eval and bench charts."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save_fig(plt, fig, path: Path) -> str:
    tmp = path.with_name(path.name + ".tmp")
    fig.savefig(tmp, dpi=110, format="png")
    os.replace(tmp, path)
    plt.close(fig)
    return path.name


def _group_value(run: RunResult, code: str, key: str) -> float:
    members = [r for r in run.cases if code == "all" or code in r.groups]
    if key == "refusal_ok":
        return sum(r.refusal_ok for r in members) / len(members) if members else float("nan")
    value = (run.metrics if code == "all" else run.groups[code]).get(key)
    return float("nan") if value is None else value


def per_group(run: RunResult, path: Path) -> str:
    """Key metrics per group, side by side."""
    plt = pyplot()
    codes = [*run.groups, "all"]
    fig, ax = plt.subplots(figsize=(13, 5.2))
    width = 0.8 / len(GROUP_SERIES)
    for j, (key, label) in enumerate(GROUP_SERIES):
        xs = [i + (j - (len(GROUP_SERIES) - 1) / 2) * width for i in range(len(codes))]
        ax.bar(xs, [_group_value(run, c, key) for c in codes], width=width, label=label)
    ax.set_xticks(range(len(codes)))
    ax.set_xticklabels([f"{c}\n(n={(run.metrics if c == 'all' else run.groups[c])['cases']})" for c in codes])
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("score (0-1)")
    ax.set_title(f"Key metrics per group - {run.label} ({len(run.cases)} cases)")
    ax.grid(axis="y", alpha=0.3)
    ax.legend(ncol=len(GROUP_SERIES), fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.14))
    fig.tight_layout()
    return save_fig(plt, fig, path)


def distributions(run: RunResult, path: Path) -> str:
    """Per-case histograms of the main scores and of latency."""
    plt = pyplot()
    fig, axes = plt.subplots(2, 3, figsize=(13, 6.5))
    for ax, (key, label) in zip(axes.flat, DISTRIBUTIONS, strict=True):
        values = [r.seconds if key == "seconds" else r.score(key) for r in run.cases]
        vals = [v for v in values if v is not None]
        if key == "seconds":
            ax.hist(vals, bins=15, color="tab:gray")
        else:
            ax.hist(vals, bins=[i / 10 for i in range(11)], color="tab:blue", edgecolor="white")
            ax.set_xlim(0, 1)
        mean = sum(vals) / len(vals) if vals else float("nan")
        ax.set_title(f"{label}\nmean={mean:.2f}, n={len(vals)}", fontsize=10)
        ax.set_ylabel("cases")
        ax.grid(axis="y", alpha=0.3)
    fig.suptitle(f"Per-case distributions - {run.label}")
    fig.tight_layout()
    return save_fig(plt, fig, path)


def gates(run: RunResult, path: Path) -> str | None:
    """Gated metrics against their floor (black bar) and the baseline (diamond)."""
    rows = [g for g in run.gates if g["value"] is not None and g["metric"] != "errors" and g["value"] <= 1.0]
    if not rows:
        return None
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(9, 0.5 * len(rows) + 1.5))
    ys = range(len(rows))
    colors = ["tab:red" if g["status"] == "FAIL" else "tab:green" for g in rows]
    ax.barh(list(ys), [min(g["value"], 1.1) for g in rows], color=colors, alpha=0.8)
    for y, g in zip(ys, rows, strict=True):
        floor = float(g["floor"].split()[-1]) if g["floor"] else None
        if floor is not None:
            ax.plot([min(floor, 1.1)] * 2, [y - 0.4, y + 0.4], color="black", lw=2)
        if g["baseline"] is not None:
            ax.plot([min(g["baseline"], 1.1)], [y], marker="D", color="tab:orange", ms=6)
        ax.text(
            min(max(g["value"], floor or 0.0), 1.0) + 0.02, y, f"{g['value']:.2f}", va="center", fontsize=8
        )
    ax.set_yticks(list(ys))
    ax.set_yticklabels([g["metric"] for g in rows])
    ax.invert_yaxis()
    ax.set_xlim(0, 1.12)
    ax.set_title("Gated metrics: bar=value (red=fail), black=floor/ceiling, diamond=baseline", fontsize=10)
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    return save_fig(plt, fig, path)


def write_charts(run: RunResult, out: Path, prefix: str = "") -> list[str]:
    """Every chart of ``run`` into ``out``; returns the file names written."""
    written = [
        per_group(run, out / f"{prefix}per_group.png"),
        distributions(run, out / f"{prefix}distributions.png"),
    ]
    gate_chart = gates(run, out / f"{prefix}gates.png")
    return written + ([gate_chart] if gate_chart else [])
