"""Offline metrics: retrieval against gold spans, and answer quality without an LLM judge."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence

from advisor.grounding.format import answer_body, strip_markers

from .golden import Gold
from .support import claims, norm, support_scores, trigrams


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


def citation_support(answer) -> dict[str, float | int | None]:
    """ALCE-style citation recall and precision, judged by ``evals.support`` (not by the advisor's own
    citation check): a cited passage's evidence is its heading path and text."""
    evidence = [f"{p.section}\n{p.text}" for p in answer.passages]
    return support_scores(answer.text, evidence)


def answer_length(text: str) -> int:
    """Characters a reader reads: the answer body without notices, markers, bullets, bold marks or spaces."""
    body = re.sub(r"\*\*|^\s*[-*•·]\s*", "", answer_body(text), flags=re.MULTILINE)
    return len("".join(body.split()))


def within(text: str, budget: int) -> str:
    """The first ``budget`` characters of the answer body (as ``answer_length`` counts them)."""
    body = re.sub(r"\*\*|^\s*[-*•·]\s*", "", answer_body(text), flags=re.MULTILINE)
    out, n = [], 0
    for ch in body:
        if n >= budget:
            break
        out.append(ch)
        n += not ch.isspace()
    return "".join(out)


def gold_lines(case, bodies: dict[str, str]) -> list[str]:
    """The whole lines of the articles that hold the case's gold quotes (normalised)."""
    out = []
    for g in case.gold:
        body = bodies.get(g.doc_id, "")
        at = body.find(g.quote)
        if at >= 0:
            end = body.find("\n", at)
            out.append(norm(body[body.rfind("\n", 0, at) + 1 : end if end >= 0 else None]))
    return out


def on_gold(claim: str, lines: list[str], quotes: list[str]) -> bool:
    """A sentence is on gold when it is (part of) a gold line, contains a gold quote, or shares half
    its character trigrams with a gold line."""
    c = norm(claim)
    if any(c in line or q in c for line in lines for q in quotes):
        return True
    grams = trigrams(claim)
    return bool(grams) and any(len(grams & trigrams(line)) / len(grams) >= 0.5 for line in lines)


def gold_precision(text: str, case, bodies: dict[str, str]) -> float | None:
    """Share of the answer's claim sentences that speak about the case's gold passages."""
    units = claims(text)
    if not units:
        return None
    lines, quotes = gold_lines(case, bodies), [norm(g.quote) for g in case.gold]
    return sum(on_gold(u.text, lines, quotes) for u in units) / len(units)


def repeated_headings(text: str) -> list[str]:
    """Heading lines ("**…**") that occur more than once in one answer."""
    heads = [
        ln.strip() for ln in text.splitlines() if ln.strip().startswith("**") and ln.strip().endswith("**")
    ]
    return sorted({h for h in heads if heads.count(h) > 1})
