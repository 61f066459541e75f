"""The offline composer: an answer made only of verbatim source spans, each with its passage number,
under labels taken from the articles' own headings and names.

A *plan* (``plans/choose.py``) proposes pieces for the kind of question — a role's three paths, one path's
steps, a person's story in document order… — each with an importance. Here the pieces are scored
against the question (what it specifically asks raises the pieces that speak about it), chosen
within a length budget, put back in the plan's order, numbered by the chunk that holds them, and
written out. Nothing in the answer is the composer's own claim: a lead line is built from names, and
"文章没有讲到……" says what the articles do not cover.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property

from advisor.grounding.numbering import ELLIPSIS, Numbering
from advisor.index.chunking import Chunk
from advisor.index.search import Passage
from advisor.kb.facts import Knowledge
from advisor.text.structure import CLAUSE_END, Span, clip, table_cells
from advisor.text.tokens import is_everyday, only_points, tokenize

_EXCEPT = re.compile(r"除了[^，,。？?还以之]{1,12}(?:以外|之外)?")
# "38岁" / "做了10年" / "存款够3个月": the asker's own facts, not what the answer should be about.
_OWN_FACTS = re.compile(r"\d+(?:\.\d+)?\s*(?:多)?(?:岁|年|个月|个多月)")
# "为啥感觉…", "我总觉得…": the asker hedging what they say, not asking what someone felt or said
_HEDGE = re.compile(r"(?<=[我啥么咋总老就也都])(?:感觉|觉得)")
FOCUS_BOOST = 2.5  # how much what the question specifically asks counts next to a piece's importance
BROAD_BOOST = 0.6
FOCUSED_AT = 0.34  # relevance of the best piece from which a question counts as specific
FIT_ROOM = 60  # room left from which a long sentence is cut to its first clauses rather than skipped
FILL = 0.5  # share of the budget a specific question's answer may fill with context around what it asks
# A word that frames the asker's situation (大厂, 被优化, 毕业) says little about which piece is meant, but
# not nothing: "被大厂优化的那些中年人最后都去干嘛了" is the line about 被大厂”优化”的中年人.
FRAME_WEIGHT = 0.3
# A question asking for a duration or an amount ("这个要多久"): a sentence holding one ("3 个月内") speaks
# to it as much as a fairly specific word would.
SHAPE_WEIGHT = 2.5
MUST = 1.0  # a piece's base from which the plan must say it, before any search extra
NEAR_WEIGHT = 0.3  # how much closeness in meaning (the dense search) counts next to the question's words


@dataclass
class Piece:
    """A verbatim span proposed for the answer. ``label`` is a verbatim name shown before it
    ("优势"), ``group`` the heading it is shown under."""

    span: Span
    group: str = ""
    base: float = 0.5
    limit: int = 0
    label: str = ""
    context: str = ""  # words that place it (its heading), for relevance only
    order: int = 0
    only_if_relevant: bool = (
        False  # an extra from the search results: shown only if it speaks to the question
    )
    block: int = -1  # sentences of one line or paragraph share a number: they are read together
    header: Span | None = None  # a table row: shown whole, in a table under this header row
    listed: bool = False  # a line of its own even in a plan told as one paragraph (a path's step)
    # a line of the plan's own section kept back: said first when it alone says what the question asks
    held: bool = False


@dataclass
class AnswerPlan:
    kind: str
    pieces: list[Piece] = field(default_factory=list)
    lead: str = ""  # a connective line built from names, ending with "："
    notes: list[str] = field(default_factory=list)  # "文章没有讲到……" lines
    table: list[list[Piece | str]] = field(default_factory=list)  # a comparison table (header row first)
    min_pieces: int = 1
    per_group: int = 0  # at most this many pieces under one heading (0: no limit)
    caps: dict[str, int] = field(default_factory=dict)  # per-heading exceptions to per_group
    broad: bool = False  # the question asks for the whole (a story, say): specific words do not narrow it
    style: str = "list"  # or "paragraph": the chosen sentences of a heading run on as one paragraph
    answer_first: bool = False  # a specific question about what was just shown: the line it asks for leads


class Relevance:
    """How much a text speaks about what the question asks: idf-weighted share of the question's
    content words found in it, a word's synonyms (``knowledge.yaml``) counting as the word."""

    def __init__(
        self,
        question: str,
        kb: Knowledge,
        idf: Callable[[str], float],
        ignore: set[str],
        present: Callable[[str], bool] = lambda w: True,
    ) -> None:
        self.terms: list[tuple[set[str], float]] = []
        q = _EXCEPT.sub("", question.lower())  # "除了钱还得备点啥": 钱 is what is not asked
        q = _HEDGE.sub(" ", _OWN_FACTS.sub(" ", q))
        frame = {w.lower() for w in kb.cues("frame")}
        for token in dict.fromkeys(tokenize(q, search=False)):
            if (token in ignore and token not in frame) or (len(token) < 2 and not token.isdigit()):
                continue
            if only_points(token):
                continue
            alts = {token, *kb.synonyms_of(token)}
            if any(present(a) for a in alts):  # a word no article uses cannot tell pieces apart
                self.terms.append((alts, idf(token) * (FRAME_WEIGHT if token in frame else 1.0)))
        for key, words in kb.synonyms.items():  # phrases jieba splits ("一小时挣多少")
            if any(w in q for w in words) and not any(key in alts for alts, _ in self.terms):
                self.terms.append(({key, *words}, max(idf(key), 1.0)))
        shaped = kb.shapes_asked(q)
        self.shapes: list[re.Pattern] = [s.looks_like for s in shaped]
        # "多久" asks for a duration, not for the word 时间 ("时间灵活度高"): the shape stands for it
        asked = {a for s in shaped for a in s.asks if a in q}
        self.terms = [(alts, w) for alts, w in self.terms if not alts & asked]
        self.total = sum(w for _, w in self.terms) + SHAPE_WEIGHT * len(self.shapes) or 1.0

    @cached_property
    def topical(self) -> list[float]:
        """Each word's weight in what a line adds to an answer: "一般", "不会" say little (read only
        when a plan holds lines back, not for every answer)."""
        return [w * (1.0 if not any(map(is_everyday, alts)) else EVERYDAY_SHARE) for alts, w in self.terms]

    def said(self, text: str) -> set[int]:
        """Which of the question's words (by position) ``text`` says."""
        low = text.lower()
        return {k for k, (alts, _) in enumerate(self.terms) if any(a in low for a in alts)}

    def share(self, terms: set[int]) -> float:
        """The topical share of the question's words that ``terms`` are."""
        return sum(self.topical[k] for k in terms) / (sum(self.topical) or 1.0)

    def __call__(self, text: str) -> float:
        said = sum(self.terms[k][1] for k in self.said(text))
        return (said + SHAPE_WEIGHT * sum(1 for s in self.shapes if s.search(text))) / self.total


