"""Is a question in scope? A nearest-example vote in embedding space, plus retrieval evidence.

Dense similarities from e5 are compressed (unrelated questions still score ~0.85), so a plain
threshold on retrieval scores cannot separate "老张后来怎么样了" from "明天会下雨吗". Comparing the
question with labelled example questions (``scope.yaml``) gives a margin that can.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import yaml
from langchain_core.embeddings import Embeddings

SCOPE_FILE = Path(__file__).with_name("scope.yaml")


class ScopeGate:
    def __init__(self, embedder: Embeddings, path: Path = SCOPE_FILE, top: int = 3) -> None:
        data = yaml.safe_load(path.read_text("utf-8"))
        self.embedder = embedder
        self.top = top
        self.inside = self._embed(data["in_scope"])
        self.outside = self._embed(data["out_of_scope"])

    def _embed(self, texts: list[str]) -> np.ndarray:
        batch = getattr(self.embedder, "embed_queries", None)
        vectors = batch(texts) if batch else [self.embedder.embed_query(t) for t in texts]
        return np.asarray(vectors, dtype=np.float32)

    def _top_mean(self, matrix: np.ndarray, vec: np.ndarray) -> float:
        sims = np.sort(matrix @ vec)[::-1]
        return float(sims[: self.top].mean())

    def margin(self, question: str) -> float:
        """Positive when the question looks like the in-scope examples."""
        vec = np.asarray(self.embedder.embed_query(question), dtype=np.float32)
        return self._top_mean(self.inside, vec) - self._top_mean(self.outside, vec)
