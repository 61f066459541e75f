"""Answer plans: for each kind of question, the pieces of the knowledge base worth saying, with their
importance, grouped under the articles' own headings. ``compose.py`` chooses among them.

- paths: one lead line, each path of the role with its "适合…, 关键是…" sentence, one risk rule;
- path: its "适合/关键是" sentence, its steps in order, the advantage, the directions, the case;
- story: the person's section in document order (what the question asks about first);
- explain / compare / transition: the explained roles' own lines (目标, 工作, 关键指标…), point against
  point, and for a move between roles the differences and what to add;
- risk / toolkit / pains: the guide's strategies, template rows and pains;
- general: sentences of the retrieved passages, one or two per section.

The guide's and the stories' plans live in ``plans/guide.py``, the role explainers' in ``plans/roles.py``,
what they share (the ``AnswerContext``, sentence pieces, the general plan) in ``plans/shared.py``; this module picks
the plan for an intent and adds the search results' sentences as extras.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from advisor.answering.compose import MUST, AnswerPlan, Piece
from advisor.answering.intent import asks_case
from advisor.answering.plans.asked import asked_plan
from advisor.answering.plans.guide import (
    case_plan,
    pains_plan,
    path_plan,
    paths_plan,
    risk_plan,
    section_plan,
    story_plan,
    toolkit_plan,
)
from advisor.answering.plans.roles import compare_plan, explain_plan, family_plan, transition_plan
from advisor.answering.plans.shared import AnswerContext, general_plan, has_any, ignore_words
from advisor.kb.knowledge_map import heading_label, squash
from advisor.text.structure import Section, sentences

__all__ = ["PLANS", "AnswerContext", "ignore_words", "plan_for"]


PLANS: dict[str, Callable[[AnswerContext], AnswerPlan]] = {
    "paths": paths_plan,
    "path": path_plan,
    "case": case_plan,
    "story": story_plan,
    "explain": explain_plan,
    "compare": compare_plan,
    "family": family_plan,
    "transition": transition_plan,
    "risk": risk_plan,
    "toolkit": toolkit_plan,
    "pains": pains_plan,
    "section": section_plan,
    "general": general_plan,
}


def _elsewhere(ctx: AnswerContext, kind: str, pieces: list) -> list[Section]:
    """Sections of what an answer is not about — other roles' paths for a path answer, other explained
    roles for an explanation or comparison, other persons' stories for a story: their sentences are
    never its extras."""
    if kind == "story":
        found = [ctx.kmap.person_section(p.name) for p in ctx.kb.persons if p.name != ctx.intent.person]
        return [s for s in found if s is not None]
    if kind in ("path", "paths"):
        return [i.section for r in ctx.kb.role_names if r != ctx.intent.role for i in ctx.kmap.paths(r)]
    if kind in ("explain", "compare"):
        others = [e.name for e in ctx.kb.explainers if e.name not in ctx.intent.subjects]
        found = [s for name in others for s in ctx.kmap.explainer_sections(name)]
        own = {e.parent for e in map(ctx.kb.explainer, ctx.intent.subjects) if e is not None and e.parent}
        roles = [r for r in ctx.kb.role_names if own and r not in own]  # 内容运营 vs 活动运营: no 产品 paths
        return found + [i.section for r in roles for i in ctx.kmap.paths(r)]
    if kind == "pains":  # "第一个痛点具体是啥": the other pains are not its extras
        pains = ctx.kmap.guide_section("pains")
        return (
            [s for s in ctx.kmap.children(pains) if not any(s.holds(p.span) for p in pieces)] if pains else []
        )
    return []


def _weighed(ctx: AnswerContext, kind: str) -> list:
    """The section a story's plan weighs sentence by sentence: a sentence of it the plan left out ("她后来
    咋样了" skips how she was laid off) is not brought back as an extra, shown after how the story ends."""
    if kind != "story":
        return []
    section = ctx.kmap.person_section(ctx.intent.person or "")
    return [section] if section is not None else []


def _own_article_only(ctx: AnswerContext, kind: str) -> bool:
    """A story, an article's answer to its own question, or the pains' examples asked for ("有例子吗"): another article's lines (a 运营 role's 案例)
    are about something else, however well they match the question's words."""
    if kind == "path" and ctx.intent.topic == "case":  # "有没有成功的例子" after a path: its case, not 蔚来's
        return True
    return kind in ("story", "asked") or (kind == "pains" and asks_case(ctx.question, ctx.kb))


