"""The sections of a transition plan, each built from the guide's structure as quotes and label lines.

Where a quote comes from: the role's three paths (their "适合…/关键是…" sentences, advantages, steps,
cases) through ``KnowledgeMap``; the risk-control lines and the toolkit templates by the labels and
names ``knowledge.yaml`` gives; the few phrases the plan needs below a line (an indicator, a cell of the
stop-loss matrix) as exact phrases listed there. Where the guide has nothing for this person, a line
says so with the fixed "文章没有讲到…" phrasing instead of filling the gap.
"""

from __future__ import annotations

import re

from advisor.errors import CorpusError
from advisor.grounding.format import NOT_COVERED, NOT_COVERED_LINE
from advisor.grounding.quotes import (
    Line,
    Quote,
    clause_with,
    quoted_items,
    unnumbered,
)
from advisor.kb.knowledge_map import KnowledgeMap, PathInfo, heading_label
from advisor.planning.context import PlanContext, mvp_example, trial_step
from advisor.planning.model import PlanSection, fmt
from advisor.planning.timeline import timeline_lines
from advisor.text.structure import Block, Span, sentences

LIMIT = 120  # characters of a long line when it is quoted as one item among many
STORY_SENTENCES = 3
CIRCLED = "①②③④⑤⑥"
_RANGE = re.compile(r"(?<!\d)(\d{1,2})\s*[-–]\s*(\d{1,2})\s*个月")
_DIGIT = re.compile(r"\d")
_QUANTITY = re.compile(r"\d|[一二三四五六七八九十百千万]+[万份块倍个]")


def reserve_bounds(ctx: PlanContext) -> tuple[int, int]:
    """The guide's reserve rule in months ("留存 “6-12 个月生活费”" -> (6, 12))."""
    m = _RANGE.search(ctx.text(ctx.rule("reserve").span))
    if m is None:
        msg = "资金储备这一行里找不到“几-几个月”的说法"
        raise CorpusError(msg)
    return int(m.group(1)), int(m.group(2))


def quote_line(span: Span, limit: int = 0) -> Line:
    return ["- ", Quote(span, limit)]


def not_covered(focus: str) -> Line:
    return [NOT_COVERED_LINE.format(focus=focus)]


# -- the sections ----------------------------------------------------------------------------------
def reserve_section(ctx: PlanContext) -> list[Line]:
    """Savings below the guide's reserve: the plan leads with the reserve and the fallback skill."""
    low, _ = reserve_bounds(ctx)
    said = ctx.data.situation(
        ctx.inputs.note, "reserve"
    )  # "刚被裁": the safety net first, whatever the savings
    if ctx.inputs.savings_months >= low and said is None:
        return []
    rules = [quote_line(ctx.rule("reserve").span), quote_line(ctx.rule("skill").span)]
    if said is not None:
        head = f"**你说的情况里有「{said}」：收入断了，先按文章的「资源储备」守住安全垫，再选方向：**"
        return [[head], *rules]
    head = f"**你填写的存款够 {fmt(ctx.inputs.savings_months)} 个月生活费，先按文章的「资源储备」把安全垫补上：**"
    return [[head], *rules]


def paths_section(ctx: PlanContext) -> list[Line]:
    inputs, lines = ctx.inputs, []
    intro = ctx.kmap.role_section(inputs.role)
    first = intro.first_text() if intro else None
    if first is not None:
        lines.append(quote_line(first.span))
    goal_path = ctx.data.goals.get(inputs.goal)
    if goal_path and goal_path == ctx.top.name:
        lines.append([f"你的目标是「{inputs.goal}」，所以「{goal_path}」排第一，另外两条按文章的顺序："])
    else:
        lines.append([f"你选的是「{inputs.goal}」，这几条路按文章的顺序排："])
    for k, info in enumerate(ctx.order):
        lines.append([f"**{CIRCLED[k]} {info.label}**"])
        lines += _level_note(ctx, info)
        if info.fit is not None:
            lines.append(quote_line(info.fit))
        if info.advantage is not None:
            lines.append(quote_line(info.advantage.span))
    name, cell = ctx.template("paths")
    lines += [[f"按文章的「{name}」，给每条路列一列："], quote_line(cell)]
    return lines


def _level_note(ctx: PlanContext, info: PathInfo) -> list[Line]:
    """A path that starts from a level ("运营经理→运营总监") said plainly when the person is at another."""
    source = re.split(r"[:：]", info.label, maxsplit=1)[-1].split("→")[0].strip()
    names_level = any(level in source for level in ctx.data.levels)
    if not names_level or ctx.inputs.level in source:
        return []
    return [
        [NOT_COVERED_LINE.format(focus=f"{ctx.inputs.level}怎样走这条路")[:-1] + f"：它从「{source}」写起。"]
    ]


