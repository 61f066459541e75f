"""The plan's 90-day rhythm: the MVP, the weekly review and the path's steps placed on a timeline by
the time spans the guide itself writes ("2 周时间", "1 个月内", "3 个月内", "3-6 个月后", "1 年后").

A step the guide gives no time for is listed in the guide's order under a "文章没有讲到…" line, never
given an invented date. The chart is a small SVG drawn here (no plotting library: the app and the
downloaded plan stay light, and the browser renders the Chinese labels with its own fonts).
"""

from __future__ import annotations

import base64
import html
import re

from advisor.grounding.format import NOT_COVERED_LINE
from advisor.grounding.quotes import Line, Quote, clause_with, clauses, unnumbered
from advisor.planning.context import PlanContext, mvp_example, trial_step
from advisor.planning.model import WINDOW, TimelineItem
from advisor.text.structure import Block, Span

_SPAN = re.compile(r"(?<!\d)(\d{1,2})(?:\s*[-–]\s*(\d{1,2}))?\s*(周|个月|年)(内|后|时间)?")
WEEKS = {"周": 1.0, "个月": 30.4 / 7, "年": 52.0}
MONTH = WEEKS["个月"]
AXIS = 6 * MONTH + 0.01  # weeks drawn (half a year); later items point past the edge
TICKS = (("本周", 0.0), ("2 周", 2.0), ("1 个月", MONTH), ("3 个月", 3 * MONTH), ("6 个月", 6 * MONTH))
COLORS = {"mvp": "#2563eb", "review": "#d97706", "step": "#16a34a", "case": "#9333ea"}


def time_span(text: str) -> tuple[str, float, float] | None:
    """The first time span a text gives, as (its words, start week, end week)."""
    m = _SPAN.search(text)
    if m is None:
        return None
    a, b, unit, tail = int(m.group(1)), m.group(2), m.group(3), m.group(4) or ""
    lo, hi = a * WEEKS[unit], (int(b) if b else a) * WEEKS[unit]
    if tail == "后":  # "3-6 个月后可尝试…": happens then
        return m.group(0), lo, hi
    return m.group(0), 0.0, hi  # "3 个月内", "2 周时间", "上线 6 个月": from now until then


def _step_label(block: Block, body: str) -> Span:
    """ "小范围验证服务" — a step's label, without its number and colon."""
    span = unnumbered(block.span, body)
    cut = block.content.start - 1 if block.content is not None else span.end
    return Span(span.doc_id, span.start, max(span.start + 1, cut))


def _mvp_item(ctx: PlanContext) -> TimelineItem | None:

    rule = ctx.rule("mvp")
    block = mvp_example(ctx, ctx.top.name) or trial_step(ctx, ctx.top)
    if block is None:
        return None
    content = block.content or block.span
    found = time_span(ctx.text(content))
    if found is not None:
        return TimelineItem("mvp", "MVP", Quote(content, 80), found[0], found[1], found[2])
    rule_time = next((c for c in clauses(rule.span, ctx.body) if time_span(ctx.text(c))), None)
    if rule_time is None:
        return TimelineItem("mvp", "MVP", Quote(content, 80))
    words, start, end = time_span(ctx.text(rule_time))
    return TimelineItem("mvp", "MVP", Quote(content, 80), words, start, end, Quote(rule_time))


def _review_item(ctx: PlanContext) -> TimelineItem:
    """The weekly review: from "每周更新核心指标" to the end of the guide's line."""
    rule = ctx.rule("review")
    first = clause_with(rule.span, ctx.body, "每周")
    span = Span(rule.span.doc_id, first.start, rule.span.end) if first else rule.span
    return TimelineItem("review", "每周复盘", Quote(span), "每周", 0.0, WINDOW)


def _step_items(ctx: PlanContext) -> list[TimelineItem]:
    out = []
    for block in ctx.top.steps or ctx.top.directions:
        label = ctx.text(_step_label(block, ctx.body)).strip()
        found = time_span(ctx.text(block.span))
        if found is None:
            out.append(TimelineItem("step", label, Quote(_step_label(block, ctx.body))))
            continue
        where = clause_with(block.span, ctx.body, found[0]) or block.span
        head = Quote(_step_label(block, ctx.body))
        out.append(TimelineItem("step", label, Quote(where), found[0], found[1], found[2], head=head))
    return out


def _case_items(ctx: PlanContext) -> list[TimelineItem]:
    """The path's case where it gives times: "6 个月内私域用户从 10 万增至 30 万", "1 年后晋升…"."""
    case = ctx.top.case
    if case is None:
        return []
    who = next(
        (p.name for p in ctx.kmap.kb.persons if (p.role, p.path) == (ctx.inputs.role, ctx.top.name)), ""
    )
    out = []
    for c in clauses(case.span, ctx.body):
        found = time_span(ctx.text(c))
        if found is not None:
            out.append(TimelineItem("case", f"案例·{who}" if who else "案例", Quote(c), *found))
    return out


def timeline_items(ctx: PlanContext) -> list[TimelineItem]:
    items = [i for i in (_mvp_item(ctx), _review_item(ctx)) if i is not None]
    return items + _step_items(ctx) + _case_items(ctx)


