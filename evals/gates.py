"""How a gate is checked: a floor kept in code, and no regression beyond a tolerance against an accepted
baseline. The gates themselves belong to the datasets (``GATES`` and the baseline in ``golden.py``,
``PLAN_GATES`` in ``plan_eval.py``, ``GENERATIVE_SMOKE_GATES`` in ``generative.py``, ``FRESH_GATES`` in
``fresh.py``, ``NEW_ARTICLE_GATES`` in ``newarticle.py``)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

TOLERANCE = 0.02


@dataclass(frozen=True)
class Gate:
    """A gated metric: must stay at/above ``floor`` (at/below for ``lower_is_better``) and within
    ``tolerance`` of the accepted baseline. ``floor=None`` means baseline comparison only."""

    metric: str
    floor: float | None
    lower_is_better: bool = False
    tolerance: float = TOLERANCE
    group: str | None = None  # gate the metric of one group of cases (e.g. multi-turn) instead of all

    @property
    def key(self) -> str:
        return f"{self.group}:{self.metric}" if self.group else self.metric


# Any backend: citations must check out and nothing may crash (quality is not gated).
SMOKE_GATES: tuple[Gate, ...] = (
    Gate("citation_validity", 1.00, tolerance=0.0),
    Gate("errors", 0, lower_is_better=True, tolerance=0.0),
)


def fmt_pair(value: float, ref: float) -> tuple[str, str]:
    """Two decimals (none for counts like characters), more when rounding would make a failing value
    look equal to its bound."""
    for d in (0, 1, 2) if abs(ref) >= 10 else (2, 3, 4):
        if round(value, d) != round(ref, d):
            break
    return f"{value:.{d}f}", f"{ref:.{d}f}"


def _floor_failure(g: Gate, value: float) -> str | None:
    if g.floor is None:
        return None
    below = value > g.floor + 1e-9 if g.lower_is_better else value < g.floor - 1e-9
    if not below:
        return None
    word, op = ("ceiling", ">") if g.lower_is_better else ("floor", "<")
    v, f = fmt_pair(value, g.floor)
    return f"GATE FAILED: {g.key} {v} {op} {word} {f}"


def _baseline_failure(g: Gate, value: float, ref: float | None, tol: float) -> str | None:
    if ref is None:
        return None
    worse = value > ref + tol + 1e-9 if g.lower_is_better else value < ref - tol - 1e-9
    if not worse:
        return None
    op, pm = (">", "+") if g.lower_is_better else ("<", "-")
    v, _ = fmt_pair(value, ref + tol if g.lower_is_better else ref - tol)
    return f"GATE FAILED: {g.key} {v} {op} baseline {fmt_pair(ref, value)[0]} {pm} {tol:g} (regression)"


def check_gates(
    metrics: dict,
    gates: Sequence[Gate],
    baseline: dict | None = None,
    tolerance: float | None = None,
    groups: dict[str, dict] | None = None,
) -> tuple[list[dict], list[str]]:
    """Rows for the gate table, and one ``GATE FAILED: ...`` message per failed check."""
    rows, failures = [], []
    base = (baseline or {}).get("metrics", {})
    for g in gates:
        source = (groups or {}).get(g.group, {}) if g.group else metrics
        value, ref = source.get(g.metric), base.get(g.key)
        row = {"metric": g.key, "value": value, "floor": None, "baseline": ref, "status": "n/a"}
        if value is not None:
            tol = tolerance if tolerance is not None and g.tolerance == TOLERANCE else g.tolerance
            failed = [f for f in (_floor_failure(g, value), _baseline_failure(g, value, ref, tol)) if f]
            failures += failed
            sign = "≤" if g.lower_is_better else "≥"
            row["floor"] = None if g.floor is None else f"{sign} {g.floor:g}"
            row["status"] = "FAIL" if failed else "ok"
        rows.append(row)
    return rows, failures


def load_baseline(path: Path) -> dict | None:
    if not path.exists():
        return None
    return json.loads(path.read_text("utf-8"))