class Closeness:
    """How close the question is in meaning to the passage a piece lies in: the dense similarity of
    the search's candidates, scaled to 0..1 among them (0: not a candidate). Words miss what a worried
    asker says in their own words ("怕被机器人抢了饭碗" for "避免被工具替代"); the vectors do not."""

    def __init__(self, similar: Mapping[int, float], chunks: list[Chunk]) -> None:
        low, high = min(similar.values(), default=0.0), max(similar.values(), default=0.0)
        spread = high - low
        self.spans = [
            (chunks[i].doc_id, chunks[i].start, chunks[i].end, (s - low) / spread if spread else 0.0)
            for i, s in similar.items()
            if i < len(chunks)
        ]

    def __call__(self, span: Span) -> float:
        return max((s for d, a, b, s in self.spans if d == span.doc_id and a <= span.start < b), default=0.0)


def _length(text: str) -> int:
    """Characters a reader reads: spaces do not count (the corpus puts them around every quote)."""
    return len("".join(text.split()))


def _ranked(
    plan: AnswerPlan, bodies: dict[str, str], rel: Relevance, near: Callable[[Span], float]
) -> tuple[list[tuple[Piece, float]], bool]:
    """The plan's pieces with their relevance, most valuable first, and whether the question is
    specific (some piece speaks to what it asks)."""
    scored = [(p, rel(p.context + bodies[p.span.doc_id][p.span.start : p.span.end])) for p in plan.pieces]
    scored = _announced(_with_neighbours(scored), bodies)
    focused = (
        not plan.broad and max((r for p, r in scored if not p.only_if_relevant), default=0.0) >= FOCUSED_AT
    )
    boost = FOCUS_BOOST if focused else BROAD_BOOST
    # What the plan must say (base ≥ 1: a role's three paths, a path's key sentence) comes before any
    # search extra, however many of the question's words an extra shares ("项目被砍" is the asker's news).
    # Closeness in meaning counts beside the words: what words miss, meaning finds.
    ranked = sorted(
        scored,
        key=lambda pr: (
            pr[0].only_if_relevant or pr[0].base < MUST,
            -(pr[0].base + boost * pr[1] + NEAR_WEIGHT * near(pr[0].span)),
            pr[0].order,
        ),
    )
    return ranked, focused


