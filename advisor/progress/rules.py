"""The guide's own rules, found in the guide and applied to a followed plan's check-ins.

Nothing here is the guide's text: each rule is located by the guide's structure and the ``progress.rules``
data of ``knowledge.yaml`` (a line of the 风险控制 strategies, a toolkit template's example cells), and
its numbers — 连续 2 周, 月薪 10%, 1 个月内, 6-12 个月 — are read from those sentences. A firing shows the
guide's sentence verbatim (numbered and verified later, like a plan), the person's own figures that
made it fire, and the next step from their plan.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from datetime import timedelta

from advisor.errors import CorpusError
from advisor.grounding.quotes import Line, Quote, clause_with
from advisor.planning.context import PlanContext, mvp_example, trial_step
from advisor.planning.model import fmt
from advisor.planning.timeline import time_span
from advisor.progress.model import CheckIn, FollowedPlan, Metric, ProgressData
from advisor.text.structure import Span

ORDER = ("review", "stoploss", "mvp", "reserve")


@dataclass(frozen=True)
class GuideRules:
    """Where each rule is in the guide, and the numbers its sentences give."""

    review: Span
    review_weeks: int
    trigger: Span
    measure: Span
    stoploss_weeks: int
    mvp: Span
    budget_share: float  # of the monthly pay
    mvp_weeks: float
    reserve: Span
    reserve_months: float
    skill: Span
    colours: Span

    @classmethod
    def find(cls, ctx: PlanContext, data: ProgressData) -> GuideRules:
        r = data.rules
        review = ctx.rule(r["review"]["rule"]).span
        fields = {ctx.text(name): ex for name, ex in ctx.fields(r["stoploss"]["template"])}
        trigger, measure = fields.get(r["stoploss"]["trigger"]), fields.get(r["stoploss"]["measure"])
        if trigger is None or measure is None:
            msg = "指南的止损矩阵里找不到触发条件或止损措施的例子：请检查 knowledge.yaml 的 progress.rules"
            raise CorpusError(msg)
        mvp = ctx.rule(r["mvp"]["rule"]).span
        budget = _clause(ctx, mvp, r["mvp"]["budget"])
        when = time_span(_clause(ctx, mvp, r["mvp"]["time"]))
        reserve = ctx.rule(r["reserve"]["rule"]).span
        months = re.search(r"(\d+)\s*(?:[-–]\s*\d+\s*)?个月", _clause(ctx, reserve, r["reserve"]["months"]))
        share = re.search(r"(\d+(?:\.\d+)?)\s*%", budget)
        if when is None or months is None or share is None:
            msg = "指南的规则句里读不到数字（月薪几成、几个月内、几个月生活费）：请检查 knowledge.yaml 的 progress.rules"
            raise CorpusError(msg)
        return cls(
            review=review,
            review_weeks=_weeks(ctx, review, r["review"]["weeks"]),
            trigger=trigger,
            measure=measure,
            stoploss_weeks=_weeks(ctx, trigger, r["stoploss"]["weeks"]),
            mvp=mvp,
            budget_share=float(share.group(1)) / 100,
            mvp_weeks=when[2],
            reserve=reserve,
            reserve_months=float(months.group(1)),
            skill=ctx.rule(r["reserve"]["next"]).span,
            colours=ctx.phrase(data.colours),
        )


def _clause(ctx: PlanContext, span: Span, word: str) -> str:
    found = clause_with(span, ctx.body, word)
    return ctx.text(found) if found is not None else ""


def _weeks(ctx: PlanContext, span: Span, word: str) -> int:
    m = re.search(re.escape(word) + r"\s*(\d+)\s*周", ctx.text(span))
    if m is None:
        msg = f"指南的规则句里读不到「{word} N 周」：请检查 knowledge.yaml 的 progress.rules"
        raise CorpusError(msg)
    return int(m.group(1))


@dataclass
class Firing:
    """One rule that applies now: its name, the guide's sentence, why it fired, what to do next."""

    key: str
    title: str
    sentence: Line
    why: str
    next: list[Line] = field(default_factory=list)


def _series(checkins: list[CheckIn], metric: Metric) -> list[tuple[CheckIn, float]]:
    return [(c, c.values[metric.name]) for c in checkins if metric.name in c.values]


def _path(values: list[float]) -> str:
    return " → ".join(fmt(v) for v in values)


