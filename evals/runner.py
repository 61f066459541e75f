"""The run loop: a task callable answers each case, the evaluators score it, the scores are averaged.

``run(task, cases, evaluators, ...)`` knows nothing of the advisor; ``evaluate(adv, cases)`` is the
advisor-specific wrapper (multi-turn replay, warm-up, settings in the result).
"""

from __future__ import annotations

import logging
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from advisor.answering.answer import Answer
from testkit.calls import ModelCalls

from .evaluators import AGGREGATES, DEFAULT_EVALUATORS, Context, Evaluator
from .generative import GENERATIVE_EVALUATORS, refusal_without_model
from .golden import GROUPS, SPLITS, Case, case_groups, resolve_spans
from .metrics import overlaps

log = logging.getLogger(__name__)
WARMUP_QUESTION = "35岁做产品的，想转型有哪些路径？"


@dataclass
class CaseResult:
    id: str
    groups: list[str]
    question: str
    turns: list[str]
    answerable: bool
    text: str = ""
    refused: bool = False
    backend: str = ""
    notice: str | None = None
    seconds: float = 0.0
    error: str | None = None
    scores: dict[str, float | None] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def refusal_ok(self) -> bool:
        return self.error is None and self.refused != self.answerable

    def score(self, name: str) -> float | None:
        return self.scores.get(name)

    def to_dict(self) -> dict:
        return {**asdict(self), "refusal_ok": self.refusal_ok}


@dataclass
class RunResult:
    label: str
    backend: str
    settings: dict
    cases: list[CaseResult]
    metrics: dict
    groups: dict[str, dict]
    seconds: float
    gates: list[dict] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    gated: str = ""  # what was gated and how, in words
    splits: dict[str, dict] = field(default_factory=dict)  # tune / holdout, reported side by side
    # A set nobody may tune on (the fresh sets): reports show its scores, never its questions or answers.
    private: bool = False

    def to_dict(self, with_cases: bool = True) -> dict:
        return {
            "label": self.label,
            "backend": self.backend,
            "settings": self.settings,
            "seconds": round(self.seconds, 1),
            "metrics": self.metrics,
            "groups": self.groups,
            "gates": self.gates,
            "failures": self.failures,
            "gated": self.gated,
            "splits": self.splits,
            "private": self.private,
            "cases": [c.to_dict() for c in self.cases] if with_cases else [],
        }


def score(ctx: Context, evaluators: Sequence[Evaluator]) -> tuple[dict, dict]:
    scores: dict[str, float | None] = {}
    details: dict[str, Any] = {}
    for evaluator in evaluators:
        out = evaluator(ctx)
        scores.update(out.scores)
        details.update(out.details)
    return scores, details


def run(
    task: Callable[[Case], Answer],
    cases: Sequence[Case],
    bodies: dict[str, str],
    evaluators: Sequence[Evaluator] = DEFAULT_EVALUATORS,
    n_relevant: Callable[[Case], int] = lambda c: 0,
    progress: Callable[[str], None] | None = None,
) -> list[CaseResult]:
    """Answer and score every case; a crash is a result (scored as an empty answer), not the end."""
    results = []
    for i, case in enumerate(cases, 1):
        t0 = time.perf_counter()
        error = None
        try:
            answer = task(case)
        except Exception as exc:
            log.exception("case %s crashed", case.id)
            answer, error = Answer(text=""), f"{type(exc).__name__}: {exc}"[:300]
        seconds = time.perf_counter() - t0
        scores, details = score(Context(case, answer, bodies, n_relevant(case)), evaluators)
        r = CaseResult(
            id=case.id,
            groups=case_groups(case),
            question=case.last_question,
            turns=list(case.turns or []),
            answerable=case.answerable,
            text=answer.text,
            refused=bool(answer.refused),
            backend=answer.backend if error is None else "",
            notice=answer.notice,
            seconds=round(seconds, 3),
            error=error,
            scores=scores,
            details=details,
        )
        results.append(r)
        if progress:
            flag = "ERROR" if r.error else ("refused" if r.refused else f"cov={_fmt(r.score('coverage'))}")
            progress(f"[{i}/{len(cases)}] {case.id} {r.seconds:.1f}s {flag}")
    return results


def _fmt(x) -> str:
    return "-" if x is None else f"{x:.2f}"


def mean(values) -> float | None:
    vals = [v for v in values if v is not None]
    return round(sum(vals) / len(vals), 4) if vals else None


