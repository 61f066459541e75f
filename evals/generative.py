"""Scores only a generative run needs, and the gates of its CI smoke run: did the model write Chinese,
did it answer (rather than hand over to the excerpt fallback), and was every refusal decided by retrieval
before any model call. The last one needs the model's call count per case, so it is built per run."""

from __future__ import annotations

import re
from collections.abc import Callable

from advisor.grounding.format import answer_body

from .evaluators import Context, Evaluator, Scored
from .gates import SMOKE_GATES, Gate

_CJK = re.compile(r"[\u4e00-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")
CHINESE_SHARE = 0.7  # of the letters: Chinese answers name AI, SaaS, GMV… but are mostly Chinese


def chinese_share(text: str) -> float:
    """Chinese characters among the letters of ``text`` (0 when it has none)."""
    cjk, latin = len(_CJK.findall(text)), len(_LATIN.findall(text))
    return cjk / (cjk + latin) if cjk + latin else 0.0


def _by_model(ctx: Context) -> bool:
    return not ctx.answer.refused and ctx.answer.backend not in ("", "extractive")


def chinese(ctx: Context) -> Scored:
    """1 when an answer the model wrote is Chinese text; ``None`` for excerpt answers and refusals."""
    if not _by_model(ctx):
        return Scored({"chinese": None})
    share = chinese_share(answer_body(ctx.answer.text))
    return Scored({"chinese": float(share >= CHINESE_SHARE)}, {"chinese_share": round(share, 3)})


def model_answered(ctx: Context) -> Scored:
    """Of the answered questions, 1 when the model's answer was shown, 0 when the excerpt replaced it
    (a fallback always says why in its notice); ``None`` in excerpt mode."""
    configured = _by_model(ctx) or bool(ctx.answer.notice)
    if ctx.answer.refused or not ctx.case.answerable or not configured:
        return Scored({"model_answered": None})
    return Scored({"model_answered": float(_by_model(ctx))})


def refusal_without_model(calls: Callable[[str], int | None]) -> Evaluator:
    """1 for a refused case that made no model call; ``calls(case_id)`` is ``None`` without a model."""

    def evaluator(ctx: Context) -> Scored:
        n = calls(ctx.case.id)
        if not ctx.answer.refused or n is None:
            return Scored({"refusal_without_model": None})
        return Scored({"refusal_without_model": float(n == 0)}, {"model_calls": n})

    return evaluator


GENERATIVE_EVALUATORS: tuple[Evaluator, ...] = (chinese, model_answered)
# The CI smoke run of the local model: quality is not gated, the path is.
GENERATIVE_SMOKE_GATES: tuple[Gate, ...] = (
    *SMOKE_GATES,
    Gate("chinese", 1.00, tolerance=0.0),
    Gate("refusal_without_model", 1.00, tolerance=0.0),
    Gate("model_answered", 0.01, tolerance=0.0),  # at least one answer came from the model
)
