"""Evaluators: small functions from one case and its answer to named scores (as pydantic-evals'
evaluators do). A score is a float in 0..1 or ``None`` when it does not apply to the case (retrieval
on an out-of-scope question, say); the run's metric of that name is the mean of the non-``None``
values. ``details`` carry what a report shows next to the scores (missing key points, problems)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from advisor.markup import answer_body

from .golden import Case
from .metrics import (
    citation_problems,
    citation_support,
    hit_at,
    keypoint_hits,
    ndcg_at,
    reciprocal_rank,
    relevance_flags,
    rouge_l,
)


@dataclass
class Context:
    """What an evaluator sees: the case, the advisor's answer, the document bodies of the index, and
    how many indexed chunks overlap the case's gold spans (nDCG's ideal list)."""

    case: Case
    answer: Any
    bodies: dict[str, str]
    n_relevant: int = 0


@dataclass
class Scored:
    scores: dict[str, float | None]
    details: dict[str, Any] = field(default_factory=dict)


Evaluator = Callable[[Context], Scored]


def retrieval(ctx: Context) -> Scored:
    """hit@k, reciprocal rank and nDCG@5 of the passages the answer used, against the gold spans."""
    names = ("hit@1", "hit@3", "hit@5", "mrr", "ndcg@5")
    if not ctx.case.answerable:
        return Scored(dict.fromkeys(names))
    flags = relevance_flags(ctx.answer.passages, ctx.case.gold)
    hits = [hit_at(flags, k) for k in (1, 3, 5)]
    ndcg = ndcg_at(flags, 5, ctx.n_relevant or len(ctx.case.gold))
    return Scored(dict(zip(names, [*hits, reciprocal_rank(flags), ndcg], strict=True)), {"flags": flags})


def key_points(ctx: Context) -> Scored:
    """Share of key-point groups with any alternative in the answer."""
    if not ctx.case.answerable:
        return Scored({"coverage": None})
    hits = keypoint_hits(ctx.answer.text, ctx.case.key_points)
    missing = [group[0] for group, hit in zip(ctx.case.key_points, hits, strict=True) if not hit]
    return Scored({"coverage": sum(hits) / len(hits) if hits else 0.0}, {"missing": missing})


def rouge(ctx: Context) -> Scored:
    """Character-level ROUGE-L F1 of the answer body against the reference answer."""
    if not ctx.case.answerable:
        return Scored({"rouge_l": None})
    return Scored({"rouge_l": rouge_l(answer_body(ctx.answer.text), ctx.case.reference_answer)["f"]})


def citation_validity(ctx: Context) -> Scored:
    """1 when every citation is in range and its quote is exactly the document span it names."""
    problems = citation_problems(ctx.answer, ctx.bodies)
    return Scored({"citation_validity": 0.0 if problems else 1.0}, {"citation_problems": problems})


def citation_quality(ctx: Context) -> Scored:
    """ALCE-style citation recall and precision of an answered case."""
    if ctx.answer.refused:
        return Scored({"citation_recall": None, "citation_precision": None})
    sup = citation_support(ctx.answer)
    return Scored(
        {"citation_recall": sup["recall"], "citation_precision": sup["precision"]}, {"claims": sup["claims"]}
    )


def refusal(ctx: Context) -> Scored:
    """Out-of-scope cases must be refused; answerable ones must not be."""
    refused = float(bool(ctx.answer.refused))
    if ctx.case.answerable:
        return Scored({"refusal_accuracy": None, "false_refusal_rate": refused})
    return Scored({"refusal_accuracy": refused, "false_refusal_rate": None})


DEFAULT_EVALUATORS: tuple[Evaluator, ...] = (
    retrieval,
    key_points,
    rouge,
    citation_validity,
    citation_quality,
    refusal,
)
