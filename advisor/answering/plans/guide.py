"""Answer plans from the transition guide and the stories: a role's three paths, one path in detail, a
path's case, risk control, the toolkit, the pains, and a person's story in document order."""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np

from advisor.answering.compose import MUST, TURN, AnswerPlan, Piece
from advisor.answering.intent import REMEDY, asks_case, asks_ready_made, situation
from advisor.answering.plans.shared import (
    INFO,
    LIMIT_FIT,
    LIMIT_LINE,
    LIMIT_STEP,
    AnswerContext,
    concepts_in,
    general_plan,
    has_any,
    ignore_words,
    label_words,
    question_concepts,
    sentence_pieces,
    short_label,
    shown_before,
)
from advisor.answering.refer import number_said
from advisor.answering.units import section_at
from advisor.index.search import Passage
from advisor.kb.knowledge_map import PathInfo, heading_label, run_said, squash
from advisor.text.markdown import ends_inside_quote
from advisor.text.structure import Block, Section, Span, sentences
from advisor.text.tokens import char_pairs, is_everyday, tagged, tokenize


def _strategy(ctx: AnswerContext, strategy: str) -> Section | None:
    """The guide's risk-control section whose heading names ``strategy`` (小步试错…)."""
    return next((s for s in ctx.kmap.risk_strategies() if strategy in s.heading), None)


def _risk_rule(ctx: AnswerContext, strategy: str, order: int, base: float) -> list[Piece]:
    sec = _strategy(ctx, strategy)
    label = ctx.kb.risk_principles.get(strategy, "")
    block = (
        next((b for b in sec.blocks if label and (b.label or "").startswith(label)), None) if sec else None
    )
    if block is None:
        return []
    return [Piece(block.span, short_label(sec.heading), base, LIMIT_LINE, context=sec.heading, order=order)]


def _role_risk_example(ctx: AnswerContext, strategy: str, role: str, order: int) -> list[Piece]:
    """The risk rule's example for ``role`` ("运营中层想做私域顾问:先帮 1 家朋友的小店…"): how the rule a
    question about a path names is applied to that role's move."""
    sec = _strategy(ctx, strategy)
    items = [b for b in sec.blocks if b.kind == "item"] if sec else []
    mine = next((b for b in items if f"{role}中层" in ctx.text(b.span)), None)
    if mine is None:
        return []
    return [Piece(mine.span, short_label(sec.heading), 1.0, LIMIT_LINE, context=sec.heading, order=order)]


def paths_plan(ctx: AnswerContext) -> AnswerPlan:
    role = ctx.intent.role
    infos = ctx.kmap.paths(role) if role else []
    if role is None:
        return _paths_overview(ctx)
    if not infos:
        return general_plan(ctx)
    names = "、".join(i.title for i in infos)
    plan = AnswerPlan(
        "paths", lead=f"按文章的划分，{role}中层有{len(infos)}条路（{names}）：", min_pieces=len(infos) + 1
    )
    # the path retrieval ranked first by a margin (settle): said with its steps, the others as room allows
    led = ctx.kmap.path(role, ctx.intent.path) if ctx.intent.path else None
    if led is not None:
        plan.lead = f"按文章的划分，{role}中层有{len(infos)}条路（{names}），最贴近你问的是「{led.title}」："
        plan.min_pieces = 2
    line = ctx.kmap.role_line(role)
    if line is not None:  # "…的转型,核心是 “…”": what the guide says of the role as a whole
        plan.pieces.append(Piece(line[1].span, "", 1.1, LIMIT_LINE, context=line[0].heading, order=0))
    section = ctx.kmap.role_section(role)
    # an article about the role alone heads its paths itself: that section says what they are
    parent = section if role in ctx.kb.homes else _own_parent(ctx, section)
    above = parent.first_text() if parent else None
    if above is not None:  # "以下提供…三类路径,分别对应…": the role's own article says what its paths are
        plan.pieces.append(Piece(above.span, "", 1.15, LIMIT_LINE, context=parent.heading, order=-1))
        # what else it says of them together ("拿不准选哪条？先回答三个问题…"), when the question asks that
        plan.pieces += _said_of_all(ctx, parent, above)
    cases = asks_case(ctx.question, ctx.kb)
    starts = has_any(ctx.question, ctx.kb.cues("start"))
    for info in infos:
        group = info.label if info.own else f"{info.index}. {info.label}"
        if info.fit:
            base = 1.0 if led is None else (LED_BASE if info is led else OTHER_PATH_BASE)
            piece = Piece(
                info.fit, group, base, LIMIT_FIT, context=info.section.heading, order=info.index * 100
            )
            plan.pieces.append(piece)
        if info is led:
            for k, step in enumerate(info.steps):
                order = info.index * 100 + 20 + k
                piece = Piece(
                    step.span, group, MUST - 0.01 * k, LIMIT_STEP, context=info.section.heading, order=order
                )
                plan.pieces.append(replace(piece, listed=True))
            continue
        if led is not None:
            continue  # beside the path asked about, the others only by what they suit
        if info.key and info.fit and not info.fit.start <= info.key.start < info.fit.end:  # "关键一招：…"
            piece = Piece(  # after every path's fit, as room allows
                info.key, group, 0.9, LIMIT_FIT, context=info.section.heading, order=info.index * 100 + 10
            )
            plan.pieces.append(piece)
        if starts and info.steps:  # "从哪开始": each path's first step
            step = info.steps[0]
            piece = Piece(
                step.span, group, 1.02, LIMIT_STEP, context=info.section.heading, order=info.index * 100 + 20
            )
            plan.pieces.append(piece)
        if cases and info.case:  # "有没有做产品出身转型成功的": each path's own case
            piece = Piece(
                info.case.span, group, 1.05, 130, context=info.section.heading, order=info.index * 100 + 50
            )
            plan.pieces.append(piece)
    if cases and asks_case(ctx.question, ctx.kb, strict=True):
        # "有没有运营出身被裁了又翻身的真事": the stories of people from that role, not a rule ("转型成功"
        # alone asks for no story)
        plan.pieces += _role_stories(ctx, role)
        return plan
    plan.pieces += situation_first(ctx) or _risk_rule(ctx, ctx.intent.risk or "小步试错", 900, 0.9)
    return plan


