"""Is a question in scope? The whole refusal decision, with its weights named.

Dense similarities from e5 are compressed (unrelated questions still score ~0.85), so a plain
threshold on retrieval scores cannot separate "老张后来怎么样了" from "明天会下雨吗". Comparing the
question with labelled example questions (``scope.yaml`` beside the corpus) gives a *margin* that
can; retrieval *evidence* (best dense similarity plus idf-weighted term coverage of the top
passages) nudges it. A question is refused when ``margin + EVIDENCE_WEIGHT · (evidence −
EVIDENCE_CENTER)`` falls below ``settings.refusal_threshold``.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from langchain_core.embeddings import Embeddings

from advisor.index.search import Passage
from advisor.text.tokens import tokenize

TOP_EXAMPLES = 3  # the margin compares the mean similarity of the 3 nearest examples on each side
COVERAGE_WEIGHT = 0.5  # term coverage next to the best dense similarity, in the evidence score
COVERAGE_PASSAGES = 3  # term coverage is measured on the top 3 passages
EVIDENCE_WEIGHT = 0.05  # how far retrieval evidence moves the example margin
EVIDENCE_CENTER = 1.0  # the evidence of a typical answerable question (dense ≈0.85 + coverage ≈0.3)


def evidence(query: str, passages: list[Passage], idf: Callable[[str], float]) -> float:
    """How well the retrieved passages cover the question: best dense similarity plus weighted
    share of the question's terms (by idf) found in the top passages."""
    if not passages:
        return 0.0
    tokens = list(dict.fromkeys(tokenize(query)))
    text = " ".join(p.section + p.text for p in passages[:COVERAGE_PASSAGES]).lower()
    total = sum(idf(t) for t in tokens)
    covered = sum(idf(t) for t in tokens if t in text)
    coverage = covered / total if total else 0.0
    return max(p.dense for p in passages) + COVERAGE_WEIGHT * coverage


# Example vectors per embedder: a new index generation (or another Advisor in the same process) with the
# same examples does not embed them again (~6 s for the scope and kind examples on two cores).
_EXAMPLES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def embed_all(embedder: Embeddings, texts: list[str]) -> np.ndarray:
    """Example questions as one read-only matrix, with the ``query:`` prefix (in batches where the
    embedder can), embedded once per embedder."""
    try:
        cache = _EXAMPLES.setdefault(embedder, {})
    except TypeError:  # an embedder that cannot be weakly referenced: no cache
        cache = {}
    key = tuple(texts)
    if key not in cache:
        batch = getattr(embedder, "embed_queries", None)
        vectors = batch(texts) if batch else [embedder.embed_query(t) for t in texts]
        matrix = np.asarray(vectors, dtype=np.float32)
        matrix.setflags(write=False)
        cache[key] = matrix
    return cache[key]


def top_mean(matrix: np.ndarray, vec: np.ndarray) -> float:
    """The mean similarity of the ``TOP_EXAMPLES`` examples nearest ``vec``: one near example is luck."""
    if not len(matrix):
        return 0.0
    sims = np.sort(matrix @ vec)[::-1]
    return float(sims[:TOP_EXAMPLES].mean())


@dataclass(frozen=True)
class ScopeDecision:
    in_scope: bool
    score: float
    margin: float
    evidence: float


class ScopeGate:
    """The refusal decision; the embedder, labelled examples and idf are handed in."""

    def __init__(
        self,
        embedder: Embeddings,
        examples: dict,
        idf: Callable[[str], float],
        threshold: float,
        topics: list[str] | None = None,
    ) -> None:
        self.embedder = embedder
        self.idf = idf
        self.threshold = threshold
        # ``topics``: headings of articles nobody wrote examples for, beside the written in-scope ones
        self.inside = embed_all(self.embedder, [*(examples.get("in_scope") or []), *(topics or [])])
        self.outside = embed_all(self.embedder, examples.get("out_of_scope") or [])
        labelled = (examples.get("focus") or {}).get("examples") or {}
        answered = [
            *(examples.get("in_scope") or []),
            *labelled.get("covered", []),
            *labelled.get("partial", []),
        ]
        self.answered = embed_all(self.embedder, answered)
        self.unanswered = embed_all(self.embedder, labelled.get("not_covered") or [])

    def margin(self, question: str) -> float:
        """Positive when the question looks like the in-scope examples."""
        vec = np.asarray(self.embedder.embed_query(question), dtype=np.float32)
        return top_mean(self.inside, vec) - top_mean(self.outside, vec)

    def covered_margin(self, question: str) -> float | None:
        """Positive when the question looks like the questions the articles answer rather than the
        near-domain ones they do not (社保, 考证, 简历…): read by meaning, so an everyday word the
        articles do not use ("收手", "栽跟头") does not make a question about 止损 or 风险 look unanswered.
        ``None`` without labelled examples on both sides."""
        if not len(self.answered) or not len(self.unanswered):
            return None
        vec = np.asarray(self.embedder.embed_query(question), dtype=np.float32)
        return top_mean(self.answered, vec) - top_mean(self.unanswered, vec)

    def decide(self, query: str, passages: list[Passage]) -> ScopeDecision:
        if not query or not passages:
            return ScopeDecision(False, -1.0, 0.0, 0.0)
        ev = evidence(query, passages, self.idf)
        margin = self.margin(query)
        score = margin + EVIDENCE_WEIGHT * (ev - EVIDENCE_CENTER)
        return ScopeDecision(score >= self.threshold, score, margin, ev)


# A job to do for the asker (write code, rewrite a text, translate, draw): the advisor answers from its
# articles and does no such work, whatever the job mentions ("帮我写个Unity的shader" after 老周's story).
_TASK = re.compile(
    r"(?:帮我|给我|替我|帮忙)\S{0,8}?(?:写|改成|改写|润色|翻译|生成|画|编一|编个|做一?[个份张])"
)
_ADVICE = re.compile(r"计划|规划|评估|分析|判断|看看|选|方向|转型")  # a plan or a choice is advice


def asks_task(question: str) -> bool:
    """The question asks the advisor to do a job rather than to say what the articles say."""
    return bool(_TASK.search(question)) and not _ADVICE.search(question)
