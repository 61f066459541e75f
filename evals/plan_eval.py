"""Plan cases (``evals/plans.jsonl``): personas for the 转型规划, scored and gated in the extractive run.

Each case gives a person's inputs and what their plan must hold: the path order the goal implies, the
sections (and a section that must be absent, the reserve for enough savings), key points per section
(first alternative verbatim in the corpus, as in the golden set), and what the plan must say the
articles do not cover. Scored from the plan's text and citations, as a reader would check it:

- ``plan_sections``: required sections present, absent ones absent (share of checks);
- ``plan_order``: the paths appear in the expected order (1/0);
- ``coverage``: share of key-point groups found in their own section;
- ``citation_validity``: the chat answers' check (``evaluators.citation_validity``);
- ``plan_faithful``: every number and name in a quoted part appears in the passages it cites, and an
  unquoted part holds no number but the person's own and the plan's headings' (1/0);
- ``plan_honest``: share of the expected "文章没有讲到…" lines present.
"""

from __future__ import annotations

import json
import re
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from advisor.grounding.format import NOT_COVERED

from .evaluators import Context, Scored, citation_validity
from .gates import Gate, check_gates
from .metrics import keypoint_hits
from .runner import RunResult, aggregate, by_group, run

PLANS = Path(__file__).with_name("plans.jsonl")
PATHS = ("纵向深耕", "横向跨界", "斜向突破")
PLAN_GATES: tuple[Gate, ...] = (
    Gate("plan_sections", 1.0, tolerance=0.0),
    Gate("plan_order", 1.0, tolerance=0.0),
    Gate("coverage", 0.95),
    Gate("citation_validity", 1.0, tolerance=0.0),
    Gate("plan_faithful", 1.0, tolerance=0.0),
    Gate("plan_honest", 1.0, tolerance=0.0),
    Gate("errors", 0, lower_is_better=True, tolerance=0.0),
)
_HEADING = re.compile(r"^##\s+(?:\d+\.\s*)?(.+?)\s*$")
_SEGMENT = re.compile(r"(.*?)((?:\[\d{1,3}\])+)")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_LATIN = re.compile(r"[A-Za-z][A-Za-z0-9+]*")


@dataclass
class PlanCase:
    """A persona and what their plan must hold. Looks like a golden ``Case`` to the run loop."""

    id: str
    inputs: dict
    path_order: list[str]
    sections: list[str]
    absent: list[str]
    key_points: dict[str, list[list[str]]]
    not_covered: list[str]
    tags: list[str] = field(default_factory=list)
    gold: list = field(default_factory=list)
    turns: list | None = None
    answerable: bool = True

    @property
    def role(self) -> str:
        return self.inputs.get("role", "")

    @property
    def last_question(self) -> str:
        i = self.inputs
        return f"{i['role']}{i['level']}·{i['years']}年·目标{i['goal']}·存款{i['savings_months']}个月·每周{i['hours']}小时"


def load_plan_cases(path: Path = PLANS) -> list[PlanCase]:
    """The cases of ``plans.jsonl``, one JSON object a line (the fields of ``PlanCase``)."""
    rows = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    known = set(PlanCase.__dataclass_fields__)
    try:
        return [PlanCase(**{k: v for k, v in raw.items() if k in known}) for raw in rows]
    except TypeError as exc:
        msg = f"{path.name}: {exc}"
        raise ValueError(msg) from exc


def sections_of(text: str) -> dict[str, str]:
    """The plan's sections by title (the "## N. " number dropped), each with its text."""
    out: dict[str, list[str]] = {}
    current = None
    for line in text.splitlines():
        m = _HEADING.match(line)
        if m:
            current = m.group(1)
            out[current] = []
        elif current is not None:
            out[current].append(line)
    return {k: "\n".join(v) for k, v in out.items()}


def path_order(section: str) -> list[str]:
    """The paths in the order their own headings (bold lines) name them."""
    heads = [ln for ln in section.splitlines() if ln.strip().startswith("**")]
    found = []
    for ln in heads:
        found += [p for p in PATHS if p in ln and p not in found]
    return found


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


