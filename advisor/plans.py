"""Answer plans: for each kind of question, the pieces of the knowledge base worth saying, with their
importance, grouped under the articles' own headings. ``compose.py`` chooses among them.

- paths: one lead line, each path of the role with its "适合…, 关键是…" sentence, one risk rule;
- path: its "适合/关键是" sentence, its steps in order, the advantage, the directions, the case;
- story: the person's section in document order (what the question asks about first);
- explain / compare / transition: the explained roles' own lines (目标, 工作, 关键指标…), point against
  point, and for a move between roles the differences and what to add;
- risk / toolkit / pains: the guide's strategies, template rows and pains;
- general: sentences of the retrieved passages, one or two per section.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from .compose import Piece, Plan
from .intent import Intent
from .kbmap import KnowledgeMap, PathInfo, heading_label
from .knowledge import Knowledge
from .lexical import tokenize
from .retrieval import Passage
from .structure import Block, Section, Span, sentences

LIMIT_FIT = 110  # characters of a path's "适合…关键是…" sentence
LIMIT_STEP = 110
LIMIT_LINE = 130
_INFO = re.compile(r"\d|[一二三四五六七八九十百千万]+[万份块倍]|[“”《》]")


@dataclass
class Context:
    kmap: KnowledgeMap
    intent: Intent
    shown: str = ""  # the previous answer, so a follow-up does not repeat it
    retrieved: list[Passage] = field(default_factory=list)
    question: str = ""
    kmap_chunks: list = field(default_factory=list)  # every chunk of the index, for sentence look-ups

    @property
    def kb(self) -> Knowledge:
        return self.kmap.kb

    def text(self, span: Span) -> str:
        return self.kmap.text(span)


def short_label(heading: str) -> str:
    """ "2. 小步试错:用 “最小可行性项目(MVP)” 验证转型方向" → "小步试错"."""
    return re.split(r"[:：]", heading_label(heading), maxsplit=1)[0].strip()


def ignore_words(kb: Knowledge) -> set[str]:
    """Words that name what a plan is already about; they say nothing about which of its pieces to pick."""
    words = kb.known_names()
    for kind in ("story", "detail", "explain", "compare", "third_person", "transition", "frame"):
        words |= set(kb.cues(kind))
    return {w.lower() for w in words} | {"中层", "转型", "岗位", "文章", "具体", "怎么", "现在", "后来"}


def _sentence_pieces(
    ctx: Context, block: Block, group: str, base: float, order: int, limit: int = LIMIT_LINE
):
    body = ctx.kmap.bodies[block.span.doc_id]
    out = []
    for k, s in enumerate(sentences(block.span, body)):
        text = ctx.text(s).rstrip()
        if text.endswith((":", "：")) and (len(text) < 16 or block.label):  # it only opens a list
            continue
        out.append(Piece(s, group, base - 0.05 * k, limit, order=order + k))
    return out


def _shown(ctx: Context, span: Span) -> bool:
    text = ctx.text(span).strip().lstrip("-•· ")
    return len(text) >= 3 and text[:24] in ctx.shown


# -- the guide -----------------------------------------------------------------------------------
def _risk_rule(ctx: Context, strategy: str, order: int, base: float) -> list[Piece]:
    sec = next((s for s in ctx.kmap.risk_strategies() if strategy in s.heading), None)
    label = ctx.kb.risk_principles.get(strategy, "")
    block = (
        next((b for b in sec.blocks if label and (b.label or "").startswith(label)), None) if sec else None
    )
    if block is None:
        return []
    return [Piece(block.span, short_label(sec.heading), base, LIMIT_LINE, context=sec.heading, order=order)]


def paths_plan(ctx: Context) -> Plan:
    role = ctx.intent.role
    infos = ctx.kmap.paths(role) if role else []
    if not infos:
        return general_plan(ctx)
    names = "、".join(i.name for i in infos)
    plan = Plan(
        "paths", lead=f"按文章的划分，{role}中层有{len(infos)}条路（{names}）：", min_pieces=len(infos) + 1
    )
    intro = ctx.kmap.role_section(role)
    first = next((b for b in intro.blocks if b.kind == "text"), None) if intro else None
    if first is not None:  # "…的转型,核心是 “…”": what the guide says of the role as a whole
        plan.pieces.append(Piece(first.span, "", 1.1, LIMIT_LINE, context=intro.heading, order=0))
    for info in infos:
        if info.fit:
            group = f"{info.index}. {info.label}"
            piece = Piece(
                info.fit, group, 1.0, LIMIT_FIT, context=info.section.heading, order=info.index * 100
            )
            plan.pieces.append(piece)
    plan.pieces += _risk_rule(ctx, ctx.intent.risk or "小步试错", 900, 0.9)
    return plan


def _path_pieces(info: PathInfo, case_first: bool) -> list[Piece]:
    group, ctx_words = info.label, info.section.heading
    pieces = [Piece(info.fit, group, 1.0, LIMIT_FIT, context=ctx_words, order=0)] if info.fit else []
    for k, step in enumerate(info.steps):
        pieces.append(Piece(step.span, group, 0.95 - 0.02 * k, LIMIT_STEP, context=ctx_words, order=10 + k))
    for k, d in enumerate(info.directions):
        pieces.append(Piece(d.span, group, 0.93 - 0.02 * k, LIMIT_STEP, context=ctx_words, order=10 + k))
    if info.advantage:  # the payoff ("薪资涨幅可达 30%-50%"): worth more than a third step
        pieces.append(Piece(info.advantage.span, group, 0.97, LIMIT_LINE, context=ctx_words, order=30))
    if info.tools:
        pieces.append(Piece(info.tools.span, group, 0.6, LIMIT_LINE, context=ctx_words, order=40))
    if info.case:
        pieces.append(
            Piece(info.case.span, group, 2.0 if case_first else 0.7, 130, context=ctx_words, order=50)
        )
    return pieces


def path_plan(ctx: Context) -> Plan:
    intent = ctx.intent
    if intent.role is None:  # "第二条路" before any role is known: that path for every role
        plan = Plan("path", lead=f"「{intent.path}」在文章里按岗位各有一条：", min_pieces=2)
        for k, role in enumerate(ctx.kb.role_names):
            info = ctx.kmap.path(role, intent.path)
            if info and info.key:
                plan.pieces.append(Piece(info.key, f"{role}：{info.label}", 1.0, 70, order=k * 10))
        return plan
    info = ctx.kmap.path(intent.role, intent.path)
    if info is None:
        return paths_plan(ctx)
    detail = has_any(ctx.question, ctx.kb.cues("detail")) and intent.topic != "case"
    return Plan("path", _path_pieces(info, intent.topic == "case"), min_pieces=2, broad=detail)


def case_plan(ctx: Context) -> Plan:
    person = ctx.kb.person(ctx.intent.person)
    info = ctx.kmap.path(person.role, person.path) if person and person.role and person.path else None
    if info is None:
        return general_plan(ctx)
    lead = f"{person.name}是文章里{person.role}中层「{info.name}」这条路的案例："
    return Plan("case", _path_pieces(info, case_first=True), lead=lead, min_pieces=2)


def _matching_rows(ctx: Context, base: float, order: int) -> list[Piece]:
    """Template rows whose name shares a word with the question ("止损" → 转型风险止损矩阵)."""
    q, skip = ctx.question.lower(), ignore_words(ctx.kb)
    out = []
    for k, piece in enumerate(toolkit_plan(ctx).pieces):
        name = piece.label.split("（")[0].lower()
        pairs = {name[i : i + 2] for i in range(len(name) - 1)} - skip
        if any(w in q for w in pairs):
            out.append(
                Piece(piece.span, piece.group, base, piece.limit, piece.label, piece.context, order + k)
            )
    return out


def risk_plan(ctx: Context) -> Plan:
    strategies = ctx.kmap.risk_strategies()
    chosen = next((s for s in strategies if ctx.intent.risk and ctx.intent.risk in s.heading), None)
    if chosen is None:
        plan = Plan("risk", min_pieces=len(strategies))
        for k, sec in enumerate(strategies):
            plan.pieces += _risk_rule(ctx, short_label(sec.heading), k * 10, 1.0)
        plan.pieces += _matching_rows(ctx, 1.2, 500)
        return plan
    plan, group, role = Plan("risk", min_pieces=2), short_label(chosen.heading), ctx.intent.role or ""
    rule = ctx.kb.risk_principles.get(short_label(chosen.heading), "")
    for k, block in enumerate(chosen.blocks):
        label = block.label or ""
        base = 1.0 if (rule and label.startswith(rule)) or (role and f"{role}中层" in label) else 0.6
        plan.pieces += _sentence_pieces(ctx, block, group, base if block.kind != "intro" else 0.7, k * 10)
    plan.pieces += _matching_rows(ctx, 1.2, 500)
    templates = ctx.kb.risk_templates.get(short_label(chosen.heading), ())
    taken = {(p.span.doc_id, p.span.start) for p in plan.pieces}
    for k, row in enumerate(toolkit_plan(ctx).pieces):
        if any(t in row.label for t in templates) and (row.span.doc_id, row.span.start) not in taken:
            plan.pieces.append(replace(row, base=0.65, order=600 + k))
    return plan


def toolkit_plan(ctx: Context) -> Plan:
    plan = Plan("toolkit", min_pieces=1)
    section = ctx.kmap.guide_section("toolkit")
    group = short_label(section.heading) if section else ""
    for k, row in enumerate(ctx.kmap.toolkit_rows()):
        cells = ctx.kmap.cells(row)
        if len(cells) < 3:
            continue
        name, use = ctx.text(cells[0]), ctx.text(cells[1])
        label = f"{name}（{use}）："
        plan.pieces.append(
            Piece(cells[2], group, 0.8 - 0.02 * k, 80, label=label, context=name + use, order=k)
        )
    return plan


def pains_plan(ctx: Context) -> Plan:
    plan = Plan("pains", min_pieces=2)
    for k, sec in enumerate(ctx.kmap.children(ctx.kmap.guide_section("pains"))):
        for block in sec.blocks:
            if block.kind == "text" and block.label:  # "核心矛盾:…", "关键问题:…"
                plan.pieces.append(
                    Piece(block.span, short_label(sec.heading), 1.0, LIMIT_LINE, context=sec.heading, order=k)
                )
    return plan if plan.pieces else general_plan(ctx)


# -- people and roles ----------------------------------------------------------------------------
def story_plan(ctx: Context) -> Plan:
    """The person's section in document order; the sentences with the story's key facts (the person's
    aliases in ``knowledge.yaml``: 收银系统, 码农阿宅…) first. A follow-up ("他后来呢？") leans to what
    was not said yet and to how the story ends."""
    section = ctx.kmap.person_section(ctx.intent.person)
    person = ctx.kb.person(ctx.intent.person or "")
    if section is None or person is None:
        return general_plan(ctx)
    group = heading_label(section.heading)
    body = ctx.kmap.bodies[section.doc_id]
    spans = [(b, s) for b, block in enumerate(section.blocks) for s in sentences(block.span, body)]
    later = ctx.intent.follow_up and has_any(ctx.question, ("后来", "现在", "如今", "翻身", "结果", "最后"))
    plan = Plan("story", min_pieces=2, broad=has_any(ctx.question, ctx.kb.cues("story")), style="paragraph")
    for k, (b, s) in enumerate(spans):
        text = ctx.text(s).lower()
        facts = sum(a in text for a in person.aliases)
        base = 0.45 + 0.12 * min(facts, 4) + 0.1 * bool(_INFO.search(text)) + 0.15 * (k == 0)
        shown = _shown(ctx, s)
        if later and shown and k < 0.45 * len(spans):
            continue  # "他后来呢？" after the story was told: not its beginning again
        base += (0.3 * k / len(spans) if later else 0.0) - (0.3 if shown else 0.0)
        plan.pieces.append(Piece(s, group, base, 150, order=k, block=b))
    return plan


def has_any(text: str, words) -> bool:
    low = text.lower()
    return any(w and w in low for w in words)


def _subject_pieces(
    ctx: Context, name: str, base: float, order: int, group: str | None = None
) -> list[Piece]:
    """What an explained role's own sections say: labelled lines by their label, then the rest."""
    weights = {"目标": 1.0, "关键指标": 0.85, "案例": 0.55}
    pieces: list[Piece] = []
    for si, sec in enumerate(ctx.kmap.explainer_sections(name)):
        label = group or heading_label(sec.heading) or name
        for k, block in enumerate(sec.blocks):
            w = weights.get(block.label or "", 0.9 if k == 0 else 0.65)
            pieces += _sentence_pieces(ctx, block, label, base * w, order + si * 100 + k * 2)
        for ck, child in enumerate(ctx.kmap.children(sec) if sec.path else []):
            first = next((b for b in child.blocks if b.kind not in ("intro", "row")), None)
            if first is not None:
                head = heading_label(child.heading)
                piece = Piece(
                    first.span, label, base * 0.7, LIMIT_LINE, f"{head}：", head, order + si * 100 + 50 + ck
                )
                pieces.append(piece)
    return pieces


