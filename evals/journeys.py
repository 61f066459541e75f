"""Scripted 转型跟进 journeys (``evals/journeys.jsonl``): a person saves a plan and checks in week after
week (role × goal × trajectory: improving, flat, worsening, over budget, savings shrinking); after every
check-in the guide's rules that fire must be exactly the ones the journey expects.

Self-contained (its own cases, scoring and gates; the runner only calls ``run``). Everything is real: a
SQLite database in a temporary folder, the plan rebuilt from the index, the rules read from the guide.

- ``fires_expected``: share of expected firings that fired;
- ``no_spurious``: share of check-ins where nothing fired that was not expected;
- ``quotes_verbatim``: share of citations whose quote is exactly its document's text at its offsets,
  with every firing's sentence shown verbatim in the page and nothing flagged unsupported;
- ``journeys_passed``: share of journeys where every check-in matched.
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from advisor.grounding.quotes import Quote, quote_text
from advisor.progress.follow import check_in, save_plan
from advisor.progress.report import progress_report
from advisor.progress.store import ProgressStore

from .gates import Gate, check_gates
from .runner import RunResult

JOURNEYS = Path(__file__).with_name("journeys.jsonl")
START = date(2026, 1, 5)  # a Monday; check-ins follow weekly
JOURNEY_GATES: tuple[Gate, ...] = tuple(
    Gate(m, 1.0, tolerance=0.0)
    for m in ("fires_expected", "no_spurious", "quotes_verbatim", "journeys_passed")
)


def load_journeys(path: Path = JOURNEYS) -> list[dict]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def verbatim(report, bodies: dict[str, str]) -> bool:
    """Every citation is its document's exact text; every firing's quotes appear in the page."""
    if report.unsupported:
        return False
    if any(bodies[c.doc_id][c.start : c.end] != c.quote for c in report.citations):
        return False
    quotes = [p for f in report.firings for p in f.sentence if isinstance(p, Quote)]
    return all(quote_text(q, bodies) in report.text for q in quotes)


def play(adv, store: ProgressStore, journey: dict) -> list[dict]:
    """Save the journey's plan and check in week by week; what fired after each week."""
    derived = adv.derived
    token = save_plan(
        derived, store, journey["inputs"], journey.get("targets"), journey.get("monthly_pay"), START
    )
    steps = []
    for k, week in enumerate(journey["checkins"]):
        raw = {
            "day": START + timedelta(days=7 * k),
            "hours": week.get("hours", 6),
            "spent": week.get("spent", 0),
        }
        raw |= {"values": week["values"], "savings_months": week.get("savings_months")}
        check_in(store, token, raw, today=START + timedelta(days=365))
        report = progress_report(derived, store.load(token))
        fired = [f.key for f in report.firings]
        steps.append({"expect": week["expect"], "fired": fired, "verbatim": verbatim(report, derived.bodies)})
    store.delete(token)
    return steps


def score(results: dict[str, list[dict]]) -> dict[str, float]:
    steps = [s for journey in results.values() for s in journey]
    expected = [(k, key) for k, s in enumerate(steps) for key in s["expect"]]
    hit = sum(key in steps[k]["fired"] for k, key in expected)
    return {
        "journeys": len(results),
        "checkins": len(steps),
        "fires_expected": hit / len(expected) if expected else 1.0,
        "no_spurious": sum(set(s["fired"]) <= set(s["expect"]) for s in steps) / len(steps),
        "quotes_verbatim": sum(s["verbatim"] for s in steps) / len(steps),
        "journeys_passed": sum(
            all(sorted(s["fired"]) == sorted(s["expect"]) and s["verbatim"] for s in j)
            for j in results.values()
        )
        / len(results),
    }


def run(adv, progress: Callable | None = None, path: Path = JOURNEYS) -> RunResult:
    """Play every journey and gate the scores (``JOURNEY_GATES``); mismatches are named in the failures."""
    started = time.perf_counter()
    results: dict[str, list[dict]] = {}
    with tempfile.TemporaryDirectory(prefix="advisor-journeys-") as tmp:
        store = ProgressStore(f"sqlite:///{Path(tmp) / 'journeys.db'}")
        try:
            for journey in load_journeys(path):
                results[journey["id"]] = play(adv, store, journey)
                if progress:
                    progress(f"journey {journey['id']}: {[s['fired'] for s in results[journey['id']]]}")
        finally:
            store.close()
    metrics = score(results)
    result = RunResult(
        "journeys", "extractive", {"cases": path.name}, [], metrics, {}, time.perf_counter() - started
    )
    result.gates, result.failures = check_gates(metrics, JOURNEY_GATES)
    for jid, steps in results.items():
        for k, s in enumerate(steps, 1):
            if sorted(s["fired"]) != sorted(s["expect"]) or not s["verbatim"]:
                result.failures.append(
                    f"GATE FAILED: journey {jid} check-in {k}: expected {s['expect']}, fired {s['fired']}"
                    + ("" if s["verbatim"] else ", a quote is not verbatim")
                )
    result.gated = (
        "转型跟进 journeys: every expected rule fires, none spuriously, every quote verbatim (1.00)"
    )
    return result
