"""Documents made of verbatim quotes and the advisor's own label lines — the transition plan and the
role cards — numbered and verified exactly like a chat answer.

A document is a list of lines; a line is a list of parts: plain text (a heading, a label, the user's own
inputs, a "文章没有讲到…" note) or a ``Quote`` of the articles, written out as its text and ``[n]``.
Every ``[n]`` names the chunk that holds the quote whole (``numbering.Numbering``), and the finished text
goes through ``citations.verify`` like any answer, so each citation resolves to an exact span.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from advisor.grounding.citations import Citation, verify
from advisor.grounding.numbering import ELLIPSIS, Numbering
from advisor.index.chunking import Chunk
from advisor.index.search import Passage
from advisor.text.structure import Span, clip

_OPEN, _CLOSE = "“‘(（《「", "”’)）》」"
_CLAUSE_END = "，,；;。：:"
_SENTENCE_END = ("。", "；", ";", "！", "？")


@dataclass(frozen=True)
class Quote:
    """A verbatim span, clipped at a clause boundary to ``limit`` characters when that is set."""

    span: Span
    limit: int = 0

    def shown(self, bodies: dict[str, str]) -> Span:
        return clip(self.span, bodies[self.span.doc_id], self.limit) if self.limit else self.span


Part = str | Quote
Line = list[Part]


def quote_text(quote: Quote, bodies: dict[str, str], span: Span | None = None) -> str:
    """The quote as shown (or as ``span``, a part of it): trimmed, with "…" where it was clipped
    mid-sentence."""
    span = span or quote.shown(bodies)
    text = bodies[span.doc_id][span.start : span.end].strip()
    clipped = span.end < quote.span.end and not text.endswith(_SENTENCE_END)
    return text + (ELLIPSIS if clipped else "")


def render(lines: list[Line], bodies: dict[str, str], chunks: list[Chunk]) -> tuple[str, list[Passage]]:
    """The document's text with ``[n]`` after every quote, and the passages the numbers point to."""
    numbering, out, k = Numbering(chunks), [], 0
    spans = [numbering.fit(p.shown(bodies)) for line in lines for p in line if isinstance(p, Quote)]
    for line in lines:
        text = ""
        for part in line:
            if isinstance(part, Quote):
                text += f"{quote_text(part, bodies, spans[k])}[{numbering.number(spans[k], spans[k:])}]"
                k += 1
            else:
                text += part
        out.append(text)
    return "\n".join(out).strip(), numbering.passages()


def finish(
    lines: list[Line], bodies: dict[str, str], chunks: list[Chunk]
) -> tuple[str, list[Citation], list[Passage], list[str]]:
    """Render and verify: (text, citations, passages, unsupported sentences)."""
    text, passages = render(lines, bodies, chunks)
    clean, citations, unsupported = verify(text, passages, bodies)
    return clean, citations, passages, unsupported


# -- cutting quotes out of a line -----------------------------------------------------------------
def clauses(span: Span, body: str) -> list[Span]:
    """The clauses of a span (cut at commas, semicolons, colons and full stops outside quotes and
    brackets), trimmed, as spans."""
    out, depth, start = [], 0, span.start
    for i in range(span.start, span.end):
        ch = body[i]
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
        elif ch in _CLAUSE_END and depth == 0:
            out.append((start, i))
            start = i + 1
    out.append((start, span.end))
    return [_trim(Span(span.doc_id, s, e), body) for s, e in out if body[s:e].strip()]


def clause_with(span: Span, body: str, phrase: str) -> Span | None:
    """The clause of ``span`` that contains ``phrase``."""
    return next((c for c in clauses(span, body) if phrase in body[c.start : c.end]), None)


def find_phrase(body: str, doc_id: str, phrase: str, start: int = 0, end: int | None = None) -> Span | None:
    """``phrase`` as a span of the document (the first occurrence between ``start`` and ``end``)."""
    at = body.find(phrase, start, len(body) if end is None else end)
    return Span(doc_id, at, at + len(phrase)) if at >= 0 else None


def unnumbered(span: Span, body: str) -> Span:
    """A step's line without its "2. " number (a quoted "2. …" would render as a nested list)."""
    m = re.match(r"\d{1,2}[.、]\s*", body[span.start : span.end])
    return Span(span.doc_id, span.start + m.end(), span.end) if m else span


def _trim(span: Span, body: str) -> Span:
    text = body[span.start : span.end]
    lead = len(text) - len(text.lstrip(" -•·"))
    return Span(span.doc_id, span.start + lead, span.start + len(text.rstrip()))


def quoted_items(span: Span, body: str) -> list[Span]:
    """The items of the first “…” list in a line ("列 “A、B、C”"), split at 、 outside brackets."""
    m = re.search(r"“([^”]+)”", body[span.start : span.end])
    if m is None:
        return []
    out, depth, start = [], 0, span.start + m.start(1)
    stop = span.start + m.end(1)
    for i in range(start, stop):
        ch = body[i]
        if ch in "(（‘":
            depth += 1
        elif ch in ")）’":
            depth = max(0, depth - 1)
        elif ch == "、" and depth == 0:
            out.append(Span(span.doc_id, start, i))
            start = i + 1
    out.append(Span(span.doc_id, start, stop))
    return [_trim(s, body) for s in out if body[s.start : s.end].strip()]


def example_of(item: Span, body: str) -> tuple[Span, Span | None]:
    """A template field "项目目标(如‘2 周内做 AI 问答小工具’)" as (its name, its example)."""
    text = body[item.start : item.end]
    cut = min((i for i in (text.find("("), text.find("（")) if i >= 0), default=len(text))
    name = Span(item.doc_id, item.start, item.start + cut)
    m = re.search(r"如\s*‘([^’]+)’", text)
    example = Span(item.doc_id, item.start + m.start(1), item.start + m.end(1)) if m else None
    return _trim(name, body), example
