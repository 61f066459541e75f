"""A plan handed to the chat: "关于这个计划的第二步…" is answered with the plan's own second section.

The chat keeps the plan as data (its inputs, ``PlanInput``); the plan is rebuilt from them (offline,
in milliseconds) when a question refers to it. A question refers to the plan when it names it
(``plan.refer`` in ``knowledge.yaml``: 计划, 规划) and points to a section by its number ("第二步",
"第3部分") or by its words (``plan.sections.*.cues``: 止损, 看板, MVP…). Other questions go to the chat
as usual, with the plan's role as the asker's role.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

from advisor.grounding.quotes import finish
from advisor.planning.model import PlanData, PlanInput, PlanSection, TransitionPlan, spaced

if TYPE_CHECKING:
    from advisor.answering.answer import Answer
    from advisor.answering.derived import Derived

_ORDINAL = re.compile(r"第\s*([一二三四五六七1234567])\s*(?:步|部分|节|项|块|点|段|个部分)")
_PATH_ORDINAL = re.compile(r"第\s*[一二三123]\s*(?:条|种)")  # "计划里的第二条路": the plan's path order
_NUMBERS = "一二三四五六七"


def plan_inputs(plan: Mapping | PlanInput | TransitionPlan) -> Mapping | PlanInput:
    """The inputs of a plan handed over as a plan, its inputs, or ``TransitionPlan.to_dict()``."""
    if isinstance(plan, TransitionPlan):
        return plan.inputs
    if isinstance(plan, Mapping) and isinstance(plan.get("inputs"), Mapping):
        return plan["inputs"]
    return plan


def plan_role(plan: Mapping | PlanInput | TransitionPlan) -> str | None:
    inputs = plan_inputs(plan)
    role = inputs.role if isinstance(inputs, PlanInput) else inputs.get("role")
    return str(role) if role else None


def asked_section(question: str, plan: TransitionPlan, data: PlanData) -> PlanSection | None:
    """The section of ``plan`` a question asks about, or ``None`` when it is not about the plan."""
    q = question.lower()
    if not any(w in q for w in data.refer):
        return None
    if _PATH_ORDINAL.search(q):
        return next((s for s in plan.sections if s.key == "paths"), None)
    m = _ORDINAL.search(q)
    if m:
        digit = m.group(1)
        n = int(digit) if digit.isdigit() else _NUMBERS.index(digit) + 1
        return next((s for s in plan.sections if s.number == n), None)
    for s in plan.sections:
        cues = [str(c).lower() for c in data.sections.get(s.key, {}).get("cues", ())]
        if any(c in q for c in cues):
            return s
    return None


def answer_about(derived: Derived, plan: TransitionPlan, question: str) -> Answer | None:
    """The plan's section the question asks about, as a cited answer; ``None`` if it asks none."""
    from advisor.answering.answer import Answer

    section = asked_section(question, plan, PlanData.from_kb(derived.knowledge))
    if section is None:
        return None
    title = section.heading.lstrip("# ")
    lines = spaced(
        [[f"**关于你的转型计划（{plan.inputs.role}{plan.inputs.level}）· {title}**"], *section.lines]
    )
    text, citations, passages, unsupported = finish(lines, derived.bodies, derived.chunks)
    return Answer(
        text=text,
        citations=citations,
        passages=passages,
        unsupported=unsupported,
        backend="extractive",
        query=question,
        intent="plan",
        state={"role": plan.inputs.role, "topic": "plan", "plan_section": section.key},
    )
