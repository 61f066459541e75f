"""Evaluators: small functions from one case and its answer to named scores (as pydantic-evals'
evaluators do). A score is a float in 0..1 or ``None`` when it does not apply to the case (retrieval
on an out-of-scope question, say); the run's metric of that name is the mean of the non-``None``
values. ``details`` carry what a report shows next to the scores (missing key points, problems)."""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from advisor.grounding.format import NOT_COVERED, answer_body

from .golden import Case
from .metrics import (
    answer_length,
    citation_problems,
    citation_support,
    gold_precision,
    hit_at,
    keypoint_coverage,
    keypoint_hits,
    ndcg_at,
    reciprocal_rank,
    relevance_flags,
    repeated_headings,
    rouge_l,
    within,
)

ANSWER_BUDGET = 450  # characters: the composer's default length budget, and the coverage-in-budget cut
NEAR_TAG = "近域"


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
    """hit@k, reciprocal rank and nDCG@5 against the gold spans, over the evidence in the order a user
    meets it: the passages the answer cites (in answer order), then the other search results."""
    names = ("hit@1", "hit@3", "hit@5", "mrr", "ndcg@5")
    if not ctx.case.answerable:
        return Scored(dict.fromkeys(names))
    used = {p.chunk_id for p in ctx.answer.passages}
    ranked = list(ctx.answer.passages) + [
        p for p in getattr(ctx.answer, "retrieved", []) if p.chunk_id not in used
    ]
    flags = relevance_flags(ranked, ctx.case.gold)
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
    """Far out-of-scope cases must be refused; answerable ones must not be."""
    refused = float(bool(ctx.answer.refused))
    if ctx.case.answerable:
        return Scored({"refusal_accuracy": None, "false_refusal_rate": refused})
    if NEAR_TAG in ctx.case.tags:
        return Scored({"refusal_accuracy": None, "false_refusal_rate": None})
    return Scored({"refusal_accuracy": refused, "false_refusal_rate": None})


def says_not_covered(answer) -> bool:
    return bool(answer.refused) or NOT_COVERED in answer.text


def honesty(ctx: Context) -> Scored:
    """Near-domain questions the articles do not answer must be refused or marked "文章没有讲到…";
    answerable questions must not be."""
    marked = float(says_not_covered(ctx.answer))
    if ctx.case.answerable:
        return Scored({"honest_rate": None, "false_not_covered": marked})
    if NEAR_TAG in ctx.case.tags:
        return Scored({"honest_rate": marked, "false_not_covered": None})
    return Scored({"honest_rate": None, "false_not_covered": None})


def brevity(ctx: Context) -> Scored:
    """How long the answer is, whether its key points come within the budget, whether it stays on
    the gold passages, and whether a heading repeats."""
    names = ("answer_length", "coverage_in_budget", "gold_precision", "repeated_heading")
    if not ctx.case.answerable or ctx.answer.refused:
        return Scored(dict.fromkeys(names))
    text = ctx.answer.text
    repeats = repeated_headings(text)
    return Scored(
        {
            "answer_length": float(answer_length(text)),
            "coverage_in_budget": keypoint_coverage(within(text, ANSWER_BUDGET), ctx.case.key_points),
            "gold_precision": gold_precision(text, ctx.case, ctx.bodies),
            "repeated_heading": 1.0 if repeats else 0.0,
        },
        {"repeated_headings": repeats},
    )


DEFAULT_EVALUATORS: tuple[Evaluator, ...] = (
    retrieval,
    key_points,
    rouge,
    citation_validity,
    citation_quality,
    refusal,
    honesty,
    brevity,
)
# How a score is summed up over cases when not by its mean.
AGGREGATES: dict[str, Callable] = {"answer_length": statistics.median}
