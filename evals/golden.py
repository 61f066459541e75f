"""The golden Q&A set: loading, and resolving gold quotes to character spans in the corpus."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

GOLDEN = Path(__file__).with_name("golden.jsonl")


@dataclass
class Gold:
    doc_id: str
    quote: str
    start: int = -1
    end: int = -1


@dataclass
class Case:
    id: str
    question: str | None
    turns: list[str] | None
    role: str | None
    reference_answer: str
    gold: list[Gold]
    key_points: list[list[str]]
    answerable: bool
    tags: list[str] = field(default_factory=list)

    @property
    def last_question(self) -> str:
        return self.turns[-1] if self.turns else (self.question or "")

    @property
    def history_questions(self) -> list[str]:
        return list(self.turns[:-1]) if self.turns else []


def load_cases(path: Path = GOLDEN) -> list[Case]:
    cases = []
    for n, line in enumerate(path.read_text("utf-8").splitlines(), 1):
        if not line.strip():
            continue
        raw = json.loads(line)
        try:
            cases.append(
                Case(
                    id=raw["id"],
                    question=raw.get("question"),
                    turns=raw.get("turns"),
                    role=raw.get("role"),
                    reference_answer=raw["reference_answer"],
                    gold=[Gold(g["doc_id"], g["quote"]) for g in raw["gold"]],
                    key_points=raw["key_points"],
                    answerable=raw["answerable"],
                    tags=raw.get("tags", []),
                )
            )
        except KeyError as exc:
            msg = f"{path.name}:{n}: missing field {exc}"
            raise ValueError(msg) from exc
    return cases


def resolve_spans(cases: list[Case], bodies: dict[str, str]) -> None:
    """Turn each gold quote into a ``start``/``end`` span of its document body (raises if absent)."""
    for case in cases:
        for g in case.gold:
            body = bodies.get(g.doc_id)
            if body is None or g.quote not in body:
                msg = f"{case.id}: gold quote not found in {g.doc_id}: {g.quote!r}"
                raise ValueError(msg)
            g.start = body.index(g.quote)
            g.end = g.start + len(g.quote)
