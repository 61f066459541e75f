"""An answer as data: its text, verified citations, the passages behind them, and how it was made
(backend, notice, intent, conversation state, coverage, what retrieval found)."""

from __future__ import annotations

from dataclasses import dataclass, field

from advisor.grounding.citations import Citation
from advisor.index.search import Passage


@dataclass
class Answer:
    text: str
    citations: list[Citation] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
    refused: bool = False
    backend: str = "extractive"
    query: str = ""
    notice: str | None = None
    unsupported: list[str] = field(default_factory=list)
    relevance: float = 0.0
    intent: str = ""
    state: dict = field(default_factory=dict)
    coverage: dict = field(default_factory=dict)
    retrieved: list[Passage] = field(default_factory=list)  # the search results, best first

    def to_dict(self) -> dict:
        return {
            "text": self.text,
            "citations": [c.to_dict() for c in self.citations],
            "passages": [p.to_dict() for p in self.passages],
            "refused": self.refused,
            "backend": self.backend,
            "query": self.query,
            "notice": self.notice,
            "unsupported": self.unsupported,
            "relevance": round(self.relevance, 4),
            "intent": self.intent,
            "state": self.state,
            "coverage": self.coverage,
            "retrieved": [p.chunk_id for p in self.retrieved],
        }
