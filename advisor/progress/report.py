"""The 「我的进展」 page as one document: the guide's dashboard (per metric the value, 周环比变化, 目标差值
and a colour with the rule behind it), the weekly records, and the guide's rules that apply now, cited.

Like a plan it is a list of lines of label text and verbatim quotes (``grounding/quotes.py``), numbered
and verified in one pass; the export adds the chart and the whole plan to the same numbering.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from advisor.grounding.citations import Citation
from advisor.grounding.format import NOT_COVERED_LINE
from advisor.grounding.quotes import Line, Quote, finish
from advisor.index.search import Passage
from advisor.planning.build import header_lines
from advisor.planning.context import PlanContext, path_order
from advisor.planning.model import PlanData, PlanInput, TransitionPlan, fmt, sources_markdown, spaced
from advisor.progress.chart import progress_svg
from advisor.progress.model import FollowedPlan, Metric, ProgressData
from advisor.progress.rules import Firing, GuideRules, fired, savings_now

if TYPE_CHECKING:
    from advisor.answering.derived import Derived

GREEN, YELLOW, RED = "🟢 绿", "🟡 黄", "🔴 红"
COLOUR_RULES = (
    (GREEN, "达到目标（目标差值 ≥ 0）"),
    (YELLOW, "没到目标，但比上周有改善（第一次打卡也算黄）"),
    (RED, "没到目标，比上周没有改善"),
)


def context(derived: Derived, inputs: dict) -> PlanContext:
    """The plan's context rebuilt from its stored inputs (offline, milliseconds)."""
    kmap, data = derived.kmap, PlanData.from_kb(derived.knowledge)
    person = PlanInput.parse(inputs, derived.knowledge, data)
    return PlanContext(kmap, data, person, path_order(kmap, data, person))


def colour(metric: Metric, values: list[float]) -> str:
    if metric.gap(values[-1]) >= 0:
        return GREEN
    if len(values) == 1 or metric.improved(values[-2], values[-1]):
        return YELLOW
    return RED


@dataclass
class ProgressReport:
    """The verified page: text with ``[n]``, its citations and passages, and the rules that fired."""

    text: str
    citations: list[Citation]
    passages: list[Passage]
    firings: list[Firing]
    colours: dict[str, str] = field(default_factory=dict)  # metric name -> colour now
    svg: str = ""
    unsupported: list[str] = field(default_factory=list)

    def to_markdown(self, image: str = "") -> str:
        text = self.text.replace("## 数据看板\n", f"## 数据看板\n\n{image}\n\n", 1) if image else self.text
        return text + "\n\n" + sources_markdown(self.citations)

    def as_answer(self):
        """The page as an ``Answer`` (for the sources panel and the CLI's source list)."""
        from advisor.answering.answer import Answer

        return Answer(text=self.text, citations=self.citations, passages=self.passages, intent="progress")

    def to_dict(self) -> dict:
        return {
            "text": self.text,
            "citations": [c.to_dict() for c in self.citations],
            "firings": [{"key": f.key, "title": f.title, "why": f.why} for f in self.firings],
            "colours": self.colours,
        }


def _delta(metric: Metric, values: list[float]) -> str:
    if len(values) < 2:
        return "—"
    change = values[-1] - values[-2]
    return f"{change:+g}"


def metric_rows(ctx: PlanContext, plan: FollowedPlan) -> tuple[list[Line], dict[str, str]]:
    """The dashboard table: one row per metric, its latest value, change, gap and colour."""
    lines: list[Line] = [
        ["| 核心指标 | 目标 | 本周 | 周环比变化 | 目标差值 | 健康度 |"],
        ["|---|---|---|---|---|---|"],
    ]
    colours = {}
    for m in plan.metrics:
        values = [c.values[m.name] for c in plan.checkins if m.name in c.values]
        target: list = [fmt(m.target)]
        if m.phrase and m.target_from_guide:
            target += ["（文章：", Quote(ctx.phrase(m.phrase)), "）"]
        elif m.phrase:
            target += ["（你定的；文章：", Quote(ctx.phrase(m.phrase)), "）"]
        else:
            target += ["（你定的）"]
        if not values:
            lines.append([f"| {m.name} | ", *target, " | — | — | — | — |"])
            continue
        colours[m.name] = colour(m, values)
        gap = f"{m.gap(values[-1]):+g}"
        row = f" | {fmt(values[-1])} | {_delta(m, values)} | {gap} | {colours[m.name]} |"
        lines.append([f"| {m.name} | ", *target, row])
    return lines, colours


