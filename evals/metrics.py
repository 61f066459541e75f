"""Offline metrics: retrieval against gold spans, and answer quality without an LLM judge."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence

from advisor.citations import SUPPORT_THRESHOLD, is_claim, split_units, support
from advisor.markup import is_label_line, strip_markers

from .golden import Gold


def overlaps(doc_id: str, start: int, end: int, gold: Sequence[Gold]) -> bool:
    """A passage is relevant when it overlaps a gold span, so labels survive re-chunking."""
    return any(g.doc_id == doc_id and start < g.end and g.start < end for g in gold)


def relevance_flags(passages, gold: Sequence[Gold]) -> list[bool]:
    return [overlaps(p.doc_id, p.start, p.end, gold) for p in passages]


def hit_at(flags: Sequence[bool], k: int) -> float:
    return 1.0 if any(flags[:k]) else 0.0


def reciprocal_rank(flags: Sequence[bool]) -> float:
    return next((1.0 / (i + 1) for i, f in enumerate(flags) if f), 0.0)


def ndcg_at(flags: Sequence[bool], k: int, n_relevant: int) -> float:
    dcg = sum(1.0 / math.log2(i + 2) for i, f in enumerate(flags[:k]) if f)
    ideal = sum(1.0 / math.log2(i + 2) for i in range(min(k, max(n_relevant, 1))))
    return dcg / ideal if ideal else 0.0


def retrieval_scores(ranked_flags: list[list[bool]], n_relevant: list[int]) -> dict[str, float]:
    n = len(ranked_flags) or 1
    return {
        "hit@1": sum(hit_at(f, 1) for f in ranked_flags) / n,
        "hit@3": sum(hit_at(f, 3) for f in ranked_flags) / n,
        "hit@5": sum(hit_at(f, 5) for f in ranked_flags) / n,
        "mrr": sum(reciprocal_rank(f) for f in ranked_flags) / n,
        "ndcg@5": sum(ndcg_at(f, 5, r) for f, r in zip(ranked_flags, n_relevant, strict=True)) / n,
    }


# -- answer metrics (no LLM judge) ----------------------------------------------------------------

_CITE_MARK = re.compile(r"\[(\d{1,3})\]")
_ENUM = re.compile(r"^\s*(?:(?:[-*•·]+|\d{1,2}[.、)）](?!\d)|[（(]\d{1,2}[)）])\s*)+")


def normalize(text: str) -> str:
    """Markers removed, NFKC-folded (full/half width), whitespace removed, lower-cased."""
    text = unicodedata.normalize("NFKC", strip_markers(text))
    return "".join(text.split()).lower()


def keypoint_hits(text: str, key_points: Sequence[Sequence[str]]) -> list[bool]:
    """For each group: does any alternative occur in the answer (normalized)?"""
    norm = normalize(text)
    return [any(normalize(alt) and normalize(alt) in norm for alt in group) for group in key_points]


def keypoint_coverage(text: str, key_points: Sequence[Sequence[str]]) -> float:
    hits = keypoint_hits(text, key_points)
    return sum(hits) / len(hits) if hits else 0.0


def rouge_tokens(text: str) -> list[str]:
    """Characters of the text, minus whitespace, punctuation and citation markers (NFKC, lower)."""
    text = unicodedata.normalize("NFKC", strip_markers(text)).lower()
    return [ch for ch in text if not ch.isspace() and unicodedata.category(ch)[0] not in "PZC"]


def lcs_length(a: Sequence[str], b: Sequence[str]) -> int:
    if len(a) < len(b):
        a, b = b, a
    if not b:
        return 0
    prev = [0] * (len(b) + 1)
    for x in a:
        cur = [0]
        for j, y in enumerate(b, 1):
            cur.append(prev[j - 1] + 1 if x == y else max(prev[j], cur[j - 1]))
        prev = cur
    return prev[-1]


def rouge_l(candidate: str, reference: str, beta: float = 1.0) -> dict[str, float]:
    """Character-level ROUGE-L (precision, recall, F) — word tokenizers score Chinese as zero."""
    c, r = rouge_tokens(candidate), rouge_tokens(reference)
    lcs = lcs_length(c, r)
    if not lcs:
        return {"p": 0.0, "r": 0.0, "f": 0.0}
    p, rec = lcs / len(c), lcs / len(r)
    f = (1 + beta**2) * p * rec / (rec + beta**2 * p)
    return {"p": p, "r": rec, "f": f}


def citation_problems(answer, bodies: dict[str, str]) -> list[str]:
    """Why an answer's citations are invalid (empty list: all valid).

    Valid means: every citation number is within 1..len(passages), names the document of that
    passage, its quote is exactly ``bodies[doc_id][start:end]`` and overlaps the passage; every
    ``[n]`` marker in the text has a citation. An answer without citations is valid only if refused.
    """
    problems: list[str] = []
    k = len(answer.passages)
    cited = {c.n for c in answer.citations}
    for c in answer.citations:
        if not 1 <= c.n <= k:
            problems.append(f"[{c.n}] out of range 1..{k}")
            continue
        p = answer.passages[c.n - 1]
        body = bodies.get(c.doc_id)
        if c.doc_id != p.doc_id:
            problems.append(f"[{c.n}] names {c.doc_id}, passage is {p.doc_id}")
        if body is None:
            problems.append(f"[{c.n}] unknown document {c.doc_id}")
        elif body[c.start : c.end] != c.quote:
            problems.append(f"[{c.n}] quote != {c.doc_id}[{c.start}:{c.end}]")
        elif not (c.start < p.end and p.start < c.end):
            problems.append(f"[{c.n}] span {c.start}-{c.end} outside passage {p.start}-{p.end}")
    dangling = sorted({int(n) for n in _CITE_MARK.findall(answer.text)} - cited)
    if dangling:
        problems.append("markers without citation: " + ", ".join(f"[{n}]" for n in dangling))
    if not answer.citations and not answer.refused:
        problems.append("no citations in a non-refused answer")
    return problems


def citation_valid(answer, bodies: dict[str, str]) -> float:
    return 0.0 if citation_problems(answer, bodies) else 1.0


def claim_units(text: str) -> list[tuple[str, list[int]]]:
    """Claim sentences of an answer with the passage numbers each cites (ALCE-style)."""
    out: list[tuple[str, list[int]]] = []
    for line in text.splitlines():
        if is_label_line(line):
            continue
        for unit in split_units(line):
            if not is_claim(unit):
                continue
            ids = [int(n) for n in dict.fromkeys(_CITE_MARK.findall(unit))]
            claim = _ENUM.sub("", strip_markers(unit)).replace("**", "").strip()
            out.append((claim, ids))
    return out


def supports(claim: str, evidence: str, threshold: float = SUPPORT_THRESHOLD) -> bool:
    """Lexical entailment stand-in: bigram overlap ≥ threshold and every number present verbatim."""
    return support(claim, evidence) >= threshold


def citation_support(answer) -> dict[str, float | int | None]:
    """ALCE-style citation recall and precision of one answer, with a lexical support test.

    Recall: share of claim sentences supported by the concatenation of their cited passages.
    Precision: share of citations that support their sentence alone, or are needed (the sentence is
    supported by all its citations but not without this one).
    """
    units = claim_units(answer.text)
    k = len(answer.passages)

    def evidence(ids: list[int]) -> str:
        return "\n".join(answer.passages[i - 1].text for i in ids if 1 <= i <= k)

    supported = precise = n_cites = 0
    for claim, ids in units:
        full = bool(ids) and supports(claim, evidence(ids))
        supported += full
        for i in ids:
            n_cites += 1
            alone = supports(claim, evidence([i]))
            needed = full and len(ids) > 1 and not supports(claim, evidence([j for j in ids if j != i]))
            precise += alone or needed
    return {
        "claims": len(units),
        "citations": n_cites,
        "recall": supported / len(units) if units else None,
        "precision": precise / n_cites if n_cites else None,
    }