def _no_improvement(rules: GuideRules, plan: FollowedPlan, checkins: list[CheckIn]) -> list[str]:
    n, out = rules.review_weeks, []
    for m in plan.metrics:
        last = [v for _, v in _series(checkins, m)][-(n + 1) :]
        flat = len(last) == n + 1 and not any(m.improved(a, b) for a, b in itertools.pairwise(last))
        if flat and m.gap(last[-1]) < 0:
            out.append(f"「{m.name}」最近 {n} 周：{_path(last)}，目标 {fmt(m.target)}")
    return out


def _below_target(rules: GuideRules, plan: FollowedPlan, checkins: list[CheckIn]) -> list[str]:
    n, out = rules.stoploss_weeks, []
    due = plan.start + timedelta(days=round(rules.mvp_weeks * 7))
    for m in plan.metrics:
        last = _series(checkins, m)[-n:]
        if len(last) == n and all(c.day > due and m.gap(v) < 0 for c, v in last):
            out.append(
                f"MVP 的期限（{due.isoformat()}）过后，「{m.name}」连续 {n} 次打卡没到目标 {fmt(m.target)}："
                f"{_path([v for _, v in last])}"
            )
    return out


def _mvp(rules: GuideRules, plan: FollowedPlan, checkins: list[CheckIn]) -> list[str]:
    out, spent = [], sum(c.spent for c in checkins)
    if plan.monthly_pay and spent > rules.budget_share * plan.monthly_pay:
        limit = rules.budget_share * plan.monthly_pay
        share = fmt(round(rules.budget_share * 100, 2))
        out.append(
            f"累计花了 {fmt(spent)} 元，超过你填写的月薪 {fmt(plan.monthly_pay)} 元的 {share}%（{fmt(limit)} 元）"
        )
    due = plan.start + timedelta(days=round(rules.mvp_weeks * 7))
    behind = [m.name for m in plan.metrics if (s := _series(checkins, m)) and m.gap(s[-1][1]) < 0]
    if checkins and checkins[-1].day > due and behind:
        out.append(
            f"从 {plan.start.isoformat()} 开始已过了 MVP 的期限（{due.isoformat()}），「{'、'.join(behind)}」还没到目标"
        )
    return out


def savings_now(plan: FollowedPlan, checkins: list[CheckIn]) -> float | None:
    told = [c.savings_months for c in checkins if c.savings_months is not None]
    if told:
        return told[-1]
    value = plan.inputs.get("savings_months")
    return float(value) if value is not None else None


def _reserve(rules: GuideRules, plan: FollowedPlan, checkins: list[CheckIn]) -> list[str]:
    left = savings_now(plan, checkins)
    if left is not None and left < rules.reserve_months:
        return [f"你填写的存款还够 {fmt(left)} 个月生活费"]
    return []


def _next_path(ctx: PlanContext) -> list[Line]:
    if len(ctx.order) < 2:
        return []
    other = ctx.order[1]
    head: Line = [f"计划里的下一条路是「{other.name}」："]
    return [head, ["- ", Quote(other.fit)]] if other.fit is not None else [head]


def _next_mvp(ctx: PlanContext) -> list[Line]:
    block = mvp_example(ctx, ctx.top.name) or trial_step(ctx, ctx.top)
    if block is None:
        return []
    return [["计划里的第一个 MVP，按这条原则收窄："], ["- ", Quote(block.content or block.span, 120)]]


def fired(ctx: PlanContext, rules: GuideRules, plan: FollowedPlan, upto: int | None = None) -> list[Firing]:
    """The rules that apply after the first ``upto`` check-ins (all when ``None``), in the guide's order."""
    checkins = plan.checkins[:upto] if upto is not None else plan.checkins
    if not checkins:
        return []
    stoploss: Line = ["触发条件：", Quote(rules.trigger), " → 止损措施：", Quote(rules.measure)]
    found = {
        "review": (
            f"连续 {rules.review_weeks} 周指标无改善",
            ["- ", Quote(rules.review)],
            _no_improvement,
            _next_path,
        ),
        "stoploss": (f"连续 {rules.stoploss_weeks} 周指标不达标", stoploss, _below_target, _next_path),
        "mvp": ("MVP 超出了原则", ["- ", Quote(rules.mvp)], _mvp, _next_mvp),
        "reserve": (
            "安全垫不够",
            ["- ", Quote(rules.reserve)],
            _reserve,
            lambda c: [["- ", Quote(rules.skill)]],
        ),
    }
    out = []
    for key in ORDER:
        title, sentence, check, after = found[key]
        reasons = check(rules, plan, checkins)
        if reasons:
            out.append(Firing(key, title, sentence, "；".join(reasons), after(ctx)))
    return out