def _topic_pieces(ctx: Context, topic: str | None, base: float, order: int) -> list[Piece]:
    ref = ctx.kb.explainer_topics.get(topic or "")
    section = ctx.kmap.section(ref) if ref else None
    return _section_pieces(ctx, section, base, order) if section else []


def _section_pieces(ctx: Context, section: Section, base: float, order: int) -> list[Piece]:
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
            pieces += _sentence_pieces(ctx, block, group, base - 0.02 * k, order + k * 2)
    for ck, child in enumerate(ctx.kmap.children(section)):  # "### 1. 初级PM(0-2年)": its first line
        first = next((b for b in child.blocks if b.kind not in ("intro", "row")), None)
        if first is not None:
            head = heading_label(child.heading) or child.heading
            order_k = order + 50 + ck
            pieces.append(
                Piece(first.span, group, base - 0.05, LIMIT_LINE, f"{head}：", child.heading, order_k)
            )
    return pieces


def explain_plan(ctx: Context) -> Plan:
    name = ctx.intent.subjects[0]
    plan = Plan("explain", _subject_pieces(ctx, name, 1.0, 100), min_pieces=2)
    topic = _topic_pieces(ctx, ctx.intent.topic, 1.3, 0)
    plan.pieces += topic
    plan.broad = bool(topic)  # the topic's section is what is asked: shown whole, not only matching lines
    return plan


