"""What every answer plan reads and the pieces they share: the plan ``AnswerContext`` (the knowledge map, the
intent, the previous answer, the retrieved passages), a block cut into sentence pieces, and the
``general`` plan — sentences of the retrieved passages and of every passage that mentions the question's
concepts — which any plan falls back on."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np

from advisor.answering.compose import AnswerPlan, Piece
from advisor.answering.state import Intent
from advisor.index.chunking import Chunk
from advisor.index.search import Passage
from advisor.kb.facts import Knowledge
from advisor.kb.knowledge_map import KnowledgeMap, heading_label
from advisor.text.occurrences import Occurrences
from advisor.text.structure import Asked, Block, Span, sentences
from advisor.text.tokens import names_nothing, tokenize

LIMIT_FIT = 110  # characters of a path's "适合…关键是…" sentence
LIMIT_STEP = 110
LIMIT_LINE = 130
INFO = re.compile(r"\d|[一二三四五六七八九十百千万]+[万份块倍]|[“”《》]")
ANSWER_LABELS = ("A", "答")  # "A：…", "答：…": the line that opens an FAQ answer says so
ANSWER_LEAD = 2  # sentences of an FAQ answer that stand for its question line in a general answer


@dataclass
class AnswerContext:
    kmap: KnowledgeMap
    intent: Intent
    shown: str = ""  # the previous answer, so a follow-up does not repeat it
    retrieved: list[Passage] = field(default_factory=list)
    question: str = ""
    chunk_texts: ChunkTexts | None = None  # every chunk of the index, for look-ups across the articles
    sentence_meaning: Callable[[str, Sequence[str]], np.ndarray] | None = None  # sentences vs the question

    @property
    def kb(self) -> Knowledge:
        return self.kmap.kb

    def text(self, span: Span) -> str:
        return self.kmap.text(span)


def short_label(heading: str) -> str:
    """ "2. 小步试错:用 “最小可行性项目(MVP)” 验证转型方向" → "小步试错"."""
    return re.split(r"[:：]", heading_label(heading), maxsplit=1)[0].strip()


def label_words(ctx: AnswerContext, label: str) -> set[str]:
    """A label and its synonyms ("关键指标" is asked for as KPI, 指标)."""
    words = {label.lower()}
    for key, group in ctx.kb.synonyms.items():
        if key in label or any(w in label for w in group):
            words |= {key, *group}
    return words


def ignore_words(kb: Knowledge) -> set[str]:
    """Words that name what a plan is already about; they say nothing about which of its pieces to pick."""
    words = kb.known_names()
    for kind in ("story", "detail", "explain", "compare", "third_person", "transition", "frame"):
        words |= set(kb.cues(kind))
    return {w.lower() for w in words} | {"中层", "转型", "岗位", "文章", "具体", "怎么", "现在", "后来"}


def sentence_pieces(
    ctx: AnswerContext, block: Block, group: str, base: float, order: int, limit: int = LIMIT_LINE
):
    body = ctx.kmap.bodies[block.span.doc_id]
    if block.kind == "row":  # the header alone says nothing
        piece = row_piece(ctx, block.span, group, base, order)
        return [piece] if piece is not None else []
    out = []
    for k, s in enumerate(sentences(block.span, body)):
        text = ctx.text(s).rstrip()
        if text.endswith((":", "：")) and (len(text) < OPENER_CHARS or block.label):  # it only opens a list
            continue
        out.append(Piece(s, group, base - 0.05 * k, limit, order=order + k, block=block.span.start))
    return out


def row_piece(
    ctx: AnswerContext, place: Span, group: str, base: float, order: int, context: str = ""
) -> Piece | None:
    """The table row ``place`` lies in, shown whole (a row cut short is no row) under its table's header,
    and read with the header's words ("…常见月薪" says what "1.1 万–2 万" is); ``None`` for a header."""
    found = ctx.kmap.table_row(place)
    if found is None:
        return None
    row, head = found
    words = " ".join(w for w in (context, ctx.text(head.span)) if w)
    return Piece(row.span, group, base, 0, context=words, order=order, header=head.span)


def answer_span(block: Block) -> Span:
    """An FAQ answer's line without its "A：" label."""
    if block.label in ANSWER_LABELS and block.content is not None:
        return block.content
    return block.span


def _answer_lead(ctx: AnswerContext, item: Asked) -> list[Span]:
    """The first sentences of the answer to an article's own question: what its question line, which
    answers nothing by itself, stands for."""
    body = ctx.kmap.bodies[item.place.doc_id]
    said = [s for b in item.answer if b.kind != "row" for s in sentences(answer_span(b), body)]
    return said[:ANSWER_LEAD]


def shown_before(ctx: AnswerContext, span: Span) -> bool:
    text = ctx.text(span).strip().lstrip("-•· ")
    return len(text) >= 3 and text[:24] in ctx.shown


def has_any(text: str, words) -> bool:
    low = text.lower()
    return any(w and w in low for w in words)


