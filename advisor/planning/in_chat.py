"""A plan handed to the chat: "关于这个计划的第二步…" is answered with the plan's own second section.

The chat keeps the plan as data (its inputs, ``PlanInput``); the plan is rebuilt from them (offline,
in milliseconds) when a question refers to it. A question refers to the plan when it names it
(``plan.refer`` in ``knowledge.yaml``: 计划, 规划) and points to a section by its number ("第二步",
"第3部分") or by its words (``plan.sections.*.cues``: 止损, 看板, MVP…). Other questions go to the chat
as usual, with the plan's role as the asker's role.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from advisor.answering.answer import quoted_answer
from advisor.grounding.format import NOT_COVERED_LINE
from advisor.grounding.quotes import Line
from advisor.planning.model import PlanData, PlanInput, PlanSection, TransitionPlan, spaced
from advisor.planning.timeline import dated_line, first_steps

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


def first_step_lines(plan: TransitionPlan, section: PlanSection) -> list[Line]:
    """ "这周先做什么": the first step(s) of the plan (of the asked section's kind first), each with the
    time the guide gives it (the whole section is one question away: "计划的第二步是什么")."""
    items = first_steps(plan.timeline, kind=section.key if section.key in ("mvp", "review") else None)
    if not items:
        undated = [i for i in plan.timeline if i.start is None][:1]
        head = [NOT_COVERED_LINE.format(focus="这几步各要多久")[:-1] + "，按计划的顺序，先做这一步："]
        return [head, *[["- ", i.quote] for i in undated]]
    return [["先做这几件事（时间是文章写的）："], *[dated_line(i) for i in items]]


def answer_about(derived: Derived, plan: TransitionPlan, question: str) -> Answer | None:
    """The plan's section the question asks about, as a cited answer; ``None`` if it asks none. A
    question about what to do first gets the first step(s) and their time, not the whole section."""
    data = PlanData.from_kb(derived.knowledge)
    section = asked_section(question, plan, data)
    if section is None:
        return None
    title = section.heading.lstrip("# ")
    now = any(w in question for w in data.now_words)
    body = first_step_lines(plan, section) if now else section.lines
    head = f"**关于你的转型计划（{plan.inputs.role}{plan.inputs.level}）· {title}" + (
        " · 先做什么**" if now else "**"
    )
    state = {"role": plan.inputs.role, "topic": "plan", "plan_section": section.key}
    return quoted_answer(spaced([[head], *body]), derived, question, "plan", state)


@dataclass
class PlanInChat:
    """A plan handed to the chat (``answering.handed.Handed``): it answers the questions about its
    sections, and lends its role to the others. Handed as inputs, it is built only when asked about."""

    plan: Mapping | PlanInput | TransitionPlan
    build: Callable[[Mapping | PlanInput], TransitionPlan]

    @property
    def role(self) -> str | None:
        return plan_role(self.plan)

    def answer(self, question: str, derived: Derived) -> Answer | None:
        plan = self.plan
        built = plan if isinstance(plan, TransitionPlan) else self.build(plan_inputs(plan))
        return answer_about(derived, built, question)