def select(
    plan: AnswerPlan,
    bodies: dict[str, str],
    rel: Relevance,
    budget: int,
    near: Callable[[Span], float] = lambda span: 0.0,
) -> list[tuple[Piece, Span]]:
    """The pieces that fit ``budget`` characters (labels included), most valuable first; each with
    the span it is shown with (clipped at a clause boundary where the piece has a limit)."""
    plan = _unanswered_asked(plan, bodies, rel)
    ranked, focused = _ranked(plan, bodies, rel, near)
    used = _length(plan.lead) + sum(_length(n) for n in plan.notes)
    groups: dict[str, int] = {}
    chosen: list[tuple[Piece, Span]] = []
    for piece, relevance in ranked:
        cap = plan.caps.get(piece.group, plan.per_group)
        if cap and groups.get(piece.group, 0) >= cap:
            continue
        if (
            focused
            and relevance == 0
            and piece.base < MUST
            and len(chosen) >= plan.min_pieces
            and used > FILL * budget
        ):
            continue  # a specific question gets what it asks, and only a little of the rest
        if piece.only_if_relevant and relevance < FOCUSED_AT:
            continue
        span = _unbulleted(piece.span, bodies[piece.span.doc_id])
        span = focused_clip(span, bodies[span.doc_id], piece.limit, rel) if piece.limit else span
        row = piece.header is not None  # a row cut short is no row: shown whole or not at all
        if any(_overlap(span, s) or _overlap(span, p.span) for p, s in chosen):
            continue  # the same sentence reached through two sections (or cut off a line shown) is shown once
        body = bodies[span.doc_id]
        heading = _length(piece.group) if piece.group not in groups else 0
        cost = _length(span.text(bodies)) + _length(piece.label) + heading
        room = budget - used
        if not row and cost > room and room >= (40 if len(chosen) < plan.min_pieces else FIT_ROOM):
            span = clip(span, body, room - _length(piece.label) - heading)
            cost = _length(span.text(bodies)) + _length(piece.label) + heading  # a clause, to fill the budget
        if cost > room and len(chosen) >= plan.min_pieces:
            continue
        chosen.append((piece, span))
        groups[piece.group] = groups.get(piece.group, 0) + 1
        used += cost
    first = {}
    for piece, _ in sorted(chosen, key=lambda ps: ps[0].order):
        first.setdefault(piece.group, piece.order)
    asked = {id(p): r for p, r in ranked}  # each piece's relevance, by identity
    if plan.answer_first and chosen:
        # "工资能涨多少" after a path's steps: the line that says it first, under the same heading (a
        # broad plan shows the rest too, so only a line that clearly says it moves up)
        best = max(chosen, key=lambda ps: asked.get(id(ps[0]), 0.0))[0]
        says = asked.get(id(best), 0.0)
        if says > 0 and (focused or says >= FOCUSED_AT):
            first[best.group] = min(first.values()) - 1
            chosen = [(replace(p, order=-1), s) if p is best else (p, s) for p, s in chosen]
    ordered = sorted(chosen, key=lambda ps: (first[ps[0].group], ps[0].order))  # a heading never repeats
    return _without_turn(_without_dangling(_without_orphans(ordered, bodies, asked), bodies), bodies)