def summed(name: str, values) -> float | None:
    """The run's value of a score: its mean over the cases it applies to, or its own aggregate."""
    vals = [v for v in values if v is not None]
    if name in AGGREGATES:
        return round(float(AGGREGATES[name](vals)), 4) if vals else None
    return mean(vals)


def aggregate(results: Sequence[CaseResult]) -> dict:
    """Every score averaged over the cases it applies to, plus counts and latency."""
    names = list(dict.fromkeys(n for r in results for n in r.scores))
    lat = [r.seconds for r in results]
    m: dict = {"cases": len(results), "answerable": sum(r.answerable for r in results)}
    m.update({n: summed(n, [r.scores.get(n) for r in results]) for n in names})
    m["errors"] = sum(r.error is not None for r in results)
    m["fallbacks"] = sum(bool(r.notice) and not r.refused for r in results)
    m["latency_mean_s"] = round(statistics.fmean(lat), 3) if lat else None
    m["latency_p50_s"] = round(statistics.median(lat), 3) if lat else None
    return m


def by_group(results: Sequence[CaseResult]) -> dict[str, dict]:
    out = {}
    for code, _ in GROUPS:
        members = [r for r in results if code in r.groups]
        if members:
            out[code] = aggregate(members)
    return out


def by_split(results: Sequence[CaseResult], cases: Sequence[Case]) -> dict[str, dict]:
    split_of = {c.id: c.split for c in cases}
    out = {}
    for split in SPLITS:
        members = [r for r in results if split_of.get(r.id) == split]
        if members:
            out[split] = aggregate(members)
    return out


def play(adv, case: Case) -> Answer:
    """Ask the case's question; multi-turn cases replay the turns with the advisor's own answers."""
    history: list[dict] = []
    answer = None
    for q in case.turns or [case.question or ""]:
        answer = adv.ask(q, history=list(history), role=case.role)
        history += [{"role": "user", "content": q}, {"role": "assistant", "content": answer.text}]
    return answer


def counted_play(adv) -> tuple[Callable[[Case], Answer], Callable[[str], int | None]]:
    """``play`` for ``adv``, and the number of chat-model calls each case made (``None``: no model)."""
    model = adv.answerer.chat_model
    counter = ModelCalls.attach(model) if model is not None else None
    calls: dict[str, int | None] = {}

    def task(case: Case) -> Answer:
        before = counter.count if counter else 0
        try:
            return play(adv, case)
        finally:
            calls[case.id] = counter.count - before if counter else None

    return task, calls.get


def warm_up(adv) -> float:
    """Load jieba, the scope examples, the chat model… before the clock runs; returns the seconds."""
    t0 = time.perf_counter()
    if adv.backend == "extractive":  # (``adv.backend`` loads the chat model)
        adv.ask(WARMUP_QUESTION)
    else:  # a full generative answer would cost a whole generation; load and retrieve only
        adv.search(WARMUP_QUESTION)
    return time.perf_counter() - t0


def evaluate(
    adv,
    cases: Sequence[Case],
    label: str | None = None,
    evaluators: Sequence[Evaluator] = DEFAULT_EVALUATORS,
    progress: Callable[[str], None] | None = None,
    warmup: bool = True,
) -> RunResult:
    """Answer and score every case with one advisor (its settings pick backend and top-k)."""
    bodies = adv.snapshot.bodies
    cases = list(cases)
    resolve_spans(cases, bodies)
    chunks = adv.snapshot.chunks

    def n_relevant(case: Case) -> int:
        # Several gold quotes often sit in one chunk, so the number of quotes would overstate it.
        return sum(overlaps(c.doc_id, c.start, c.end, case.gold) for c in chunks)

    warmup_s = warm_up(adv) if warmup else 0.0
    task, calls = counted_play(adv)
    evaluators = (*evaluators, *GENERATIVE_EVALUATORS, refusal_without_model(calls))
    started = time.perf_counter()
    results = run(task, cases, bodies, evaluators, n_relevant, progress)
    s = adv.settings
    return RunResult(
        label=label or adv.backend,
        backend=adv.backend,
        settings={
            "llm": s.llm,
            "top_k": s.top_k,
            "retrieval_mode": s.retrieval_mode,
            "embedder": s.embedder,
            "max_tokens": s.max_tokens,
            "data_dir": str(s.data_dir),
            "warmup_s": round(warmup_s, 1),
        },
        cases=results,
        metrics=aggregate(results),
        groups=by_group(results),
        seconds=time.perf_counter() - started,
        splits=by_split(results, cases),
    )