def family_plan(ctx: Context) -> Plan:
    """A group of explained roles as a whole: one line each (the labelled line the question asks for,
    say 关键指标, else the role's 目标), under the group's name."""
    plan = Plan("family", min_pieces=len(ctx.intent.subjects), broad=True)
    q = ctx.question.lower()
    for k, name in enumerate(ctx.intent.subjects):
        blocks = [b for sec in ctx.kmap.explainer_sections(name) for b in sec.blocks if b.label and b.content]
        if not blocks:
            continue
        asked = [b for b in blocks if any(w in q for w in _label_words(ctx, b.label or ""))]
        block = (asked or [b for b in blocks if b.label == "目标"] or blocks)[0]
        sec = next(s for s in ctx.kmap.explainer_sections(name) if block in s.blocks)
        label = f"{heading_label(sec.heading)}——{block.label}："
        plan.pieces.append(Piece(block.content, ctx.intent.topic or "", 1.0, 60, label, sec.heading, k))
    return plan


def _label_words(ctx: Context, label: str) -> set[str]:
    """A label and its synonyms ("关键指标" is asked for as KPI, 指标)."""
    words = {label.lower()}
    for key, group in ctx.kb.synonyms.items():
        if key in label or any(w in label for w in group):
            words |= {key, *group}
    return words


