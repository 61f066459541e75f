"""The shape of an article: sections by heading, and inside each the lines it is written in
(paragraphs, list items, numbered steps, table rows, "标签:内容" lines), all as exact offsets into the
document body. The composer and the plan quote from these spans, so every quote is verbatim."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Protocol

from advisor.text.markdown import split_sections, split_sentences


class Placed(Protocol):
    """Anything with a place in a document: a ``Span``, a search ``Passage``."""

    doc_id: str
    start: int


@dataclass(frozen=True)
class Span:
    """``body[start:end]`` of document ``doc_id``."""

    doc_id: str
    start: int
    end: int

    def text(self, bodies: dict[str, str]) -> str:
        return bodies[self.doc_id][self.start : self.end]

    def __len__(self) -> int:
        return self.end - self.start


@dataclass(frozen=True)
class Block:
    """One line of a section. ``span`` excludes the bullet; ``content`` excludes the label too."""

    span: Span
    kind: str  # text | item | step | row | intro (a line ending with a colon that opens a list)
    label: str | None = None
    content: Span | None = None
    number: int | None = None


@dataclass
class Section:
    doc_id: str
    path: tuple[str, ...]
    start: int
    end: int
    blocks: list[Block] = field(default_factory=list)

    @property
    def heading(self) -> str:
        return self.path[-1] if self.path else ""

    @property
    def level(self) -> int:
        return len(self.path)

    def is_under(self, other: Section) -> bool:
        return self.doc_id == other.doc_id and self.path[: other.level] == other.path and self is not other

    def holds(self, place: Placed) -> bool:
        """Whether a span or a passage begins inside this section."""
        return place.doc_id == self.doc_id and self.start <= place.start < self.end

    def first_text(self) -> Block | None:
        """The section's first paragraph: what it says as a whole ("…的转型,核心是 “…”")."""
        return next((b for b in self.blocks if b.kind == "text"), None)


# What a line starts with: a list item, a numbered step, or ("优势:…", "目标:…", "锚定公司技术战略:…") a
# short label before the first colon of the line.
_BULLET = re.compile(r"[-•·*]\s+")
_STEP = re.compile(r"(\d{1,2})[.、]\s*(?!\d)")
_LABEL = re.compile(r"([^:：，,。；;（()）|]{1,20})[:：]")


_RULE = re.compile(r"\|[-|:\s]*\|?")  # a table's "|---|:---:|" line under its header


def _block(doc_id: str, body: str, start: int, end: int) -> Block | None:
    line = body[start:end]
    if not line.strip() or _RULE.fullmatch(line.strip()):
        return None
    if line.startswith("|"):
        return Block(Span(doc_id, start, end), "row")
    kind = "text"
    m = _BULLET.match(line)
    if m:
        start, kind = start + m.end(), "item"
    number = None
    m = _STEP.match(body, start, end)
    if m:
        number, kind = int(m.group(1)), "step"
    label_at = m.end() if m else start
    lm = _LABEL.match(body, label_at, end)
    label = lm.group(1).strip() if lm else None
    content = Span(doc_id, lm.end(), end) if lm and lm.end() < end else None
    if body[start:end].rstrip().endswith((":", "：")):  # it opens a list
        kind = "intro"
        content = content if content is not None and body[content.start : end].strip() else None
    return Block(Span(doc_id, start, end), kind, label, content, number)


def outline(doc_id: str, body: str) -> list[Section]:
    """Every section of a document (the text before the first heading has an empty path), with its lines."""
    sections = []
    for s in split_sections(body):
        section = Section(doc_id, s.path, s.start, s.end)
        pos = s.start
        while pos < s.end:
            nl = body.find("\n", pos, s.end)
            end = s.end if nl < 0 else nl
            block = _block(doc_id, body, pos, end)
            if block is not None:
                section.blocks.append(block)
            pos = end + 1
        sections.append(section)
    return sections


def table_cells(line: str) -> list[str]:
    """A table row's cells, trimmed (empty ones kept: they hold a column's place)."""
    return [c.strip() for c in line.strip().strip("|").split("|")]


def tables(section: Section, body: str) -> list[list[Block]]:
    """The section's tables, each its rows in order, the header first: rows on consecutive lines, with
    only the "|---|" line between them (a blank line ends a table)."""
    out: list[list[Block]] = []
    last: Block | None = None
    for block in section.blocks:
        if block.kind != "row":
            last = None
            continue
        middle = body[last.span.end : block.span.start].split("\n")[1:-1] if last else None
        if middle is not None and all(_RULE.fullmatch(line.strip()) for line in middle):
            out[-1].append(block)
        else:
            out.append([block])
        last = block
    return out


