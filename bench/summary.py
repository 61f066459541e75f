"""The benchmark's results as a few plain sentences, drawn from the numbers (no judgement beyond them):
the summary that opens ``bench/results/README.md`` and the console table."""

from __future__ import annotations

from .measure import mb
from .replicas import replicas_summary


def ingest_ratio(o: dict, b: dict, scale: int, again: dict | None = None) -> str:
    """The ingest target (ours no slower than the baseline at ×10) as one ratio, with what drives it:
    over both runs of each pipeline (ABBA order) when the benchmark repeated them."""
    chars = o.get("embedded_chars"), b.get("embedded_chars")
    rest = o["seconds"] - o["embed_seconds"], b["seconds"] - b["embed_seconds"]
    if again and again.get("scale") == scale:
        runs = ", ".join(
            f"{x:.0f} vs {y:.0f} s"
            for x, y in zip(again["ours_seconds"], again["baseline_seconds"], strict=True)
        )
        head = f"×{scale} ingest, ours ÷ baseline over two runs each ({again['order']}: {runs}): {again['ratio']:.2f}"
    else:
        head = f"×{scale} ingest, ours ÷ baseline: {o['seconds'] / b['seconds']:.2f}"
    text = (
        f"{head} (target ≤ 1.00); first runs' embedding alone "
        f"{o['embed_seconds'] / max(b['embed_seconds'], 1e-9):.2f}"
    )
    if all(chars):
        text += f" for {chars[0] / chars[1]:.2f}× the characters (each sentence once, with heading paths)"
    return text + f"; everything else {rest[0]:.1f} s vs {rest[1]:.1f} s."


def summary(results: dict) -> list[str]:
    """A few plain sentences drawn from the numbers (no judgement beyond them)."""
    return (
        search_sentences(results.get("search") or [])
        + ingest_sentences(results["ingest"])
        + answer_sentences(results)
        + app_sentences(results.get("app", {}))
        + replicas_summary(results.get("replicas"))
    )


def search_sentences(search: list[dict]) -> list[str]:
    if not search:
        return []
    first, last = search[0], search[-1]
    o1, b1, on, bn = first["ours"], first["baseline"], last["ours"], last["baseline"]
    return [
        f"Retrieval at ×{first['scale']}: hit@5 {o1['hit@5']:.3f} vs {b1['hit@5']:.3f}, "
        f"MRR {o1['mrr']:.3f} vs {b1['mrr']:.3f} (ours vs baseline)"
        + (
            f"; at ×{last['scale']}: hit@5 {on['hit@5']:.3f} vs {bn['hit@5']:.3f}, "
            f"MRR {on['mrr']:.3f} vs {bn['mrr']:.3f}."
            if last is not first
            else "."
        ),
        "Search p50 "
        + ", ".join(
            f"×{r['scale']} {r['ours']['p50_ms']:.0f} vs {r['baseline']['p50_ms']:.0f} ms" for r in search
        )
        + " (ours vs baseline; one question at a time, query vector not cached).",
    ]


def ingest_sentences(ingest: dict) -> list[str]:
    """The largest size ingested in full (and its ratio), then the largest that reused vectors."""
    ing_o = {r["scale"]: r for r in ingest["ours"]}
    ing_b = {r["scale"]: r for r in ingest["baseline"]}
    measured = [s for s in ing_o if ing_o[s]["measured"] and ing_b.get(s, {}).get("measured")]
    reused = [s for s in ing_o if not ing_o[s]["measured"]]
    out = []
    if measured:
        s = max(measured)
        out += [
            measured_ingest(ing_o[s], ing_b[s], s),
            ingest_ratio(ing_o[s], ing_b[s], s, ingest.get("again")),
        ]
    if reused:
        s = max(reused)
        out.append(reused_ingest(ing_o[s], ing_b[s], s))
    return out


def measured_ingest(o: dict, b: dict, s: int) -> str:
    return (
        f"Ingest at ×{s} (fully measured): {o['seconds']:.0f} s vs {b['seconds']:.0f} s for "
        f"{o['chunks']} vs {b['chunks']} chunks; embedding is most of it "
        f"({o['embed_seconds']:.0f} s and {b['embed_seconds']:.0f} s)."
    )


def reused_ingest(o: dict, b: dict, s: int) -> str:
    return (
        f"Ingest at ×{s} reused vectors: the rest of ingest (chunking, BM25, Chroma, store) took "
        f"{o['seconds']:.1f} s vs {b['seconds']:.1f} s; with embedding extrapolated at the measured "
        f"rate, about {o['estimated_full_seconds']:.0f} s vs {b['estimated_full_seconds']:.0f} s. "
        f"Index on disk {mb(o['disk_bytes']):.0f} MB vs {mb(b['disk_bytes']):.0f} MB."
    )


def answer_sentences(results: dict) -> list[str]:
    """Extractive answer latency at each size, then time to first token with a streaming LLM."""
    out = [
        f"A full extractive answer (retrieve, scope check, compose, verify citations) at "
        f"{size.replace('x', '×')} takes p50 {ans['ours_extractive']['p50_ms']:.0f} / p95 "
        f"{ans['ours_extractive']['p95_ms']:.0f} ms vs {ans['baseline_top_passage']['p50_ms']:.0f} / "
        f"{ans['baseline_top_passage']['p95_ms']:.0f} ms for the baseline's top passage."
        for size, ans in results.get("answer", {}).items()
    ]
    t = results.get("ttft")
    if t:
        out.append(
            f"With a streaming LLM (scripted, {t['server_first_token_delay_ms']:.0f} ms to its first token), "
            f"our time to first token is p50 {t['ours_ttft']['p50_ms']:.0f} ms: "
            f"{t['ours_overhead_p50_ms']:.0f} ms of pipeline overhead over a bare client "
            f"(baseline: {t['baseline_ttft']['p50_ms'] - t['raw_client_ttft']['p50_ms']:.0f} ms)."
        )
    return out


def app_sentences(app: dict) -> list[str]:
    load = app.get("load")
    if load:
        return [
            f"App: RSS {app.get('rss_ready_mb')} MB when ready; under {app.get('sessions')} concurrent sessions "
            f"for {load.get('duration_s')} s it answered {load.get('answers')} questions with "
            f"{len(load.get('errors', []))} errors, stored {load.get('feedback_votes_stored')} of "
            f"{load.get('feedback_calls')} feedback votes (lost: {load.get('lost_votes')}), RSS "
            f"{load.get('rss_start_mb')} → peak {load.get('rss_peak_mb')} → {load.get('rss_end_mb')} MB."
        ]
    if app.get("error"):
        return [f"The app check failed: {app['error'][:200]}"]
    return []
