"""Citation numbering shared by chat answers, plans and cards: a quoted span is numbered by a chunk
that holds it whole, so every ``[n]`` can be checked against one passage."""

from __future__ import annotations

from advisor.index.chunking import Chunk
from advisor.index.search import Passage
from advisor.text.structure import Span

ELLIPSIS = "…"


class Numbering:
    """Citation numbers: each quoted span gets the number of a chunk that holds it whole."""

    def __init__(self, chunks: list[Chunk]) -> None:
        self.by_doc: dict[str, list[Chunk]] = {}
        for c in chunks:
            self.by_doc.setdefault(c.doc_id, []).append(c)
        self.used: list[Chunk] = []

    def fit(self, span: Span) -> Span:
        """``span``, or its part inside the chunk where it starts when the chunker cut it (a long
        paragraph is cut at a "；"): a quote is numbered by one passage that holds it whole."""
        if self._holders(span):
            return span
        first = next((c for c in self.by_doc.get(span.doc_id, []) if c.start <= span.start < c.end), None)
        return span if first is None else Span(span.doc_id, span.start, min(span.end, first.end))

    def parts(self, span: Span) -> list[Span]:
        """``span`` cut where the chunks holding it end, each part held whole by one chunk: a paragraph
        the chunker cut in two ("…梳理了一遍。" | "8 个月后…") is quoted whole, each part with its own
        number, rather than cut off at the first chunk's end."""
        out, at = [], span.start
        while at < span.end:
            if self._holders(Span(span.doc_id, at, span.end)):
                out.append(Span(span.doc_id, at, span.end))
                break
            holder = max(
                (c for c in self.by_doc.get(span.doc_id, []) if c.start <= at < c.end),
                key=lambda c: c.end,
                default=None,
            )
            if holder is None:
                break
            out.append(Span(span.doc_id, at, holder.end))
            at = holder.end
        return out or [self.fit(span)]

    def number(self, span: Span, upcoming: list[Span]) -> int:
        holders = self._holders(span)
        if not holders:
            msg = f"no chunk holds {span}"
            raise ValueError(msg)
        for i, c in enumerate(self.used, 1):
            if c in holders:
                return i

        def covers(c: Chunk) -> int:
            return sum(c.doc_id == s.doc_id and c.start <= s.start and s.end <= c.end for s in upcoming)

        best = max(holders, key=lambda c: (covers(c), -(c.end - c.start)))
        self.used.append(best)
        return len(self.used)

    def _holders(self, span: Span) -> list[Chunk]:
        """The chunks that hold ``span`` whole."""
        return [c for c in self.by_doc.get(span.doc_id, []) if c.start <= span.start and span.end <= c.end]

    def passages(self) -> list[Passage]:
        return [Passage.from_chunk(c, score=1.0) for c in self.used]
