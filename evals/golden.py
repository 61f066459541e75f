"""The golden Q&A set: loading cases, resolving gold quotes to character spans in the corpus, the
groups and subsets reports are cut by, and its gates (floors here, scores in ``baseline.json``)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from .gates import Gate

GOLDEN = Path(__file__).with_name("golden.jsonl")
BASELINE = Path(__file__).resolve().with_name("baseline.json")


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
    split: str = "tune"  # "holdout": never looked at while tuning weights, prompts or word lists

    @property
    def last_question(self) -> str:
        return self.turns[-1] if self.turns else (self.question or "")


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
                    split=raw.get("split", "tune"),
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


def golden_digest(path: Path = GOLDEN) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


# Groups a case can belong to (a case may be in several); codes keep charts ASCII-only.
GROUPS: tuple[tuple[str, str], ...] = (
    ("tech", "技术"),
    ("prod", "产品"),
    ("ops", "运营"),
    ("mkt", "市场"),
    ("story", "大厂故事"),
    ("explainer", "岗位解读"),
    ("multi", "多轮"),
    ("cross", "跨文档"),
    ("trans", "转岗"),
    ("cmp", "对比"),
    ("near", "近域"),
    ("oos", "拒答"),
)
SPLITS = ("tune", "holdout")
_ROLE_CODES = {"技术": "tech", "产品": "prod", "运营": "ops", "市场": "mkt"}


def case_groups(case: Case) -> list[str]:
    tags = set(case.tags)
    prefix = case.id.split("-", 1)[0]
    out = [code for role, code in _ROLE_CODES.items() if case.role == role or role in tags]
    if prefix == "story" or "故事" in tags:
        out.append("story")
    if prefix == "role" or "岗位解读" in tags:
        out.append("explainer")
    if case.turns or "多轮" in tags:
        out.append("multi")
    if "跨文档" in tags or len({g.doc_id for g in case.gold}) > 1:
        out.append("cross")
    for code, prefix_or_tag in (("trans", "转岗"), ("cmp", "对比"), ("near", "近域")):
        if prefix == code or prefix_or_tag in tags:
            out.append(code)
    if not case.answerable and "近域" not in tags:
        out.append("oos")
    return out


def pick_subset(cases: Sequence[Case], n: int) -> list[Case]:
    """``n`` cases spread over the id prefixes (round-robin, file order): small runs still see
    every kind of question."""
    buckets: dict[str, list[Case]] = {}
    for c in cases:
        buckets.setdefault(c.id.split("-", 1)[0], []).append(c)
    out: list[Case] = []
    while len(out) < min(n, len(cases)):
        for b in buckets.values():
            if b and len(out) < n:
                out.append(b.pop(0))
    order = {c.id: i for i, c in enumerate(cases)}
    return sorted(out, key=lambda c: order[c.id])


def select(cases: list[Case], ids: str | None = None, subset: int | None = None) -> list[Case]:
    """The cases named in ``ids`` (comma-separated), or a spread ``subset``, or all."""
    if ids:
        wanted = [s.strip() for s in ids.split(",") if s.strip()]
        by_id = {c.id: c for c in cases}
        missing = [w for w in wanted if w not in by_id]
        if missing:
            msg = f"unknown case ids: {', '.join(missing)}"
            raise ValueError(msg)
        return [by_id[w] for w in wanted]
    return pick_subset(cases, subset) if subset else cases


def generative_smoke_cases(cases: Sequence[Case]) -> list[Case]:
    """2 answerable single-turn questions (a story, an explainer) + 1 out-of-scope: the path, not quality."""
    picked: list[Case] = []
    for prefix in ("story", "role"):
        c = next((c for c in cases if c.id.startswith(prefix + "-") and c.answerable and not c.turns), None)
        if c:
            picked.append(c)
    c = next((c for c in cases if not c.answerable and "注入" not in c.tags), None)
    if c:
        picked.append(c)
    return picked


# Floors for the offline extractive mode on the full golden set. Answer length is in characters and
# gated on the median. Gold precision's floor comes from the first honest run of the composer (0.43 on
# the 180 cases; 0.40 once the budget counted what a reader reads): a drop below 0.35 means answers
# filled with text about something else.
GATES: tuple[Gate, ...] = (
    Gate("hit@5", 0.95),
    Gate("mrr", 0.80),
    Gate("coverage", 0.85),
    Gate("coverage", 0.85, group="multi"),
    Gate("answer_length", 450, lower_is_better=True, tolerance=20),
    Gate("gold_precision", 0.35),
    Gate("repeated_heading", 0, lower_is_better=True, tolerance=0.0),
    Gate("citation_validity", 1.00, tolerance=0.0),
    Gate("citation_recall", 0.95),
    Gate("citation_precision", None),
    Gate("refusal_accuracy", 0.90),
    Gate("false_refusal_rate", 0.05, lower_is_better=True),
    Gate("honest_rate", 0.90),
    Gate("false_not_covered", 0.05, lower_is_better=True),
    Gate("errors", 0, lower_is_better=True, tolerance=0.0),
    Gate("rouge_l", None),
)


def baseline_record(run) -> dict:
    """What ``--update-baseline`` writes: the run's gated scores and what they were measured on."""
    keep = [g.metric for g in GATES if not g.group] + ["hit@1", "hit@3", "ndcg@5", "cases", "answerable"]
    grouped = {g.key: run.groups.get(g.group, {}).get(g.metric) for g in GATES if g.group}
    return {
        "backend": run.backend,
        "cases": len(run.cases),
        "golden_sha256": golden_digest(),
        "settings": {k: run.settings[k] for k in ("top_k", "retrieval_mode", "embedder")},
        "updated": datetime.now(UTC).isoformat(timespec="seconds"),
        "note": "Last accepted extractive scores. Update only with: python -m evals --update-baseline",
        "metrics": {**{k: run.metrics[k] for k in keep if k in run.metrics}, **grouped},
    }