def _compare_paths(ctx: Context) -> Plan:
    """Two of a role's paths side by side: who each suits and its key, its advantage, its case."""
    plan = Plan("compare", min_pieces=2)
    for k, name in enumerate(ctx.intent.subjects[:2]):
        info = ctx.kmap.path(ctx.intent.role, name)
        if info is None:
            continue
        for piece in _path_pieces(info, case_first=False):
            if piece.span in (info.fit, getattr(info.advantage, "span", None)):
                plan.pieces.append(replace(piece, base=1.0, order=k * 100 + piece.order))
            elif info.case and piece.span == info.case.span:
                plan.pieces.append(replace(piece, base=0.5, order=k * 100 + piece.order))
    return plan


def compare_plan(ctx: Context) -> Plan:
    if all(s in ctx.kb.paths for s in ctx.intent.subjects) and ctx.intent.role:
        return _compare_paths(ctx)
    a, b = ctx.intent.subjects[:2]
    plan = Plan("compare", min_pieces=2)
    table = _table(ctx, a, b)
    if table:
        plan.table = table
        plan.min_pieces = 0
    for k, name in enumerate((a, b)):
        sections = ctx.kmap.explainer_sections(name)
        versus = [s for s in sections if s.heading.lower().startswith("vs")]
        for sec in versus:
            plan.pieces += _section_pieces(ctx, sec, 1.4, 0)
        if not table:
            plan.pieces += _subject_pieces(ctx, name, 0.8, 1000 * (k + 1), group=name)
    return plan


