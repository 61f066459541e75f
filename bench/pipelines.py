"""The two pipelines' ingest, measured alike: ours (``advisor.index.ingest``) and the tutorial
baseline (``bench.baseline``), each on the same corpus folder with the same embedder and batching."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from advisor.index.ingest import ingest
from testkit.settings import isolated_settings

from .baseline import PlainRAG
from .measure import RSSSampler, du_bytes, mb, say
from .synth import CachingEmbeddings


def ingest_ours(folder: Path, data_dir: Path, emb: CachingEmbeddings) -> tuple[Path, dict]:
    settings = isolated_settings(data_dir)
    last = [time.monotonic()]

    def progress(done: int, total: int) -> None:
        if time.monotonic() - last[0] > 15 or done == total:
            last[0] = time.monotonic()
            say(f"  ours: {done}/{total} chunks embedded or reused")

    with RSSSampler() as rss:
        before = rss.sample()
        report = ingest(settings, emb, [folder], progress=progress)
    return data_dir, {
        "seconds": report.seconds,
        "documents": report.documents,
        "chunks": report.chunks,
        "skipped": len(report.skipped),
        "rss_growth_mb": mb(rss.peak() - before),
        "disk_bytes": du_bytes(data_dir),
    }


def ingest_baseline(folder: Path, data_dir: Path, emb: CachingEmbeddings) -> tuple[PlainRAG, dict]:
    rag = PlainRAG(emb, data_dir)
    with RSSSampler() as rss:
        before = rss.sample()
        seconds = rag.ingest([folder])
    return rag, {
        "seconds": seconds,
        "documents": rag.documents,
        "chunks": rag.chunks,
        "rss_growth_mb": mb(rss.peak() - before),
        "disk_bytes": du_bytes(data_dir),
    }


def ingest_again(folder: Path, work: Path, embedder, first: tuple[float, float], scale: int) -> dict:
    """A second run of each pipeline in reverse order (ours, baseline, then baseline, ours). Single
    runs on a shared 2-core machine drift by 10-20 %; the ABBA order cancels a steady drift, and the
    ratio of the summed times is the ingest figure."""
    again = {}
    for name in reversed(PIPELINES):
        fresh = CachingEmbeddings(embedder, {}, reuse=False)
        _, again[name] = PIPELINES[name](folder, work / f"{name}-again", fresh)
        shutil.rmtree(work / f"{name}-again", ignore_errors=True)
    ours = [round(first[0], 2), round(again["ours"]["seconds"], 2)]
    base = [round(first[1], 2), round(again["baseline"]["seconds"], 2)]
    return {
        "scale": scale,
        "order": "ours, baseline, baseline, ours",
        "ours_seconds": ours,
        "baseline_seconds": base,
        "ratio": round(sum(ours) / sum(base), 3),
    }


def finish_ingest_row(row: dict, emb: CachingEmbeddings, rate: float | None) -> dict:
    """Add what was embedded vs reused, and (when vectors were reused) the extrapolated full time."""
    row["embedded"] = emb.embedded
    row["embedded_chars"] = emb.embedded_chars
    row["reused"] = emb.reused
    row["embed_seconds"] = round(emb.embed_seconds, 2)
    row["measured"] = emb.reused == 0
    own_rate = emb.embed_seconds / emb.embedded if emb.embedded else None
    use = own_rate if emb.reused == 0 else (rate or own_rate)
    row["seconds_per_embedding"] = round(use, 4) if use else None
    if emb.reused and use:
        row["estimated_full_seconds"] = round(row["seconds"] + emb.reused * use, 1)
    else:
        row["estimated_full_seconds"] = round(row["seconds"], 1)
    row["chunks_per_s"] = round(row["chunks"] / row["seconds"], 2) if row["seconds"] else None
    row["estimated_chunks_per_s"] = (
        round(row["chunks"] / row["estimated_full_seconds"], 2) if row["estimated_full_seconds"] else None
    )
    row["seconds"] = round(row["seconds"], 2)
    return row


# Each pipeline's ingest: (corpus folder, data dir, embedder) -> (what searches it, figures).
PIPELINES = {"ours": ingest_ours, "baseline": ingest_baseline}