LED_BASE = 1.2  # the path retrieval leads with: its fit first
OTHER_PATH_BASE = 0.8  # beside it, the role's other paths: as room allows


def _said_of_all(ctx: AnswerContext, parent: Section, first: Block) -> list[Piece]:
    """The sentences of the paths' own heading section besides its first paragraph ("拿不准选哪条？先回答
    三个问题…"): said when the search ranks their passage first (the question is about the paths
    together), else shown only where they speak to the question."""
    body = ctx.kmap.bodies[parent.doc_id]
    children = [s.start for s in ctx.kmap.children(parent)]
    own_end = min(children, default=parent.end)
    top = ctx.retrieved[0] if ctx.retrieved else None
    led = top is not None and top.doc_id == parent.doc_id and parent.start <= top.start < own_end
    pieces = []
    for block in parent.blocks:
        if block is first or block.kind != "text":
            continue
        if led and top.start <= block.span.start < top.end:  # the paragraph asked about, whole
            pieces.append(Piece(block.span, "", 1.05, 0, context=parent.heading, block=block.span.start))
            continue
        for k, s in enumerate(sentences(block.span, body)):  # read with their paragraph (``block``)
            piece = Piece(s, "", 0.5, LIMIT_LINE, context=parent.heading, block=block.span.start)
            pieces.append(replace(piece, order=k - 50, only_if_relevant=True))
    return pieces


def _own_parent(ctx: AnswerContext, section: Section | None) -> Section | None:
    """The section above a role's section when it holds no other role's (an added article's "转型路径"
    over its one role): what it says first is about this role's paths. The guide's "按岗位定制" is
    about every role."""
    parent = ctx.kmap.parent(section) if section is not None else None
    if parent is None or not parent.path:  # an article's lead is about the article, not its paths
        return None
    others = [ctx.kmap.role_section(r) for r in ctx.kb.role_names]
    return None if any(o is not None and o != section and o.is_under(parent) for o in others) else parent


def _paths_overview(ctx: AnswerContext) -> AnswerPlan:
    """ "转型总体上有哪几类路子", asked by no role in particular: what the guide says above the roles'
    sections (its kinds of path), then each role's one line, under the guide's own headings."""
    sections = [s for s in map(ctx.kmap.role_section, ctx.kb.role_names) if s is not None]
    if not sections:
        return general_plan(ctx)
    plan = AnswerPlan("paths", min_pieces=len(sections) + 1)
    parent = ctx.kmap.parent(sections[0])
    above = parent.first_text() if parent else None
    if above is not None:
        plan.pieces.append(Piece(above.span, "", 1.2, LIMIT_LINE, context=parent.heading))
    for k, section in enumerate(sections):
        first = section.first_text()
        if first is not None:
            group = short_label(section.heading)
            plan.pieces.append(
                Piece(first.span, group, 1.0, LIMIT_FIT, context=section.heading, order=10 + k)
            )
    return plan


def _role_stories(ctx: AnswerContext, role: str) -> list[Piece]:
    """The best lines of each story whose person came from ``role`` (``kb.discover.story_role``)."""
    out = []
    for k, person in enumerate(p for p in ctx.kb.persons if p.role == role and p.heading):
        story = story_plan(replace(ctx, intent=replace(ctx.intent, person=person.name)))
        best = sorted(story.pieces, key=lambda p: -p.base)[:STORY_LINES]
        out += [replace(p, base=1.02, order=400 + 100 * k + min(p.order, 99)) for p in best]
    return out


def situation_first(ctx: AnswerContext, order: int = 1) -> list[Piece]:
    """The asker's situation in one line where the guide speaks to it: someone just laid off ("刚被裁")
    reads the reserve rule (资源储备) before the paths."""
    reserve = next((s for s in ctx.kb.risk_principles if s in (ctx.intent.risk or "")), None)
    if reserve is None or reserve != situation(ctx.question, ctx.kb):
        return []
    # by default after the role's one-line summary, before the paths
    return _risk_rule(ctx, reserve, order, 1.2)


SITUATION_FIRST = 100  # orders a path plan's situation line before the path's own lines
STORY_LINES = 2  # lines of a same-role story beside the paths' cases


CASE_BESIDE = 130  # a path's case beside its steps: its opening
CASE_ASKED = 400  # the case asked for ("有真实例子吗"): what the person did and what came of it


