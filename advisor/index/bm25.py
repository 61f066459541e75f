"""BM25 over jieba tokens: the lexical side of hybrid retrieval."""

from __future__ import annotations

import math
from collections import Counter, defaultdict

from advisor.text.tokens import tokenize


class BM25:
    """Okapi BM25 over pre-tokenised passages; tiny, dependency-free and serialisable."""

    def __init__(self, corpus_tokens: list[list[str]], k1: float = 1.5, b: float = 0.75) -> None:
        self.k1, self.b = k1, b
        self.n = len(corpus_tokens)
        self.lengths = [len(t) for t in corpus_tokens]
        self.avgdl = (sum(self.lengths) / self.n) if self.n else 0.0
        self.postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for i, tokens in enumerate(corpus_tokens):
            for term, tf in Counter(tokens).items():
                self.postings[term].append((i, tf))
        # Non-negative idf: with a small corpus the classic formula goes negative for common words.
        self.idf = {
            t: math.log(1 + (self.n - len(p) + 0.5) / (len(p) + 0.5)) for t, p in self.postings.items()
        }

    def scores(self, query_tokens: list[str]) -> dict[int, float]:
        out: dict[int, float] = defaultdict(float)
        for term in set(query_tokens):
            idf = self.idf.get(term)
            if idf is None:
                continue
            for i, tf in self.postings[term]:
                norm = 1 - self.b + self.b * self.lengths[i] / (self.avgdl or 1)
                out[i] += idf * tf * (self.k1 + 1) / (tf + self.k1 * norm)
        return dict(out)

    def top(self, query: str, k: int) -> list[tuple[int, float]]:
        ranked = sorted(self.scores(tokenize(query)).items(), key=lambda kv: (-kv[1], kv[0]))
        return ranked[:k]
