"""The articles' own questions (their FAQs, ``text.structure.asked``) as what a question may be: a user who
types "她不是技术出身 能做产品吗" asks what the PM article asks itself ("非技术背景的人能成为互联网PM吗?"),
and the article's answer to it is the answer.

Meaning decides, with retrieval as the witness: the question must sit clearly nearest one of the
article's questions (e5's similarities are compressed, so a lead over the runner-up is required) and the
search must rank that question's answer among its best, unless the lead is wide. A narrow lead alone is
not enough: "三条路到底怎么选" sits near "普通编辑能走第三条路吗?" by its words, but the search finds the
section on choosing a path."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from langchain_core.embeddings import Embeddings

from advisor.answering.scope import embed_all
from advisor.index.search import Passage
from advisor.text.structure import Asked

ASKED_FLOOR = 0.89  # similarity to the article's question from which it may be the one asked
ASKED_LEAD = 0.02  # ...leading the next nearest of the articles' questions by this much
ASKED_TOP = 3  # the search must rank a passage of its answer among this many
# ...unless meaning alone is clear: a lead this wide was never a wrong match (a role chosen in the app
# can push the answer out of the search results: 运营 for "她不是技术出身 能做产品吗")
ASKED_CLEAR_LEAD = 0.05


@dataclass(frozen=True)
class AskedMatch:
    asked: Asked
    similarity: float
    lead: float


class AskedReader:
    """The articles' questions, embedded once per index generation; the embedder is handed in."""

    def __init__(self, embedder: Embeddings, items: list[Asked]) -> None:
        self.embedder = embedder
        self.items = items
        self.matrix = embed_all(embedder, [a.question for a in items]) if items else None

    def nearest(self, question: str) -> AskedMatch | None:
        """The article's question nearest in meaning, with its lead over the runner-up."""
        if self.matrix is None or not question.strip():
            return None
        vec = np.asarray(self.embedder.embed_query(question), dtype=np.float32)
        sims = self.matrix @ vec
        order = np.argsort(-sims)
        best = float(sims[order[0]])
        second = float(sims[order[1]]) if len(order) > 1 else 0.0
        return AskedMatch(self.items[int(order[0])], best, best - second)

    def read(self, question: str, passages: list[Passage]) -> Asked | None:
        """The article's question this one asks, when meaning and the search agree; else ``None``."""
        match = self.nearest(question)
        if match is None or match.similarity < ASKED_FLOOR or match.lead < ASKED_LEAD:
            return None
        clear = match.lead >= ASKED_CLEAR_LEAD
        return match.asked if clear or answered_in(match.asked, passages[:ASKED_TOP]) else None


def answered_in(item: Asked, passages: list[Passage]) -> bool:
    """Whether one of the passages holds a line of the question's answer (or the question's line)."""
    spans = [item.place, *(b.span for b in item.answer)]
    return any(
        p.doc_id == s.doc_id and p.start <= max(s.start, s.end - 1) and s.start < p.end
        for p in passages
        for s in spans
    )
