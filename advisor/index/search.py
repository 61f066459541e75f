"""Hybrid retrieval: dense (Chroma) and BM25 candidates fused (convex combination of min-max
normalised scores by default, or weighted reciprocal-rank fusion), a soft preference for the asker's
role, and an optional CrossEncoder second stage."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import asdict, dataclass
from types import MappingProxyType

import numpy as np

from advisor.config import Settings
from advisor.errors import InputError
from advisor.index.chroma import ChromaCollection
from advisor.index.chunking import SECTION_SEP, Chunk
from advisor.index.snapshot import IndexSnapshot
from advisor.kb.documents import GENERAL_ROLE
from advisor.kb.facts import Knowledge

log = logging.getLogger(__name__)
MAX_K = 100  # passages one search may return
DENSE_DOWN = "dense"  # ``Hits.degraded``: the vector store did not answer, BM25 alone ranked these
INFER = "(infer)"  # ``Retriever.search(hint=...)`` default: read the role hint from the query
# Vector-store queries run here so an answer waits at most ``chroma_timeout`` for them; a query stuck
# on a hung server keeps its thread until the client's own request timeout (index/chroma.py).
_QUERIES = ThreadPoolExecutor(max_workers=16, thread_name_prefix="chroma-query")


class Hits(list):
    """Search results, saying whether a retriever was unavailable (``degraded``), so the answer can
    tell the user in one line instead of silently answering from BM25 alone."""

    degraded: str | None = None
    # The dense similarity of every candidate the vector search returned, by chunk position: how close
    # in meaning the question is to passages beyond the top k (the composer weighs sentences by it).
    similar: Mapping[int, float] = MappingProxyType({})  # replaced by each search


class Breaker:
    """After a failed vector query, skip the vector store (answers come from BM25 at once) until a
    background probe finds it answering again."""

    def __init__(self, probe_every: float) -> None:
        self.probe_every = max(0.2, probe_every)
        self._open = threading.Event()

    @property
    def is_open(self) -> bool:
        return self._open.is_set()

    def trip(self, probe) -> None:
        if self._open.is_set():
            return
        self._open.set()
        threading.Thread(target=self._probe, args=(probe,), name="chroma-probe", daemon=True).start()

    def _probe(self, probe) -> None:
        while True:
            time.sleep(self.probe_every)
            try:
                probe()
            except Exception as exc:
                log.debug("vector store still unavailable: %s", exc)
                continue
            log.warning("vector store answers again: hybrid retrieval restored")
            self._open.clear()
            return


@dataclass
class Passage:
    """A retrieved passage; citations are built from these fields, never from model output."""

    chunk_id: str
    doc_id: str
    title: str
    section: str
    text: str
    start: int
    end: int
    score: float
    roles: tuple[str, ...] = ()
    source: str | None = None
    dense: float = 0.0
    bm25: float = 0.0

    @property
    def heading_path(self) -> str:
        return SECTION_SEP.join(p for p in (self.title, self.section) if p)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["roles"] = list(self.roles)
        return d

    @classmethod
    def from_chunk(cls, c: Chunk, score: float = 0.0, dense: float = 0.0, bm25: float = 0.0) -> Passage:
        return cls(
            chunk_id=c.chunk_id,
            doc_id=c.doc_id,
            title=c.title,
            section=SECTION_SEP.join(c.section),
            text=c.text,
            start=c.start,
            end=c.end,
            score=round(float(score), 6),
            roles=c.roles,
            source=c.source,
            dense=round(float(dense), 6),
            bm25=round(float(bm25), 6),
        )


def check_role(role: str | None, kb: Knowledge) -> str | None:
    """The role argument as a known role name; ``None``/""/全部 mean no role; anything else is refused."""
    if role in (None, "", "全部"):
        return None
    if role not in kb.roles:
        msg = f"未知角色 {role!r}；可选：{'、'.join(kb.role_names)}"
        raise InputError(msg)
    return role


def eligible(chunk: Chunk, role: str | None) -> bool:
    """With a role chosen, only that role's passages and general ones are searched."""
    return role is None or role in chunk.roles or GENERAL_ROLE in chunk.roles


