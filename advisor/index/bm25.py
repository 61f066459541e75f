"""BM25 over jieba tokens: the lexical side of hybrid retrieval, on ``bm25s``.

``bm25s`` precomputes every (passage, term) score once into a sparse matrix, so a query costs one
gather-and-add per query term and a partial sort instead of a Python loop over postings; the matrix
is a few numpy arrays that an ingest stores with its generation and a reader loads as they are
(:meth:`BM25.to_state` / :meth:`BM25.from_state`), so a replica never rebuilds it.

Scoring is Okapi BM25 with k1=1.5, b=0.75, ``tf·(k1+1)/(tf+k1·norm)`` (bm25s' "atire" term part)
and the non-negative idf ``log(1+(N−df+0.5)/(df+0.5))`` ("lucene" idf): a small corpus would make
the classic idf negative for common words.
"""

from __future__ import annotations

import logging
import math

import numpy as np

from advisor.text.tokens import tokenize

K1, B = 1.5, 0.75
ARRAYS = ("data", "indices", "indptr")


class BM25:
    """Okapi BM25 over pre-tokenised passages (positions in the list are the passage numbers)."""

    def __init__(self, corpus_tokens: list[list[str]] | None = None, k1: float = K1, b: float = B) -> None:
        import bm25s

        # bm25s sets its own logger to DEBUG when imported: every index build would reach the app's log.
        logging.getLogger("bm25s").setLevel(logging.WARNING)
        self.k1, self.b = k1, b
        self.model = bm25s.BM25(k1=k1, b=b, method="atire", idf_method="lucene")
        self.n = 0
        self._idf: np.ndarray | None = None
        if corpus_tokens is not None:
            self.n = len(corpus_tokens)
            if self.n and any(corpus_tokens):
                self.model.index(corpus_tokens, show_progress=False)
            else:  # bm25s cannot index an empty vocabulary: nothing matches anything
                self._set({"data": [], "indices": [], "indptr": [0], "num_docs": self.n}, {})

    def _set(self, scores: dict, vocab: dict[str, int]) -> None:
        self.model.scores = {
            "data": np.asarray(scores["data"], dtype=np.float32),
            "indices": np.asarray(scores["indices"], dtype=np.int32),
            "indptr": np.asarray(scores["indptr"], dtype=np.int64),
            "num_docs": int(scores["num_docs"]),
        }
        self.model.vocab_dict = vocab
        self.model.nonoccurrence_array = None  # only BM25L / BM25+ use one
        self.model.unique_token_ids_set = set(vocab.values())

    # -- persistence ---------------------------------------------------------------------------
    def to_state(self) -> tuple[dict, dict[str, np.ndarray]]:
        """The index as (JSON-able parameters and vocabulary, named numpy arrays)."""
        scores = self.model.scores
        params = {
            "k1": self.k1,
            "b": self.b,
            "num_docs": int(scores["num_docs"]),
            "vocab": self.model.vocab_dict,
        }
        return params, {name: np.asarray(scores[name]) for name in ARRAYS}

    @classmethod
    def from_state(cls, params: dict, arrays: dict[str, np.ndarray]) -> BM25:
        """An index saved by :meth:`to_state`, as it was (nothing is recomputed)."""
        bm25 = cls(k1=params["k1"], b=params["b"])
        bm25.n = int(params["num_docs"])
        bm25._set({**arrays, "num_docs": bm25.n}, params["vocab"])
        return bm25

    # -- scoring -------------------------------------------------------------------------------
    def idf_array(self) -> np.ndarray:
        """idf per term id: a term's column holds one score per passage that contains it (df)."""
        if self._idf is None:
            df = np.diff(self.model.scores["indptr"]).astype(np.float64)
            self._idf = np.log(1 + (self.n - df + 0.5) / (df + 0.5))
        return self._idf

    def idf_of(self, token: str) -> float:
        """idf of one term; an unseen term counts as rarer than any seen one."""
        i = self.model.vocab_dict.get(token) if token else None
        return float(self.idf_array()[i]) if i is not None else math.log(1 + (self.n + 0.5) / 0.5)

    def scores(self, query_tokens: list[str]) -> np.ndarray:
        """A score per passage; each distinct query term counts once."""
        vocab = self.model.vocab_dict
        ids = [vocab[t] for t in dict.fromkeys(query_tokens) if t and t in vocab]
        if not ids or not self.n:
            return np.zeros(self.n, dtype=np.float32)
        return self.model.get_scores_from_ids(ids)

    def top(self, query: str, k: int, mask: np.ndarray | None = None) -> list[tuple[int, float]]:
        """The ``k`` best passages that contain a query term (and pass ``mask``), best first; equal
        scores in passage order."""
        scores = self.scores(tokenize(query))
        hit = scores > 0 if mask is None else (scores > 0) & mask
        idx = np.flatnonzero(hit)
        if len(idx) > k:
            cut = np.partition(scores[idx], len(idx) - k)[len(idx) - k]
            idx = idx[scores[idx] >= cut]
        order = np.lexsort((idx, -scores[idx]))[:k]
        return [(int(idx[j]), float(scores[idx[j]])) for j in order]
