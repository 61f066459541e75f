"""Paraphrase robustness (``evals/paraphrases.jsonl``): each golden case asked in its own wording and in
two others (lists of turns, written by writers who never read the code), scored by the same key points.
A user should get the same answer however they phrase it, so the report gives key-point coverage's mean
and minimum over the three wordings, overall and per golden group. Reported, not gated.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

from .evaluators import key_points
from .golden import GROUPS, Case, case_groups
from .runner import RunResult, evaluate

PARAPHRASES = Path(__file__).with_name("paraphrases.jsonl")
DETAIL = Path(__file__).with_name("reports") / "paraphrases" / "paraphrases.json"
SEP = "~p"  # a variant's id: the golden id, SEP, its number


def load_paraphrases(path: Path = PARAPHRASES) -> dict[str, list[list[str]]]:
    """Golden id -> its paraphrases, each a list of turns."""
    rows = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    return {r["id"]: [list(turns) for turns in r["paraphrases"]] for r in rows}


def variants(cases: Sequence[Case], paraphrases: dict[str, list[list[str]]]) -> list[Case]:
    """Each answerable case followed by its paraphrased copies (same key points, other wording)."""
    out: list[Case] = []
    for case in cases:
        if not case.answerable or case.id not in paraphrases:
            continue
        out.append(case)
        for n, turns in enumerate(paraphrases[case.id], 1):
            single = len(turns) == 1
            out.append(
                replace(
                    case,
                    id=f"{case.id}{SEP}{n}",
                    question=turns[0] if single else None,
                    turns=None if single else turns,
                )
            )
    return out


def robustness(run: RunResult, cases: Sequence[Case]) -> dict[str, dict]:
    """Per golden group (and ``all``): the mean over cases of their coverage's mean and minimum across
    the wordings, and the number of cases."""
    by_case: dict[str, list[float]] = {}
    for r in run.cases:
        by_case.setdefault(r.id.split(SEP)[0], []).append(r.score("coverage") or 0.0)
    groups = {c.id: case_groups(c) for c in cases if c.id in by_case}
    out = {}
    for code in ["all", *(code for code, _ in GROUPS)]:
        ids = [i for i in by_case if code == "all" or code in groups[i]]
        if ids:
            out[code] = {
                "cases": len(ids),
                "coverage_mean": round(statistics.fmean(statistics.fmean(by_case[i]) for i in ids), 4),
                "coverage_min": round(statistics.fmean(min(by_case[i]) for i in ids), 4),
                "original": round(statistics.fmean(by_case[i][0] for i in ids), 4),
            }
    return out


def run_paraphrases(adv, cases: Sequence[Case], progress: Callable[[str], None] | None = None) -> RunResult:
    """Answer every answerable case in its three wordings; ``run.groups`` holds the robustness table."""
    asked = variants(cases, load_paraphrases())
    run = evaluate(adv, asked, label="paraphrases", evaluators=(key_points,), progress=progress)
    run.groups = robustness(run, cases)
    run.splits = {}
    run.gated = "paraphrases: reported, not gated"
    return run


def rows(run: RunResult) -> list[list]:
    names = {**dict(GROUPS), "all": "全部"}
    return [
        [f"{code} {names[code]}", m["cases"], m["original"], m["coverage_mean"], m["coverage_min"]]
        for code, m in run.groups.items()
    ]


HEADERS = ("group", "cases", "cov original", "cov mean of 3", "cov min of 3")


def write_detail(run: RunResult, path: Path | None = None) -> Path:
    path = path or DETAIL
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(run.to_dict(), ensure_ascii=False, indent=1), "utf-8")
    return path