# a question about a job's measures or pay, besides what it does ("考核看啥指标", "一个月大概挣多少")
_JOB_FACTS = re.compile(r"考核|指标|kpi|多少钱|工资|月薪|薪资|薪水|收入|挣多少|拿多少", re.IGNORECASE)


def _jobs_named(ctx: AnswerContext) -> list[Piece]:
    """The row of an article's job table whose job the question asks about ("DBA主管平时都忙啥", "SRE负责人…在
    北京一个月一般多少钱"): what the job does, is measured by and pays, in the article's own words, said first.
    A job named in passing ("我老公是DBA主管，想换个活法") is who asks, not what."""
    asks = has_any(ctx.question, (*ctx.kb.cues("job"), *ctx.kb.cues("earnings"))) or bool(
        _JOB_FACTS.search(ctx.question)
    )
    # "交付项目经理和研发项目经理不是一回事吗": two of the jobs compared are each asked about
    compares = has_any(ctx.question, ctx.kb.cues("compare"))
    if not (asks or compares):
        return []
    q = squash(ctx.question)
    named = [job for job in ctx.kmap.job_rows if any(squash(n) in q for n in job.names)]
    named = named if asks or len(named) >= 2 else []
    return [
        Piece(
            job.row.span,
            heading_label(job.section.heading),
            MUST,
            0,
            context=ctx.text(job.header.span) if job.header else job.section.heading,
            order=-1,
            header=job.header.span if job.header else None,
        )
        for job in named
    ]


def plan_for(ctx: AnswerContext) -> AnswerPlan:
    """The kind's plan, plus the best search results' sentences in case the question asks something
    the plan's sections do not say (they are shown only if they speak to it)."""
    plan = asked_plan(ctx) if ctx.intent.asked else PLANS.get(ctx.intent.kind, general_plan)(ctx)
    if plan.kind != "general":
        taken = {(p.span.doc_id, p.span.start) for p in plan.pieces}
        own = {p.span.doc_id for p in plan.pieces}
        foreign = _elsewhere(ctx, plan.kind, plan.pieces) + _weighed(ctx, plan.kind)
        extra = [
            p
            for p in general_plan(replace(ctx, retrieved=ctx.retrieved[:3])).pieces
            if (p.span.doc_id, p.span.start) not in taken
            and not any(s.holds(p.span) for s in foreign)
            and (not _own_article_only(ctx, plan.kind) or p.span.doc_id in own)
        ]
        own_lines = _own_section_lines(ctx, plan, taken)  # before what retrieval found elsewhere
        placed = {(p.span.doc_id, p.span.start) for p in own_lines}
        extra = own_lines + [p for p in extra if (p.span.doc_id, p.span.start) not in placed]
        groups = {p.group for p in plan.pieces}
        plan.pieces += [
            replace(
                p,
                group=_same_heading(p.group, groups),
                base=0.3,
                order=10_000 + p.order,
                only_if_relevant=True,
            )
            for p in extra
        ]
    rows = _jobs_named(ctx)
    if rows:  # the job asked about, not every job of its table again
        tables = {p.header for p in rows}
        plan.pieces = rows + [p for p in plan.pieces if p.header is None or p.header not in tables]
    return plan


def _own_section_lines(ctx: AnswerContext, plan: AnswerPlan, taken: set[tuple[str, int]]) -> list[Piece]:
    """The rest of the path's own section, wherever retrieval ranked it: an article's path says more
    than its steps and case ("客户从哪来？最有效的还是老客户…"), and a follow-up may ask just that."""
    if plan.kind != "path" or ctx.intent.role is None or ctx.intent.path is None:
        return []
    info = ctx.kmap.path(ctx.intent.role, ctx.intent.path)
    if info is None:
        return []
    body = ctx.kmap.bodies[info.section.doc_id]
    group = heading_label(info.section.heading)
    spans = [s for block in info.section.blocks for s in sentences(block.span, body)]
    return [
        Piece(s, group, 0.3, 150, context=info.section.heading, order=k, held=True)
        for k, s in enumerate(spans)
        if (s.doc_id, s.start) not in taken and len(s) >= 10
    ]


def _same_heading(group: str, groups: set[str]) -> str:
    """The plan's own name for a section ("1. 纵向深耕:…" for "纵向深耕:…"): a heading is shown once."""
    return next((g for g in groups if g and group and g.endswith(group)), group)
