"""Making a 转型规划: the person's inputs read against the guide, the sections and the 90-day timeline
built, the whole plan numbered and verified, and (with a chat model) its connecting sentences added."""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import TYPE_CHECKING

from advisor.grounding.format import PLAN_NOTICE
from advisor.grounding.quotes import Line, finish
from advisor.planning.connect import connect
from advisor.planning.context import PlanContext, path_order
from advisor.planning.model import PlanData, PlanInput, TransitionPlan, spaced
from advisor.planning.sections import build_sections
from advisor.planning.timeline import timeline_items

if TYPE_CHECKING:
    from langchain_core.language_models.chat_models import BaseChatModel

    from advisor.answering.derived import Derived
    from advisor.config import Settings


def header_lines(plan: TransitionPlan) -> list[Line]:
    """Title, the person's own inputs, and (with a chat model) its notice or its verified paragraph."""
    inputs = plan.inputs
    lines: list[Line] = [[f"# 转型规划：{inputs.role}{inputs.level} · 目标「{inputs.goal}」"]]
    if plan.notice:
        lines.append([PLAN_NOTICE.format(notice=plan.notice)])
    lines.append([f"**你填写的**：{inputs.profile()}"])
    if inputs.note:
        lines.append([f"**你的情况**：{html.escape(inputs.note, quote=False)}"])
    if plan.intro:
        lines += [["**写给你**"], [plan.intro]]
    return lines


def build_plan(
    derived: Derived,
    raw: Mapping | PlanInput,
    chat_model: BaseChatModel | None = None,
    settings: Settings | None = None,
    backend: str = "extractive",
) -> TransitionPlan:
    """The plan for ``raw`` inputs over one index generation; offline unless a chat model is given."""
    kb, kmap = derived.knowledge, derived.kmap
    data = PlanData.from_kb(kb)
    inputs = PlanInput.parse(raw, kb, data)
    ctx = PlanContext(kmap, data, inputs, path_order(kmap, data, inputs))
    items = timeline_items(ctx)
    sections = build_sections(ctx, items)
    plan = TransitionPlan(inputs, [p.name for p in ctx.order], sections, items)
    _write(plan, derived)
    if chat_model is not None:
        plan.intro, plan.notice = connect(chat_model, plan, derived, settings)
        plan.backend = backend if plan.intro else "extractive"
        _write(plan, derived)
    return plan


def _write(plan: TransitionPlan, derived: Derived) -> None:
    """Number and verify the whole plan; each section keeps its own slice of the verified text."""
    lines: list[Line] = spaced(header_lines(plan))
    ranges = []
    for s in plan.sections:
        block = spaced([[s.heading], *s.lines])
        lines += [[""], *block]
        ranges.append((len(lines) - len(block) + 1, len(lines)))
    plan.text, plan.citations, plan.passages, plan.unsupported = finish(lines, derived.bodies, derived.chunks)
    rendered = plan.text.split("\n")
    for s, (a, b) in zip(plan.sections, ranges, strict=True):
        s.text = "\n".join(rendered[a:b])