def _table(ctx: Context, a: str, b: str) -> list[list[Piece | str]]:
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


def transition_plan(ctx: Context) -> Plan:
    frm, to = ctx.intent.role, ctx.intent.subjects[0]
    for info in ctx.kmap.paths(frm) if frm else []:
        if any(to in t or t in to for t in info.targets):
            lead = f"文章里{frm}中层的「{info.name}」就通向{to}："
            plan = Plan("transition", _path_pieces(info, False), lead=lead, min_pieces=2)
            for topic, ref in ctx.kb.explainer_topics.items():  # what the target role asks of you
                section = ctx.kmap.section(ref) if ref.subject == to else None
                if section is not None:
                    extra = _section_pieces(ctx, section, 0.5, 1000 + 100 * len(topic))
                    plan.pieces += [replace(p, only_if_relevant=True) for p in extra]
            return plan
    lead = f"文章没有专门写「{frm or '你的岗位'}→{to}」这条路；相关的内容有：" if frm else ""
    plan = Plan("transition", lead=lead, min_pieces=2)
    target_docs = {s.doc_id for s in ctx.kmap.explainer_sections(to)}
    for e in ctx.kb.explainers:  # how the two differ: a "vs" section in the target's article
        if frm and e.parent == frm:
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


# -- anything else -------------------------------------------------------------------------------
def _concepts(ctx: Context) -> list[set[str]]:
    """The question's content words, each with its synonyms (``knowledge.yaml``)."""
    skip = ignore_words(ctx.kb)
    out = []
    for w in dict.fromkeys(tokenize(ctx.question, search=False)):
        if len(w) < 2 or w in skip:
            continue
        alts = {w}
        for key, group in ctx.kb.synonyms.items():
            if w == key or w in group:
                alts |= {key, *group}
        out.append(alts)
    return out


_NAMED = re.compile(r"[A-Za-z][A-Za-z0-9]{2,}|《[^》]+》")


def _names_asked(ctx: Context) -> bool:
    """The question asks for named things (tools, courses): a sentence naming one speaks to it."""
    return has_any(ctx.question, ctx.kb.cues("names"))


def _mentioning(ctx: Context) -> list[Passage]:
    """Chunks that name two of the question's concepts (tools, figures the question asks for), best
    first: for answers spread over the articles ("文章里都提了哪些工具？")."""
    concepts = _concepts(ctx)
    need = min(2, len(concepts))
    if need == 0:
        return []
    seen = {p.chunk_id for p in ctx.retrieved}
    names = set(ctx.kb.cues("names")) if _names_asked(ctx) else set()
    scored = []
    for c in ctx.kmap_chunks:
        low = c.text.lower()
        hits = sum(
            any(a in low for a in alts) or bool(alts & names and _NAMED.search(c.text)) for alts in concepts
        )
        if c.chunk_id not in seen and hits >= need:
            scored.append((-hits, c.start, c))
    return [Passage.from_chunk(c) for _, _, c in sorted(scored, key=lambda t: (t[0], t[1]))[:4]]


