"""``python -m evals``: run the golden set against the advisor, gate, and write the report.

Exit 0: passed; 1: a gate failed; 2: usage error or no index.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from . import checks
from .gates import SMOKE_GATES, TOLERANCE, check_gates, load_baseline
from .generative import GENERATIVE_SMOKE_GATES
from .golden import (
    BASELINE,
    GATES,
    baseline_record,
    generative_smoke_cases,
    golden_digest,
    load_cases,
    select,
)
from .report import print_datasets, print_run, print_side_by_side, write_report
from .runner import RunResult, evaluate

log = logging.getLogger(__name__)
DEFAULT_OUT = Path(__file__).resolve().parent / "reports"
# The generative smoke run in --ci: the local model on a handful of cases, answers capped short.
CI_GENERATIVE_BACKEND = "local:qwen2.5-1.5b"
CI_GENERATIVE_MAX_TOKENS = 160
# ... and prompts cut to a passage or two: a 2-core machine reads ~10 prompt tokens a second on the one
# thread the model gets, so the default 900 costs ~90 s before the first word. The path is what is checked.
CI_GENERATIVE_PROMPT_TOKENS = 400
EXCERPT_LABEL = "extractive (excerpt mode)"


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m evals", description="转型顾问离线评测：黄金问答集 + 指标 + 门禁"
    )
    p.add_argument("--backend", default="extractive", help="extractive | local:MODEL | openai:MODEL")
    p.add_argument("--subset", type=int, metavar="N", help="only N cases, spread over the categories")
    p.add_argument("--ids", help="comma-separated case ids to run")
    p.add_argument("--ci", action="store_true", help="gated extractive full set + generative smoke subset")
    p.add_argument("--update-baseline", action="store_true", help="write evals/baseline.json from this run")
    p.add_argument("--k", type=int, help="passages per answer (settings.top_k)")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help="report folder (default evals/reports)")
    p.add_argument("--data-dir", type=Path, help="index folder (default from settings: ./data)")
    p.add_argument("--max-tokens", type=int, help="answer token cap for LLM backends")
    p.add_argument("--tolerance", type=float, default=TOLERANCE, help="allowed drop below baseline")
    p.add_argument("--baseline", type=Path, default=BASELINE)
    p.add_argument("--no-charts", action="store_true")
    p.add_argument("--judge", action="store_true", help="LLM judge (openai: backends only; not gated)")
    p.add_argument("--judge-llm", help="judge model provider:model (default: the backend)")
    p.add_argument("--judge-repeats", type=int, default=3)
    p.add_argument("-q", "--quiet", action="store_true", help="no per-case progress")
    p.add_argument("--plans", action="store_true", help="only the plan cases (evals/plans.jsonl), gated")
    p.add_argument(
        "--fresh", action="store_true", help="only the fresh sets (evals/fresh/), gated on their own"
    )
    p.add_argument("--paraphrases", action="store_true", help="coverage across three wordings (not gated)")
    p.add_argument("--new-article", action="store_true", help="the corpus plus evals/newarticle/, gated")
    p.add_argument(
        "--journeys", action="store_true", help="only the 转型跟进 journeys (evals/journeys.jsonl)"
    )
    return p


def settings_for(args, llm: str, **extra):
    from advisor import Settings

    kw: dict = {"llm": llm, **extra}
    if "max_tokens" in kw:  # one answer cap for every backend in this run
        kw["local_max_tokens"] = kw["max_tokens"]
    if args.k:
        kw["top_k"] = args.k
    if args.data_dir:
        kw["data_dir"] = args.data_dir
    return Settings(**kw)


def usage_problem(args, full: bool) -> str | None:
    if args.update_baseline and (args.ci or not full or args.backend != "extractive" or args.k):
        return "--update-baseline 只能用于默认设置下的 extractive 全量运行（不带 --ci/--subset/--ids/--k/--backend）"
    if args.ci and args.backend != "extractive":
        return "--ci 固定使用 extractive（全量、门禁）+ 生成式小样本"
    if (
        sum(map(bool, (args.plans, args.journeys, args.fresh, args.paraphrases, args.new_article, args.ci)))
        > 1
    ):
        return "--plans / --journeys / --fresh / --paraphrases / --new-article / --ci 一次只能选一个"
    return None


def evaluators_for(args):
    from .evaluators import DEFAULT_EVALUATORS

    if not args.judge:
        return DEFAULT_EVALUATORS
    spec = args.judge_llm or args.backend
    if not spec.startswith("openai:"):
        print(
            "注意：--judge 需要 openai: 兼容的大模型（--judge-llm 或 --backend），已跳过评审。",
            file=sys.stderr,
        )
        return DEFAULT_EVALUATORS
    from advisor.llm.backends import make_chat_model

    from .judge import judge_evaluator

    return (
        *DEFAULT_EVALUATORS,
        judge_evaluator(make_chat_model(settings_for(args, spec)), args.judge_repeats),
    )


def gate_run(run: RunResult, args, full: bool) -> None:
    """Quality gates for the full extractive run; citation validity and crashes for anything else."""
    if run.backend == "extractive" and full:
        baseline = None if args.update_baseline else load_baseline(args.baseline)
        if baseline and baseline.get("golden_sha256") != golden_digest():
            print("注意：golden.jsonl 与基线记录的版本不同；基线比较仅供参考。", file=sys.stderr)
        run.gates, run.failures = check_gates(run.metrics, GATES, baseline, args.tolerance, run.groups)
        run.gated = (
            f"gated: floors in evals/golden.py + baseline {args.baseline.name} (tolerance {args.tolerance:g})"
            if baseline
            else "gated: floors only (no baseline)"
        )
        if args.k is not None:
            run.gated += f"; top_k={args.k}"
    else:
        run.gates, run.failures = check_gates(run.metrics, SMOKE_GATES)
        why = "subset" if not full else f"backend {run.backend}"
        run.gated = f"quality not gated ({why}); only citation validity and crashes are"


def smoke_run(args, adv, progress) -> RunResult:
    """The generative path on a few cases (CI): citations valid and no crash; quality not gated."""
    from advisor import Advisor

    label = f"{CI_GENERATIVE_BACKEND} (smoke)"
    try:
        settings = settings_for(
            args,
            CI_GENERATIVE_BACKEND,
            max_tokens=args.max_tokens or CI_GENERATIVE_MAX_TOKENS,
            local_prompt_tokens=CI_GENERATIVE_PROMPT_TOKENS,
        )
        gen = Advisor.load(settings, embedder=adv.embedder, client=adv.client)
        run = evaluate(gen, generative_smoke_cases(load_cases()), label=label, progress=progress)
        run.gates, run.failures = check_gates(run.metrics, GENERATIVE_SMOKE_GATES)
        run.gated = (
            "generative smoke: quality not gated; nothing may crash, citation validity must be 1.00, the "
            "model must write Chinese and answer at least once, and refusals must not call it"
        )
        return run
    except Exception as exc:
        log.exception("generative smoke run failed")
        failure = f"GATE FAILED: {CI_GENERATIVE_BACKEND} could not run ({type(exc).__name__}: {exc})"
        return RunResult(label, CI_GENERATIVE_BACKEND, {"llm": CI_GENERATIVE_BACKEND}, [], {"errors": 1}, {}, 0.0,
                         failures=[failure])  # fmt: skip


def plan_run(adv, progress) -> RunResult:
    """The 转型规划 cases (evals/plans.jsonl), gated by their own floors; a crash is a failure."""
    from .plan_eval import evaluate_plans

    try:
        return evaluate_plans(adv, progress=progress)
    except Exception as exc:
        log.exception("plan cases failed")
        failure = f"GATE FAILED: plan cases could not run ({type(exc).__name__}: {exc})"
        return RunResult("plans", "extractive", {}, [], {"errors": 1}, {}, 0.0, failures=[failure])


def journeys_run(adv, progress) -> RunResult:
    """The 转型跟进 journeys (evals/journeys.py owns their cases and gates); a crash is a failure."""
    from .journeys import run

    try:
        return run(adv, progress)
    except Exception as exc:
        log.exception("journeys failed")
        failure = f"GATE FAILED: journeys could not run ({type(exc).__name__}: {exc})"
        return RunResult("journeys", "extractive", {}, [], {"errors": 1}, {}, 0.0, failures=[failure])


def main(argv: Sequence[str] | None = None) -> int:
    from advisor.config import quiet_network

    quiet_network()
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    full = not args.subset and not args.ids
    problem = usage_problem(args, full)
    if problem:
        print(f"错误：{problem}", file=sys.stderr)
        return 2
    from advisor import Advisor, AdvisorError

    progress = None if args.quiet else (lambda s: print(s, file=sys.stderr, flush=True))
    started = time.perf_counter()
    try:
        cases = select(load_cases(), args.ids, args.subset)
        extra = {"max_tokens": args.max_tokens} if args.max_tokens else {}
        if args.new_article:
            return new_article(args)
        adv = Advisor.load(settings_for(args, args.backend, **extra))
        if args.plans:
            args.no_charts = True  # the charts are drawn for the golden set's metrics
            return finish([plan_run(adv, progress)], args, started)
        if args.journeys:
            args.no_charts = True
            return finish([journeys_run(adv, progress)], args, started)
        if args.fresh:
            return checks.check_fresh(adv, args.quiet)
        if args.paraphrases:
            return checks.check_paraphrases(adv, args.ids, args.subset, args.quiet)
        run = evaluate(adv, cases, label=args.backend, evaluators=evaluators_for(args), progress=progress)
        runs = [run]
        if run.backend != "extractive":  # the excerpt mode on the same cases, for the side-by-side table
            excerpt = Advisor.load(settings_for(args, "extractive"), embedder=adv.embedder, client=adv.client)
            runs.append(evaluate(excerpt, cases, label=EXCERPT_LABEL, progress=progress))
    except (AdvisorError, ValueError) as exc:  # no index, bad settings, a gold quote not in the corpus
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    for r in runs:
        gate_run(r, args, full)
    if args.ci:
        runs.append(smoke_run(args, adv, progress))
    if full and args.backend == "extractive":
        runs.append(plan_run(adv, progress))
        runs.append(journeys_run(adv, progress))
        if not args.ci:
            runs += reported_fresh(adv)
    return finish(runs, args, started)


def reported_fresh(adv) -> list[RunResult]:
    """The fresh sets beside the golden set: shown with their gates' status, but only ``--fresh`` fails
    on them (not part of the gated run yet)."""
    runs = checks.fresh_runs(adv)
    for run in runs:
        run.failures = []
        run.gated += "; reported here, gated only by python -m evals --fresh"
    return runs


def new_article(args) -> int:
    from advisor.index.embeddings import make_embedder

    settings = settings_for(args, "extractive")
    return checks.check_new_article(settings, make_embedder(settings.embedder), args.quiet)


def finish(runs: list[RunResult], args, started: float) -> int:
    failures = [f for r in runs for f in r.failures]
    for r in runs:
        print_run(r)
    print_side_by_side(runs)
    print_datasets(runs)
    if args.update_baseline:
        args.baseline.write_text(
            json.dumps(baseline_record(runs[0]), ensure_ascii=False, indent=2) + "\n", "utf-8"
        )
        print(f"\n基线已更新：{args.baseline}", file=sys.stderr)
    report = write_report(runs, args.out, failures, charts=not args.no_charts)
    print(f"\nreport: {report}  ({time.perf_counter() - started:.1f}s)")
    for f in failures:
        print(f, file=sys.stderr)
    if failures:
        return 1
    print("GATE PASSED" if any(r.gates for r in runs) else "done")
    return 0
