"""The answer an article gives to a question it asks itself (its FAQ): the answer's lines in order, under
the article's own question."""

from __future__ import annotations

from advisor.answering.compose import AnswerPlan, Piece
from advisor.answering.plans.shared import (
    AnswerContext,
    answer_span,
    general_plan,
    sentence_pieces,
    shown_before,
)
from advisor.text.structure import Asked, sentences

ASKED_KEY = "@"
LIMIT_ANSWER = 200  # an FAQ answer is often one long sentence: cut at a clause past this


def asked_key(item: Asked) -> str:
    """How an intent names the article's question it asks (``Intent.asked``)."""
    return f"{item.place.doc_id}{ASKED_KEY}{item.place.start}"


def find_asked(ctx: AnswerContext) -> Asked | None:
    doc_id, _, start = (ctx.intent.asked or "").partition(ASKED_KEY)
    return next((a for a in ctx.kmap.asked if a.place.doc_id == doc_id and str(a.place.start) == start), None)


def asked_plan(ctx: AnswerContext) -> AnswerPlan:
    item = find_asked(ctx)
    if item is None:
        return general_plan(ctx)
    body = ctx.kmap.bodies[item.place.doc_id]
    plan = AnswerPlan("asked", min_pieces=1, broad=True)
    group = item.question
    k = 0
    for block in item.answer:
        if block.kind == "row":
            plan.pieces += sentence_pieces(ctx, block, group, 1.0 - 0.02 * k, k)
            k += 1
            continue
        for s in sentences(answer_span(block), body):
            base = 1.0 - 0.04 * k - (0.5 if shown_before(ctx, s) else 0.0)
            plan.pieces.append(
                Piece(s, group, base, LIMIT_ANSWER, context=item.question, order=k, block=block.span.start)
            )
            k += 1
    return plan
