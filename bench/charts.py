"""The benchmark's PNG charts, one function each (``results`` is ``latest.json``); each returns the file
name it wrote, or ``None`` when the run has nothing to draw. ASCII labels: no CJK font is assumed."""

from __future__ import annotations

from pathlib import Path

from evals.charts import pyplot, save_fig

from .measure import mb

COLORS = {"ours": "#1f6feb", "baseline": "#d1242f", "ours_dense": "#8250df", "other": "#6e7781"}


def _log_axes(ax, ticks: list[int] | None = None) -> None:
    """Log-log axes with plain numbers (or the corpus sizes as ticks)."""
    import matplotlib.ticker

    ax.set_xscale("log")
    if ticks:
        ax.set_xticks(ticks, [f"x{s}" for s in ticks])
        ax.minorticks_off()
        return
    ax.set_yscale("log")
    plain = matplotlib.ticker.FuncFormatter(lambda v, _pos: f"{v:g}")
    for axis in (ax.xaxis, ax.yaxis):
        axis.set_major_formatter(plain)
        axis.set_minor_formatter(matplotlib.ticker.NullFormatter())


def ingest_chart(results: dict, out: Path) -> str | None:
    """Ingest time and index size against corpus size."""
    plt = pyplot()
    corp = {c["scale"]: c for c in results["corpora"]}
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.2))
    for name in ("ours", "baseline"):
        rows = results["ingest"][name]
        xs = [corp[r["scale"]]["chars"] / 1000 for r in rows]
        ax1.plot(
            xs,
            [r["estimated_full_seconds"] for r in rows],
            "o-",
            color=COLORS[name],
            label=f"{name} (full, est. where reused)",
        )
        reused = [(x, r["seconds"]) for x, r in zip(xs, rows, strict=True) if not r["measured"]]
        if reused:
            ax1.plot(
                *zip(*reused, strict=True),
                "x",
                color=COLORS[name],
                ms=9,
                label=f"{name} measured, vectors reused",
            )
        ax2.plot(xs, [mb(r["disk_bytes"]) for r in rows], "o-", color=COLORS[name], label=name)
    for ax in (ax1, ax2):
        _log_axes(ax)
        ax.set_xlabel("corpus size (thousand characters)")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    ax1.set(ylabel="ingest seconds", title="Ingest time")
    ax2.set(ylabel="MB on disk", title="Index size on disk")
    fig.tight_layout()
    return save_fig(plt, fig, out / "ingest.png")


def search_chart(results: dict, out: Path) -> str | None:
    """Search latency (p50, p95) and retrieval quality (hit@5, MRR) against corpus size."""
    rows = results.get("search") or []
    if not rows:
        return None
    plt = pyplot()
    sizes = [r["scale"] for r in rows]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.2))
    for name in ("ours", "baseline"):
        ax1.plot(sizes, [r[name]["p50_ms"] for r in rows], "o-", color=COLORS[name], label=f"{name} p50")
        ax1.plot(sizes, [r[name]["p95_ms"] for r in rows], "s--", color=COLORS[name], label=f"{name} p95")
    for name, label in (("ours", "ours hybrid"), ("ours_dense", "ours dense-only"), ("baseline", "baseline")):
        ax2.plot(sizes, [r[name]["hit@5"] for r in rows], "o-", color=COLORS[name], label=f"{label} hit@5")
        ax2.plot(sizes, [r[name]["mrr"] for r in rows], "s--", color=COLORS[name], label=f"{label} MRR")
    for ax in (ax1, ax2):
        _log_axes(ax, sizes)
        ax.set_xlabel("corpus size (×)")
        ax.grid(True, which="both", alpha=0.3)
    ax1.set(ylabel="ms per search (k=5)", title="Search latency (in-process)")
    ax1.legend(fontsize=8)
    ax2.set_ylim(0, 1.02)
    ax2.set_title("Retrieval quality (golden set, gold spans)")
    ax2.legend(fontsize=7)
    fig.tight_layout()
    return save_fig(plt, fig, out / "search.png")


def answer_chart(results: dict, out: Path) -> str | None:
    """Answer latency per size and time to first token, p50 and p95 bars."""
    bars = []
    for size, res in results.get("answer", {}).items():
        bars.append((f"ours extractive\n{size}", res["ours_extractive"], COLORS["ours"]))
        bars.append((f"baseline top passage\n{size}", res["baseline_top_passage"], COLORS["baseline"]))
    t = results.get("ttft")
    if t:
        bars.append(("ours TTFT\n(LLM stream)", t["ours_ttft"], COLORS["ours"]))
        bars.append(("bare client TTFT\n(same server)", t["raw_client_ttft"], COLORS["other"]))
        bars.append(("baseline TTFT", t["baseline_ttft"], COLORS["baseline"]))
    if not bars:
        return None
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(max(7, 1.3 * len(bars)), 4.2))
    xs = range(len(bars))
    colors = [b[2] for b in bars]
    ax.bar([x - 0.2 for x in xs], [b[1]["p50_ms"] for b in bars], 0.4, color=colors, label="p50")
    ax.bar([x + 0.2 for x in xs], [b[1]["p95_ms"] for b in bars], 0.4, color=colors, alpha=0.45, label="p95")
    ax.set_xticks(list(xs), [b[0] for b in bars], fontsize=7)
    ax.set(ylabel="ms", title="Answer latency and time to first token")
    ax.grid(True, axis="y", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    return save_fig(plt, fig, out / "answer.png")


def memory_chart(results: dict, out: Path) -> str | None:
    """The app's RSS over its first start and the concurrent chat load."""
    app = results.get("app", {})
    if not app.get("rss_timeline"):
        return None
    plt = pyplot()
    ts = [t for t, _ in app["rss_timeline"]]
    rs = [r for _, r in app["rss_timeline"]]
    fig, ax = plt.subplots(figsize=(9, 3.8))
    ax.plot(ts, rs, color=COLORS["ours"])
    marks = app.get("marks", {})
    for i, (key, label) in enumerate(
        (("ready", "ready"), ("load_start", "load start"), ("load_end", "load end"))
    ):
        if marks.get(key) is not None:
            ax.axvline(marks[key], color=COLORS["other"], ls="--")
            ax.text(marks[key], max(rs) * (0.55 - 0.12 * i), f" {label}", fontsize=8, va="top")
    ax.set(xlabel="seconds since python app.py", ylabel="RSS MB (process tree)")
    ax.set_title(f"App memory: first start, then {app.get('sessions')} concurrent chat sessions")
    ax.grid(True, alpha=0.3)
    fig.tight_layout()
    return save_fig(plt, fig, out / "memory.png")


CHARTS = (ingest_chart, search_chart, answer_chart, memory_chart)


def charts(results: dict, out: Path) -> list[str]:
    """Every chart the run has data for; the file names written."""
    return [name for chart in CHARTS if (name := chart(results, out))]