def general_plan(ctx: Context) -> Plan:
    """Sentences of the retrieved passages (and of chunks naming the question's words), ranked by the
    question; at most two per section."""
    plan, seen = Plan("general", min_pieces=1), set()
    names = _names_asked(ctx)
    for n, p in enumerate([*ctx.retrieved, *_mentioning(ctx)]):
        group = p.section.split(" › ")[-1] if p.section else p.title
        body = ctx.kmap.bodies[p.doc_id]
        for k, s in enumerate(sentences(Span(p.doc_id, p.start, p.end), body)):
            text = ctx.text(s).lstrip("-•· ")
            if (
                (s.doc_id, s.start) in seen
                or len(text) < 10
                or text.endswith((":", "："))
                or text.startswith("|")
            ):
                continue
            seen.add((s.doc_id, s.start))
            base = (
                0.35 / (n + 1)
                - (0.6 if _shown(ctx, s) else 0.0)
                + (0.3 if names and _NAMED.search(text) else 0)
            )
            plan.pieces.append(Piece(s, heading_label(group), base, 150, context=group, order=n * 100 + k))
    plan.per_group = 2
    if plan.pieces:  # the best passage's section may say more
        plan.caps = {plan.pieces[0].group: 4}
    return plan


PLANS: dict[str, Callable[[Context], Plan]] = {
    "paths": paths_plan,
    "path": path_plan,
    "case": case_plan,
    "story": story_plan,
    "explain": explain_plan,
    "compare": compare_plan,
    "family": family_plan,
    "transition": transition_plan,
    "risk": risk_plan,
    "toolkit": toolkit_plan,
    "pains": pains_plan,
    "general": general_plan,
}


def _elsewhere(ctx: Context, kind: str) -> list[Section]:
    """Sections of what an answer is not about — other roles' paths for a path answer, other explained
    roles for an explanation or comparison, other persons' stories for a story: their sentences are
    never its extras."""
    if kind == "story":
        found = [ctx.kmap.person_section(p.name) for p in ctx.kb.persons if p.name != ctx.intent.person]
        return [s for s in found if s is not None]
    if kind in ("path", "paths"):
        return [i.section for r in ctx.kb.role_names if r != ctx.intent.role for i in ctx.kmap.paths(r)]
    if kind in ("explain", "compare"):
        others = [e.name for e in ctx.kb.explainers if e.name not in ctx.intent.subjects]
        return [s for name in others for s in ctx.kmap.explainer_sections(name)]
    return []


def _inside(span: Span, section: Section) -> bool:
    return span.doc_id == section.doc_id and section.start <= span.start < section.end


def plan_for(ctx: Context) -> Plan:
    """The kind's plan, plus the best search results' sentences in case the question asks something
    the plan's sections do not say (they are shown only if they speak to it)."""
    plan = PLANS.get(ctx.intent.kind, general_plan)(ctx)
    if plan.kind != "general":
        taken = {(p.span.doc_id, p.span.start) for p in plan.pieces}
        own = {p.span.doc_id for p in plan.pieces}
        foreign = _elsewhere(ctx, plan.kind)
        extra = [
            p
            for p in general_plan(replace(ctx, retrieved=ctx.retrieved[:3])).pieces
            if (p.span.doc_id, p.span.start) not in taken
            and not any(_inside(p.span, s) for s in foreign)
            and (plan.kind != "story" or p.span.doc_id in own)
        ]
        groups = {p.group for p in plan.pieces}
        plan.pieces += [
            replace(
                p,
                group=_same_heading(p.group, groups),
                base=0.3,
                order=10_000 + p.order,
                only_if_relevant=True,
            )
            for p in extra
        ]
    return plan


def _same_heading(group: str, groups: set[str]) -> str:
    """The plan's own name for a section ("1. 纵向深耕:…" for "纵向深耕:…"): a heading is shown once."""
    return next((g for g in groups if g and group and g.endswith(group)), group)