def rrf(rankings: list[tuple[list[int], float]], k: int) -> dict[int, float]:
    """Weighted reciprocal-rank fusion of several ranked lists of chunk positions."""
    fused: dict[int, float] = {}
    for ranking, weight in rankings:
        for rank, idx in enumerate(ranking):
            fused[idx] = fused.get(idx, 0.0) + weight / (k + rank + 1)
    return fused


def convex(
    dense: list[tuple[int, float]], lexical: list[tuple[int, float]], w_dense: float, w_lexical: float
) -> dict[int, float]:
    """Weighted sum of min-max normalised scores; a passage missing from one list scores 0 there."""

    def norm(scored: list[tuple[int, float]]) -> dict[int, float]:
        if not scored:
            return {}
        lo, hi = min(s for _, s in scored), max(s for _, s in scored)
        return {i: (s - lo) / (hi - lo) if hi > lo else 1.0 for i, s in scored}

    d, b = norm(dense), norm(lexical)
    total = (w_dense + w_lexical) or 1.0
    return {i: (w_dense * d.get(i, 0.0) + w_lexical * b.get(i, 0.0)) / total for i in set(d) | set(b)}


def distinct(scored: list[tuple[int, float]], same_as: dict[int, int]) -> list[tuple[int, float]]:
    """Each text once, at its best-ranked copy: five copies of one reposted passage would push out
    four others that could answer, and show the reader the same quote five times."""
    if not same_as:
        return scored
    seen: set[int] = set()
    out = []
    for i, score in scored:
        key = same_as.get(i, i)
        if key not in seen:
            seen.add(key)
            out.append((i, score))
    return out


class Retriever:
    """Searches one index snapshot; the embedder, vector store and reranker are handed in."""

    def __init__(
        self,
        snapshot: IndexSnapshot,
        collection: ChromaCollection,
        embedder,
        settings: Settings,
        reranker=None,
    ):
        self.snapshot = snapshot
        self.collection = collection  # the generation's Chroma collection (vectors only are read)
        self.embedder = embedder
        self.settings = settings
        self.reranker = reranker
        self._masks: dict[str, np.ndarray] = {}
        self.breaker = Breaker(settings.refresh_seconds)

    def _query(self, vec: list[float], fetch: int) -> list[tuple[str, float]]:
        future = _QUERIES.submit(self.collection.nearest, vec, fetch)
        try:
            return future.result(timeout=self.settings.chroma_timeout)
        except FutureTimeout:
            future.cancel()
            msg = f"no reply from the vector store within {self.settings.chroma_timeout:.1f} s"
            raise TimeoutError(msg) from None

    def _probe(self) -> None:
        """Returns once the server answers (a hung one holds only this one thread meanwhile)."""
        self.collection.count()

    def dense(self, query: str, n: int, role: str | None = None) -> list[tuple[int, float]] | None:
        """Chunk positions with cosine similarity, best first; ``None`` when the vector store is down
        or hung (BM25, in memory, still answers)."""
        if self.breaker.is_open:
            return None
        vec = self.embedder.embed_query(query)
        fetch = n if role is None else min(len(self.snapshot.chunks), n * 3)
        try:
            nearest = self._query(vec, fetch)
        except Exception as exc:  # the Chroma server is away or hung: BM25 (in memory) still answers
            log.warning("dense retrieval unavailable, answering from BM25 only: %s", exc)
            self.breaker.trip(self._probe)
            return None
        out = []
        for chunk_id, distance in nearest:
            idx = self.snapshot.by_id.get(chunk_id)
            if idx is not None and eligible(self.snapshot.chunks[idx], role):
                out.append((idx, 1.0 - float(distance)))  # cosine distance -> similarity
        return out[:n]

    def lexical(self, query: str, n: int, role: str | None = None) -> list[tuple[int, float]]:
        """Chunk positions with BM25 scores, best first (only the role's and general passages)."""
        return self.snapshot.bm25.top(query, n, None if role is None else self.role_mask(role))

    def role_mask(self, role: str) -> np.ndarray:
        """Which passages a search for ``role`` may return, computed once per role and generation."""
        mask = self._masks.get(role)
        if mask is None:
            mask = np.fromiter((eligible(c, role) for c in self.snapshot.chunks), dtype=bool)
            self._masks[role] = mask
        return mask

    def search(
        self, query: str, k: int | None = None, role: str | None = None, mode: str | None = None, hint=INFER
    ) -> Hits:
        """``hint``: the role the caller read the question to be about (a soft boost); by default it is
        inferred from ``query`` here (callers without their own reading: the CLI, bench, evals)."""
        k = self.settings.top_k if k is None else k
        if not isinstance(k, int) or isinstance(k, bool) or not 1 <= k <= MAX_K:
            msg = f"k（返回段落数）需为 1 到 {MAX_K} 之间的整数，收到 {k!r}"
            raise InputError(msg)
        kb = self.snapshot.knowledge
        role = check_role(role, kb)
        mode = mode or self.settings.retrieval_mode
        n = max(self.settings.candidates, k)
        hint = role or (infer_role(query, kb) if hint == INFER else hint)
        query = retrieval_query(query, hint, kb)
        dense = self.dense(query, n, role) if mode in ("hybrid", "dense") else []
        hits = Hits()
        if dense is None:
            hits.degraded, dense = DENSE_DOWN, []
            if mode == "dense":  # asked for vectors only: BM25 is the only ranking left
                mode = "bm25"
        lexical = self.lexical(query, n, role) if mode in ("hybrid", "bm25") else []
        dense_map, bm25_map = dict(dense), dict(lexical)
        hits.similar = dense_map
        if mode == "dense":
            scored = dense
        elif mode == "bm25":
            scored = lexical
        else:
            if self.settings.fusion == "convex":
                fused = convex(dense, lexical, self.settings.dense_weight, self.settings.bm25_weight)
            else:
                fused = rrf(
                    [
                        ([i for i, _ in dense], self.settings.dense_weight),
                        ([i for i, _ in lexical], self.settings.bm25_weight),
                    ],
                    self.settings.rrf_k,
                )
            if hint and not role and self.settings.role_boost:
                # A soft preference for the role the question names; other passages stay eligible.
                bonus = self.settings.role_boost * (
                    0.1 if self.settings.fusion == "convex" else 1 / (self.settings.rrf_k + 1)
                )
                for i in fused:
                    if hint in self.snapshot.chunks[i].roles:
                        fused[i] += bonus
            scored = sorted(fused.items(), key=lambda kv: (-kv[1], kv[0]))
        scored = distinct(scored, self.snapshot.same_as)
        passages = [self._passage(i, s, dense_map, bm25_map) for i, s in scored]
        if self.reranker is not None and passages:
            passages = self.reranker.rerank(query, passages)
        hits.extend(passages[:k])
        return hits

    def _passage(self, idx: int, score: float, dense: dict, bm25: dict) -> Passage:
        return Passage.from_chunk(self.snapshot.chunks[idx], score, dense.get(idx, 0.0), bm25.get(idx, 0.0))