def path_pieces(
    info: PathInfo, case_first: bool, how: bool = False, case: Block | None = None
) -> list[Piece]:
    """The path's lines by weight: who it fits and its key first, then its steps, its payoff, its case
    (``case``: the one of its cases the question points to, else its first).
    Asked ``how`` ("先得干啥", "具体怎么做"), the steps are what must be said."""
    case = case or info.case
    group, ctx_words = info.label, info.section.heading
    pieces = [Piece(info.fit, group, 1.0, LIMIT_FIT, context=ctx_words, order=0)] if info.fit else []
    if info.key and not (info.fit and info.fit.start <= info.key.start < info.fit.end):  # "关键一招：…"
        pieces.append(Piece(info.key, group, 0.99, LIMIT_FIT, context=ctx_words, order=1))
    first_step = 1.1 if how and not case_first else 0.95  # asked how: every step is said (≥ 1)
    for k, step in enumerate(info.steps):
        base = first_step - 0.02 * k
        pieces.append(Piece(step.span, group, base, LIMIT_STEP, context=ctx_words, order=10 + k))
    for k, d in enumerate(info.directions):
        pieces.append(Piece(d.span, group, 0.93 - 0.02 * k, LIMIT_STEP, context=ctx_words, order=10 + k))
    if info.advantage:  # the payoff ("薪资涨幅可达 30%-50%"): worth more than a third step
        pieces.append(Piece(info.advantage.span, group, 0.97, LIMIT_LINE, context=ctx_words, order=30))
    if info.tools:
        pieces.append(Piece(info.tools.span, group, 0.6, LIMIT_LINE, context=ctx_words, order=40))
    if case:
        pieces.append(
            Piece(
                case.span,
                group,
                2.0 if case_first else 0.7,
                CASE_ASKED if case_first else CASE_BESIDE,
                context=ctx_words,
                order=-1 if case_first else 50,
            )
        )
    return pieces


# "先得干啥", "从哪下手", "具体咋一步步来": what to do, which the path's steps say (not "成绩单具体多少")
_WHAT_FIRST = re.compile(
    r"(?:先|得|要|该)(?:得|要|该)?(?:干|做|搞)(?:点)?(?:啥|什么|哪|嘛)|从(?:哪|何)(?:下手|入手|做起|开始)"
    r"|(?:怎么|咋|如何)(?:做|干|弄|走|操作|开始|起步|入手)|步骤|一步步"
)


def path_plan(ctx: AnswerContext) -> AnswerPlan:
    intent = ctx.intent
    if intent.role is None:  # "第二条路" before any role is known: that path for every role
        plan = AnswerPlan("path", lead=f"「{intent.path}」在文章里按岗位各有一条：", min_pieces=2)
        for k, role in enumerate(ctx.kb.role_names):
            info = ctx.kmap.path(role, intent.path)
            if info and info.key:
                plan.pieces.append(Piece(info.key, f"{role}：{info.label}", 1.0, 70, order=k * 10))
        return plan
    info = ctx.kmap.path(intent.role, intent.path)
    if info is None:
        return paths_plan(ctx)
    if intent.topic == "case" and info.case is None:
        person = closest_story(ctx, info)
        if person is not None:  # "有没有真实的例子？" for a path the guide gives no case for
            plan = story_plan(replace(ctx, intent=replace(intent, person=person, follow_up=False)))
            shown = stepped_examples(ctx, info)
            plan.pieces = shown + plan.pieces
            steps = "，它的步骤里举了这些例子；" if shown else "，"
            plan.lead = f"文章没有给「{info.label}」这条路举真实案例{steps}最接近的真实故事是{person}的经历："
            return plan
    detail = has_any(ctx.question, ctx.kb.cues("detail")) and intent.topic != "case"
    step = _pointed_step(ctx.question)
    if step is not None and 0 < step <= len(info.steps):  # "第二步再细说说": that step in full
        block = info.steps[step - 1]
        return AnswerPlan("path", [Piece(block.span, info.label, 2.0, 400, context=info.section.heading)])
    # someone just laid off reads the safety net first, then the path
    how = bool(_WHAT_FIRST.search(ctx.question))
    # "做交付的能转客户成功吗 有没有人这么转过": the path, and its case asked for with it
    case_asked = intent.topic == "case" or asks_case(ctx.question, ctx.kb, strict=True)
    pieces = situation_first(ctx, order=-SITUATION_FIRST) + path_pieces(
        info, case_asked, how, pointed_case(ctx, info)
    )
    if intent.risk and not situation(ctx.question, ctx.kb):  # "想先小范围试试，具体怎么试"
        pieces += _role_risk_example(ctx, intent.risk, intent.role, order=60)
    if has_any(ctx.question, ctx.kb.synonyms_of(HARD)):  # "想转AI产品经理，到底难在哪"
        pieces += _move_pains(ctx, info, order=-5)
    # a follow-up asking one thing of the path just shown ("工资能涨多少"): that line first; its case
    # asked for ("有真实例子吗") leads by its weight, not a line elsewhere that says "真实案例"
    first = intent.follow_up and not detail and intent.topic != "case"
    return AnswerPlan("path", pieces, min_pieces=2, broad=detail, answer_first=first)


HARD = "挑战"  # the synonym group of asking what is hard ("难在哪", "难点")
LIMIT_PAIN = 260  # a pain's example of this very move, said to its end (what it lacks, why there is no time)


def _move_pains(ctx: AnswerContext, info: PathInfo, order: int) -> list[Piece]:
    """The role's pains whose example names where this path leads ("工具类产品中层想转 “AI 产品经理”"):
    asked what is hard about the move, that example is the answer, before the path's steps."""
    section = ctx.kmap.guide_section("pains", info.role)
    targets = [squash(t) for t in info.targets if len(squash(t)) >= 2]
    pieces = []
    for pain in ctx.kmap.children(section) if section and targets else []:
        for block in pain.blocks:
            said = squash(ctx.text(block.span))
            if block.kind == "item" and any(t in said for t in targets):
                pieces.append(Piece(block.span, heading_label(pain.heading), 1.5, LIMIT_PAIN, order=order))
    return pieces


# "例如 “…”", "(如帮线下服装店设计…)": a step that shows what doing it looks like
_EXAMPLE_MARK = re.compile(r"例如|比如|譬如|[（(]如")
EXAMPLE_LIMIT = 160  # a step said up to its example