def spending_line(ctx: PlanContext, rules: GuideRules, plan: FollowedPlan) -> Line:
    hours = plan.checkins[-1].hours if plan.checkins else 0
    spent = sum(c.spent for c in plan.checkins)
    parts = [
        f"本周投入 {fmt(hours)} 小时（计划每周 {fmt(ctx.inputs.hours)} 小时）",
        f"累计花费 {fmt(spent)} 元",
    ]
    if plan.monthly_pay:
        limit = rules.budget_share * plan.monthly_pay
        parts[-1] += (
            f"（MVP 上限：你填写的月薪的 {fmt(round(rules.budget_share * 100, 2))}%，{fmt(limit)} 元）"
        )
    left = savings_now(plan, plan.checkins)
    if left is not None:
        parts.append(f"存款还够 {fmt(left)} 个月生活费")
    return ["**投入**：" + " · ".join(parts)]


def history_lines(plan: FollowedPlan) -> list[Line]:
    names = [m.name for m in plan.metrics]
    lines: list[Line] = [["| 日期 | " + " | ".join(names) + " | 小时 | 花费（元） | 存款（月） | 备注 |"]]
    lines.append(["|---|" + "---|" * (len(names) + 4)])
    for c in plan.checkins:
        values = " | ".join(fmt(c.values[n]) if n in c.values else "—" for n in names)
        savings = fmt(c.savings_months) if c.savings_months is not None else "—"
        lines.append(
            [
                f"| {c.day.isoformat()} | {values} | {fmt(c.hours)} | {fmt(c.spent)} | {savings} | {c.note or '—'} |"
            ]
        )
    return lines


def firing_lines(firings: list[Firing]) -> list[Line]:
    if not firings:
        return [["**目前没有规则触发**：按计划继续，每周打卡。"]]
    lines: list[Line] = []
    for f in firings:
        lines += [[f"### {f.title}"], f.sentence, [f"**你的数据**：{f.why}"]]
        if f.next:
            lines += [["**下一步**"], *f.next]
    return lines


def document(
    ctx: PlanContext, rules: GuideRules, plan: FollowedPlan, firings: list[Firing]
) -> tuple[list[Line], dict]:
    name, cell = ctx.template("dashboard")
    rows, colours = metric_rows(ctx, plan)
    inputs = ctx.inputs
    lines: list[Line] = [
        [f"# 我的进展：{inputs.role}{inputs.level} · 目标「{inputs.goal}」"],
        [
            f"**你的计划**：{inputs.profile()} · 从 {plan.start.isoformat()} 开始跟进 · 已打卡 {len(plan.checkins)} 次"
        ],
        ["## 数据看板"],
        [f"按文章的「{name}」："],
        ["- ", Quote(cell)],
        *rows,
        [
            "**颜色的标准**：文章只写了",
            Quote(rules.colours),
            "，"
            + NOT_COVERED_LINE.format(focus="红 / 黄 / 绿各自的标准")[:-1]
            + "；这里按文章的复盘规则定：",
        ],
        ["| 健康度 | 标准 |"],
        ["|---|---|"],
        *[[f"| {c} | {why} |"] for c, why in COLOUR_RULES],
        spending_line(ctx, rules, plan),
        ["## 每周记录"],
        *(
            history_lines(plan)
            if plan.checkins
            else [["**还没有打卡**：每周填一次指标、投入的小时和花费、存款还够几个月。"]]
        ),
        ["## 文章的规则"],
        *firing_lines(firings),
    ]
    return lines, colours


def progress_report(
    derived: Derived, plan: FollowedPlan, with_plan: TransitionPlan | None = None
) -> ProgressReport:
    """The page for ``plan``; ``with_plan`` appends the whole transition plan under one numbering."""
    data = ProgressData.from_kb(derived.knowledge)
    ctx = context(derived, plan.inputs)
    rules = GuideRules.find(ctx, data)
    firings = fired(ctx, rules, plan)
    lines, colours = document(ctx, rules, plan, firings)
    lines = spaced(lines)
    if with_plan is not None:
        lines += [[""], ["# 我的转型计划"], *spaced(header_lines(with_plan)[1:])]
        for s in with_plan.sections:
            lines += [[""], *spaced([[s.heading], *s.lines])]
    text, citations, passages, unsupported = finish(lines, derived.bodies, derived.chunks)
    svg = progress_svg(plan) if plan.checkins else ""
    return ProgressReport(text, citations, passages, firings, colours, svg, unsupported)
