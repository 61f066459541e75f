"""Turn ``latest.json`` into the console table, PNG charts and ``bench/results/README.md`` (its summary
sentences: ``bench/summary.py``)."""

from __future__ import annotations

from pathlib import Path

from .charts import charts
from .measure import mb
from .replicas import replicas_table
from .scale import scale_table
from .summary import summary


def _f(x, nd: int = 1) -> str:
    if x is None:
        return "–"
    if isinstance(x, float):
        return f"{x:.{nd}f}"
    return str(x)


def _ratio(a, b) -> str:
    if a is None or b in (None, 0):
        return "–"
    return f"{a / b:.2f}"


def _pair(a, b, nd: int = 1) -> str:
    return f"{_f(a, nd)} / {_f(b, nd)} ({_ratio(a, b)})"


def headline(results: dict) -> str:
    sizes = [r["scale"] for r in results["search"]]
    ours_i = {r["scale"]: r for r in results["ingest"]["ours"]}
    base_i = {r["scale"]: r for r in results["ingest"]["baseline"]}
    search = {r["scale"]: r for r in results["search"]}
    head = "| metric: ours / baseline (ratio ours÷baseline) | " + " | ".join(f"×{s}" for s in sizes) + " |"
    lines = [head, "|---" * (len(sizes) + 1) + "|"]

    def row(name: str, cells: list[str]) -> None:
        lines.append(f"| {name} | " + " | ".join(cells) + " |")

    row("hit@5", [_pair(search[s]["ours"]["hit@5"], search[s]["baseline"]["hit@5"], 3) for s in sizes])
    row("MRR@5", [_pair(search[s]["ours"]["mrr"], search[s]["baseline"]["mrr"], 3) for s in sizes])
    row(
        "ours dense-only hit@5 / MRR (ablation)",
        [f"{search[s]['ours_dense']['hit@5']:.3f} / {search[s]['ours_dense']['mrr']:.3f}" for s in sizes],
    )
    if all("baseline_once" in search[s] for s in sizes):  # runs before it was measured lack it
        row(
            "baseline with each repeated passage shown once, hit@5 / MRR (ablation)",
            [
                f"{search[s]['baseline_once']['hit@5']:.3f} / {search[s]['baseline_once']['mrr']:.3f}"
                for s in sizes
            ],
        )
    row(
        "characters returned (top 5)",
        [
            _pair(search[s]["ours"].get("chars_returned"), search[s]["baseline"].get("chars_returned"), 0)
            for s in sizes
        ],
    )
    row(
        "search p50 ms",
        [_pair(search[s]["ours"]["p50_ms"], search[s]["baseline"]["p50_ms"], 0) for s in sizes],
    )
    row(
        "search p95 ms",
        [_pair(search[s]["ours"]["p95_ms"], search[s]["baseline"]["p95_ms"], 0) for s in sizes],
    )

    def ingest_cell(s: int) -> str:
        o, b = ours_i.get(s), base_i.get(s)
        if not o or not b:
            return "–"
        if o["measured"] and b["measured"]:
            return _pair(o["seconds"], b["seconds"], 1)
        return (
            f"{_f(o['estimated_full_seconds'])} / {_f(b['estimated_full_seconds'])} est. "
            f"({_ratio(o['estimated_full_seconds'], b['estimated_full_seconds'])}); "
            f"measured with reused vectors {_f(o['seconds'])} / {_f(b['seconds'])}"
        )

    row("ingest seconds", [ingest_cell(s) for s in sizes])
    row("chunks", [f"{ours_i[s]['chunks']} / {base_i[s]['chunks']}" for s in sizes if s in ours_i])
    row(
        "index on disk MB",
        [_pair(mb(ours_i[s]["disk_bytes"]), mb(base_i[s]["disk_bytes"]), 1) for s in sizes if s in ours_i],
    )
    return "\n".join(lines)


