"""Fresh sets (``evals/fresh/*.jsonl``): questions written from the articles alone by writers who never
read the code or the golden set, frozen before any tuning. Nobody may tune on them, so a run shows
aggregate scores and per-kind tables only; each case's question, answer and scores go to a git-ignored
file under ``evals/reports/fresh/``.

One JSON object a line: ``id``, ``kind``, ``turns`` (or ``question``), ``answerable``, ``key_points``
(groups of alternatives, the first verbatim in the corpus), ``gold`` (``doc_id``, ``quote``),
``reference_answer``, ``notes``. Kinds: 路径, 岗位解读, 风险防控, 工具包, 故事, 痛点; 近域 (not
answerable: refused or "文章没有讲到…") and 域外 (not answerable: refused); ``multi`` marks a
conversation of several kinds (scored in the multi-turn group only), and 风险 is read as 风险防控. The new-article questions
(``evals/newarticle/*.jsonl``) use the same format.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from .gates import Gate, check_gates
from .golden import Case, Gold
from .runner import CaseResult, RunResult, aggregate, evaluate

FRESH_DIR = Path(__file__).with_name("fresh")
DETAIL_DIR = Path(__file__).with_name("reports") / "fresh"
ANSWERABLE_KINDS = ("路径", "岗位解读", "风险防控", "工具包", "故事", "痛点")
KINDS = (*ANSWERABLE_KINDS, "近域", "域外")
MULTI = "multi"
# Writers' own spellings of a kind (``multi``, a conversation of several kinds, is accepted as it is).
KIND_ALIASES = {"风险": "风险防控"}
# Issue 19's floors. Not part of ``--ci`` yet: ``python -m evals --fresh`` is the explicit check.
FRESH_GATES: tuple[Gate, ...] = (
    Gate("coverage", 0.85),
    *(Gate("coverage", 0.80, group=kind) for kind in (*ANSWERABLE_KINDS, MULTI)),
    Gate("false_not_covered", 0.02, lower_is_better=True),  # answerable but refused or "not covered"
    Gate("answer_length", 450, lower_is_better=True),
    Gate("honest_rate", 0.90),  # 近域: refused or "文章没有讲到…"
    Gate("refusal_accuracy", 1.00),  # 域外: refused
    Gate("errors", 0, lower_is_better=True),
)


def _case(raw: dict, split: str) -> Case:
    turns = raw.get("turns") or [raw["question"]]
    kind = KIND_ALIASES.get(raw["kind"], raw["kind"])
    if kind not in (*KINDS, MULTI):
        msg = f"unknown kind {raw['kind']!r} (one of {', '.join(KINDS)}, {MULTI})"
        raise ValueError(msg)
    return Case(
        id=raw["id"],
        question=turns[0] if len(turns) == 1 else None,
        turns=list(turns) if len(turns) > 1 else None,  # multi-turn = more than one turn
        role=None,
        reference_answer=raw.get("reference_answer", ""),
        gold=[Gold(g["doc_id"], g["quote"]) for g in raw.get("gold", [])],
        key_points=raw["key_points"],
        answerable=raw["answerable"],
        tags=[kind],  # 近域 is the evaluators' near-domain tag too
        split=split,
    )


def load_written(path: Path, split: str = "fresh") -> list[Case]:
    """The cases of one file in the writers' format (see the module docstring)."""
    cases = []
    for n, line in enumerate(path.read_text("utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            cases.append(_case(json.loads(line), split))
        except (KeyError, ValueError) as exc:
            msg = f"{path.name}:{n}: {exc}"
            raise ValueError(msg) from exc
    return cases


def fresh_sets(folder: Path | None = None) -> list[Path]:
    return sorted((folder or FRESH_DIR).glob("*.jsonl"))


def by_kind(results: Sequence[CaseResult], cases: Sequence[Case]) -> dict[str, dict]:
    """Scores per kind, and for the multi-turn cases together."""
    kind = {c.id: c.tags[0] for c in cases}
    multi = {c.id for c in cases if c.turns}
    out = {}
    for name in KINDS:
        members = [r for r in results if kind[r.id] == name]
        if members:
            out[name] = aggregate(members)
    members = [r for r in results if r.id in multi]
    if members:
        out[MULTI] = aggregate(members)
    return out


def run_fresh(adv, path: Path, progress: Callable[[str], None] | None = None) -> RunResult:
    """Answer and score one fresh set, gated by ``FRESH_GATES``; the run is private (no case shown)."""
    cases = load_written(path)
    run = evaluate(adv, cases, label=f"fresh:{path.stem}", progress=progress)
    run.groups = by_kind(run.cases, cases)
    run.splits = {}
    run.private = True
    run.gates, run.failures = check_gates(run.metrics, FRESH_GATES, groups=run.groups)
    run.gated = "fresh set: floors in evals/fresh.py (FRESH_GATES); checked by --fresh, not part of --ci yet"
    return run


def write_detail(run: RunResult, folder: Path | None = None) -> Path:
    """Every case of a fresh run (question, answer, scores) to a git-ignored file, for reading later."""
    folder = folder or DETAIL_DIR
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{run.label.removeprefix('fresh:')}.json"
    path.write_text(json.dumps(run.to_dict(), ensure_ascii=False, indent=1), "utf-8")
    return path


def counting(total: int) -> Callable[[str], None]:
    """Progress without case ids or scores: a fresh set's cases are not shown, not even by name."""
    seen = [0]

    def progress(_line: str) -> None:
        seen[0] += 1
        if seen[0] % 10 == 0 or seen[0] == total:
            print(f"  {seen[0]}/{total}", file=sys.stderr, flush=True)

    return progress