class CrossEncoderReranker:
    """Optional second stage: a sentence-transformers ``CrossEncoder`` rescoring the fused list."""

    def __init__(self, name_or_path: str, top_n: int = 20) -> None:
        from sentence_transformers import CrossEncoder

        from advisor.index.embeddings import resolve_st_model

        self.model = CrossEncoder(resolve_st_model(name_or_path), device="cpu")
        self.top_n = top_n

    def rerank(self, query: str, passages: list[Passage]) -> list[Passage]:
        head, tail = passages[: self.top_n], passages[self.top_n :]
        scores = self.model.predict([(query, f"{p.heading_path}\n{p.text}") for p in head])
        for p, s in zip(head, scores, strict=True):
            p.score = round(float(s), 6)
        return sorted(head, key=lambda p: -p.score) + tail


def infer_role(question: str, kb: Knowledge, history: list[dict] | None = None) -> str | None:
    """The user's own role when the question (or, failing that, earlier turns) names exactly one."""
    earlier = [m["content"] for m in reversed(history or []) if m.get("role") == "user"]
    for text in [question, *earlier]:
        low = text.lower()
        found = [r for r, hints in kb.roles.items() if any(h in low for h in hints)]
        if len(found) == 1:
            return found[0]
        if found:
            return None
    return None


def retrieval_query(query: str, role: str | None, kb: Knowledge) -> str:
    """A broad "which way should I go" question from a known role asks for that role's paths."""
    broad, specific = kb.broad_re, kb.specific_re
    if (
        role
        and broad is not None
        and broad.search(query)
        and not (specific is not None and specific.search(query))
        and not any(p in query for p in kb.paths)
    ):
        return f"{query} {role}中层 {' '.join(kb.paths)}"
    return query