def ingest_table(results: dict) -> str:
    corp = {c["scale"]: c for c in results["corpora"]}
    lines = [
        "| size | docs | chars | pipeline | chunks | seconds | chunks/s | embedded / reused | est. full s | "
        "disk MB | ingest RSS growth MB |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name in ("ours", "baseline"):
        for r in results["ingest"][name]:
            c = corp.get(r["scale"], {})
            lines.append(
                f"| ×{r['scale']} | {c.get('documents', '–')} | {c.get('chars', 0):,} | {name} | {r['chunks']} | "
                f"{_f(r['seconds'])}{'' if r['measured'] else '*'} | "
                f"{_f(r['chunks_per_s']) if r['measured'] else _f(r['estimated_chunks_per_s']) + ' est.'} | "
                f"{r['embedded']} / {r['reused']} | {_f(r['estimated_full_seconds'])} | "
                f"{_f(mb(r['disk_bytes']))} | {_f(r.get('rss_growth_mb'))} |"
            )
    lines.append("\n\\* measured with reused vectors (no embedding for reused chunks); see 'est. full s'.")
    return "\n".join(lines)


def answer_table(results: dict) -> str:
    lines = ["| what | n | p50 ms | p95 ms | mean ms |", "|---|---|---|---|---|"]
    for size, res in results.get("answer", {}).items():
        o, b = res["ours_extractive"], res["baseline_top_passage"]
        lines.append(
            f"| ours: full answer, extractive ({size.replace('x', '×')}) | {o['n']} | {_f(o['p50_ms'], 0)} | "
            f"{_f(o['p95_ms'], 0)} | {_f(o['mean_ms'], 0)} |"
        )
        lines.append(
            f"| baseline: top passage ({size.replace('x', '×')}) | {b['n']} | {_f(b['p50_ms'], 0)} | "
            f"{_f(b['p95_ms'], 0)} | {_f(b['mean_ms'], 0)} |"
        )
    t = results.get("ttft")
    if t:
        for label, key in (
            ("ours: time to first token (LLM via scripted server)", "ours_ttft"),
            ("bare ChatOpenAI client, same server (no retrieval)", "raw_client_ttft"),
            ("baseline: similarity_search + same stream", "baseline_ttft"),
            ("ours: whole streamed answer incl. citation check", "ours_full_stream"),
            ("ours: last token → verified Answer", "ours_after_last_token"),
        ):
            m = t[key]
            lines.append(
                f"| {label} | {m['n']} | {_f(m['p50_ms'], 0)} | {_f(m['p95_ms'], 0)} | {_f(m['mean_ms'], 0)} |"
            )
        lines.append(
            f"\nServer first-token delay {t['server_first_token_delay_ms']:.0f} ms, then one 2-character token "
            f"every {t['token_delay_ms']:.0f} ms. Our pipeline overhead before the first token (ours − bare "
            f"client): p50 {t['ours_overhead_p50_ms']:.0f} ms, p95 {t['ours_overhead_p95_ms']:.0f} ms. "
            f"Fallback notices: {t['fallback_notices']}."
        )
    return "\n".join(lines)


def app_table(results: dict) -> str:
    a = results.get("app")
    if not a:
        return "(not run)"
    if "error" in a:
        return f"The app check failed: `{a['error'][:500]}`"
    lines = [f"Mode: {a['mode']}.", "", "| measure | value |", "|---|---|"]
    for key, label in (
        ("startup_seconds", "first start incl. ingest of corpus/ (s)"),
        ("rss_peak_startup_mb", "peak RSS during first start (MB)"),
        ("rss_ready_mb", "RSS when ready (MB)"),
        ("rss_after_requests_mb", "RSS after 5 sequential questions (MB)"),
        ("rss_start_mb", "RSS (MB)"),
        ("rss_peak_mb", "peak RSS (MB)"),
        ("rss_end_mb", "RSS at end (MB)"),
    ):
        if key in a:
            lines.append(f"| {label} | {_f(a[key])} |")
    load = a.get("load")
    if load:
        lines += [
            f"| load: sessions × seconds | {a['sessions']} × {_f(load.get('duration_s'))} |",
            f"| load: answers / errors | {load.get('answers')} / {len(load.get('errors', []))} |",
            f"| load: answers per second | {_f(load.get('answers_per_s'), 2)} |",
            f"| load: answer latency p50 / p95 ms | {_f(load.get('answer_latency', {}).get('p50_ms'), 0)} / "
            f"{_f(load.get('answer_latency', {}).get('p95_ms'), 0)} |",
            f"| load: feedback calls / acknowledged / stored / lost | {load.get('feedback_calls')} / "
            f"{load.get('feedback_ok')} / {load.get('feedback_votes_stored')} / {load.get('lost_votes')} |",
            f"| load: RSS start / peak / end MB | {_f(load.get('rss_start_mb'))} / {_f(load.get('rss_peak_mb'))} / "
            f"{_f(load.get('rss_end_mb'))} |",
            f"| load: hung sessions | {load.get('hung_sessions', 0)} |",
            f"| load driver | {load.get('driver')} |",
        ]
        if load.get("errors"):
            lines.append("\nFirst errors: " + "; ".join(f"`{e}`" for e in load["errors"][:3]))
    return "\n".join(lines)


def console_table(results: dict) -> str:
    parts = [
        "== Summary ==",
        *summary(results),
        "",
        "== Side by side: ours vs the tutorial baseline ==",
        headline(results),
        "",
        "== Ingest ==",
        ingest_table(results),
        "",
        "== Answers ==",
        answer_table(results),
        "",
        "== Serving memory, and ×1000 extrapolated ==",
        scale_table(results),
        "",
        "== App: memory and concurrent chat load ==",
        app_table(results),
        "",
        "== Two replicas on one Chroma server and one feedback database ==",
        replicas_table(results.get("replicas")),
    ]
    return "\n".join(parts)


def write_report(results: dict, out: Path) -> str:
    """Write charts and README.md under ``out``; return the console table."""
    out.mkdir(parents=True, exist_ok=True)
    table = console_table(results)
    try:
        made = charts(results, out)
    except Exception as exc:  # a chart must never lose the numbers
        made = []
        table += f"\n\n(charts failed: {type(exc).__name__}: {exc})"
    meta = results["meta"]
    readme = readme_intro(meta) + readme_sections(results, made) + readme_notes(meta)
    (out / "README.md").write_text(readme, "utf-8")
    return table


def readme_intro(meta: dict) -> str:
    """Title, run, machine, and what the baseline and ours are."""
    m0, m1 = meta.get("machine_start", {}), meta.get("machine_end", {})
    ours_cfg = meta.get("ours_settings") or {}
    fusion = f"{ours_cfg['fusion']} fusion" if ours_cfg.get("fusion") else "fused"
    return f"""# Benchmarks: 转型顾问 vs a tutorial RAG baseline

Generated by `python -m bench` on {meta["date"]} (commit `{meta["commit"]}`, {meta.get("total_seconds", "?")} s).
Machine: {m0.get("cpus")} CPU cores, {m0.get("memory_gb")} GB RAM, Python {m0.get("python")}; load average
(1/5/15 min) at start {m0.get("loadavg_1_5_15")}, at end {m1.get("loadavg_1_5_15")} (the end comes right
after the benchmark's own concurrent chat load). Raw numbers:
[`latest.json`](latest.json).

**Baseline** = the plain pipeline most RAG tutorials ship: LangChain + Chroma, 500-character
recursive character chunks (50 overlap), dense-only top-5 with the *same* embedder
({meta["embedder"]}), no BM25, no headings in the embedded text, no role filter, no citation check;
its "answer" is the top passage. **Ours** = heading-aware sentence chunks, hybrid dense + BM25
({fusion}), role-aware, extractive answers with verified citations.
"""


def readme_sections(results: dict, made: list) -> str:
    """The summary, the tables and the charts, one section each."""
    imgs = "\n\n".join(f"![{p}]({p})" for p in made)
    return f"""
## Summary

{chr(10).join("- " + line for line in summary(results))}

## Side by side

{headline(results)}

## Ingest

{ingest_table(results)}

## Answers

{answer_table(results)}

## Serving memory, and ×1000 extrapolated

{scale_table(results)}

## App: memory and concurrent chat load

{app_table(results)}

## Two replicas on one Chroma server and one feedback database

{replicas_table(results.get("replicas"))}

## Charts

{imgs}
"""


def readme_notes(meta: dict) -> str:
    notes = "\n".join(f"- {n}" for n in meta.get("notes", []))
    return f"""
## How to read these numbers

{notes}
- Reproduce: `python -m bench` (sizes 1 10 100; this run took {meta.get("total_seconds", "?")} s, most
  of it embedding the ×10 corpus twice); `python -m bench --quick` (sizes 1 3, short load, a few
  minutes); `python -m bench --sizes 1 10 100 --no-reuse` embeds every chunk at every size (×100
  alone then takes the 'est. full s' above).
"""