def mvp_section(ctx: PlanContext) -> list[Line]:
    name, _ = ctx.template("mvp")
    fields = ctx.fields("mvp")
    if len(fields) < 4:
        msg = f"「{name}」的字段少于 4 个"
        raise CorpusError(msg)
    rule = ctx.rule("mvp")
    lines: list[Line] = [[f"按文章的「{name}」填，先守住它的原则："], quote_line(rule.span)]
    lines += [[f"**{ctx.text(fields[0][0])}**"], *mvp_goal(ctx)]
    lines.append([f"**{ctx.text(fields[1][0])}**"])
    for item in quoted_items(rule.span, ctx.body):
        if _DIGIT.search(ctx.text(item)):  # "1 个月内可落地", "投入成本不超过月薪 10%"
            lines.append(quote_line(item))
    lines.append([f"**你填写的**：每周可投入 {fmt(ctx.inputs.hours)} 小时"])
    lines.append(not_covered("每周该投入多少小时"))
    lines.append([f"**{ctx.text(fields[2][0])}**"])
    shown = indicators(ctx)
    lines += [quote_line(shown[0])] if shown else [not_covered(ctx.focus("该看哪些指标"))]
    lines.append([f"**{ctx.text(fields[3][0])}**"])
    stop = ctx.fields("stoploss")
    if len(stop) >= 3 and stop[1][1] and stop[2][1]:
        lines.append(["- ", Quote(stop[1][1]), " → ", Quote(stop[2][1])])
    return lines


def mvp_goal(ctx: PlanContext) -> list[Line]:
    """The guide's MVP example for this role and path; else, saying so, the nearest thing the guide has:
    the path's own small trial, then the role's example or trial on its other paths."""
    example = mvp_example(ctx, ctx.top.name)
    if example is not None:
        return [quote_line(example.span)]
    lines = [not_covered(ctx.focus("的 MVP 例子"))]
    trial = trial_step(ctx, ctx.top)
    if trial is not None:
        return [
            *lines,
            ["这条路的实操步骤里，最接近 MVP 的一步："],
            quote_line(unnumbered(trial.span, ctx.body), LIMIT),
        ]
    for info in ctx.order[1:]:
        other = mvp_example(ctx, info.name) or trial_step(ctx, info)
        if other is not None:
            head = f"{ctx.inputs.role}中层在「{info.name}」这条路上有一个可以参照的小项目："
            return [*lines, [head], quote_line(unnumbered(other.span, ctx.body), LIMIT)]
    return lines


def indicators(ctx: PlanContext, info: PathInfo | None = None) -> list[Span]:
    info = info or ctx.top
    phrases = ctx.data.indicators.get(ctx.inputs.role, {}).get(info.name, ())
    return [ctx.phrase(p) for p in phrases]


def dashboard_section(ctx: PlanContext) -> list[Line]:
    name, cell = ctx.template("dashboard")
    lines: list[Line] = [[f"按文章的「{name}」建一张表："], quote_line(cell)]
    lines.append([f"**「{ctx.top.name}」这条路要看的指标**"])
    shown = indicators(ctx)
    lines += [quote_line(s) for s in shown] if shown else [not_covered(ctx.focus("该看哪些指标"))]
    lines += [["**复盘规则**"], quote_line(ctx.rule("review").span)]
    return lines


def stoploss_section(ctx: PlanContext) -> list[Line]:
    name, _ = ctx.template("stoploss")
    fields = ctx.fields("stoploss")
    names = [ctx.text(n) for n, _ in fields]
    lines: list[Line] = [[f"按文章的「{name}」，每一行写清{'、'.join(names)}："]]
    lines += [["| " + " | ".join(names) + " |"], ["|" + "---|" * len(names)]]
    if all(ex is not None for _, ex in fields):
        lines.append(_row([Quote(ex) for _, ex in fields]))
    for row in ctx.data.stoploss:
        lines.append(_row([_cell(ctx, cell) for cell in row]))
    pains = role_pains(ctx.kmap, ctx.inputs.role)
    if pains:
        lines += [[f"**{ctx.inputs.role}中层踩过的坑**"], *(quote_line(b.span, LIMIT) for b in pains)]
    return lines


def _row(cells: list) -> Line:
    line: Line = ["| "]
    for k, cell in enumerate(cells):
        line += [cell, " |" if k == len(cells) - 1 else " | "]
    return line