def _without_orphans(
    chosen: list[tuple[Piece, Span]], bodies: dict[str, str], asked: dict[int, float]
) -> list[tuple[Piece, Span]]:
    """A clause that goes on a sentence ("尝试知识付费…；" after "…试过所有体面的退路：去创业公司当COO…；")
    is not shown without the clause before it, unless it is what the question asks: alone it reads as
    the story's next event, its subject and its sense lost."""
    out = []
    for piece, span in chosen:
        body = bodies[span.doc_id]
        line_start = body.rfind("\n", 0, span.start) + 1
        before = body[line_start : span.start].rstrip()
        goes_on = before.endswith(("；", ";"))
        opened = any(
            s.doc_id == span.doc_id and s.start < span.start and s.end >= len(before) + line_start
            for _, s in chosen
        )
        if goes_on and not opened and asked.get(id(piece), 0.0) <= 0:
            continue
        out.append((piece, span))
    return out


_LEADS_IN = re.compile(r"[:：]\s*$")
_BETWEEN = re.compile(r"[\s\-*•>]*")


def _without_dangling(chosen: list[tuple[Piece, Span]], bodies: dict[str, str]) -> list[tuple[Piece, Span]]:
    """A line that announces a list ("…四大模块,具体包括:") is shown whole only with the list's first item
    right after it: alone, it promises what the answer does not give, so it is shown up to that clause."""
    out = []
    for k, (piece, span) in enumerate(chosen):
        body = bodies[span.doc_id]
        if _LEADS_IN.search(body[span.start : span.end]) and len(chosen) > 1:
            nxt = chosen[k + 1][1] if k + 1 < len(chosen) else None
            follows = (
                nxt is not None
                and nxt.doc_id == span.doc_id
                and nxt.start >= span.end
                and _BETWEEN.fullmatch(body[span.end : nxt.start]) is not None
            )
            if not follows:
                span = _before_lead_in(span, body)
                if span is None:
                    continue
        out.append((piece, span))
    return out


# a sentence opening by turning against the one before it ("但互联网中层的转型,并非…而是要…")
TURN = re.compile(r"(?:但是|但|不过|然而)\s*[,，]?\s*")
LOOK_BACK = 16  # characters before a sentence read for the end of the one before (spaces, a bullet)


def _without_turn(chosen: list[tuple[Piece, Span]], bodies: dict[str, str]) -> list[tuple[Piece, Span]]:
    """A sentence that turns against the one before it is shown from after its "但" when that sentence is
    not shown: the answer does not open on a contrast with something it never said."""
    out = []
    for piece, span in chosen:
        body = bodies[span.doc_id]
        m = TURN.match(body, span.start)
        if m and m.end() < span.end:
            before = body[max(0, span.start - LOOK_BACK) : span.start].rstrip()
            shown = any(s.doc_id == span.doc_id and s.start < span.start <= s.end + 2 for _, s in chosen)
            if before and before[-1] in "。！？!?" and not shown:
                span = Span(span.doc_id, m.end(), span.end)
        out.append((piece, span))
    return out


