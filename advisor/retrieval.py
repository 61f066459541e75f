"""Hybrid retrieval: BM25 and dense results fused by weighted reciprocal-rank fusion."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from .chunking import SECTION_SEP, Chunk
from .config import GENERAL_ROLE, ROLES, Settings
from .index import IndexSnapshot


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


_PATHS = ("纵向深耕", "横向跨界", "斜向突破")
ROLE_HINTS = {
    "技术": (
        "程序员",
        "开发",
        "后端",
        "前端",
        "算法",
        "架构",
        "码农",
        "技术",
        "工程师",
        "写代码",
        "java",
        "运维",
    ),
    "产品": ("产品经理", "做产品", "产品岗", "产品中层", "产品总监", "pm"),
    "运营": ("运营",),
    "市场": ("市场", "营销", "投放", "品牌", "广告"),
}


def infer_role(question: str, history: list[dict] | None = None) -> str | None:
    """The user's own role when the question (or, failing that, earlier turns) names exactly one."""
    earlier = [m["content"] for m in reversed(history or []) if m.get("role") == "user"]
    for text in [question, *earlier]:
        low = text.lower()
        found = [r for r, hints in ROLE_HINTS.items() if any(h in low for h in hints)]
        if len(found) == 1:
            return found[0]
        if found:
            return None
    return None


_BROAD = re.compile(r"(怎么|如何|该|往哪|有啥|啥|什么|哪些)\S{0,3}(转型|出路|路子|路径|方向|发展|走|转)")
_SPECIFIC = re.compile(r"模板|表格|清单|计划|看板|止损|风险|试错|验证|指标|案例|工具|存款|积蓄|钱")


def retrieval_query(query: str, role: str | None) -> str:
    """A broad "which way should I go" question from a known role asks for that role's three paths."""
    if role and _BROAD.search(query) and not _SPECIFIC.search(query) and not any(p in query for p in _PATHS):
        return f"{query} {role}中层 {' '.join(_PATHS)}"
    return query


def check_role(role: str | None) -> str | None:
    if role in (None, "", "全部"):
        return None
    if role not in ROLES:
        msg = f"未知角色 {role!r}；可选：{'、'.join(ROLES)}"
        raise ValueError(msg)
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


class Retriever:
    """Searches one index snapshot; the embedder, vector store and reranker are handed in."""

    def __init__(self, snapshot: IndexSnapshot, store, embedder, settings: Settings, reranker=None):
        self.snapshot = snapshot
        self.store = store
        self.embedder = embedder
        self.settings = settings
        self.reranker = reranker

    def dense(self, query: str, n: int, role: str | None = None) -> list[tuple[int, float]]:
        """Chunk positions with cosine similarity, best first."""
        vec = self.embedder.embed_query(query)
        fetch = n if role is None else min(len(self.snapshot.chunks), n * 3)
        hits = self.store.similarity_search_by_vector_with_relevance_scores(vec, k=max(fetch, 1))
        out = []
        for doc, distance in hits:
            idx = self.snapshot.by_id.get(doc.id or "")
            if idx is not None and eligible(self.snapshot.chunks[idx], role):
                out.append((idx, 1.0 - float(distance)))
        return out[:n]

    def lexical(self, query: str, n: int, role: str | None = None) -> list[tuple[int, float]]:
        ranked = self.snapshot.bm25.top(query, len(self.snapshot.chunks))
        return [(i, s) for i, s in ranked if eligible(self.snapshot.chunks[i], role)][:n]

    def search(
        self, query: str, k: int | None = None, role: str | None = None, mode: str | None = None
    ) -> list[Passage]:
        k = k or self.settings.top_k
        role = check_role(role)
        mode = mode or self.settings.retrieval_mode
        n = max(self.settings.candidates, k)
        hint = role or infer_role(query)
        query = retrieval_query(query, hint)
        dense = self.dense(query, n, role) if mode in ("hybrid", "dense") else []
        lexical = self.lexical(query, n, role) if mode in ("hybrid", "bm25") else []
        dense_map, bm25_map = dict(dense), dict(lexical)
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
        passages = [self._passage(i, s, dense_map, bm25_map) for i, s in scored]
        if self.reranker is not None and passages:
            passages = self.reranker.rerank(query, passages)
        return passages[:k]

    def _passage(self, idx: int, score: float, dense: dict, bm25: dict) -> Passage:
        c = self.snapshot.chunks[idx]
        return Passage(
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
            dense=round(float(dense.get(idx, 0.0)), 6),
            bm25=round(float(bm25.get(idx, 0.0)), 6),
        )


class CrossEncoderReranker:
    """Optional second stage: a sentence-transformers ``CrossEncoder`` rescoring the fused list."""

    def __init__(self, name_or_path: str, top_n: int = 20) -> None:
        from sentence_transformers import CrossEncoder

        from .embeddings import resolve_st_model

        self.model = CrossEncoder(resolve_st_model(name_or_path), device="cpu")
        self.top_n = top_n

    def rerank(self, query: str, passages: list[Passage]) -> list[Passage]:
        head, tail = passages[: self.top_n], passages[self.top_n :]
        scores = self.model.predict([(query, f"{p.heading_path}\n{p.text}") for p in head])
        for p, s in zip(head, scores, strict=True):
            p.score = round(float(s), 6)
        return sorted(head, key=lambda p: -p.score) + tail
