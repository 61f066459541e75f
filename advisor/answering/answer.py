"""An answer as data: its text, verified citations, the passages behind them, and how it was made
(backend, notice, intent, conversation state, coverage, what retrieval found)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from advisor.errors import AdvisorError
from advisor.grounding.citations import Citation, cited_dict
from advisor.grounding.quotes import Line, finish
from advisor.index.search import Passage

if TYPE_CHECKING:
    from advisor.answering.derived import Derived


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
            **cited_dict(self.text, self.citations, self.passages),
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


def final_answer(items: Iterable[str | Answer]) -> Answer:
    """The ``Answer`` that ends a stream: ``ask`` is ``stream`` read to its end."""
    final = None
    for item in items:
        if isinstance(item, Answer):
            final = item
    if final is None:
        msg = "没有得到回答，请再问一次"
        raise AdvisorError(msg)
    return final


def quoted_answer(lines: list[Line], derived: Derived, question: str, intent: str, state: dict) -> Answer:
    """An answer built from label lines and verbatim quotes (a plan's section, a followed plan's week),
    numbered and verified like the chat's own."""
    text, citations, passages, unsupported = finish(lines, derived.bodies, derived.chunks)
    return Answer(
        text=text,
        citations=citations,
        passages=passages,
        unsupported=unsupported,
        backend="extractive",
        query=question,
        intent=intent,
        state=state,
    )
