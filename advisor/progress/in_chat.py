"""A followed plan in the chat: "我这周该干嘛", "是不是该放弃了", "进展怎么样" are answered from the plan's
next step and the guide's rule that applies now, cited; other questions go to the chat as usual.

Which question is which is data (``progress.chat`` in ``knowledge.yaml``). The answer is built like the
progress page (label lines and verbatim quotes, numbered and verified), so every sentence is checkable.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from advisor.answering.answer import quoted_answer
from advisor.errors import InputError
from advisor.grounding.quotes import Line, Quote
from advisor.planning.model import fmt, spaced
from advisor.planning.timeline import timeline_items
from advisor.progress.model import FollowedPlan, ProgressData
from advisor.progress.report import colour, context
from advisor.progress.rules import GuideRules, fired

if TYPE_CHECKING:
    from advisor.answering.answer import Answer
    from advisor.answering.derived import Derived
    from advisor.progress.store import ProgressStore


def asked(question: str, data: ProgressData) -> str | None:
    """``week``, ``quit`` or ``status`` when the question asks about the followed plan, else ``None``."""
    q = question.lower()
    for kind in ("quit", "week", "status"):
        if any(w in q for w in data.chat.get(kind, ())):
            return kind
    return None


def _week_lines(ctx, plan: FollowedPlan, today: date) -> list[Line]:
    """The plan's timeline items that cover this week, else the first step without a time."""
    week = (today - plan.start).days / 7
    items = timeline_items(ctx)
    now = [i for i in items if i.start is not None and i.start <= week <= (i.end or i.start)]
    if not now:
        now = [i for i in items if i.start is None][:1]
    lines: list[Line] = [[f"**按你的计划，第 {int(week) + 1} 周要做的**"]]
    for item in now:
        head = [f"- **{item.when}**：" if item.when else "- "]
        lines.append([*head, item.quote])
    return lines


def _status_lines(plan: FollowedPlan) -> list[Line]:
    lines: list[Line] = [
        [f"**已打卡 {len(plan.checkins)} 次**"],
        ["| 核心指标 | 本周 | 目标 | 健康度 |"],
        ["|---|---|---|---|"],
    ]
    for m in plan.metrics:
        values = [c.values[m.name] for c in plan.checkins if m.name in c.values]
        if values:
            lines.append([f"| {m.name} | {fmt(values[-1])} | {fmt(m.target)} | {colour(m, values)} |"])
    return lines


def answer_progress(
    derived: Derived, plan: FollowedPlan, question: str, today: date | None = None
) -> Answer | None:
    """The cited answer to a question about the followed plan; ``None`` when it asks something else."""
    data = ProgressData.from_kb(derived.knowledge)
    kind = asked(question or "", data)
    if kind is None:
        return None
    ctx = context(derived, plan.inputs)
    rules = GuideRules.find(ctx, data)
    firings = fired(ctx, rules, plan)
    lines: list[Line] = [
        [f"**关于你跟进的计划（{ctx.inputs.role}{ctx.inputs.level} · 目标「{ctx.inputs.goal}」）**"]
    ]
    if kind == "week":
        lines += _week_lines(ctx, plan, today or date.today())
    if kind == "status" or not plan.checkins:
        lines += (
            _status_lines(plan) if plan.checkins else [["**还没有打卡**：先在「我的进展」填第一周的数据。"]]
        )
    if firings:
        lines.append(["**文章的规则现在适用于你**"])
        for f in firings:
            lines += [[f"**{f.title}**：{f.why}"], f.sentence, *f.next]
    elif kind == "quit" and plan.checkins:
        lines += [
            [f"**还不到止损的时候**：文章的止损条件是 {rules.stoploss_weeks} 周不达标："],
            ["- 触发条件：", Quote(rules.trigger), " → 止损措施：", Quote(rules.measure)],
            ["你的数据还没碰到它；复盘规则："],
            ["- ", Quote(rules.review)],
        ]
    state = {"role": ctx.inputs.role, "topic": "progress", "progress": kind}
    return quoted_answer(spaced(lines), derived, question, "progress", state)


@dataclass
class FollowedInChat:
    """A followed plan's token handed to the chat (``answering.handed.Handed``): it answers "我这周该干嘛",
    "是不是该放弃了", "进展怎么样"; it lends no role."""

    token: str
    store: ProgressStore
    role: str | None = None

    def answer(self, question: str, derived: Derived) -> Answer | None:
        try:
            followed = self.store.load(self.token)
        except InputError:  # deleted meanwhile: the chat answers as if no plan were followed
            return None
        return answer_progress(derived, followed, question)
