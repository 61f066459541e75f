"""Offline metrics: retrieval against gold spans, and (later) answer quality without an LLM judge."""

from __future__ import annotations

import math
from collections.abc import Sequence

from .golden import Gold


def overlaps(doc_id: str, start: int, end: int, gold: Sequence[Gold]) -> bool:
    """A passage is relevant when it overlaps a gold span, so labels survive re-chunking."""
    return any(g.doc_id == doc_id and start < g.end and g.start < end for g in gold)


def relevance_flags(passages, gold: Sequence[Gold]) -> list[bool]:
    return [overlaps(p.doc_id, p.start, p.end, gold) for p in passages]


def hit_at(flags: Sequence[bool], k: int) -> float:
    return 1.0 if any(flags[:k]) else 0.0


def reciprocal_rank(flags: Sequence[bool]) -> float:
    return next((1.0 / (i + 1) for i, f in enumerate(flags) if f), 0.0)


def ndcg_at(flags: Sequence[bool], k: int, n_relevant: int) -> float:
    dcg = sum(1.0 / math.log2(i + 2) for i, f in enumerate(flags[:k]) if f)
    ideal = sum(1.0 / math.log2(i + 2) for i in range(min(k, max(n_relevant, 1))))
    return dcg / ideal if ideal else 0.0


def retrieval_scores(ranked_flags: list[list[bool]], n_relevant: list[int]) -> dict[str, float]:
    n = len(ranked_flags) or 1
    return {
        "hit@1": sum(hit_at(f, 1) for f in ranked_flags) / n,
        "hit@3": sum(hit_at(f, 3) for f in ranked_flags) / n,
        "hit@5": sum(hit_at(f, 5) for f in ranked_flags) / n,
        "mrr": sum(reciprocal_rank(f) for f in ranked_flags) / n,
        "ndcg@5": sum(ndcg_at(f, 5, r) for f, r in zip(ranked_flags, n_relevant, strict=True)) / n,
    }
