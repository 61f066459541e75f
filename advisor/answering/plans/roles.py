"""Answer plans from the role explainers: what a role does, a family of roles, two roles compared
point against point (a table where both sides have the same labels), and a move from one role to
another — what the articles say carries over and what to add."""

from __future__ import annotations

import re
from dataclasses import replace

from advisor.answering.compose import MUST, AnswerPlan, Piece
from advisor.answering.intent import asks_case
from advisor.answering.plans.guide import path_pieces
from advisor.answering.plans.shared import (
    LIMIT_LINE,
    AnswerContext,
    aliases_of,
    has_any,
    label_words,
    sentence_pieces,
    shown_before,
)
from advisor.kb.knowledge_map import heading_label
from advisor.text.structure import Block, Section


def _subject_pieces(
    ctx: AnswerContext, name: str, base: float, order: int, group: str | None = None
) -> list[Piece]:
    """What an explained role's own sections say: labelled lines by their label, then the rest."""
    weights = {"目标": 1.0, "关键指标": 0.85, "案例": 0.55}
    pieces: list[Piece] = []
    for si, sec in enumerate(ctx.kmap.explainer_sections(name)):
        label = group or heading_label(sec.heading) or name
        for k, block in enumerate(sec.blocks):
            w = weights.get(block.label or "", 0.9 if k == 0 else 0.65)
            pieces += sentence_pieces(ctx, block, label, base * w, order + si * 100 + k * 2)
        for ck, child in enumerate(ctx.kmap.children(sec) if sec.path else []):
            first = next((b for b in child.blocks if b.kind not in ("intro", "row")), None)
            if first is not None:
                head = heading_label(child.heading)
                piece = Piece(
                    first.span, label, base * 0.7, LIMIT_LINE, f"{head}：", head, order + si * 100 + 50 + ck
                )
                pieces.append(piece)
    return pieces


def _topic_pieces(ctx: AnswerContext, topic: str | None, base: float, order: int) -> list[Piece]:
    ref = ctx.kb.explainer_topics.get(topic or "")
    section = ctx.kmap.section(ref) if ref else None
    return _section_pieces(ctx, section, base, order) if section else []


def _section_pieces(ctx: AnswerContext, section: Section, base: float, order: int) -> list[Piece]:
    group, pieces, header_seen = heading_label(section.heading), [], False
    for k, block in enumerate(section.blocks):
        if block.kind == "row":
            cells = ctx.kmap.cells(block)
            header, header_seen = not header_seen, True
            if len(cells) >= 2 and not header:
                label = f"{ctx.text(cells[0])}："
                pieces.append(
                    Piece(cells[1], group, base - 0.02 * k, LIMIT_LINE, label, ctx.text(cells[0]), order + k)
                )
        else:
            pieces += sentence_pieces(ctx, block, group, base - 0.02 * k, order + k * 2)
    for ck, child in enumerate(ctx.kmap.children(section)):  # "### 1. 初级PM(0-2年)": its first line
        first = next((b for b in child.blocks if b.kind not in ("intro", "row")), None)
        if first is not None:
            head = heading_label(child.heading) or child.heading
            order_k = order + 50 + ck
            pieces.append(
                Piece(first.span, group, base - 0.05, LIMIT_LINE, f"{head}：", child.heading, order_k)
            )
    return pieces


def explain_plan(ctx: AnswerContext) -> AnswerPlan:
    name = ctx.intent.subjects[0]
    plan = AnswerPlan("explain", _subject_pieces(ctx, name, 1.0, 100), min_pieces=2)
    topic = _topic_pieces(ctx, ctx.intent.topic, 1.3, 0)
    plan.pieces += topic
    # The topic's section is what is asked: shown whole, not only matching lines. With no topic the
    # question asks what the role is ("主要干啥的，说人话"): its overview, not the lines its words match.
    plan.broad = bool(topic) or ctx.intent.topic is None
    if ctx.intent.follow_up and not topic and asks_case(ctx.question, ctx.kb):
        # "能举个例子不" after what the role does: its 案例 first, the rest only where it speaks to it
        cases = [p for p in plan.pieces if _CASE_LINE.match(ctx.text(p.span))]
        if cases:
            plan.pieces = [replace(p, base=CASE_BASE, order=-1) if p in cases else p for p in plan.pieces]
            plan.broad, plan.min_pieces = False, 1
    elif not topic and plan.pieces and f"**{plan.pieces[0].group}**" in ctx.shown:
        # "它考核看啥指标" right after what 流量运营 does: the line that says it leads, the rest after;
        # "那他每天具体干啥" after the overview: what was not said yet before what was
        plan.answer_first = True
        plan.pieces = [
            replace(p, base=p.base - SHOWN_DROP) if shown_before(ctx, p.span) else p for p in plan.pieces
        ]
    return plan


