"""The separate checks of ``python -m evals``: ``--fresh`` (the fresh sets, gated on their own floors),
``--paraphrases`` (robustness to wording, reported) and ``--new-article`` (an added article answers
its own questions, gated). None of them rewrites ``evals/reports/report.md``; per-case detail goes to
git-ignored folders under ``evals/reports/``."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from . import fresh
from .fresh import counting, fresh_sets, run_fresh, write_detail
from .golden import load_cases, select
from .newarticle import articles, run_new_article
from .paraphrases import HEADERS, rows, run_paraphrases
from .paraphrases import write_detail as write_paraphrase_detail
from .report import print_datasets, print_run, text_table
from .runner import RunResult


def fresh_runs(adv, quiet: bool = True) -> list[RunResult]:
    """Every fresh set answered and scored; each case's detail written to ``evals/reports/fresh/``."""
    runs = []
    for path in fresh_sets():
        n = sum(1 for line in path.read_text("utf-8").splitlines() if line.strip())
        print(f"fresh set {path.name}: {n} cases", file=sys.stderr, flush=True)
        run = run_fresh(adv, path, progress=None if quiet else counting(n))
        print(f"  per-case detail: {write_detail(run)}", file=sys.stderr)
        runs.append(run)
    return runs


def check_fresh(adv, quiet: bool) -> int:
    """``--fresh``: aggregate and per-kind scores of every fresh set, exit 1 when a floor fails."""
    runs = fresh_runs(adv, quiet)
    if not runs:
        print(f"错误：{fresh.FRESH_DIR} 下没有 *.jsonl 评测集", file=sys.stderr)
        return 2
    for run in runs:
        print_run(run, sys.stdout)
    print_datasets(runs, sys.stdout)
    failures = [f"{run.label}: {f}" for run in runs for f in run.failures]
    for f in failures:
        print(f, file=sys.stderr)
    print("FRESH GATES FAILED" if failures else "FRESH GATES PASSED")
    return 1 if failures else 0


def check_paraphrases(adv, ids: str | None, subset: int | None, quiet: bool) -> int:
    """``--paraphrases``: coverage over the three wordings of each answerable golden case (not gated)."""
    progress = None if quiet else (lambda s: print(s, file=sys.stderr, flush=True))
    run = run_paraphrases(adv, select(load_cases(), ids, subset), progress)
    print(f"\n== paraphrases: {len(run.cases)} answers, {run.seconds:.1f}s (reported, not gated) ==")
    print(text_table(HEADERS, rows(run)))
    print(f"\nper-case detail: {write_paraphrase_detail(run)}")
    return 0


def check_new_article(settings, embedder, quiet: bool) -> int:
    """``--new-article``: the corpus plus each new article in a temporary index; coverage and refusals."""
    progress = None if quiet else (lambda s: print(s, file=sys.stderr, flush=True))
    failed = False
    for article in articles():
        with tempfile.TemporaryDirectory(prefix="advisor-newarticle-") as tmp:
            run = run_new_article(settings, embedder, Path(tmp), progress, article)
        print_run(run, sys.stdout)
        refused = sum(r.refused for r in run.cases)
        print(
            f"\n{article.stem}: coverage {run.metrics.get('coverage')}, refused {refused} of {len(run.cases)}"
        )
        for f in run.failures:
            print(f, file=sys.stderr)
        failed = failed or bool(run.failures)
    return 1 if failed else 0
