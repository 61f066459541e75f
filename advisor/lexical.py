"""Lexical side of hybrid retrieval: jieba (search mode) with a domain dictionary, and BM25."""

from __future__ import annotations

import logging
import math
import re
from collections import Counter, defaultdict
from functools import lru_cache
from pathlib import Path

import jieba

DOMAIN_DICT = Path(__file__).with_name("domain_dict.txt")
# Function words carry no topic; dropping them keeps colloquial questions from matching everything.
STOPWORDS = frozenset(
    w.strip()
    for w in Path(__file__).with_name("stopwords.txt").read_text("utf-8").splitlines()
    if w.strip() and not w.startswith("#")
)
_KEEP = re.compile(r"[\w\u4e00-\u9fff]")


@lru_cache(maxsize=1)
def _tokenizer() -> jieba.Tokenizer:
    """One jieba tokenizer per process, with the domain words loaded (startup ~1 s)."""
    jieba.setLogLevel(logging.WARNING)
    tok = jieba.Tokenizer()
    tok.load_userdict(str(DOMAIN_DICT))
    return tok


# Below this IDF (jieba's general Chinese table) a word is everyday: 东西 4.8, 需求 5.2; 县城 7.0 is not.
EVERYDAY_IDF = 6.5


@lru_cache(maxsize=1)
def _general_idf() -> dict[str, float]:
    from jieba.analyse import default_tfidf  # loads jieba's IDF table once, on first use

    return default_tfidf.idf_freq


def is_everyday(word: str) -> bool:
    """A word too common in Chinese at large to identify anything ("东西", "现在"), whatever the corpus
    says; words jieba's table lacks (码农, 社区团购) are rare by definition."""
    return _general_idf().get(word, math.inf) < EVERYDAY_IDF


def tokenize(text: str, search: bool = True) -> list[str]:
    """jieba tokens (search mode: compounds and their parts), lower-cased, without punctuation or
    stopwords."""
    tok = _tokenizer()
    out = []
    for token in tok.lcut_for_search(text.lower()) if search else tok.lcut(text.lower()):
        token = token.strip()
        if token and _KEEP.search(token) and token not in STOPWORDS:
            out.append(token)
    return out


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