_CASE_LINE = re.compile(r"^\s*[-*]?\s*(?:案例|例如|比如)\s*[:：]")
CASE_BASE = 1.6  # the example asked for, before the role's 目标 (1.0)
SHOWN_DROP = 0.3  # a line just shown, asked about the same role again


def family_plan(ctx: AnswerContext) -> AnswerPlan:
    """A group of explained roles as a whole: one line each (the labelled line the question asks for,
    say 关键指标, else the role's 目标), under the group's name."""
    plan = AnswerPlan("family", min_pieces=len(ctx.intent.subjects), broad=True)
    q = ctx.question.lower()
    for k, name in enumerate(ctx.intent.subjects):
        blocks = [b for sec in ctx.kmap.explainer_sections(name) for b in sec.blocks if b.label and b.content]
        if not blocks:
            continue
        asked = [b for b in blocks if any(w in q for w in label_words(ctx, b.label or ""))]
        block = (asked or [b for b in blocks if b.label == "目标"] or blocks)[0]
        sec = next(s for s in ctx.kmap.explainer_sections(name) if block in s.blocks)
        label = f"{heading_label(sec.heading)}——{block.label}："
        plan.pieces.append(Piece(block.content, ctx.intent.topic or "", 1.0, 60, label, sec.heading, k))
    return plan


def _compare_paths(ctx: AnswerContext) -> AnswerPlan:
    """Two of a role's paths side by side: who each suits and its key, its advantage, its case."""
    plan = AnswerPlan("compare", min_pieces=2)
    for k, name in enumerate(ctx.intent.subjects[:2]):
        info = ctx.kmap.path(ctx.intent.role, name)
        if info is None:
            continue
        for piece in path_pieces(info, case_first=False):
            if piece.span in (info.fit, getattr(info.advantage, "span", None)):
                plan.pieces.append(replace(piece, base=1.0, order=k * 100 + piece.order))
            elif info.case and piece.span == info.case.span:
                plan.pieces.append(replace(piece, base=0.5, order=k * 100 + piece.order))
    return plan


def compare_plan(ctx: AnswerContext) -> AnswerPlan:
    if all(s in ctx.kb.paths for s in ctx.intent.subjects) and ctx.intent.role:
        return _compare_paths(ctx)
    a, b = ctx.intent.subjects[:2]
    plan = AnswerPlan("compare", min_pieces=2)
    table = _table(ctx, a, b)
    if table:
        plan.table = table
        plan.min_pieces = 0
    docs = [{s.doc_id for s in ctx.kmap.explainer_sections(name)} for name in (a, b)]
    shared = docs[0] & docs[1]  # an article explaining both: its lines compare like with like
    for k, name in enumerate((a, b)):
        sections = ctx.kmap.explainer_sections(name)
        versus = [s for s in sections if s.heading.lower().startswith("vs")]
        for sec in versus:
            plan.pieces += _section_pieces(ctx, sec, 1.4, 0)
        if not table:
            own = _subject_pieces(ctx, name, 0.8, 1000 * (k + 1))  # under its own headings
            # what each side is, whichever one the question's words favour: a comparison says both
            lead = next((p for p in own if p.span.doc_id in shared), own[0] if own else None)
            plan.pieces += [replace(p, base=MUST) if p is lead else p for p in own]
    plan.pieces += _both_named(ctx, a, b)
    return plan


BOTH_BASE = 1.5  # the article's own line that weighs the two roles, before either role's lines


def _both_named(ctx: AnswerContext, a: str, b: str) -> list[Piece]:
    """The sentences, outside either role's own sections, that name both roles ("产品经理和运营人员虽然职责
    不同,但…——前者…,后者…"): where the article itself compares them, usually its conclusion."""
    own = [*ctx.kmap.explainer_sections(a), *ctx.kmap.explainer_sections(b)]
    names = [[n.lower() for n in aliases_of(ctx, x) if n] for x in (a, b)]
    out: list[Piece] = []
    for doc in dict.fromkeys(s.doc_id for s in own):
        for sec in ctx.kmap.outlines.get(doc, []):
            if not sec.path or any(sec is o or sec.is_under(o) for o in own):
                continue
            for k, block in enumerate(sec.blocks):
                for piece in sentence_pieces(ctx, block, heading_label(sec.heading), BOTH_BASE, k * 2):
                    said = ctx.text(piece.span).lower()
                    if all(any(n in said for n in ns) for ns in names):
                        out.append(piece)
    return out