def stepped_examples(ctx: AnswerContext, info: PathInfo) -> list[Piece]:
    """The steps of a path with no case that show an example ("如帮线下服装店设计 “社群引流方案”"): asked
    for an example, they are what the guide gives, before a story of someone else's move."""
    group, heading = info.label, info.section.heading
    return [
        Piece(step.span, group, 1.5 - 0.02 * k, EXAMPLE_LIMIT, context=heading, order=-20 + k, listed=True)
        for k, step in enumerate(info.steps)
        if _EXAMPLE_MARK.search(ctx.text(step.span))
    ]


def pointed_case(ctx: AnswerContext, info: PathInfo) -> Block | None:
    """The case of a path with several ("案例:…客户成功…", "另一个案例:…出海…") that shares the most of
    the question's words ("做交付的能转客户成功吗 有没有人这么转过"); its first when none shares more."""
    if len(info.cases) < 2:
        return info.case
    concepts = question_concepts(ctx)
    shared = [concepts_in(ctx.text(c.span), concepts) for c in info.cases]
    return info.cases[shared.index(max(shared))]


def case_plan(ctx: AnswerContext) -> AnswerPlan:
    person = ctx.kb.person(ctx.intent.person)
    info = ctx.kmap.path(person.role, person.path) if person and person.role and person.path else None
    if info is None:
        return general_plan(ctx)
    lead = f"{person.name}是文章里{person.role}中层「{info.title}」这条路的案例："
    own = ctx.kmap.case_of(info, person.name)
    return AnswerPlan("case", path_pieces(info, case_first=True, case=own), lead=lead, min_pieces=2)


def _matching_rows(ctx: AnswerContext, base: float, order: int) -> list[Piece]:
    """Template rows whose name shares a word with the question ("止损" → 转型风险止损矩阵)."""
    q, skip = ctx.question.lower(), ignore_words(ctx.kb)
    out = []
    for k, piece in enumerate(toolkit_plan(ctx).pieces):
        name = piece.label.split("（")[0].lower()
        pairs = char_pairs(name) - skip
        if any(w in q for w in pairs | (label_words(ctx, name) - {name})):  # 刹车 asks for the 止损 matrix
            out.append(
                Piece(piece.span, piece.group, base, piece.limit, piece.label, piece.context, order + k)
            )
    return out


# "还要准备点啥", "除了钱还得备什么": more than the rule's one line is asked for
_WHAT_ELSE = re.compile(r"还(?:要|得|需要|应该|该)\S{0,4}?(?:啥|什么|哪些)|除了\S{1,12}?还")


def risk_plan(ctx: AnswerContext) -> AnswerPlan:
    role = ctx.intent.role
    own = ctx.kmap.guide_section("risk", role) if role else _retrieved_section(ctx, "risk")
    if own is not None and own.doc_id != ctx.kb.guide.get("doc"):
        return _own_risk_plan(ctx, own)
    strategies = ctx.kmap.risk_strategies()
    chosen = _strategy(ctx, ctx.intent.risk) if ctx.intent.risk else None
    if chosen is None:
        plan = AnswerPlan("risk", min_pieces=len(strategies))
        for k, sec in enumerate(strategies):
            plan.pieces += _risk_rule(ctx, short_label(sec.heading), k * 10, 1.0)
        plan.pieces += _matching_rows(ctx, 1.2, 500)
        return plan
    plan, group, role = AnswerPlan("risk", min_pieces=2), short_label(chosen.heading), ctx.intent.role or ""
    rule = ctx.kb.risk_principles.get(short_label(chosen.heading), "")
    more = bool(_WHAT_ELSE.search(ctx.question))
    for k, block in enumerate(chosen.blocks):
        label = block.label or ""
        # the rule's line, the asker's role's example, or, for "还要准备点啥", the rest of the rule
        must = (rule and label.startswith(rule)) or (role and f"{role}中层" in label)
        base = 1.0 if must or (more and block.kind == "item") else 0.6
        plan.pieces += sentence_pieces(ctx, block, group, base if block.kind != "intro" else 0.7, k * 10)
    plan.pieces += _matching_rows(ctx, 1.2, 500)
    templates = ctx.kb.risk_templates.get(short_label(chosen.heading), ())
    taken = {(p.span.doc_id, p.span.start) for p in plan.pieces}
    for k, row in enumerate(toolkit_plan(ctx).pieces):
        if any(t in row.label for t in templates) and (row.span.doc_id, row.span.start) not in taken:
            plan.pieces.append(replace(row, base=0.65, order=600 + k))
    return plan


def _retrieved_section(ctx: AnswerContext, key: str) -> Section | None:
    """For an asker whose role is unsaid, the section called ``key`` (pains, risk control) that retrieval
    ranks first: an added article's own ("老公被优化了…钱上面要先准备多少" is found in 商务BD's "规则一:
    先算收入安全垫"), or the guide's."""
    parts = ctx.kmap.role_section_parts(key)
    found = _first_retrieved(ctx, [part for part, _, _ in parts])
    return next(section for part, section, _ in parts if part is found) if found is not None else None


def _own_risk_plan(ctx: AnswerContext, section: Section) -> AnswerPlan:
    """An added article's own risk control, for the role it is about: each rule's first lines, the rule
    retrieval ranks first with the rest of its lines."""
    rules = ctx.kmap.children(section) or [section]
    asked = _first_retrieved(ctx, rules)
    plan = AnswerPlan("risk", min_pieces=2)
    for k, rule in enumerate(rules):
        group = heading_label(rule.heading)
        for j, block in enumerate(rule.blocks):
            base = (1.0 if j == 0 else 0.8) if rule is asked else (0.7 if j == 0 else 0.4)
            pieces = sentence_pieces(ctx, block, group, base, k * 100 + j * 10)
            # the rule asked about is read under its heading: "1. 存款跌破6个月…" is one of "四条止损线"
            plan.pieces += [replace(p, context=rule.heading) for p in pieces] if rule is asked else pieces
    return plan