def _before_lead_in(span: Span, body: str) -> Span | None:
    """ "…概括为“需求定义、…”四大模块,具体包括:" without its announcing clause; ``None`` when the line is
    nothing but the announcement ("转型期间需储备 3 类资源:")."""
    text = body[span.start : span.end]
    cuts = [m.start() for m in re.finditer(r"[,，;；]", text)]
    if not cuts or cuts[-1] < len(text) // 3:
        return None
    return Span(span.doc_id, span.start, span.start + cuts[-1])


_BULLET = re.compile(r"(?:\s*(?:[-*•]\s+|>+\s*))+")  # a nested list's "- ", a quote block's "> "
_STEP_NUMBER = re.compile(r"(\d{1,2}[.、])\s*\S")


def _unanswered_asked(plan: AnswerPlan, bodies: dict[str, str], rel: Relevance) -> AnswerPlan:
    """The plan gives the shape, the question what to say: a line of the plan's section it held back
    that says what the question asks and none of the pieces chosen says ("收费一般咋收啊" after a path:
    "二是收费方式要定好，常见的是…") is said, first. At most ``PROMOTED`` such lines, each adding topical
    words of its own (a search line elsewhere sharing one word, "天天" or "挑战", is no answer)."""
    own = [p for p in plan.pieces if not p.only_if_relevant]
    extras = [p for p in plan.pieces if p.only_if_relevant and p.held]
    if not own or not extras:
        return plan
    own_said = [rel.said(p.span.text(bodies)) for p in own]
    covered = set().union(*own_said)
    best_own = max(map(rel.share, own_said))
    said = {id(p): rel.said(p.span.text(bodies)) for p in extras}
    promoted: dict[int, Piece] = {}
    while len(promoted) < PROMOTED:
        left = [p for p in extras if id(p) not in promoted]
        best = max(left, key=lambda p: rel.share(said[id(p)] - covered), default=None)
        if best is None or rel.share(said[id(best)] - covered) < max(PROMOTE_AT, best_own):
            break
        promoted[id(best)] = replace(best, base=MUST, only_if_relevant=False, order=-2 + len(promoted))
        covered |= said[id(best)]
    if not promoted:
        return plan
    return replace(plan, pieces=[promoted.get(id(p), p) for p in plan.pieces], answer_first=False)


PROMOTED = 2  # search lines said first because the plan's sections miss what the question asks
EVERYDAY_SHARE = 0.0  # an everyday word adds nothing of what a line adds ("一般", "天天", "干嘛")
PROMOTE_AT = 0.3  # the share of the question's words (idf-weighted) such a line must add


def _unbulleted(span: Span, body: str) -> Span:
    """The span without a nested list's leading "- " or a quote block's "> " (the outline strips only the
    outer bullet): a quote said in a story's paragraph is no block of its own."""
    m = _BULLET.match(body, span.start, span.end)
    return Span(span.doc_id, m.end(), span.end) if m and m.end() < span.end else span


def focused_clip(span: Span, body: str, limit: int, rel: Callable[[str], float]) -> Span:
    """``clip``, unless what the question asks about lies past the cut: then the clauses from the one
    that speaks to it ("…或参与开源项目(如Coursera…)")."""
    head = clip(span, body, limit)
    whole = rel(body[span.start : span.end])
    if head == span or rel(body[head.start : head.end]) >= whole:
        return head
    for m in CLAUSE_END.finditer(body, span.start, span.end):
        rest = clip(Span(span.doc_id, m.end(), span.end), body, limit)
        if len(rest) <= limit and rel(body[rest.start : rest.end]) >= whole:
            return rest
    return head


def _overlap(a: Span, b: Span) -> bool:
    """Half of the shorter span is also in the other one."""
    shared = min(a.end, b.end) - max(a.start, b.start)
    return a.doc_id == b.doc_id and shared > 0 and 2 * shared >= min(len(a), len(b))


