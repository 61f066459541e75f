"""Closeness in meaning of single sentences to a question: a story's detail asked in other words than the
story's ("进去之后他具体做了哪些事" → "他把产品从 30 多个款砍到 8 个…") shares no word with it, and the dense
search ranks whole chunks, so every sentence of a chunk looks alike to it.

Sentences are embedded as passages when first read (the stories' at warm-up) and kept per embedder, by
text: a new index generation with the same articles embeds none again. The question is embedded as a query
(the default embedder caches those)."""

from __future__ import annotations

import threading
import weakref
from collections.abc import Sequence

import numpy as np
from langchain_core.embeddings import Embeddings

# sentence vectors per embedder: a new index generation (or another Advisor in the process) with the same
# articles does not embed them again
_SENTENCES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def _cache(embedder: Embeddings) -> dict[str, np.ndarray]:
    try:
        return _SENTENCES.setdefault(embedder, {})
    except TypeError:  # an embedder that cannot be weakly referenced: no cache across readers
        return {}


class SentenceMeaning:
    """How close in meaning each sentence is to a question (cosine); the embedder is handed in."""

    def __init__(self, embedder: Embeddings) -> None:
        self.embedder = embedder
        self._vectors = _cache(embedder)

    def warm(self, texts: Sequence[str]) -> None:
        """Embed ``texts`` now (the stories' sentences, at start-up): the first visitor asking about a story
        does not wait for its sentences (~1 s for a story of 40 sentences on two cores)."""
        with _LOCK:
            missing = list(dict.fromkeys(t for t in texts if t not in self._vectors))
            if missing:
                for text, vec in zip(missing, self.embedder.embed_documents(missing), strict=True):
                    self._vectors[text] = np.asarray(vec, dtype=np.float32)

    def __call__(self, question: str, texts: Sequence[str]) -> np.ndarray:
        if not texts or not question.strip():
            return np.zeros(len(texts), dtype=np.float32)
        self.warm(texts)
        with _LOCK:
            matrix = np.stack([self._vectors[t] for t in texts])
        vec = np.asarray(self.embedder.embed_query(question), dtype=np.float32)
        return matrix @ vec