def toolkit_plan(ctx: AnswerContext) -> AnswerPlan:
    plan = AnswerPlan("toolkit", min_pieces=1)
    section = ctx.kmap.guide_section("toolkit")
    group = short_label(section.heading) if section else ""
    rows = [cells for row in ctx.kmap.toolkit_rows() if len(cells := ctx.kmap.cells(row)) >= 3]
    # "那第二个呢，咋填" (pointed at 转型数据看板模板): the one template named, whole
    named = [c for c in rows if squash(ctx.text(c[0])) in squash(ctx.question)]
    # "有没有现成的表格": the templates are the answer, none crowded out by a tools line elsewhere
    first = 1.1 if asks_ready_made(ctx.question) else 0.8  # 1.1 - 0.02k: each still ≥ 1
    for k, cells in enumerate(named if len(named) == 1 else rows):
        name, use = ctx.text(cells[0]), ctx.text(cells[1])
        label = f"{name}（{use}）："
        base, limit = (1.2, 0) if len(named) == 1 else (first - 0.02 * k, 80)
        plan.pieces.append(Piece(cells[2], group, base, limit, label=label, context=name + use, order=k))
    return plan


LEAD_BASE = 0.9  # the article's lead, beside a pain's key line (1.0)
_OF_ITSELF = re.compile(r"本文|本篇|下文|以下")  # the article telling what it covers: no answer to anyone
WAY_BASE = 1.2  # that way out, asked for ("有啥办法"): before the pains' key lines (1.0)


def _one_role(ctx: AnswerContext, pain: Section, role: str) -> bool:
    """Every example of the pain is of ``role``: none of them is the asker's more than another."""
    items = [b for b in pain.blocks if b.kind == "item"]
    return bool(items) and all(f"{role}中层" in ctx.text(b.span) for b in items)


KIND_SAID_CHARS = 4  # "本地生活" of "本地生活商务中层" said ("在本地生活做地推BD"); a shorter kind, whole


def _names_kind(question: str, label: str | None) -> bool:
    """The example's label ("视觉设计中层:…") names the asker's kind of the role: whole, or a long run of it."""
    kind = squash(label or "").removesuffix("中层")
    if len(kind) < 2 or kind == squash(label or ""):
        return False
    q = squash(question)
    return kind in q or run_said(kind, q, KIND_SAID_CHARS)


def pains_plan(ctx: AnswerContext) -> AnswerPlan:
    """Each pain's key line ("核心矛盾:…"); the pain retrieval ranks first for the question leads, with
    its examples, and the asker's own role speaks first: its one-line summary and its examples."""
    role = ctx.intent.role
    section = ctx.kmap.guide_section("pains", role) if role else _retrieved_section(ctx, "pains")
    section = section or ctx.kmap.guide_section("pains")
    pains = ctx.kmap.children(section) if section else []
    pointed = _pointed_section(ctx.question, pains)  # "第一个痛点具体是啥", "那中间那个呢"
    examples = asks_case(ctx.question, ctx.kb)  # "有没有真实例子"
    if pointed is None and examples and ctx.intent.follow_up:  # "有例子吗" after one pain was shown
        shown = [sec for sec in pains if heading_label(sec.heading) in ctx.shown]
        pointed = shown[0] if len(shown) == 1 else None
    if pointed is not None:
        pains = [pointed]
    asked = pointed or _first_retrieved(ctx, pains)
    # "保了三次大促…绩效还是个B": a line of the pain retrieval leads with tells the asker's own case, said
    # with the pains' key lines
    told = _told_line(ctx, asked, pains) if asked is not None and not pointed else None
    plan = AnswerPlan("pains", min_pieces=2)
    line = ctx.kmap.role_line(role) if role else None
    if line is not None:  # "互联网运营中层…的转型,核心是 “从‘人工执行’转向…,避免被工具替代”"
        plan.pieces.append(Piece(line[1].span, "", 1.1, LIMIT_LINE, context=line[0].heading, order=-1))
    for block in section.blocks if section and not pointed else []:  # "与传统行业中层相比…": the whole
        plan.pieces.append(Piece(block.span, "", 0.5, LIMIT_LINE, context=section.heading, order=0))
    # The article's lead states the worry its pains then detail ("…易从‘中坚力量’沦为‘边缘角色’"): its
    # sentences compete for the question like the pains' own lines.
    # An added article's lead is the author's own introduction: read only when no pain was found.
    # (a pains section told as one run of paragraphs, "头一个，就是背锅…第二个…", has no parts to find)
    own = (
        section is not None and section.doc_id != ctx.kb.guide.get("doc") and (asked is not None or not pains)
    )
    lead = ctx.kmap.preamble(section.doc_id) if section and not (examples or pointed or own) else None
    for block in lead.blocks if lead else []:
        if block.kind == "text":
            lead_pieces = _clauses_joined(ctx, sentence_pieces(ctx, block, "", LEAD_BASE, -50))
            lead_pieces = [p for p in lead_pieces if not _OF_ITSELF.match(ctx.text(p.span).lstrip())]
            turns = [k for k, p in enumerate(lead_pieces) if k and TURN.match(ctx.text(p.span).lstrip())]
            if turns:
                # where the lead turns from the worry to the way out of it ("但…而是要…") is said with the
                # pains; asked for ("有啥办法缓解吗"), it comes first, after the worry it answers
                way = REMEDY.search(ctx.question)
                bases = {0: MUST, turns[0]: WAY_BASE} if way else {turns[0]: MUST}
                lead_pieces = [replace(p, base=bases.get(k, p.base)) for k, p in enumerate(lead_pieces)]
            plan.pieces += [p for p in lead_pieces if not shown_before(ctx, p.span)]  # a follow-up moves on
    for k, sec in enumerate(pains):
        # the pain's whole heading: its name ("经验 “折旧速度快”…") is what the asker recognises
        group, leads = heading_label(sec.heading), asked is None or sec is asked
        one_role = bool(role) and _one_role(ctx, sec, role or "")  # an added article's: all its role's
        if not any(map(_key_line, sec.blocks)):
            plan.pieces += _prose_pain(ctx, sec, group, leads, (k + 1) * 100)
            continue
        for b, block in enumerate(sec.blocks):
            if _key_line(block):
                base = 1.0  # each pain's key line ("核心矛盾:…"): the three pains are the answer's frame
            elif block.kind == "item":
                # the asker's role's example among others' (an added article's pains are all its role's)
                mine = bool(role) and f"{role}中层" in ctx.text(block.span) and not one_role
                mine = mine or _names_kind(ctx.question, block.label)  # "我做视觉设计的": "视觉设计中层:…"
                if role and not mine and sec is not asked:
                    continue  # another role's example of a pain not asked about says nothing to this asker
                base = (1.05 if leads else 0.85) if mine else (0.75 if sec is asked else 0.4)
                # the pains' examples are the articles' cases of them: asked for, they are the answer
                base += (0.6 if leads else 0.4) if examples else 0.0
                if told is block:  # "保了三次大促…绩效还是个B": the asker's own case, said with the frame
                    base = max(base, TOLD_BASE)
            elif block.kind == "text" and sec is asked:
                base = PAIN_PROSE_BASE  # the asked pain's own telling ("更麻烦的是…"), for what it answers
            else:
                continue
            order = (k + 1) * 100 + (50 if block.kind == "text" else b)
            plan.pieces.append(Piece(block.span, group, base, LIMIT_LINE, context=sec.heading, order=order))
    return plan if plan.pieces else general_plan(ctx)