def _with_neighbours(scored: list[tuple[Piece, float]]) -> list[tuple[Piece, float]]:
    """What the question asks about lends half its relevance to the sentence right before it (in a
    story, what led to it: "她…建了个群" before "三个月…五十万的GMV") and to the other sentences of
    its line ("试过…当COO；…知识付费…九份；…微商大会")."""
    by_place = {(p.group, p.order): r for p, r in scored}
    by_block: dict[int, float] = {}
    for p, r in scored:
        if p.block >= 0:
            by_block[p.block] = max(by_block.get(p.block, 0.0), r)
    out = []
    for p, r in scored:
        lent = max(
            by_place.get((p.group, p.order + 1), 0.0), by_block.get(p.block, 0.0) if p.block >= 0 else 0.0
        )
        out.append((p, max(r, 0.5 * lent) if lent >= FOCUSED_AT else r))
    return out


ANNOUNCED = 3  # lines after a lead-in ("她给同行的建议很直白：") that are what it announces
ANNOUNCED_GAP = 12  # characters between them: a blank line, a quote mark, a bullet, a ">" line


def _announced(scored: list[tuple[Piece, float]], bodies: dict[str, str]) -> list[tuple[Piece, float]]:
    """A lead-in that speaks to the question ("我问她…会说什么。她想了想：", "她给同行的建议很直白：") lends
    its relevance to the lines it announces, which are the answer though they share none of its words."""
    relevance = [r for _, r in scored]
    runs: dict[str, list[int]] = {}
    for i in sorted(range(len(scored)), key=lambda i: scored[i][0].order):
        runs.setdefault(scored[i][0].group, []).append(i)
    for run in runs.values():
        for n, i in enumerate(run):
            piece = scored[i][0]
            if not _LEADS_IN.search(bodies[piece.span.doc_id][piece.span.start : piece.span.end]):
                continue
            before = scored[run[n - 1]][1] if n else 0.0  # "…会说什么。" before "她想了想："
            said = max(scored[i][1], before)
            if said < FOCUSED_AT:
                continue
            end = piece.span.end
            for j in run[n + 1 : n + 1 + ANNOUNCED]:
                span = scored[j][0].span
                if span.doc_id != piece.span.doc_id or not 0 <= span.start - end <= ANNOUNCED_GAP:
                    break  # what the lead-in announces follows it in the text, nothing between
                relevance[j] = max(relevance[j], said)
                end = span.end
    return [(p, r) for (p, _), r in zip(scored, relevance, strict=True)]


def _marked(bodies: dict[str, str], piece: Piece, span: Span, markers: list[tuple[int, str]]) -> str:
    """The quote with each part's citation after it: ``markers`` are (where a part ends, "[n]")."""
    quote = _quote(bodies, piece, span)
    raw = bodies[span.doc_id][span.start : span.end]
    text_at = quote.find(raw.strip()) - (len(raw) - len(raw.lstrip()))  # where the span's text starts
    for end, marker in reversed(markers[:-1]):
        at = text_at + end - span.start
        quote = quote[:at] + marker + quote[at:]
    return quote + markers[-1][1]


def _quote(bodies: dict[str, str], piece: Piece, span: Span) -> str:
    body = bodies[span.doc_id]
    text = body[span.start : span.end].strip()
    clipped = span.end < piece.span.end and not text.endswith(("。", "；", ";", "！", "？"))
    skipped = (
        _BULLET.sub("", body[piece.span.start : span.start]).strip() if span.start > piece.span.start else ""
    )
    number = _STEP_NUMBER.match(skipped)  # a step cut to its clause that matters keeps its number
    cut = skipped and not TURN.fullmatch(skipped)  # only its "但" left out: nothing the reader misses
    lead = f"{number.group(1)} {ELLIPSIS}" if number else (ELLIPSIS if cut else "")
    return f"{piece.label}{lead}{text}{ELLIPSIS if clipped else ''}"