# An article's own questions: a heading or a line asked as a question ("### Q1:非技术背景的人能成为
# 互联网PM吗?", "**Q4：45 岁以上还来得及吗？**", "**问：要不要花钱报班、考证？**").
_ASKED_PREFIX = re.compile(
    r"^(?:Q\s*\d{1,2}\s*[.:：、]|问\s*[:：]|(?:问题|提问)\s*[\d一二三四五六七八九十]{0,3}\s*[:：])\s*", re.I
)  # "提问三：…？", a talk's audience asking
_ASKED_END = re.compile(r"[?？]\s*$")
_BOLD = re.compile(r"^\*\*(.+?)\*\*\s*$")
# An article's own numbering in front of a heading: "03 | ", "第二问：", "三、" (optional, as a pattern part).
HEADING_NUMBER = (
    r"(?:\d{1,2}\s*[|｜.、]\s*|第\s*[一二三四五六七八九十\d]{1,3}\s*[问章节部分篇回]\s*[:：，,]?\s*"
    r"|[一二三四五六七八九十]{1,3}\s*[、.]\s*)?"
)
REPLY_LABELS = ("答", "A", "回答")  # an interview's reply to the question line before it ("答：…")


@dataclass(frozen=True)
class Asked:
    """A question an article asks itself and the lines that answer it: its FAQ, in its own words."""

    question: str  # the question's words, without "Q1:"/"问：" and bold marks
    place: Span  # the heading's or the question line's place
    answer: tuple[Block, ...]
    section: Section


def bold_line(line: str) -> str | None:
    """The words of a line set in bold alone ("**痛点四：证书不再是护城河**"), or ``None``."""
    m = _BOLD.match(line.strip())
    return m.group(1) if m else None


def asked_question(line: str) -> str | None:
    """The question a heading or a line asks ("Q1:…吗?", "**问：…？**"), or ``None``."""
    bold = bold_line(line)
    text = (line if bold is None else bold).strip()
    prefixed = _ASKED_PREFIX.match(text)
    if not _ASKED_END.search(text) or not (prefixed or bold is not None):  # numbered, or set in bold
        return None
    question = text[prefixed.end() :] if prefixed else text
    return question.strip() or None


def asked(sections: list[Section], body: str) -> list[Asked]:
    """Every question an article asks and answers itself: a section headed by a question (its own
    lines answer it), or a question line inside a section (the lines up to the next one answer it)."""
    out: list[Asked] = []
    for section in sections:
        question = asked_question(section.heading) if section.path else None
        if question is not None and section.blocks:
            place = Span(section.doc_id, section.start, section.start)
            out.append(Asked(question, place, tuple(section.blocks), section))
            continue
        marks = [(k, asked_question(body[b.span.start : b.span.end])) for k, b in enumerate(section.blocks)]
        marks = [(k, q) for k, q in marks if q is not None]
        for n, (k, question) in enumerate(marks):
            end = marks[n + 1][0] if n + 1 < len(marks) else len(section.blocks)
            answer = tuple(section.blocks[k + 1 : end])
            if answer:
                out.append(Asked(question, section.blocks[k].span, answer, section))
    return out


def sentences(span: Span, body: str) -> list[Span]:
    """The sentences of a span, trimmed."""
    return [Span(span.doc_id, s, e) for s, e in split_sentences(body, span.start, span.end)]


# a comma or colon between digits ("2,500", "10:30") is part of a number, not a clause's end
CLAUSE_END = re.compile(r"[，、；;：]|(?<!\d)[,:]|[,:](?!\d)")


def clip(span: Span, body: str, limit: int) -> Span:
    """The span cut to at most ``limit`` characters at a clause boundary (a comma, colon or semicolon);
    unchanged when it is short enough or has no boundary in the first third."""
    if len(span) <= limit:
        return span
    # searched a little past the limit: "4,000" cut at the limit still shows its comma is a number's
    cuts = [m.start() for m in CLAUSE_END.finditer(body, span.start, min(span.end, span.start + limit + 2))]
    cuts = [c for c in cuts if limit // 3 <= c - span.start <= limit]
    return Span(span.doc_id, span.start, cuts[-1]) if cuts else span


def find_section(sections: list[Section], heading: str) -> Section | None:
    """The first section whose heading contains ``heading`` ("" finds the text before any heading)."""
    if not heading:
        return next((s for s in sections if not s.path), None)
    return next((s for s in sections if heading in s.heading), None)


def subtree(sections: list[Section], root: Section) -> list[Section]:
    """``root`` and every section under it, in document order."""
    return [s for s in sections if s is root or s.is_under(root)]