PAIN_PROSE_BASE = 0.6
TOLD_BASE = 1.0  # the line of a pain that tells the asker's own case: said with the pains' key lines
TOLD_WORDS = 2  # the question's content words a pain's line must share to tell the asker's own case


def _told_line(ctx: AnswerContext, asked: Section, pains: list[Section]) -> Block | None:
    """The line of ``asked`` that shares the most of the question's content words (synonyms counting), at
    least ``TOLD_WORDS`` and more than any line of another pain: the asker's own case is told there."""
    concepts = question_concepts(ctx, named_only=True)
    counts = [(concepts_in(ctx.text(b.span), concepts), b) for b in asked.blocks]
    most, best = max(counts, key=lambda c: c[0], default=(0, None))
    others = (
        concepts_in(ctx.text(b.span), concepts) for sec in pains if sec is not asked for b in sec.blocks
    )
    return best if most >= TOLD_WORDS and all(n < most for n in others) else None


KEY_LABEL_CHARS = 6  # "核心矛盾:", "现实压力:"; not "HR私下跟我说过实话：", a sentence's own colon


def _key_line(block: Block) -> bool:
    """A pain's key line, as the guide writes one: a short label, then what the pain comes down to."""
    return block.kind == "text" and bool(block.label) and len(block.label or "") <= KEY_LABEL_CHARS


def _prose_pain(ctx: AnswerContext, pain: Section, group: str, leads: bool, order: int) -> list[Piece]:
    """A pain an article tells in paragraphs ("第二块：AI 把“会写”变成了“人人都会”"), with no key line:
    its first paragraph opens it; the pain the question is about is read whole."""
    pieces = []
    for b, block in enumerate(pain.blocks):
        if block.kind not in ("text", "item") or (b and not leads):
            continue
        base = (1.0 if b == 0 else 0.8) if leads else 0.7
        found = sentence_pieces(ctx, block, group, base, order + b * 10)
        pieces += [replace(p, context=pain.heading) for p in found]
    return pieces


def _clause_goes_on(ctx: AnswerContext, prev: Piece, piece: Piece) -> bool:
    """``piece`` continues the sentence ``prev`` ends with "；" (the same line or paragraph)."""
    return prev.block == piece.block and ctx.text(prev.span).rstrip().endswith(("；", ";"))


def _clauses_joined(ctx: AnswerContext, pieces: list[Piece]) -> list[Piece]:
    """A sentence's clauses joined by "；" as one piece: the lead's "技术半年一迭代…；业务从‘流量驱动’转向
    ‘AI 赋能’…；年轻从业者…涌入…" is one list of why the worry is worse here, said whole or not at all."""
    out: list[Piece] = []
    for piece in pieces:
        if out and _clause_goes_on(ctx, prev := out[-1], piece):
            span = Span(prev.span.doc_id, prev.span.start, piece.span.end)
            out[-1] = replace(prev, span=span, limit=max(prev.limit, len(span)))
        else:
            out.append(piece)
    return out


def _pointed_section(question: str, sections: list[Section]) -> Section | None:
    """The section a follow-up points to, as ``refer.pointed_item`` wrote its heading into the question
    ("第一个痛点具体是啥（痛点一）")."""
    m = re.search(r"（([^（）]+)）$", question)
    pointer = m.group(1) if m else ""
    return next((s for s in sections if pointer and short_label(s.heading) in pointer), None)


# A story asked about one thing ("他对老同事有啥建议", "原话咋说的") rather than told whole: the passage of
# it the search ranks first is what it asks, ahead of how the story begins.
ASKED_EPISODE = 0.3