def render(plan: AnswerPlan, chosen: list[tuple[Piece, Span]], bodies: dict[str, str], chunks: list[Chunk]):
    """The answer text and the passages its ``[n]`` markers point to."""
    numbering = Numbering(chunks)
    cut = [(piece, span, numbering.parts(span)) for piece, span in chosen]
    spans = [part for _, _, parts in cut for part in parts]
    spans += [p.span for row in plan.table for p in row if isinstance(p, Piece)]
    lines = [*plan.notes]
    if plan.lead:
        lines.append(plan.lead)
    if plan.table:  # point against point first; the lines around it follow
        lines += [*_table(plan.table, bodies, numbering, spans), ""]
    group, header = None, None
    done = 0  # parts numbered so far
    for piece, span, parts in cut:
        markers = []
        for part in parts:
            markers.append((part.end, f"[{numbering.number(part, spans[done:])}]"))
            done += 1
        span = Span(span.doc_id, span.start, parts[-1].end)
        marker = markers[-1][1]
        quote = _marked(bodies, piece, span, markers)
        if piece.group and piece.group != group:
            if lines and lines[-1]:
                lines.append("")
            lines.append(f"**{piece.group}**")
            group, header = piece.group, None
            if plan.style == "paragraph" and not piece.listed:
                lines.append("")
        if piece.header is not None:  # a table row, under its table's header row
            if piece.header != header:
                if lines and lines[-1] and not lines[-1].startswith("**"):
                    lines.append("")
                lines += [
                    _row(bodies, piece.header),
                    "|" + "|".join("---" for _ in table_cells(piece.header.text(bodies))) + "|",
                ]
                header = piece.header
            lines.append(_row(bodies, span, marker))
            continue
        if header is not None:  # the table ends before the next line
            lines.append("")
            header = None
        paragraph = plan.style == "paragraph" and not piece.listed
        if paragraph and lines and lines[-1] and not lines[-1].startswith("**"):
            lines[-1] += quote  # a story reads as a story: one paragraph, each sentence cited
        else:
            lines.append(quote if paragraph else f"- {quote}")
    return "\n".join(lines).strip(), numbering.passages()


def _row(bodies: dict[str, str], row: Span, marker: str = "") -> str:
    """A table row as written, each non-empty cell followed by ``marker`` (a cell is a claim of its own)."""
    return "| " + " | ".join(f"{c}{marker}" if c else c for c in table_cells(row.text(bodies))) + " |"


def _table(rows: list[list[Piece | str]], bodies: dict[str, str], numbering: Numbering, spans) -> list[str]:
    out = []
    for i, row in enumerate(rows):
        cells = []
        for cell in row:
            if isinstance(cell, Piece):
                text = clip(cell.span, bodies[cell.span.doc_id], cell.limit) if cell.limit else cell.span
                text = numbering.fit(text)
                cells.append(f"{_quote(bodies, cell, text)}[{numbering.number(text, spans)}]")
            else:
                cells.append(cell)
        out.append("| " + " | ".join(cells) + " |")
        if i == 0:
            out.append("|" + "|".join("---" for _ in row) + "|")
    return out


def compose(
    plan: AnswerPlan,
    question: str,
    bodies: dict[str, str],
    chunks: list[Chunk],
    kb: Knowledge,
    idf: Callable[[str], float],
    budget: int,
    ignore: set[str] = frozenset(),
    present: Callable[[str], bool] = lambda w: True,
    similar: Mapping[int, float] | None = None,
) -> tuple[str, list[Passage]]:
    """Choose within ``budget`` and write out: the answer text and its passages. ``similar``: the dense
    search's candidates and their similarity to the question, by chunk position."""
    rel = Relevance(question, kb, idf, set(ignore), present)
    chosen = select(plan, bodies, rel, budget, Closeness(similar or {}, chunks))
    return render(plan, chosen, bodies, chunks)