def question_concepts(ctx: AnswerContext, named_only: bool = False) -> list[set[str]]:
    """The question's content words, each with its synonyms (``knowledge.yaml``); ``named_only``: not a
    word that names nothing ("自己", "我们": "先把自己变成…" does not tell the asker's case)."""
    skip = ignore_words(ctx.kb)
    out = []
    for w in dict.fromkeys(tokenize(ctx.question, search=False)):
        if len(w) < 2 or w in skip or (named_only and names_nothing(w)):
            continue
        alts = {w}
        for key, group in ctx.kb.synonyms.items():
            if w == key or w in group:
                alts |= {key, *group}
        out.append(alts)
    return out


def concepts_in(text: str, concepts: list[set[str]]) -> int:
    """How many of the question's concepts (``question_concepts``) the text says, a synonym counting."""
    low = text.lower()
    return sum(any(a in low for a in alts) for alts in concepts)


_NAMED = re.compile(r"[A-Za-z][A-Za-z0-9]{2,}|《[^》]+》")


class ChunkTexts:
    """Every chunk of one index generation, with what questions ask of all of them built once: which
    chunks hold a word, which name a tool or a book (one scan per generation, not per question)."""

    def __init__(self, chunks: list[Chunk]) -> None:
        self.chunks = chunks

    @cached_property
    def words(self) -> Occurrences:
        """Look-ups over the lower-cased chunk texts."""
        return Occurrences([c.text.lower() for c in self.chunks])

    @cached_property
    def named(self) -> frozenset[int]:
        return frozenset(i for i, c in enumerate(self.chunks) if _NAMED.search(c.text))


def _names_asked(ctx: AnswerContext) -> bool:
    """The question asks for named things (tools, courses): a sentence naming one speaks to it."""
    return has_any(ctx.question, ctx.kb.cues("names"))


def _mentioning(ctx: AnswerContext) -> list[Passage]:
    """Chunks that name two of the question's concepts (tools, figures the question asks for), best
    first: for answers spread over the articles ("文章里都提了哪些工具？")."""
    concepts = question_concepts(ctx)
    need = min(2, len(concepts))
    if need == 0 or ctx.chunk_texts is None:
        return []
    table = ctx.chunk_texts
    names = set(ctx.kb.cues("names")) if _names_asked(ctx) else set()
    holding = [{i for a in alts for i in table.words.where(a)} for alts in concepts]
    holding = [h | table.named if alts & names else h for h, alts in zip(holding, concepts, strict=True)]
    hits = Counter(i for h in holding for i in h)
    seen = {p.chunk_id for p in ctx.retrieved}
    chosen = sorted((-n, table.chunks[i].start, i) for i, n in hits.items() if n >= need)
    best = [table.chunks[i] for _, _, i in chosen if table.chunks[i].chunk_id not in seen]
    return [Passage.from_chunk(c) for c in best[:4]]


def aliases_of(ctx: AnswerContext, name: str) -> tuple[str, ...]:
    """The words an explained role goes by (its name alone when no article explains it)."""
    explainer = ctx.kb.explainer(name)
    return tuple(explainer.aliases) if explainer else (name,)


def _likening(ctx: AnswerContext, likened: tuple[str, ...]) -> list[Passage]:
    """Chunks of the best passage's article that liken the conversation's subjects to something
    ("这两个岗位就像接力赛的不同棒次"), wherever retrieval ranked them."""
    if not likened or ctx.chunk_texts is None or not ctx.retrieved:
        return []
    doc = ctx.retrieved[0].doc_id
    named = [a for s in ctx.intent.subjects for a in aliases_of(ctx, s)]
    seen = {p.chunk_id for p in ctx.retrieved}
    found = [
        c
        for c in ctx.chunk_texts.chunks
        if c.doc_id == doc
        and c.chunk_id not in seen
        and has_any(c.text, likened)
        and (not named or has_any(c.text, named))
    ]
    return [Passage.from_chunk(c) for c in found[:2]]


def _passage_sentences(ctx: AnswerContext, p: Passage, group: str) -> list[tuple[Span, str]]:
    """A passage's sentences, each with the words that place it; an FAQ's question line ("**Q4：45 岁
    以上还来得及吗？**"), which answers nothing by itself, is read as its answer's first sentences
    (wherever the chunking put them), placed by the question."""
    out: list[tuple[Span, str]] = []
    for s in sentences(Span(p.doc_id, p.start, p.end), ctx.kmap.bodies[p.doc_id]):
        item = ctx.kmap.asked_at(s)
        out += [(a, f"{group} {item.question}") for a in _answer_lead(ctx, item)] if item else [(s, group)]
    return out


OPENER_CHARS = 16  # a colon line at least this long says something itself ("下面 6 条，中了 3 条以上，…：")


def _only_opens(text: str) -> bool:
    """A line that only opens the list under it ("例如:", "实操步骤(以…为例):"): nothing to quote by
    itself. One that states a figure ("下面 6 条，中了 3 条以上，建议现在就开始准备…：") says something."""
    return text.endswith((":", "：")) and (len(text) < OPENER_CHARS or not INFO.search(text))