def _retrieved_first_in(ctx: AnswerContext, section: Section) -> Passage | None:
    """The passage retrieval ranks first, when ``section`` holds it (not when the question is about
    something else the story touches: "王姐的团购群算不算私域" ranks the 私域 path first)."""
    first = ctx.retrieved[0] if ctx.retrieved else None
    return first if first is not None and section.holds(first) else None


def _first_retrieved(ctx: AnswerContext, sections: list[Section]) -> Section | None:
    """The section that holds the best-ranked of the retrieved passages any of them holds."""
    return next((sec for passage in ctx.retrieved for sec in sections if sec.holds(passage)), None)


_WORDED = re.compile(r"\w")


def story_plan(ctx: AnswerContext) -> AnswerPlan:
    """The person's section in document order; the sentences with the story's key facts (the person's
    aliases in ``knowledge.yaml``: 收银系统, 码农阿宅…) first. A follow-up ("他后来呢？") leans to what
    was not said yet and to how the story ends."""
    section = ctx.kmap.person_section(ctx.intent.person)
    person = ctx.kb.person(ctx.intent.person or "")
    if section is None or person is None:
        return general_plan(ctx)
    group = heading_label(section.heading)
    blocks = ctx.kmap.story_blocks(section)
    # an episode's heading places its lines ("第二次尝试:跟风做知识付费,亏了一笔" for "做知识付费亏了多少")
    episode = {id(b): s.heading for s in ctx.kmap.tree(section) if s is not section for b in s.blocks}
    spans = ctx.kmap.story_sentences(section)
    # "店后来咋样了" after the story: the sentences that tell of the shop (not "…的财务后来…", who is asked)
    thing = _thing_goes_on(ctx.question) if ctx.intent.follow_up else None
    later = ctx.intent.follow_up and has_any(ctx.question, _LATER) and not thing
    broad = has_any(ctx.question, ctx.kb.cues("story"))
    plan = AnswerPlan("story", min_pieces=2, broad=broad, style="paragraph")
    asked = None if broad or later else _retrieved_first_in(ctx, section)
    shapes = [shape.looks_like for shape in ctx.kb.shapes_asked(ctx.question)]
    pointed = _detail_asked(ctx, spans)
    # a story asked about, not one told beside a role's paths, which its key facts tell
    told = ctx.intent.kind != "story" or has_any(ctx.question, ctx.kb.cues("story_asked"))
    meant = set() if told else _nearest_in_meaning(ctx, spans, later)
    for k, (b, s) in enumerate(spans):
        text = ctx.text(s).lower()
        if not _WORDED.search(text):  # a quote block's empty ">" line
            continue
        of_thing = bool(thing) and thing in text  # a sentence about the thing asked ("店")
        facts = sum(a in text for a in person.aliases)
        base = 0.45 + 0.12 * min(facts, 4) + 0.1 * bool(INFO.search(text)) + 0.15 * (k == 0)
        # "她后来呢，现在一个月能挣多少": how it ended, in the form asked for, though it was shown
        shown = (
            shown_before(ctx, s)
            and not (later and any(p.search(text) for p in shapes))
            and k not in pointed
            and k not in meant
            and not of_thing
        )
        if later and shown and k < EARLY * len(spans):
            continue  # "他后来呢？" after the story was told: not its beginning again
        base += (0.3 * k / len(spans) if later else 0.0) - (0.3 if shown else 0.0)
        if (
            k in pointed or k in meant or of_thing or (asked and asked.start <= s.start < asked.end)
        ):  # ahead of the rest, not of what must be said
            base = max(base, min(base + ASKED_EPISODE, MUST - 0.01))
        context = episode.get(id(blocks[b]), "")
        plan.pieces.append(Piece(s, group, base, 150, context=context, order=k, block=b))
    plan.pieces = _quotes_joined(ctx, plan.pieces, blocks)
    return _clauses_together(plan, ctx)


_LATER = ("后来", "现在", "如今", "翻身", "结果", "最后")


def _thing_goes_on(question: str) -> str | None:
    """ "店后来咋样了？为啥没做成": the thing of the story whose course is asked (the shop he opened and
    closed in its middle), not how the person's story ends — a noun right before 后来, not 他 or a name."""
    words = tagged(question.lower())
    return next(
        (
            words[k - 1][0]
            for k, (w, _) in enumerate(words)
            if w in _LATER
            and k > 0
            and words[k - 1][1].startswith("n")
            and not words[k - 1][1].startswith("nr")
        ),
        None,
    )


NEAR_LIFTED = 2  # a detail is told in one or two sentences
EARLY = 0.45  # the share of a story that is its beginning, not said again when asked how it went on


def _nearest_in_meaning(ctx: AnswerContext, spans: list[tuple[int, Span]], later: bool = False) -> set[int]:
    """The story's sentences nearest the question in meaning, said though they were shown: a detail
    asked in other words than the story's ("进去之后他具体做了哪些事" → "他把产品从 30 多个款砍到 8 个").
    Asked ``later`` ("他后来呢"), not its beginning again if shown: the name draws the question there."""
    if ctx.sentence_meaning is None or not NEAR_LIFTED:
        return set()
    texts = [ctx.text(s) for _, s in spans]
    sims = ctx.sentence_meaning(ctx.question, texts)
    best = [
        k
        for k in np.argsort(-sims).tolist()
        if _WORDED.search(texts[k])
        and not (later and k < EARLY * len(spans) and shown_before(ctx, spans[k][1]))
    ]
    return set(best[:NEAR_LIFTED])


POINTED_AT_MOST = 2  # a detail asked for is in one or two of the story's sentences, not in many