def _cell(ctx: PlanContext, cell: str | None):
    if cell is None:
        return NOT_COVERED
    if cell == "savings":
        return f"你填写的存款：{fmt(ctx.inputs.savings_months)} 个月生活费"
    return Quote(ctx.phrase(cell))


def role_pains(kmap: KnowledgeMap, role: str) -> list[Block]:
    """The pains' examples about a role ("社群运营中层:…", "短视频运营中层想转型…")."""
    words = [f"{role}中层", *(f"{h}中层" for h in kmap.kb.roles.get(role, ()))]
    pains = kmap.guide_section("pains")
    blocks = [b for s in (kmap.tree(pains) if pains else []) for b in s.blocks if b.kind == "item"]
    return [b for b in blocks if any(w in kmap.text(b.span) for w in words)][:2]


def cases_section(ctx: PlanContext) -> list[Line]:
    lines: list[Line] = [["**文章里这条路的案例**"]]
    if ctx.top.case is not None:
        lines.append(quote_line(ctx.top.case.span))
    else:
        lines.append(not_covered(ctx.focus("的案例")))
        other = next((p for p in ctx.order[1:] if p.case is not None), None)
        if other is not None:
            lines += [[f"{ctx.inputs.role}中层「{other.name}」这条路的案例："], quote_line(other.case.span)]
    return lines + story_lines(ctx) + resource_lines(ctx)


def closest_story(ctx: PlanContext) -> str | None:
    """The big-tech story nearest the person: same role, then same level, then the note's words."""
    note, best = ctx.inputs.note.lower(), []
    for k, (name, who) in enumerate(ctx.data.stories.items()):
        person = ctx.kmap.kb.person(name)
        hits = sum(a in note for a in person.aliases) if person and note else 0
        same_role = who.get("role") == ctx.inputs.role
        if same_role or hits:
            score = 2 * same_role + (who.get("level") == ctx.inputs.level) + hits
            best.append((-score, k, name))
    return min(best)[2] if best else None


def story_lines(ctx: PlanContext) -> list[Line]:
    """The story told in a few sentences: who they were, then the sentences with most of the story's
    own facts (its aliases in ``knowledge.yaml``) and figures, in the story's order."""
    name = closest_story(ctx)
    section = ctx.kmap.person_section(name) if name else None
    if section is None:
        return [not_covered(f"{ctx.inputs.role}出身的大厂中年人故事")]
    person = ctx.kmap.kb.person(name)
    body = ctx.kmap.bodies[section.doc_id]
    spans = [s for b in section.blocks for s in sentences(b.span, body)]

    def weight(k: int) -> tuple:
        text = ctx.text(spans[k]).lower()
        facts = sum(a in text for a in person.aliases) + bool(_QUANTITY.search(text))
        return (-facts, k)

    rest = sorted(range(1, len(spans)), key=weight)[: STORY_SENTENCES - 1]
    head = [f"**最接近你情况的大厂故事：{heading_label(section.heading)}**"]
    return [head, *(quote_line(spans[k], LIMIT) for k in sorted([0, *rest]) if k < len(spans))]


def resource_lines(ctx: PlanContext) -> list[Line]:
    name, cell = ctx.template("cases")
    lines: list[Line] = [[f"**{name}**"], quote_line(cell)]
    for block in [*ctx.top.steps, *ctx.top.directions]:
        found = next(
            (c for w in ctx.data.resource_words if (c := clause_with(block.span, ctx.body, w)) is not None),
            None,
        )
        if found is not None and found.start > block.span.start:  # not the step's own label
            lines.append(quote_line(found))
    if ctx.top.tools is not None:
        lines.append(quote_line(ctx.top.tools.span))
    lines.append(quote_line(ctx.rule("network").span))
    return lines


def build_sections(ctx: PlanContext, items) -> list[PlanSection]:
    """Every section in order; the numbered ones after the reserve (shown only with low savings)."""

    builders = (
        ("paths", paths_section),
        ("mvp", mvp_section),
        ("dashboard", dashboard_section),
        ("stoploss", stoploss_section),
        ("timeline", lambda c: timeline_lines(c, items)),
        ("cases", cases_section),
    )
    out = []
    reserve = reserve_section(ctx)
    if reserve:
        out.append(PlanSection("reserve", ctx.data.title("reserve"), None, reserve))
    for n, (key, build) in enumerate(builders, 1):
        out.append(PlanSection(key, ctx.data.title(key), n, build(ctx)))
    return out