def general_plan(ctx: AnswerContext) -> AnswerPlan:
    """Sentences of the retrieved passages (and of chunks naming the question's words), ranked by the
    question; at most two per section."""
    plan, seen = AnswerPlan("general", min_pieces=1), set()
    names = _names_asked(ctx)
    # "真有砍那么狠的吗，有没有具体例子" after what retrieval answered: the lines that show it happening
    example = ctx.intent.follow_up and bool(_EXAMPLE_ASKED.search(ctx.question))
    # "能打个比方不": the lines that liken it to something ("就像接力赛的不同棒次")
    likened = (
        ctx.kb.cues("simile")
        if ctx.intent.follow_up and has_any(ctx.question, ctx.kb.cues("analogy"))
        else ()
    )
    for n, p in enumerate([*ctx.retrieved, *_likening(ctx, likened), *_mentioning(ctx)]):
        group = p.section.split(" › ")[-1] if p.section else p.title
        for k, (s, context) in enumerate(_passage_sentences(ctx, p, group)):
            text = ctx.text(s).lstrip("-•· ")
            row = None
            if text.startswith("|"):  # read under its table's header
                row = row_piece(ctx, s, heading_label(group), 0.0, n * 100 + k, group)
                if row is None:
                    continue
                s = row.span
            if (s.doc_id, s.start) in seen or len(text) < 10 or _only_opens(text):
                continue
            seen.add((s.doc_id, s.start))
            # an example asked for is one shown or not: "真有砍那么狠的吗" asks again of the figure just read
            likeness = bool(likened) and has_any(text, likened)  # the likeness asked for leads
            shows_it = (example and bool(_SHOWS_IT.search(text))) or likeness
            base = (
                0.35 / (n + 1)
                - (0.6 if shown_before(ctx, s) and not shows_it else 0.0)
                + (0.3 if names and _NAMED.search(text) else 0)
                + (EXAMPLE_BONUS if shows_it else 0)
            )
            order = k - 1000 if likeness else n * 100 + k
            piece = Piece(s, heading_label(group), base, LIMIT_FOUND, context=context, order=order)
            if row is not None:  # a row is long: shown when it speaks to the question
                piece = replace(row, base=base, only_if_relevant=True)
            plan.pieces.append(piece)
    named = _named_on_paths(ctx)
    at = {(p.span.doc_id, p.span.start) for p in named}  # said with the path's weight, not the search's
    plan.pieces = [p for p in plan.pieces if (p.span.doc_id, p.span.start) not in at] + named
    plan.per_group = 2
    if plan.pieces:  # the best passage's section may say more
        plan.caps = {plan.pieces[0].group: 4}
    own = _own_role_line(ctx)
    if own is not None:
        plan.pieces.insert(0, own)
    return plan


LIMIT_FOUND = 150  # characters of a sentence the search found (or one naming what is asked for)
NAMED_ON_PATH_BASE = 0.45  # a line of the asker's role's paths that names a tool, when tools are asked
ON_THIS_PATH = 0.2  # more for the path the conversation is on


def _named_on_paths(ctx: AnswerContext) -> list[Piece]:
    """ "做A/B测试…用啥工具" from someone in 产品: the sentences of the role's paths that name things
    (Mixpanel, 《增长黑客》), the path the conversation is on first; retrieval may have ranked them low,
    and the question's words decide among them."""
    role = ctx.intent.role
    if not (role and _names_asked(ctx)):
        return []
    pieces = []
    for info in ctx.kmap.paths(role):
        base = NAMED_ON_PATH_BASE + (ON_THIS_PATH if info.name == ctx.intent.path else 0.0)
        for b, block in enumerate(info.section.blocks):
            order = 5000 + info.index * 100 + b
            for piece in sentence_pieces(ctx, block, info.label, base, order, limit=LIMIT_FOUND):
                if _NAMED.search(ctx.text(piece.span)):
                    pieces.append(replace(piece, context=info.section.heading))
    return pieces


_EXAMPLE_ASKED = re.compile(r"例子|案例|实例|举个例|真事")
# a line that shows something happening: someone met, a figure, "比如"
_SHOWS_IT = re.compile(r"我认识|我身边|有个朋友|比如|例如|\d")
EXAMPLE_BONUS = 0.4

OWN_ROLE_BASE = 1.0  # the asker's role's one line: base ≥ 1, never crowded out by what retrieval found


def _own_role_line(ctx: AnswerContext) -> Piece | None:
    """ "做运营的，最怕哪天被机器人抢了饭碗": the asker who says their role hears first what the guide says
    of that role as a whole ("核心是 …,避免被工具替代"), whatever else retrieval found."""
    if ctx.intent.kind != "general" or not (ctx.intent.stated_role and ctx.intent.role):
        return None
    if has_any(ctx.question, ctx.kb.cues("third_person")):  # "有个短视频PM…": someone else's role
        return None
    line = ctx.kmap.role_line(ctx.intent.role)
    if line is None or shown_before(ctx, line[1].span):
        return None
    return Piece(line[1].span, "", OWN_ROLE_BASE, 150, context=line[0].heading, order=-1)