def _detail_asked(ctx: AnswerContext, spans: list[tuple[int, Span]]) -> set[int]:
    """The sentences of a story that say the most of the question's concepts, when only one or two do
    ("她录的那个知识付费课最后卖出去多少份" → "尝试知识付费，录了三十节运营课程只卖出九份"): the detail asked for,
    said again though it was shown, whatever else the question's "最后" asks. Only shown sentences: an
    unshown one needs no lift."""
    concepts = question_concepts(ctx)
    counts = [concepts_in(ctx.text(s), concepts) for _, s in spans]
    top = max(counts, default=0)
    best = {k for k, c in enumerate(counts) if c == top}
    if top < 1 or len(best) > POINTED_AT_MOST:
        return set()
    return {k for k in best if shown_before(ctx, spans[k][1])}  # what was not shown ranks as it would


def _quotes_joined(ctx: AnswerContext, pieces: list[Piece], blocks: list[Block]) -> list[Piece]:
    """The sentences of one quote as one piece, weighing as its best: 老张's "你知道我现在时薪多少吗？二十块！
    但看着…还踏实。”" is not cut after "二十块！". Quote marks are counted from the line's start, not paired:
    the stories open quotes with ” as well as “."""
    out: list[Piece] = []
    for piece in pieces:
        prev = out[-1] if out else None
        if prev is not None and prev.block == piece.block >= 0:
            said = ctx.text(Span(prev.span.doc_id, blocks[prev.block].span.start, prev.span.end))
            if ends_inside_quote(said):  # the previous sentence ends inside a quote
                span = Span(prev.span.doc_id, prev.span.start, piece.span.end)
                out[-1] = replace(
                    prev, span=span, base=max(prev.base, piece.base), limit=max(prev.limit, len(span))
                )
                continue
        out.append(piece)
    return out


def _clauses_together(plan: AnswerPlan, ctx: AnswerContext) -> AnswerPlan:
    """Clauses of one sentence joined by "；" (试过…当COO；…知识付费；…微商大会) weigh as one, so a later
    clause is never shown without the one that opens the sentence."""
    pieces, runs = plan.pieces, []
    for i, piece in enumerate(pieces):
        if i and _clause_goes_on(ctx, pieces[i - 1], piece):
            runs[-1].append(i)
        else:
            runs.append([i])
    for run in runs:
        top = max(pieces[i].base for i in run)
        for i in run:
            pieces[i] = replace(pieces[i], base=top)
    return plan


def closest_story(ctx: AnswerContext, info: PathInfo) -> str | None:
    """The real story nearest to a path the guide gives no case for: told by someone of the path's role
    when the articles have one (a programmer's story for 技术's path, whatever else the search found),
    the one retrieval ranks first among them, else the one sharing most of the path's rarer words (私域,
    社群, 顾问…)."""
    found = {p.name: ctx.kmap.person_section(p.name) for p in ctx.kb.persons}
    tellers = [p for p in ctx.kb.persons if found[p.name] is not None]
    tellers = [p for p in tellers if p.role == info.role] or tellers
    sections = {p.name: found[p.name] for p in tellers}
    told = _first_retrieved(ctx, list(sections.values()))  # the story retrieval ranks first
    if told is not None:
        return next(person for person, section in sections.items() if section is told)
    path_words = set(tokenize(" ".join(ctx.text(b.span) for b in info.section.blocks)))
    best, name = 0.0, None
    for person in tellers:
        section = sections[person.name]
        told_text = " ".join(ctx.text(b.span) for b in ctx.kmap.story_blocks(section))
        words = {w for w in tokenize(told_text) if len(w) >= 2}
        shared = sum(1.0 for w in path_words & words if not is_everyday(w))
        score = shared / max(1.0, len(words)) ** 0.5  # a long story shares more words by length alone
        if score > best:
            best, name = score, person.name
    return name


def _pointed_step(question: str) -> int | None:
    """The step a follow-up points to, as ``refer.pointed_item`` wrote it into the question ("（2. …）");
    or said by number when the answer before showed too few steps to point into ("第二步怎么搞" after a
    path's first step only)."""
    m = re.search(r"（(\d{1,2})\. ", question)
    if m:
        return int(m.group(1))
    said = _STEP_SAID.search(question)
    return number_said(said.group(1)) if said else None


_STEP_SAID = re.compile(r"第\s*([一二三四五六七八九1-9])\s*步")


def section_plan(ctx: AnswerContext) -> AnswerPlan:
    """A section retrieval put clearly first, in its own order (an article's conclusion, an FAQ answer,
    a new article's risk notes): what the section says is the answer's shape."""
    section = section_at(ctx.kmap, ctx.intent.topic)
    if section is None:
        return general_plan(ctx)
    group, body = heading_label(section.heading), ctx.kmap.bodies[section.doc_id]
    spans = [(block, s) for block in section.blocks for s in sentences(block.span, body)]
    # a question going on from the section's answer ("那他们这行最值钱的本事是啥" after the job's section,
    # ``settle.stays_in_section``): what it asks of the section, not the section again
    plan = AnswerPlan("section", min_pieces=1, broad=not ctx.intent.goes_on)
    for k, (block, s) in enumerate(spans):
        base = 1.0 - 0.4 * k / max(1, len(spans)) - (0.5 if shown_before(ctx, s) else 0.0)
        if block.kind == "row":  # whole, under its table's header (the header alone is no piece)
            if s.start == block.span.start:
                plan.pieces += [replace(p, order=k) for p in sentence_pieces(ctx, block, group, base, k)]
            continue
        plan.pieces.append(Piece(s, group, base, 150, context=section.heading, order=k))
    return plan