def _table(ctx: AnswerContext, a: str, b: str) -> list[list[Piece | str]]:
    """Point against point where both roles have the same labelled lines (目标, 关键指标)."""

    def labelled(name: str) -> dict[str, Block]:
        out = {}
        for sec in ctx.kmap.explainer_sections(name):
            for block in sec.blocks:
                if block.label and block.content is not None and block.kind != "intro":
                    out.setdefault(block.label, block)
        return out

    la, lb = labelled(a), labelled(b)
    common = [label for label in la if label in lb and label != "案例"]
    if len(common) < 2:
        return []
    rows: list[list[Piece | str]] = [["", a, b]]
    for label in common:
        rows.append([label, Piece(la[label].content, limit=60), Piece(lb[label].content, limit=60)])
    return rows


_CAN_BECOME = re.compile(r"能(?:否)?(?:成为|转|做|当)|可以(?:成为|转|做|当)")
_ASKED = re.compile(r"^Q\d+\s*[:：]")


def _can_become(ctx: AnswerContext, docs: set[str]) -> list[Piece]:
    """The answer of an FAQ in the target role's article that asks whether one can become it ("Q1:非技术
    背景的人能成为互联网PM吗?"), first."""
    return [
        Piece(first.span, heading_label(sec.heading), 1.2, LIMIT_LINE, context=sec.heading, order=-1)
        for doc in sorted(docs)
        for sec in ctx.kmap.outlines.get(doc, [])
        if _ASKED.match(heading_label(sec.heading)) and _CAN_BECOME.search(sec.heading)
        if (first := sec.first_text()) is not None
    ]


def transition_plan(ctx: AnswerContext) -> AnswerPlan:
    frm, to = ctx.intent.role, ctx.intent.subjects[0]
    for info in ctx.kmap.paths(frm) if frm else []:
        if any(to in t or t in to for t in info.targets):
            lead = f"文章里{frm}中层的「{info.title}」就通向{to}："
            plan = AnswerPlan("transition", path_pieces(info, False), lead=lead, min_pieces=2)
            for topic, ref in ctx.kb.explainer_topics.items():  # what the target role asks of you
                section = ctx.kmap.section(ref) if ref.subject == to else None
                if section is not None:
                    extra = _section_pieces(ctx, section, 0.5, 1000 + 100 * len(topic))
                    plan.pieces += [replace(p, only_if_relevant=True) for p in extra]
            return plan
    if to in ctx.kb.roles:  # "能转产品吗": the role as its articles explain it (产品经理)
        to = ctx.kb.explained_role(to) or to
    target_docs = {s.doc_id for s in ctx.kmap.explainer_sections(to)}
    left = ctx.intent.subjects[1:2]  # "当项目经理，想转产品经理": the explained role left
    answered = _can_become(ctx, target_docs)
    # With no path there, an article's own answer to "can one become it" comes first ("完全可以…")
    tail = "但专门回答了能不能转：" if answered else "相关的内容有："
    moved = frm or next(iter(left), None)  # the role, or the explained role, the asker leaves
    lead = f"文章没有专门写「{moved}→{to}」这条路，{tail}" if moved else ""
    plan = AnswerPlan("transition", answered, lead=lead, min_pieces=2)
    for e in ctx.kb.explainers:  # how the two differ: a "vs" section in the target's article
        if (moved and e.parent == moved) or e.name in left:
            for sec in ctx.kmap.explainer_sections(e.name):
                if sec.doc_id in target_docs and sec.heading.lower().startswith("vs"):
                    plan.pieces += _section_pieces(ctx, sec, 1.0, 0)
    plan.pieces += _subject_pieces(ctx, to, 0.8, 100)  # what the target role is
    for k, ref in enumerate(ctx.kb.explainer_topics.values()):
        section = ctx.kmap.section(ref)
        if section is not None and section.doc_id in target_docs:
            asked = has_any(ctx.question, ref.cues)  # "需要补什么" asks for the 能力 section
            plan.pieces += _section_pieces(ctx, section, 1.0 if asked else 0.5, 1000 + 100 * k)
    return plan
