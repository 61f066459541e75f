"""How the advisor grows with its knowledge base: a serving process's memory per corpus size
(measured), and ×1000 extrapolated from the measured sizes (never measured; stated as such)."""

from __future__ import annotations

import math
from pathlib import Path

from testkit.app_process import AppProcess

from .measure import RSSSampler, mb, say

TARGET = 1000


def serving_rss(workdir: Path, data_dir: Path, questions: list[str]) -> dict:
    """``python app.py`` serving an existing index: RSS of its process tree when ready and after five
    sequential questions (the knowledge map, scope gate and caches are built by then)."""
    from .app_probe import _probe

    samplers: list[RSSSampler] = []
    app = AppProcess(
        workdir, data_dir=data_dir, on_spawn=lambda pid: samplers.append(RSSSampler(pid).__enter__())
    )
    out: dict = {"data_dir": data_dir.name}
    try:
        app.start()
        _probe(app, samplers[0], questions, out)
    except Exception as exc:
        out["error"] = f"{type(exc).__name__}: {exc}"[:1000]
    finally:
        app.stop()
        for s in samplers:
            s.__exit__(None, None, None)
    say(
        f"serving {data_dir.name}: RSS ready {out.get('rss_ready_mb')} MB, after 5 questions {out.get('rss_after_requests_mb')} MB"
    )
    return out


def power_law(points: list[tuple[float, float]], target: float) -> tuple[float, float] | None:
    """Value at ``target`` on the line through the two largest points on log-log axes, and its
    exponent (1 = linear growth, 0 = flat). ``None`` without two positive points."""
    pts = sorted((x, y) for x, y in points if x > 0 and y and y > 0)
    if len(pts) < 2:
        return None
    (x0, y0), (x1, y1) = pts[-2], pts[-1]
    exponent = math.log(y1 / y0) / math.log(x1 / x0)
    return y1 * (target / x1) ** exponent, exponent


def linear(points: list[tuple[float, float]], target: float) -> float | None:
    """Value at ``target`` on the straight line through the two largest points."""
    pts = sorted((x, y) for x, y in points if y is not None)
    if len(pts) < 2:
        return None
    (x0, y0), (x1, y1) = pts[-2], pts[-1]
    return y1 + (y1 - y0) * (target - x1) / (x1 - x0)


def extrapolate(results: dict, target: int = TARGET) -> dict:
    """×``target`` from the two largest measured sizes: sizes and memory on a straight line (they
    grow with the chunks), latencies on a power law (their exponent is reported with them)."""
    ingest = {r["scale"]: r for r in results["ingest"]["ours"]}
    out: dict = {"target": target, "from_sizes": sorted(ingest)[-2:], "extrapolated": True}
    out["chunks"] = linear([(s, r["chunks"]) for s, r in ingest.items()], target)
    out["disk_mb"] = linear([(s, mb(r["disk_bytes"])) for s, r in ingest.items()], target)
    out["ingest_seconds"] = linear([(s, r["estimated_full_seconds"]) for s, r in ingest.items()], target)
    for name in ("ours", "baseline"):
        for q in ("p50_ms", "p95_ms"):
            fit = power_law([(r["scale"], r[name][q]) for r in results.get("search", [])], target)
            if fit:
                out[f"search_{name}_{q}"], out[f"search_{name}_{q}_exponent"] = fit
    answers = [(int(k.removeprefix("x")), v["ours_extractive"]) for k, v in results.get("answer", {}).items()]
    for q in ("p50_ms", "p95_ms"):
        fit = power_law([(s, v[q]) for s, v in answers], target)
        if fit:
            out[f"answer_{q}"], out[f"answer_{q}_exponent"] = fit
    serving = results.get("serving") or {}
    rss = [(int(k.removeprefix("x")), v.get("rss_after_requests_mb")) for k, v in serving.items()]
    out["serving_rss_mb"] = linear([p for p in rss if p[1] is not None], target)
    return out


def _cell(value, digits: int = 0, unit: str = "") -> str:
    return "–" if value is None else f"{value:,.{digits}f}{unit}"


def scale_table(results: dict) -> str:
    """Serving memory per size (measured) and the ×1000 row (extrapolated, with the exponents used)."""
    serving = results.get("serving") or {}
    lines = [
        "| serving process (`python app.py`) | RSS ready MB | RSS after 5 questions MB |",
        "|---|---|---|",
    ]
    for size, row in serving.items():
        if "error" in row:
            lines.append(f"| {size.replace('x', '×')} | failed: `{row['error'][:120]}` | |")
            continue
        lines.append(
            f"| {size.replace('x', '×')} index (measured) | {_cell(row.get('rss_ready_mb'))} | "
            f"{_cell(row.get('rss_after_requests_mb'))} |"
        )
    x = results.get("scale")
    if not x:
        return "\n".join(lines)
    t = x["target"]
    minutes = x["ingest_seconds"] / 60 if x.get("ingest_seconds") is not None else None
    lines += [
        "",
        f"**×{t}: extrapolated, not measured** (from the two largest measured sizes of each figure; "
        "sizes, ingest time and memory on a straight line, latencies on a power law whose exponent is shown: "
        "1 means linear growth, 0 flat)",
        "",
        f"| figure | ×{t} (extrapolated) |",
        "|---|---|",
        f"| chunks | {_cell(x.get('chunks'))} |",
        f"| index on disk | {_cell(x.get('disk_mb'), 0, ' MB')} |",
        f"| first ingest, embedding included | {_cell(minutes, 0, ' min')} |",
        f"| serving RSS after 5 questions | {_cell(x.get('serving_rss_mb'), 0, ' MB')} |",
    ]
    for key, label in (
        ("search_ours", "search, ours"),
        ("search_baseline", "search, baseline"),
        ("answer", "extractive answer, ours"),
    ):
        for q in ("p50_ms", "p95_ms"):
            if f"{key}_{q}" in x:
                lines.append(
                    f"| {label} {q.removesuffix('_ms')} | {_cell(x[f'{key}_{q}'], 0, ' ms')} "
                    f"(exponent {x[f'{key}_{q}_exponent']:.2f}) |"
                )
    return "\n".join(lines)