def dated_line(item: TimelineItem) -> Line:
    if item.time is not None:
        return ["- ", item.time, "：", item.quote]
    head: Line = [item.head, "："] if item.head is not None else []
    return [f"- **{item.when}**：", *head, item.quote]


def first_steps(items: list[TimelineItem], kind: str | None = None, n: int = 2) -> list[TimelineItem]:
    """What to do first: the earliest dated items in the first 90 days (``kind`` first when given)."""
    dated = sorted((i for i in items if i.start is not None and not i.later), key=lambda i: (i.start, i.end))
    return sorted(dated, key=lambda i: i.kind != kind)[:n] if kind else dated[:n]


def timeline_lines(ctx: PlanContext, items: list[TimelineItem]) -> list[Line]:
    dated = sorted((i for i in items if i.start is not None), key=lambda i: (i.start, i.end))
    undated = [i for i in items if i.start is None]
    lines: list[Line] = [["按文章写到的时间排（图中虚线是第 90 天）："], ["**前 90 天**"]]
    lines += [dated_line(i) for i in dated if not i.later]
    if undated:
        lines.append([NOT_COVERED_LINE.format(focus="这几步各要多久")[:-1] + "，按文章的顺序做："])
        lines += [["- ", i.quote] for i in undated]
    later = [i for i in dated if i.later]
    if later:
        lines.append(["**90 天之后**"])
        lines += [dated_line(i) for i in later]
    return lines


# -- the chart -------------------------------------------------------------------------------------
def _x(weeks: float, left: int, width: int) -> float:
    return left + min(weeks, AXIS) / AXIS * width


def _bar(item: TimelineItem, y: int, left: int, width: int) -> str:
    color = COLORS.get(item.kind, "#555")
    when = html.escape(item.when)
    if item.start is None:
        return f'<text x="{left + 4}" y="{y + 15}" class="none">文章没写时长</text>'
    if item.kind == "review":
        ticks = "".join(
            f'<rect x="{_x(w, left, width) - 1.5:.1f}" y="{y + 6}" width="3" height="16" fill="{color}"/>'
            for w in range(int(item.start), int(item.end) + 1)
        )
        return ticks + f'<text x="{_x(item.end, left, width) + 6:.1f}" y="{y + 16}">{when}</text>'
    x0 = _x(item.start, left, width)
    x1 = max(_x(item.end or item.start, left, width), x0 + 6)
    if (item.end or item.start) > AXIS:  # later than the chart: a marker at the edge, the time beside it
        return (
            f'<path d="M{left + width - 8},{y + 4} L{left + width},{y + 12} L{left + width - 8},{y + 20} Z" '
            f'fill="{color}"/><text x="{left + width + 8}" y="{y + 16}">{when}</text>'
        )
    text_x = x1 + 6 if x1 + 6 < left + width - 40 else x0 + 6
    style = ' style="fill:#fff"' if text_x < x1 else ""
    return (
        f'<rect x="{x0:.1f}" y="{y + 4}" width="{x1 - x0:.1f}" height="16" rx="4" fill="{color}"/>'
        f'<text x="{text_x:.1f}" y="{y + 16}"{style}>{when}</text>'
    )


def timeline_svg(items: list[TimelineItem], title: str = "90 天节奏") -> str:
    """The rhythm as an SVG image: one row per item, half a year wide, the 90th day dashed."""
    rows = sorted(items, key=lambda i: (i.start is None, i.start or 0.0, i.end or 0.0))
    left, width, top, row_h = 270, 450, 48, 30
    height = top + row_h * len(rows) + 30
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + width + 80}" height="{height}" '
        f'viewBox="0 0 {left + width + 80} {height}" role="img" aria-label="{html.escape(title)}">',
        # its own white ground: the chart reads the same on a light or a dark page, and in any viewer
        '<rect width="100%" height="100%" rx="8" fill="#ffffff"/>',
        "<style>text{font:14px 'WenQuanYi Micro Hei','Noto Sans CJK SC','PingFang SC','Microsoft YaHei',"
        "sans-serif;fill:#222}.none{fill:#888;font-style:italic}.axis{fill:#555;font-size:13px}</style>",
        f'<text x="8" y="20" style="font-size:16px;font-weight:bold">{html.escape(title)}</text>',
    ]
    for label, w in TICKS:
        x = _x(w, left, width)
        out.append(f'<line x1="{x:.1f}" y1="{top - 8}" x2="{x:.1f}" y2="{height - 24}" stroke="#e5e7eb"/>')
        out.append(f'<text class="axis" x="{x:.1f}" y="{height - 10}" text-anchor="middle">{label}</text>')
    x90 = _x(WINDOW, left, width)
    out.append(
        f'<line x1="{x90:.1f}" y1="{top - 14}" x2="{x90:.1f}" y2="{height - 24}" stroke="#dc2626" '
        'stroke-dasharray="5,4"/>'
        f'<text class="axis" x="{x90 + 4:.1f}" y="{top - 18}" style="fill:#dc2626">第 90 天</text>'
    )
    for k, item in enumerate(rows):
        y = top + k * row_h
        label = item.label if len(item.label) <= 17 else item.label[:16] + "…"
        out.append(f'<text x="8" y="{y + 16}">{html.escape(label)}</text>')
        out.append(_bar(item, y, left, width))
    out.append("</svg>")
    return "".join(out)


def svg_data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
