"""The context a small model reads: no text twice (retrieved chunks overlap), and a long passage cut to
the run of sentences nearest the question, so a short prompt holds more of what was retrieved. Every
passage stays an exact span of its document, so citations still resolve."""

from __future__ import annotations

from dataclasses import replace

from advisor.grounding.citations import bigrams
from advisor.index.search import Passage
from advisor.text.markdown import split_sentences

PASSAGE_CHARS = 320  # at most, per passage in the compact prompt (a chunk's usual size)
MIN_CHARS = 20


def without_overlaps(passages: list[Passage]) -> list[Passage]:
    """Each passage less what a better-ranked passage of its document already shows (chunks overlap by
    design); a passage left with almost nothing is dropped."""
    out: list[Passage] = []
    for p in passages:
        s, e = p.start, p.end
        for q in out:
            if q.doc_id != p.doc_id or e <= q.start or s >= q.end:
                continue
            if q.start <= s and e <= q.end:
                s = e
                break
            s, e = (max(s, q.end), e) if s >= q.start else (s, min(e, q.start))
        while s < e and p.text[s - p.start].isspace():
            s += 1
        if e - s >= MIN_CHARS:
            out.append(replace(p, text=p.text[s - p.start : e - p.start], start=s, end=e))
    return out


def focus(p: Passage, question: str, limit: int = PASSAGE_CHARS) -> Passage:
    """``p`` cut to the contiguous sentences (at most ``limit`` characters) sharing the most character
    pairs with the question; the earliest such run on ties."""
    if len(p.text) <= limit:
        return p
    spans = split_sentences(p.text, 0, len(p.text)) or [(0, len(p.text))]
    asked = bigrams(question)
    scores = [len(bigrams(p.text[s:e]) & asked) for s, e in spans]
    best, window = -1, (spans[0][0], min(spans[0][1], spans[0][0] + limit))
    for i, (start, _) in enumerate(spans):
        total = 0
        for j in range(i, len(spans)):
            if spans[j][1] - start > limit:
                break
            total += scores[j]
            if total > best:
                best, window = total, (start, spans[j][1])
    s, e = window
    return replace(p, text=p.text[s:e], start=p.start + s, end=p.start + e)


def compact_passages(question: str, passages: list[Passage], limit: int = PASSAGE_CHARS) -> list[Passage]:
    """What a small model is shown: no text twice, long passages cut to their part nearest the question."""
    return [focus(p, question, limit) for p in without_overlaps(passages)]