@lru_cache(maxsize=1)
def _person_names() -> tuple[str, ...]:
    from advisor.kb.facts import packaged_knowledge

    return packaged_knowledge().person_names


def _names(text: str) -> set[str]:
    return {w.lower() for w in _LATIN.findall(text)} | {n for n in _person_names() if n in text}


def faithful_problems(answer, allowed: set[str]) -> list[str]:
    """Numbers and names of quoted parts missing from their cited passages; numbers in unquoted parts
    that are neither the person's own nor the headings'."""
    problems = []
    passages = answer.passages
    for line in answer.text.splitlines():
        if line.startswith("#"):
            continue
        cells = line.strip().strip("|").split("|") if line.lstrip().startswith("|") else [line]
        for cell in cells:
            end = 0
            for m in _SEGMENT.finditer(cell):
                ids = [int(x) for x in re.findall(r"\d+", m.group(2))]
                evidence = _norm(" ".join(passages[i - 1].text for i in ids if 1 <= i <= len(passages)))
                said = _norm(m.group(1))
                missing = set(_NUMBER.findall(said)) - set(_NUMBER.findall(evidence))
                missing |= {w for w in _names(said) if w not in evidence.lower()}
                if missing:
                    problems.append(f"{sorted(missing)} not in cited text: {m.group(1).strip()[:60]}")
                end = m.end()
            extra = set(_NUMBER.findall(_norm(cell[end:]))) - allowed
            if extra:
                problems.append(f"unsourced numbers {sorted(extra)}: {cell[end:].strip()[:60]}")
    return problems


def plan_structure(ctx: Context) -> Scored:
    """Sections, path order, key points per section, faithfulness and honesty of one plan."""
    case, text = ctx.case, ctx.answer.text
    sections = sections_of(text)
    checks = [t in sections for t in case.sections] + [t not in sections for t in case.absent]
    groups = [(title, g) for title, gs in case.key_points.items() for g in gs]
    hits = [bool(keypoint_hits(sections.get(title, ""), [g])[0]) for title, g in groups]
    allowed = {*_NUMBER.findall(" ".join(str(v) for v in case.inputs.values()))}
    allowed |= {n for ln in text.splitlines() if ln.startswith("#") for n in _NUMBER.findall(ln)}
    problems = faithful_problems(ctx.answer, allowed)
    not_covered = [ln for ln in text.splitlines() if NOT_COVERED in ln]
    honest = [any(f in ln for ln in not_covered) for f in case.not_covered]
    order = path_order(sections.get("路径评估", ""))
    return Scored(
        {
            "plan_sections": sum(checks) / len(checks) if checks else 1.0,
            "plan_order": float(order == case.path_order),
            "coverage": sum(hits) / len(hits) if hits else 1.0,
            "plan_faithful": 0.0 if problems else 1.0,
            "plan_honest": sum(honest) / len(honest) if honest else 1.0,
        },
        {
            "missing": [f"{title}: {g[0]}" for (title, g), hit in zip(groups, hits, strict=True) if not hit],
            "order": order,
            "faithful_problems": problems,
            "missing_not_covered": [f for f, ok in zip(case.not_covered, honest, strict=True) if not ok],
        },
    )


PLAN_EVALUATORS = (plan_structure, citation_validity)


def evaluate_plans(adv, cases: list[PlanCase] | None = None, progress: Callable | None = None) -> RunResult:
    """Make and score every plan case offline, gated by ``PLAN_GATES``."""
    cases = cases if cases is not None else load_plan_cases()
    started = time.perf_counter()
    results = run(
        lambda case: adv.plan(case.inputs, use_llm=False).as_answer(),
        cases,
        adv.snapshot.bodies,
        PLAN_EVALUATORS,
        progress=progress,
    )
    result = RunResult(
        label="plans",
        backend="extractive",
        settings={"cases": str(PLANS.name)},
        cases=results,
        metrics=aggregate(results),
        groups=by_group(results),
        seconds=time.perf_counter() - started,
    )
    result.gates, result.failures = check_gates(result.metrics, PLAN_GATES)
    result.gated = "plan cases: floors in evals/plan_eval.py (PLAN_GATES); offline composer only"
    return result
